import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import circuitBreaker from './circuit-breaker.js';

const RULE = 'strength/circuit-breaker';
const rules = [circuitBreaker];

test(`${RULE}: reports an opossum breaker around OpenAI with its fallback, at the construction`, async () => {
  const model = await scanModel({
    'src/curation/curation.service.ts': `import CircuitBreaker from 'opossum';
import OpenAI from 'openai';

export const FALLBACK = 'Suggestions are temporarily unavailable.';

export class CurationService {
  private readonly openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY, timeout: 20000, maxRetries: 1 });
  private readonly breaker: CircuitBreaker<[string], string>;

  constructor() {
    this.breaker = new CircuitBreaker((prompt: string) => this.complete(prompt), {
      name: 'openai-curation',
      timeout: 15000,
      resetTimeout: 30000,
    });
    this.breaker.fallback(() => FALLBACK);
  }

  async suggest(draft: string): Promise<string> {
    return this.breaker.fire(draft);
  }

  private async complete(prompt: string): Promise<string> {
    const res = await this.openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] });
    return res.choices[0]?.message?.content ?? '';
  }
}

export const curation = new CurationService();
`,
    'src/app.ts': `import express from 'express';
import { curation } from './curation/curation.service';
const app = express();
app.post('/curation/suggest', async (req, res) => res.json({ text: await curation.suggest(req.body.draft) }));
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/curation/curation.service.ts:11']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.equal(f.locations[1].line, 16);
  assert.match(f.title, /openai/);
  assert.match(f.impact, /falls back/);
  assert.match(f.recommendation, /AbortSignal|abortController/);
});

test(`${RULE}: reports a hand-rolled CLOSED/OPEN breaker in a cache service, at its gate method`, async () => {
  const model = await scanModel({
    'src/cache/cache.service.ts': `import Redis from 'ioredis';

type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';
const FAILURE_THRESHOLD = 3;
const RESET_AFTER_MS = 30000;

export class CacheService {
  private state: CircuitState = 'CLOSED';
  private failures = 0;
  private openedAt = 0;

  constructor(private readonly client: Redis) {}

  async get(key: string): Promise<string | null> {
    if (!this.shouldAttempt()) return null;
    try {
      const value = await this.client.get(key);
      this.recordSuccess();
      return value;
    } catch (err) {
      this.recordFailure();
      return null;
    }
  }

  private shouldAttempt(): boolean {
    if (this.state !== 'OPEN') return true;
    if (Date.now() - this.openedAt < RESET_AFTER_MS) return false;
    this.state = 'HALF_OPEN';
    return true;
  }

  private recordSuccess(): void {
    this.state = 'CLOSED';
    this.failures = 0;
  }

  private recordFailure(): void {
    this.failures += 1;
    if (this.state === 'HALF_OPEN' || this.failures >= FAILURE_THRESHOLD) {
      this.state = 'OPEN';
      this.openedAt = Date.now();
    }
  }
}

export const cache = new CacheService(new Redis(process.env.REDIS_URL as string));
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/cache/cache.service.ts:26']);
});

test(`${RULE}: silent for a breaker around a pure function and for a state holder without failure recording`, async () => {
  const model = await scanModel({
    'src/pricing.ts': `import CircuitBreaker from 'opossum';

function quote(amount: number, rate: number): number {
  return Math.round(amount * rate * 100) / 100;
}

export const quoteBreaker = new CircuitBreaker(quote, { timeout: 1000 });

export class DoorState {
  private state: 'CLOSED' | 'OPEN' = 'CLOSED';
  open(): void {
    this.state = 'OPEN';
  }
  isClosed(): boolean {
    return this.state === 'CLOSED';
  }
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent in test files`, async () => {
  const model = await scanModel({
    'src/payments/status.ts': `export const statusUrl = 'https://status.example.com';\n`,
    'src/payments/__tests__/breaker.test.ts': `import CircuitBreaker from 'opossum';
import axios from 'axios';
const breaker = new CircuitBreaker(() => axios.get('https://status.example.com', { timeout: 1000 }), { timeout: 2000 });
breaker.fallback(() => null);
export const probe = () => breaker.fire();
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});
