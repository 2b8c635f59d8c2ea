import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';

test('py-http: requests without timeout has no timeout guard; httpx defaults to 5 s; a client timeout applies to its calls; hosts from literals and settings names', async () => {
  const m = await scanModel({
    'app/clients.py': `
import httpx
billing = httpx.Client(base_url="https://billing.example.com", timeout=httpx.Timeout(20.0))
`,
    'app/main.py': `
import os
import requests
import httpx
from fastapi import FastAPI
from app.clients import billing
app = FastAPI()
PAYMENTS_API_URL = os.getenv("PAYMENTS_API_URL")

@app.post("/pay")
def pay():
    requests.post(f"{PAYMENTS_API_URL}/charge", json={})
    httpx.get("https://rates.example.com/eur")
    billing.post("/invoices", json={})
    requests.get("https://geo.example.com/ip", timeout=(3.05, 10))
    return "ok"
`,
  });
  const g = (name: string) => JSON.stringify(m.edges.find((e) => e.to === `external:${name}`)?.guards);
  assert.equal(g('payments'), '{}');
  assert.equal(g('rates.example.com'), '{"timeout":true,"timeoutMs":5000}');
  assert.equal(g('billing.example.com'), '{"timeout":true,"timeoutMs":20000}');
  assert.equal(g('geo.example.com'), '{"timeout":true,"timeoutMs":10000}');
});

test('py-http: httpx with timeout=None and aiohttp without ClientTimeout carry no timeout', async () => {
  const m = await scanModel({
    'app/main.py': `
import aiohttp
import httpx
from fastapi import FastAPI
app = FastAPI()

@app.get("/agg")
async def agg():
    async with httpx.AsyncClient(timeout=None) as client:
        await client.get("https://slow.example.com/a")
    async with aiohttp.ClientSession() as session:
        async with session.get("https://other.example.com/b") as resp:
            return await resp.json()
`,
  });
  assert.deepEqual(m.edges.filter((e) => e.to.startsWith('external:')).map((e) => `${e.to} ${JSON.stringify(e.guards)}`).sort(), ['external:other.example.com {}', 'external:slow.example.com {}']);
});
