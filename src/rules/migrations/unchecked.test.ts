import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import unchecked from './unchecked.js';

const RULE = 'migrations/unchecked';
const rules = [unchecked];

const prismaApp = {
  'prisma/schema.prisma': `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
model Invoice {
  id     String @id
  amount Int
}
`,
  'prisma/migrations/20240105120000_init/migration.sql': `CREATE TABLE "Invoice" ("id" TEXT NOT NULL, "amount" INTEGER NOT NULL, CONSTRAINT "Invoice_pkey" PRIMARY KEY ("id"));
`,
  'prisma/migrations/20240312090000_invoice_currency/migration.sql': `ALTER TABLE "Invoice" ADD COLUMN "currency" TEXT NOT NULL DEFAULT 'EUR';
`,
  'src/app.ts': `import express from 'express';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
const app = express();
app.get('/invoices', async (_req, res) => res.json(await prisma.invoice.findMany({ take: 20 })));
export default app;
`,
  Dockerfile: `FROM node:20-alpine
WORKDIR /app
COPY . .
RUN npm ci && npm run build
CMD ["node", "dist/server.js"]
`,
};

test(`${RULE}: fires on Prisma migrations that no script, Dockerfile or CI step applies`, async () => {
  const model = await scanModel({
    ...prismaApp,
    'package.json': JSON.stringify({ name: 'invoices', scripts: { build: 'prisma generate && tsc', 'migrate:dev': 'prisma migrate dev', start: 'node dist/server.js' }, dependencies: { express: '^4.19.0', '@prisma/client': '^5.0.0' } }),
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['prisma/migrations/20240312090000_invoice_currency/migration.sql:1']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.match(f.title, /2 prisma migrations/);
  assert.match(f.impact, /GET \/invoices/);
});

test(`${RULE}: fires on TypeORM migration classes with no migrationsRun and no migration:run`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'catalog', scripts: { start: 'node dist/main.js', 'typeorm': 'typeorm-ts-node-commonjs' }, dependencies: { typeorm: '^0.3.20', pg: '^8.12.0' } }),
    'src/data-source.ts': `import { DataSource } from 'typeorm';
export const AppDataSource = new DataSource({
  type: 'postgres',
  url: process.env.DATABASE_URL,
  entities: ['dist/entities/*.js'],
  migrations: ['dist/migrations/*.js'],
});
`,
    'src/migrations/1710000000000-CreateProducts.ts': `import { MigrationInterface, QueryRunner } from 'typeorm';
export class CreateProducts1710000000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE "product" ("id" uuid PRIMARY KEY, "name" text NOT NULL)');
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "product"');
  }
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/migrations/1710000000000-CreateProducts.ts:1']);
});

test(`${RULE}: silent when compose or a CI workflow runs prisma migrate deploy (traps)`, async () => {
  const pkg = { 'package.json': JSON.stringify({ name: 'invoices', scripts: { build: 'tsc' }, dependencies: { express: '^4.19.0', '@prisma/client': '^5.0.0' } }) };
  const compose = await scanModel({
    ...prismaApp, ...pkg,
    'docker-compose.yml': `services:
  api:
    build: .
    command: sh -c "npx prisma migrate deploy && node dist/server.js"
`,
  }, { rules });
  assert.deepEqual(hits(compose, RULE), []);
  const ci = await scanModel({
    ...prismaApp, ...pkg,
    '.github/workflows/deploy.yml': `name: deploy
on: { push: { branches: [main] } }
jobs:
  migrate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npx prisma migrate deploy
        env:
          DATABASE_URL: \${{ secrets.DATABASE_URL }}
`,
  }, { rules });
  assert.deepEqual(hits(ci, RULE), []);
});

test(`${RULE}: silent with migrationsRun, knex.migrate.latest() at start-up, or no migrations at all (traps)`, async () => {
  const typeorm = await scanModel({
    'package.json': JSON.stringify({ name: 'catalog', dependencies: { typeorm: '^0.3.20' } }),
    'src/data-source.ts': `import { DataSource } from 'typeorm';
export const AppDataSource = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL, migrations: ['dist/migrations/*.js'], migrationsRun: true });
`,
    'src/migrations/1710000000000-CreateProducts.ts': `import { MigrationInterface, QueryRunner } from 'typeorm';
export class CreateProducts1710000000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> { await q.query('CREATE TABLE "product" ("id" uuid PRIMARY KEY)'); }
  async down(q: QueryRunner): Promise<void> { await q.query('DROP TABLE "product"'); }
}
`,
  }, { rules });
  assert.deepEqual(hits(typeorm, RULE), []);
  const knex = await scanModel({
    'package.json': JSON.stringify({ name: 'ledger', dependencies: { knex: '^3.1.0' } }),
    'src/db.ts': `import knexFactory from 'knex';
export const knex = knexFactory({ client: 'pg', connection: process.env.DATABASE_URL });
export async function start(): Promise<void> {
  await knex.migrate.latest();
}
`,
    'migrations/20240101_create_entries.js': `exports.up = (knex) => knex.schema.createTable('entries', (t) => { t.increments('id'); });
exports.down = (knex) => knex.schema.dropTable('entries');
`,
  }, { rules });
  assert.deepEqual(hits(knex, RULE), []);
  const none = await scanModel({
    'package.json': JSON.stringify({ name: 'invoices', dependencies: { '@prisma/client': '^5.0.0' } }),
    'prisma/schema.prisma': prismaApp['prisma/schema.prisma'],
    'src/app.ts': prismaApp['src/app.ts'],
  }, { rules });
  assert.deepEqual(hits(none, RULE), []);
});

test(`${RULE}: fires at the deploy script when prisma migrate deploy is only a manual script`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'monorepo', private: true, workspaces: ['apps/*'] }),
    'apps/api/package.json': `{
  "name": "@acme/api",
  "scripts": {
    "build": "nest build",
    "migrate:dev": "prisma migrate dev",
    "migrate:deploy": "prisma migrate deploy",
    "deploy": "nest build && serverless deploy"
  },
  "dependencies": { "@prisma/client": "^5.0.0" }
}
`,
    'apps/api/prisma/schema.prisma': prismaApp['prisma/schema.prisma'],
    'apps/api/src/app.ts': prismaApp['src/app.ts'],
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['apps/api/package.json:7']);
  assert.match(model.findings[0].impact, /manual script `migrate:deploy`/);
});

test(`${RULE}: silent when the deploy script runs the migrate script (trap)`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'api', scripts: { 'migrate:deploy': 'prisma migrate deploy', deploy: 'npm run migrate:deploy && serverless deploy' }, dependencies: { '@prisma/client': '^5.0.0' } }),
    ...prismaApp,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: down migrations are not counted or cited (a \`down/\` folder, \`*.down.sql\`)`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'ddd', scripts: { 'migration:up': 'ts-node database/migrate up', start: 'node dist/main.js' }, dependencies: { express: '^4', pg: '^8' } }),
    'database/migrations/2022.10.07T13.49.19.users.sql': 'CREATE TABLE users (id uuid PRIMARY KEY);\n',
    'database/migrations/2022.10.07T13.49.54.wallets.sql': 'CREATE TABLE wallets (id uuid PRIMARY KEY);\n',
    'database/migrations/down/2022.10.07T13.49.19.users.sql': 'DROP TABLE users;\n',
    'database/migrations/down/2022.10.07T13.49.54.wallets.sql': 'DROP TABLE wallets;\n',
    'database/migrations/2022.11.01T10.00.00.orders.down.sql': 'DROP TABLE orders;\n',
    'src/app.ts': `import express from 'express';
import { Pool } from 'pg';
const pool = new Pool();
const app = express();
app.get('/users', async (_req, res) => res.json((await pool.query('SELECT id FROM users')).rows));
export default app;
`,
  }, { rules });
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.match(f.title, /^2 SQL migrations/);
  assert.ok(f.locations.every((l) => !/down/.test(l.file)), f.locations.map((l) => l.file).join(', '));
});
