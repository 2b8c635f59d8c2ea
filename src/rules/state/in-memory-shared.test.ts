import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import inMemoryShared from './in-memory-shared.js';

const RULE = 'state/in-memory-shared';
const rules = [inMemoryShared];

const pkg = { 'package.json': JSON.stringify({ name: 'clinic-api', dependencies: { express: '^4.19.0', 'express-session': '^1.18.0', 'socket.io': '^4.8.0', '@prisma/client': '^5.0.0' } }) };
const compose = (replicas?: number) => `services:
  api:
    build: .
    command: node dist/server.js
${replicas ? `    deploy:\n      replicas: ${replicas}\n` : ''}`;

test(`${RULE}: fires on MemoryStore sessions, an OTP Map written by routes, and Socket.IO without an adapter (3 replicas)`, async () => {
  const model = await scanModel({
    ...pkg,
    'docker-compose.yml': compose(3),
    'src/otp.ts': `import { randomInt } from 'node:crypto';
const verificationCodes = new Map<string, { code: string; expiresAt: number }>();
export function issueCode(phone: string): string {
  const code = String(randomInt(100000, 999999));
  verificationCodes.set(phone, { code, expiresAt: Date.now() + 5 * 60_000 });
  return code;
}
export function checkCode(phone: string, code: string): boolean {
  const entry = verificationCodes.get(phone);
  return !!entry && entry.code === code && entry.expiresAt > Date.now();
}
`,
    'src/app.ts': `import express from 'express';
import session from 'express-session';
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { checkCode, issueCode } from './otp';
const app = express();
app.use(session({ secret: process.env.SESSION_SECRET!, resave: false, saveUninitialized: false }));
app.post('/otp', (req, res) => res.json({ sent: !!issueCode(req.body.phone) }));
app.post('/otp/verify', (req, res) => res.json({ ok: checkCode(req.body.phone, req.body.code) }));
export const httpServer = createServer(app);
export const io = new Server(httpServer, { cors: { origin: ['https://clinic.example.com'] } });
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/app.ts:11', 'src/app.ts:7', 'src/otp.ts:2']);
  const otp = model.findings.find((f) => f.locations[0].file === 'src/otp.ts')!;
  assert.match(otp.impact, /POST \/otp/);
  assert.match(otp.impact, /runtime:api runs 3 replicas/);
  assert.deepEqual(otp.locations.map((l) => l.line), [2, 5]);
});

test(`${RULE}: fires on a singleton service cache invalidated by a route when replicas are unknown`, async () => {
  const model = await scanModel({
    ...pkg,
    'src/pricing.ts': `import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
export class PricingService {
  private readonly priceCache = new Map<string, number>();
  async price(sku: string): Promise<number> {
    const hit = this.priceCache.get(sku);
    if (hit !== undefined) return hit;
    const row = await prisma.price.findUnique({ where: { sku } });
    this.priceCache.set(sku, row?.amount ?? 0);
    return row?.amount ?? 0;
  }
  async update(sku: string, amount: number): Promise<void> {
    await prisma.price.update({ where: { sku }, data: { amount } });
    this.priceCache.delete(sku);
  }
}
export const pricing = new PricingService();
`,
    'src/app.ts': `import express from 'express';
import { pricing } from './pricing';
const app = express();
app.get('/prices/:sku', async (req, res) => res.json({ amount: await pricing.price(req.params.sku) }));
app.put('/prices/:sku', async (req, res) => {
  await pricing.update(req.params.sku, req.body.amount);
  res.status(204).end();
});
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/pricing.ts:4']);
  assert.match(model.findings[0].title, /may run several instances/);
  assert.match(model.findings[0].impact, /PUT \/prices\/:sku/);
});

test(`${RULE}: silent for a Redis-backed session, Socket.IO with an adapter, read-only lookup maps and per-process caches (traps)`, async () => {
  const model = await scanModel({
    ...pkg,
    'docker-compose.yml': compose(3),
    'src/app.ts': `import express from 'express';
import session from 'express-session';
import RedisStore from 'connect-redis';
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
const redis = new Redis(process.env.REDIS_URL!);
const COUNTRY_NAMES = new Map([['de', 'Germany'], ['fr', 'France']]);
const templateCache = new Map<string, string>();
const inflightLookups = new Map<string, Promise<string>>();
function renderTemplate(name: string): string {
  const hit = templateCache.get(name);
  if (hit) return hit;
  const html = \`<h1>\${name}</h1>\`;
  templateCache.set(name, html);
  return html;
}
const app = express();
app.use(session({ store: new RedisStore({ client: redis }), secret: process.env.SESSION_SECRET!, resave: false, saveUninitialized: false }));
app.get('/countries/:code', (req, res) => res.json({ name: COUNTRY_NAMES.get(req.params.code) }));
app.get('/pages/:name', (req, res) => {
  inflightLookups.delete(req.params.name);
  res.send(renderTemplate(req.params.name));
});
export const httpServer = createServer(app);
export const io = new Server(httpServer, { adapter: createAdapter(redis.duplicate(), redis.duplicate()) });
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent on a single declared replica, and Socket.IO is silent when the instance count is unknown (traps)`, async () => {
  const files = {
    ...pkg,
    'src/app.ts': `import express from 'express';
import session from 'express-session';
import { createServer } from 'node:http';
import { Server } from 'socket.io';
const app = express();
app.use(session({ secret: process.env.SESSION_SECRET!, resave: false, saveUninitialized: false }));
app.get('/me', (req, res) => res.json({ id: (req as any).session.id }));
export const httpServer = createServer(app);
export const io = new Server(httpServer);
export default app;
`,
  };
  const single = await scanModel({ ...files, 'docker-compose.yml': compose() }, { rules });
  assert.deepEqual(hits(single, RULE), []);
  const unknown = await scanModel(files, { rules });
  assert.deepEqual(hits(unknown, RULE), ['src/app.ts:6']);
});

// ---- Python ----

const pyCompose = (replicas: number) => `services:
  api:
    build: .
    command: uvicorn app.main:app
    deploy:
      replicas: ${replicas}
`;
const wsApp = (manager: string) => ({
  'docker-compose.yml': pyCompose(2),
  'app/ws.py': manager,
  'app/main.py': `from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from app.ws import manager

app = FastAPI()


@app.websocket("/ws/{room}")
async def room_socket(websocket: WebSocket, room: str):
    await manager.connect(room, websocket)
    try:
        while True:
            await websocket.receive_text()
    except WebSocketDisconnect:
        manager.disconnect(room, websocket)


@app.post("/rooms/{room}/messages")
async def post_message(room: str, body: dict):
    await manager.broadcast(room, body)
    return {"ok": True}
`,
});

test(`${RULE}: Python — fires on a ConnectionManager singleton whose dict of sockets is written by the WebSocket route`, async () => {
  const model = await scanModel(wsApp(`from fastapi import WebSocket


class ConnectionManager:
    def __init__(self) -> None:
        self.rooms: dict[str, list[WebSocket]] = {}

    async def connect(self, room: str, websocket: WebSocket) -> None:
        await websocket.accept()
        self.rooms.setdefault(room, []).append(websocket)

    def disconnect(self, room: str, websocket: WebSocket) -> None:
        self.rooms[room].remove(websocket)

    async def broadcast(self, room: str, message: dict) -> None:
        for ws in self.rooms.get(room, []):
            await ws.send_json(message)


manager = ConnectionManager()
`), { rules });
  assert.deepEqual(hits(model, RULE), ['app/ws.py:6']);
  assert.match(model.findings[0].title, /ConnectionManager\.rooms is kept in process memory/);
});

test(`${RULE}: Python — fires on a module-level dict of sessions written on a request path (d[k] = v)`, async () => {
  const model = await scanModel({
    'docker-compose.yml': pyCompose(3),
    'app/main.py': `import secrets
from fastapi import FastAPI

app = FastAPI()
sessions = {}


@app.post("/login")
def login(user: str):
    token = secrets.token_urlsafe(16)
    sessions[token] = user
    return {"token": token}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['app/main.py:5']);
});

test(`${RULE}: Python — silent with one replica`, async () => {
  const model = await scanModel({ ...wsApp(`class ConnectionManager:
    def __init__(self):
        self.rooms = {}

    async def connect(self, room, websocket):
        self.rooms.setdefault(room, []).append(websocket)

    def disconnect(self, room, websocket):
        self.rooms[room].remove(websocket)

    async def broadcast(self, room, message):
        pass


manager = ConnectionManager()
`), 'docker-compose.yml': pyCompose(1) }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: Python — silent on read-only lookup tables and constants`, async () => {
  const model = await scanModel({
    'docker-compose.yml': pyCompose(3),
    'app/main.py': `from fastapi import FastAPI

app = FastAPI()
COUNTRY_NAMES = {}
plans = {"free": 0, "pro": 20}


@app.get("/plans/{name}")
def plan(name: str):
    return {"price": plans.get(name)}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});
