import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import noCircuitBreaker from './no-circuit-breaker.js';

const RULE = 'dep/no-circuit-breaker';
const rules = [noCircuitBreaker];

const idpClient = `import axios from 'axios';

export async function introspect(token: string): Promise<{ active: boolean; sub: string }> {
  const { data } = await axios.post(\`\${process.env.IDP_ISSUER_URL}/oauth2/introspect\`, new URLSearchParams({ token }), { timeout: 3000 });
  return data;
}
`;

test(`${RULE}: fires once for the auth middleware calling the IdP on every route (high)`, async () => {
  const model = await scanModel({
    'src/auth/idp.client.ts': idpClient,
    'src/auth/require-auth.ts': `import type { RequestHandler } from 'express';
import { introspect } from './idp.client';

export const requireAuth: RequestHandler = async (req, res, next) => {
  const token = req.headers.authorization?.replace(/^Bearer /, '');
  if (!token) return res.status(401).end();
  const result = await introspect(token);
  if (!result.active) return res.status(401).end();
  res.locals.userId = result.sub;
  next();
};
`,
    'src/app.ts': `import express from 'express';
import { requireAuth } from './auth/require-auth';
const app = express();
app.get('/projects', requireAuth, async (_req, res) => res.json([]));
app.get('/projects/:id', requireAuth, async (req, res) => res.json({ id: req.params.id }));
app.delete('/projects/:id', requireAuth, async (_req, res) => res.status(204).end());
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/auth/idp.client.ts:4']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.equal(f.severity, 'high');
  assert.equal(f.element, 'component:auth');
  assert.match(f.impact, /GET \/projects/);
});

test(`${RULE}: fires (medium) for a payment provider called from one checkout route`, async () => {
  const model = await scanModel({
    'src/billing/checkout.ts': `import Stripe from 'stripe';

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY as string, { timeout: 10000 });

export async function startCheckout(customerId: string, priceId: string) {
  const session = await stripe.checkout.sessions.create({
    mode: 'subscription',
    customer: customerId,
    line_items: [{ price: priceId, quantity: 1 }],
    success_url: 'https://app.example.com/billing?ok=1',
  });
  return session.url;
}
`,
    'src/app.ts': `import express from 'express';
import { startCheckout } from './billing/checkout';
const app = express();
app.post('/checkout', async (req, res) => res.json({ url: await startCheckout(req.body.customerId, req.body.priceId) }));
app.get('/health', (_req, res) => res.json({ ok: true }));
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/billing/checkout.ts:6']);
  assert.equal(model.findings.find((x) => x.rule === RULE)!.severity, 'medium');
});

test(`${RULE}: silent for an OpenAI call behind an opossum breaker, a Cognito call through a wrapper that fires a breaker, and a callback handed to a breaker factory`, async () => {
  const model = await scanModel({
    'src/ai/suggest.ts': `import CircuitBreaker from 'opossum';
import OpenAI from 'openai';

const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY, timeout: 20000 });

async function complete(prompt: string): Promise<string> {
  const res = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] });
  return res.choices[0]?.message?.content ?? '';
}

const breaker = new CircuitBreaker(complete, { timeout: 15000, resetTimeout: 30000 });
breaker.fallback(() => 'Suggestions are unavailable right now.');

export const suggest = (prompt: string) => breaker.fire(prompt);
`,
    'src/auth/cognito.ts': `import { CognitoIdentityProviderClient, GetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import CircuitBreaker from 'opossum';

const cognito = new CognitoIdentityProviderClient({ region: process.env.AWS_REGION });
const cognitoBreaker = new CircuitBreaker((call: () => Promise<unknown>) => call(), { timeout: 5000 });

async function sendCognito<T>(call: () => Promise<T>): Promise<T> {
  return (await cognitoBreaker.fire(call)) as T;
}

export async function currentUser(accessToken: string) {
  return sendCognito(() => cognito.send(new GetUserCommand({ AccessToken: accessToken })));
}
`,
    'src/lib/protect.ts': `import CircuitBreaker from 'opossum';

export function protect<T>(call: () => Promise<T>): CircuitBreaker<[], T> {
  return new CircuitBreaker(call, { timeout: 3000, resetTimeout: 10000 });
}
`,
    'src/fx/rates.ts': `import axios from 'axios';
import { protect } from '../lib/protect';

let latest: ReturnType<typeof protect<{ data: unknown }>> | undefined;

function latestRates() {
  latest ??= protect(() => axios.get('https://rates.example.com/latest', { timeout: 2000 }));
  return latest;
}

export async function rates() {
  const { data } = await latestRates().fire();
  return data;
}
`,
    'src/app.ts': `import express from 'express';
import { suggest } from './ai/suggest';
import { currentUser } from './auth/cognito';
import { rates } from './fx/rates';
const app = express();
app.post('/suggest', async (req, res) => res.json({ text: await suggest(req.body.prompt) }));
app.get('/me', async (req, res) => res.json(await currentUser(String(req.headers.authorization))));
app.get('/rates', async (_req, res) => res.json(await rates()));
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent when only a queue worker calls the service, and for fire-and-forget email`, async () => {
  const model = await scanModel({
    'src/email/mailer.ts': `import { Resend } from 'resend';
const resend = new Resend(process.env.RESEND_API_KEY);
export async function sendWelcome(to: string) {
  await resend.emails.send({ from: 'hello@example.com', to, subject: 'Welcome', html: '<p>Hi</p>' });
}
`,
    'src/worker.ts': `import { Worker } from 'bullmq';
import IORedis from 'ioredis';
import { sendWelcome } from './email/mailer';
const connection = new IORedis(process.env.REDIS_URL as string, { maxRetriesPerRequest: null });
export const welcomeWorker = new Worker('welcome-emails', async (job) => sendWelcome(job.data.email), { connection });
`,
    'src/app.ts': `import express from 'express';
import { sendWelcome } from './email/mailer';
const app = express();
app.post('/signup', async (req, res) => {
  sendWelcome(req.body.email).catch((err) => console.error('welcome email failed', err));
  res.status(201).end();
});
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

// ---- Python ----

const pyBreakerApp = (clients: string) => ({
  'app/integrations/clients.py': clients,
  'app/main.py': `from fastapi import FastAPI
from app.integrations.clients import fetch_rates

app = FastAPI()


@app.get("/quote")
def quote():
    return fetch_rates()


@app.get("/convert")
def convert():
    return fetch_rates()
`,
});

test(`${RULE}: Python — fires on a synchronous requests call to a vendor with no breaker`, async () => {
  const model = await scanModel(pyBreakerApp(`import requests


def fetch_rates():
    return requests.get("https://rates.example.com/eur", timeout=3).json()
`), { rules });
  assert.deepEqual(hits(model, RULE), ['app/integrations/clients.py:5']);
});

test(`${RULE}: Python — fires when the breaker guards another function only`, async () => {
  const model = await scanModel(pyBreakerApp(`import pybreaker
import requests

geo_breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30)


@geo_breaker
def fetch_geo(ip):
    return requests.get(f"https://geo.example.com/{ip}", timeout=3).json()


def fetch_rates():
    return requests.get("https://rates.example.com/eur", timeout=3).json()
`), { rules });
  assert.deepEqual(hits(model, RULE), ['app/integrations/clients.py:13']);
});

test(`${RULE}: Python — silent behind a pybreaker decorator or breaker.call(...)`, async () => {
  const decorated = await scanModel(pyBreakerApp(`import pybreaker
import requests

rates_breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30)


@rates_breaker
def fetch_rates():
    return requests.get("https://rates.example.com/eur", timeout=3).json()
`), { rules });
  assert.deepEqual(hits(decorated, RULE), []);
  const called = await scanModel(pyBreakerApp(`import pybreaker
import requests

rates_breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30)


def _get():
    return requests.get("https://rates.example.com/eur", timeout=3).json()


def fetch_rates():
    return rates_breaker.call(_get)
`), { rules });
  assert.deepEqual(hits(called, RULE), []);
});

test(`${RULE}: Python — silent with a timeout and a fallback (except returning a cached value)`, async () => {
  const model = await scanModel(pyBreakerApp(`import requests

_last = {"eur": 1.0}


def fetch_rates():
    try:
        return requests.get("https://rates.example.com/eur", timeout=3).json()
    except requests.RequestException:
        return _last
`), { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: a fetch wrapper passing its callers' options on — silent where the caller sets a timeout and falls back; elsewhere reported without claiming "no timeout"`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'portfolio', dependencies: { express: '^4' } }),
    'src/fetch/fetch.ts': `export async function fetchWithProxy(input: string, init?: RequestInit) {
  return globalThis.fetch(input, init);
}
`,
    'src/logo/logo.ts': `import { fetchWithProxy } from '../fetch/fetch';
export async function logoFor(domain: string) {
  try {
    const res = await fetchWithProxy('https://icons.example.com/favicon?domain=' + domain, { signal: AbortSignal.timeout(3000) });
    return await res.blob();
  } catch {
    return undefined;
  }
}
export async function testProvider(symbol: string) {
  const res = await fetchWithProxy('https://icons.example.com/quote/' + symbol, { signal: AbortSignal.timeout(3000) });
  return res.json();
}
`,
    'src/server.ts': `import express from 'express';
import { logoFor, testProvider } from './logo/logo';
const app = express();
app.get('/logo/:domain', async (req, res) => res.send(await logoFor(req.params.domain)));
app.post('/admin/providers/:symbol/test', async (req, res) => res.json(await testProvider(req.params.symbol)));
app.listen(3000);
`,
  }, { rules });
  const found = model.findings.filter((f) => f.rule === RULE);
  assert.deepEqual(found.map((f) => f.impact.match(/^(.*?) depends? on/)?.[1]), ['POST /admin/providers/:symbol/test']);
  assert.ok(!/no timeout/.test(found[0].impact), found[0].impact);
});
