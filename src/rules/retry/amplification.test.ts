import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import amplification from './amplification.js';

const RULE = 'retry/amplification';
const rules = [amplification];

const retryLib = `const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface RetryOptions {
  retries: number;
  baseDelayMs: number;
}

export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= options.retries) throw err;
      await sleep(Math.random() * options.baseDelayMs * 2 ** attempt);
    }
  }
}
`;

test(`${RULE}: fires on a retry wrapper around an OpenAI client that keeps its default retries (3 × 3 = 9)`, async () => {
  const model = await scanModel({
    'src/lib/retry.ts': retryLib,
    'src/ai/summarize.ts': `import OpenAI from 'openai';
import { withRetry } from '../lib/retry';

const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY, timeout: 20000 });

export async function summarize(text: string): Promise<string> {
  const res = await withRetry(
    () => openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }] }),
    { retries: 2, baseDelayMs: 500 },
  );
  return res.choices[0]?.message?.content ?? '';
}
`,
    'src/app.ts': `import express from 'express';
import { summarize } from './ai/summarize';
const app = express();
app.post('/summaries', async (req, res) => res.json({ text: await summarize(req.body.text) }));
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/ai/summarize.ts:7']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.match(f.title, /3 × 3 = up to 9 attempts against openai/);
  assert.match(f.impact, /POST \/summaries/);
});

test(`${RULE}: fires on a hand-written loop around an S3 client with default maxAttempts, and on a retry wrapper inside a BullMQ job with attempts`, async () => {
  const model = await scanModel({
    'src/lib/retry.ts': retryLib,
    'src/reports/upload.ts': `import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const s3 = new S3Client({ region: process.env.AWS_REGION });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function uploadReport(key: string, body: string) {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await s3.send(new PutObjectCommand({ Bucket: process.env.REPORTS_BUCKET, Key: key, Body: body }));
    } catch (err) {
      await sleep(200 * 2 ** attempt + Math.random() * 100);
    }
  }
  throw new Error('upload failed');
}
`,
    'src/jobs/queues.ts': `import { Queue } from 'bullmq';
export const QUEUES = { rollups: 'rollups' } as const;
export const rollupsQueue = new Queue(QUEUES.rollups, { defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 2000 } } });
`,
    'src/jobs/rollups.ts': `import { PrismaClient } from '@prisma/client';
import { withRetry } from '../lib/retry';

const prisma = new PrismaClient();

export async function recomputeRollups(userId: string) {
  return withRetry(() => prisma.dailyRollup.deleteMany({ where: { userId } }), { retries: 3, baseDelayMs: 1000 });
}
`,
    'src/worker.ts': `import { Worker } from 'bullmq';
import { recomputeRollups } from './jobs/rollups';
import { QUEUES } from './jobs/queues';
export const rollupsWorker = new Worker(QUEUES.rollups, async (job) => recomputeRollups(job.data.userId));
`,
    'src/app.ts': `import express from 'express';
import { uploadReport } from './reports/upload';
const app = express();
app.put('/reports/:key', async (req, res) => { await uploadReport(req.params.key, req.body.text); res.status(204).end(); });
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/jobs/rollups.ts:7', 'src/reports/upload.ts:9']);
  const job = model.findings.find((x) => x.rule === RULE && x.locations[0].file === 'src/jobs/rollups.ts')!;
  assert.match(job.title, /5 × 4 = up to 20 attempts/);
  const s3 = model.findings.find((x) => x.rule === RULE && x.locations[0].file === 'src/reports/upload.ts')!;
  assert.match(s3.title, /3 × 3 = up to 9 attempts against s3/);
});

test(`${RULE}: silent when the wrapped client has its retries turned off (maxRetries: 0)`, async () => {
  const model = await scanModel({
    'src/lib/retry.ts': retryLib,
    'src/ai/chat.ts': `import Anthropic from '@anthropic-ai/sdk';
import { withRetry } from '../lib/retry';

const anthropic = new Anthropic({ apiKey: process.env.ANTHROPIC_API_KEY, maxRetries: 0, timeout: 20000 });

export async function reply(prompt: string) {
  return withRetry(() => anthropic.messages.create({ model: 'claude-3-5-haiku-latest', max_tokens: 512, messages: [{ role: 'user', content: prompt }] }), { retries: 2, baseDelayMs: 500 });
}
`,
    'src/app.ts': `import express from 'express';
import { reply } from './ai/chat';
const app = express();
app.post('/chat', async (req, res) => res.json(await reply(req.body.prompt)));
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent for SDK-level retries inside a queue job, and for a single retry layer around axios`, async () => {
  const model = await scanModel({
    'src/lib/retry.ts': retryLib,
    'src/exports/export.ts': `import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import axios from 'axios';
import { withRetry } from '../lib/retry';

const s3 = new S3Client({ region: process.env.AWS_REGION, maxAttempts: 3 });

export async function writeExport(key: string, body: string) {
  await s3.send(new PutObjectCommand({ Bucket: process.env.EXPORTS_BUCKET, Key: key, Body: body }));
}

export async function notifyPartner(key: string) {
  await withRetry(() => axios.post('https://hooks.example.com/exports', { key }, { timeout: 3000 }), { retries: 2, baseDelayMs: 250 });
}
`,
    'src/queues.ts': `import { Queue } from 'bullmq';
export const exportsQueue = new Queue('exports', { defaultJobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 10000 } } });
`,
    'src/worker.ts': `import { Worker } from 'bullmq';
import { writeExport } from './exports/export';
export const exportsWorker = new Worker('exports', async (job) => writeExport(job.data.key, job.data.body));
`,
    'src/app.ts': `import express from 'express';
import { notifyPartner } from './exports/export';
const app = express();
app.post('/exports/:key/notify', async (req, res) => { await notifyPartner(req.params.key); res.status(202).end(); });
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});
