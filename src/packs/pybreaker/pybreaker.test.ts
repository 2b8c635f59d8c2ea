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

test('circuitbreaker: @circuitbreaker.circuit(...), a bare @circuit and @circuit(cls=...) guard the function; a project decorator named circuit does not', async () => {
  const m = await scanModel({
    'app/breakers.py': `from circuitbreaker import CircuitBreaker


class PaymentsBreaker(CircuitBreaker):
    FAILURE_THRESHOLD = 5
    RECOVERY_TIMEOUT = 30
    EXPECTED_EXCEPTION = ConnectionError
`,
    'app/util.py': `import functools


def circuit(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)

    return wrapper
`,
    'app/main.py': `import circuitbreaker
import httpx
from circuitbreaker import circuit
from fastapi import FastAPI

from app import util
from app.breakers import PaymentsBreaker

app = FastAPI()


@circuitbreaker.circuit(failure_threshold=5, recovery_timeout=30)
def stock(sku: str) -> dict:
    return httpx.get(f"https://inventory.example.com/v1/stock/{sku}").json()


@circuit
def eur_rate() -> float:
    return httpx.get("https://rates.example.com/latest/eur").json()["rate"]


@circuit(cls=PaymentsBreaker)
def refund(charge_id: str) -> dict:
    return httpx.post(f"https://payments.example.com/v1/refunds/{charge_id}").json()


@util.circuit
def audit(event: dict) -> None:
    httpx.post("https://audit.example.com/events", json=event)


@app.post("/orders/{sku}/cancel")
def cancel(sku: str, charge_id: str):
    audit({"sku": sku})
    return {"stock": stock(sku), "rate": eur_rate(), "refund": refund(charge_id)}
`,
  });
  const g = (host: string) => m.edges.find((e) => e.to === `external:${host}`)?.guards.circuitBreaker ?? false;
  assert.equal(g('inventory.example.com'), true);
  assert.equal(g('rates.example.com'), true);
  assert.equal(g('payments.example.com'), true);
  assert.equal(g('audit.example.com'), false);
});

test('aiobreaker: an async CircuitBreaker used as a decorator guards the coroutine', async () => {
  const m = await scanModel({
    'app/main.py': `from datetime import timedelta

import aiohttp
from aiobreaker import CircuitBreaker
from fastapi import FastAPI

app = FastAPI()
geo_breaker = CircuitBreaker(fail_max=5, timeout_duration=timedelta(seconds=60))


@geo_breaker
async def locate(ip: str) -> dict:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3)) as session:
        async with session.get(f"https://geo.example.com/json/{ip}") as resp:
            return await resp.json()


@app.get("/whereami")
async def whereami(ip: str):
    return await locate(ip)
`,
  });
  assert.deepEqual(m.edges.find((e) => e.to === 'external:geo.example.com')?.guards, { circuitBreaker: true, timeout: true, timeoutMs: 3000 });
});
