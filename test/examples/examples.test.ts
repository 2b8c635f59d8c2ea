import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runPipeline } from '../../src/pipeline.js';
import { stableJson } from '../../src/shared/json.js';
import { summarize } from './summary.js';

const root = path.resolve(import.meta.dirname, '../..');
const EXAMPLES = ['portal', 'health-sync', 'tenant-platform', 'fastapi-ops', 'flask-notes'];

for (const name of EXAMPLES) {
  const expected = JSON.parse(fs.readFileSync(path.join(root, 'test/expected', `${name}.json`), 'utf8'));
  test(`examples/${name}: the model matches the hand-written summary`, async (t) => {
    const { model } = await runPipeline(path.join(root, 'examples', name));
    const got = summarize(model);
    for (const key of ['entrypoints', 'datastores', 'caches', 'queues', 'externals', 'clients', 'runtimes', 'components'] as const) {
      await t.test(key, () => assert.deepEqual(got[key], expected[key]));
    }
    await t.test('componentReach', () => assert.deepEqual(got.componentReach, expected.componentReach));
    await t.test('entrypointReach', () => assert.deepEqual(got.entrypointReach, expected.entrypointReach));
  });
}

test('examples/portal: the health route is not connected to the database', async () => {
  const { model } = await runPipeline(path.join(root, 'examples', 'portal'));
  const health = 'entrypoint:GET /api/health';
  assert.ok(model.nodes.some((n) => n.id === health));
  assert.equal(model.edges.some((e) => e.to === 'datastore:postgres' && e.entrypoints?.includes(health)), false);
});

test('two scans of the same tree give byte-identical JSON', async () => {
  const dir = path.join(root, 'examples', 'health-sync');
  const a = stableJson((await runPipeline(dir)).model);
  const b = stableJson((await runPipeline(dir)).model);
  assert.equal(a, b);
});
