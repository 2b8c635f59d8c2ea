import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSource } from '../parse/parse-file.js';

const loopsOf = (src: string, fn: string) => parseSource('src/x.ts', src).facts!.functions.find((f) => f.id === fn)?.retryLoops;

test('retry loop facts: bound, attempts, exponential delay with jitter through locals', () => {
  const loops = loopsOf(`const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export async function run(op: () => Promise<number>, maxRetries = 3) {
  let attempt = 0;
  for (;;) {
    try {
      return await op();
    } catch (err) {
      if (attempt >= maxRetries) throw err;
      const exp = Math.min(10000, 1000 * 2 ** attempt);
      const delayMs = exp / 2 + Math.random() * (exp / 2);
      attempt += 1;
      await sleep(delayMs);
    }
  }
}
`, 'run');
  assert.equal(loops?.length, 1);
  const l = loops![0];
  assert.deepEqual([l.line, l.bounded, l.backoff, l.jitter, l.counter, l.delayLine], [4, 'yes', 'exponential', true, 'attempt', 12]);
  assert.deepEqual(l.attempts, { max: { ref: 'maxRetries' }, offset: 1 });
});

test('retry loop facts: fixed delay in new Promise/setTimeout, unbounded while(true), helper-computed delay', () => {
  const fixed = loopsOf(`export async function f(call: () => Promise<void>) {
  for (let i = 1; i <= 5; i++) {
    try { await call(); break; } catch { await new Promise((r) => setTimeout(r, 2000)); }
  }
}
`, 'f')![0];
  assert.deepEqual([fixed.bounded, fixed.backoff, fixed.delay, fixed.attempts?.offset], ['yes', 'fixed', 2000, 0]);
  const forever = loopsOf(`export async function g(call: () => Promise<void>) {
  while (true) {
    try { return await call(); } catch (e) { if (e instanceof TypeError) throw e; await sleep(100); }
  }
}
`, 'g')![0];
  assert.equal(forever.bounded, 'no');
  const helper = loopsOf(`export async function h(call: () => Promise<void>, n: number) {
  for (let attempt = 0; attempt < n; attempt++) {
    try { return await call(); } catch { await sleep(backoffDelay(attempt)); }
  }
}
`, 'h')![0];
  assert.deepEqual([helper.backoff, helper.delayCall?.callee], ['unknown', 'backoffDelay']);
});

test('not retry loops: a catch that rethrows, a read loop with a conditional break, a poll that goes on after success', () => {
  const src = `export async function a(load: () => Promise<string>) {
  while (true) { try { return await load(); } catch (e) { throw e; } }
}
export async function b(reader: { read(): Promise<{ done: boolean }> }) {
  for (;;) { try { const r = await reader.read(); if (r.done) break; } catch {} }
}
export async function c(tick: () => Promise<void>) {
  while (true) { try { await tick(); } catch {} await sleep(1000); }
}
`;
  for (const fn of ['a', 'b', 'c']) assert.equal(loopsOf(src, fn), undefined, fn);
});

test('backoffMath and parameter defaults', () => {
  const facts = parseSource('src/x.ts', `export function delay(attempt: number) { return Math.random() * 100 * 2 ** attempt; }
export function plain(a: number) { return a * 2; }
export class Db { constructor(private readonly config = DEFAULT_CONFIG, retries = 3) {} }
`).facts!;
  assert.deepEqual(facts.functions.find((f) => f.id === 'delay')?.backoffMath, { exponential: true, jitter: true });
  assert.equal(facts.functions.find((f) => f.id === 'plain')?.backoffMath, undefined);
  assert.deepEqual(facts.functions.find((f) => f.id === 'Db.constructor')?.params.map((p) => p.default), [{ ref: 'DEFAULT_CONFIG' }, 3]);
});
