import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import { lambdaServerless, ordersDb, ordersOnKubernetes, ordersPackage, ordersServer, studyRepo } from '../../analyze/capacity/fixtures.js';
import poolUnbounded from './pool-unbounded.js';

const RULE = 'db/pool-unbounded';
const rules = [poolUnbounded];
const plainUrl = 'postgresql://postgres.studyhub:pw@db.studyhub.supabase.co:5432/postgres';

test(`${RULE}: fires on a bare PrismaClient whose DATABASE_URL has no connection_limit in any runtime`, async () => {
  const model = await scanModel(studyRepo({ replicas: 4, url: plainUrl }, { replicas: 2, url: plainUrl }), { rules });
  assert.deepEqual(hits(model, RULE), ['src/prisma.ts:3']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.equal(f.severity, 'high');
  assert.match(f.impact, /num_cpus × 2 \+ 1/);
  assert.match(f.impact, /web \(4 replicas\), worker \(2 replicas\)/);
  assert.match(f.impact, /GET \/daily-plan\/today/);
  assert.deepEqual(f.locations.map((l) => `${l.file}:${l.line}`), ['src/prisma.ts:3', 'docker-compose.yml:6', 'docker-compose.yml:15']);
});

test(`${RULE}: fires on a pg Pool with no max (default 10 per process), at medium`, async () => {
  const model = await scanModel(ordersOnKubernetes(6, '  idleTimeoutMillis: 30_000,', 100), { rules });
  assert.deepEqual(hits(model, RULE), ['src/db.ts:3']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.equal(f.severity, 'medium');
  assert.match(f.recommendation, /\{ max: 10 \}/);
});

test(`${RULE}: fires on a Lambda whose committed example URL has no connection_limit, while the deployed one sits in SSM`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'invoices-api', dependencies: { '@prisma/client': '^5.14.0' } }),
    'serverless.yml': lambdaServerless(),
    '.env.example': 'DATABASE_URL=postgresql://invoices:invoices@localhost:5432/invoices?schema=public\n',
    'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\nmodel Invoice {\n  id String @id\n  amountCents Int\n}\n',
    'src/handler.ts': `import { PrismaClient } from '@prisma/client';

const prisma = new PrismaClient();

export async function main(event: { pathParameters?: { id?: string } }) {
  const invoice = await prisma.invoice.findUnique({ where: { id: event.pathParameters?.id } });
  return { statusCode: invoice ? 200 : 404, body: JSON.stringify(invoice) };
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/handler.ts:3']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.match(f.impact, /\$\{ssm:\/invoices/);
  assert.match(f.impact, /without a bound/);
  assert.match(f.recommendation, /connection_limit=1/);
});

test(`${RULE}: silent when connection_limit is in the runtimes' DATABASE_URL`, async () => {
  const model = await scanModel(studyRepo({ replicas: 4, url: `${plainUrl}?connection_limit=8` }, { replicas: 2, url: `${plainUrl}?connection_limit=3` }), { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent when the pool size comes from an env var, and for a single pg Client`, async () => {
  const model = await scanModel({
    'package.json': ordersPackage,
    'src/db.ts': ordersDb('  max: Number(process.env.DB_POOL_MAX ?? 10),'),
    'src/listener.ts': `import { Client } from 'pg';

export const listener = new Client({ connectionString: process.env.DATABASE_URL });
`,
    'src/server.ts': ordersServer,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent when the only value of the URL is a secret-store placeholder (unknown, not missing) (trap)`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'invoices-api', dependencies: { '@prisma/client': '^5.14.0' } }),
    'serverless.yml': lambdaServerless(),
    'src/handler.ts': `import { PrismaClient } from '@prisma/client';

const prisma = new PrismaClient({ datasourceUrl: process.env.DATABASE_URL });

export async function main() {
  return { statusCode: 200, body: JSON.stringify(await prisma.$queryRaw\`SELECT 1\`) };
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent for clients in seed scripts and tests`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'studyhub', dependencies: { '@prisma/client': '^5.14.0' } }),
    '.env.example': 'DATABASE_URL=postgresql://study:study@localhost:5432/study\n',
    'prisma/seed.ts': `import { PrismaClient } from '@prisma/client';

const prisma = new PrismaClient();

async function main() {
  await prisma.tag.createMany({ data: [{ slug: 'cardiology' }, { slug: 'renal' }] });
}

main().finally(() => prisma.$disconnect());
`,
    'test/plans.test.ts': `import { PrismaClient } from '@prisma/client';

export const prisma = new PrismaClient();
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

// ---- Python ----

const pyRepo = (engine: string) => ({
  'docker-compose.yml': `services:
  api:
    build: .
    command: uvicorn app.main:app --workers 2
    environment:
      DATABASE_URL: postgresql://app:app@postgres:5432/app
    deploy:
      replicas: 2
  postgres:
    image: postgres:16
`,
  'app/__init__.py': '',
  'app/db.py': `import os
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

${engine}
`,
  'app/main.py': `from fastapi import FastAPI
from sqlalchemy import text
from app.db import engine

app = FastAPI()


@app.get("/items")
def items():
    with engine.connect() as conn:
        return conn.execute(text("SELECT id FROM items LIMIT 10")).all()
`,
});

test(`${RULE}: Python — fires on create_engine without pool_size (SQLAlchemy default 5 + 10), with the SQLAlchemy fix`, async () => {
  const model = await scanModel(pyRepo('engine = create_engine(os.environ["DATABASE_URL"])'), { rules });
  assert.deepEqual(hits(model, RULE), ['app/db.py:5']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.equal(f.severity, 'medium');
  assert.match(f.recommendation, /pool_size=5, max_overflow=5, pool_timeout=10/);
});

test(`${RULE}: Python — fires high on poolclass=NullPool`, async () => {
  const model = await scanModel(pyRepo('engine = create_engine(os.environ["DATABASE_URL"], poolclass=NullPool)'), { rules });
  assert.deepEqual(hits(model, RULE), ['app/db.py:5']);
  assert.equal(model.findings.find((x) => x.rule === RULE)!.severity, 'high');
});

test(`${RULE}: Python — silent with an explicit pool_size / max_overflow`, async () => {
  const model = await scanModel(pyRepo('engine = create_engine(os.environ["DATABASE_URL"], pool_size=5, max_overflow=2)'), { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: Python — silent for engines in Alembic migrations and on SQLite`, async () => {
  const files = pyRepo('engine = create_engine("sqlite:///./app.db")');
  const model = await scanModel({ ...files, 'alembic/env.py': `from sqlalchemy import create_engine\nconnectable = create_engine("postgresql://app@db/app")\n` }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: TypeORM — fires on a DataSource whose options show no pool size; silent when the options are a parameter the scan cannot read (NestJS dataSourceFactory) (trap)`, async () => {
  const files = (body: string) => ({
    'package.json': JSON.stringify({ name: 'api', dependencies: { typeorm: '0.3.20', '@nestjs/typeorm': '10.0.0', '@nestjs/common': '10.0.0' } }),
    'src/app.module.ts': `import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { TypeOrmConfigService } from './typeorm-config.service';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      useClass: TypeOrmConfigService,
      dataSourceFactory: async (options: DataSourceOptions) => {
        return new DataSource(${body}).initialize();
      },
    }),
  ],
})
export class AppModule {}
`,
  });
  const fires = await scanModel(files(`{ type: 'postgres', url: process.env.DATABASE_URL }`), { rules });
  assert.deepEqual(hits(fires, RULE), ['src/app.module.ts:11']);
  const trap = await scanModel(files('options'), { rules });
  assert.deepEqual(hits(trap, RULE), []);
});
