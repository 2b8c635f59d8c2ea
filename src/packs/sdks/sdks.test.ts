import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';
import type { Model } from '../../model/types.js';

const scan = (files: Record<string, string>) => scanModel(files, { rules: [] });
const externals = (m: Model) => m.nodes.filter((n) => n.kind === 'external').map((n) => `${n.id} ${n.tech}`).sort();
/** Edges to externals: entrypoint, kind, target, guards (keys sorted) and the lines of the calls. */
const externalEdges = (m: Model) =>
  m.edges
    .filter((e) => e.to.startsWith('external:'))
    .map((e) => `${e.from} -${e.kind}-> ${e.to} ${JSON.stringify(e.guards, Object.keys(e.guards).sort())} ${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`)
    .sort();

const pkg = (deps: Record<string, string>) => ({ 'package.json': JSON.stringify({ name: 'shop', dependencies: { express: '^4.19.0', ...deps } }) });

test('sdks: Stripe, OpenAI and Anthropic calls are externals named for the vendor, with the client options or the documented defaults as guards', async () => {
  const model = await scan({
    ...pkg({ stripe: '^16.0.0', openai: '^4.60.0', '@anthropic-ai/sdk': '^0.30.0', '@google/generative-ai': '^0.21.0' }),
    'src/vendors.ts': `import Stripe from 'stripe';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenerativeAI } from '@google/generative-ai';
const stripe = new Stripe(process.env.STRIPE_KEY!, { timeout: 20000, maxNetworkRetries: 3 });
const stripeDefaults = new Stripe(process.env.STRIPE_KEY!);
const openai = new OpenAI();
const claude = new Anthropic({ timeout: 30_000, maxRetries: 0 });
const genAI = new GoogleGenerativeAI(process.env.GEMINI_KEY!);
const gemini = genAI.getGenerativeModel({ model: 'gemini-1.5-flash' });
export const charge = (amount: number) => stripe.paymentIntents.create({ amount, currency: 'eur' });
export const refund = (pi: string) => stripeDefaults.refunds.create({ payment_intent: pi });
export const summarize = (text: string) => openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }] });
export const ask = (q: string) => claude.messages.create({ model: 'claude-3-5-haiku-latest', max_tokens: 256, messages: [{ role: 'user', content: q }] });
export const tag = (q: string) => gemini.generateContent(q);
`,
    'src/server.ts': `import express from 'express';
import { charge, refund, summarize, ask, tag } from './vendors';
const app = express();
app.post('/charge', async (req, res) => res.json(await charge(req.body.amount)));
app.post('/refund/:pi', async (req, res) => res.json(await refund(req.params.pi)));
app.post('/summarize', async (req, res) => res.json(await summarize(req.body.text)));
app.post('/ask', async (req, res) => res.json(await ask(req.body.q)));
app.post('/tag', async (req, res) => res.json(await tag(req.body.q)));
app.listen(3000);
`,
  });
  assert.deepEqual(externals(model), ['external:anthropic @anthropic-ai/sdk', 'external:gemini @google/generative-ai', 'external:openai openai', 'external:stripe stripe']);
  assert.deepEqual(externalEdges(model), [
    'entrypoint:POST /ask -calls-> external:anthropic {"retries":0,"timeout":true,"timeoutMs":30000} src/vendors.ts:14',
    'entrypoint:POST /charge -calls-> external:stripe {"retries":3,"timeout":true,"timeoutMs":20000} src/vendors.ts:11',
    'entrypoint:POST /refund/:pi -calls-> external:stripe {"retries":1,"timeout":true,"timeoutMs":80000} src/vendors.ts:12', // Stripe's defaults
    'entrypoint:POST /summarize -calls-> external:openai {"retries":2,"timeout":true,"timeoutMs":600000} src/vendors.ts:13', // OpenAI's defaults
    'entrypoint:POST /tag -calls-> external:gemini {} src/vendors.ts:15', // no client timeout
  ]);
});

test('sdks: mail and messaging SDKs — Resend, SendGrid on the package, a nodemailer transport, a Twilio client and Slack with its timeout and retryConfig', async () => {
  const model = await scan({
    ...pkg({ resend: '^4.0.0', '@sendgrid/mail': '^8.1.0', nodemailer: '^6.9.0', twilio: '^5.3.0', '@slack/web-api': '^7.5.0' }),
    'src/notify.ts': `import { Resend } from 'resend';
import sgMail from '@sendgrid/mail';
import nodemailer from 'nodemailer';
import twilio from 'twilio';
import { WebClient } from '@slack/web-api';
const resend = new Resend(process.env.RESEND_KEY);
const smtp = nodemailer.createTransport({ host: 'smtp.example.com', port: 587 });
const sms = twilio(process.env.TWILIO_SID, process.env.TWILIO_TOKEN, { timeout: 5000 });
const slack = new WebClient(process.env.SLACK_TOKEN, { timeout: 4000, retryConfig: { retries: 0 } });
export const welcome = (to: string) => resend.emails.send({ from: 'hi@example.com', to, subject: 'Welcome', html: '<p>hi</p>' });
export const receipt = (to: string) => sgMail.send({ to, from: 'billing@example.com', subject: 'Receipt', text: 'thanks' });
export const digest = (to: string) => smtp.sendMail({ to, subject: 'Digest', text: '...' });
export const otp = (to: string) => sms.messages.create({ to, from: '+15550000000', body: '123456' });
export const alert = (text: string) => slack.chat.postMessage({ channel: '#ops', text });
`,
    'src/server.ts': `import express from 'express';
import { welcome, receipt, digest, otp, alert } from './notify';
const app = express();
app.post('/welcome', async (req, res) => res.json(await welcome(req.body.to)));
app.post('/receipt', async (req, res) => res.json(await receipt(req.body.to)));
app.post('/digest', async (req, res) => res.json(await digest(req.body.to)));
app.post('/otp', async (req, res) => res.json(await otp(req.body.to)));
app.post('/alert', async (req, res) => res.json(await alert(req.body.text)));
app.listen(3000);
`,
  });
  assert.deepEqual(externals(model), ['external:resend resend', 'external:sendgrid @sendgrid/mail', 'external:slack @slack/web-api', 'external:smtp nodemailer', 'external:twilio twilio']);
  assert.deepEqual(externalEdges(model), [
    'entrypoint:POST /alert -calls-> external:slack {"retries":0,"timeout":true,"timeoutMs":4000} src/notify.ts:14',
    'entrypoint:POST /digest -calls-> external:smtp {} src/notify.ts:12',
    'entrypoint:POST /otp -calls-> external:twilio {"timeout":true,"timeoutMs":5000} src/notify.ts:13',
    'entrypoint:POST /receipt -calls-> external:sendgrid {} src/notify.ts:11',
    'entrypoint:POST /welcome -calls-> external:resend {} src/notify.ts:10',
  ]);
});

test('sdks: webhook verification, event handlers, setup calls, Sentry and calls on a response object are no calls to the vendor (traps)', async () => {
  const model = await scan({
    ...pkg({ stripe: '^16.0.0', openai: '^4.60.0', '@google/generative-ai': '^0.21.0', nodemailer: '^6.9.0', '@sendgrid/mail': '^8.1.0', twilio: '^5.3.0', '@sentry/node': '^8.30.0' }),
    'src/handlers.ts': `import Stripe from 'stripe';
import OpenAI from 'openai';
import { GoogleGenerativeAI } from '@google/generative-ai';
import nodemailer from 'nodemailer';
import sgMail from '@sendgrid/mail';
import twilio from 'twilio';
import * as Sentry from '@sentry/node';
const stripe = new Stripe(process.env.STRIPE_KEY!);
export function webhook(body: string, signature: string) {
  stripe.on('response', (e) => console.debug(e.request_id));
  const event = stripe.webhooks.constructEvent(body, signature, process.env.STRIPE_WEBHOOK_SECRET!);
  Sentry.captureMessage(event.type);
  return event.type;
}
export async function embed(text: string) {
  const openai = new OpenAI();
  const res = await openai.embeddings.create({ model: 'text-embedding-3-small', input: text });
  return res.data.map((d) => d.embedding);
}
export async function title(text: string) {
  const genAI = new GoogleGenerativeAI(process.env.GEMINI_KEY!);
  const model = genAI.getGenerativeModel({ model: 'gemini-1.5-flash' });
  const result = await model.generateContent(text);
  return result.response.text().trim();
}
export async function checkMail() {
  const transport = nodemailer.createTransport({ host: 'smtp.example.com' });
  sgMail.setApiKey(process.env.SENDGRID_KEY!);
  const sms = twilio(process.env.TWILIO_SID, process.env.TWILIO_TOKEN);
  Sentry.addBreadcrumb({ message: typeof sms });
  return transport.verify();
}
`,
    'src/server.ts': `import express from 'express';
import { webhook, embed, title, checkMail } from './handlers';
const app = express();
app.post('/webhooks/stripe', (req, res) => res.json(webhook(req.body, String(req.headers['stripe-signature']))));
app.post('/embed', async (req, res) => res.json(await embed(req.body.text)));
app.post('/title', async (req, res) => res.json(await title(req.body.text)));
app.get('/mail/check', async (_req, res) => res.json(await checkMail()));
app.listen(3000);
`,
  });
  // only the two real requests: not res.data.map (line 18), result.response.text().trim() (line 24), the webhook check, setup or Sentry
  assert.deepEqual(externalEdges(model), [
    'entrypoint:POST /embed -calls-> external:openai {"retries":2,"timeout":true,"timeoutMs":600000} src/handlers.ts:17',
    'entrypoint:POST /title -calls-> external:gemini {} src/handlers.ts:23',
  ]);
});

test('sdks: the browser Stripe.js package and a project Resend class with the same methods are no vendor SDK (traps)', async () => {
  const model = await scan({
    ...pkg({ '@stripe/stripe-js': '^4.0.0', resend: '^4.0.0' }),
    'src/mail/resend.ts': `export class Resend {
  readonly sent: unknown[] = [];
  readonly emails = { send: async (msg: unknown) => { this.sent.push(msg); return { id: 'local' }; } };
  constructor(readonly key?: string) {}
}
`,
    'src/checkout.ts': `import { loadStripe } from '@stripe/stripe-js';
import { Resend } from './mail/resend';
const outbox = new Resend('test');
export async function checkout(sessionId: string) {
  const stripe = await loadStripe(process.env.STRIPE_PUBLISHABLE_KEY!);
  await outbox.emails.send({ to: 'a@example.com' });
  return stripe!.redirectToCheckout({ sessionId });
}
`,
    'src/server.ts': `import express from 'express';
import { checkout } from './checkout';
const app = express();
app.post('/checkout/:id', async (req, res) => res.json(await checkout(req.params.id)));
app.listen(3000);
`,
  });
  assert.deepEqual(externals(model), []);
  assert.deepEqual(externalEdges(model), []);
});

test('sdks: firebase-admin — the namespaced API and the modular one (`getAuth().verifyIdToken()`, `getFirestore()`) call Firebase; initializeApp and credentials do not', async () => {
  const model = await scan({
    ...pkg({ 'firebase-admin': '^12.1.0' }),
    'src/firebase.ts': `import admin from 'firebase-admin';
import { getAuth } from 'firebase-admin/auth';
import { getFirestore } from 'firebase-admin/firestore';
admin.initializeApp({ credential: admin.credential.applicationDefault() });
export const db = getFirestore();
export async function verify(token: string) {
  return getAuth().verifyIdToken(token);
}
`,
    'src/server.ts': `import express from 'express';
import admin from 'firebase-admin';
import { db, verify } from './firebase';
const app = express();
app.get('/me', async (req, res) => res.json(await verify(String(req.headers.authorization))));
app.get('/todos/:id', async (req, res) => res.json((await db.collection('todos').doc(req.params.id).get()).data()));
app.post('/push', async (req, res) => res.json(await admin.messaging().send({ token: req.body.token, notification: { title: 'hi' } })));
app.get('/health', (_req, res) => res.send('ok'));
app.listen(3000);
`,
  });
  assert.deepEqual(externals(model), ['external:firebase firebase-admin']);
  assert.deepEqual(model.edges.filter((e) => e.to === 'external:firebase').map((e) => `${e.from} @${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`).sort(), [
    'entrypoint:GET /me @src/firebase.ts:7',
    'entrypoint:GET /todos/:id @src/server.ts:6',
    'entrypoint:POST /push @src/server.ts:7',
  ]);
});
