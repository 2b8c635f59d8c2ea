import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model } from '../../model/types.js';
import { edgesTo, scanModel } from '../../../test/helpers/fixture.js';

const scan = (files: Record<string, string>) => scanModel(files, { rules: [] });
const evidence = (model: Model, to: string) => model.edges.filter((e) => e.to === to).map((e) => `${e.kind}${e.guards.transaction ? '+tx' : ''}${e.readOnly ? ' ro' : ''} ${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`).sort();
const datastores = (model: Model) => model.nodes.filter((n) => n.kind === 'datastore').map((n) => `${n.id} ${n.tech}`);

const schema = `import { pgTable, serial, text, integer } from 'drizzle-orm/pg-core';
export const users = pgTable('users', { id: serial('id').primaryKey(), email: text('email').notNull(), credits: integer('credits').default(0) });
export const orders = pgTable('orders', { id: serial('id').primaryKey(), userId: integer('user_id').notNull(), cents: integer('cents').notNull() });
`;

test('drizzle: select/insert/update/delete and the relational API over node-postgres; subqueries are not queries', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'shop', dependencies: { 'drizzle-orm': '^0.33.0', pg: '^8.12.0', express: '^4.19.0' } }),
    'src/db/schema.ts': schema,
    'src/db/client.ts': `import { drizzle } from 'drizzle-orm/node-postgres';
import { Pool } from 'pg';
import * as schema from './schema';
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
export const db = drizzle(pool, { schema });
`,
    'src/users/users.service.ts': `import { eq, gt, sql } from 'drizzle-orm';
import { db } from '../db/client';
import { orders, users } from '../db/schema';

export async function bigSpenders() {
  const spend = db.select({ userId: orders.userId, total: sql<number>\`sum(\${orders.cents})\`.as('total') }).from(orders).groupBy(orders.userId).as('spend');
  return db.select().from(users).innerJoin(spend, eq(spend.userId, users.id)).where(gt(spend.total, 10000));
}

export async function withOrders() {
  return db.query.users.findMany({ with: { orders: true } });
}

export async function signUp(email: string) {
  const [user] = await db.insert(users).values({ email }).returning();
  return user;
}

export async function spendCredits(userId: number, cents: number) {
  await db.transaction(async (tx) => {
    await tx.update(users).set({ credits: sql\`\${users.credits} - \${cents}\` }).where(eq(users.id, userId));
    await tx.insert(orders).values({ userId, cents });
  });
  await db.execute(sql\`DELETE FROM carts WHERE user_id = \${userId}\`);
}
`,
    'src/app.ts': `import express from 'express';
import * as users from './users/users.service';
const app = express();
app.get('/users/big-spenders', async (_req, res) => res.json(await users.bigSpenders()));
app.get('/users', async (_req, res) => res.json(await users.withOrders()));
app.post('/users', async (req, res) => res.json(await users.signUp(req.body.email)));
app.post('/users/:id/spend', async (req, res) => res.json(await users.spendCredits(Number(req.params.id), req.body.cents)));
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), ['datastore:postgres postgresql']);
  assert.deepEqual(evidence(model, 'datastore:postgres'), [
    'reads ro src/users/users.service.ts:7 src/users/users.service.ts:11',
    'writes src/users/users.service.ts:15 src/users/users.service.ts:24',
    'writes+tx src/users/users.service.ts:21 src/users/users.service.ts:22',
  ]);
  assert.deepEqual(edgesTo(model, 'datastore:postgres'), [
    'component:users -reads/sync-> datastore:postgres',
    'component:users -writes/sync-> datastore:postgres',
    'component:users -writes/sync-> datastore:postgres',
  ]);
});

test('drizzle: the driver subpath names the database (mysql2 → datastore:mysql)', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'inventory', dependencies: { 'drizzle-orm': '^0.33.0', mysql2: '^3.11.0', express: '^4.19.0' } }),
    'src/db/schema.ts': `import { mysqlTable, int, varchar } from 'drizzle-orm/mysql-core';
export const stock = mysqlTable('stock', { id: int('id').primaryKey(), sku: varchar('sku', { length: 32 }), qty: int('qty') });
`,
    'src/db/client.ts': `import { drizzle } from 'drizzle-orm/mysql2';
import mysql from 'mysql2/promise';
const connection = mysql.createPool(process.env.DATABASE_URL!);
export const db = drizzle(connection);
`,
    'src/stock/stock.service.ts': `import { eq } from 'drizzle-orm';
import { db } from '../db/client';
import { stock } from '../db/schema';
export async function restock(sku: string, qty: number) {
  await db.update(stock).set({ qty }).where(eq(stock.sku, sku));
}
`,
    'src/app.ts': `import express from 'express';
import { restock } from './stock/stock.service';
const app = express();
app.put('/stock/:sku', async (req, res) => res.json(await restock(req.params.sku, req.body.qty)));
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), ['datastore:mysql mysql']);
  assert.deepEqual(evidence(model, 'datastore:mysql'), ['writes src/stock/stock.service.ts:5']);
});

test('drizzle: schema builders, operators and a listed-only package add no datastore (trap)', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'flags', dependencies: { 'drizzle-orm': '^0.33.0', express: '^4.19.0' } }),
    'src/flags/flags.ts': `const flags = new Map<string, boolean>([['beta', true]]);
export const db = {
  select: () => ({ from: (name: string) => [...flags.entries()].filter(([k]) => k === name) }),
  insert: (name: string) => ({ values: (on: boolean) => flags.set(name, on) }),
};
`,
    'src/app.ts': `import express from 'express';
import { db } from './flags/flags';
const app = express();
app.get('/flags/:name', async (req, res) => res.json(db.select().from(req.params.name)));
app.post('/flags/:name', async (req, res) => res.json(db.insert(req.params.name).values(true)));
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), []);
});
