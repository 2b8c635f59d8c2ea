import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';
import type { Model } from '../../model/types.js';

const scan = (files: Record<string, string>) => scanModel(files, { rules: [] });
/** Per entrypoint, what it does to ClickHouse and where. */
const reach = (m: Model) =>
  m.edges
    .filter((e) => e.to === 'datastore:clickhouse')
    .flatMap((e) => (e.entrypoints ?? [e.from]).map((ep) => `${ep} ${e.kind}${e.readOnly ? '+ro' : ''} @ ${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`))
    .sort();
const pkg = (deps: Record<string, string>) => JSON.stringify({ name: 'analytics', dependencies: { express: '^4.19.0', ...deps } });

test('clickhouse: query reads, insert and command write, through a client made once — also a lazy one filled in connect()', async () => {
  const model = await scan({
    'package.json': pkg({ '@clickhouse/client': '^1.4.0' }),
    'docker-compose.yml': `services:
  clickhouse:
    image: clickhouse/clickhouse-server:24.3
`,
    'src/clickhouse.ts': `import { createClient, type ClickHouseClient } from '@clickhouse/client';

let client: ClickHouseClient | undefined;

function connect() {
  if (!client) client = createClient({ url: process.env.CLICKHOUSE_URL, request_timeout: 10_000 });
  return client;
}

export async function rawQuery<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  connect();
  const resultSet = await client!.query({ query, query_params: params, format: 'JSONEachRow' });
  return resultSet.json<T>();
}

export async function insert(table: string, values: unknown[]) {
  connect();
  return client!.insert({ table, values, format: 'JSONEachRow' });
}

export async function dropPartition(month: string) {
  connect();
  await client!.command({ query: \`ALTER TABLE events DROP PARTITION '\${month}'\` });
}

export async function close() {
  await client?.close();
  client = undefined;
}
`,
    'src/server.ts': `import express from 'express';
import { rawQuery, insert, dropPartition } from './clickhouse';
const app = express();
app.get('/stats/:site', async (req, res) => res.json(await rawQuery('SELECT count() AS views FROM events WHERE site = {site:String}', { site: req.params.site })));
app.post('/events', async (req, res) => { await insert('events', [req.body]); res.sendStatus(202); });
app.delete('/partitions/:month', async (req, res) => { await dropPartition(req.params.month); res.sendStatus(204); });
app.get('/health', (_req, res) => res.send('ok'));
app.listen(3000);
`,
  });
  assert.deepEqual(model.nodes.filter((n) => n.kind === 'datastore').map((n) => `${n.id} ${n.tech}`), ['datastore:clickhouse clickhouse']);
  assert.deepEqual(reach(model), [
    'entrypoint:DELETE /partitions/:month writes @ src/clickhouse.ts:23',
    'entrypoint:GET /stats/:site reads+ro @ src/clickhouse.ts:12',
    'entrypoint:POST /events writes @ src/clickhouse.ts:18',
  ]);
});

test('clickhouse: the result set, close(), a redis createClient and a project function named query are not ClickHouse (traps)', async () => {
  const model = await scan({
    'package.json': pkg({ '@clickhouse/client': '^1.4.0', redis: '^4.7.0' }),
    'src/db.ts': `import { createClient as createClickHouse } from '@clickhouse/client';
import { createClient } from 'redis';

export const clickhouse = createClickHouse({ url: process.env.CLICKHOUSE_URL });
export const redis = createClient({ url: process.env.REDIS_URL });

export const query = (sql: string) => ({ sql, at: Date.now() });
`,
    'src/server.ts': `import express from 'express';
import { clickhouse, redis, query } from './db';
const app = express();
app.get('/cached/:key', async (req, res) => res.json(await redis.get(req.params.key)));
app.get('/preview', (req, res) => res.json(query(String(req.query.sql))));
app.post('/shutdown', async (_req, res) => { await clickhouse.close(); res.sendStatus(204); });
app.listen(3000);
`,
  });
  assert.deepEqual(reach(model), []);
  assert.deepEqual(model.nodes.filter((n) => n.kind === 'datastore' || n.kind === 'cache').map((n) => n.id).sort(), ['cache:redis']);
});
