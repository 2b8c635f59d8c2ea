// The db/* capacity and schema rules on the example repositories: exactly the findings
// their hand-written expected files list (test/expected/<name>.json), and none of the
// mustNotFire ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runPipeline } from '../../pipeline.js';
import type { Finding } from '../../model/types.js';
import missingIndex from './missing-index.js';
import noPooler from './no-pooler.js';
import noReplica from './no-replica.js';
import noStatementTimeout from './no-statement-timeout.js';
import poolBudgetExceeded from './pool-budget-exceeded.js';
import poolUnbounded from './pool-unbounded.js';

const root = path.resolve(import.meta.dirname, '../../..');
const rules = [missingIndex, noPooler, noReplica, noStatementTimeout, poolBudgetExceeded, poolUnbounded];
const ids = new Set(rules.map((r) => r.meta.id));

const covers = (f: Finding, file: string, line: number) => f.locations.some((l) => l.file === file && l.line <= line && line <= (l.endLine ?? l.line));

for (const name of ['portal', 'health-sync', 'tenant-platform']) {
  test(`db capacity rules on examples/${name}: the expected findings, at their lines, and nothing else`, async () => {
    const expected = JSON.parse(fs.readFileSync(path.join(root, 'test/expected', `${name}.json`), 'utf8'));
    const { model } = await runPipeline(path.join(root, 'examples', name), { rules });
    const mine = (expected.expectedFindings ?? []).filter((e: any) => ids.has(e.rule));
    for (const e of mine) {
      const f = model.findings.find((x) => x.rule === e.rule && covers(x, e.file, e.line) && x.locations[0].file === e.file);
      assert.ok(f, `${e.rule} at ${e.file}:${e.line} (got ${model.findings.filter((x) => x.rule === e.rule).map((x) => `${x.locations[0].file}:${x.locations[0].line}`).join(', ') || 'none'})`);
      if (e.element) assert.equal(f.element, e.element, `${e.rule} element`);
    }
    for (const m of (expected.mustNotFire ?? []).filter((x: any) => ids.has(x.rule))) {
      assert.equal(model.findings.some((x) => x.rule === m.rule && covers(x, m.file, m.line)), false, `${m.rule} must not fire at ${m.file}:${m.line}: ${m.why}`);
    }
    assert.equal(model.findings.length, mine.length, `only the expected findings: ${model.findings.map((x) => `${x.rule} ${x.locations[0].file}:${x.locations[0].line}`).join('; ')}`);
  });
}
