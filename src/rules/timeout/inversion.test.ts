import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import inversion from './inversion.js';

const RULE = 'timeout/inversion';
const rules = [inversion];

const serverless = (timeout: number) => `service: shop-api
provider:
  name: aws
  runtime: nodejs20.x
functions:
  api:
    handler: dist/lambda.handler
    timeout: ${timeout}
    events:
      - httpApi: "ANY /{proxy+}"
`;

const lambda = `import serverlessExpress from '@codegenie/serverless-express';
import app from './app';
export const handler = serverlessExpress({ app });
`;

test(`${RULE}: fires when the Stripe client keeps its 80 s default behind a 29 s Lambda (at the client construction)`, async () => {
  const model = await scanModel({
    'serverless.yml': serverless(29),
    'src/lambda.ts': lambda,
    'src/billing/stripe.ts': `import Stripe from 'stripe';

export const stripe = new Stripe(process.env.STRIPE_SECRET_KEY as string, {
  apiVersion: '2024-06-20',
});
`,
    'src/billing/checkout.ts': `import { stripe } from './stripe';

export async function createCheckout(customer: string, price: string) {
  const session = await stripe.checkout.sessions.create({ mode: 'subscription', customer, line_items: [{ price, quantity: 1 }] });
  return session.url;
}
`,
    'src/app.ts': `import express from 'express';
import { createCheckout } from './billing/checkout';
const app = express();
app.post('/checkout', async (req, res) => res.json({ url: await createCheckout(req.body.customer, req.body.price) }));
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/billing/stripe.ts:3']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.match(f.title, /80 s timeout \(SDK default\)/);
  assert.match(f.impact, /POST \/checkout/);
  assert.ok(f.locations.some((l) => l.file === 'serverless.yml' && l.line === 8));
});

test(`${RULE}: fires when an opossum breaker's timeout is longer than the Lambda timeout, and on a statement_timeout longer than it`, async () => {
  const model = await scanModel({
    'serverless.yml': serverless(20),
    '.env.example': 'DATABASE_URL=postgres://app:app@localhost:5432/app?options=-c%20statement_timeout%3D60000\n',
    'src/lambda.ts': lambda,
    'src/search/search.ts': `import axios from 'axios';
import CircuitBreaker from 'opossum';
import { Pool } from 'pg';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 5 });
const ranker = new CircuitBreaker((q: string) => axios.post('https://rank.example.com/v1/rank', { q }), { timeout: 45000 });
ranker.fallback(() => ({ data: { ids: [] } }));

export async function search(q: string) {
  const { rows } = await pool.query('SELECT id, title FROM docs WHERE title ILIKE $1 LIMIT 50', [\`%\${q}%\`]);
  const { data } = await ranker.fire(q);
  return { rows, ranked: data.ids };
}
`,
    'src/app.ts': `import express from 'express';
import { search } from './search/search';
const app = express();
app.get('/search', async (req, res) => res.json(await search(String(req.query.q))));
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['.env.example:1', 'src/search/search.ts:6']);
});

test(`${RULE}: silent for a breaker timeout shorter than the client's, both inside the Lambda budget (trap)`, async () => {
  const model = await scanModel({
    'serverless.yml': serverless(29),
    'src/lambda.ts': lambda,
    'src/curation.ts': `import CircuitBreaker from 'opossum';
import OpenAI from 'openai';

const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY, timeout: 20000, maxRetries: 1 });

async function complete(prompt: string): Promise<string> {
  const res = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] });
  return res.choices[0]?.message?.content ?? '';
}

const breaker = new CircuitBreaker(complete, { timeout: 15000 });
breaker.fallback(() => 'Suggestions are unavailable right now.');

export const suggest = (prompt: string) => breaker.fire(prompt);
`,
    'src/app.ts': `import express from 'express';
import { suggest } from './curation';
const app = express();
app.post('/suggest', async (req, res) => res.json({ text: await suggest(req.body.prompt) }));
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent without a runtime time budget (a container) and for a client timeout under the budget`, async () => {
  const container = await scanModel({
    'docker-compose.yml': `services:
  api:
    build: .
    command: node dist/server.js
    ports: ["3000:3000"]
`,
    'src/billing.ts': `import Stripe from 'stripe';
const stripe = new Stripe(process.env.STRIPE_SECRET_KEY as string);
export const refund = (charge: string) => stripe.refunds.create({ charge });
`,
    'src/server.ts': `import express from 'express';
import { refund } from './billing';
const app = express();
app.post('/refunds', async (req, res) => res.json(await refund(req.body.charge)));
app.listen(3000);
`,
  }, { rules });
  assert.deepEqual(hits(container, RULE), []);
  const lambdaOk = await scanModel({
    'serverless.yml': serverless(29),
    'src/lambda.ts': lambda,
    'src/billing.ts': `import Stripe from 'stripe';
const stripe = new Stripe(process.env.STRIPE_SECRET_KEY as string, { timeout: 8000, maxNetworkRetries: 1 });
export const refund = (charge: string) => stripe.refunds.create({ charge });
`,
    'src/app.ts': `import express from 'express';
import { refund } from './billing';
const app = express();
app.post('/refunds', async (req, res) => res.json(await refund(req.body.charge)));
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(lambdaOk, RULE), []);
});
