import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import sharedRedis from './shared-redis.js';

const RULE = 'queue/shared-redis';
const rules = [sharedRedis];

const pkg = { 'package.json': JSON.stringify({ name: 'feeds', dependencies: { express: '^4.19.0', bullmq: '^5.0.0', ioredis: '^5.4.0' } }) };

const app = `import express from 'express';
import { feedCache } from './cache';
import { refreshQueue } from './queues';
const app = express();
app.get('/feeds/:id', async (req, res) => {
  const cached = await feedCache.read(req.params.id);
  if (!cached) await refreshQueue.add('refresh', { feedId: req.params.id });
  res.json(cached ?? { pending: true });
});
export default app;
`;

const compose = (policy: string) => `services:
  api:
    build: .
  redis:
    image: redis:7-alpine
    command: redis-server --maxmemory 256mb --maxmemory-policy ${policy}
`;

test(`${RULE}: fires when the queue and the cache use one ioredis client on an allkeys-lru instance`, async () => {
  const model = await scanModel({
    ...pkg,
    'docker-compose.yml': compose('allkeys-lru'),
    'src/redis.ts': `import Redis from 'ioredis';
export const redis = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379', { maxRetriesPerRequest: null });
`,
    'src/queues.ts': `import { Queue } from 'bullmq';
import { redis } from './redis';
export const refreshQueue = new Queue('feed-refresh', { connection: redis, defaultJobOptions: { attempts: 3 } });
`,
    'src/cache.ts': `import type Redis from 'ioredis';
import { redis } from './redis';
export class FeedCache {
  constructor(private readonly client: Redis) {}
  async read(id: string): Promise<unknown> {
    const raw = await this.client.get(\`feed:\${id}\`);
    return raw ? JSON.parse(raw) : null;
  }
}
export const feedCache = new FeedCache(redis);
`,
    'src/app.ts': app,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/redis.ts:2']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.match(f.title, /allkeys-lru/);
  assert.ok(f.locations.some((l) => l.file === 'src/queues.ts' && l.line === 3));
  assert.match(f.impact, /GET \/feeds\/:id/);
  assert.ok(f.locations.some((l) => l.file === 'docker-compose.yml' && l.line === 6));
});

test(`${RULE}: fires when both connect to the same host setting and no policy is visible`, async () => {
  const model = await scanModel({
    ...pkg,
    'src/queues.ts': `import { Queue } from 'bullmq';
export const refreshQueue = new Queue('feed-refresh', {
  connection: { host: process.env.REDIS_HOST, port: 6379 },
});
`,
    'src/cache.ts': `import Redis from 'ioredis';
const cacheClient = new Redis({ host: process.env.REDIS_HOST, port: 6379 });
export const feedCache = {
  async read(id: string): Promise<string | null> {
    return cacheClient.get(\`feed:\${id}\`);
  },
};
`,
    'src/app.ts': app,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/queues.ts:2']);
  assert.match(model.findings[0].impact, /no maxmemory-policy is visible/);
});

test(`${RULE}: silent on a noeviction instance (trap)`, async () => {
  const model = await scanModel({
    ...pkg,
    'docker-compose.yml': compose('noeviction'),
    'src/redis.ts': `import Redis from 'ioredis';
export const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
`,
    'src/queues.ts': `import { Queue } from 'bullmq';
import { redis } from './redis';
export const refreshQueue = new Queue('feed-refresh', { connection: redis });
`,
    'src/cache.ts': `import { redis } from './redis';
export const feedCache = { read: (id: string) => redis.get(\`feed:\${id}\`) };
`,
    'src/app.ts': app,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent with separate queue and cache instances, or with no cache use at all (traps)`, async () => {
  const separate = await scanModel({
    ...pkg,
    'docker-compose.yml': compose('allkeys-lru'),
    'src/redis.ts': `import Redis from 'ioredis';
export const queueRedis = new Redis(process.env.QUEUE_REDIS_URL!, { maxRetriesPerRequest: null });
export const cacheRedis = new Redis(process.env.CACHE_REDIS_URL!);
`,
    'src/queues.ts': `import { Queue } from 'bullmq';
import { queueRedis } from './redis';
export const refreshQueue = new Queue('feed-refresh', { connection: queueRedis });
`,
    'src/cache.ts': `import { cacheRedis } from './redis';
export const feedCache = { read: (id: string) => cacheRedis.get(\`feed:\${id}\`) };
`,
    'src/app.ts': app,
  }, { rules });
  assert.deepEqual(hits(separate, RULE), []);
  const queueOnly = await scanModel({
    ...pkg,
    'src/redis.ts': `import Redis from 'ioredis';
export const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
`,
    'src/queues.ts': `import { Queue } from 'bullmq';
import { redis } from './redis';
export const refreshQueue = new Queue('feed-refresh', { connection: redis });
export async function ready(): Promise<boolean> {
  return (await redis.ping()) === 'PONG';
}
`,
  }, { rules });
  assert.deepEqual(hits(queueOnly, RULE), []);
});
