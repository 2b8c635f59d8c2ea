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

const httpRules = async () => (await import('../../rules/index.js')).RULES.filter((r) => r.meta.id === 'http/no-timeout');

test('py-http: a requests Session with a mounted timeout adapter is timed; a plain HTTPAdapter(max_retries=...) sets no timeout', async () => {
  const m = await scanModel({
    'app/http.py': `import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

DEFAULT_TIMEOUT = 5


class TimeoutHTTPAdapter(HTTPAdapter):
    def __init__(self, *args, timeout=DEFAULT_TIMEOUT, **kwargs):
        self.timeout = timeout
        super().__init__(*args, **kwargs)

    def send(self, request, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def build_session(timeout: float) -> requests.Session:
    session = requests.Session()
    adapter = TimeoutHTTPAdapter(timeout=timeout, max_retries=Retry(total=3, backoff_factor=0.5))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


crm = requests.Session()
crm.mount("https://", TimeoutHTTPAdapter())

geo = requests.Session()
geo.mount("https://", HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.3)))
`,
    'app/main.py': `from fastapi import FastAPI
from app.http import crm, geo

app = FastAPI()


@app.get("/contacts/{contact_id}")
def contact(contact_id: str):
    person = crm.get(f"https://crm.example.com/api/contacts/{contact_id}").json()
    person["country"] = geo.get("https://geo.example.com/v1/lookup", params={"ip": person["last_ip"]}).json()["country"]
    return person
`,
  }, { rules: await httpRules() });
  const g = (name: string) => JSON.stringify(m.edges.find((e) => e.to === `external:${name}`)?.guards);
  assert.equal(g('crm.example.com'), '{"timeout":true,"timeoutMs":5000}');
  assert.equal(g('geo.example.com'), '{"backoff":"exponential","retries":3}');
  assert.deepEqual(m.findings.map((f) => `${f.rule} ${f.locations[0].file}:${f.locations[0].line}`), ['http/no-timeout app/main.py:10']);
});

test('py-http: an adapter subclass whose send() does not set a timeout, or a session nothing mounts on, is not timed (traps for the mount rule)', async () => {
  const m = await scanModel({
    'app/main.py': `import requests
from fastapi import FastAPI
from requests.adapters import HTTPAdapter


class LoggingAdapter(HTTPAdapter):
    def send(self, request, **kwargs):
        print("->", request.url)
        return super().send(request, **kwargs)


partners = requests.Session()
partners.mount("https://", LoggingAdapter())
billing = requests.Session()

app = FastAPI()


@app.post("/sync")
def sync():
    partners.post("https://partners.example.com/hooks/sync", json={})
    billing.post("https://billing.example.com/v2/usage", json={}, timeout=4)
    return {"ok": True}
`,
  }, { rules: await httpRules() });
  const g = (name: string) => JSON.stringify(m.edges.find((e) => e.to === `external:${name}`)?.guards);
  assert.equal(g('partners.example.com'), '{}');
  assert.equal(g('billing.example.com'), '{"timeout":true,"timeoutMs":4000}');
  assert.deepEqual(m.findings.map((f) => `${f.rule} ${f.locations[0].file}:${f.locations[0].line}`), ['http/no-timeout app/main.py:21']);
});

test('py-http: aiohttp — a ClientSession(timeout=ClientTimeout(total=...)) times its calls; the 300 s default counts as no timeout and is reported as such', async () => {
  const m = await scanModel({
    'app/weather.py': `import aiohttp


class WeatherClient:
    def __init__(self) -> None:
        self.session = aiohttp.ClientSession(
            base_url="https://api.weather.example.com",
            timeout=aiohttp.ClientTimeout(total=10, connect=2),
        )

    async def today(self, city: str) -> dict:
        async with self.session.get(f"/v1/today/{city}") as resp:
            resp.raise_for_status()
            return await resp.json()
`,
    'app/main.py': `import aiohttp
import httpx
from fastapi import FastAPI
from app.weather import WeatherClient

app = FastAPI()
weather = WeatherClient()


@app.get("/dashboard/{city}")
async def dashboard(city: str):
    forecast = await weather.today(city)
    async with aiohttp.ClientSession() as session:
        async with session.get("https://quotes.example.com/daily") as resp:
            quote = await resp.json()
        async with session.get("https://status.example.com/summary.json", timeout=aiohttp.ClientTimeout(total=3)) as resp:
            status = await resp.json()
    async with httpx.AsyncClient(base_url="https://news.example.com", timeout=httpx.Timeout(8.0, connect=2.0)) as client:
        news = (await client.get("/top")).json()
    return {"forecast": forecast, "quote": quote, "status": status, "news": news}
`,
  }, { rules: await httpRules() });
  const g = (name: string) => JSON.stringify(m.edges.find((e) => e.to === `external:${name}`)?.guards);
  assert.equal(g('api.weather.example.com'), '{"timeout":true,"timeoutMs":10000}');
  assert.equal(g('quotes.example.com'), '{}');
  assert.equal(g('status.example.com'), '{"timeout":true,"timeoutMs":3000}');
  assert.equal(g('news.example.com'), '{"timeout":true,"timeoutMs":8000}');
  assert.deepEqual(m.findings.map((f) => `${f.rule} ${f.locations[0].file}:${f.locations[0].line}`), ['http/no-timeout app/main.py:14']);
  assert.match(m.findings[0].impact, /aiohttp's default 300 s total timeout/);
});

test('py-http: retries from a mounted adapter (a count, or Retry with backoff_factor); none from Retry(total=0), a setting, or a mount on something else (traps)', async () => {
  const m = await scanModel({
    'app/http.py': `import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from app.settings import settings

billing = requests.Session()
billing.mount("https://", HTTPAdapter(max_retries=3))

retry = Retry(total=0)
search = requests.Session()
search.mount("https://", HTTPAdapter(max_retries=retry))

ledger = requests.Session()
ledger.mount("https://", HTTPAdapter(max_retries=settings.LEDGER_RETRIES))
`,
    'app/settings.py': `import os


class Settings:
    LEDGER_RETRIES = int(os.environ.get("LEDGER_RETRIES", "2"))


settings = Settings()
`,
    'app/main.py': `from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from app.http import billing, ledger, search

app = FastAPI()
app.mount("/static", StaticFiles(directory="static"), name="static")
plain = requests.Session()


@app.get("/invoices/{invoice_id}")
def invoice(invoice_id: str):
    bill = billing.get(f"https://billing.example.com/invoices/{invoice_id}", timeout=5).json()
    bill["hits"] = search.get("https://search.example.com/q", params={"q": invoice_id}, timeout=5).json()
    bill["entries"] = ledger.get("https://ledger.example.com/entries", timeout=5).json()
    bill["fx"] = plain.get("https://fx.example.com/latest", timeout=5).json()
    return bill
`,
  });
  const g = (name: string) => JSON.stringify(m.edges.find((e) => e.to === `external:${name}`)?.guards);
  assert.equal(g('billing.example.com'), '{"backoff":"none","retries":3,"timeout":true,"timeoutMs":5000}');
  assert.equal(g('search.example.com'), '{"timeout":true,"timeoutMs":5000}');
  assert.equal(g('ledger.example.com'), '{"timeout":true,"timeoutMs":5000}');
  assert.equal(g('fx.example.com'), '{"timeout":true,"timeoutMs":5000}');
});

test('py-http: .get() on a response or its .json() data reads a dict — no HTTP call, no unknown-host external (trap); the requests themselves still count', async () => {
  const m = await scanModel({
    'requirements.txt': 'fastapi\nhttpx\nrequests\n',
    'app/main.py': `
import httpx
import requests
from fastapi import FastAPI

app = FastAPI()
client = httpx.AsyncClient(base_url="https://challenges.cloudflare.com/turnstile/v0")

@app.post("/verify")
async def verify(token: str):
    response = await client.post("/siteverify", data={"response": token})
    result = response.json()
    if result.get("success") is not True:
        raise ValueError()
    r2 = requests.get("https://api.example.com/items", timeout=5)
    data = r2.json()
    return data.get("items"), r2.headers.get("etag")
`,
  });
  const calls = m.edges.filter((e) => e.to.startsWith('external:')).flatMap((e) => e.evidence.map((ev) => `${e.to} ${ev.file}:${ev.line}`)).sort();
  assert.deepEqual(calls, ['external:api.example.com app/main.py:15', 'external:challenges.cloudflare.com app/main.py:11']);
});
