// Clients made in chains and filled in later: `createClient().on('error', log)`, a module
// `let producer` that connect() fills. The linker must see the instance behind both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../test/helpers/fixture.js';

const edgesTo = (m: Awaited<ReturnType<typeof scanModel>>, to: string) => m.edges.filter((e) => e.to === to).map((e) => `${e.from} -${e.kind}-> ${e.to} @${e.evidence[0]?.file}:${e.evidence[0]?.line}`).sort();

const server = (imports: string, routes: string) => `import express from 'express';
${imports}
const app = express();
${routes}
app.listen(3000);
`;

test('link: a client made with a listener chained on (`createClient().on(...)`, `.connect()`) is that client', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ dependencies: { express: '^4', redis: '^4', mongodb: '^6' } }),
    'src/cache.ts': `import { createClient } from 'redis';
export const cache = createClient({ url: process.env.REDIS_URL }).on('error', (err) => console.error('redis', err));
`,
    'src/sessions.ts': `import { createClient } from 'redis';
export const sessions = await createClient({ url: process.env.SESSION_REDIS_URL })
  .on('error', (err) => console.error(err))
  .connect();
`,
    'src/mongo.ts': `import { MongoClient } from 'mongodb';
export const client = await new MongoClient(process.env.MONGO_URL!).connect();
`,
    'src/server.ts': server(`import { cache } from './cache';
import { sessions } from './sessions';
import { client } from './mongo';`, `app.get('/cache/:key', async (req, res) => res.json(await cache.get(req.params.key)));
app.get('/session/:id', async (req, res) => res.json(await sessions.hGetAll(req.params.id)));
app.get('/events', async (_req, res) => res.json(await client.db('app').collection('events').find().toArray()));`),
  });
  assert.deepEqual(edgesTo(model, 'cache:redis'), [
    'entrypoint:GET /cache/:key -uses-> cache:redis @src/server.ts:6',
    'entrypoint:GET /session/:id -uses-> cache:redis @src/server.ts:7',
  ]);
  assert.deepEqual(edgesTo(model, 'datastore:mongodb').filter((e) => e.startsWith('entrypoint:')), ['entrypoint:GET /events -reads-> datastore:mongodb @src/server.ts:8']);
});

test('link: a module binding declared empty and filled once in connect() holds what connect() made', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ dependencies: { express: '^4', kafkajs: '^2' } }),
    'src/kafka.ts': `import { Kafka, Producer } from 'kafkajs';

let kafka: Kafka | undefined;
let producer: Producer;

function getClient() {
  const client = new Kafka({ clientId: 'api', brokers: (process.env.KAFKA_BROKERS ?? '').split(',') });
  return client;
}

export async function connect() {
  if (!kafka) {
    kafka = process.env.KAFKA_BROKERS && ((globalThis as any).kafka || getClient());
    if (kafka) {
      producer = kafka.producer();
      await producer.connect();
    }
  }
}

export async function sendEvent(topic: string, value: string) {
  await connect();
  await producer.send({ topic, messages: [{ value }] });
}

export async function disconnect() {
  await producer?.disconnect();
  kafka = undefined;
}
`,
    'src/server.ts': server(`import { sendEvent } from './kafka';`, `app.post('/events', async (req, res) => {
  await sendEvent('events', JSON.stringify(req.body));
  res.sendStatus(202);
});`),
  });
  assert.deepEqual(edgesTo(model, 'queue:kafka'), ['entrypoint:POST /events -publishes-> queue:kafka @src/kafka.ts:23']);
});

test('link: a module binding filled twice, or only by a function with its own binding of the name, stays unknown', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ dependencies: { express: '^4', ioredis: '^5' } }),
    'src/store.ts': `import Redis from 'ioredis';

let store: any;

export function useRedis() {
  store = new Redis(process.env.REDIS_URL!);
}

export function useMemory() {
  store = createMemoryStore();
}

function createMemoryStore() {
  const data = new Map<string, string>();
  return { get: (k: string) => data.get(k), set: (k: string, v: string) => data.set(k, v) };
}

export const read = (key: string) => store.get(key);
`,
    'src/counter.ts': `import Redis from 'ioredis';

let counter: any;

export function selfTest() {
  let counter: Redis;
  counter = new Redis();
  return counter;
}

export const bump = (key: string) => counter.incr(key);
`,
    'src/server.ts': server(`import { read } from './store';
import { bump } from './counter';`, `app.get('/items/:key', async (req, res) => res.json(await read(req.params.key)));
app.post('/hits/:key', async (req, res) => res.json(await bump(req.params.key)));`),
  });
  assert.deepEqual(edgesTo(model, 'cache:redis').filter((e) => e.startsWith('entrypoint:')), []);
  assert.deepEqual(model.nodes.filter((n) => n.kind === 'entrypoint').map((n) => n.id).sort(), ['entrypoint:GET /items/:key', 'entrypoint:POST /hits/:key']);
});

test('link: an AMQP channel a module binding gets in connect() is the channel; a response kept in one is no client (trap)', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ dependencies: { express: '^4', amqplib: '^0.10', axios: '^1' } }),
    'src/rabbit.ts': `import amqp, { Channel } from 'amqplib';

let channel: Channel | null = null;

export async function connect() {
  const connection = await amqp.connect(process.env.AMQP_URL!);
  channel = await connection.createChannel();
  await channel.assertQueue('emails', { durable: true });
}

export async function close() {
  await channel?.close();
  channel = null;
}

export const queueEmail = (to: string) => channel!.sendToQueue('emails', Buffer.from(JSON.stringify({ to })));
`,
    'src/flags.ts': `import axios from 'axios';

let flags: any;

export async function loadFlags() {
  flags = await axios.get('https://flags.example.com/v1/flags', { timeout: 2000 });
}

export const flagEtag = () => flags.headers.get('etag');
`,
    'src/server.ts': server(`import { queueEmail, connect } from './rabbit';
import { loadFlags, flagEtag } from './flags';`, `app.post('/invites', async (req, res) => {
  await queueEmail(req.body.email);
  res.sendStatus(202);
});
app.get('/flags/etag', (_req, res) => res.json(flagEtag()));
connect().then(loadFlags);`),
  });
  assert.deepEqual(edgesTo(model, 'queue:amqp-emails'), ['entrypoint:POST /invites -enqueues-> queue:amqp-emails @src/rabbit.ts:16']);
  assert.deepEqual(model.edges.filter((e) => e.from === 'entrypoint:GET /flags/etag' && e.kind !== 'runs_on').map((e) => `${e.kind} ${e.to}`), []);
});

test('link: `const { sendMessage } = kafka` takes the member of a project object (a default export of functions)', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ dependencies: { express: '^4', kafkajs: '^2' } }),
    'src/lib/kafka.ts': `import { Kafka } from 'kafkajs';
const producer = new Kafka({ brokers: [process.env.KAFKA_BROKER!] }).producer();
async function sendMessage(topic: string, message: object) {
  await producer.send({ topic, messages: [{ value: JSON.stringify(message) }] });
}
export default { enabled: !!process.env.KAFKA_BROKER, sendMessage };
`,
    'src/events.ts': `import kafka from './lib/kafka';
export async function saveEvent(name: string) {
  const { sendMessage } = kafka;
  await sendMessage('events', { name });
}
`,
    'src/server.ts': server(`import { saveEvent } from './events';`, `app.post('/events', async (req, res) => {
  await saveEvent(req.body.name);
  res.sendStatus(202);
});`),
  });
  assert.deepEqual([...new Set(model.edges.filter((e) => e.to === 'queue:kafka').flatMap((e) => e.entrypoints ?? [e.from]))], ['entrypoint:POST /events']);
});
