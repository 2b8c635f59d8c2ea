import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import { lambdaServerless, ordersDb, ordersOnKubernetes, ordersPackage, ordersServer, pgbouncerCompose, studyRepo } from '../../analyze/capacity/fixtures.js';
import noStatementTimeout from './no-statement-timeout.js';

const RULE = 'db/no-statement-timeout';
const rules = [noStatementTimeout];
const supabase = 'postgresql://postgres.studyhub:pw@db.studyhub.supabase.co:5432/postgres';

test(`${RULE}: fires on a pg Pool with no statement_timeout/query_timeout serving HTTP routes`, async () => {
  const model = await scanModel(ordersOnKubernetes(3, '  max: 5,\n  idleTimeoutMillis: 30_000,', 100), { rules });
  assert.deepEqual(hits(model, RULE), ['src/db.ts:3']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.match(f.impact, /GET \/orders\/:id, POST \/orders/);
  assert.match(f.recommendation, /statement_timeout: 5000/);
});

test(`${RULE}: fires on Prisma, located at the URL that already carries the pool settings`, async () => {
  const model = await scanModel(studyRepo({ replicas: 2, url: `${supabase}?connection_limit=8` }, { replicas: 1, url: `${supabase}?connection_limit=5` }), { rules });
  assert.deepEqual(hits(model, RULE), ['docker-compose.yml:6']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.deepEqual(f.locations.map((l) => `${l.file}:${l.line}`), ['docker-compose.yml:6', 'docker-compose.yml:15', 'src/prisma.ts:3']);
  assert.match(f.recommendation, /ALTER ROLE/);
});

test(`${RULE}: silent with statement_timeout in the Pool options, or options=-c statement_timeout in the URL`, async () => {
  const a = await scanModel(ordersOnKubernetes(3, '  max: 5,\n  statement_timeout: 5_000,\n  query_timeout: 6_000,', 100), { rules });
  assert.deepEqual(hits(a, RULE), []);
  const b = await scanModel(studyRepo({ replicas: 2, url: `${supabase}?connection_limit=8&options=-c%20statement_timeout%3D5000` }, { replicas: 1, url: `${supabase}?connection_limit=5&options=-c%20statement_timeout%3D5000` }), { rules });
  assert.deepEqual(hits(b, RULE), []);
});

test(`${RULE}: silent with ALTER ROLE ... SET statement_timeout in a Prisma migration`, async () => {
  const files = studyRepo({ replicas: 2, url: `${supabase}?connection_limit=8` }, { replicas: 1, url: `${supabase}?connection_limit=5` });
  const model = await scanModel({ ...files, 'prisma/migrations/20240601000000_statement_timeout/migration.sql': "ALTER ROLE studyhub_app SET statement_timeout = '8s';\n" }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent when the server sets statement_timeout (postgres -c statement_timeout behind PgBouncer)`, async () => {
  const model = await scanModel({ 'package.json': ordersPackage, 'src/db.ts': ordersDb('  max: 5,'), 'src/server.ts': ordersServer, 'docker-compose.yml': pgbouncerCompose(4) }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent when the URL only exists as an SSM placeholder (unknown) and when a connect hook sets it`, async () => {
  const lambda = await scanModel({
    'package.json': JSON.stringify({ name: 'invoices-api', dependencies: { '@prisma/client': '^5.14.0' } }),
    'serverless.yml': lambdaServerless(),
    'prisma/schema.prisma': `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
`,
    'src/handler.ts': `import { PrismaClient } from '@prisma/client';

const prisma = new PrismaClient();

export async function main() {
  return { statusCode: 200, body: JSON.stringify(await prisma.$queryRaw\`SELECT now()\`) };
}
`,
  }, { rules });
  assert.deepEqual(hits(lambda, RULE), []);
  const hook = await scanModel({
    ...ordersOnKubernetes(3, '  max: 5,', 100),
    'src/db.ts': `import { Pool } from 'pg';

export const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 5 });

pool.on('connect', (client) => {
  client.query("SET statement_timeout = '5s'").catch((err) => console.error('could not set statement_timeout', err));
});
`,
  }, { rules });
  assert.deepEqual(hits(hook, RULE), []);
});
