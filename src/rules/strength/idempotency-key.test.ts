import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import idempotencyKey from './idempotency-key.js';

const RULE = 'strength/idempotency-key';
const rules = [idempotencyKey];

const prismaModule = `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`;

test(`${RULE}: fires for a client requestId checked before the work (once, not at the controller) and a deterministic jobId`, async () => {
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/queues.ts': `import { Queue } from 'bullmq';
import IORedis from 'ioredis';
export const rollups = new Queue('rollups', { connection: new IORedis(process.env.REDIS_URL!) });
`,
    'src/ingest.repository.ts': `import { prisma } from './db';
export function findRequest(userId: string, requestId: string) {
  return prisma.ingestRequest.findUnique({ where: { userId_requestId: { userId, requestId } } });
}
export function startRequest(userId: string, requestId: string, count: number) {
  return prisma.ingestRequest.create({ data: { userId, requestId, count, status: 'PROCESSING' } });
}
`,
    'src/ingest.service.ts': `import { findRequest, startRequest } from './ingest.repository';
import { rollups } from './queues';
export async function ingestBatch(userId: string, requestId: string, samples: unknown[]) {
  const existing = await findRequest(userId, requestId);
  if (existing) return existing;
  const request = await startRequest(userId, requestId, samples.length);
  await rollups.add('daily', { userId }, { jobId: \`daily-rollup_\${request.id}\` });
  return request;
}
`,
    'src/app.ts': `import express from 'express';
import { ingestBatch } from './ingest.service';
const app = express();
app.post('/samples/batch', async (req, res) => res.json(await ingestBatch(req.body.userId, req.body.requestId, req.body.samples)));
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/ingest.service.ts:4', 'src/ingest.service.ts:7']);
  const f = model.findings.find((x) => x.rule === RULE && x.locations[0].line === 4)!;
  assert.deepEqual(f.locations.map((l) => `${l.file}:${l.line}`), ['src/ingest.service.ts:4', 'src/ingest.service.ts:6', 'src/ingest.repository.ts:3', 'src/ingest.repository.ts:6']);
  assert.match(f.title, /requestId/);
  assert.match(f.impact, /POST \/samples\/batch/);
});

test(`${RULE}: fires for a natural-key upsert, INSERT ... ON CONFLICT and a Stripe idempotencyKey`, async () => {
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/billing.ts': `import Stripe from 'stripe';
import { prisma } from './db';

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!, { timeout: 10_000, maxNetworkRetries: 2 });

export async function syncSubscription(stripeSubscriptionId: string, status: string) {
  return prisma.subscription.upsert({
    where: { stripeSubscriptionId },
    create: { stripeSubscriptionId, status },
    update: { status },
  });
}

export async function recordDailyTotals(userId: string) {
  return prisma.$executeRaw\`INSERT INTO "DailyTotal" ("userId", "day", "total") SELECT "userId", date_trunc('day', "at"), sum("amount") FROM "Payment" WHERE "userId" = \${userId} GROUP BY 1, 2 ON CONFLICT ("userId", "day") DO UPDATE SET "total" = EXCLUDED."total"\`;
}

export async function charge(orderId: string, amount: number, customer: string) {
  return stripe.paymentIntents.create({ amount, currency: 'eur', customer }, { idempotencyKey: \`order-\${orderId}\` });
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/billing.ts:14', 'src/billing.ts:19', 'src/billing.ts:6']);
});

test(`${RULE}: silent for id upserts, plain createMany, random job ids and keyless Stripe calls (trap)`, async () => {
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/queues.ts': `import { Queue } from 'bullmq';
import IORedis from 'ioredis';
export const emails = new Queue('emails', { connection: new IORedis(process.env.REDIS_URL!) });
`,
    'src/misc.ts': `import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { prisma } from './db';
import { emails } from './queues';

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!, { timeout: 10_000 });

export async function saveDraft(id: string, body: string) {
  return prisma.draft.upsert({ where: { id }, create: { id, body }, update: { body } });
}

export async function importRows(rows: { sku: string }[]) {
  return prisma.product.createMany({ data: rows });
}

export async function sendWelcome(userId: string) {
  await emails.add('welcome', { userId }, { jobId: randomUUID() });
}

export async function refund(paymentIntent: string) {
  return stripe.refunds.create({ payment_intent: paymentIntent });
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent for a key-like lookup that is not followed by a write of the same model (trap)`, async () => {
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/webhooks.ts': `import { prisma } from './db';

export async function describeEvent(eventId: string) {
  const event = await prisma.webhookEvent.findUnique({ where: { eventId } });
  await prisma.auditLog.create({ data: { action: 'viewed', eventId } });
  return event;
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: an Idempotency-Key header read into a local and checked against redis fires; another header does not (trap)`, async () => {
  const app = (header: string) => `import express from 'express';
import Redis from 'ioredis';
const redis = new Redis(process.env.REDIS_URL!);
const app = express();
export async function createPayment(req: express.Request, res: express.Response) {
  const key = req.headers['${header}'];
  const seen = await redis.get(\`payment:\${key}\`);
  if (seen) return res.json(JSON.parse(seen));
  res.json({ ok: true });
}
app.post('/payments', createPayment);
export default app;
`;
  const fires = await scanModel({ 'src/app.ts': app('idempotency-key') });
  assert.equal(fires.findings.filter((f) => f.rule === RULE && /Idempotency-Key header/.test(f.title)).length, 1);
  const silent = await scanModel({ 'src/app.ts': app('x-request-id') });
  assert.deepEqual(hits(silent, RULE), []);
});
