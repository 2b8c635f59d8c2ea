import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  architectureFlowchart, createIdAllocator, escapeMermaidText, indexModel, mermaidLabel, reachable, scenarioFlowchart,
} from '../../src/render/mermaid.js';
import type { Model, ModelEdge, ModelNode } from '../../src/model/types.js';
import { HOSTILE, fixtureModel } from './fixture-model.js';
import { checkFlowchartStructure, parseMermaid } from './mermaid-parse.js';

const EVERYTHING_HOSTILE = `${HOSTILE.img} ${HOSTILE.script} "quoted" #quot; &amp; \`tick\` [a] {b} (c) |d| ; %% end\nclass x\tclick`;

test('the checks can fail: mermaid rejects broken flowcharts, the structure check flags raw text', async () => {
  await assert.rejects(parseMermaid('flowchart LR\n  a["x "y" z"] --> b'));
  await assert.rejects(parseMermaid('flowchart LR\n  a[x <script>alert(1)</script>] --> b'));
  await assert.rejects(parseMermaid('flowchart LR\n  end["x"] --> b'));
  await assert.rejects(parseMermaid('flowchart LR\n  a[""] --> b'));
  assert.notDeepEqual(checkFlowchartStructure('flowchart LR\n  n_a["<b>"]'), []);
  assert.notDeepEqual(checkFlowchartStructure('flowchart LR\n  n-a["x"]'), []);
  assert.notDeepEqual(checkFlowchartStructure('flowchart LR\n  subgraph g["x"]\n  n_a["y"]'), []);
  assert.deepEqual(checkFlowchartStructure('flowchart LR\n  n_a["x"] \n'.trimEnd()), []);
});

test('escapeMermaidText replaces every character that could end a string or be markup', () => {
  assert.equal(escapeMermaidText('"<>&#`'), '#quot;#lt;#gt;#amp;#35;#96;');
  assert.equal(escapeMermaidText('a\nb\u0000c'), 'a b c');
  const esc = escapeMermaidText(EVERYTHING_HOSTILE);
  assert.doesNotMatch(esc, /["<>`\n\t]/);
  assert.equal(mermaidLabel(''), '"(unnamed)"');
  assert.equal(mermaidLabel('   '), '"(unnamed)"');
  assert.equal(mermaidLabel('x'.repeat(100), 10), `"${'x'.repeat(9)}…"`);
});

test('a label made of every hostile string parses, in every node shape, subgraph and edge label', async () => {
  const l = mermaidLabel(EVERYTHING_HOSTILE, 200);
  const text = [
    'flowchart LR',
    `  subgraph g_x[${l}]`,
    `    n_a[${l}]`,
    '  end',
    `  n_b[(${l})]`, `  n_c{{${l}}}`, `  n_d[[${l}]]`, `  n_e([${l}])`, `  n_f((${l}))`, `  n_g>${l}]`,
    `  n_a -->|${l}| n_b`,
    `  n_c -.->|${l}| n_d`,
  ].join('\n');
  assert.deepEqual(checkFlowchartStructure(text), []);
  assert.equal(await parseMermaid(text), 'flowchart-v2');
});

test('ids are sanitized to [A-Za-z0-9_], prefixed, and unique within a diagram', () => {
  const id = createIdAllocator('n_');
  assert.equal(id('datastore:postgres'), 'n_datastore_postgres');
  assert.equal(id('datastore:postgres'), 'n_datastore_postgres', 'stable');
  assert.equal(id('datastore-postgres'), 'n_datastore_postgres_2', 'collision gets a suffix');
  assert.equal(id('end'), 'n_end', 'never a bare keyword');
  assert.match(id(`entrypoint:GET ${HOSTILE.routePath}`), /^n_[A-Za-z0-9_]+$/);
  assert.match(id(''), /^n_node$/);
});

test('architecture flowchart: runtime subgraphs, dependency shapes, aggregated edges; parses', async () => {
  const d = architectureFlowchart(fixtureModel());
  assert.deepEqual(checkFlowchartStructure(d.text), []);
  assert.equal(await parseMermaid(d.text), 'flowchart-v2');
  assert.ok(d.text.includes('  subgraph g_runtime_api["runtime api · aws-lambda"]'));
  assert.ok(d.text.includes('    n_component_onboarding["onboarding · 2 entrypoints"]'));
  assert.ok(d.text.includes('  n_component_portal["portal · 2 entrypoints"]'), 'a component on two runtimes stays outside');
  assert.ok(d.text.includes('  n_cache_redis{{"redis"}}'));
  assert.ok(d.text.includes('  n_external_resend(["resend"])'));
  assert.ok(d.text.includes('  n_component_onboarding -.->|"calls"| n_external_resend'), 'fire-and-forget is dashed');
  assert.ok(d.text.includes('  n_component_auth -->|"reads"| n_datastore_postgres'));
  assert.ok(!d.text.includes('runs_on'));
  assert.equal(d.omittedNodes, 0);
  assert.equal(d.omittedEdges, 0);
});

test('scenario flowcharts: rings as subgraphs colored by classDef, stoppedBy as contained; all parse', async () => {
  const model = fixtureModel();
  for (const s of model.scenarios) {
    const d = scenarioFlowchart(model, s);
    assert.deepEqual(checkFlowchartStructure(d.text), [], d.text);
    assert.equal(await parseMermaid(d.text), 'flowchart-v2', d.text);
    assert.ok(d.text.includes('classDef ring0 '));
    assert.ok(d.text.includes('  subgraph r0["Ring 0 · failed"]'));
  }
  const idp = scenarioFlowchart(model, model.scenarios.find((s) => s.failed === 'external:idp-issuer')!);
  assert.ok(idp.text.includes('  n_external_idp_issuer --> n_component_auth'));
  assert.ok(idp.text.includes('  class n_component_auth ring1'));
  assert.ok(idp.text.includes('  class n_entrypoint_GET__dashboard,n_entrypoint_POST__user_save_qualification,n_entrypoint_POST__user_setup_deployment_choice ring3'));
  const resend = scenarioFlowchart(model, model.scenarios.find((s) => s.failed === 'external:resend')!);
  assert.ok(resend.text.includes('  n_external_resend -.->|"stopped by caught"| n_component_onboarding'));
  assert.ok(resend.text.includes('  class n_component_onboarding contained'));
});

function bigModel(n: number): Model {
  const nodes: ModelNode[] = [{ id: 'datastore:postgres', kind: 'datastore', name: 'postgres', evidence: [] }];
  const edges: ModelEdge[] = [];
  const eps: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = `component:c${String(i).padStart(3, '0')}`;
    const e = `entrypoint:GET /r${i}/"<x>"`;
    eps.push(e);
    nodes.push({ id: c, kind: 'component', name: `c${i}`, evidence: [] });
    nodes.push({ id: e, kind: 'entrypoint', name: `GET /r${i}/"<x>"`, component: c, evidence: [] });
    edges.push({ from: e, to: c, kind: 'calls', mode: 'sync', guards: {}, evidence: [] });
    edges.push({ from: c, to: 'datastore:postgres', kind: 'reads', mode: 'sync', guards: {}, evidence: [] });
  }
  return {
    schemaVersion: 1, tool: { name: 'faultline', version: '0.1.0' }, root: '.', nodes, edges, findings: [], diagnostics: [],
    scenarios: [{
      failed: 'datastore:postgres', mode: 'outage',
      rings: [['datastore:postgres'], nodes.filter((x) => x.kind === 'component').map((x) => x.id), eps],
      entrypoints: { down: eps, degraded: [], delayed: [], ok: [] }, paths: [], stoppedBy: [],
    }],
  };
}

test('large models are capped to stay renderable, and still parse', async () => {
  const m = bigModel(150);
  const arch = architectureFlowchart(m);
  assert.ok(arch.omittedNodes > 0);
  assert.ok(arch.text.length < 50_000, 'under mermaid maxTextSize');
  assert.equal(await parseMermaid(arch.text), 'flowchart-v2');
  const sc = scenarioFlowchart(m, m.scenarios[0]);
  assert.equal(sc.omittedNodes, 2 * (150 - 12));
  assert.ok(sc.text.includes('["+ 138 more"]'));
  assert.ok(sc.text.length < 50_000);
  assert.equal(await parseMermaid(sc.text), 'flowchart-v2');
});

test('reachable() honours edges[].entrypoints', () => {
  const ix = indexModel(fixtureModel());
  const health = reachable(ix, 'entrypoint:GET /health', 'entrypoint:GET /health');
  assert.ok(!health.has('datastore:postgres'), 'the health route does not reach the database');
  const save = reachable(ix, 'entrypoint:POST /user/save-qualification', 'entrypoint:POST /user/save-qualification');
  assert.ok(save.has('datastore:postgres'));
  assert.ok(!save.has('external:resend'), 'only setup-deployment-choice sends the email');
  assert.ok(reachable(ix, 'component:onboarding').has('external:resend'));
});
