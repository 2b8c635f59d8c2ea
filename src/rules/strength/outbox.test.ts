import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import outbox from './outbox.js';

const RULE = 'strength/outbox';
const rules = [outbox];

const prismaModule = `import { Prisma, PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
export type TransactionClient = Prisma.TransactionClient;
`;

const poller = `import cron from 'node-cron';
import { prisma } from './db';

export async function dispatchPending() {
  const events = await prisma.outboxEvent.findMany({ where: { status: 'PENDING' }, orderBy: { createdAt: 'asc' }, take: 50 });
  for (const event of events) {
    await prisma.outboxEvent.update({ where: { id: event.id }, data: { status: 'SENT' } });
  }
}

cron.schedule('* * * * *', () => dispatchPending(), { name: 'outbox-dispatch' });
`;

test(`${RULE}: fires for an outbox insert in the domain transaction, drained by a cron job`, async () => {
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/events.ts': `import type { TransactionClient } from './db';
export function recordEvent(tx: TransactionClient, type: string, payload: Record<string, unknown>) {
  return tx.outboxEvent.create({ data: { type, payload, status: 'PENDING' } });
}
`,
    'src/orders.ts': `import { prisma } from './db';
import { recordEvent } from './events';
export async function placeOrder(customerId: string) {
  return prisma.$transaction(async (tx) => {
    const order = await tx.order.create({ data: { customerId } });
    await recordEvent(tx, 'order.placed', { orderId: order.id });
    return order;
  });
}
`,
    'src/worker.ts': poller,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/events.ts:2']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.match(f.title, /cron:outbox-dispatch/);
  assert.deepEqual(f.locations.map((l) => `${l.file}:${l.line}`), ['src/events.ts:2', 'src/orders.ts:4', 'src/worker.ts:5']);
});

test(`${RULE}: fires for raw SQL outbox rows claimed by a BullMQ worker with UPDATE ... RETURNING`, async () => {
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/invoices.ts': `import { prisma } from './db';
export async function markPaid(invoiceId: string) {
  await prisma.$transaction(async (tx) => {
    await tx.invoice.update({ where: { id: invoiceId }, data: { status: 'PAID' } });
    await tx.$executeRaw\`INSERT INTO "outbox" ("topic", "payload") VALUES ('invoice.paid', \${JSON.stringify({ invoiceId })}::jsonb)\`;
  });
}
`,
    'src/relay.ts': `import { Worker } from 'bullmq';
import IORedis from 'ioredis';
import { prisma } from './db';
const connection = new IORedis(process.env.REDIS_URL!);
export async function relayBatch() {
  return prisma.$queryRaw\`UPDATE "outbox" SET "claimedAt" = now() WHERE "id" IN (SELECT "id" FROM "outbox" WHERE "claimedAt" IS NULL LIMIT 100 FOR UPDATE SKIP LOCKED) RETURNING *\`;
}
export const relay = new Worker('outbox-relay', async () => relayBatch(), { connection });
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/invoices.ts:2']);
});

test(`${RULE}: silent when the outbox row is written outside the domain transaction (trap)`, async () => {
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/orders.ts': `import { prisma } from './db';
export async function placeOrder(customerId: string) {
  const order = await prisma.order.create({ data: { customerId } });
  await prisma.outboxEvent.create({ data: { type: 'order.placed', payload: { orderId: order.id }, status: 'PENDING' } });
  return order;
}
`,
    'src/worker.ts': poller,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent when no job or worker drains the outbox (trap)`, async () => {
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/orders.ts': `import express from 'express';
import { prisma } from './db';
export async function placeOrder(customerId: string) {
  return prisma.$transaction(async (tx) => {
    const order = await tx.order.create({ data: { customerId } });
    await tx.outboxEvent.create({ data: { type: 'order.placed', payload: { orderId: order.id }, status: 'PENDING' } });
    return order;
  });
}
const app = express();
app.get('/admin/outbox', async (_req, res) => res.json(await prisma.outboxEvent.findMany({ take: 100 })));
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});
