// The Python examples: findings at the lines their expected summaries name, the traps
// silent, propagation through the Redis fallback, and the connection budget with workers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runPipeline } from '../../src/pipeline.js';
import type { Model } from '../../src/model/types.js';

const root = path.resolve(import.meta.dirname, '../..');

interface Expected {
  expectedFindings: { rule: string; file: string; line: number }[];
  mustNotFire: { rule: string; file: string; line: number }[];
}

const covers = (f: Model['findings'][number], file: string, line: number) => f.locations.some((l) => l.file === file && (l.line === line || (l.endLine !== undefined && l.line <= line && l.endLine >= line)));

const cache = new Map<string, Promise<Model>>();
function model(name: string): Promise<Model> {
  if (!cache.has(name)) cache.set(name, runPipeline(path.join(root, 'examples', name)).then((r) => r.model));
  return cache.get(name)!;
}

for (const name of ['fastapi-ops', 'flask-notes']) {
  const expected: Expected = JSON.parse(fs.readFileSync(path.join(root, 'test/expected', `${name}.json`), 'utf8'));
  test(`examples/${name}: every expected finding is reported at its line`, async () => {
    const m = await model(name);
    const missing = expected.expectedFindings.filter((e) => !m.findings.some((f) => f.rule === e.rule && covers(f, e.file, e.line)));
    assert.deepEqual(missing, []);
  });
  test(`examples/${name}: the false-positive traps stay silent`, async () => {
    const m = await model(name);
    const fired = expected.mustNotFire.filter((e) => m.findings.some((f) => f.rule === e.rule && covers(f, e.file, e.line)));
    assert.deepEqual(fired, []);
  });
}

test('examples/fastapi-ops: a Redis outage degrades the cached routes (in-process fallback) and downs the Celery paths', async () => {
  const m = await model('fastapi-ops');
  const sc = m.scenarios.find((s) => s.failed === 'cache:redis' && s.mode === 'outage')!;
  assert.ok(sc);
  assert.deepEqual(sc.entrypoints.degraded, ['entrypoint:GET /api/events', 'entrypoint:GET /health/readiness', 'entrypoint:POST /api/events']);
  assert.ok(sc.entrypoints.down.includes('entrypoint:POST /api/events/batch'), 'the broker is Redis: .delay() fails');
  assert.ok(sc.entrypoints.ok.includes('entrypoint:GET /api/auth/me'));
});

test('examples/fastapi-ops: a PostgreSQL outage leaves liveness and the WebSocket up', async () => {
  const m = await model('fastapi-ops');
  const sc = m.scenarios.find((s) => s.failed === 'datastore:postgres' && s.mode === 'outage')!;
  assert.deepEqual(sc.entrypoints.ok, ['entrypoint:GET /health/liveness', 'entrypoint:WS /ws/:token']);
  assert.deepEqual(sc.entrypoints.degraded, ['entrypoint:GET /health/readiness']);
});

test('examples/fastapi-ops: the pool budget multiplies pool_size + max_overflow by workers and replicas', async () => {
  const m = await model('fastapi-ops');
  const pg = m.capacity?.datastores.find((d) => d.datastore === 'datastore:postgres');
  assert.ok(pg);
  assert.equal(pg!.budget.status, 'exceeded');
  assert.equal(pg!.budget.normal.arithmetic, 'api 3 replicas × 4 processes × 30 + worker 1 replica × 4 processes × 30 = 480 > 97 usable of max_connections 100');
  assert.deepEqual(pg!.runtimes.map((r) => `${r.runtime} ${r.processes} ${r.pool.value}`), ['runtime:api 4 30', 'runtime:worker 4 30']);
});

test('examples/fastapi-ops: the WebSocket route and the full prefixed paths', async () => {
  const m = await model('fastapi-ops');
  const ws = m.nodes.find((n) => n.id === 'entrypoint:WS /ws/:token');
  assert.equal(ws?.trigger, 'websocket');
  assert.deepEqual(ws?.route, { method: 'WS', path: '/ws/:token' });
  assert.equal(m.nodes.find((n) => n.id === 'entrypoint:POST /api/events')?.route?.path, '/api/events');
});
