import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import insertRace from './insert-race.js';

const RULE = 'db/insert-race';
const rules = [insertRace];

const schema = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id         String @id @default(uuid())
  externalId String @unique
  email      String
  handle     String? @unique
}

model Waitlist {
  id        String @id @default(uuid())
  email     String
  source    String
}

model Referral {
  id     String @id @default(uuid())
  code   String @unique
  userId String
}
`;

const prismaModule = `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`;

const app = `import express from 'express';
import { joinWaitlist } from './waitlist';
import { resolveUser } from './users';
const app = express();
app.post('/waitlist', async (req, res) => res.json(await joinWaitlist(req.body.email, 'landing')));
app.get('/me', async (req, res) => res.json(await resolveUser(String(req.headers['x-subject']), String(req.headers['x-email']))));
export default app;
`;

test(`${RULE}: medium without a unique constraint, low when the constraint exists but the violation is not handled (insert, and check-then-update of a unique handle)`, async () => {
  const model = await scanModel({
    'prisma/schema.prisma': schema,
    'src/db.ts': prismaModule,
    'src/waitlist.ts': `import { prisma } from './db';
export async function joinWaitlist(email: string, source: string) {
  const existing = await prisma.waitlist.findFirst({ where: { email } });
  if (existing) return existing;
  return prisma.waitlist.create({ data: { email, source } });
}
`,
    'src/users.ts': `import { prisma } from './db';
export async function resolveUser(subject: string, email: string) {
  let user = await prisma.user.findUnique({ where: { externalId: subject } });
  if (!user) {
    user = await prisma.user.create({ data: { externalId: subject, email: email.toLowerCase() } });
  }
  return user;
}

export async function changeHandle(userId: string, handle: string) {
  const taken = await prisma.user.findUnique({ where: { handle } });
  if (taken) throw new Error('Handle is already taken');
  return prisma.user.update({ where: { id: userId }, data: { handle } });
}
`,
    'src/app.ts': app,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/users.ts:10', 'src/users.ts:2', 'src/waitlist.ts:2']);
  const sev = Object.fromEntries(model.findings.filter((x) => x.rule === RULE).map((x) => [`${x.locations[0].file}:${x.locations[0].line}`, x.severity]));
  assert.deepEqual(sev, { 'src/users.ts:2': 'low', 'src/users.ts:10': 'low', 'src/waitlist.ts:2': 'medium' });
  const waitlist = model.findings.find((x) => x.rule === RULE && x.locations[0].file === 'src/waitlist.ts')!;
  assert.match(waitlist.impact, /POST \/waitlist/);
  assert.deepEqual(waitlist.locations.slice(1).map((l) => l.line), [3, 5]);
});

test(`${RULE}: fires on a raw SELECT then INSERT without ON CONFLICT, through a repository`, async () => {
  const model = await scanModel({
    'src/db.ts': `import { Pool } from 'pg';
export const pool = new Pool({ max: 10 });
`,
    'src/plans.repository.ts': `import { pool } from './db';
export async function findPlan(userId: string, day: string) {
  const { rows } = await pool.query('SELECT id, items FROM daily_plans WHERE user_id = $1 AND plan_date = $2', [userId, day]);
  return rows[0];
}
export async function insertPlan(userId: string, day: string, items: unknown) {
  const { rows } = await pool.query('INSERT INTO daily_plans (user_id, plan_date, items) VALUES ($1, $2, $3) RETURNING *', [userId, day, items]);
  return rows[0];
}
`,
    'src/plans.service.ts': `import { findPlan, insertPlan } from './plans.repository';
export async function todayPlan(userId: string, day: string) {
  const plan = await findPlan(userId, day);
  if (plan) return plan;
  return insertPlan(userId, day, []);
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/plans.service.ts:2']);
});

test(`${RULE}: silent for upsert, ON CONFLICT, a handled P2002 and a check-then-create inside $transaction (trap)`, async () => {
  const model = await scanModel({
    'prisma/schema.prisma': schema,
    'src/db.ts': prismaModule,
    'src/users.ts': `import { Prisma } from '@prisma/client';
import { prisma } from './db';
import { pool } from './pg';

export async function resolveUser(subject: string, email: string) {
  return prisma.user.upsert({ where: { externalId: subject }, create: { externalId: subject, email }, update: {} });
}

export async function claimReferral(code: string, userId: string) {
  const existing = await prisma.referral.findUnique({ where: { code } });
  if (existing) return existing;
  try {
    return await prisma.referral.create({ data: { code, userId } });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return prisma.referral.findUniqueOrThrow({ where: { code } });
    throw err;
  }
}

export async function joinWaitlist(email: string, source: string) {
  return prisma.$transaction(async (tx) => {
    const existing = await tx.waitlist.findFirst({ where: { email } });
    if (existing) return existing;
    return tx.waitlist.create({ data: { email, source } });
  }, { isolationLevel: Prisma.TransactionIsolationLevel.Serializable });
}

export async function todayPlan(userId: string, day: string) {
  const { rows } = await pool.query('SELECT id FROM daily_plans WHERE user_id = $1 AND plan_date = $2', [userId, day]);
  if (rows[0]) return rows[0];
  return pool.query('INSERT INTO daily_plans (user_id, plan_date) VALUES ($1, $2) ON CONFLICT (user_id, plan_date) DO NOTHING RETURNING *', [userId, day]);
}
`,
    'src/pg.ts': `import { Pool } from 'pg';
export const pool = new Pool({ max: 10 });
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent when the create does not write every field that was checked, e.g. a lookup by id (trap)`, async () => {
  const model = await scanModel({
    'prisma/schema.prisma': schema,
    'src/db.ts': prismaModule,
    'src/referrals.ts': `import { prisma } from './db';

export async function issueReferral(userId: string, input: { code: string; userId: string }) {
  const user = await prisma.user.findUnique({ where: { id: userId } });
  if (!user) throw new Error('unknown user');
  const mine = await prisma.referral.findFirst({ where: { userId } });
  const referral = await prisma.referral.create({ data: { ...input } });
  return { user, mine, referral };
}

export async function renameUser(userId: string, email: string) {
  const user = await prisma.user.findUnique({ where: { id: userId } });
  if (!user) throw new Error('unknown user');
  return prisma.user.update({ where: { id: userId }, data: { email } });
}

export async function openConversation(userId: string, conversationId: string, title: string) {
  const conversation = await prisma.conversation.findFirst({ where: { id: conversationId, userId } });
  if (conversation) return conversation;
  return prisma.conversation.create({ data: { userId, title } });
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});
