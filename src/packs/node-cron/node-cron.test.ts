import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';
import type { Model } from '../../model/types.js';

const entrypoints = (m: Model) => m.nodes.filter((n) => n.kind === 'entrypoint').map((n) => `${n.id} (${(n as { trigger?: string }).trigger})`).sort();

const db = `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`;

test('node-cron / cron: schedules with a function, CronJob constructor and CronJob.from options', async () => {
  const model = await scanModel({
    'src/db.ts': db,
    'src/jobs/reap-sessions.ts': `import cron from 'node-cron';
import { prisma } from '../db';
export async function reapExpiredSessions() {
  await prisma.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
}
cron.schedule('*/15 * * * *', reapExpiredSessions);
`,
    'src/jobs/digest.ts': `import { CronJob } from 'cron';
import { prisma } from '../db';
export const weeklyDigest = CronJob.from({
  cronTime: '0 8 * * 1',
  onTick: async () => {
    await prisma.digest.create({ data: { sentAt: new Date() } });
  },
  start: true,
});
async function rotateApiKeys() {
  await prisma.apiKey.updateMany({ data: { rotated: true } });
}
new CronJob('0 3 * * *', rotateApiKeys).start();
`,
  });
  assert.deepEqual(entrypoints(model), ['entrypoint:cron:reapExpiredSessions (schedule)', 'entrypoint:cron:rotateApiKeys (schedule)', 'entrypoint:cron:weeklyDigest (schedule)']);
  const writers = model.edges.filter((e) => e.to === 'datastore:postgres' && e.kind === 'writes').flatMap((e) => e.entrypoints ?? []);
  assert.ok(writers.includes('entrypoint:cron:weeklyDigest'), 'the onTick function is the handler');
});

test('trigger.dev: scheduled tasks are cron entrypoints, plain tasks run on demand; run() is the handler', async () => {
  const model = await scanModel({
    'src/db.ts': db,
    'src/trigger/invoices.ts': `import { schedules, task } from '@trigger.dev/sdk/v3';
import { prisma } from '../db';
export const closeOverdueInvoices = schedules.task({
  id: 'close-overdue-invoices',
  cron: '0 * * * *',
  run: async () => {
    await prisma.invoice.updateMany({ where: { dueAt: { lt: new Date() } }, data: { status: 'overdue' } });
  },
});
export const renderInvoicePdf = task({
  id: 'render-invoice-pdf',
  retry: { maxAttempts: 3 },
  run: async (payload: { invoiceId: string }) => prisma.invoice.findUnique({ where: { id: payload.invoiceId } }),
});
`,
  });
  assert.deepEqual(entrypoints(model), ['entrypoint:cron:close-overdue-invoices (schedule)', 'entrypoint:worker:render-invoice-pdf (worker)']);
  assert.ok(model.edges.some((e) => e.to === 'datastore:postgres' && (e.entrypoints ?? []).includes('entrypoint:cron:close-overdue-invoices')));
});

test('node-cron: schedule() and task() of other packages are no jobs (trap)', async () => {
  const model = await scanModel({
    'gulpfile.ts': `import { task, series } from 'gulp';
task('build', series(() => Promise.resolve()));
`,
    'src/calendar.ts': `import { Scheduler } from './scheduler';
const scheduler = new Scheduler();
scheduler.schedule('0 9 * * *', () => 'standup');
`,
    'src/scheduler.ts': `export class Scheduler { schedule(_spec: string, _fn: () => string) { return this; } }
`,
  });
  assert.deepEqual(entrypoints(model), []);
});
