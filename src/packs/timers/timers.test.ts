import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';
import type { Model } from '../../model/types.js';

const timers = (m: Model) => m.nodes.filter((n) => n.kind === 'entrypoint' && n.id.startsWith('entrypoint:interval:')).map((n) => `${n.id} (${(n as { trigger?: string }).trigger})`).sort();
const reachedBy = (m: Model, target: string) => m.edges.filter((e) => e.to === target).flatMap((e) => e.entrypoints ?? []);

const db = `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`;

test('setInterval: a timer whose handler reaches a datastore or an API is a scheduled entrypoint', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'api', dependencies: { express: '^4', '@prisma/client': '^5', axios: '^1' } }),
    'src/db.ts': db,
    'src/jobs/sessions.ts': `import { prisma } from '../db';
export async function reapExpiredSessions() {
  await prisma.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
}
setInterval(reapExpiredSessions, 15 * 60 * 1000);
`,
    'src/jobs/outbox.ts': `import axios from 'axios';
import { prisma } from '../db';
export function startOutboxRelay() {
  setInterval(async () => {
    const rows = await prisma.outbox.findMany({ where: { sentAt: null }, take: 50 });
    for (const row of rows) await axios.post('https://hooks.partner.example.com/events', row.payload, { timeout: 5000 });
  }, 5000);
}
`,
    'src/search/indexer.ts': `import { prisma } from '../db';
export class SearchIndexer {
  private timer: NodeJS.Timeout;
  constructor() {
    this.timer = setInterval(() => void this.reindexChanged(), 60_000);
  }
  private async reindexChanged() {
    const docs = await prisma.document.findMany({ where: { indexedAt: null } });
    await prisma.document.updateMany({ where: { id: { in: docs.map((d) => d.id) } }, data: { indexedAt: new Date() } });
  }
}
`,
  });
  assert.deepEqual(timers(model), ['entrypoint:interval:SearchIndexer (schedule)', 'entrypoint:interval:reapExpiredSessions (schedule)', 'entrypoint:interval:startOutboxRelay (schedule)']);
  assert.ok(reachedBy(model, 'datastore:postgres').includes('entrypoint:interval:reapExpiredSessions'), 'the named handler is traced');
  assert.ok(reachedBy(model, 'external:hooks.partner.example.com').includes('entrypoint:interval:startOutboxRelay'), 'the inline handler is traced');
  const ep = model.nodes.find((n) => n.id === 'entrypoint:interval:reapExpiredSessions')!;
  assert.deepEqual(ep.evidence[0], { file: 'src/jobs/sessions.ts', line: 5 });
});

test('setInterval traps: memory-only timers, keep-alive pings, browser polling, scripts and a project function named setInterval are not entrypoints', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'repo', private: true, workspaces: ['api', 'web'] }),
    'api/package.json': JSON.stringify({ name: 'api', dependencies: { express: '^4', '@prisma/client': '^5' } }),
    'api/src/db.ts': db,
    'api/src/metrics.ts': `const counters = new Map<string, number>();
export function bump(name: string) { counters.set(name, (counters.get(name) ?? 0) + 1); }
setInterval(() => { counters.clear(); }, 60_000);
`,
    'api/src/cache.ts': `import Redis from 'ioredis';
export const redis = new Redis(process.env.REDIS_URL!);
const keepAlive = setInterval(() => { redis.ping().catch(() => redis.disconnect(true)); }, 30_000);
keepAlive.unref();
`,
    'api/src/scheduler.ts': `import { prisma } from './db';
export function setInterval(job: () => Promise<void>, ms: number) { return prisma.schedule.create({ data: { name: job.name, ms } }); }
`,
    'api/src/boot.ts': `import { setInterval } from './scheduler';
import { prisma } from './db';
async function sendDigest() { await prisma.digest.create({ data: { at: new Date() } }); }
export async function registerDefaults() { await setInterval(sendDigest, 86_400_000); }
`,
    'api/scripts/progress.ts': `import { prisma } from '../src/db';
setInterval(async () => console.log(await prisma.user.count()), 1000);
`,
    'web/package.json': JSON.stringify({ name: 'web', dependencies: { react: '^18', 'react-dom': '^18' } }),
    'web/src/poll.ts': `export function pollStatus(onStatus: (s: unknown) => void) {
  return setInterval(async () => onStatus(await (await fetch('https://status.partner.example.com/api/v2/status.json')).json()), 10_000);
}
`,
  });
  assert.deepEqual(timers(model), []);
});
