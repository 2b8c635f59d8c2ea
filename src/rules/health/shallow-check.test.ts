import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import shallowCheck from './shallow-check.js';

const RULE = 'health/shallow-check';
const rules = [shallowCheck];

const express = {
  'package.json': JSON.stringify({ name: 'tickets-api', dependencies: { express: '^4.19.0', '@prisma/client': '^5.0.0', ioredis: '^5.4.0' } }),
  'src/db.ts': `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`,
  'src/redis.ts': `import Redis from 'ioredis';
export const redis = new Redis(process.env.REDIS_URL!);
`,
};

test(`${RULE}: fires on a constant /health route when the other routes use the database`, async () => {
  const model = await scanModel({
    ...express,
    'src/app.ts': `import express from 'express';
import { prisma } from './db';
const app = express();
app.get('/api/health', (_req, res) => res.json({ status: 'ok', uptime: process.uptime() }));
app.get('/api/tickets', async (_req, res) => res.json(await prisma.ticket.findMany({ take: 50 })));
app.post('/api/tickets', async (req, res) => res.status(201).json(await prisma.ticket.create({ data: req.body })));
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/app.ts:4']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.match(f.impact, /datastore:postgres/);
  assert.match(f.title, /GET \/api\/health/);
});

test(`${RULE}: fires once for a NestJS runtime whose liveness and readiness routes are both constant`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'portal-api', dependencies: { '@nestjs/common': '^10.0.0', '@nestjs/core': '^10.0.0', '@prisma/client': '^5.0.0' } }),
    'src/prisma.service.ts': `import { Injectable } from '@nestjs/common';
import { PrismaClient } from '@prisma/client';
@Injectable()
export class PrismaService extends PrismaClient {}
`,
    'src/health.controller.ts': `import { Controller, Get } from '@nestjs/common';
@Controller()
export class HealthController {
  @Get('healthz')
  live() {
    return { status: 'ok' };
  }
  @Get('readyz')
  ready() {
    return { status: 'ready', version: process.env.APP_VERSION ?? 'dev' };
  }
}
`,
    'src/orgs.controller.ts': `import { Controller, Get, Param } from '@nestjs/common';
import { PrismaService } from './prisma.service';
@Controller('orgs')
export class OrgsController {
  constructor(private readonly prisma: PrismaService) {}
  @Get(':id')
  find(@Param('id') id: string) {
    return this.prisma.organisation.findUnique({ where: { id } });
  }
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/health.controller.ts:5']);
  assert.equal(model.findings[0].locations.length, 2);
});

test(`${RULE}: silent when a readiness route pings the database and Redis; /health/samples is not a probe (traps)`, async () => {
  const model = await scanModel({
    ...express,
    'src/app.ts': `import express from 'express';
import { prisma } from './db';
import { redis } from './redis';
const app = express();
app.get('/api/healthz', (_req, res) => res.json({ status: 'ok' }));
app.get('/api/ready', async (_req, res) => {
  const [db, cache] = await Promise.allSettled([prisma.$queryRaw\`SELECT 1\`, redis.ping()]);
  res.status(db.status === 'fulfilled' && cache.status === 'fulfilled' ? 200 : 503).json({ db: db.status, cache: cache.status });
});
app.get('/api/health/samples', async (_req, res) => res.json(await prisma.healthSample.findMany({ take: 100 })));
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent with @nestjs/terminus, and for a stateless service (traps)`, async () => {
  const terminus = await scanModel({
    'package.json': JSON.stringify({ name: 'portal-api', dependencies: { '@nestjs/common': '^10.0.0', '@nestjs/terminus': '^10.0.0', '@prisma/client': '^5.0.0' } }),
    'src/health.controller.ts': `import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, PrismaHealthIndicator } from '@nestjs/terminus';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthCheckService, private readonly db: PrismaHealthIndicator) {}
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.db.pingCheck('database', prisma)]);
  }
  @Get('orgs')
  orgs() {
    return prisma.organisation.findMany({ take: 10 });
  }
}
`,
  }, { rules });
  assert.deepEqual(hits(terminus, RULE), []);
  const stateless = await scanModel({
    'package.json': JSON.stringify({ name: 'echo', dependencies: { express: '^4.19.0' } }),
    'src/app.ts': `import express from 'express';
const app = express();
app.get('/health', (_req, res) => res.json({ ok: true }));
app.post('/echo', (req, res) => res.json(req.body));
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(stateless, RULE), []);
});

test(`${RULE}: silent when the probe pings a session and a client the linker could not type (trap); a constant probe beside them still fires`, async () => {
  const files = (healthBody: string) => ({
    'app/db.py': `from sqlalchemy.ext.asyncio import create_async_engine, async_sessionmaker
from fastapi import Request

engine = create_async_engine("postgresql+asyncpg://app@db/app")
SessionLocal = async_sessionmaker(engine)


async def get_db_session(request: Request):
    return request.state.session


async def get_redis(request: Request):
    return request.state.redis
`,
    'app/main.py': `from fastapi import Depends, FastAPI
from sqlalchemy import select, text

from app.db import SessionLocal, get_db_session, get_redis

app = FastAPI()


@app.get("/healthz")
async def healthz(session=Depends(get_db_session), redis=Depends(get_redis)):
${healthBody}
    return {"status": "ok"}


@app.get("/orders")
async def orders():
    async with SessionLocal() as s:
        return (await s.execute(text("SELECT id FROM orders LIMIT 50"))).all()
`,
  });
  const probing = await scanModel(files(`    await session.execute(select(1))\n    await redis.ping()`), { rules });
  assert.deepEqual(hits(probing, RULE), []);
  const constant = await scanModel(files(`    started = True`), { rules });
  assert.deepEqual(hits(constant, RULE), ['app/main.py:10']);
});
