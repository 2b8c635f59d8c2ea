// Like ESLint's checkRuleFiles: every catalogue id of DESIGN.md has a module with
// complete docs and a test file beside it, ids equal paths, the registries are current.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { RULES } from '../src/rules/index.js';
import { packsRegistry, rulesRegistry } from '../scripts/gen-registries.js';
import { PACKS } from '../src/packs/index.js';
import { ruleMarkdown } from '../src/rules/docs.js';

const root = path.resolve(import.meta.dirname, '..');

export const CATALOGUE = [
  'spof/shared-datastore', 'spof/single-runtime', 'dep/no-circuit-breaker', 'http/no-timeout', 'retry/no-backoff', 'retry/unbounded',
  'retry/amplification', 'timeout/inversion', 'db/pool-unbounded', 'db/pool-budget-exceeded', 'db/no-statement-timeout', 'db/no-pooler',
  'db/no-replica', 'sql/string-built', 'tx/non-atomic-writes', 'db/insert-race', 'db/n-plus-one', 'db/unbounded-query', 'db/missing-index',
  'async/floating-promise', 'error/swallowed', 'queue/no-retry-limit', 'queue/unbounded-retention', 'queue/shared-redis', 'ratelimit/in-memory',
  'state/in-memory-shared', 'config/default-secret', 'config/permissive-cors', 'health/shallow-check', 'migrations/unchecked',
  'lambda/no-reserved-concurrency', 'strength/circuit-breaker', 'strength/retry-backoff', 'strength/idempotency-key', 'strength/outbox',
  'strength/contained-side-effect', 'strength/transaction', 'strength/pure-core',
];

test('every catalogue rule id has a module', () => {
  const ids = new Set(RULES.map((r) => r.meta.id));
  assert.deepEqual(CATALOGUE.filter((id) => !ids.has(id)), []);
});

test('every rule: id equals its path, complete docs, a test file beside it', () => {
  for (const r of RULES) {
    const file = path.join(root, 'src/rules', `${r.meta.id}.ts`);
    assert.ok(fs.existsSync(file), `${r.meta.id}: no module at src/rules/${r.meta.id}.ts`);
    assert.ok(fs.existsSync(file.replace(/\.ts$/, '.test.ts')), `${r.meta.id}: no test beside it`);
    const d = r.meta.docs;
    for (const k of ['what', 'why', 'fix', 'falsePositiveGuard'] as const) assert.ok(d[k] && d[k].length > 40, `${r.meta.id}: docs.${k} is missing or too short`);
    assert.ok(d.references.length > 0, `${r.meta.id}: no references`);
    if (r.meta.id.startsWith('strength/')) assert.equal(r.meta.polarity, 'strength', r.meta.id);
  }
});

test('rule tests have at least two firing and two silent cases', () => {
  for (const r of RULES) {
    const text = fs.readFileSync(path.join(root, 'src/rules', `${r.meta.id}.test.ts`), 'utf8');
    const cases = text.split(/\btest\(/).slice(1);
    const firing = cases.filter((c) => /hits\([^)]*\),\s*\[\s*['"`]/.test(c) || /\.length,\s*[1-9]/.test(c) || /assert\.ok\([^)]*(find|some)\(/.test(c)).length;
    const silent = cases.filter((c) => /hits\([^)]*\),\s*\[\s*\]/.test(c) || /\.length,\s*0\b/.test(c)).length;
    assert.ok(cases.length >= 4, `${r.meta.id}: ${cases.length} test cases, want ≥ 4`);
    assert.ok(silent >= 2, `${r.meta.id}: ${silent} cases assert silence, want ≥ 2`);
    assert.ok(firing >= 2, `${r.meta.id}: ${firing} cases assert a finding, want ≥ 2`);
  }
});

test('the generated registries are current', () => {
  assert.equal(fs.readFileSync(path.join(root, 'src/rules/index.ts'), 'utf8'), rulesRegistry());
  assert.equal(fs.readFileSync(path.join(root, 'src/packs/index.ts'), 'utf8'), packsRegistry());
});

test('every pack id equals its folder and names its upstream docs', () => {
  for (const p of PACKS) {
    assert.ok(fs.existsSync(path.join(root, 'src/packs', p.id, 'index.ts')), `${p.id}: folder`);
    assert.ok(p.upstreamDocs.length > 0, `${p.id}: upstreamDocs`);
  }
});

test('generated rule docs are current (npm run gen:docs)', () => {
  for (const r of RULES) {
    const file = path.join(root, 'docs/rules', `${r.meta.id.replace('/', '--')}.md`);
    assert.ok(fs.existsSync(file), `docs/rules/${r.meta.id.replace('/', '--')}.md missing: run npm run gen:docs`);
    assert.equal(fs.readFileSync(file, 'utf8'), ruleMarkdown(r.meta), `docs/rules/${r.meta.id.replace('/', '--')}.md is stale: run npm run gen:docs`);
  }
});
