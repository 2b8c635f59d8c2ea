// Project factories that fill a binding and return it (outline's createQueue, lazy singletons):
// the instance they make reaches the calls made on it; a returned response, parameter or
// reassigned binding does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model } from '../model/types.js';
import { scanModel, scanTree } from '../../test/helpers/fixture.js';

const scan = (files: Record<string, string>) => scanModel(files, { rules: [] });
const edges = (m: Model, prefix: string) => m.edges.filter((e) => e.to.startsWith(prefix) || e.from.startsWith(prefix)).map((e) => `${e.from} -${e.kind}-> ${e.to}`).sort();
const ids = (m: Model, kind: string) => m.nodes.filter((n) => n.kind === kind).map((n) => n.id).sort();

const CREATE_QUEUE = `import Queue from 'bull';
import Redis from 'ioredis';
export function createQueue(name: string, defaultJobOptions?: Partial<Queue.JobOptions>) {
  const prefix = \`queue.\${name}\`;
  const queue = new Queue(name, {
    createClient(type) {
      switch (type) {
        case 'bclient':
          return new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
        default:
          throw new Error(\`Unexpected connection type: \${String(type)}\`);
      }
    },
    defaultJobOptions: { removeOnComplete: true, ...defaultJobOptions },
  });
  queue.on('failed', () => console.warn(\`\${prefix}.jobs.failed\`));
  return queue;
}
`;
const PKG = JSON.stringify({ name: 'wiki', dependencies: { bull: '^4.16.0', express: '^4.19.0', ioredis: '^5.4.0', axios: '^1.7.0' } });

test('link: a factory returning the local it fills with `new Queue(name, ...)` gives that Bull queue, named by the caller’s literal: add enqueues, process is its worker (outline’s createQueue)', async () => {
  const m = await scan({
    'package.json': PKG,
    'server/utils/queue.ts': CREATE_QUEUE,
    'server/queues/index.ts': `import { createQueue } from '../utils/queue';
export const globalEventQueue = createQueue('globalEvents', { attempts: 5 });
`,
    'server/events/publish.ts': `import { globalEventQueue } from '../queues';
export async function publish(event: { name: string }) {
  await globalEventQueue.add(event);
}
`,
    'server/services/worker.ts': `import { globalEventQueue } from '../queues';
globalEventQueue.process(async (job) => {
  console.log(job.data.name);
});
`,
    'server/app.ts': `import express from 'express';
import { publish } from './events/publish';
const app = express();
app.post('/events', async (req, res) => {
  await publish(req.body);
  res.json({ ok: true });
});
app.listen(3000);
`,
  });
  assert.deepEqual(ids(m, 'queue'), ['queue:globalEvents']);
  assert.deepEqual(edges(m, 'queue:'), [
    'component:server -enqueues-> queue:globalEvents',
    'entrypoint:worker:globalEvents -consumes-> queue:globalEvents',
    'queue:globalEvents -uses-> cache:redis',
  ]);
  assert.deepEqual(m.edges.find((e) => e.kind === 'enqueues')?.entrypoints, ['entrypoint:POST /events']);
});

test('link: a lazy getter filling a module variable from the factory (`if (!cached) cached = createQueue(...); return cached`) is that queue in `getQueue().add(...)` and `getQueue().process(...)` (outline today)', async () => {
  const m = await scan({
    'package.json': PKG,
    'server/utils/queue.ts': CREATE_QUEUE,
    'server/queues/index.ts': `import { createQueue } from '../utils/queue';
let cachedTaskQueue: ReturnType<typeof createQueue> | undefined;
export const taskQueue = () => {
  if (!cachedTaskQueue) {
    cachedTaskQueue = createQueue('tasks', { attempts: 5 });
  }
  return cachedTaskQueue;
};
`,
    'server/tasks/schedule.ts': `import { taskQueue } from '../queues';
export function schedule(name: string) {
  return taskQueue().add({ name });
}
`,
    'server/services/worker.ts': `import { taskQueue } from '../queues';
taskQueue()
  .process(async (job) => console.log(job.data.name))
  .catch((err) => console.error(err));
`,
    'server/app.ts': `import express from 'express';
import { schedule } from './tasks/schedule';
const app = express();
app.post('/tasks/:name', async (req, res) => res.json(await schedule(req.params.name)));
app.listen(3000);
`,
  });
  assert.deepEqual(ids(m, 'queue'), ['queue:tasks']);
  assert.deepEqual(edges(m, 'queue:'), [
    'component:server -enqueues-> queue:tasks',
    'entrypoint:worker:tasks -consumes-> queue:tasks',
    'queue:tasks -uses-> cache:redis',
  ]);
  assert.deepEqual(m.edges.find((e) => e.kind === 'enqueues')?.entrypoints, ['entrypoint:POST /tasks/:name']);
});

test('link: a lazy singleton `if (!client) client = new Redis(url); return client` is that client, called on directly or through a local', async () => {
  const m = await scan({
    'package.json': PKG,
    'src/redis.ts': `import Redis from 'ioredis';
let client: Redis | undefined;
export function getRedis() {
  if (!client) {
    client = new Redis(process.env.REDIS_URL!);
    client.on('error', (err) => console.error(err));
  }
  return client;
}
export async function closeRedis() {
  await client?.quit();
  client = undefined;
}
`,
    'src/app.ts': `import express from 'express';
import { getRedis } from './redis';
const app = express();
app.get('/sessions/:id', async (req, res) => res.json(await getRedis().get(\`session:\${req.params.id}\`)));
app.put('/sessions/:id', async (req, res) => {
  const redis = getRedis();
  await redis.set(\`session:\${req.params.id}\`, JSON.stringify(req.body));
  res.status(204).end();
});
app.listen(3000);
`,
  });
  const uses = m.edges.filter((e) => e.to === 'cache:redis').flatMap((e) => e.entrypoints ?? []).sort();
  assert.deepEqual(uses, ['entrypoint:GET /sessions/:id', 'entrypoint:PUT /sessions/:id']);
});

test('link: a factory returning a response it holds in a local (`const res = await axios.get(...)`, `await got(url)`) gives no client: calls on what it returns are not HTTP calls (trap)', async () => {
  const { model, scan: { facts } } = await scanTree({
    'package.json': JSON.stringify({ name: 'repos', dependencies: { express: '^4.19.0', axios: '^1.7.0', got: '^11.8.0' } }),
    'src/github.ts': `import axios from 'axios';
import got from 'got';
export async function getRepo(name: string) {
  const res = await axios.get(\`https://api.github.com/repos/\${name}\`);
  return res;
}
export async function getPage(url: string) {
  const page = await got(url);
  return page;
}
`,
    'src/app.ts': `import express from 'express';
import { getPage, getRepo } from './github';
const app = express();
app.get('/repos/:name', async (req, res) => {
  const repo = await getRepo(req.params.name);
  res.json({ etag: repo.headers.get('etag'), stars: repo.data.stargazers_count });
});
app.get('/pages', async (req, res) => {
  const page = await getPage(String(req.query.url));
  res.json({ etag: page.headers.get('etag'), body: page.body });
});
app.listen(3000);
`,
  }, { rules: [] });
  const http = model.edges.filter((e) => e.to.startsWith('external:')).map((e) => `${e.from} -${e.kind}-> ${e.to} ${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`).sort();
  assert.deepEqual(http, ['entrypoint:GET /pages -calls-> external:unknown-host src/github.ts:8', 'entrypoint:GET /repos/:name -calls-> external:api.github.com src/github.ts:4']);
  // the axios response is not even recorded (an awaited member call); the got call is, marked awaited, and the linker refuses it: what an awaited package call gives is its result
  const fns = facts.get('src/github.ts')!.functions;
  assert.deepEqual(fns.find((f) => f.name === 'getRepo')?.returns, undefined);
  assert.deepEqual(fns.find((f) => f.name === 'getPage')?.returns, [{ call: 'got', args: [{ ref: 'url' }], awaited: true }]);
});

test('link: a returned parameter filled only when missing, and a returned local refilled from something else, give no queue (traps)', async () => {
  const m = await scan({
    'package.json': PKG,
    'src/queues.ts': `import Queue from 'bull';
import { registry } from './registry';
export function withFallback(queue?: Queue.Queue) {
  if (!queue) queue = new Queue('fallback');
  return queue;
}
export function pick(name: string) {
  let q = new Queue('staging');
  q = registry.lookup(name);
  return q;
}
export const mailQueue = withFallback(registry.lookup('mail'));
export const reportQueue = pick('reports');
`,
    'src/registry.ts': `export const registry = { lookup: (name: string): any => (globalThis as any).queues?.[name] };
`,
    'src/app.ts': `import express from 'express';
import { mailQueue, reportQueue } from './queues';
const app = express();
app.post('/mail', async (req, res) => res.json(await mailQueue.add(req.body)));
app.post('/reports', async (req, res) => res.json(await reportQueue.add(req.body)));
app.listen(3000);
`,
  });
  assert.deepEqual(ids(m, 'queue'), []);
  assert.deepEqual(edges(m, 'queue:'), []);
});

test('link: a factory returning the local a package factory fills (`const client = createClient({ url }); client.on(...); return client`) gives that client', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'sessions', dependencies: { express: '^4.19.0', redis: '^4.7.0' } }),
    'src/redis.ts': `import { createClient } from 'redis';
function getClient() {
  const client = createClient({ url: process.env.REDIS_URL });
  client.on('error', (err) => console.error('redis', err));
  return client;
}
export const redis = (globalThis as any).redis || getClient();
`,
    'src/app.ts': `import express from 'express';
import { redis } from './redis';
const app = express();
app.get('/sessions/:id', async (req, res) => res.json(await redis.hGetAll(\`session:\${req.params.id}\`)));
app.listen(3000);
`,
  });
  assert.deepEqual(model.edges.filter((e) => e.to === 'cache:redis').map((e) => `${e.from} -${e.kind}-> ${e.to}`), ['entrypoint:GET /sessions/:id -uses-> cache:redis']);
});
