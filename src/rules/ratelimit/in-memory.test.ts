import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import inMemory from './in-memory.js';

const RULE = 'ratelimit/in-memory';
const rules = [inMemory];

const pkg = { 'package.json': JSON.stringify({ name: 'accounts-api', dependencies: { express: '^4.19.0', 'express-rate-limit': '^7.4.0', 'rate-limiter-flexible': '^5.0.0', ioredis: '^5.4.0' } }) };
const compose = (replicas?: number) => `services:
  api:
    build: .
    command: node dist/server.js
${replicas ? `    deploy:\n      replicas: ${replicas}\n` : ''}`;

const app = (limiterImport: string) => `import express from 'express';
${limiterImport}
const app = express();
app.use('/auth', loginLimiter);
app.post('/auth/login', (req, res) => res.json({ ok: true, user: req.body.email }));
app.get('/accounts/me', (_req, res) => res.json({ id: 'me' }));
export default app;
`;

test(`${RULE}: fires on express-rate-limit with the default store behind 2 replicas`, async () => {
  const model = await scanModel({
    ...pkg,
    'docker-compose.yml': compose(2),
    'src/limits.ts': `import { rateLimit } from 'express-rate-limit';
export const loginLimiter = rateLimit({ windowMs: 60_000, limit: 10, standardHeaders: 'draft-7', legacyHeaders: false });
`,
    'src/app.ts': app("import { loginLimiter } from './limits';"),
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/limits.ts:2']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.match(f.impact, /runtime:api runs 2 replicas/);
  assert.match(f.impact, /about 20 across 2 instances/);
  assert.match(f.impact, /POST \/auth\/login/);
});

test(`${RULE}: fires on RateLimiterMemory in a Lambda, and says "may" when the instance count is unknown`, async () => {
  const lambda = await scanModel({
    ...pkg,
    'serverless.yml': `service: accounts
provider:
  name: aws
functions:
  api:
    handler: dist/lambda.handler
    events:
      - httpApi: "ANY /{proxy+}"
`,
    'src/limits.ts': `import { RateLimiterMemory } from 'rate-limiter-flexible';
const limiter = new RateLimiterMemory({ points: 5, duration: 60 });
export async function loginLimiter(req: any, res: any, next: any) {
  try {
    await limiter.consume(req.ip);
    next();
  } catch {
    res.status(429).json({ error: 'too many attempts' });
  }
}
`,
    'src/app.ts': app("import { loginLimiter } from './limits';"),
  }, { rules });
  assert.deepEqual(hits(lambda, RULE), ['src/limits.ts:2']);
  assert.match(lambda.findings[0].impact, /AWS Lambda/);
  const unknown = await scanModel({
    ...pkg,
    'src/limits.ts': `import rateLimit from 'express-rate-limit';
export const loginLimiter = rateLimit({ windowMs: 15 * 60_000, max: 100 });
`,
    'src/app.ts': app("import { loginLimiter } from './limits';"),
  }, { rules });
  assert.deepEqual(hits(unknown, RULE), ['src/limits.ts:2']);
  assert.match(unknown.findings[0].title, /may run several instances/);
});

test(`${RULE}: silent with a Redis store, or an in-memory insurance limiter behind a Redis limiter (traps)`, async () => {
  const model = await scanModel({
    ...pkg,
    'docker-compose.yml': compose(3),
    'src/limits.ts': `import { rateLimit } from 'express-rate-limit';
import { RedisStore } from 'rate-limit-redis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import Redis from 'ioredis';
const redis = new Redis(process.env.REDIS_URL!);
export const loginLimiter = rateLimit({
  windowMs: 60_000,
  limit: 10,
  store: new RedisStore({ sendCommand: (...args: string[]) => redis.call(args[0], ...args.slice(1)) as any }),
});
export const apiLimiter = new RateLimiterRedis({
  storeClient: redis,
  points: 100,
  duration: 60,
  insuranceLimiter: new RateLimiterMemory({ points: 50, duration: 60 }),
});
`,
    'src/app.ts': app("import { loginLimiter } from './limits';"),
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent when the API is declared to run one replica (trap)`, async () => {
  const model = await scanModel({
    ...pkg,
    'docker-compose.yml': compose(),
    'src/limits.ts': `import { rateLimit } from 'express-rate-limit';
export const loginLimiter = rateLimit({ windowMs: 60_000, limit: 10 });
`,
    'src/app.ts': app("import { loginLimiter } from './limits';"),
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: fires on @nestjs/throttler without storage in a Lambda, silent with a Redis storage`, async () => {
  const files = (storage: string) => ({
    'package.json': JSON.stringify({ name: 'portal-api', dependencies: { '@nestjs/common': '^10.0.0', '@nestjs/core': '^10.0.0', '@nestjs/throttler': '^6.0.0' } }),
    'serverless.yml': `service: portal
provider:
  name: aws
functions:
  api:
    handler: dist/main.handler
    events:
      - httpApi: "ANY /{proxy+}"
`,
    'src/app.module.ts': `import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { OrdersController } from './orders.controller';
@Module({
  imports: [ThrottlerModule.forRoot({ throttlers: [{ ttl: 60_000, limit: 30 }]${storage} })],
  controllers: [OrdersController],
})
export class AppModule {}
`,
    'src/orders.controller.ts': `import { Controller, Get } from '@nestjs/common';
@Controller('orders')
export class OrdersController {
  @Get()
  list() {
    return [];
  }
}
`,
  });
  const memory = await scanModel(files(''), { rules });
  assert.deepEqual(hits(memory, RULE), ['src/app.module.ts:5']);
  assert.match(memory.findings[0].impact, /GET \/orders/);
  const redis = await scanModel(files(', storage: new ThrottlerStorageRedisService(process.env.REDIS_URL)'), { rules });
  assert.deepEqual(hits(redis, RULE), []);
});

// ---- Python: slowapi / Flask-Limiter ----

const pyCompose = (replicas: number) => `services:
  api:
    build: .
    command: uvicorn app.main:app --host 0.0.0.0
    deploy:
      replicas: ${replicas}
`;
const pyApp = (limiter: string) => ({
  'docker-compose.yml': pyCompose(3),
  'app/limits.py': limiter,
  'app/main.py': `from fastapi import FastAPI, Request
from app.limits import limiter

app = FastAPI()
app.state.limiter = limiter


@app.post("/auth/login")
@limiter.limit("10/minute")
def login(request: Request):
    return {"ok": True}
`,
});

test(`${RULE}: Python — fires on a slowapi Limiter without storage_uri behind 3 replicas`, async () => {
  const model = await scanModel(pyApp(`from slowapi import Limiter
from slowapi.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=["100/minute"])
`), { rules });
  assert.deepEqual(hits(model, RULE), ['app/limits.py:4']);
  assert.match(model.findings[0].impact, /about 300 across 3 instances/);
});

test(`${RULE}: Python — fires on storage_uri="memory://" (Flask-Limiter)`, async () => {
  const model = await scanModel({
    'docker-compose.yml': pyCompose(2),
    'app.py': `from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

app = Flask(__name__)
limiter = Limiter(get_remote_address, app=app, storage_uri="memory://")


@app.post("/login")
@limiter.limit("5 per minute")
def login():
    return "ok"
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['app.py:6']);
});

test(`${RULE}: Python — silent with a Redis storage_uri (literal or from settings)`, async () => {
  const literal = await scanModel(pyApp(`from slowapi import Limiter
from slowapi.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, storage_uri="redis://redis:6379/1")
`), { rules });
  assert.deepEqual(hits(literal, RULE), []);
  const settings = await scanModel(pyApp(`import os
from slowapi import Limiter
from slowapi.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, storage_uri=os.environ["RATE_LIMIT_REDIS_URL"])
`), { rules });
  assert.deepEqual(hits(settings, RULE), []);
});

test(`${RULE}: Python — silent when the API runs one replica`, async () => {
  const model = await scanModel({ ...pyApp(`from slowapi import Limiter
from slowapi.util import get_remote_address

limiter = Limiter(key_func=get_remote_address)
`), 'docker-compose.yml': pyCompose(1) }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});
