import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';
import type { Model } from '../../model/types.js';

const scan = (files: Record<string, string>) => scanModel(files, { rules: [] });
const nodes = (m: Model) => m.nodes.filter((n) => n.kind !== 'entrypoint' && n.kind !== 'runtime').map((n) => `${n.id} ${n.tech}`).sort();
/** Every edge to Redis: who makes it, whether it is read-only, and the lines of the commands. */
const redisEdges = (m: Model) =>
  m.edges
    .filter((e) => e.to === 'cache:redis')
    .map((e) => `${e.from} -${e.kind}/${e.mode}${e.readOnly ? ' readOnly' : ''}-> ${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`)
    .sort();

test('redis / ioredis: every command is a use of cache:redis; read commands are read-only, writes are not', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'api', dependencies: { express: '^4.19.0', ioredis: '^5.4.0' } }),
    'src/cache.ts': `import Redis from 'ioredis';
export const redis = new Redis(process.env.REDIS_URL!);
export async function getSession(id: string) {
  return redis.get('sess:' + id);
}
export async function saveSession(id: string, v: string) {
  await redis.set('sess:' + id, v, 'EX', 3600);
}
`,
    'src/server.ts': `import express from 'express';
import { getSession, saveSession } from './cache';
const app = express();
app.get('/session/:id', async (req, res) => res.json(await getSession(req.params.id)));
app.put('/session/:id', async (req, res) => res.json(await saveSession(req.params.id, req.body)));
app.get('/health', (_req, res) => res.send('ok'));
app.listen(3000);
`,
  });
  assert.deepEqual(nodes(model), ['cache:redis redis']);
  assert.deepEqual(redisEdges(model), [
    'entrypoint:GET /session/:id -uses/sync readOnly-> src/cache.ts:4',
    'entrypoint:PUT /session/:id -uses/sync-> src/cache.ts:7',
  ]);
});

test('redis / node-redis: createClient, camelCase read commands, a duplicate() client and a multi() queue', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'api', dependencies: { express: '^4.19.0', redis: '^4.7.0' } }),
    'src/cache.ts': `import { createClient } from 'redis';
export const client = createClient({ url: process.env.REDIS_URL });
const publisher = client.duplicate();
export async function profile(id: string) {
  const fields = await client.hGetAll('user:' + id);
  const score = await client.zScore('leaderboard', id);
  const banned = await client.hExists('banned', id);
  return { fields, score, banned };
}
export async function bump(id: string) {
  await client.zIncrBy('leaderboard', 1, id);
  await publisher.publish('scores', id);
}
export async function rename(id: string, name: string) {
  const isolated = client.duplicate(); // no command yet
  return isolated.multi().hSet('user:' + id, 'name', name).expire('user:' + id, 86400).exec();
}
`,
    'src/server.ts': `import express from 'express';
import { profile, bump, rename } from './cache';
const app = express();
app.get('/users/:id', async (req, res) => res.json(await profile(req.params.id)));
app.post('/users/:id/bump', async (req, res) => res.json(await bump(req.params.id)));
app.put('/users/:id/name', async (req, res) => res.json(await rename(req.params.id, req.body.name)));
app.listen(3000);
`,
  });
  assert.deepEqual(nodes(model), ['cache:redis redis']);
  assert.deepEqual(redisEdges(model), [
    'entrypoint:GET /users/:id -uses/sync readOnly-> src/cache.ts:5 src/cache.ts:6 src/cache.ts:7',
    'entrypoint:POST /users/:id/bump -uses/sync-> src/cache.ts:11 src/cache.ts:12',
    'entrypoint:PUT /users/:id/name -uses/sync-> src/cache.ts:16',
  ]);
});

test('redis: client lifecycle and EventEmitter methods send no command, and a call on a reply is data (traps)', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'api', dependencies: { express: '^4.19.0', redis: '^4.7.0', ioredis: '^5.4.0' } }),
    'src/cache.ts': `import { createClient } from 'redis';
export const client = createClient({ url: process.env.REDIS_URL });
client.on('error', (e) => console.error(e));
export async function reconnect() {
  client.removeAllListeners('error');
  const sub = client.duplicate();
  await sub.connect();
  await sub.quit();
  return client.listenerCount('error');
}
export async function tags(id: string) {
  const raw = await client.get('tags:' + id);
  return raw!.split(',').map((t) => t.trim());
}
export async function counters() {
  const replies = await client.multi().incr('a').incr('b').exec();
  return replies.map(Number);
}
`,
    'src/ioredis.ts': `import Redis from 'ioredis';
const redis = new Redis();
export async function members() {
  const names = await redis.smembers('online');
  return names.filter((n) => n.length > 0);
}
`,
    'src/server.ts': `import express from 'express';
import { reconnect, tags, counters } from './cache';
import { members } from './ioredis';
const app = express();
app.post('/reconnect', async (_req, res) => res.json(await reconnect()));
app.get('/tags/:id', async (req, res) => res.json(await tags(req.params.id)));
app.post('/counters', async (_req, res) => res.json(await counters()));
app.get('/online', async (_req, res) => res.json(await members()));
app.listen(3000);
`,
  });
  assert.deepEqual(redisEdges(model), [
    'entrypoint:GET /online -uses/sync readOnly-> src/ioredis.ts:4', // not names.filter (line 5)
    'entrypoint:GET /tags/:id -uses/sync readOnly-> src/cache.ts:12', // not raw.split (line 13)
    'entrypoint:POST /counters -uses/sync-> src/cache.ts:16', // not replies.map (line 17)
  ]);
});

test('redis: a project Redis class and another key-value package with get/set are not Redis (traps)', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'api', dependencies: { express: '^4.19.0', keyv: '^4.5.0', ioredis: '^5.4.0' } }),
    'src/local.ts': `export class Redis {
  private readonly data = new Map<string, string>();
  get(k: string) { return this.data.get(k); }
  set(k: string, v: string) { this.data.set(k, v); return 'OK'; }
}
export const memory = new Redis();
`,
    'src/kv.ts': `import Keyv from 'keyv';
export const kv = new Keyv('redis://cache:6379');
`,
    'src/server.ts': `import express from 'express';
import { memory } from './local';
import { kv } from './kv';
const app = express();
app.get('/memory/:k', (req, res) => res.json(memory.get(req.params.k) ?? memory.set(req.params.k, '1')));
app.get('/kv/:k', async (req, res) => res.json(await kv.get(req.params.k)));
app.listen(3000);
`,
  });
  assert.deepEqual(nodes(model), []);
  assert.deepEqual(redisEdges(model), []);
});
