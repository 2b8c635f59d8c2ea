import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import noBackoff from './no-backoff.js';

const RULE = 'retry/no-backoff';
const rules = [noBackoff];

const routes = (imp: string, route: string) => `import express from 'express';
${imp}
const app = express();
${route}
export default app;
`;

test(`${RULE}: fires on a retry loop that sleeps a constant delay`, async () => {
  const model = await scanModel({
    'src/shipping/carrier.client.ts': `import axios from 'axios';

const RETRY_DELAY_MS = 1000;
const MAX_ATTEMPTS = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function createLabel(orderId: string) {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    try {
      const { data } = await axios.post('https://api.carrier.example.com/labels', { orderId }, { timeout: 5000 });
      return data;
    } catch (err) {
      if (attempt === MAX_ATTEMPTS) throw err;
      await sleep(RETRY_DELAY_MS);
    }
  }
  throw new Error('unreachable');
}
`,
    'src/app.ts': routes(`import { createLabel } from './shipping/carrier.client';`, `app.post('/orders/:id/label', async (req, res) => res.json(await createLabel(req.params.id)));`),
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/shipping/carrier.client.ts:8']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.equal(f.severity, 'medium');
  assert.match(f.impact, /1 s/);
  assert.match(f.impact, /POST \/orders\/:id\/label/);
});

test(`${RULE}: fires on BullMQ jobs with attempts but no backoff, and on axios-retry without retryDelay`, async () => {
  const model = await scanModel({
    'src/queues.ts': `import { Queue } from 'bullmq';
import IORedis from 'ioredis';

const connection = new IORedis(process.env.REDIS_URL as string, { maxRetriesPerRequest: null });

export const webhooksQueue = new Queue('webhooks', {
  connection,
  defaultJobOptions: { attempts: 5, removeOnComplete: 1000 },
});
`,
    'src/partner.client.ts': `import axios from 'axios';
import axiosRetry from 'axios-retry';

export const partner = axios.create({ baseURL: 'https://partner.example.com', timeout: 3000 });
axiosRetry(partner, { retries: 3 });
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/partner.client.ts:5', 'src/queues.ts:6']);
});

test(`${RULE}: silent for capped exponential backoff with jitter, including a delay computed by a helper (trap)`, async () => {
  const model = await scanModel({
    'src/lib/backoff.ts': `export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.round(Math.random() * Math.min(maxMs, baseMs * 2 ** attempt));
}
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
`,
    'src/lib/retry.ts': `import { backoffDelay, sleep } from './backoff';

export async function withRetry<T>(fn: () => Promise<T>, retries = 3): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= retries) throw err;
      const delay = backoffDelay(attempt, 200, 5000);
      await sleep(delay);
    }
  }
}

export async function fetchWithRetry(url: string) {
  let attempt = 0;
  while (attempt < 5) {
    try {
      return await fetch(url, { signal: AbortSignal.timeout(2000) });
    } catch (err) {
      attempt += 1;
      const exp = Math.min(8000, 250 * 2 ** attempt);
      await new Promise((r) => setTimeout(r, exp / 2 + Math.random() * (exp / 2)));
    }
  }
  throw new Error('gave up');
}
`,
    'src/queues.ts': `import { Queue } from 'bullmq';
export const reportsQueue = new Queue('reports', { defaultJobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 5000 } } });
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent for a failover loop over hosts and a polling loop (not retries)`, async () => {
  const model = await scanModel({
    'src/dns.ts': `const RESOLVERS = ['https://1.1.1.1/dns-query', 'https://8.8.8.8/resolve'];

export async function resolveTxt(name: string) {
  for (let i = 0; i < RESOLVERS.length; i++) {
    try {
      const res = await fetch(\`\${RESOLVERS[i]}?name=\${name}&type=TXT\`, { signal: AbortSignal.timeout(1000) });
      return await res.json();
    } catch {
      continue;
    }
  }
  return null;
}

export async function pollExports(check: () => Promise<void>, stopped: () => boolean) {
  while (!stopped()) {
    try {
      await check();
    } catch (err) {
      console.error('poll failed', err);
    }
    await new Promise((r) => setTimeout(r, 5000));
  }
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: exponential backoff without jitter is reported at low severity`, async () => {
  const model = await scanModel({
    'src/sync.ts': `import axios from 'axios';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export async function pushInventory(items: unknown[]) {
  let delay = 500;
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      return await axios.put('https://erp.example.com/inventory', items, { timeout: 5000 });
    } catch (err) {
      await sleep(delay);
      delay *= 2;
    }
  }
  throw new Error('inventory push failed');
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/sync.ts:5']);
  assert.equal(model.findings.find((x) => x.rule === RULE)!.severity, 'low');
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

test(`${RULE}: Python — fires on tenacity with a fixed wait and no jitter, and on a stop without any wait`, async () => {
  const model = await scanModel(pyRetryApp(`

@retry(stop=stop_after_attempt(5), wait=wait_fixed(2))
def push():
    return requests.post("https://crm.example.com/push", timeout=5)


@retry(stop=stop_after_attempt(3))
def pull():
    return requests.get("https://crm.example.com/pull", timeout=5)


@app.get("/pull")
def do_pull():
    return pull()


@retry(stop=stop_after_attempt(10), wait=wait_fixed(1))
def wait_for_db():
    return requests.get("http://db-proxy/health", timeout=1)
`), { rules });
  assert.deepEqual(hits(model, RULE), ['app/main.py:14', 'app/main.py:9'], 'wait_for_db runs for no entrypoint (a start-up check)');
  assert.match(model.findings[0].recommendation, /wait_random_exponential/);
});

test(`${RULE}: Python — silent on exponential waits with jitter (wait_exponential + wait_random, wait_random_exponential, backoff.expo)`, async () => {
  const model = await scanModel(pyRetryApp(`

@retry(stop=stop_after_attempt(5), wait=wait_exponential(max=10) + wait_random(0, 1))
def push():
    return requests.post("https://crm.example.com/push", timeout=5)


@retry(stop=stop_after_attempt(5), wait=wait_random_exponential(max=30))
def pull():
    return requests.get("https://crm.example.com/pull", timeout=5)


@backoff.on_exception(backoff.expo, requests.RequestException, max_tries=5)
def ping():
    return requests.get("https://crm.example.com/ping", timeout=5)
`), { rules });
  assert.deepEqual(hits(model, RULE), []);
});
