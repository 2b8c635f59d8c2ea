import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import nPlusOne from './n-plus-one.js';

const RULE = 'db/n-plus-one';
const rules = [nPlusOne];

const prismaModule = `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`;

test(`${RULE}: fires on Promise.all(items.map(...)) reaching a query through a repository`, async () => {
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/decks.repository.ts': `import { prisma } from './db';
export async function cardCount(deckId: string) {
  return prisma.card.count({ where: { deckId, archivedAt: null } });
}
`,
    'src/decks.ts': `import express from 'express';
import { prisma } from './db';
import { cardCount } from './decks.repository';

const app = express();

app.get('/decks', async (req, res) => {
  const decks = await prisma.deck.findMany({ where: { ownerId: String(req.query.owner) }, take: 50 });
  const stats = await Promise.all(decks.map(async (deck) => ({ id: deck.id, cards: await cardCount(deck.id) })));
  res.json(stats);
});

export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/decks.ts:9']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.match(f.impact, /GET \/decks/);
  assert.deepEqual(f.locations.map((l) => `${l.file}:${l.line}`), ['src/decks.ts:9', 'src/decks.repository.ts:3']);
});

test(`${RULE}: fires on a findFirst in a for...of and on per-item upserts inside a transaction, at the loop`, async () => {
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/invoices.ts': `import { prisma } from './db';

export async function overdueReminders(accountId: string) {
  const invoices = await prisma.invoice.findMany({ where: { accountId, status: 'OVERDUE' }, take: 200 });
  const reminders = [];
  for (const invoice of invoices) {
    const contact = await prisma.contact.findFirst({ where: { customerId: invoice.customerId, primary: true } });
    if (contact) reminders.push({ email: contact.email, invoiceId: invoice.id });
  }
  return reminders;
}

export async function applyChanges(userId: string, changes: { id: string; value: number }[]) {
  await prisma.$transaction(async (tx) => {
    for (const change of changes) {
      await tx.sample.upsert({ where: { id: change.id }, create: { id: change.id, userId, value: change.value }, update: { value: change.value } });
    }
  });
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/invoices.ts:15', 'src/invoices.ts:6']);
  const upserts = model.findings.find((x) => x.rule === RULE && x.locations[0].line === 15)!;
  assert.match(upserts.impact, /transaction/);
  assert.match(upserts.recommendation, /createMany|ON CONFLICT/);
});

test(`${RULE}: silent for batched reads and writes, cursor pagination, retry loops and per-event status writes of a dispatch loop (trap)`, async () => {
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/queues.ts': `import { Queue } from 'bullmq';
import IORedis from 'ioredis';
export const notifications = new Queue('notifications', { connection: new IORedis(process.env.REDIS_URL!) });
`,
    'src/exports.ts': `import { prisma } from './db';
import { notifications } from './queues';

const PAGE = 500;

export async function exportSamples(userId: string, ids: string[]) {
  const rows = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await prisma.sample.findMany({ where: { userId }, orderBy: { id: 'asc' }, take: PAGE, ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}) });
    rows.push(...page);
    if (page.length < PAGE) break;
    cursor = page[page.length - 1].id;
  }
  for (const chunk of [ids.slice(0, 100), ids.slice(100)]) {
    rows.push(...(await prisma.sample.findMany({ where: { id: { in: chunk } }, take: 100 })));
  }
  for (let attempt = 1; attempt <= 3; attempt++) {
    const lock = await prisma.exportLock.findFirst({ where: { userId } });
    if (!lock) break;
  }
  return rows;
}

export async function dispatchEvents(events: { id: string; payload: Record<string, unknown> }[]) {
  for (const event of events) {
    await notifications.add('deliver', event.payload, { jobId: event.id });
    await prisma.outboxEvent.update({ where: { id: event.id }, data: { status: 'SENT' } });
  }
}

export async function importChunks(userId: string, chunks: { value: number }[][]) {
  for (const chunk of chunks) {
    await prisma.sample.createMany({ data: chunk.map((c) => ({ userId, value: c.value })), skipDuplicates: true });
  }
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent for constant small lists and Promise.all over findUnique (dataloader-batched) (trap)`, async () => {
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/dashboard.ts': `import { prisma } from './db';

const STATUSES = ['OPEN', 'PENDING', 'CLOSED'] as const;

export async function dashboard(orgId: string, memberIds: string[]) {
  const counts: Record<string, number> = {};
  for (const status of STATUSES) {
    counts[status] = await prisma.ticket.count({ where: { orgId, status } });
  }
  const members = await Promise.all(memberIds.map((id) => prisma.user.findUnique({ where: { id } })));
  const [open, closed] = await Promise.all(['OPEN', 'CLOSED'].map((status) => prisma.ticket.findFirst({ where: { orgId, status }, orderBy: { createdAt: 'desc' } })));
  return { counts, members, open, closed };
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent for a small constant list imported from a constants module, fires for a long one (trap)`, async () => {
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/constants/workspace.ts': `export const DEFAULT_CHANNELS: { slug: string; topic: string }[] = [
  { slug: 'general', topic: 'Company-wide announcements' },
  { slug: 'random', topic: 'Everything else' },
  { slug: 'help', topic: 'Questions for the team' },
] as const;

export const HOLIDAY_CODES = ['NY', 'MLK', 'PRES', 'MEM', 'JUN', 'IND', 'LAB', 'COL', 'VET', 'THX', 'XMAS', 'BOX'];
`,
    'src/workspaces.ts': `import express from 'express';
import { prisma } from './db';
import { DEFAULT_CHANNELS, HOLIDAY_CODES } from './constants/workspace';

const app = express();

app.post('/workspaces', async (req, res) => {
  const workspace = await prisma.$transaction(async (tx) => {
    const created = await tx.workspace.create({ data: { name: String(req.body.name) } });
    await Promise.all(DEFAULT_CHANNELS.map((channel) => tx.channel.create({ data: { ...channel, workspaceId: created.id } })));
    return created;
  });
  res.status(201).json(workspace);
});

app.post('/workspaces/:id/holidays', async (req, res) => {
  for (const code of HOLIDAY_CODES) {
    await prisma.holiday.create({ data: { code, workspaceId: req.params.id } });
  }
  res.sendStatus(204);
});

export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/workspaces.ts:17']);
});

test(`${RULE}: a small constant list imported through a tsconfig path alias (\`@/lib/constants\`) is as small (trap); a long one still fires`, async () => {
  const model = await scanModel({
    'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['./src/*'] } } }),
    'src/lib/db.ts': prismaModule,
    'src/lib/constants.ts': `export const UTM_PARAMS = ['utm_campaign', 'utm_content', 'utm_medium', 'utm_source', 'utm_term'];
export const COUNTRY_CODES = ['AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU'];
`,
    'src/reports.ts': `import express from 'express';
import { prisma } from '@/lib/db';
import { COUNTRY_CODES, UTM_PARAMS } from '@/lib/constants';

const app = express();

app.get('/reports/:websiteId/utm', async (req, res) => {
  const data: Record<string, number> = {};
  for (const key of UTM_PARAMS) {
    data[key] = await prisma.event.count({ where: { websiteId: req.params.websiteId, [key]: { not: null } } });
  }
  res.json(data);
});

app.get('/reports/:websiteId/countries', async (req, res) => {
  const data: Record<string, number> = {};
  for (const code of COUNTRY_CODES) {
    data[code] = await prisma.session.count({ where: { websiteId: req.params.websiteId, country: code } });
  }
  res.json(data);
});

export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/reports.ts:17']);
});

test(`${RULE}: silent in a data migration, which runs once; the same loop in a service fires (trap)`, async () => {
  const loop = `import { prisma } from '../db';
export async function backfill() {
  const orgs = await prisma.organization.findMany();
  for (const org of orgs) {
    await prisma.environment.updateMany({ where: { organizationId: org.id }, data: { expireAt: null } });
    await prisma.member.findFirst({ where: { organizationId: org.id } });
  }
}
`;
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/migrations/20240101-expire-at.ts': loop,
    'src/services/backfill.ts': loop,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/services/backfill.ts:4']);
});
