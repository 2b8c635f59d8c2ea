import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import unbounded from './unbounded.js';

const RULE = 'retry/unbounded';
const rules = [unbounded];

test(`${RULE}: fires on while(true) retrying a call until it succeeds, on a request path (high)`, async () => {
  const model = await scanModel({
    'src/geo/geocoder.ts': `import axios from 'axios';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function geocode(address: string): Promise<{ lat: number; lng: number }> {
  while (true) {
    try {
      const { data } = await axios.get('https://geo.example.com/v1/search', { params: { q: address }, timeout: 2000 });
      return data.results[0];
    } catch (err) {
      if (axios.isAxiosError(err) && err.response?.status === 400) throw err;
      await sleep(500);
    }
  }
}
`,
    'src/app.ts': `import express from 'express';
import { geocode } from './geo/geocoder';
const app = express();
app.get('/geocode', async (req, res) => res.json(await geocode(String(req.query.q))));
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/geo/geocoder.ts:6']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.equal(f.severity, 'high');
  assert.match(f.impact, /GET \/geocode/);
});

test(`${RULE}: fires on BullMQ attempts of Number.MAX_SAFE_INTEGER and on an ioredis client with maxRetriesPerRequest: null that the cache also uses`, async () => {
  const model = await scanModel({
    'src/lib/redis.ts': `import Redis from 'ioredis';

export const redis = new Redis(process.env.REDIS_URL as string, {
  maxRetriesPerRequest: null,
  enableReadyCheck: true,
});
`,
    'src/cache/cache.service.ts': `import type Redis from 'ioredis';
import { redis } from '../lib/redis';

export class CacheService {
  constructor(private readonly client: Redis) {}

  async get(key: string): Promise<string | null> {
    try {
      return await this.client.get(key);
    } catch {
      return null;
    }
  }
}

export const cache = new CacheService(redis);
`,
    'src/jobs/queues.ts': `import { Queue } from 'bullmq';
import { redis } from '../lib/redis';

export const syncQueue = new Queue('sync', {
  connection: redis,
  defaultJobOptions: { attempts: Number.MAX_SAFE_INTEGER, backoff: { type: 'fixed', delay: 60000 } },
});
`,
    'src/app.ts': `import express from 'express';
import { cache } from './cache/cache.service';
const app = express();
app.get('/profile/:id', async (req, res) => res.json({ cached: await cache.get(\`profile:\${req.params.id}\`) }));
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/jobs/queues.ts:4', 'src/lib/redis.ts:3']);
});

test(`${RULE}: silent for loops bounded by a guarded exit, a shouldRetry(err, attempt) check or a deadline, and for polling, reader and rethrowing loops`, async () => {
  const model = await scanModel({
    'src/lib/retry.ts': `const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function withRetry<T>(fn: () => Promise<T>, options: { retries: number; shouldRetry?: (err: unknown, attempt: number) => boolean }): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= options.retries) throw err;
      await sleep(100 * 2 ** attempt + Math.random() * 100);
    }
  }
}

export async function withPolicy<T>(fn: () => Promise<T>, shouldRetry: (err: unknown, attempt: number) => boolean): Promise<T> {
  let attempt = 0;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      attempt += 1;
      if (!shouldRetry(err, attempt)) throw err;
      await sleep(250 * 2 ** attempt);
    }
  }
}

export async function untilDeadline<T>(fn: () => Promise<T>, budgetMs: number): Promise<T> {
  const deadline = Date.now() + budgetMs;
  while (true) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(200 + Math.random() * 200);
    }
  }
}

export async function drain(reader: { read(): Promise<{ done: boolean; value?: string }> }, onChunk: (c: string) => void) {
  for (;;) {
    try {
      const { done, value } = await reader.read();
      if (done) break;
      onChunk(value ?? '');
    } catch (err) {
      console.warn('skipping a bad chunk', err);
    }
  }
}

export async function firstPage(load: () => Promise<string[]>) {
  while (true) {
    try {
      return await load();
    } catch (err) {
      console.error('load failed', err);
      throw err;
    }
  }
}

export async function runOutboxLoop(processBatch: () => Promise<number>) {
  while (true) {
    try {
      await processBatch();
    } catch (err) {
      console.error('outbox batch failed', err);
    }
    await sleep(1000);
  }
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent for maxRetriesPerRequest: null on a connection used only by BullMQ`, async () => {
  const model = await scanModel({
    'src/worker.ts': `import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';

const connection = new IORedis(process.env.REDIS_URL as string, { maxRetriesPerRequest: null });

export const invoices = new Queue('invoices', { connection, defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 1000 } } });
export const invoiceWorker = new Worker('invoices', async (job) => job.data, { connection, concurrency: 4 });
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

// ---- Python: tenacity, backoff, Celery ----

const pyRetryApp = (decorated: string) => ({
  'app/main.py': `import backoff
import requests
from fastapi import FastAPI
from tenacity import retry, stop_after_attempt, wait_exponential, wait_fixed, wait_random, wait_random_exponential

app = FastAPI()
${decorated}


@app.post("/sync")
def sync():
    return push()
`,
});

test(`${RULE}: Python — fires on a tenacity @retry without stop (it retries forever)`, async () => {
  const model = await scanModel(pyRetryApp(`

@retry(wait=wait_exponential(multiplier=1, max=30))
def push():
    return requests.post("https://crm.example.com/push", timeout=5)
`), { rules });
  assert.deepEqual(hits(model, RULE), ['app/main.py:9']);
  assert.match(model.findings[0].recommendation, /stop_after_attempt/);
});

test(`${RULE}: Python — fires on a Celery task with max_retries=None and on backoff without max_tries`, async () => {
  const model = await scanModel({
    ...pyRetryApp(`

@backoff.on_exception(backoff.expo, requests.RequestException)
def push():
    return requests.post("https://crm.example.com/push", timeout=5)
`),
    'app/tasks.py': `from celery import Celery

celery_app = Celery("app", broker="redis://redis/0")


@celery_app.task(autoretry_for=(Exception,), max_retries=None, retry_backoff=True)
def deliver(webhook_id):
    return webhook_id
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['app/main.py:9', 'app/tasks.py:6']);
});

test(`${RULE}: Python — silent with stop_after_attempt, max_tries and a finite max_retries`, async () => {
  const model = await scanModel({
    ...pyRetryApp(`

@retry(stop=stop_after_attempt(5), wait=wait_random_exponential(max=30))
@backoff.on_exception(backoff.expo, requests.RequestException, max_tries=4)
def push():
    return requests.post("https://crm.example.com/push", timeout=5)
`),
    'app/tasks.py': `from celery import Celery

celery_app = Celery("app", broker="redis://redis/0")


@celery_app.task(autoretry_for=(Exception,), max_retries=5)
def deliver(webhook_id):
    return webhook_id
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});
