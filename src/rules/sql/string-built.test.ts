import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import stringBuilt from './string-built.js';

const RULE = 'sql/string-built';
const rules = [stringBuilt];

const nestPrisma = `import { Injectable } from '@nestjs/common';
import { PrismaClient } from '@prisma/client';
@Injectable()
export class PrismaService extends PrismaClient {}
`;

const nestModule = (name: string) => `import { Module } from '@nestjs/common';
import { ${name}Controller } from './${name.toLowerCase()}.controller';
import { ${name}Service } from './${name.toLowerCase()}.service';
@Module({ controllers: [${name}Controller], providers: [${name}Service] })
export class ${name}Module {}
`;

test(`${RULE}: critical when a @Query parameter reaches $queryRawUnsafe through a service in another file`, async () => {
  const model = await scanModel({
    'src/prisma.service.ts': nestPrisma,
    'src/catalog/catalog.module.ts': nestModule('Catalog'),
    'src/catalog/catalog.controller.ts': `import { Controller, DefaultValuePipe, Get, ParseIntPipe, Query } from '@nestjs/common';
import { CatalogService } from './catalog.service';

@Controller('catalog')
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Get('products')
  search(@Query('q') q = '', @Query('limit', new DefaultValuePipe(20), ParseIntPipe) limit: number) {
    return this.catalog.searchProducts(q, limit);
  }
}
`,
    'src/catalog/catalog.service.ts': `import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma.service';

export const MAX_RESULTS = 50;

@Injectable()
export class CatalogService {
  constructor(private readonly prisma: PrismaService) {}

  async searchProducts(q: string, limit: number) {
    const term = q.trim().toLowerCase();
    const take = Math.min(Math.max(limit, 1), MAX_RESULTS);
    return this.prisma.$queryRawUnsafe(
      \`SELECT id, name, price FROM "Product" WHERE lower(name) LIKE '%\${term}%' ORDER BY name LIMIT \${take}\`,
    );
  }
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/catalog/catalog.service.ts:13']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.equal(f.severity, 'critical');
  assert.match(f.impact, /@Query\('q'\) q in CatalogController\.search/);
  assert.match(f.impact, /GET \/catalog\/products/);
  assert.deepEqual(f.locations.map((l) => `${l.file}:${l.line}`), ['src/catalog/catalog.service.ts:13', 'src/catalog/catalog.controller.ts:9']);
});

test(`${RULE}: critical for req.query through a local in an express handler; high for a value of unknown origin`, async () => {
  const model = await scanModel({
    'src/db.ts': `import { Pool } from 'pg';
export const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
`,
    'src/reports.ts': `import express from 'express';
import { pool } from './db';

const router = express.Router();

router.get('/reports/orders', async (req, res) => {
  const sort = String(req.query.sort ?? 'created_at');
  const { rows } = await pool.query(\`SELECT id, total, created_at FROM orders ORDER BY \${sort} DESC LIMIT 50\`);
  res.json(rows);
});

export async function archiveTenant(schemaName: string) {
  await pool.query('UPDATE tenants SET archived = true WHERE schema_name = ' + "'" + schemaName + "'");
}

export default router;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/reports.ts:13', 'src/reports.ts:8']);
  const bySeverity = Object.fromEntries(model.findings.filter((x) => x.rule === RULE).map((x) => [x.locations[0].line, x.severity]));
  assert.deepEqual(bySeverity, { 8: 'critical', 13: 'high' });
});

test(`${RULE}: a SET search_path built from a setting is not reported (no bind parameters there); request input in it still is critical`, async () => {
  const model = await scanModel({
    'src/db.ts': `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
function getSchema() {
  return new URL(process.env.DATABASE_URL!).searchParams.get('schema');
}
export async function rawQuery(sql: string) {
  const schema = getSchema();
  if (schema) await prisma.$executeRawUnsafe(\`SET search_path TO "\${schema}";\`);
  return prisma.$queryRawUnsafe(sql);
}
`,
    'src/tenants.ts': `import express from 'express';
import { prisma } from './db';
const router = express.Router();
router.post('/tenants/:tenant/switch', async (req, res) => {
  await prisma.$executeRawUnsafe(\`SET search_path TO "\${req.params.tenant}"\`);
  res.sendStatus(204);
});
export default router;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/tenants.ts:5']);
  assert.equal(model.findings.find((x) => x.rule === RULE)?.severity, 'critical');
});

test(`${RULE}: fires where a wrapper's caller builds the text, and for a Supabase RPC running built SQL`, async () => {
  const model = await scanModel({
    'src/db.ts': `import { Pool } from 'pg';
const pool = new Pool({ max: 5 });
export async function runSql(text: string) {
  const result = await pool.query(text);
  return result.rows;
}
`,
    'src/decks.ts': `import { createClient } from '@supabase/supabase-js';
import { runSql } from './db';

const supabase = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_ANON_KEY!);

export async function deckStats(deckId: string) {
  return runSql(\`SELECT count(*) FROM cards WHERE deck_id = '\${deckId}'\`);
}

export async function pastTests(userId: string) {
  return supabase.rpc('execute_sql', { query: \`SELECT * FROM test_attempts WHERE user_id = '\${userId}'\` });
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/decks.ts:11', 'src/decks.ts:7']);
});

test(`${RULE}: silent for tagged $queryRaw, Prisma.sql fragments and parameterized queries (trap)`, async () => {
  const model = await scanModel({
    'src/db.ts': `import { PrismaClient } from '@prisma/client';
import { Pool } from 'pg';
export const prisma = new PrismaClient();
export const pool = new Pool({ max: 10 });
`,
    'src/search.ts': `import { Prisma } from '@prisma/client';
import express from 'express';
import { pool, prisma } from './db';

const app = express();

app.get('/questions/:id/related', async (req, res) => {
  const rows = await prisma.$queryRaw\`SELECT id FROM "Question" WHERE id <> \${req.params.id} LIMIT 5\`;
  res.json(rows);
});

app.get('/questions', async (req, res) => {
  const filters = [Prisma.sql\`"deletedAt" IS NULL\`];
  if (req.query.tag) filters.push(Prisma.sql\`tag = \${req.query.tag}\`);
  const rows = await prisma.$queryRaw(Prisma.sql\`SELECT id FROM "Question" WHERE \${Prisma.join(filters, ' AND ')}\`);
  res.json(rows);
});

app.post('/users/lookup', async (req, res) => {
  const ids: string[] = req.body.ids;
  const marks = ids.map((_, i) => \`$\${i + 1}\`).join(', ');
  const { rows } = await pool.query(\`SELECT id, email FROM users WHERE id IN (\${marks})\`, ids);
  res.json(rows);
});

app.get('/users', async (req, res) => {
  const { rows } = await pool.query('SELECT id, email FROM users WHERE org_id = $1 LIMIT 100', [req.query.org]);
  const byIds = await prisma.$queryRawUnsafe('SELECT id FROM "User" WHERE id = ANY($1::text[])', req.query.ids);
  res.json({ rows, byIds });
});

export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent for text built only from constants, numbers and allowlists (trap)`, async () => {
  const model = await scanModel({
    'src/db.ts': `import { Pool } from 'pg';
export const pool = new Pool({ max: 10 });
`,
    'src/tables.ts': `export const AUDIT_TABLE = 'audit_log';
`,
    'src/audit.ts': `import express from 'express';
import { pool } from './db';
import { AUDIT_TABLE } from './tables';

const SORTABLE = { created: 'created_at', actor: 'actor_id' } as const;
const PAGE = 100;

export async function recentAudit(direction: string, sortKey: keyof typeof SORTABLE, pageSize: number) {
  const order = direction === 'asc' ? 'ASC' : 'DESC';
  const column = SORTABLE[sortKey];
  const limit = Math.min(pageSize, PAGE);
  const { rows } = await pool.query(\`SELECT id, action FROM \${AUDIT_TABLE} ORDER BY \${column} \${order} LIMIT \${limit}\`);
  return rows;
}

export async function placeholders(ids: string[]) {
  const marks = ids.map((_, i) => '$' + (i + 1)).join(', ');
  const { rows } = await pool.query(\`SELECT id FROM users WHERE id IN (\${marks})\`, ids);
  return rows;
}

export async function schemaTables() {
  const { rows } = await pool.query(\`SELECT table_name FROM information_schema.tables WHERE table_schema = '\${process.env.DB_SCHEMA ?? 'public'}'\`);
  return rows;
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

// ---- Python ----

const pyApi = (routes: string) => ({
  'app/db.py': `from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

engine = create_engine("postgresql://app@db/app", pool_size=5)
SessionLocal = sessionmaker(bind=engine)


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()
`,
  'app/main.py': `from fastapi import Depends, FastAPI
from sqlalchemy import text
from sqlalchemy.orm import Session
from app.db import get_db

app = FastAPI()
${routes}
`,
});

test(`${RULE}: Python — an f-string into text() with a query parameter is critical`, async () => {
  const model = await scanModel(pyApi(`

@app.get("/search")
def search(q: str, db: Session = Depends(get_db)):
    return db.execute(text(f"SELECT id FROM posts WHERE title ILIKE '%{q}%'")).all()
`), { rules });
  assert.deepEqual(hits(model, RULE), ['app/main.py:11']);
  assert.equal(model.findings[0].severity, 'critical');
  assert.match(model.findings[0].impact, /request parameter q: str of search/);
});

test(`${RULE}: Python — % formatting and .format() into cursor.execute are string-built`, async () => {
  const model = await scanModel({
    'app/reports.py': `import psycopg2
from fastapi import FastAPI

app = FastAPI()
conn = psycopg2.connect("dbname=app")


@app.get("/reports/{table}")
def report(table: str, day: str):
    cur = conn.cursor()
    cur.execute("SELECT * FROM %s WHERE day = '%s'" % (table, day))
    cur.execute("SELECT count(*) FROM {} WHERE day = %s".format(table), (day,))
    return cur.fetchall()
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['app/reports.py:11', 'app/reports.py:12']);
});

test(`${RULE}: Python — bound parameters never fire: text() with :name and a dict, DB-API %s with a tuple`, async () => {
  const model = await scanModel(pyApi(`

@app.get("/posts/{post_id}")
def post(post_id: int, q: str, db: Session = Depends(get_db)):
    row = db.execute(text("SELECT id, title FROM posts WHERE id = :id AND title ILIKE :q"), {"id": post_id, "q": f"%{q}%"}).first()
    raw = db.connection().connection.cursor()
    raw.execute("SELECT 1 FROM posts WHERE id = %s", (post_id,))
    return row
`), { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: Python — constants and integer path parameters are not injections`, async () => {
  const model = await scanModel(pyApi(`
TABLE = "posts"


@app.get("/posts/page/{page}")
def page(page: int, db: Session = Depends(get_db)):
    return db.execute(text(f"SELECT id FROM {TABLE} ORDER BY id LIMIT 20 OFFSET {page * 20}")).all()
`), { rules });
  assert.deepEqual(hits(model, RULE), []);
});
