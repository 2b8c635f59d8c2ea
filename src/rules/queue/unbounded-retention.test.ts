import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import unboundedRetention from './unbounded-retention.js';

const RULE = 'queue/unbounded-retention';
const rules = [unboundedRetention];

const base = {
  'package.json': JSON.stringify({ name: 'exports-svc', dependencies: { bullmq: '^5.0.0', ioredis: '^5.4.0' } }),
  'src/redis.ts': `import Redis from 'ioredis';
export const connection = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379', { maxRetriesPerRequest: null });
`,
};

test(`${RULE}: fires on a queue with retries but no removal options`, async () => {
  const model = await scanModel({
    ...base,
    'src/queues.ts': `import { Queue } from 'bullmq';
import { connection } from './redis';
export const exportsQueue = new Queue('exports', {
  connection,
  defaultJobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 10_000 } },
});
export async function requestExport(userId: string) {
  await exportsQueue.add('export', { userId }, { jobId: userId });
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/queues.ts:3']);
  assert.match(model.findings[0].title, /completed and failed/);
});

test(`${RULE}: fires when only failed jobs are removed, or removeOnComplete is false`, async () => {
  const model = await scanModel({
    ...base,
    'src/queues.ts': `import { Queue } from 'bullmq';
import { connection } from './redis';
export const thumbnailQueue = new Queue('thumbnails', { connection, defaultJobOptions: { removeOnFail: 500 } });
export const invoiceQueue = new Queue('invoices', { connection, defaultJobOptions: { removeOnComplete: false, removeOnFail: 1000 } });
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/queues.ts:3', 'src/queues.ts:4']);
  assert.doesNotMatch(model.findings.find((f) => f.locations[0].line === 3)!.title, /failed/);
});

test(`${RULE}: silent with removeOnComplete on the defaults, on every add(), or on the Worker (traps)`, async () => {
  const model = await scanModel({
    ...base,
    'src/queues.ts': `import { Queue, Worker } from 'bullmq';
import { connection } from './redis';
export const projectionsQueue = new Queue('projections', {
  connection,
  defaultJobOptions: { attempts: 5, removeOnComplete: { age: 24 * 3600, count: 1000 }, removeOnFail: { age: 7 * 24 * 3600 } },
});
export const digestQueue = new Queue('digests', { connection });
export const cleanupQueue = new Queue('cleanup', { connection });
export async function scheduleDigest(userId: string) {
  await digestQueue.add('daily', { userId }, { removeOnComplete: true, removeOnFail: 100 });
}
export const cleanupWorker = new Worker('cleanup', async () => undefined, { connection, removeOnComplete: { count: 100 }, removeOnFail: { count: 1000 } });
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent when options are not literal, and for queues in scripts (traps)`, async () => {
  const model = await scanModel({
    ...base,
    'src/queues.ts': `import { Queue, type QueueOptions } from 'bullmq';
import { connection } from './redis';
import { loadQueueOptions } from './queue-options';
export const mailQueue = new Queue('mail', loadQueueOptions(connection));
`,
    'src/queue-options.ts': `import type { QueueOptions } from 'bullmq';
export function loadQueueOptions(connection: unknown): QueueOptions {
  return { connection, defaultJobOptions: { removeOnComplete: 1000 } } as QueueOptions;
}
`,
    'scripts/replay.ts': `import { Queue } from 'bullmq';
const replay = new Queue('replay', { connection: { host: 'localhost', port: 6379 } });
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});
