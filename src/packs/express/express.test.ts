import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';
import type { Model } from '../../model/types.js';

const entrypoints = (m: Model) => m.nodes.filter((n) => n.kind === 'entrypoint').map((n) => n.id).sort();
const evidenceOf = (m: Model, id: string) => m.nodes.find((n) => n.id === id)?.evidence.map((e) => `${e.file}:${e.line}`);
const edgesFrom = (m: Model, from: string) => m.edges.filter((e) => e.from === from).map((e) => `${e.kind} ${e.to}`).sort();

const prismaModule = `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`;

test('express: routers built as a chain and exported as a chain are mounted with their prefix', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'conduit-api', dependencies: { express: '^4.18.0' } }),
    'src/db.ts': prismaModule,
    'src/tags/tags.controller.ts': `import { Router } from 'express';
import { prisma } from '../db';
const router = Router();
router.get('/tags', async (req, res) => {
  res.json(await prisma.tag.findMany());
});
export default router;
`,
    'src/users/users.controller.ts': `import express from 'express';
const router = express.Router();
router.post('/users/login', async (req, res) => res.json({ ok: true }));
router.route('/user').get((req, res) => res.json({})).put((req, res) => res.json({}));
export default router;
`,
    'src/routes.ts': `import { Router } from 'express';
import tags from './tags/tags.controller';
import users from './users/users.controller';
const api = Router()
  .use(tags)
  .use(users);
export default Router().use('/api', api);
`,
    'src/main.ts': `import express from 'express';
import routes from './routes';
const app = express();
app.use(express.json());
app.use(routes);
app.get('/', (req, res) => res.json({ status: 'up' }));
app.listen(3000);
`,
  });
  assert.deepEqual(entrypoints(model), [
    'entrypoint:GET /',
    'entrypoint:GET /api/tags',
    'entrypoint:GET /api/user',
    'entrypoint:POST /api/users/login',
    'entrypoint:PUT /api/user',
  ]);
  assert.deepEqual(evidenceOf(model, 'entrypoint:GET /api/tags'), ['src/tags/tags.controller.ts:4']);
  assert.ok(model.edges.some((e) => e.to === 'datastore:postgres' && e.from === 'component:tags'), 'the chained router handler reaches the datastore');
});

test('express: calls chained on other values are no routes (trap)', async () => {
  const model = await scanModel({
    'src/main.ts': `import express from 'express';
import axios from 'axios';
const app = express();
const cache = new Map<string, string>();
const billing = axios.create({ baseURL: 'https://billing.internal', timeout: 2000 });
app.get('/invoices/:id', async (req, res) => {
  const hit = cache.get('/invoices/' + req.params.id);
  const { data } = await billing.get('/invoices').then((r) => r);
  res.json(hit ?? data);
});
export function client() { return billing; }
client().get('/status');
app.listen(3000);
`,
  });
  assert.deepEqual(entrypoints(model), ['entrypoint:GET /invoices/:id']);
});

test('hono: chained apps, route() mounts, basePath, on() and middleware paths', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'signing-server', dependencies: { hono: '^4.6.0' } }),
    'server/files.ts': `import { Hono } from 'hono';
export const filesRoute = new Hono()
  .post('/upload', async (c) => c.json({ id: 'f_1' }))
  .get('/:fileId{[a-z0-9_]+}', async (c) => c.json({ id: c.req.param('fileId') }));
`,
    'server/auth.ts': `import { Hono } from 'hono';
export const auth = new Hono();
auth
  .get('/session', (c) => c.json({ user: null }))
  .post('/signout', (c) => c.json({ ok: true }));
auth.on(['GET', 'POST'], '/callback/:provider', (c) => c.redirect('/'));
`,
    'server/router.ts': `import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { filesRoute } from './files';
import { auth } from './auth';
const app = new Hono().basePath('/api');
app.use('/v1/*', cors());
app.route('/files', filesRoute);
app.route('/auth', auth);
app.get('/health', (c) => c.text('ok'));
export default app;
`,
  });
  assert.deepEqual(entrypoints(model), [
    'entrypoint:GET /api/auth/callback/:provider',
    'entrypoint:GET /api/auth/session',
    'entrypoint:GET /api/files/:fileId',
    'entrypoint:GET /api/health',
    'entrypoint:POST /api/auth/callback/:provider',
    'entrypoint:POST /api/auth/signout',
    'entrypoint:POST /api/files/upload',
  ]);
  // a chained route is reported where its handler starts, not where the chain starts
  assert.deepEqual(evidenceOf(model, 'entrypoint:GET /api/files/:fileId'), ['server/files.ts:4']);
});

test('hono: a long chain keeps every route', async () => {
  const verbs = Array.from({ length: 14 }, (_, i) => `  .get('/report-${i}', (c) => c.json({ n: ${i} }))`).join('\n');
  const model = await scanModel({
    'src/reports.ts': `import { Hono } from 'hono';
const reports = new Hono()
${verbs};
export default reports;
`,
  });
  assert.equal(entrypoints(model).length, 14);
  assert.ok(entrypoints(model).includes('entrypoint:GET /report-0'));
  assert.ok(entrypoints(model).includes('entrypoint:GET /report-13'));
});

test('fastify: plugins registered with a prefix, route() objects and handler options', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'orders-api', dependencies: { fastify: '^5.0.0' } }),
    'src/db.ts': prismaModule,
    'src/routes/orders.ts': `import type { FastifyInstance } from 'fastify';
import { prisma } from '../db';
export default async function orderRoutes(fastify: FastifyInstance) {
  fastify.get('/', async () => prisma.order.findMany());
  fastify.post('/:orderId/cancel', { preHandler: [fastify.authenticate] }, async (req) => ({ cancelled: true }));
  fastify.route({ method: ['GET', 'HEAD'], url: '/:orderId', handler: async (req) => prisma.order.findUnique({ where: { id: 1 } }) });
}
`,
    'src/routes/health.js': `module.exports = async function health(app) {
  app.get('/healthz', async () => ({ ok: true }));
};
`,
    'src/server.ts': `import Fastify from 'fastify';
import cors from '@fastify/cors';
import orderRoutes from './routes/orders';
const app = Fastify({ logger: true });
app.register(cors, { origin: false });
app.register(orderRoutes, { prefix: '/v1/orders' });
app.listen({ port: 8080 });
`,
  });
  assert.deepEqual(entrypoints(model), [
    'entrypoint:GET /v1/orders',
    'entrypoint:GET /v1/orders/:orderId',
    'entrypoint:HEAD /v1/orders/:orderId',
    'entrypoint:POST /v1/orders/:orderId/cancel',
  ]);
  assert.deepEqual(edgesFrom(model, 'component:routes').filter((e) => e.includes('datastore')), ['reads datastore:postgres']);
});

test('fastify: a function that is never registered is no plugin (trap)', async () => {
  const model = await scanModel({
    'src/routes.ts': `export async function seedFixtures(store: { get(path: string, v: unknown): void }) {
  store.get('/fixtures/users', { id: 1 });
}
`,
    'src/server.ts': `import Fastify from 'fastify';
const app = Fastify();
app.get('/ping', async () => 'pong');
app.listen({ port: 8080 });
`,
  });
  assert.deepEqual(entrypoints(model), ['entrypoint:GET /ping']);
});

test('koa-router: routers exported as their routes() middleware are mounted; del() is DELETE', async () => {
  const model = await scanModel({
    'src/routes/articles-router.ts': `import * as Router from 'koa-router';
import * as articles from '../controllers/articles-controller';
const router: Router = new Router();
router.get('/articles/:slug', articles.getOne);
router.del('/articles/:slug', articles.del);
export const articleRoutes: Router.IMiddleware = router.routes();
`,
    'src/controllers/articles-controller.ts': `export async function getOne(ctx: any) { ctx.body = { article: null }; }
export async function del(ctx: any) { ctx.status = 204; }
`,
    'src/routes/index.ts': `import * as Router from 'koa-router';
import { articleRoutes } from './articles-router';
export const router: Router = new Router();
const api: Router = new Router();
api.use(articleRoutes);
router.use('/api', api.routes());
`,
    'src/app.ts': `import * as Koa from 'koa';
import { router } from './routes';
const app = new Koa();
app.use(router.routes());
app.use(router.allowedMethods());
app.listen(3000);
`,
  });
  assert.deepEqual(entrypoints(model), ['entrypoint:DELETE /api/articles/:slug', 'entrypoint:GET /api/articles/:slug']);
});

test('koa-router: the prefix given to the router applies to its routes', async () => {
  const model = await scanModel({
    'src/users.router.ts': `import Router from '@koa/router';
const users = new Router({ prefix: '/users' });
users.get('/:id', async (ctx) => { ctx.body = { id: ctx.params.id }; });
users.del = users.delete;
export default users;
`,
    'src/app.ts': `import Koa from 'koa';
import users from './users.router';
const app = new Koa();
app.use(users.routes());
app.listen(3000);
`,
  });
  assert.deepEqual(entrypoints(model), ['entrypoint:GET /users/:id']);
});

test('koa: Koa apps mounted with koa-mount get the mount prefix; a local mount() helper is no mount (trap)', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'wiki', dependencies: { koa: '^2.15.0', 'koa-router': '^12.0.0', 'koa-mount': '^4.0.0' } }),
    'server/routes/api/documents.ts': `import Router from 'koa-router';
const router = new Router();
router.post('documents.info', async (ctx) => {
  ctx.body = { id: ctx.request.body.id };
});
export default router;
`,
    'server/routes/api/index.ts': `import Koa from 'koa';
import Router from 'koa-router';
import documents from './documents';
const api = new Koa();
const router = new Router();
router.use('/', documents.routes());
api.use(router.routes());
export default api;
`,
    'server/routes/index.ts': `import Koa from 'koa';
import Router from 'koa-router';
const koa = new Koa();
const router = new Router();
router.get('/robots.txt', (ctx) => {
  ctx.body = 'User-agent: *';
});
koa.use(router.routes());
export default koa;
`,
    'server/routes/admin.ts': `import Koa from 'koa';
import Router from 'koa-router';
const admin = new Koa();
const router = new Router();
router.get('/stats', (ctx) => {
  ctx.body = {};
});
admin.use(router.routes());
export default admin;
`,
    'server/services/web.ts': `import Koa from 'koa';
import mount from 'koa-mount';
import api from '../routes/api';
import routes from '../routes';
import admin from '../routes/admin';
function mountLater(path: string, app: Koa) {
  return async (_ctx: unknown, next: () => Promise<void>) => next();
}
export default function init(app: Koa = new Koa()) {
  app.use(mount('/api', api));
  app.use(mountLater('/admin', admin));
  app.use(mount(routes));
  return app;
}
`,
  });
  assert.deepEqual(entrypoints(model), ['entrypoint:GET /robots.txt', 'entrypoint:GET /stats', 'entrypoint:POST /api/documents.info']);
  assert.deepEqual(evidenceOf(model, 'entrypoint:POST /api/documents.info'), ['server/routes/api/documents.ts:3']);
});

test('fastify: @fastify/autoload loads the route folder, folder names prefix the routes', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'inventory-service', dependencies: { fastify: '^5.0.0', '@fastify/autoload': '^6.0.0' } }),
    'app.js': `const path = require('node:path');
const AutoLoad = require('@fastify/autoload');
module.exports = async function app(fastify, opts) {
  fastify.register(AutoLoad, { dir: path.join(__dirname, 'plugins'), options: Object.assign({}, opts) });
  fastify.register(AutoLoad, { dir: path.join(__dirname, 'routes'), options: { prefix: '/api' } });
};
`,
    'routes/root.js': `module.exports = async function (fastify, opts) {
  fastify.get('/', async () => ({ root: true }));
};
`,
    'routes/items/index.js': `module.exports = async function (fastify, opts) {
  fastify.get('/', async () => []);
  fastify.post('/:sku/reserve', async (request) => ({ sku: request.params.sku }));
};
`,
    'routes/items/helpers/format.js': `module.exports = async function (fastify) {
  fastify.get('/never-loaded', async () => null);
};
`,
    'plugins/sensible.js': `const fp = require('fastify-plugin');
module.exports = fp(async function (fastify) {
  fastify.get('/internal/ready', async () => ({ ready: true }));
});
`,
  });
  assert.deepEqual(entrypoints(model), [
    'entrypoint:GET /api',
    'entrypoint:GET /api/items',
    'entrypoint:GET /internal/ready',
    'entrypoint:POST /api/items/:sku/reserve',
  ]);
});

test('fastify: require("fastify")(), chained register() and a fastify-plugin wrapped module (no prefix)', async () => {
  const model = await scanModel({
    'lib/routes/tags.js': `async function tags(server, options) {
  server.route({ method: 'GET', path: '/api/tags', handler: async () => ({ tags: [] }) });
}
module.exports = tags;
`,
    'lib/routes/health.js': `const fp = require('fastify-plugin');
async function health(server) {
  server.get('/healthz', async () => ({ ok: true }));
}
module.exports = fp(health);
`,
    'index.js': `const tags = require('./lib/routes/tags');
const health = require('./lib/routes/health');
async function main() {
  const server = require('fastify')({ logger: true });
  server.register(tags, { prefix: '/v2' }).register(health, { prefix: '/v2' });
  await server.listen({ port: 5000 });
}
main();
`,
  });
  assert.deepEqual(entrypoints(model), ['entrypoint:GET /healthz', 'entrypoint:GET /v2/api/tags']);
});

test('koa-router: register(path, methods, handler) is one route per method; a Fastify register(plugin) beside it is not a route (trap)', async () => {
  const model = await scanModel({
    'src/cron.router.ts': `import Router from '@koa/router';
const router = new Router({ prefix: '/api' });
async function runCron(ctx: any) {
  ctx.body = { period: ctx.params.period };
}
router.register('/cron.:period', ['get', 'post'], runCron);
router.register('/utils.gc', ['post'], async (ctx: any) => {
  ctx.body = { ok: true };
});
export default router;
`,
    'src/app.ts': `import Koa from 'koa';
import cron from './cron.router';
const app = new Koa();
app.use(cron.routes());
app.listen(3000);
`,
    'src/metrics.ts': `import Fastify from 'fastify';
import cors from '@fastify/cors';
const metrics = Fastify();
metrics.register(cors, { origin: false });
metrics.get('/metrics', async () => 'ok');
export default metrics;
`,
  });
  assert.deepEqual(entrypoints(model), ['entrypoint:GET /api/cron.:period', 'entrypoint:GET /metrics', 'entrypoint:POST /api/cron.:period', 'entrypoint:POST /api/utils.gc']);
});

test('express: routers mounted in a forEach over a list of { path, route } objects get their paths; a list read from elsewhere is not guessed (trap)', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'boilerplate', dependencies: { express: '^4.18.0' } }),
    'src/routes/v1/auth.route.js': `const express = require('express');
const router = express.Router();
router.post('/login', (req, res) => res.send('ok'));
module.exports = router;
`,
    'src/routes/v1/user.route.js': `const express = require('express');
const router = express.Router();
router.route('/:userId').get((req, res) => res.send(req.params.userId)).delete((req, res) => res.status(204).end());
module.exports = router;
`,
    'src/routes/v1/admin.route.js': `const express = require('express');
const router = express.Router();
router.get('/stats', (req, res) => res.send('ok'));
module.exports = router;
`,
    'src/routes/v1/index.js': `const express = require('express');
const authRoute = require('./auth.route');
const userRoute = require('./user.route');
const adminRoute = require('./admin.route');
const { extraRoutes } = require('./extra');
const router = express.Router();
const defaultRoutes = [
  { path: '/auth', route: authRoute },
  { path: '/users', route: userRoute },
];
defaultRoutes.forEach((route) => {
  router.use(route.path, route.route);
});
extraRoutes.forEach((r) => router.use(r.path, adminRoute));
module.exports = router;
`,
    'src/routes/v1/extra.js': `module.exports.extraRoutes = [{ path: '/admin' }];
`,
    'src/app.js': `const express = require('express');
const routes = require('./routes/v1');
const app = express();
app.use('/v1', routes);
app.listen(3000);
`,
  });
  const eps = entrypoints(model);
  assert.deepEqual(eps.filter((id) => /\/v1\/(auth|users)\//.test(id)), ['entrypoint:DELETE /v1/users/:userId', 'entrypoint:GET /v1/users/:userId', 'entrypoint:POST /v1/auth/login']);
  // the list in another module is not unrolled: its paths are not read into the routes
  assert.ok(!eps.some((id) => id.includes('/admin')), eps.join(', '));
});

test('express/koa: a route function given the app or a router — by name, through require(), or as a rest parameter — declares its routes there, under each router it is given; a function given no router declares none (trap)', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'api', dependencies: { express: '^4', koa: '^2', 'koa-router': '^12' } }),
    'src/routes/users.js': `module.exports = (app) => {
  app.get('/users', (req, res) => res.send([]));
};
`,
    'src/routes/orders.js': `function orderRoutes(router) {
  router.post('/orders', (req, res) => res.status(201).end());
}
module.exports = { orderRoutes };
`,
    'src/routes/report.js': `function reportRoutes(router) {
  router.get('/report', (req, res) => res.send('ok'));
}
module.exports = { reportRoutes };
`,
    'src/app.js': `const express = require('express');
const { orderRoutes } = require('./routes/orders');
require('./routes/report');
const app = express();
require('./routes/users')(app);
const v1 = express.Router();
const v2 = express.Router();
orderRoutes(v1);
orderRoutes(v2);
app.use('/v1', v1);
app.use('/v2', v2);
app.listen(3000);
`,
    'src/routes/items.ts': `import type Router from 'koa-router';
export default function itemRoutes(...[router, prefix]: [Router, string]) {
  router.get('/items', (ctx) => { ctx.body = prefix; });
}
`,
    'src/koa.ts': `import Koa from 'koa';
import Router from 'koa-router';
import itemRoutes from './routes/items';
const koa = new Koa();
const r = new Router({ prefix: '/shop' });
itemRoutes(r, 'x');
koa.use(r.routes());
koa.listen(3001);
`,
  });
  assert.deepEqual(entrypoints(model), ['entrypoint:GET /shop/items', 'entrypoint:GET /users', 'entrypoint:POST /v1/orders', 'entrypoint:POST /v2/orders']);
});
