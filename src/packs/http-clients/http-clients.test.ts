import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';
import type { Model } from '../../model/types.js';

const externals = (m: Model) => m.nodes.filter((n) => n.kind === 'external').map((n) => n.id).sort();
const callers = (m: Model, id: string) => [...new Set(m.edges.filter((e) => e.to === id).flatMap((e) => e.entrypoints ?? []))].sort();

test('http clients: fetch, globalThis.fetch, an axios instance and got name the host they call', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'api', dependencies: { express: '^4', axios: '^1', got: '^14' } }),
    'src/clients.ts': `import axios from 'axios';
import got from 'got';
export const billing = axios.create({ baseURL: 'https://billing.example.com', timeout: 3000 });
export async function geocode(q: string) {
  return (await fetch('https://geo.example.com/v1/search?q=' + q, { signal: AbortSignal.timeout(2000) })).json();
}
export async function logo(domain: string) {
  return globalThis.fetch('https://logos.example.com/' + domain);
}
export const rates = () => got('https://rates.example.com/latest', { timeout: { request: 2000 } }).json();
`,
    'src/server.ts': `import express from 'express';
import { billing, geocode, logo, rates } from './clients';
const app = express();
app.get('/invoices', async (_req, res) => res.json((await billing.get('/invoices')).data));
app.get('/places', async (req, res) => res.json(await geocode(String(req.query.q))));
app.get('/logo/:domain', async (req, res) => res.send(await logo(req.params.domain)));
app.get('/rates', async (_req, res) => res.json(await rates()));
app.listen(3000);
`,
  });
  assert.deepEqual(externals(model), ['external:billing.example.com', 'external:geo.example.com', 'external:logos.example.com', 'external:rates.example.com']);
  assert.deepEqual(callers(model, 'external:logos.example.com'), ['entrypoint:GET /logo/:domain']);
});

test('http clients: a project object or function named like a client is not an HTTP call (traps)', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'api', dependencies: { express: '^4' } }),
    'src/cache.ts': `const globalThis_ = { fetch: (key: string) => key };
export const global = { fetch: (key: string) => globalThis_.fetch(key) };
export function fetch(key: string) { return global.fetch(key); }
`,
    'src/server.ts': `import express from 'express';
import { fetch, global } from './cache';
const app = express();
app.get('/a', (_req, res) => res.send(fetch('https://not-a-call.example.com')));
app.get('/b', (_req, res) => res.send(global.fetch('https://not-a-call.example.com')));
app.listen(3000);
`,
  });
  assert.deepEqual(externals(model), []);
});

test('http clients: a call on a response an axios request returned sends nothing (trap); the request itself is one call', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'api', dependencies: { express: '^4', axios: '^1' } }),
    'src/server.ts': `import express from 'express';
import axios from 'axios';
const app = express();
app.get('/etag', async (_req, res) => {
  const pending = axios.get('https://flags.example.com/v1/flags', { timeout: 2000 });
  const response = await pending;
  res.json({ etag: response.headers.get('etag'), flags: response.data });
});
app.listen(3000);
`,
  });
  assert.deepEqual(externals(model), ['external:flags.example.com']);
  assert.deepEqual(model.edges.filter((e) => e.to === 'external:flags.example.com').map((e) => `${e.from} @${e.evidence[0].line}`), ['entrypoint:GET /etag @5']);
});
