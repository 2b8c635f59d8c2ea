import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';
import type { Model } from '../../model/types.js';

const scan = (files: Record<string, string>) => scanModel(files, { rules: [] });
const entrypoints = (m: Model) => m.nodes.filter((n) => n.kind === 'entrypoint').map((n) => `${n.id} (${n.trigger})`).sort();
/** Dependency edges of one entrypoint, with the file:line each one is made at. */
const depsOf = (m: Model, ep: string) =>
  m.edges
    .filter((e) => e.from === ep && e.kind !== 'runs_on')
    .map((e) => `${e.kind}/${e.mode} ${e.to} ${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`)
    .sort();

const db = `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`;

const chat = `import { prisma } from './db';
export function onConnection(socket: any) {
  socket.on('message', async (text: string) => {
    await prisma.message.create({ data: { text } });
  });
}
export function trackTcpSocket(_s: unknown) {
  prisma.connectionLog.create({ data: {} });
}
`;

test('socket.io: one WS entrypoint at the configured path; io.use middleware runs before it and the connection handler is its handler', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'chat', dependencies: { express: '^4.19.0', 'socket.io': '^4.8.0', '@prisma/client': '^5.19.0' } }),
    'src/db.ts': db,
    'src/chat.ts': chat,
    'src/auth.ts': `import { prisma } from './db';
export async function requireUser(socket: any, next: (e?: Error) => void) {
  const user = await prisma.user.findUnique({ where: { token: socket.handshake.auth.token } });
  next(user ? undefined : new Error('unauthorized'));
}
`,
    'src/server.ts': `import http from 'node:http';
import express from 'express';
import { Server } from 'socket.io';
import { requireUser } from './auth';
import { onConnection } from './chat';
const app = express();
app.get('/health', (_req, res) => res.send('ok'));
const server = http.createServer(app);
const io = new Server(server, { path: '/rt', cors: { origin: 'https://chat.example.com' } });
io.use(requireUser);
io.on('connection', onConnection);
server.listen(3000);
`,
  });
  assert.deepEqual(entrypoints(model), ['entrypoint:GET /health (http)', 'entrypoint:WS /rt (websocket)']);
  const ws = model.nodes.find((n) => n.id === 'entrypoint:WS /rt')!;
  assert.deepEqual(ws.route, { method: 'WS', path: '/rt' });
  assert.deepEqual(ws.evidence, [{ file: 'src/server.ts', line: 9 }]);
  assert.deepEqual(depsOf(model, 'entrypoint:WS /rt'), [
    'reads/sync datastore:postgres src/auth.ts:3', // the io.use middleware
    'writes/sync datastore:postgres src/chat.ts:4', // the connection handler's message listener
  ]);
  assert.deepEqual(depsOf(model, 'entrypoint:GET /health'), []);
});

test('socket.io: Express app.use middleware and the HTTP server\'s own "connection" event are not the WS entrypoint\'s (traps)', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'chat', dependencies: { express: '^4.19.0', 'socket.io': '^4.8.0', '@prisma/client': '^5.19.0' } }),
    'src/db.ts': db,
    'src/chat.ts': chat,
    'src/audit.ts': `import { prisma } from './db';
export function audit(req: { path: string }, _res: unknown, next: () => void) {
  prisma.auditLog.create({ data: { path: req.path } });
  next();
}
`,
    'src/server.ts': `import http from 'node:http';
import express from 'express';
import { Server } from 'socket.io';
import { audit } from './audit';
import { onConnection, trackTcpSocket } from './chat';
const app = express();
app.use(audit);
app.get('/health', (_req, res) => res.send('ok'));
const server = http.createServer(app);
const io = new Server(server);
io.on('connection', onConnection);
server.on('connection', trackTcpSocket);
server.listen(3000);
`,
  });
  assert.deepEqual(entrypoints(model), ['entrypoint:GET /health (http)', 'entrypoint:WS /socket.io (websocket)']);
  // the WS entrypoint runs onConnection only: not audit (Express) nor trackTcpSocket (net.Server's TCP connection event)
  assert.deepEqual(depsOf(model, 'entrypoint:WS /socket.io'), ['writes/sync datastore:postgres src/chat.ts:4']);
  assert.deepEqual(depsOf(model, 'entrypoint:GET /health'), ['writes/fire_and_forget datastore:postgres src/audit.ts:3']);
});

test('socket.io: the Redis adapter, passed in the options of a server built in a function, makes the WS entrypoint use Redis', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'chat', dependencies: { 'socket.io': '^4.8.0', '@socket.io/redis-adapter': '^8.3.0', ioredis: '^5.4.0', '@prisma/client': '^5.19.0' } }),
    'src/db.ts': db,
    'src/chat.ts': chat,
    'src/realtime.ts': `import type http from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import { onConnection } from './chat';
export function attachRealtime(server: http.Server) {
  const pub = new Redis(process.env.REDIS_URL!);
  const io = new Server(server, { adapter: createAdapter(pub, pub.duplicate()) });
  io.on('connection', onConnection);
  return io;
}
`,
    'src/server.ts': `import http from 'node:http';
import { attachRealtime } from './realtime';
const server = http.createServer();
attachRealtime(server);
server.listen(3000);
`,
  });
  assert.deepEqual(entrypoints(model), ['entrypoint:WS /socket.io (websocket)']);
  assert.deepEqual(model.nodes.filter((n) => n.kind === 'cache').map((n) => `${n.id} ${n.tech}`), ['cache:redis redis']);
  assert.deepEqual(depsOf(model, 'entrypoint:WS /socket.io'), ['uses/sync cache:redis src/realtime.ts:8', 'writes/sync datastore:postgres src/chat.ts:4']);
});

test('socket.io: a project Server class and another package\'s Server with use/on("connection") are no WS entrypoint (traps)', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'tools', dependencies: { 'socket.io': '^4.8.0', '@modelcontextprotocol/sdk': '^1.0.0', '@prisma/client': '^5.19.0' } }),
    'src/db.ts': db,
    'src/chat.ts': chat,
    'src/lib/server.ts': `export class Server {
  private readonly handlers: ((s: unknown) => void)[] = [];
  constructor(readonly port: number, readonly opts: { path?: string } = {}) {}
  use(fn: (s: unknown) => void) { this.handlers.push(fn); return this; }
  on(_event: string, fn: (s: unknown) => void) { this.handlers.push(fn); return this; }
}
`,
    'src/local.ts': `import { Server } from './lib/server';
import { onConnection } from './chat';
const local = new Server(4000, { path: '/local' });
local.on('connection', onConnection);
`,
    'src/mcp.ts': `import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { onConnection } from './chat';
const mcp = new Server({ name: 'tools', version: '1.0.0' }, { capabilities: {} });
mcp.on('connection', onConnection);
`,
  });
  assert.deepEqual(entrypoints(model), []);
});

test('socket.io: a server assigned to a module-level `let io` inside a function keeps its io.use middleware and connection handler', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'chat', dependencies: { 'socket.io': '^4.8.0', '@prisma/client': '^5.19.0' } }),
    'src/db.ts': db,
    'src/chat.ts': chat,
    'src/auth.ts': `import { prisma } from './db';
export async function requireUser(socket: any, next: (e?: Error) => void) {
  next((await prisma.user.findUnique({ where: { token: socket.handshake.auth.token } })) ? undefined : new Error('unauthorized'));
}
`,
    'src/realtime.ts': `import type http from 'node:http';
import { Server } from 'socket.io';
import { requireUser } from './auth';
import { onConnection } from './chat';
let io: Server | undefined;
export function initSocketServer(server: http.Server) {
  io = new Server(server, { path: '/live' });
  io.use(requireUser);
  io.on('connection', onConnection);
  return io;
}
`,
    'src/server.ts': `import http from 'node:http';
import { initSocketServer } from './realtime';
const server = http.createServer();
initSocketServer(server);
server.listen(3000);
`,
  });
  assert.deepEqual(entrypoints(model), ['entrypoint:WS /live (websocket)']);
  assert.deepEqual(depsOf(model, 'entrypoint:WS /live'), ['reads/sync datastore:postgres src/auth.ts:3', 'writes/sync datastore:postgres src/chat.ts:4']);
});

test('socket.io: with a Redis adapter set up at module level, a broadcast (io.emit, io.to(room).emit) publishes through Redis — lost for the other nodes when Redis is down; without an adapter it is local (trap)', async () => {
  const server = (adapter: boolean) => `import express from 'express';
import { createServer } from 'node:http';
import { Server } from 'socket.io';
${adapter ? "import { createAdapter } from '@socket.io/redis-adapter';\nimport { createClient } from 'redis';\n" : ''}
const app = express();
const httpServer = createServer(app);
const io = new Server(httpServer);
${adapter ? 'const pubClient = createClient({ url: process.env.REDIS_URL });\nconst subClient = pubClient.duplicate();\nio.adapter(createAdapter(pubClient, subClient));\n' : ''}
io.on('connection', (socket) => {
  socket.on('join', (room: string) => {
    socket.join(room);
    io.to(room).emit('joined', socket.id);
  });
  socket.emit('hello');
});
app.get('/announce', (req, res) => {
  io.emit('announcement', String(req.query.text));
  res.sendStatus(204);
});
httpServer.listen(3000);
`;
  const deps = { express: '^4.19.0', 'socket.io': '^4.8.0', '@socket.io/redis-adapter': '^8.3.0', redis: '^4.7.0' };
  const model = await scan({ 'package.json': JSON.stringify({ name: 'chat', dependencies: deps }), 'src/server.ts': server(true) });
  assert.deepEqual(depsOf(model, 'entrypoint:WS /socket.io'), ['uses/fire_and_forget cache:redis src/server.ts:17']);
  assert.deepEqual(depsOf(model, 'entrypoint:GET /announce'), ['uses/fire_and_forget cache:redis src/server.ts:22']);
  const outage = model.scenarios.find((s) => s.failed === 'cache:redis' && s.mode === 'outage')!;
  assert.deepEqual(outage.entrypoints.down, []);
  assert.deepEqual(outage.lostSideEffects?.map((l) => `${l.from} ${l.evidence[0].line}`).sort(), ['entrypoint:GET /announce 22', 'entrypoint:WS /socket.io 17']);
  const local = await scan({ 'package.json': JSON.stringify({ name: 'chat', dependencies: { express: '^4.19.0', 'socket.io': '^4.8.0' } }), 'src/server.ts': server(false) });
  assert.deepEqual(local.nodes.filter((n) => n.kind === 'cache').map((n) => n.id), []);
});
