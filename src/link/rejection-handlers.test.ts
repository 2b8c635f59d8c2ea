import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../test/helpers/fixture.js';
import { simulate } from '../analyze/propagation/index.js';
import type { Model } from '../model/types.js';

const app = (mainExtra: string) => ({
  'package.json': JSON.stringify({ name: 'api', dependencies: { express: '^4', axios: '^1' } }),
  'src/notify.ts': `import axios from 'axios';
export async function notifySlack(text: string) {
  await axios.post('https://hooks.slack.com/services/T000/B000/XXX', { text }, { timeout: 3000 });
}
`,
  'src/main.ts': `import express from 'express';
import { notifySlack } from './notify';
${mainExtra}
const app = express();
export async function createOrder(req: express.Request, res: express.Response) {
  notifySlack('order created');
  res.status(201).json({ ok: true });
}
export async function health(_req: express.Request, res: express.Response) {
  res.json({ ok: true });
}
app.post('/orders', createOrder);
app.get('/health', health);
app.listen(3000);
`,
});

const down = (m: Model) => [...simulate(m, 'external:hooks.slack.com', 'outage').entrypoints.down].sort();

test('an uncaught fire-and-forget crashes the process; a logging unhandledRejection handler contains it (the work is lost, not the process)', async () => {
  const bare = await scanModel(app(''));
  assert.deepEqual(down(bare), ['entrypoint:GET /health', 'entrypoint:POST /orders']);
  assert.ok(bare.findings.some((f) => f.rule === 'async/floating-promise'));

  const handled = await scanModel(app(`process.on('unhandledRejection', (reason) => {
  console.error('unhandled rejection', reason);
});`));
  assert.deepEqual(down(handled), []);
  const s = simulate(handled, 'external:hooks.slack.com', 'outage');
  assert.deepEqual(s.lostSideEffects?.map((l) => l.entrypoints).flat(), ['entrypoint:POST /orders']);
  const edge = handled.edges.find((e) => e.to === 'external:hooks.slack.com')!;
  assert.ok(edge.evidence.some((ev) => ev.file === 'src/main.ts' && ev.line === 3), 'the handler is part of the edge evidence');
  assert.ok(!handled.findings.some((f) => f.rule === 'async/floating-promise'));
});

test('an imported handler is read too; one that exits, or one that cannot be read, does not contain it (traps)', async () => {
  const exits = await scanModel(app(`process.on('unhandledRejection', (reason) => {
  console.error(reason);
  process.exit(1);
});`));
  assert.deepEqual(down(exits), ['entrypoint:GET /health', 'entrypoint:POST /orders']);
  const imported = (body: string) => scanModel({ ...app(`import { onRejection } from './errors';
process.on('unhandledRejection', onRejection);`), 'src/errors.ts': `export function onRejection(e: unknown) {\n  console.error(e);\n${body}}\n` });
  assert.deepEqual(down(await imported('')), []);
  assert.deepEqual(down(await imported('  process.exit(1);\n')), ['entrypoint:GET /health', 'entrypoint:POST /orders']);
  const unreadable = await scanModel(app(`import { onRejection } from '@acme/observability';
process.on('unhandledRejection', onRejection);`));
  assert.deepEqual(down(unreadable), ['entrypoint:GET /health', 'entrypoint:POST /orders']);
});
