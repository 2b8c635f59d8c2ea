import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';

test('py-dbapi: psycopg2 cursors and asyncpg pools are postgres; SELECT/fetch are reads, other statements and commit are writes', async () => {
  const m = await scanModel({
    'app/main.py': `
import asyncpg
import psycopg2
from fastapi import FastAPI
app = FastAPI()
conn = psycopg2.connect("dbname=app")

@app.post("/legacy")
def legacy(name: str):
    cur = conn.cursor()
    cur.execute("SELECT id FROM users WHERE name = %s", (name,))
    cur.execute("UPDATE users SET seen = now() WHERE name = %s", (name,))
    conn.commit()
    return cur.fetchone()

@app.get("/fast")
async def fast():
    pool = await asyncpg.create_pool("postgresql://u@db/app", max_size=5)
    return await pool.fetch("SELECT 1")
`,
  });
  const e = m.edges.filter((x) => x.to === 'datastore:postgres').flatMap((x) => x.evidence.map((v) => `${x.kind}@${v.line}`)).sort();
  assert.deepEqual(e, ['reads@11', 'reads@19', 'writes@12', 'writes@13']);
});

// ---- pools in the connection budget (src/analyze/capacity/python.ts) and db/pool-unbounded ----

const poolCompose = `services:
  api:
    build: .
    command: uvicorn app.main:app --host 0.0.0.0 --workers 2
    environment:
      DATABASE_URL: postgresql://shop:shop@postgres:5432/shop
    deploy:
      replicas: 3
  postgres:
    image: postgres:16
    command: postgres -c max_connections=100
`;

const poolApp = (db: string) => ({
  'docker-compose.yml': poolCompose,
  'app/__init__.py': '',
  'app/db.py': db,
  'app/main.py': `from contextlib import asynccontextmanager

from fastapi import FastAPI

from app import db


@asynccontextmanager
async def lifespan(app: FastAPI):
    await db.connect()
    await db.reports.open()
    yield
    await db.reports.close()


app = FastAPI(lifespan=lifespan)


@app.get("/orders")
async def orders():
    async with db.pool.acquire() as conn:
        return await conn.fetch("SELECT id, total FROM orders ORDER BY id DESC LIMIT 50")


@app.get("/reports/daily")
async def daily():
    async with db.reports.connection() as conn:
        cur = await conn.execute("SELECT date_trunc('day', created_at), sum(total) FROM orders GROUP BY 1 LIMIT 31")
        return await cur.fetchall()
`,
});

async function poolScan(db: string) {
  const { RULES } = await import('../../rules/index.js');
  const rules = RULES.filter((r) => r.meta.id === 'db/pool-unbounded' || r.meta.id === 'db/no-statement-timeout');
  const model = await scanModel(poolApp(db), { rules });
  const cap = model.capacity as { datastores: { datastore: string; clients: { id: string; codePool?: { value?: number }; codeTimeout?: { value?: number } }[]; budget: { normal: { arithmetic: string } } }[] };
  return { model, pg: cap.datastores.find((d) => d.datastore === 'datastore:postgres')! };
}

test('py-dbapi: asyncpg create_pool(max_size, command_timeout) and psycopg_pool AsyncConnectionPool(max_size, kwargs options) size the budget and bound statements', async () => {
  const { model, pg } = await poolScan(`import os

import asyncpg
from psycopg_pool import AsyncConnectionPool

pool: asyncpg.Pool | None = None
reports = AsyncConnectionPool(
    os.environ["DATABASE_URL"],
    min_size=2,
    max_size=8,
    timeout=10,
    kwargs={"options": "-c statement_timeout=5000"},
    open=False,
)


async def connect() -> None:
    global pool
    pool = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=1, max_size=5, command_timeout=15)
`);
  assert.deepEqual(pg.clients.map((c) => `${c.id} pool=${c.codePool?.value} timeoutMs=${c.codeTimeout?.value}`), [
    'asyncpg@app/db.py:19 pool=5 timeoutMs=15000',
    'psycopg-pool@app/db.py:7 pool=8 timeoutMs=5000',
  ]);
  assert.equal(pg.budget.normal.arithmetic, 'api 3 replicas × 2 processes × 5 (asyncpg) + api 3 replicas × 2 processes × 8 (psycopg-pool) = 78 ≤ 97 usable of max_connections 100');
  assert.deepEqual(model.findings.map((f) => f.rule), []);
});

test('py-dbapi: pools without a size take the library default and fire db/pool-unbounded; psycopg_pool timeout= is the checkout wait, not a statement timeout', async () => {
  const { model, pg } = await poolScan(`import os

import asyncpg
from psycopg_pool import AsyncConnectionPool

pool = None
reports = AsyncConnectionPool(conninfo=os.environ["DATABASE_URL"], timeout=30, open=False)


async def connect():
    global pool
    pool = await asyncpg.create_pool(dsn=os.environ["DATABASE_URL"])
`);
  assert.equal(pg.budget.normal.arithmetic, 'api 3 replicas × 2 processes × 10 (asyncpg) + api 3 replicas × 2 processes × 4 (psycopg-pool) = 84 ≤ 97 usable of max_connections 100');
  const got = model.findings.map((f) => `${f.rule} ${f.locations[0].file}:${f.locations[0].line}`).sort();
  assert.deepEqual(got, [
    'db/no-statement-timeout app/db.py:12',
    'db/no-statement-timeout app/db.py:7',
    'db/pool-unbounded app/db.py:12',
    'db/pool-unbounded app/db.py:7',
  ]);
  assert.match(model.findings.find((f) => f.rule === 'db/pool-unbounded' && f.locations[0].line === 12)!.recommendation, /create_pool\(dsn, min_size=1, max_size=10\)/);
});
