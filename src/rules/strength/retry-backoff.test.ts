import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import retryBackoff from './retry-backoff.js';

const RULE = 'strength/retry-backoff';
const rules = [retryBackoff];

test(`${RULE}: reports a bounded retry wrapper with exponential backoff and jitter (the helper is not reported on its own)`, async () => {
  const model = await scanModel({
    'src/lib/retry.ts': `export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
  return Math.round(Math.random() * ceiling);
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: { retries: number; baseDelayMs: number; maxDelayMs: number }): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= options.retries) throw err;
      await sleep(backoffDelay(attempt, options.baseDelayMs, options.maxDelayMs));
    }
  }
}
`,
    'src/lib/database.service.ts': `import { sleep } from './retry';

export const DEFAULT_RETRY_CONFIG = { maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 10000 };

export class DatabaseService {
  constructor(private readonly config = DEFAULT_RETRY_CONFIG) {}

  async executeWithRetry<T>(operation: () => Promise<T>): Promise<T> {
    let attempt = 0;
    for (;;) {
      try {
        return await operation();
      } catch (err) {
        if (attempt >= this.config.maxRetries) throw err;
        const exponential = Math.min(this.config.maxDelayMs, this.config.baseDelayMs * 2 ** attempt);
        const delayMs = Math.floor(exponential / 2 + Math.random() * (exponential / 2));
        attempt += 1;
        await sleep(delayMs);
      }
    }
  }
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/lib/database.service.ts:8', 'src/lib/retry.ts:8']);
  const db = model.findings.find((x) => x.rule === RULE && x.locations[0].file === 'src/lib/database.service.ts')!;
  assert.match(db.impact, /4 attempts in all/);
});

test(`${RULE}: reports BullMQ exponential backoff and a stored retry schedule`, async () => {
  const model = await scanModel({
    'src/queues.ts': `import { Queue } from 'bullmq';
export const emailsQueue = new Queue('emails', {
  defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: 1000 },
});
`,
    'src/outbox.ts': `import { PrismaClient } from '@prisma/client';

const prisma = new PrismaClient();
const BASE_DELAY_MS = 5000;
const MAX_DELAY_MS = 300000;

export async function scheduleRetry(id: string, retryCount: number): Promise<void> {
  const exponential = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (retryCount - 1));
  const delayMs = exponential / 2 + Math.random() * (exponential / 2);
  await prisma.outboxEvent.update({ where: { id }, data: { retryCount, nextAttemptAt: new Date(Date.now() + delayMs) } });
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/outbox.ts:7', 'src/queues.ts:2']);
  assert.match(model.findings.find((x) => x.locations[0].file === 'src/queues.ts')!.recommendation, /jitter/);
});

test(`${RULE}: silent for a fixed-delay retry loop and an unbounded exponential one`, async () => {
  const model = await scanModel({
    'src/sync.ts': `const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function pushOnce(send: () => Promise<void>) {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await send();
    } catch {
      await sleep(1000);
    }
  }
}

export async function pushForever(send: () => Promise<void>) {
  let attempt = 0;
  while (true) {
    try {
      return await send();
    } catch {
      attempt++;
      await sleep(Math.random() * 100 * 2 ** attempt);
    }
  }
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent for BullMQ fixed backoff and for a backoff helper nobody persists`, async () => {
  const model = await scanModel({
    'src/queues.ts': `import { Queue } from 'bullmq';
export const webhooks = new Queue('webhooks', { defaultJobOptions: { attempts: 3, backoff: { type: 'fixed', delay: 5000 } } });
`,
    'src/lib/backoff.ts': `export function retryDelay(attempt: number): number {
  return Math.random() * Math.min(30000, 100 * 2 ** attempt);
}
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

test(`${RULE}: Python — reports tenacity and Celery retries with exponential backoff and jitter`, async () => {
  const model = await scanModel({
    ...pyRetryApp(`

@retry(stop=stop_after_attempt(5), wait=wait_random_exponential(max=30))
def push():
    return requests.post("https://crm.example.com/push", timeout=5)
`),
    'app/tasks.py': `from celery import Celery

celery_app = Celery("app", broker="redis://redis/0")


@celery_app.task(autoretry_for=(Exception,), max_retries=5, retry_backoff=True)
def deliver(webhook_id):
    return webhook_id
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['app/main.py:9', 'app/tasks.py:6']);
});

test(`${RULE}: Python — silent on fixed waits and on unbounded retries`, async () => {
  const model = await scanModel(pyRetryApp(`

@retry(stop=stop_after_attempt(5), wait=wait_fixed(1))
def push():
    return requests.post("https://crm.example.com/push", timeout=5)


@retry(wait=wait_random_exponential(max=30))
def pull():
    return requests.get("https://crm.example.com/pull", timeout=5)
`), { rules });
  assert.deepEqual(hits(model, RULE), []);
});
