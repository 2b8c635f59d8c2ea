import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import {
  FINGERPRINT_KEY, SARIF_SCHEMA_URI, SRCROOT, pathToUri, renderSarif, renderSarifString, ruleName, severityToLevel, stringifySarif,
  type SarifLog,
} from '../../src/render/sarif.js';
import type { Model } from '../../src/model/types.js';
import { HOSTILE, fixtureModel, fixtureRules } from './fixture-model.js';

function loadValidator(): ValidateFunction {
  const path = fileURLToPath(new URL('../fixtures/sarif-schema-2.1.0.json', import.meta.url));
  const schema = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  assert.equal(schema.id, 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json');
  // Draft-04 → draft-07 with the same meaning (see test/fixtures/sarif-schema-2.1.0.README.md).
  const { id, $schema: _draft04, ...rest } = schema;
  const AjvClass = Ajv as unknown as typeof Ajv.default;
  const ajv = new AjvClass({ allErrors: true, strict: false });
  (addFormats as unknown as typeof addFormats.default)(ajv);
  return ajv.compile({ $id: id, ...rest });
}

const validate = loadValidator();
const errorsOf = (v: unknown) => (validate(v) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));

/** The same model with every array reversed: output must not depend on input order. */
function reversed(m: Model): Model {
  const r = structuredClone(m);
  r.nodes.reverse();
  r.edges.reverse();
  r.findings.reverse();
  r.scenarios.reverse();
  r.diagnostics.reverse();
  for (const s of r.scenarios) {
    s.rings.forEach((ring) => ring.reverse());
    s.paths.reverse();
    s.stoppedBy.reverse();
    for (const k of ['down', 'degraded', 'delayed', 'ok'] as const) s.entrypoints[k].reverse();
  }
  return r;
}

test('SARIF log validates against the SARIF 2.1.0 schema', () => {
  const log = renderSarif(fixtureModel(), fixtureRules());
  assert.deepEqual(errorsOf(log), []);
  // And after a JSON round trip (what a consumer reads).
  assert.deepEqual(errorsOf(JSON.parse(renderSarifString(fixtureModel(), fixtureRules()))), []);
});

test('the schema check can fail: broken logs are rejected', () => {
  const good = JSON.parse(renderSarifString(fixtureModel(), fixtureRules()));
  const breakers: [string, (l: any) => void][] = [
    ['wrong version', (l) => { l.version = '2.0.0'; }],
    ['unknown level', (l) => { l.runs[0].results[0].level = 'fatal'; }],
    ['result without message', (l) => { delete l.runs[0].results[0].message; }],
    ['startLine 0', (l) => { l.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0; }],
    ['driver without name', (l) => { delete l.runs[0].tool.driver.name; }],
    ['unknown top-level property', (l) => { l.extra = true; }],
    ['suppression of unknown kind', (l) => { l.runs[0].results.find((r: any) => r.suppressions).suppressions[0].kind = 'inline'; }],
    ['informationUri not a URI', (l) => { l.runs[0].tool.driver.informationUri = 'not a uri'; }],
  ];
  for (const [what, breakIt] of breakers) {
    const bad = structuredClone(good);
    breakIt(bad);
    assert.notDeepEqual(errorsOf(bad), [], `${what} should not validate`);
  }
});

test('one run, faultline driver, every catalogue rule with its docs', () => {
  const rules = fixtureRules();
  const log = renderSarif(fixtureModel(), rules);
  assert.equal(log.$schema, SARIF_SCHEMA_URI);
  assert.equal(log.version, '2.1.0');
  assert.equal(log.runs.length, 1);
  const driver = log.runs[0].tool.driver;
  assert.equal(driver.name, 'faultline');
  assert.equal(driver.version, '0.1.0');
  assert.match(driver.informationUri, /^https:\/\//);
  const ids = driver.rules.map((r) => r.id);
  assert.deepEqual(ids, [...ids].sort(), 'rules sorted by id');
  for (const r of rules) {
    const d = driver.rules.find((x) => x.id === r.id);
    assert.ok(d, `rule ${r.id} present`);
    assert.equal(d.name, ruleName(r.id));
    assert.equal(d.shortDescription.text, r.title);
    assert.equal(d.fullDescription?.text, r.docs.what);
    assert.ok(d.help?.text.includes(r.docs.fix) && d.help.text.includes(r.docs.falsePositiveGuard));
    assert.ok(d.help?.markdown?.includes('## How to fix') && d.help.markdown.includes(r.docs.references[0]));
    assert.equal(d.properties.category, r.category);
    assert.equal(d.properties.polarity, r.polarity);
    assert.ok(d.properties.tags.includes(r.category) && d.properties.tags.includes('faultline'));
    const expected = r.polarity === 'strength' ? 'none' : severityToLevel(r.defaultSeverity);
    assert.equal(d.defaultConfiguration.level, expected);
  }
  // The unused rule is in the catalogue too; the uncatalogued rule a finding uses gets a descriptor.
  assert.ok(ids.includes('retry/unbounded'));
  assert.ok(ids.includes('flow/client-ordered-steps'));
  assert.equal(ruleName('db/pool-unbounded'), 'DbPoolUnbounded');
  const sec = driver.rules.find((x) => x.id === 'sql/string-built')!;
  assert.equal(sec.properties['security-severity'], '8.0');
  assert.ok(sec.properties.tags.includes('security'));
});

test('results: one per finding, fingerprints are finding ids, ruleIndex points at the rule', () => {
  const model = fixtureModel();
  const log = renderSarif(model, fixtureRules());
  const run = log.runs[0];
  assert.equal(run.results.length, model.findings.length);
  assert.deepEqual(run.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]).sort(), model.findings.map((f) => f.id).sort());
  for (const r of run.results) {
    const f = model.findings.find((x) => x.id === r.partialFingerprints[FINGERPRINT_KEY])!;
    assert.equal(r.ruleId, f.rule);
    assert.equal(run.tool.driver.rules[r.ruleIndex].id, r.ruleId);
    assert.ok(r.message.text.startsWith(f.title));
    assert.ok(r.message.text.includes(`Impact: ${f.impact}`));
    assert.ok(r.message.text.includes(`Recommendation: ${f.recommendation}`));
    assert.equal(r.properties.severity, f.severity);
    assert.equal(r.properties.polarity, f.polarity);
  }
});

test('levels from severity; strengths and observations are informational with level none', () => {
  const log = renderSarif(fixtureModel(), fixtureRules());
  const by = (id: string) => log.runs[0].results.find((r) => r.partialFingerprints[FINGERPRINT_KEY] === id)!;
  assert.equal(by('fl1-spof-shared-datastore-postgres').level, 'error');
  assert.equal(by('fl1-spof-shared-datastore-postgres').kind, 'fail');
  assert.equal(by('fl1-tx-non-atomic-onboarding').level, 'error');
  assert.equal(by('fl1-http-no-timeout-resend').level, 'warning');
  assert.equal(by('fl1-health-shallow').level, 'note');
  assert.equal(by('fl1-db-no-replica-postgres').kind, 'fail', 'opportunities are actionable');
  for (const id of ['fl1-strength-contained-resend', 'fl1-strength-pure-core-score', 'fl1-observation-client-steps']) {
    assert.equal(by(id).kind, 'informational');
    assert.equal(by(id).level, 'none');
  }
  assert.equal(severityToLevel('critical'), 'error');
  assert.equal(severityToLevel('high'), 'error');
  assert.equal(severityToLevel('medium'), 'warning');
  assert.equal(severityToLevel('low'), 'note');
  assert.equal(severityToLevel('info'), 'note');
});

test('locations: relative, percent-encoded URIs against %SRCROOT%, with region and snippet', () => {
  const log = renderSarif(fixtureModel(), fixtureRules());
  const run = log.runs[0];
  assert.ok(run.originalUriBaseIds[SRCROOT]);
  assert.equal(run.originalUriBaseIds[SRCROOT].uri, undefined, 'no absolute root unless given');
  const tx = run.results.find((r) => r.ruleId === 'tx/non-atomic-writes')!;
  const pl = tx.locations![0].physicalLocation;
  assert.deepEqual(pl.artifactLocation, { uri: 'apps/server/src/onboarding/onboarding.service.ts', uriBaseId: SRCROOT });
  assert.equal(pl.region?.startLine, 80);
  assert.equal(pl.region?.endLine, 95);
  assert.match(pl.region?.snippet?.text ?? '', /subscriptions\.create/);

  const sql = run.results.find((r) => r.ruleId === 'sql/string-built')!;
  const uri = sql.locations![0].physicalLocation.artifactLocation.uri!;
  assert.equal(uri, pathToUri(HOSTILE.file));
  assert.doesNotMatch(uri, /["<> ]/);
  assert.equal(decodeURIComponent(uri), HOSTILE.file);
  for (const r of run.results) {
    for (const l of r.locations ?? []) {
      assert.equal(l.physicalLocation.artifactLocation.uriBaseId, SRCROOT);
      assert.doesNotMatch(l.physicalLocation.artifactLocation.uri!, /^\/|^[a-z]+:/i, 'relative');
    }
  }
  // A finding without a location falls back to its element's evidence.
  const obs = run.results.find((r) => r.ruleId === 'flow/client-ordered-steps')!;
  assert.equal(obs.locations![0].physicalLocation.artifactLocation.uri, 'apps/server/src/onboarding/onboarding.module.ts');

  const withRoot = renderSarif(fixtureModel(), fixtureRules(), { srcRootUri: 'file:///home/ci/repo' });
  assert.equal(withRoot.runs[0].originalUriBaseIds[SRCROOT].uri, 'file:///home/ci/repo/');
  assert.deepEqual(errorsOf(withRoot), []);
});

test('suppressed findings are kept with an inSource suppression and its justification', () => {
  const log = renderSarif(fixtureModel(), fixtureRules());
  const suppressed = log.runs[0].results.filter((r) => r.suppressions);
  assert.equal(suppressed.length, 1);
  const s = suppressed[0].suppressions![0];
  assert.equal(s.kind, 'inSource');
  assert.equal(s.status, 'accepted');
  assert.equal(s.justification, 'best-effort metrics, by design');
  assert.equal(s.location?.physicalLocation.region?.startLine, 49);
});

test('diagnostics become tool execution notifications', () => {
  const log = renderSarif(fixtureModel(), fixtureRules());
  const inv = log.runs[0].invocations[0];
  assert.equal(inv.executionSuccessful, true);
  assert.equal(inv.toolExecutionNotifications?.length, 3);
  // Sorted by file.
  assert.deepEqual(inv.toolExecutionNotifications!.map((n) => n.descriptor?.id), ['parse', 'skipped-binary', 'parse']);
  assert.equal(inv.toolExecutionNotifications![2].locations![0].physicalLocation.artifactLocation.uri, pathToUri(HOSTILE.file));
});

test('deterministic: byte-identical across renders and input orders', () => {
  const a = renderSarifString(fixtureModel(), fixtureRules());
  const b = renderSarifString(fixtureModel(), fixtureRules());
  assert.equal(a, b);
  const c = renderSarifString(reversed(fixtureModel()), [...fixtureRules()].reverse());
  assert.equal(a, c);
  assert.ok(a.endsWith('}\n'));
  assert.equal(stringifySarif(JSON.parse(a) as SarifLog), a);
});

test('an empty model gives a valid log with no results', () => {
  const empty: Model = {
    schemaVersion: 1, tool: { name: 'faultline', version: '0.1.0' }, root: '.',
    nodes: [], edges: [], findings: [], scenarios: [], diagnostics: [],
  };
  const log = renderSarif(empty, []);
  assert.deepEqual(log.runs[0].results, []);
  assert.deepEqual(log.runs[0].tool.driver.rules, []);
  assert.deepEqual(errorsOf(log), []);
});
