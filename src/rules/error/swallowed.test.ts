import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import swallowed from './swallowed.js';

const RULE = 'error/swallowed';
const rules = [swallowed];

const base = {
  'package.json': JSON.stringify({ name: 'catalog-api', dependencies: { express: '^4.19.0', '@prisma/client': '^5.0.0', ioredis: '^5.4.0', axios: '^1.7.0' } }),
  'src/db.ts': `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`,
  'src/redis.ts': `import Redis from 'ioredis';
export const redis = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379');
`,
};

test(`${RULE}: fires on an empty catch around a cache write inside a route handler`, async () => {
  const model = await scanModel({
    ...base,
    'src/app.ts': `import express from 'express';
import { prisma } from './db';
import { redis } from './redis';
const app = express();
app.get('/products/:id', async (req, res) => {
  const product = await prisma.product.findUnique({ where: { id: req.params.id } });
  try {
    await redis.set(\`product:\${req.params.id}\`, JSON.stringify(product), 'EX', 300);
  } catch {
    // cache is best effort
  }
  res.json(product);
});
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/app.ts:9']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.match(f.impact, /GET \/products\/:id/);
  assert.match(f.impact, /cache:redis/);
});

test(`${RULE}: fires on .catch(() => {}) after an async project call`, async () => {
  const model = await scanModel({
    ...base,
    'src/tracking.ts': `import axios from 'axios';
export async function trackView(productId: string): Promise<void> {
  await axios.post('https://analytics.example.com/events', { type: 'view', productId }, { timeout: 2000 });
}
export async function showProduct(id: string) {
  trackView(id).catch(() => {});
  return { id };
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/tracking.ts:6']);
});

test(`${RULE}: silent for catches that log, return a fallback or call next(err) (traps)`, async () => {
  const model = await scanModel({
    ...base,
    'src/app.ts': `import express from 'express';
import { prisma } from './db';
import { redis } from './redis';
const app = express();
app.get('/products/:id', async (req, res, next) => {
  try {
    const cached = await redis.get(\`product:\${req.params.id}\`);
    if (cached) return res.json(JSON.parse(cached));
  } catch (err) {
    console.warn('cache read failed', err);
  }
  let product;
  try {
    product = await prisma.product.findUnique({ where: { id: req.params.id } });
  } catch (err) {
    next(err);
    return;
  }
  res.json(product);
});
export async function loadFeatured(): Promise<unknown[]> {
  try {
    return await prisma.product.findMany({ where: { featured: true }, take: 10 });
  } catch {
    return [];
  }
}
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent for an empty catch around local parsing, and for .catch(() => null) fallbacks (traps)`, async () => {
  const model = await scanModel({
    ...base,
    'src/prefs.ts': `import { redis } from './redis';
export function parsePreferences(raw: string | undefined): Record<string, unknown> {
  let prefs: Record<string, unknown> = {};
  try {
    prefs = JSON.parse(raw ?? '{}');
  } catch {
    // optional header
  }
  return prefs;
}
export async function lastSeen(userId: string): Promise<string | null> {
  return redis.get(\`seen:\${userId}\`).catch(() => null);
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent in a browser component of a package that also holds the server (trap); a .tsx module a route runs still fires`, async () => {
  const model = await scanModel({
    ...base,
    'package.json': JSON.stringify({ name: 'wiki', dependencies: { express: '^4.19.0', react: '^18.3.0', axios: '^1.7.0', ioredis: '^5.4.0' } }),
    'app/components/ErrorBanner.tsx': `import * as React from 'react';
import axios from 'axios';
export function ErrorBanner() {
  const report = async () => {
    try {
      await axios.post('https://api.example.com/errors', { at: Date.now() }, { timeout: 2000 });
    } catch {}
  };
  return <button onClick={report}>Report</button>;
}
`,
    'src/render.tsx': `import { redis } from './redis';
export async function cachedPage(key: string): Promise<string | null> {
  try {
    return await redis.get(\`page:\${key}\`);
  } catch {}
  return null;
}
`,
    'src/app.ts': `import express from 'express';
import { cachedPage } from './render';
const app = express();
app.get('/pages/:key', async (req, res) => {
  res.send((await cachedPage(req.params.key)) ?? 'miss');
});
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/render.tsx:5']);
});

test(`${RULE}: a Next.js app at the root — fires in its route handler, not in its browser tracker script (trap)`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'analytics', dependencies: { next: '^15.0.0', react: '^19.0.0', '@prisma/client': '^6.0.0' } }),
  'next.config.mjs': `export default { output: 'standalone' };
`,
    'src/lib/prisma.ts': `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`,
    'src/app/api/views/route.ts': `import { prisma } from '../../../lib/prisma';
export async function POST(req: Request) {
  const { websiteId } = await req.json();
  prisma.view.create({ data: { websiteId } }).catch(() => {});
  return new Response(null, { status: 202 });
}
`,
    'src/tracker/index.js': `function beacon(url) {
  fetch('https://collect.analytics.example.com/api/send', { method: 'POST', body: url }).catch(() => {});
  try {
    navigator.sendBeacon('https://collect.analytics.example.com/api/beacon', url);
  } catch {}
}
window.addEventListener('load', () => beacon(location.href));
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/app/api/views/route.ts:4']);
});
