import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import transaction from './transaction.js';

const RULE = 'strength/transaction';
const rules = [transaction];

const prismaModule = `import { Prisma, PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
export type TransactionClient = Prisma.TransactionClient;
`;

test(`${RULE}: fires for writes in a $transaction callback, including a repository that receives tx`, async () => {
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/orders.repository.ts': `import type { TransactionClient } from './db';
export class OrdersRepository {
  addLines(tx: TransactionClient, orderId: string, lines: { sku: string; qty: number }[]) {
    return tx.orderLine.createMany({ data: lines.map((l) => ({ orderId, sku: l.sku, qty: l.qty })) });
  }
}
export const ordersRepository = new OrdersRepository();
`,
    'src/orders.service.ts': `import { prisma } from './db';
import { ordersRepository } from './orders.repository';
export async function placeOrder(customerId: string, lines: { sku: string; qty: number }[]) {
  return prisma.$transaction(async (tx) => {
    const order = await tx.order.create({ data: { customerId, status: 'PLACED' } });
    await ordersRepository.addLines(tx, order.id, lines);
    return order;
  });
}
`,
    'src/app.ts': `import express from 'express';
import { placeOrder } from './orders.service';
const app = express();
app.post('/orders', async (req, res) => res.status(201).json(await placeOrder(req.body.customerId, req.body.lines)));
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/orders.service.ts:4']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.equal(f.polarity, 'strength');
  assert.match(f.impact, /POST \/orders/);
  assert.deepEqual(f.locations.slice(1).map((l) => `${l.file}:${l.line}`), ['src/orders.service.ts:5', 'src/orders.repository.ts:4']);
});

test(`${RULE}: fires for the array form and for node-postgres BEGIN/COMMIT`, async () => {
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/pg.ts': `import { Pool } from 'pg';
export const pool = new Pool({ max: 10 });
`,
    'src/accounts.ts': `import { prisma } from './db';
import { pool } from './pg';

export async function rename(id: string, name: string) {
  await prisma.$transaction([
    prisma.account.update({ where: { id }, data: { name } }),
    prisma.auditLog.create({ data: { action: 'rename', accountId: id } }),
  ]);
}

export async function transfer(from: string, to: string, amount: number) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('UPDATE balances SET amount = amount - $1 WHERE account_id = $2', [amount, from]);
    await client.query('UPDATE balances SET amount = amount + $1 WHERE account_id = $2', [amount, to]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/accounts.ts:14', 'src/accounts.ts:5']);
});

test(`${RULE}: silent for a single write in a transaction and for writes outside any transaction (trap)`, async () => {
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/profile.ts': `import { prisma } from './db';

export async function touch(id: string) {
  return prisma.$transaction(async (tx) => {
    const profile = await tx.profile.findUniqueOrThrow({ where: { id } });
    return tx.profile.update({ where: { id }, data: { seenAt: new Date(), visits: profile.visits + 1 } });
  });
}

export async function setup(userId: string) {
  const profile = await prisma.profile.create({ data: { userId } });
  await prisma.settings.create({ data: { profileId: profile.id } });
  return profile;
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent when the writes sit in exclusive branches of the callback (trap)`, async () => {
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/conversations.ts': `import { prisma } from './db';

export async function touchConversation(userId: string, conversationId: string | undefined, title: string) {
  return prisma.$transaction(async (tx) => {
    if (conversationId) {
      return tx.conversation.update({ where: { id: conversationId }, data: { updatedAt: new Date() } });
    }
    return tx.conversation.create({ data: { userId, title } });
  });
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});
