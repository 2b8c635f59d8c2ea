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

test(`${RULE}: Python — Flask-Limiter configured from a config class or app.config is shared; app.config memory:// fires`, async () => {
  const flask = (config: string, factory: string) => ({
    'docker-compose.yml': `services:
  web:
    build: .
    command: gunicorn "app:create_app()" --bind 0.0.0.0:8000
    deploy:
      replicas: 2
`,
    'app/extensions.py': `from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=["200 per hour"])
`,
    'app/config.py': config,
    'app/__init__.py': `import os

from flask import Flask

from app.extensions import limiter


def create_app():
    app = Flask(__name__)
    app.config.from_object("app.config.ProductionConfig")
${factory}
    limiter.init_app(app)

    @app.post("/login")
    @limiter.limit("5 per minute")
    def login():
        return {"ok": True}

    return app
`,
  });
  const configClass = await scanModel(flask(`import os


class Config:
    SECRET_KEY = os.environ["SECRET_KEY"]


class ProductionConfig(Config):
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
`, ''), { rules });
  assert.deepEqual(hits(configClass, RULE), []);
  const factorySet = await scanModel(flask('class ProductionConfig:\n    DEBUG = False\n', '    app.config["RATELIMIT_STORAGE_URI"] = os.environ["RATELIMIT_REDIS_URL"]'), { rules });
  assert.deepEqual(hits(factorySet, RULE), []);
  const memory = await scanModel(flask('class ProductionConfig:\n    DEBUG = False\n', '    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")'), { rules });
  assert.deepEqual(hits(memory, RULE), ['app/extensions.py:4']);
  assert.match(memory.findings[0].impact, /sets RATELIMIT_STORAGE_URI to memory:\/\/ at app\/__init__\.py:11\)/);
  assert.match(memory.findings[0].impact, /about 400 across 2 instances/);
});

test(`${RULE}: Python — an env fallback to memory:// fires unless the deployment sets the variable; slowapi reads RATELIMIT_STORAGE_URL from the environment`, async () => {
  const envDefault = `import os
from slowapi import Limiter
from slowapi.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, storage_uri=os.getenv("RATE_LIMIT_STORAGE", "memory://"))
`;
  const unset = await scanModel(pyApp(envDefault), { rules });
  assert.deepEqual(hits(unset, RULE), ['app/limits.py:5']);
  const set = await scanModel({ ...pyApp(envDefault), 'docker-compose.yml': pyCompose(3).replace('    deploy:', '    environment:\n      RATE_LIMIT_STORAGE: redis://redis:6379/2\n    deploy:') }, { rules });
  assert.deepEqual(hits(set, RULE), []);
  const bare = `from slowapi import Limiter
from slowapi.util import get_remote_address

limiter = Limiter(key_func=get_remote_address)
`;
  const fromDotenv = await scanModel({ ...pyApp(bare), '.env': 'RATELIMIT_STORAGE_URL=redis://redis:6379/1\n' }, { rules });
  assert.deepEqual(hits(fromDotenv, RULE), []);
});

test(`${RULE}: Python — one replica running several gunicorn workers still splits the counters`, async () => {
  const files = (command: string) => ({
    ...pyApp(`from slowapi import Limiter
from slowapi.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=["60/minute"])
`),
    'docker-compose.yml': `services:
  api:
    build: .
    command: ${command}
    deploy:
      replicas: 1
`,
  });
  const workers = await scanModel(files('gunicorn app.main:app -k uvicorn.workers.UvicornWorker --workers 4 --bind 0.0.0.0:8000'), { rules });
  assert.deepEqual(hits(workers, RULE), ['app/limits.py:4']);
  assert.match(workers.findings[0].impact, /runtime:api runs one replica, but with 4 worker processes \(--workers 4\)/);
  assert.match(workers.findings[0].impact, /about 240 across 4 processes/);
  const one = await scanModel(files('uvicorn app.main:app --host 0.0.0.0 --port 8000'), { rules });
  assert.deepEqual(hits(one, RULE), []);
});

// ---- Python: fastapi-limiter ----

const limiterApp = (limits: string, routes: string) => ({
  'docker-compose.yml': pyCompose(2),
  'app/limits.py': limits,
  'app/main.py': routes,
});

test(`${RULE}: Python — fastapi-limiter 0.2 with a pyrate-limiter Limiter built from rates counts in process memory`, async () => {
  const model = await scanModel(limiterApp(`from pyrate_limiter import Duration, Limiter, Rate

login_limiter = Limiter(Rate(5, Duration.MINUTE))
`, `from fastapi import Depends, FastAPI
from fastapi_limiter.depends import RateLimiter
from pyrate_limiter import Duration, Limiter, Rate

from app.limits import login_limiter

app = FastAPI()


@app.post("/auth/login", dependencies=[Depends(RateLimiter(limiter=login_limiter))])
async def login():
    return {"ok": True}


@app.post("/auth/reset", dependencies=[Depends(RateLimiter(limiter=login_limiter))])
async def reset():
    return {"ok": True}


@app.get("/search", dependencies=[Depends(RateLimiter(limiter=Limiter([Rate(30, Duration.MINUTE), Rate(500, Duration.HOUR)])))])
async def search(q: str):
    return {"q": q}
`), { rules });
  assert.deepEqual(hits(model, RULE), ['app/limits.py:3', 'app/main.py:20']);
  const login = model.findings.find((f) => f.locations[0].file === 'app/limits.py')!;
  assert.match(login.impact, /InMemoryBucket/);
  assert.match(login.impact, /about 10 across 2 instances/);
  assert.match(login.recommendation, /RedisBucket\.init/);
});

test(`${RULE}: Python — fastapi-limiter with FastAPILimiter.init(redis), a RedisBucket, or pyrate-limiter throttling outbound calls is silent (traps)`, async () => {
  const legacy = await scanModel(limiterApp(`import os

import redis.asyncio as redis
from fastapi_limiter import FastAPILimiter


async def init_rate_limiter() -> None:
    connection = redis.from_url(os.environ["REDIS_URL"], encoding="utf-8", decode_responses=True)
    await FastAPILimiter.init(connection)
`, `from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi_limiter.depends import RateLimiter

from app.limits import init_rate_limiter


@asynccontextmanager
async def lifespan(app: FastAPI):
    await init_rate_limiter()
    yield


app = FastAPI(lifespan=lifespan)


@app.post("/auth/login", dependencies=[Depends(RateLimiter(times=5, minutes=1))])
async def login():
    return {"ok": True}
`), { rules });
  assert.deepEqual(hits(legacy, RULE), []);
  const redisBucket = await scanModel(limiterApp(`import os

from pyrate_limiter import Duration, Limiter, Rate, RedisBucket
from redis import Redis

bucket = RedisBucket.init([Rate(5, Duration.MINUTE)], Redis.from_url(os.environ["REDIS_URL"]), "login")
login_limiter = Limiter(bucket)
`, `from fastapi import Depends, FastAPI
from fastapi_limiter.depends import RateLimiter

from app.limits import login_limiter

app = FastAPI()


@app.post("/auth/login", dependencies=[Depends(RateLimiter(limiter=login_limiter))])
async def login():
    return {"ok": True}
`), { rules });
  assert.deepEqual(hits(redisBucket, RULE), []);
  const outbound = await scanModel(limiterApp(`import httpx
from pyrate_limiter import Duration, Limiter, Rate

github_limiter = Limiter(Rate(10, Duration.SECOND))


async def fetch_repo(name: str) -> dict:
    await github_limiter.try_acquire_async("github")
    async with httpx.AsyncClient(timeout=10) as client:
        return (await client.get(f"https://api.github.com/repos/{name}")).json()
`, `from fastapi import FastAPI

from app.limits import fetch_repo

app = FastAPI()


@app.get("/repos/{name}")
async def repo(name: str):
    return await fetch_repo(name)
`), { rules });
  assert.deepEqual(hits(outbound, RULE), []);
});
