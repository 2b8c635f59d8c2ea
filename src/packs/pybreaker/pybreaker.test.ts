import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';

test('pybreaker: a function decorated with a breaker, and breaker.call(fn), put the circuitBreaker guard on its calls', async () => {
  const m = await scanModel({
    'app/main.py': `
import pybreaker
import requests
from fastapi import FastAPI
app = FastAPI()
rates_breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30)

@rates_breaker
def fetch_rates():
    return requests.get("https://rates.example.com/eur", timeout=3).json()

def fetch_geo(ip):
    return requests.get(f"https://geo.example.com/{ip}", timeout=3).json()

def fetch_weather():
    return requests.get("https://weather.example.com/now", timeout=3).json()

@app.get("/quote")
def quote(ip: str):
    return {"rates": fetch_rates(), "geo": rates_breaker.call(fetch_geo, ip), "weather": fetch_weather()}
`,
  });
  const g = (host: string) => m.edges.find((e) => e.to === `external:${host}`)?.guards.circuitBreaker ?? false;
  assert.equal(g('rates.example.com'), true);
  assert.equal(g('geo.example.com'), true);
  assert.equal(g('weather.example.com'), false);
});

test('circuitbreaker: @circuit(...) guards the decorated function', async () => {
  const m = await scanModel({
    'app/main.py': `
import httpx
from circuitbreaker import circuit
from fastapi import FastAPI
app = FastAPI()

@circuit(failure_threshold=3, recovery_timeout=20)
def lookup(sku):
    return httpx.get(f"https://inventory.example.com/{sku}").json()

@app.get("/stock/{sku}")
def stock(sku: str):
    return lookup(sku)
`,
  });
  assert.equal(m.edges.find((e) => e.to === 'external:inventory.example.com')?.guards.circuitBreaker, true);
});
