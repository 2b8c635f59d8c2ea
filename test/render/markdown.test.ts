import { test } from 'node:test';
import assert from 'node:assert/strict';
import { code, fenced, md, renderMarkdown, summarize } from '../../src/render/markdown.js';
import type { Model } from '../../src/model/types.js';
import { HOSTILE, fixtureModel, fixtureRules } from './fixture-model.js';
import { checkFlowchartStructure, mermaidBlocks, parseMermaid } from './mermaid-parse.js';

const render = (m: Model = fixtureModel()) => renderMarkdown(m, { rules: fixtureRules() });

/** The document without its fenced code blocks (whose content is shown verbatim). */
function prose(markdown: string): string {
  return markdown.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '');
}

/** Cells of a GFM table row, honouring backslash escapes. */
function cells(row: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < row.length; i++) {
    const ch = row[i];
    if (ch === '\\' && i + 1 < row.length) { cur += ch + row[i + 1]; i++; continue; }
    if (ch === '|') { out.push(cur.trim()); cur = ''; continue; }
    cur += ch;
  }
  out.push(cur.trim());
  return out.slice(1, -1); // leading and trailing pipes
}

/** Table rows (header, delimiter, body) of the table whose header line starts with `header`. */
function tableAfter(markdown: string, header: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.startsWith(header));
  assert.ok(start >= 0, `table ${header} present`);
  const rows: string[] = [];
  for (let i = start; i < lines.length && lines[i].startsWith('|'); i++) rows.push(lines[i]);
  return rows;
}

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `section ${heading}`);
  const level = heading.match(/^#+/)![0].length;
  const rest = markdown.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`^#{1,${level}} `, 'm'));
  return next < 0 ? rest : rest.slice(0, next);
}

test('title and summary line with the numbers', () => {
  const out = render();
  assert.ok(out.startsWith('# faultline report\n'));
  const summary = '12 findings · 11 traced paths · 2 critical, 3 high, 2 medium, 1 low, 4 info · ' +
    'Polarities: 7 risks, 3 strengths, 1 opportunity, 1 observation · 1 suppressed';
  assert.ok(out.includes(`**${summary}**`), out.slice(0, 400));
  assert.equal(summarize(fixtureModel()), summary);
  assert.ok(out.includes('- Worst outage: postgres (datastore) — 5/7 entrypoints down, 1 delayed.'));
  assert.ok(out.includes('- Worst slowdown: postgres (datastore) — 6/7 entrypoints down.'));
});

test('architecture summary: counts by kind and reach of every dependency', () => {
  const arch = section(render(), '## Architecture');
  assert.ok(arch.includes('| entrypoint | 7 (6 http, 1 worker) |'));
  assert.ok(arch.includes('| component | 5 |'));
  const deps = tableAfter(arch, '| dependency |');
  assert.equal(deps.length, 2 + 5);
  assert.deepEqual(cells(deps[2]).slice(0, 6), ['**postgres**', 'datastore', 'postgresql', 'single instance', '4/5', '6/7']);
  const idp = deps.map(cells).find((c) => c[0] === '**idp-issuer**')!;
  assert.deepEqual(idp.slice(4, 6), ['3/5', '4/7']);
  const resend = deps.map(cells).find((c) => c[0] === '**resend**')!;
  assert.deepEqual(resend.slice(4, 6), ['1/5', '1/7'], 'only the route whose traced path calls resend');
});

test('top risks: critical and high risks with element, file:line, impact, recommendation', () => {
  const top = section(render(), '## Top risks');
  const headings = top.split('\n').filter((l) => l.startsWith('### '));
  assert.equal(headings.length, 5);
  assert.equal(headings[0], '### 1. One PostgreSQL instance without a replica serves 5 of 6 components');
  assert.ok(top.includes('- **Where:** `apps/server/src/onboarding/onboarding.service.ts:80-95`'));
  assert.ok(top.includes('- **Recommendation:** Wrap the three writes in one transaction.'));
  assert.ok(top.includes('- **Impact:** An IdP outage blocks every login and every authenticated route.'));
  assert.ok(!top.includes('Resend is called without a timeout'), 'medium is not a top risk');
  assert.ok(!top.includes('metrics flush'), 'suppressed is not a top risk');
});

test('blast-radius scenarios: rings, states, traced paths, stoppedBy with evidence, lost side effects', () => {
  const br = section(render(), '## Blast-radius scenarios');
  const order = br.split('\n').filter((l) => l.startsWith('### '));
  assert.deepEqual(order, [
    '### postgres (datastore) — outage (calls fail fast)',
    '### idp-issuer (external) — outage (calls fail fast)',
    '### redis (cache) — outage (calls fail fast)',
    '### resend (external) — outage (calls fail fast)',
    '### postgres (datastore) — slowdown (calls hang)',
  ]);
  const pg = section(br, '### postgres (datastore) — outage (calls fail fast)');
  assert.ok(pg.includes('**Blast radius:** 5/7 entrypoints down, 1 delayed.'));
  assert.ok(pg.includes('- Ring 0 (failed): postgres'));
  assert.ok(pg.includes('| down | 5 |'));
  assert.ok(pg.includes('| ok | 1 | GET /health |'));
  assert.ok(pg.includes('**Traced paths** (5 of 6)'));
  assert.ok(pg.includes('- `web → POST /auth/login → auth → postgres`'));
  assert.ok(pg.includes('- Nothing stops this cascade.'));
  const resend = section(br, '### resend (external) — outage (calls fail fast)');
  assert.ok(resend.includes('- caught on onboarding → resend — `apps/server/src/onboarding/onboarding.service.ts:131`'));
  assert.ok(resend.includes('**Lost side effects**'));
  assert.ok(resend.includes('- onboarding → resend for POST /user/setup-deployment-choice — `apps/server/src/onboarding/onboarding.service.ts:131`'));

  const absorbed = fixtureModel();
  absorbed.scenarios[0].absorbed = 'postgres has a multi-AZ standby: a single instance failure fails over';
  absorbed.scenarios[0].entrypoints = { down: [], degraded: [], delayed: [], ok: absorbed.scenarios[0].entrypoints.ok };
  assert.ok(render(absorbed).includes('**Absorbed:** postgres has a multi-AZ standby: a single instance failure fails over'));
});

test('failure-propagation matrix: the seed-003 header and rows derived from scenarios and findings', () => {
  const out = render();
  const rows = tableAfter(out, '| Component | Failure Mode |');
  assert.deepEqual(cells(rows[0]), ['Component', 'Failure Mode', 'Blast Radius', 'Current Guardrail', 'Proposed Guardrail', 'Effort', 'Priority']);
  const body = rows.slice(2).map(cells);
  for (const r of body) assert.equal(r.length, 7, `7 cells: ${r.join(' ¦ ')}`);
  const row = (component: string, mode: string) => body.find((r) => r[0] === component && r[1].startsWith(mode));

  const pgOut = row('**postgres** (datastore)', 'Outage')!;
  assert.match(pgOut[2], /^5\/7 entrypoints down, 1 delayed; components: auth, onboarding, portal, weird\\\|pipe \\`tick\\`$/);
  assert.match(pgOut[3], /3 retries \(exponential backoff \+ jitter\) on 1\/4 calls: onboarding \(`apps\/server\/src\/onboarding\/onboarding\.service\.ts:88`\)/);
  assert.ok(pgOut[4].includes('(`spof/shared-datastore`)') && pgOut[4].includes('(`tx/non-atomic-writes`)'));
  assert.ok(!pgOut[4].includes('sql/string-built'), 'a security finding is not a propagation guardrail');
  assert.deepEqual(pgOut.slice(5), ['M', 'P0']);

  const pgSlow = row('**postgres** (datastore)', 'Slowdown')!;
  assert.ok(pgSlow[3].includes('timeout 5 s on 1/4 calls: portal (`apps/server/src/portal/portal.service.ts:21`)'));
  // No finding proposes one here: the graph does, naming the calls that lack a timeout.
  assert.equal(pgSlow[4], 'Set a timeout on the 3/4 calls to postgres without one (auth, onboarding, weird\\|pipe \\`tick\\`); ' +
    'bulkhead its pool from the rest of the runtime');
  assert.deepEqual(pgSlow.slice(5), ['M', 'P0']);

  const idp = row('**idp-issuer** (external)', 'Outage')!;
  assert.equal(idp[3], 'None on 1 call');
  assert.ok(idp[4].includes('circuit breaker') && idp[4].includes('(`dep/no-circuit-breaker`)'));
  assert.deepEqual(idp.slice(5), ['S', 'P1']);

  const resend = row('**resend** (external)', 'Outage')!;
  assert.ok(resend[2].includes('1 side effect lost'));
  assert.ok(resend[3].includes('fire-and-forget with catch on 1/1 call'));

  const redis = row('**redis** (cache)', 'Outage')!;
  assert.ok(redis[3].includes('fallback on 1/2 calls: portal'));
  assert.deepEqual(redis.slice(4), ['Degrades through fallbacks: alert on the fallback rate of calls to redis', 'S', 'P2']);
  assert.deepEqual(resend.slice(4), ['Make the dropped work durable: send it through a queue or an outbox with retries', 'M', 'P2']);

  // Redundancy that absorbs the failure: said in the blast radius, nothing proposed from the graph.
  const m = fixtureModel();
  const s = m.scenarios.find((x) => x.failed === 'external:idp-issuer')!;
  s.absorbed = 'idp-issuer has 2 replicas: losing one instance is absorbed';
  s.entrypoints = { down: [], degraded: [], delayed: [], ok: [...s.entrypoints.down, ...s.entrypoints.ok] };
  m.findings = m.findings.filter((f) => f.rule !== 'dep/no-circuit-breaker');
  const absorbed = tableAfter(render(m), '| Component | Failure Mode |').slice(2).map(cells)
    .find((r) => r[0] === '**idp-issuer** (external)')!;
  assert.equal(absorbed[2], 'Absorbed: idp-issuer has 2 replicas: losing one instance is absorbed');
  assert.deepEqual(absorbed.slice(4), ['—', '—', '—']);

  // Findings no scenario accounts for get their own row, as in the seed (JWT, CORS...).
  const sql = body.find((r) => r[1].startsWith('Query built with'))!;
  assert.equal(sql[0], '**weird\\|pipe \\`tick\\`** (component)');
  assert.ok(sql[3].startsWith('None ('));
  assert.deepEqual(sql.slice(5), ['S', 'P0']);
  const runtime = row('**api** (runtime)', 'One Lambda handler')!;
  assert.deepEqual(runtime.slice(5), ['M', 'P1']);
  // Strengths and suppressed findings are not rows.
  assert.ok(!body.some((r) => r[1].includes('computeQualificationScore') || r[1].includes('metrics flush')));
  // P0 groups first.
  assert.ok(body.findIndex((r) => r[6] === 'P0') < body.findIndex((r) => r[6] === 'P1'));
  assert.ok(body.findIndex((r) => r[6] === 'P1') < body.findIndex((r) => r[6] === 'P2'));
});

test('inventory of resilience mechanisms: strengths grouped with file:line', () => {
  const inv = section(render(), '## Resilience mechanisms');
  assert.ok(inv.startsWith('\n3 mechanisms found'));
  for (const h of ['### Retries with backoff (1)', '### Circuit breakers (0)', '### Idempotency (0)', '### Transactional outbox (0)',
    '### Transactions (0)', '### Contained side effects (1)', '### Pure core (1)', '### Guards on calls']) {
    assert.ok(inv.includes(`\n${h}\n`), h);
  }
  assert.ok(inv.includes('- **The onboarding-complete email is fire-and-forget with a catch** — onboarding (component) — `apps/server/src/onboarding/onboarding.service.ts:131-134`.'));
  assert.ok(inv.includes('- **computeQualificationScore is pure** — onboarding (component) — `apps/server/src/onboarding/qualification.ts:10-42`.'));
  assert.ok(inv.includes('| timeout | 2/12 |'));
});

test('all findings by severity, suppressed kept and marked, diagnostics counted', () => {
  const out = render();
  const f = section(out, '## Findings');
  assert.ok(f.includes('Critical: 2 · High: 3 · Medium: 2 · Low: 1 · Info: 4 · Suppressed: 1'));
  const heads = f.split('\n').filter((l) => l.startsWith('### '));
  assert.deepEqual(heads, ['### Critical (2)', '### High (3)', '### Medium (2)', '### Low (1)', '### Info (4)', '### Suppressed (1)']);
  assert.ok(f.includes('- **Rule:** `tx/non-atomic-writes` — Two or more writes outside a transaction · risk · data-integrity · P1 · effort S'));
  assert.ok(f.includes('- **Suppressed** at `apps/server/src/portal/metrics.ts:49`: best-effort metrics, by design'));
  const diag = section(out, '## Diagnostics');
  assert.ok(diag.includes('3 diagnostics (2 parse, 1 skipped-binary).'));
  assert.ok(diag.includes('1 unresolved link'));
  assert.ok(out.trimEnd().endsWith(diag.trimEnd()), 'diagnostics come last');
});

test('a snippet containing a fence gets a longer fence', () => {
  const out = render();
  assert.ok(out.includes('````\n' + HOSTILE.snippet + '\n````'));
  assert.equal(fenced('a ``` b ```` c'), '`````\na ``` b ```` c\n`````');
});

test('hostile strings never appear raw outside code blocks', () => {
  const text = prose(render());
  assert.ok(!text.includes('<'), 'no raw <');
  assert.ok(!text.includes('>'), 'no raw >');
  assert.ok(!text.includes(HOSTILE.script));
  assert.ok(!text.includes('<img'));
  assert.ok(text.includes('GET /search/&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(text.includes('src/legacy/"&gt;&lt;img src=x onerror=alert(1)&gt;.ts:33-35'));
  // Every row of every table has as many cells as its header: no pipe leaked.
  const lines = render().split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('|') || (i > 0 && lines[i - 1].startsWith('|'))) continue;
    const width = cells(lines[i]).length;
    for (let j = i; j < lines.length && lines[j].startsWith('|'); j++) {
      assert.equal(cells(lines[j]).length, width, `row ${j + 1}: ${lines[j]}`);
    }
  }
  // The hostile title is escaped: backticks, pipe, ${ } and <b>.
  assert.ok(text.includes('#### Query built with \\`\\${id}\\` \\| concatenated into &lt;b&gt;SQL&lt;/b&gt;'));
  assert.ok(text.includes('\\[link\\](javascript:x)'), 'no link is formed');
});

test('every mermaid block parses with mermaid and has the strict flowchart structure', async () => {
  const blocks = mermaidBlocks(render());
  assert.equal(blocks.length, 1 + 5, 'architecture + one per described scenario');
  for (const b of blocks) {
    assert.deepEqual(checkFlowchartStructure(b), [], b);
    assert.equal(await parseMermaid(b), 'flowchart-v2');
    assert.ok(!b.includes('<script') && !b.includes('<img') && !b.includes('`'), b);
    for (const label of b.match(/"[^"]*"/g) ?? []) assert.doesNotMatch(label.slice(1, -1), /[<>`"]/);
  }
  const arch = blocks[0];
  assert.ok(arch.includes('subgraph g_runtime_api["runtime api · aws-lambda"]'));
  assert.ok(arch.includes('n_datastore_postgres[("postgres · postgresql")]'));
  assert.ok(arch.includes('weird|pipe #96;tick#96;'));
  const pg = blocks[1];
  assert.ok(pg.includes('class n_datastore_postgres ring0'));
  assert.ok(pg.includes('GET /search/#lt;script#gt;alert(1)#lt;/script#gt; · down'));
});

test('deterministic: byte-identical across renders and input orders', () => {
  const a = render();
  assert.equal(a, render());
  const r = fixtureModel();
  r.nodes.reverse(); r.edges.reverse(); r.findings.reverse(); r.scenarios.reverse(); r.diagnostics.reverse();
  for (const s of r.scenarios) {
    s.rings.forEach((ring) => ring.reverse());
    s.paths.reverse();
    s.stoppedBy.reverse();
    for (const k of ['down', 'degraded', 'delayed', 'ok'] as const) s.entrypoints[k].reverse();
  }
  for (const e of r.edges) e.evidence.reverse();
  assert.equal(renderMarkdown(r, { rules: [...fixtureRules()].reverse() }), a);
});

test('an empty model renders every section without a diagram error', async () => {
  const empty: Model = {
    schemaVersion: 1, tool: { name: 'faultline', version: '0.1.0' }, root: '.',
    nodes: [], edges: [], findings: [], scenarios: [], diagnostics: [],
  };
  const out = renderMarkdown(empty);
  assert.ok(out.includes('**0 findings · 0 traced paths · 0 critical, 0 high, 0 medium, 0 low, 0 info · Polarities: 0 risks, 0 strengths, 0 opportunities, 0 observations**'));
  for (const h of ['## Architecture', '## Top risks', '## Blast-radius scenarios', '## Failure-propagation matrix', '## Resilience mechanisms', '## Findings', '## Diagnostics']) {
    assert.ok(out.includes(`\n${h}\n`), h);
  }
  assert.ok(out.includes('0 diagnostics.'));
  for (const b of mermaidBlocks(out)) await parseMermaid(b);
});

test('md() and code() escaping', () => {
  assert.equal(md('a|b'), 'a\\|b');
  assert.equal(md('<script>alert(1)</script>'), '&lt;script&gt;alert(1)&lt;/script&gt;');
  assert.equal(md('AT&T'), 'AT&amp;T');
  assert.equal(md('`x`'), '\\`x\\`');
  assert.equal(md('*bold* _em_ snake_case'), '\\*bold\\* \\_em\\_ snake_case');
  assert.equal(md('[x](javascript:y)'), '\\[x\\](javascript:y)');
  assert.equal(md('# heading'), '\\# heading');
  assert.equal(md('C# code'), 'C# code');
  assert.equal(md('- item'), '\\- item');
  assert.equal(md('1. item'), '1\\. item');
  assert.equal(md('0.1.0'), '0.1.0');
  assert.equal(md('$x$'), '\\$x\\$');
  assert.equal(md('line1\nline2\r\n\tx'), 'line1 line2 x');
  assert.equal(md('a\\|b'), 'a\\\\\\|b');
  assert.equal(code('src/db.ts:12'), '`src/db.ts:12`');
  assert.equal(code('a|b.ts:1'), 'a\\|b.ts:1');
  assert.equal(code('x`y'), 'x\\`y');
  assert.equal(code(HOSTILE.file), 'src/legacy/"&gt;&lt;img src=x onerror=alert(1)&gt;.ts');
});
