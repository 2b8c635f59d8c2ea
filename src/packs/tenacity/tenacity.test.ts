import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';
import { tenacityGuards } from './index.js';

test('tenacity: stop/wait strategies become retries, backoff and jitter guards on the decorated function', async () => {
  const m = await scanModel({
    'app/main.py': `
import requests
from fastapi import FastAPI
from tenacity import retry, stop_after_attempt, wait_exponential, wait_random, wait_fixed
app = FastAPI()

@retry(stop=stop_after_attempt(4), wait=wait_exponential(multiplier=1, max=10) + wait_random(0, 1))
def charge():
    return requests.post("https://pay.example.com/charge", timeout=5)

@retry(stop=stop_after_attempt(3), wait=wait_fixed(2))
def ping():
    return requests.get("https://status.example.com", timeout=5)

@app.post("/checkout")
def checkout():
    charge()
    ping()
    return "ok"
`,
  });
  const g = (host: string) => m.edges.find((e) => e.to === `external:${host}`)?.guards;
  assert.deepEqual(g('pay.example.com'), { backoff: 'exponential', jitter: true, retries: 3, timeout: true, timeoutMs: 5000 });
  assert.deepEqual(g('status.example.com'), { backoff: 'fixed', retries: 2, timeout: true, timeoutMs: 5000 });
});

test('tenacity: a bare @retry has no stop and no wait', () => {
  assert.deepEqual(tenacityGuards([]), { backoff: 'none' });
});
