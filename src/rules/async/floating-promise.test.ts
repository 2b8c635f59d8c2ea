import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import floatingPromise from './floating-promise.js';

const RULE = 'async/floating-promise';
const rules = [floatingPromise];

const base = {
  'package.json': JSON.stringify({ name: 'orders-api', dependencies: { express: '^4.19.0', '@prisma/client': '^5.0.0', ioredis: '^5.4.0' } }),
  'docker-compose.yml': `services:
  api:
    build: .
    command: node dist/server.js
    deploy:
      replicas: 3
`,
  'src/db.ts': `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`,
  'src/redis.ts': `import Redis from 'ioredis';
export const redis = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379');
`,
};

test(`${RULE}: fires on an async call and a voided Redis write left floating, even inside try/catch`, async () => {
  const model = await scanModel({
    ...base,
    'src/audit.ts': `import { prisma } from './db';
export async function recordAudit(orderId: string, action: string): Promise<void> {
  await prisma.auditEntry.create({ data: { orderId, action } });
}
`,
    'src/orders.service.ts': `import { prisma } from './db';
import { redis } from './redis';
import { recordAudit } from './audit';

export async function placeOrder(customerId: string, total: number) {
  const order = await prisma.order.create({ data: { customerId, total } });
  try {
    recordAudit(order.id, 'placed');
  } catch (err) {
    console.error('audit failed', err);
  }
  void redis.set(\`order:last:\${customerId}\`, order.id, 'EX', 3600);
  return order;
}
`,
    'src/app.ts': `import express from 'express';
import { placeOrder } from './orders.service';
const app = express();
app.post('/orders', async (req, res) => {
  const order = await placeOrder(req.body.customerId, req.body.total);
  res.status(201).json(order);
});
app.get('/orders/health', (_req, res) => res.json({ ok: true }));
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/orders.service.ts:12', 'src/orders.service.ts:8']);
  const audit = model.findings.find((f) => f.rule === RULE && f.locations[0].line === 8)!;
  assert.match(audit.impact, /runtime:api goes down with all 2 of its entrypoints/);
  assert.match(audit.impact, /POST \/orders/);
  const voided = model.findings.find((f) => f.rule === RULE && f.locations[0].line === 12)!;
  assert.match(voided.impact, /`void`/);
  assert.match(voided.title, /\(void\)/);
});

test(`${RULE}: fires on an unstarted (lazy) Prisma query returned by a helper, and on .then without a rejection handler`, async () => {
  const model = await scanModel({
    ...base,
    'src/sessions.ts': `import { prisma } from './db';
export function touchSession(sessionId: string) {
  return prisma.session.update({ where: { id: sessionId }, data: { lastSeenAt: new Date() } });
}
`,
    'src/app.ts': `import express from 'express';
import { touchSession } from './sessions';
import { prisma } from './db';
const app = express();
app.get('/me', async (req, res) => {
  const sessionId = String(req.headers['x-session-id']);
  touchSession(sessionId);
  prisma.user.findUnique({ where: { id: String(req.query.id) } }).then((user) => console.log('seen', user?.id));
  res.json({ sessionId });
});
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/app.ts:7', 'src/app.ts:8']);
  const lazy = model.findings.find((f) => f.locations[0].line === 7)!;
  assert.match(lazy.impact, /Prisma queries are lazy/);
  const thenOnly = model.findings.find((f) => f.locations[0].line === 8)!;
  assert.match(thenOnly.impact, /terminates the process/);
});

test(`${RULE}: silent for caught fire-and-forget, .then(ok, onErr), Promise.allSettled, emitters and sync helpers (traps)`, async () => {
  const model = await scanModel({
    ...base,
    'src/notify.ts': `import { EventEmitter } from 'node:events';
import { redis } from './redis';
export const events = new EventEmitter();
export async function publishOrderPlaced(orderId: string): Promise<void> {
  await redis.publish('orders', orderId);
}
export function formatReceipt(orderId: string, total: number): string {
  return \`Order \${orderId}: \${total.toFixed(2)}\`;
}
`,
    'src/app.ts': `import express from 'express';
import { prisma } from './db';
import { redis } from './redis';
import { events, formatReceipt, publishOrderPlaced } from './notify';
const app = express();
app.post('/orders/:id/confirm', async (req, res) => {
  const id = req.params.id;
  publishOrderPlaced(id).catch((err) => console.error('publish failed', err));
  redis.incr('orders:confirmed').then(() => undefined, (err) => console.warn('counter failed', err));
  Promise.allSettled([publishOrderPlaced(id), redis.expire(\`order:\${id}\`, 60)]);
  events.emit('confirmed', id);
  formatReceipt(id, 10);
  [id].forEach((x) => console.log(x));
  const pending = prisma.order.update({ where: { id }, data: { status: 'CONFIRMED' } });
  res.json(await pending);
});
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent for functions that cannot reject and for module-level start-up code (traps)`, async () => {
  const model = await scanModel({
    ...base,
    'src/metrics.ts': `import { redis } from './redis';
export async function bumpCounter(name: string): Promise<void> {
  try {
    await redis.incr(\`metrics:\${name}\`);
  } catch (err) {
    console.warn('metrics unavailable', err);
  }
}
`,
    'src/app.ts': `import express from 'express';
import { bumpCounter } from './metrics';
import { prisma } from './db';
const app = express();
app.get('/products', async (_req, res) => {
  bumpCounter('products.list');
  res.json(await prisma.product.findMany({ take: 50 }));
});
async function bootstrap(): Promise<void> {
  await prisma.$connect();
  app.listen(3000);
}
bootstrap();
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: does not fire in browser code — a React component and a hook of a front-end package`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'notes', private: true, workspaces: ['apps/*'] }),
    'apps/api/package.json': JSON.stringify({ name: 'notes-api', dependencies: { express: '^4.19.0', '@prisma/client': '^5.0.0' } }),
    'apps/api/src/db.ts': `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`,
    'apps/api/src/server.ts': `import express from 'express';
import { prisma } from './db';
const app = express();
app.get('/notes', async (_req, res) => {
  res.json(await prisma.note.findMany({ take: 50 }));
});
app.listen(3000);
`,
    'apps/web/package.json': JSON.stringify({ name: 'notes-web', dependencies: { react: '^18.3.0', 'react-dom': '^18.3.0' } }),
    'apps/web/src/hooks/use-draft.ts': `export async function persistDraft(noteId: string, body: string): Promise<void> {
  const res = await fetch('/api/notes/' + noteId + '/draft', { method: 'PUT', body });
  if (!res.ok) throw new Error('draft not saved');
}

export function useDraftSync(noteId: string) {
  return (body: string) => {
    persistDraft(noteId, body);
  };
}
`,
    'apps/web/src/components/NoteEditor.tsx': `import { useEffect, useState } from 'react';
import { persistDraft } from '../hooks/use-draft';

export function NoteEditor({ noteId }: { noteId: string }) {
  const [body, setBody] = useState('');
  useEffect(() => {
    const handle = setTimeout(() => {
      void persistDraft(noteId, body);
    }, 800);
    return () => clearTimeout(handle);
  }, [noteId, body]);
  return <textarea value={body} onChange={(e) => setBody(e.target.value)} />;
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

// a Next.js app at the repository root: its route handlers are the backend, its hooks and tracker script run in browsers
const nextApp = {
  'package.json': JSON.stringify({ name: 'analytics', dependencies: { next: '^15.0.0', react: '^19.0.0', '@prisma/client': '^6.0.0' } }),
  'next.config.mjs': `export default { output: 'standalone' };
`,
  'src/lib/prisma.ts': `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`,
  'src/lib/audit.ts': `import { prisma } from './prisma';
export async function recordView(websiteId: string): Promise<void> {
  await prisma.view.create({ data: { websiteId } });
}
`,
  'src/app/api/websites/[id]/route.ts': `import { prisma } from '@/lib/prisma';
import { recordView } from '@/lib/audit';
export async function GET(_req: Request, { params }: { params: { id: string } }) {
  recordView(params.id);
  return Response.json(await prisma.website.findUnique({ where: { id: params.id } }));
}
`,
  'src/components/hooks/useConfig.ts': `import { useEffect, useState } from 'react';
async function loadConfig(setConfig: (c: unknown) => void): Promise<void> {
  const res = await fetch('https://cloud.analytics.example.com/config');
  setConfig(await res.json());
}
export function useConfig() {
  const [config, setConfig] = useState<unknown>(null);
  useEffect(() => {
    if (!config) loadConfig(setConfig);
  }, [config]);
  return config;
}
`,
  'src/tracker/index.js': `async function send(payload) {
  const res = await fetch('https://collect.analytics.example.com/api/send', { method: 'POST', body: JSON.stringify(payload), keepalive: true });
  return res.ok;
}
function track(name) {
  send({ name, url: location.href });
}
window.addEventListener('load', () => track('pageview'));
document.addEventListener('click', () => {
  fetch('https://collect.analytics.example.com/api/click', { method: 'POST' }).catch(() => {});
});
`,
  'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['src/*'] } } }),
};

test(`${RULE}: a Next.js app at the root — fires in its route handler, not in its hooks or browser tracker script`, async () => {
  const model = await scanModel(nextApp, { rules });
  assert.deepEqual(hits(model, RULE), ['src/app/api/websites/[id]/route.ts:4']);
});

test(`${RULE}: still fires in a back-end .tsx file reached by a route`, async () => {
  const model = await scanModel({
    ...base,
    'src/mail.tsx': `import { prisma } from './db';
export async function logDelivery(orderId: string): Promise<void> {
  await prisma.delivery.create({ data: { orderId } });
}
export function renderAndSend(orderId: string): string {
  logDelivery(orderId);
  return '<p>' + orderId + '</p>';
}
`,
    'src/server.ts': `import express from 'express';
import { renderAndSend } from './mail';
const app = express();
app.post('/orders/:id/receipt', (req, res) => {
  res.send(renderAndSend(req.params.id));
});
app.listen(3000);
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/mail.tsx:6']);
});

// ---- Python ----

const pyService = (route: string) => ({
  'app/jobs.py': `import httpx


async def analyze(user_id: int) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        await client.post("https://analytics.example.com/analyze", json={"user": user_id})


async def safe_analyze(user_id: int) -> None:
    try:
        await analyze(user_id)
    except Exception:
        pass
`,
  'app/main.py': `import asyncio
from fastapi import FastAPI, BackgroundTasks
from app.jobs import analyze, safe_analyze

app = FastAPI()
background = set()
${route}
`,
});

const redisAdapter = `import Redis from 'ioredis';
export class RedisAdapter extends Redis {
  constructor(url: string) {
    super(url);
    this.setMaxListeners(100);
    this.removeAllListeners('ready');
  }
}
`;
const sweeper = (main: string) => ({
  ...base,
  'src/redis-adapter.ts': redisAdapter,
  'src/sweeper.ts': `import { prisma } from './db';
export async function sweep(): Promise<void> {
  await prisma.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
}
`,
  'src/app.ts': `import express from 'express';
import { sweep } from './sweeper';
const app = express();
app.post('/sessions/sweep', (_req, res) => {
  void sweep();
  res.status(202).end();
});
export default app;
`,
  'src/main.ts': main,
});

test(`${RULE}: silent when the process installs an unhandledRejection handler that does not exit (trap)`, async () => {
  const model = await scanModel(sweeper(`import app from './app';
import { RedisAdapter } from './redis-adapter';
export function start() {
  new RedisAdapter(process.env.REDIS_URL!);
  app.listen(3000);
  process.on('unhandledRejection', (error: Error) => {
    console.error('Unhandled promise rejection', error);
  });
}
start();
`), { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: still fires when the unhandledRejection handler exits the process, but not on EventEmitter methods of a Redis client (trap)`, async () => {
  const model = await scanModel(sweeper(`import app from './app';
function onRejection(error: unknown) {
  console.error(error);
  process.exit(1);
}
export function start() {
  app.listen(3000);
  process.on('unhandledRejection', onRejection);
}
start();
`), { rules });
  assert.deepEqual(hits(model, RULE), ['src/app.ts:5']);
});

test(`${RULE}: Python — fires on asyncio.create_task(...) whose task is dropped`, async () => {
  const model = await scanModel(pyService(`

@app.post("/events")
async def create_event(user_id: int):
    asyncio.create_task(analyze(user_id))
    return {"ok": True}
`), { rules });
  assert.deepEqual(hits(model, RULE), ['app/main.py:11']);
  assert.match(model.findings[0].impact, /Task exception was never retrieved/);
});

test(`${RULE}: Python — fires on an async def called without await (it never runs)`, async () => {
  const model = await scanModel(pyService(`

@app.post("/events")
async def create_event(user_id: int):
    analyze(user_id)
    return {"ok": True}
`), { rules });
  assert.deepEqual(hits(model, RULE), ['app/main.py:11']);
  assert.match(model.findings[0].impact, /never runs/);
});

test(`${RULE}: Python — silent on a kept task, an awaited call, BackgroundTasks and gather`, async () => {
  const model = await scanModel(pyService(`

@app.post("/events")
async def create_event(user_id: int, tasks: BackgroundTasks):
    task = asyncio.create_task(analyze(user_id))
    background.add(task)
    task.add_done_callback(background.discard)
    await analyze(user_id)
    tasks.add_task(analyze, user_id)
    await asyncio.gather(analyze(1), analyze(2))
    return {"ok": True}
`), { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: Python — silent when the background coroutine handles its own errors`, async () => {
  const model = await scanModel(pyService(`

@app.post("/events")
async def create_event(user_id: int):
    asyncio.create_task(safe_analyze(user_id))
    return {"ok": True}
`), { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent on scripts under a static/ folder of a Django project — browser code, not a component or an external (trap)`, async () => {
  const m = await scanModel({
    'requirements.txt': 'django==5.0\n',
    'shop/settings.py': `ROOT_URLCONF = "shop.urls"\nINSTALLED_APPS = ["shop"]\n`,
    'shop/urls.py': `
from django.urls import path
from shop import views
urlpatterns = [path("signup/", views.signup)]
`,
    'shop/views.py': `
from django.http import HttpResponse
def signup(request):
    return HttpResponse("ok")
`,
    'static/js/signup.js': `
function submitForm() {
    fetch("/signup/").then(r => r.text()).then(t => { document.body.innerHTML = t; });
}
`,
    'shop/static/shop/js/poll.js': `
async function poll() { const r = await fetch("https://status.example.com/ping"); return r.json(); }
function start() { poll(); }
`,
  }, { rules });
  assert.deepEqual(hits(m, RULE), []);
  assert.ok(!m.nodes.some((n) => n.id === 'component:static' || n.kind === 'external'), m.nodes.map((n) => n.id).join(', '));
});

test(`${RULE}: names a callback of a chained call by its method (\`app.route(path).put(async ...)\`), not as "()"`, async () => {
  const model = await scanModel({
    ...base,
    'src/guards.ts': `import { prisma } from './db';
export async function assertOrderOpen(orderId: string): Promise<void> {
  const order = await prisma.order.findUniqueOrThrow({ where: { id: orderId } });
  if (order.status !== 'open') throw new Error('order is closed');
}
`,
    'src/app.ts': `import express from 'express';
import { prisma } from './db';
import { assertOrderOpen } from './guards';
const app = express();
app.route('/orders/:id').put(async (req, res) => {
  assertOrderOpen(req.params.id);
  res.json(await prisma.order.update({ where: { id: req.params.id }, data: req.body }));
});
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/app.ts:6']);
  assert.equal(model.findings.find((f) => f.rule === RULE)!.title, 'The callback passed to .put() (line 5) starts assertOrderOpen() without await or .catch');
});

test(`${RULE}: a floating Knex builder chain never runs (lazy); a floating Kysely execute() runs and may reject; an awaited chain is fine (trap)`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'visits', dependencies: { express: '^4.19.0', knex: '^3.1.0', pg: '^8.11.0', kysely: '^0.27.0' } }),
    'src/db.ts': `import knex from 'knex';
import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
export const db = knex({ client: 'pg', connection: process.env.DATABASE_URL, pool: { max: 5 } });
export const ky = new Kysely<any>({ dialect: new PostgresDialect({ pool: new Pool({ connectionString: process.env.DATABASE_URL, max: 5 }) }) });
`,
    'src/app.ts': `import express from 'express';
import { db, ky } from './db';
const app = express();
app.post('/visits', async (req, res) => {
  db('visits').insert({ path: req.body.path });
  res.sendStatus(202);
});
app.post('/clicks', async (req, res) => {
  ky.insertInto('clicks').values({ target: req.body.target }).execute();
  res.sendStatus(202);
});
app.post('/views', async (req, res) => {
  await db('views').insert({ path: req.body.path });
  res.sendStatus(201);
});
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/app.ts:5', 'src/app.ts:9']);
  const lazy = model.findings.find((f) => f.rule === RULE && f.locations[0].line === 5)!;
  assert.match(lazy.impact, /query builder, and builders are lazy: without await or \.then it is never sent, so the write silently never happens/);
  const eager = model.findings.find((f) => f.rule === RULE && f.locations[0].line === 9)!;
  assert.match(eager.impact, /rejects, nothing handles it/);
});

test(`${RULE}: a floating MongoDB driver call (eager) is a rejection risk, not a lazy query that never runs; a floating Prisma query is lazy`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'accounts', dependencies: { express: '^4.19.0', mongodb: '^6.8.0', '@prisma/client': '^5.0.0' } }),
    'src/db.ts': `import { MongoClient } from 'mongodb';
import { PrismaClient } from '@prisma/client';
export const mongo = new MongoClient(process.env.MONGO_URL!).db('accounts');
export const prisma = new PrismaClient();
`,
    'src/app.ts': `import express from 'express';
import { mongo, prisma } from './db';
const app = express();
app.post('/accounts', async (req, res) => {
  mongo.collection('accounts').createIndex({ email: 1 }, { unique: true });
  mongo.collection('audit').insertOne({ at: new Date() });
  prisma.signup.create({ data: { email: req.body.email } });
  res.sendStatus(201);
});
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/app.ts:5', 'src/app.ts:6', 'src/app.ts:7']);
  const impact = (line: number) => model.findings.find((f) => f.rule === RULE && f.locations[0].line === line)!.impact;
  assert.match(impact(5), /rejects, nothing handles it/);
  assert.match(impact(6), /rejects, nothing handles it/);
  assert.match(impact(7), /Prisma queries are lazy/);
});

test(`${RULE}: a floating Mongoose query (updateOne without exec or await) never runs; a floating create() may reject; an exec()'d query runs and may reject`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'visits', dependencies: { express: '^4.19.0', mongoose: '^8.6.0' } }),
    'src/models.ts': `import mongoose from 'mongoose';
export const Visit = mongoose.model('Visit', new mongoose.Schema({ path: String, count: Number }));
`,
    'src/app.ts': `import express from 'express';
import { Visit } from './models';
const app = express();
app.post('/visits', async (req, res) => {
  Visit.updateOne({ path: req.body.path }, { $inc: { count: 1 } });
  Visit.create({ path: req.body.path, count: 1 });
  Visit.deleteMany({ count: 0 }).exec();
  res.sendStatus(202);
});
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/app.ts:5', 'src/app.ts:6', 'src/app.ts:7']);
  const impact = (line: number) => model.findings.find((f) => f.rule === RULE && f.locations[0].line === line)!.impact;
  assert.match(impact(5), /never sent, so the write silently never happens/);
  assert.match(impact(6), /rejects, nothing handles it/);
  assert.match(impact(7), /rejects, nothing handles it/);
});

test(`${RULE}: a floating Drizzle builder (db.insert(t).values(v);) never runs; one ended by execute() runs and may reject`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'visits', dependencies: { express: '^4.19.0', 'drizzle-orm': '^0.33.0', pg: '^8.11.0' } }),
    'src/db.ts': `import { drizzle } from 'drizzle-orm/node-postgres';
import { pgTable, serial, text } from 'drizzle-orm/pg-core';
import { Pool } from 'pg';
export const visits = pgTable('visits', { id: serial('id').primaryKey(), path: text('path') });
export const db = drizzle(new Pool({ connectionString: process.env.DATABASE_URL, max: 5 }));
`,
    'src/app.ts': `import express from 'express';
import { db, visits } from './db';
const app = express();
app.post('/visits', async (req, res) => {
  db.insert(visits).values({ path: req.body.path });
  db.insert(visits).values({ path: '/all' }).execute();
  res.sendStatus(202);
});
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/app.ts:5', 'src/app.ts:6']);
  const impact = (line: number) => model.findings.find((f) => f.rule === RULE && f.locations[0].line === line)!.impact;
  assert.match(impact(5), /a Drizzle query builder, and builders are lazy/);
  assert.match(impact(6), /rejects, nothing handles it/);
});
