import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import noTimeout from './no-timeout.js';

const RULE = 'http/no-timeout';
const rules = [noTimeout];

const app = (imports: string, routes: string) => `import express from 'express';
${imports}
const app = express();
app.use(express.json());
${routes}
export default app;
`;

test(`${RULE}: fires on axios.post with headers but no timeout, at the call`, async () => {
  const model = await scanModel({
    'src/auth/idp.client.ts': `import axios from 'axios';

export async function introspect(token: string): Promise<{ active: boolean; sub: string }> {
  const { data } = await axios.post(
    \`\${process.env.IDP_ISSUER_URL}/protocol/openid-connect/token/introspect\`,
    new URLSearchParams({ token }),
    { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
  );
  return data;
}
`,
    'src/app.ts': app(`import { introspect } from './auth/idp.client';`, `app.get('/me', async (req, res) => res.json(await introspect(String(req.headers.authorization))));`),
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/auth/idp.client.ts:4']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.match(f.impact, /GET \/me/);
  assert.match(f.recommendation, /timeout: 5000/);
});

test(`${RULE}: fires once at an axios.create instance without timeout used from another file, and at a Resend client`, async () => {
  const model = await scanModel({
    'src/clients/billing.client.ts': `import axios from 'axios';

export const billingApi = axios.create({
  baseURL: process.env.BILLING_API_URL,
  headers: { 'X-Api-Key': process.env.BILLING_API_KEY ?? '' },
});
`,
    'src/invoices/invoice.service.ts': `import { billingApi } from '../clients/billing.client';

export async function listInvoices(customerId: string) {
  const { data } = await billingApi.get(\`/customers/\${customerId}/invoices\`);
  return data;
}

export async function voidInvoice(invoiceId: string) {
  await billingApi.post(\`/invoices/\${invoiceId}/void\`, {});
}
`,
    'src/email/mailer.ts': `import { Resend } from 'resend';

export class Mailer {
  private readonly resend = new Resend(process.env.RESEND_API_KEY);

  async sendReceipt(to: string, html: string): Promise<void> {
    await this.resend.emails.send({ from: 'billing@example.com', to, subject: 'Your receipt', html });
  }
}

export const mailer = new Mailer();
`,
    'src/app.ts': app(`import { listInvoices, voidInvoice } from './invoices/invoice.service';
import { mailer } from './email/mailer';`, `app.get('/invoices/:customerId', async (req, res) => res.json(await listInvoices(req.params.customerId)));
app.post('/invoices/:id/void', async (req, res) => {
  await voidInvoice(req.params.id);
  await mailer.sendReceipt(req.body.email, '<p>voided</p>');
  res.status(204).end();
});`),
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/clients/billing.client.ts:3', 'src/email/mailer.ts:4']);
  const axiosFinding = model.findings.find((x) => x.rule === RULE && x.locations[0].file === 'src/clients/billing.client.ts')!;
  assert.deepEqual(axiosFinding.locations.slice(1).map((l) => `${l.file}:${l.line}`), ['src/invoices/invoice.service.ts:4', 'src/invoices/invoice.service.ts:9']);
});

test(`${RULE}: silent for fetch with AbortSignal.timeout and an axios instance created with a timeout in another file (traps)`, async () => {
  const model = await scanModel({
    'src/clients/github.client.ts': `import axios from 'axios';

export const github = axios.create({
  baseURL: 'https://api.github.com',
  timeout: 4000,
});
`,
    'src/repos/repo.service.ts': `import { github } from '../clients/github.client';

export async function repoStars(owner: string, repo: string): Promise<number> {
  const { data } = await github.get(\`/repos/\${owner}/\${repo}\`);
  return data.stargazers_count;
}

export async function latestRelease(owner: string, repo: string) {
  const res = await fetch(\`https://api.github.com/repos/\${owner}/\${repo}/releases/latest\`, {
    headers: { Accept: 'application/vnd.github+json' },
    signal: AbortSignal.timeout(3000),
  });
  return res.json();
}
`,
    'src/app.ts': app(`import { latestRelease, repoStars } from './repos/repo.service';`, `app.get('/repos/:owner/:repo', async (req, res) => res.json({ stars: await repoStars(req.params.owner, req.params.repo), release: await latestRelease(req.params.owner, req.params.repo) }));`),
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent for SDK default timeouts (Stripe, OpenAI), a call behind an opossum breaker, and a Next.js front end`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'shop', private: true, workspaces: ['apps/*'] }),
    'apps/api/package.json': JSON.stringify({ name: '@shop/api', dependencies: { express: '^4.19.0', stripe: '^16.0.0', openai: '^4.0.0', axios: '^1.7.0', opossum: '^8.1.0' } }),
    'apps/api/src/payments.ts': `import Stripe from 'stripe';
import OpenAI from 'openai';
import axios from 'axios';
import CircuitBreaker from 'opossum';

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY as string, { apiVersion: '2024-06-20' });
const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
const rates = new CircuitBreaker((currency: string) => axios.get(\`https://api.exchangerate.host/latest?base=\${currency}\`), { timeout: 3000 });
rates.fallback(() => ({ data: { rates: {} } }));

export async function charge(amount: number, currency: string) {
  const { data } = await rates.fire(currency);
  const summary = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: \`Describe a charge of \${amount}\` }] });
  return stripe.paymentIntents.create({ amount: Math.round(amount * (data.rates.EUR ?? 1)), currency, description: summary.choices[0]?.message?.content ?? '' });
}
`,
    'apps/api/src/app.ts': app(`import { charge } from './payments';`, `app.post('/charges', async (req, res) => res.json(await charge(req.body.amount, req.body.currency)));`),
    'apps/web/package.json': JSON.stringify({ name: '@shop/web', dependencies: { next: '14.2.0', react: '18.3.0' } }),
    'apps/web/lib/api.ts': `export async function createCharge(amount: number) {
  const res = await fetch(\`\${process.env.NEXT_PUBLIC_API_URL}/charges\`, { method: 'POST', body: JSON.stringify({ amount, currency: 'usd' }) });
  return res.json();
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: fires on an AWS SDK client without requestTimeout, silent with NodeHttpHandler requestTimeout`, async () => {
  const model = await scanModel({
    'src/storage.ts': `import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const s3 = new S3Client({ region: process.env.AWS_REGION });
const sqs = new SQSClient({
  region: process.env.AWS_REGION,
  requestHandler: new NodeHttpHandler({ connectionTimeout: 1000, requestTimeout: 3000 }),
});

export async function storeReport(key: string, body: string) {
  await s3.send(new PutObjectCommand({ Bucket: process.env.REPORTS_BUCKET, Key: key, Body: body }));
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.REPORTS_QUEUE_URL, MessageBody: key }));
}

export async function readReport(key: string) {
  return s3.send(new GetObjectCommand({ Bucket: process.env.REPORTS_BUCKET, Key: key }));
}
`,
    'src/app.ts': app(`import { readReport, storeReport } from './storage';`, `app.post('/reports', async (req, res) => { await storeReport(req.body.key, req.body.text); res.status(201).end(); });
app.get('/reports/:key', async (req, res) => res.json(await readReport(req.params.key)));`),
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/storage.ts:5']);
});

test(`${RULE}: fires on fetch without a signal in a queue worker and on got without a timeout`, async () => {
  const model = await scanModel({
    'src/webhooks/deliver.ts': `import got from 'got';

export async function deliver(url: string, payload: unknown): Promise<number> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
  return res.status;
}

export async function ping(url: string) {
  return got.head(url);
}
`,
    'src/worker.ts': `import { Worker } from 'bullmq';
import { deliver, ping } from './webhooks/deliver';
export const webhookWorker = new Worker('webhooks', async (job) => {
  await ping(job.data.url);
  return deliver(job.data.url, job.data.payload);
});
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/webhooks/deliver.ts:4', 'src/webhooks/deliver.ts:9']);
  assert.match(model.findings.find((x) => x.locations[0].line === 4)!.recommendation, /AbortSignal\.timeout/);
});

test(`${RULE}: silent for node-fetch's Headers class and other non-request exports, fires on its default fetch (trap)`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'wiki', dependencies: { express: '^4.19.0', 'node-fetch': '^2.7.0' } }),
    'src/http.ts': `import nodeFetch, { Headers, Request } from 'node-fetch';

export async function get(url: string, init?: { headers?: Record<string, string> }) {
  const headers = new Headers({ 'User-Agent': 'wiki' });
  new Headers(init?.headers).forEach((value, key) => headers.set(key, value));
  const req = new Request(url);
  return nodeFetch(req.url, { headers });
}
`,
    'src/app.ts': app(`import { get } from './http';`, `app.get('/unfurl', async (req, res) => res.json(await (await get(String(req.query.url))).json()));`),
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/http.ts:7']);
});

// ---- Python ----

const pyRoutes = (body: string, extra: Record<string, string> = {}) => ({
  ...extra,
  'app/main.py': `import requests
import httpx
from fastapi import FastAPI

app = FastAPI()
${body}
`,
});

test(`${RULE}: Python — fires on requests.post without timeout= and on a requests Session call`, async () => {
  const model = await scanModel(pyRoutes(`session = requests.Session()


@app.post("/notify")
def notify():
    requests.post("https://hooks.slack.com/services/T/B/X", json={"text": "hi"})
    session.get("https://api.github.com/rate_limit")
    return "ok"
`), { rules });
  assert.deepEqual(hits(model, RULE), ['app/main.py:11', 'app/main.py:12']);
  assert.match(model.findings.find((f) => f.locations[0].line === 11)!.recommendation, /timeout=\(3\.05, 10\)/);
});

test(`${RULE}: Python — fires on httpx with timeout=None`, async () => {
  const model = await scanModel(pyRoutes(`@app.get("/report")
def report():
    return httpx.get("https://reports.example.com/daily", timeout=None).json()
`), { rules });
  assert.deepEqual(hits(model, RULE), ['app/main.py:8']);
});

test(`${RULE}: Python — silent with timeout= on the call, on httpx defaults, and on an httpx client created with a timeout in another file`, async () => {
  const model = await scanModel(pyRoutes(`from app.clients import billing


@app.post("/pay")
def pay():
    requests.post("https://pay.example.com/charge", json={}, timeout=5)
    httpx.get("https://rates.example.com/eur")
    billing.post("/invoices", json={})
    return "ok"
`, { 'app/clients.py': `import httpx\n\nbilling = httpx.Client(base_url="https://billing.example.com", timeout=10.0)\n` }), { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: Python — silent when the options come through **kwargs, and when no entrypoint runs the call`, async () => {
  const model = await scanModel(pyRoutes(`def fetch(url, **kwargs):
    return requests.get(url, **kwargs)


def unused():
    return requests.get("https://example.com/never-called")


@app.get("/x")
def x():
    return fetch("https://example.com/x", timeout=3)
`), { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent for a fetch raced against a timer; fires on one raced only against another call (trap both ways)`, async () => {
  const model = await scanModel({
    'src/app.ts': app('', `app.post('/jobs/:id', async (req, res) => {
  await Promise.race([
    fetch(\`\${process.env.INTERNAL_URL}/api/jobs/\${req.params.id}\`, { method: 'POST', body: JSON.stringify(req.body) }).catch(() => null),
    new Promise((resolve) => {
      setTimeout(resolve, 150);
    }),
  ]);
  res.sendStatus(202);
});
app.get('/quote', async (_req, res) => {
  const fastest = await Promise.race([fetch('https://quotes-eu.example.com/v1/quote'), fetch('https://quotes-us.example.com/v1/quote')]);
  res.json(await fastest.json());
});`),
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/app.ts:15']);
  const raced = model.edges.find((e) => e.to === 'external:internal')!;
  assert.deepEqual(raced.guards, { fallback: true, timeout: true, timeoutMs: 150 });
});
