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

test("Sentry's server SDK init() installs a handler that only reports (its default 'warn' mode); an init under a condition, 'strict' mode, and a browser SDK do not contain (traps)", async () => {
  const withSentry = (imp: string, call: string) => scanModel({ ...app(''), 'src/instrument.ts': `${imp}\n${call}\n` });
  const named = await withSentry(`import { init } from '@sentry/nestjs';`, `init({ dsn: process.env.SENTRY_DSN });`);
  assert.deepEqual(down(named), []);
  const edge = named.edges.find((e) => e.to === 'external:hooks.slack.com')!;
  assert.ok(edge.evidence.some((ev) => ev.file === 'src/instrument.ts' && ev.line === 2), 'the init call is part of the edge evidence');
  const conditional = await withSentry(`import { init } from '@sentry/nestjs';`, `if (process.env.SENTRY_DSN) {\n  init({ dsn: process.env.SENTRY_DSN });\n}`);
  assert.deepEqual(down(conditional), ['entrypoint:GET /health', 'entrypoint:POST /orders']);
  const namespace = await withSentry(`import * as Sentry from '@sentry/node';`, `Sentry.init({ dsn: process.env.SENTRY_DSN });`);
  assert.deepEqual(down(namespace), []);
  const strict = await withSentry(`import * as Sentry from '@sentry/node';`, `Sentry.init({ dsn: process.env.SENTRY_DSN, integrations: [Sentry.onUnhandledRejectionIntegration({ mode: 'strict' })] });`);
  assert.deepEqual(down(strict), ['entrypoint:GET /health', 'entrypoint:POST /orders']);
  const browser = await withSentry(`import * as Sentry from '@sentry/browser';`, `Sentry.init({ dsn: process.env.SENTRY_DSN });`);
  assert.deepEqual(down(browser), ['entrypoint:GET /health', 'entrypoint:POST /orders']);
});

test('the handler of the process counts: a fire-and-forget made inside a workspace library is contained by the app that runs it', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'monorepo', private: true, workspaces: ['apps/*', 'packages/*'] }),
    'packages/sdk/package.json': JSON.stringify({ name: '@acme/sdk', main: 'src/index.ts', dependencies: { axios: '^1' } }),
    'packages/sdk/src/index.ts': `import axios from 'axios';
export class Sdk {
  async trigger(name: string) {
    return axios.post('https://api.acme.dev/v1/events', { name }, { timeout: 3000 });
  }
}
`,
    'apps/api/package.json': JSON.stringify({ name: 'api', dependencies: { express: '^4', '@acme/sdk': 'workspace:*' } }),
    'apps/api/src/main.ts': `import express from 'express';
import { Sdk } from '@acme/sdk';
process.on('unhandledRejection', (reason) => console.error(reason));
const sdk = new Sdk();
const app = express();
app.post('/reset', (req, res) => {
  sdk.trigger('password-reset');
  res.status(202).end();
});
app.get('/health', (_req, res) => res.send('ok'));
app.listen(3000);
`,
  });
  assert.ok(model.nodes.some((n) => n.id === 'external:api.acme.dev'));
  assert.deepEqual([...simulate(model, 'external:api.acme.dev', 'outage').entrypoints.down], []);
});
