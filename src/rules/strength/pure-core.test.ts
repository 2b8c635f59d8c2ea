import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import pureCore from './pure-core.js';

const RULE = 'strength/pure-core';
const rules = [pureCore];

const pkg = { 'package.json': JSON.stringify({ name: 'shipping-api', dependencies: { express: '^4.19.0', '@prisma/client': '^5.0.0' } }) };

const pricing = `export interface Parcel { weightKg: number; zone: 'domestic' | 'eu' | 'world'; express: boolean }
const ZONE_BASE: Record<Parcel['zone'], number> = { domestic: 4.5, eu: 9, world: 18 };
export function computeShippingQuote(parcel: Parcel): { amount: number; band: string } {
  let amount = ZONE_BASE[parcel.zone];
  if (parcel.weightKg > 2) amount += (parcel.weightKg - 2) * 1.2;
  if (parcel.express) amount *= 1.5;
  const band = amount > 30 ? 'premium' : amount > 10 ? 'standard' : 'economy';
  const rounded = Math.round(amount * 100) / 100;
  return { amount: rounded, band };
}
export const calculateProration = (monthly: number, daysUsed: number, daysInPeriod: number): number => {
  if (daysInPeriod <= 0) return 0;
  const ratio = Math.min(1, Math.max(0, daysUsed / daysInPeriod));
  const raw = monthly * ratio;
  const cents = Math.round(raw * 100);
  return cents / 100;
};
`;

const service = `import { PrismaClient } from '@prisma/client';
import { calculateProration, computeShippingQuote, type Parcel } from './pricing';
const prisma = new PrismaClient();
export async function quoteShipment(orderId: string, parcel: Parcel) {
  const quote = computeShippingQuote(parcel);
  const credit = calculateProration(9.99, 10, 30);
  return prisma.quote.create({ data: { orderId, amount: quote.amount - credit, band: quote.band } });
}
`;

const app = `import express from 'express';
import { quoteShipment } from './shipping.service';
const app = express();
app.post('/orders/:id/quote', async (req, res) => res.json(await quoteShipment(req.params.id, req.body)));
export default app;
`;

test(`${RULE}: fires on exported pure pricing functions called from a route's service`, async () => {
  const model = await scanModel({ ...pkg, 'src/pricing.ts': pricing, 'src/shipping.service.ts': service, 'src/app.ts': app }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/pricing.ts:11', 'src/pricing.ts:3']);
  const f = model.findings.find((x) => x.locations[0].line === 3)!;
  assert.equal(f.polarity, 'strength');
  assert.match(f.impact, /POST \/orders\/:id\/quote/);
});

test(`${RULE}: fires on a pure scoring function with inline callbacks and on a short but busy canonical hash`, async () => {
  const model = await scanModel({
    ...pkg,
    'src/lead-score.ts': `const SIGNALS = new Set(['backstage', 'c4']);
export function scoreLead(answers: { role: string; tools: string[]; teamSize: number }): number {
  let score = answers.role === 'cto' ? 3 : 1;
  if (answers.tools.some((t) => SIGNALS.has(t.toLowerCase()))) score += 2;
  if (answers.teamSize > 50) score += 2;
  for (const t of answers.tools) {
    if (t.length > 20) score -= 1;
  }
  return score;
}
`,
    'src/payload-hash.ts': `import { createHash } from 'node:crypto';
export function computeLeadHash(leads: { email: string; source: string }[]): string {
  const canonical = leads
    .map((l) => ({ email: l.email.trim().toLowerCase(), source: l.source }))
    .sort((a, b) => a.email.localeCompare(b.email) || a.source.localeCompare(b.source));
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
`,
    'src/app.ts': `import express from 'express';
import { scoreLead } from './lead-score';
import { computeLeadHash } from './payload-hash';
const app = express();
app.post('/leads', (req, res) => res.json({ score: scoreLead(req.body), hash: computeLeadHash([req.body]) }));
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/lead-score.ts:2', 'src/payload-hash.ts:2']);
});

test(`${RULE}: silent for clock/randomness/logging, outer writes, async and non-domain names (traps)`, async () => {
  const model = await scanModel({
    ...pkg,
    'src/pricing.ts': `export const stats = { quotes: 0 };
export function computeExpiry(days: number): Date {
  const now = Date.now();
  const ms = days * 86_400_000;
  const at = now + ms;
  const d = new Date(at);
  return d;
}
export function computeDiscountCode(prefix: string): string {
  const n = Math.random();
  const s = n.toString(36);
  const code = s.slice(2, 8);
  const full = prefix + code;
  return full.toUpperCase();
}
export function calculateTax(amount: number, rate: number): number {
  stats.quotes = stats.quotes + 1;
  const tax = amount * rate;
  const rounded = Math.round(tax * 100);
  console.log('tax', rounded);
  return rounded / 100;
}
export async function computeTotals(amount: number): Promise<number> {
  const a = amount;
  const b = a * 2;
  const c = b + 1;
  const d = c - 1;
  return d;
}
function currencyOf(): string {
  return process.env.DEFAULT_CURRENCY ?? 'EUR';
}
export function computeLocalisedPrice(amount: number): string {
  const currency = currencyOf();
  const rounded = Math.round(amount * 100) / 100;
  const fixed = rounded.toFixed(2);
  const text = fixed + ' ' + currency;
  return text;
}
export function formatAddress(lines: string[]): string {
  const clean = lines.map((l) => l.trim());
  const nonEmpty = clean.filter(Boolean);
  const joined = nonEmpty.join(', ');
  const upper = joined.toUpperCase();
  return upper;
}
`,
    'src/app.ts': `import express from 'express';
import { calculateTax, computeDiscountCode, computeExpiry, computeLocalisedPrice, computeTotals, formatAddress } from './pricing';
const app = express();
app.post('/checkout', async (req, res) => {
  res.json({ exp: computeExpiry(3), code: computeDiscountCode('X'), tax: calculateTax(10, 0.2), total: await computeTotals(10), addr: formatAddress(req.body.lines), price: computeLocalisedPrice(3) });
});
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent for trivial or unreachable functions and in test files (traps)`, async () => {
  const model = await scanModel({
    ...pkg,
    'src/pricing.ts': `export function computeFee(amount: number): number {
  return amount * 0.029 + 0.3;
}
export function calculateRefundWindow(days: number, express: boolean): number {
  let window = days;
  if (express) window += 7;
  if (window > 60) window = 60;
  const weeks = Math.ceil(window / 7);
  return weeks * 7;
}
`,
    'src/pricing.test.ts': `export function computeFixtureTotal(n: number): number {
  let t = 0;
  for (let i = 0; i < n; i++) t += i;
  const a = t * 2;
  const b = a + 1;
  return b;
}
`,
    'src/app.ts': `import express from 'express';
import { computeFee } from './pricing';
const app = express();
app.get('/fee', (req, res) => res.json({ fee: computeFee(Number(req.query.amount)) }));
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});
