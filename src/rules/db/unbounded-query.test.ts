import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import unboundedQuery from './unbounded-query.js';

const RULE = 'db/unbounded-query';
const rules = [unboundedQuery];

const schema = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Member {
  id             String @id @default(uuid())
  organisationId String
  email          String
  @@unique([organisationId, email])
}

model Invoice {
  id        String @id
  number    String @unique
  accountId String
  status    String
}
`;

const prismaModule = `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`;

test(`${RULE}: fires on findMany without take reached from a route, naming the route`, async () => {
  const model = await scanModel({
    'prisma/schema.prisma': schema,
    'src/db.ts': prismaModule,
    'src/members.repository.ts': `import { prisma } from './db';
export function membersOf(organisationId: string) {
  return prisma.member.findMany({ where: { organisationId }, orderBy: { email: 'asc' } });
}
`,
    'src/app.ts': `import express from 'express';
import { membersOf } from './members.repository';
const app = express();
app.get('/organisations/:id/members', async (req, res) => res.json(await membersOf(req.params.id)));
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/members.repository.ts:3']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.match(f.impact, /GET \/organisations\/:id\/members/);
});

test(`${RULE}: fires on a raw SELECT without LIMIT on a route`, async () => {
  const model = await scanModel({
    'src/db.ts': `import { Pool } from 'pg';
export const pool = new Pool({ max: 10 });
`,
    'src/app.ts': `import express from 'express';
import { pool } from './db';
const app = express();
app.get('/tests/past', async (req, res) => {
  const { rows } = await pool.query('SELECT t.id, t.score, a.answer FROM test_attempts t JOIN answers a ON a.attempt_id = t.id WHERE t.user_id = $1 ORDER BY t.created_at DESC', [req.params.userId]);
  res.json(rows);
});
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/app.ts:5']);
});

test(`${RULE}: silent for paginated, unique-key, aggregate and spread-option queries (trap)`, async () => {
  const model = await scanModel({
    'prisma/schema.prisma': schema,
    'src/db.ts': prismaModule,
    'src/app.ts': `import express from 'express';
import { prisma } from './db';
const app = express();
app.get('/invoices', async (req, res) => {
  const page = await prisma.invoice.findMany({ where: { accountId: String(req.query.account) }, orderBy: { id: 'asc' }, take: 50 });
  const byNumber = await prisma.invoice.findMany({ where: { number: String(req.query.number) } });
  const byIds = await prisma.invoice.findMany({ where: { id: { in: [String(req.query.a), String(req.query.b)] } } });
  const member = await prisma.member.findMany({ where: { organisationId: 'o1', email: String(req.query.email) } });
  const total = await prisma.invoice.count({ where: { accountId: String(req.query.account) } });
  const paged = await prisma.invoice.findMany({ where: { status: 'OPEN' }, ...pageArgs(req.query) });
  res.json({ page, byNumber, byIds, member, total, paged });
});
function pageArgs(q: any) {
  return { take: 20, skip: Number(q.skip ?? 0) };
}
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent off entrypoint paths and for bounded SQL (trap)`, async () => {
  const model = await scanModel({
    'src/db.ts': `import { Pool } from 'pg';
export const pool = new Pool({ max: 10 });
`,
    'src/maintenance.ts': `import { pool } from './db';
export async function allTenants() {
  const { rows } = await pool.query('SELECT id, schema_name FROM tenants');
  return rows;
}
`,
    'src/app.ts': `import express from 'express';
import { pool } from './db';
const app = express();
app.get('/stats', async (req, res) => {
  const { rows: [stats] } = await pool.query('SELECT count(*) AS total, max(created_at) AS last FROM orders WHERE account_id = $1', [req.query.account]);
  const { rows: recent } = await pool.query('SELECT id, total FROM orders WHERE account_id = $1 ORDER BY created_at DESC LIMIT 20', [req.query.account]);
  const { rows: one } = await pool.query('SELECT id, total FROM orders WHERE id = $1', [req.query.id]);
  res.json({ stats, recent, one });
});
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});
