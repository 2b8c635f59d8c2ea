import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';
import type { Model } from '../../model/types.js';

const scan = (files: Record<string, string>) => scanModel(files, { rules: [] });
/** Edges to externals: entrypoint, target, guards (keys sorted) and the lines of the calls. */
const externalEdges = (m: Model) =>
  m.edges
    .filter((e) => e.to.startsWith('external:'))
    .map((e) => `${e.from} -> ${e.to} ${JSON.stringify(e.guards, Object.keys(e.guards).sort())} ${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`)
    .sort();

const pkg = (deps: Record<string, string>) => ({ 'package.json': JSON.stringify({ name: 'shop', dependencies: { express: '^4.19.0', axios: '^1.7.0', ...deps } }) });

test('opossum: breaker.fire runs the wrapped function behind a circuit breaker; a .fallback or a caught fire is a fallback', async () => {
  const model = await scan({
    ...pkg({ opossum: '^8.1.0' }),
    'src/payments.ts': `import CircuitBreaker from 'opossum';
import axios from 'axios';
async function charge(id: string) {
  return axios.post('https://pay.example.com/charges', { id }, { timeout: 2000 });
}
const breaker = new CircuitBreaker(charge, { timeout: 3000, errorThresholdPercentage: 50 });
export const pay = (id: string) => breaker.fire(id);
export async function payOrQueue(id: string) {
  try {
    return await breaker.fire(id);
  } catch {
    return { queued: id };
  }
}
export const ledger = (id: string) => axios.get('https://ledger.example.com/' + id, { timeout: 1000 });
`,
    'src/rates.ts': `import CircuitBreaker from 'opossum';
import axios from 'axios';
const rates = new CircuitBreaker(async (cur: string) => axios.get('https://rates.example.com/' + cur, { timeout: 1000 }));
rates.fallback(() => ({ rate: 1 }));
export const rate = (cur: string) => rates.fire(cur);
`,
    'src/server.ts': `import express from 'express';
import { pay, payOrQueue, ledger } from './payments';
import { rate } from './rates';
const app = express();
app.post('/pay/:id', async (req, res) => res.json(await pay(req.params.id)));
app.post('/pay-or-queue/:id', async (req, res) => res.json(await payOrQueue(req.params.id)));
app.get('/ledger/:id', async (req, res) => res.json(await ledger(req.params.id)));
app.get('/rates/:cur', async (req, res) => res.json(await rate(req.params.cur)));
app.listen(3000);
`,
  });
  assert.deepEqual(externalEdges(model), [
    'entrypoint:GET /ledger/:id -> external:ledger.example.com {"timeout":true,"timeoutMs":1000} src/payments.ts:15', // not behind the breaker
    'entrypoint:GET /rates/:cur -> external:rates.example.com {"circuitBreaker":true,"fallback":true,"timeout":true,"timeoutMs":1000} src/rates.ts:3',
    'entrypoint:POST /pay-or-queue/:id -> external:pay.example.com {"circuitBreaker":true,"fallback":true,"timeout":true,"timeoutMs":2000} src/payments.ts:4',
    'entrypoint:POST /pay/:id -> external:pay.example.com {"circuitBreaker":true,"timeout":true,"timeoutMs":2000} src/payments.ts:4',
  ]);
});

test('opossum: the breaker\'s own methods (on, close, shutdown, toJSON) do not run the wrapped function (trap)', async () => {
  const model = await scan({
    ...pkg({ opossum: '^8.1.0' }),
    'src/payments.ts': `import CircuitBreaker from 'opossum';
import axios from 'axios';
async function charge(id: string) {
  return axios.post('https://pay.example.com/charges', { id }, { timeout: 2000 });
}
const breaker = new CircuitBreaker(charge, { timeout: 3000 });
export function resetBreaker() {
  breaker.on('halfOpen', () => console.info('half open'));
  breaker.close();
  return breaker.toJSON();
}
export function stopBreaker() {
  breaker.shutdown();
}
`,
    'src/server.ts': `import express from 'express';
import { resetBreaker, stopBreaker } from './payments';
const app = express();
app.post('/admin/breaker/reset', (_req, res) => res.json(resetBreaker()));
app.post('/admin/breaker/stop', (_req, res) => res.json(stopBreaker()));
app.listen(3000);
`,
  });
  assert.deepEqual(externalEdges(model), []);
});

test('cockatiel: execute on a circuitBreaker policy, or on a wrap holding one, runs the callback behind a breaker', async () => {
  const model = await scan({
    ...pkg({ cockatiel: '^3.2.0' }),
    'src/geo.ts': `import { circuitBreaker, handleAll, ConsecutiveBreaker, retry, wrap, ExponentialBackoff } from 'cockatiel';
import axios from 'axios';
const breaker = circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) });
const retryPolicy = retry(handleAll, { maxAttempts: 3, backoff: new ExponentialBackoff() });
const resilient = wrap(retryPolicy, breaker);
async function lookup({ signal }: { signal: AbortSignal }) {
  return axios.get('https://geo.example.com/search', { signal, timeout: 1000 });
}
async function tiles({ signal }: { signal: AbortSignal }) {
  return axios.get('https://tiles.example.com/1/2/3.png', { signal, timeout: 1000 });
}
export const geo = () => breaker.execute(lookup);
export const tile = () => resilient.execute(tiles);
`,
    'src/server.ts': `import express from 'express';
import { geo, tile } from './geo';
const app = express();
app.get('/geo', async (_req, res) => res.json(await geo()));
app.get('/tiles', async (_req, res) => res.json(await tile()));
app.listen(3000);
`,
  });
  assert.deepEqual(externalEdges(model), [
    'entrypoint:GET /geo -> external:geo.example.com {"circuitBreaker":true,"timeout":true,"timeoutMs":1000} src/geo.ts:7',
    'entrypoint:GET /tiles -> external:tiles.example.com {"circuitBreaker":true,"timeout":true,"timeoutMs":1000} src/geo.ts:10',
  ]);
});

test('cockatiel: a retry policy, and a wrap of retry and timeout policies, are no circuit breaker (traps)', async () => {
  const model = await scan({
    ...pkg({ cockatiel: '^3.2.0' }),
    'src/weather.ts': `import { handleAll, retry, timeout, wrap, ExponentialBackoff, TimeoutStrategy } from 'cockatiel';
import axios from 'axios';
const retryPolicy = retry(handleAll, { maxAttempts: 3, backoff: new ExponentialBackoff() });
const timeoutPolicy = timeout(2000, TimeoutStrategy.Aggressive);
const patient = wrap(retryPolicy, timeoutPolicy);
async function forecast({ signal }: { signal: AbortSignal }) {
  return axios.get('https://weather.example.com/forecast', { signal, timeout: 1000 });
}
async function radar({ signal }: { signal: AbortSignal }) {
  return axios.get('https://radar.example.com/latest', { signal, timeout: 1000 });
}
export const weather = () => retryPolicy.execute(forecast);
export const latestRadar = () => patient.execute(radar);
`,
    'src/server.ts': `import express from 'express';
import { weather, latestRadar } from './weather';
const app = express();
app.get('/weather', async (_req, res) => res.json(await weather()));
app.get('/radar', async (_req, res) => res.json(await latestRadar()));
app.listen(3000);
`,
  });
  assert.deepEqual(externalEdges(model), [
    'entrypoint:GET /radar -> external:radar.example.com {"timeout":true,"timeoutMs":1000} src/weather.ts:10',
    'entrypoint:GET /weather -> external:weather.example.com {"timeout":true,"timeoutMs":1000} src/weather.ts:7',
  ]);
});

test('opossum: a breaker made in another module (or in a class constructor) runs what it wraps where it is fired, with the fallback given where it was made', async () => {
  const model = await scan({
    ...pkg({ opossum: '^8.1.0' }),
    'src/payments/breaker.ts': `import axios from 'axios';
import CircuitBreaker from 'opossum';

async function charge(orderId: string) {
  return (await axios.post('https://pay.example.com/charges', { orderId }, { timeout: 2000 })).data;
}

export const chargeBreaker = new CircuitBreaker(charge, { timeout: 3000, errorThresholdPercentage: 50 });
chargeBreaker.fallback(() => ({ status: 'queued' }));
`,
    'src/shipping/client.ts': `import axios from 'axios';
import CircuitBreaker from 'opossum';

export class ShippingClient {
  private readonly breaker: CircuitBreaker;

  constructor() {
    this.breaker = new CircuitBreaker(this.quote.bind(this), { timeout: 4000 });
  }

  private async quote(zip: string) {
    return (await axios.get('https://ship.example.com/quotes/' + zip, { timeout: 1500 })).data;
  }

  quoteFor(zip: string) {
    return this.breaker.fire(zip);
  }
}
`,
    'src/server.ts': `import express from 'express';
import { chargeBreaker } from './payments/breaker';
import { ShippingClient } from './shipping/client';
const app = express();
const shipping = new ShippingClient();
app.post('/orders/:id/pay', async (req, res) => res.json(await chargeBreaker.fire(req.params.id)));
app.get('/quotes/:zip', async (req, res) => res.json(await shipping.quoteFor(req.params.zip)));
app.listen(3000);
`,
  });
  const reached = model.edges.filter((e) => e.to.startsWith('external:')).map((e) => `${(e.entrypoints ?? []).join(',')} -> ${e.to} ${JSON.stringify(e.guards, Object.keys(e.guards).sort())} ${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`).sort();
  assert.deepEqual(reached, [
    'entrypoint:GET /quotes/:zip -> external:ship.example.com {"circuitBreaker":true,"timeout":true,"timeoutMs":1500} src/shipping/client.ts:12',
    'entrypoint:POST /orders/:id/pay -> external:pay.example.com {"circuitBreaker":true,"fallback":true,"timeout":true,"timeoutMs":2000} src/payments/breaker.ts:5',
  ]);
});

test('cockatiel: a call written inline in the executed callback is one edge, behind the breaker — not also an unguarded one (trap)', async () => {
  const model = await scan({
    ...pkg({ cockatiel: '^3.1.0' }),
    'src/server.ts': `import express from 'express';
import axios from 'axios';
import { circuitBreaker, ConsecutiveBreaker, handleAll } from 'cockatiel';
const breaker = circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) });
const app = express();
app.get('/rates', async (_req, res) => {
  const r = await breaker.execute(() => axios.get('https://rates.example.com/latest', { timeout: 2000 }));
  res.json(r.data);
});
app.listen(3000);
`,
  });
  assert.deepEqual(externalEdges(model), ['entrypoint:GET /rates -> external:rates.example.com {"circuitBreaker":true,"timeout":true,"timeoutMs":2000} src/server.ts:7']);
});
