// report.md — the dossier. A pure function of the model (and, optionally, the rule
// catalogue for rule titles): no I/O, no clock, no locale; every list is sorted here, so
// the same model always gives byte-identical Markdown.
//
// Every string that comes from the scanned repository goes through `md()` (inline text,
// table cells: `&`, `<`, `>` become entities, Markdown punctuation and `|` are
// backslash-escaped, newlines become spaces), through `code()` (a code span only when
// the text is plain enough to be shown verbatim, else `md()`), or into a fenced block
// whose fence is longer than any backtick run inside it. Mermaid diagrams escape their
// own labels (see mermaid.ts).

import { notReadPhrase } from './files.js';
import type {
  Effort, Evidence, Finding, Location, Model, ModelEdge, ModelNode, NodeKind, Polarity, Priority, Scenario, Severity,
} from '../model/types.js';
import type { RuleMeta } from '../rules/types.js';
import {
  DEPENDENCY_KINDS, architectureFlowchart, cmp, flatten, indexModel, reachable, scenarioFlowchart, uniqSorted,
  type ModelIndex,
} from './mermaid.js';

export interface MarkdownOptions {
  /** The rule catalogue: gives findings their rule titles. */
  rules?: RuleMeta[];
  /** Outage scenarios described in full (default 5). */
  maxOutageScenarios?: number;
  /** Slowdown scenarios described in full (default 3). */
  maxSlowdownScenarios?: number;
}

// ---------------------------------------------------------------------------------------
// Escaping
// ---------------------------------------------------------------------------------------

const isAlnum = (ch: string | undefined) => ch !== undefined && /[\p{L}\p{N}]/u.test(ch);

const MD_SPECIAL = /[&<>\\`*[\]|~$_#]/;
const BLOCK_MARKER = /^([-+]|\d+[.)])(?= |$)/;

/** Escape repository text for inline Markdown and table cells (GitHub-flavoured). */
export function md(s: string): string {
  const flat = flatten(s);
  // most text (names, paths, sentences) has nothing to escape: skip the per-character walk
  if (!MD_SPECIAL.test(flat) && !BLOCK_MARKER.test(flat)) return flat;
  const chars = [...flat];
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    switch (ch) {
      case '&': out += '&amp;'; break;
      case '<': out += '&lt;'; break;
      case '>': out += '&gt;'; break;
      case '\\': case '`': case '*': case '[': case ']': case '|': case '~': case '$':
        out += '\\' + ch;
        break;
      case '_':
        // Intraword underscores never open emphasis (snake_case stays readable).
        out += isAlnum(chars[i - 1]) && isAlnum(chars[i + 1]) ? '_' : '\\_';
        break;
      case '#':
        out += i === 0 || chars[i - 1] === ' ' ? '\\#' : '#';
        break;
      default:
        out += ch;
    }
  }
  // A leading list/heading/quote marker would turn the text into a block.
  if (/^[-+](?= |$)/.test(out)) out = '\\' + out;
  out = out.replace(/^(\d+)([.)])(?= |$)/, '$1\\$2');
  return out;
}

const UNSAFE_IN_CODE = /[`|<>&\\]/;

/** A code span when the text can be shown verbatim, else escaped plain text. */
export function code(s: string): string {
  const t = flatten(s);
  if (t === '' || UNSAFE_IN_CODE.test(t)) return md(t);
  return '`' + t + '`';
}

/** A fenced code block that no backtick run in `text` can close. */
export function fenced(text: string, info = ''): string {
  const runs = text.match(/`+/g) ?? [];
  const longest = runs.reduce((m, r) => Math.max(m, r.length), 0);
  const fence = '`'.repeat(Math.max(3, longest + 1));
  const body = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '');
  return `${fence}${info}\n${body}\n${fence}`;
}

function table(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => (c === '' ? ' ' : c)).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------

const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
const POLARITIES: Polarity[] = ['risk', 'strength', 'opportunity', 'observation'];
const POLARITY_PLURAL: Record<Polarity, string> = {
  risk: 'risks', strength: 'strengths', opportunity: 'opportunities', observation: 'observations',
};
const sevRank = (s: Severity) => SEVERITIES.indexOf(s);
const prioRank = (p: Priority | string) => (['P0', 'P1', 'P2'] as string[]).indexOf(p);
const effortRank = (e: Effort | string) => (['S', 'M', 'L'] as string[]).indexOf(e);

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function fileLine(l: { file: string; line: number; endLine?: number }): string {
  return l.endLine !== undefined && l.endLine > l.line ? `${l.file}:${l.line}-${l.endLine}` : `${l.file}:${l.line}`;
}

function locCmp(a: Location | Evidence, b: Location | Evidence): number {
  return cmp(a.file, b.file) || a.line - b.line;
}

/** `a:1`, `b:2` (+N more), each a code span when safe. */
function where(locs: (Location | Evidence)[], max = 3): string {
  if (locs.length === 0) return '—';
  const sorted = [...locs].sort(locCmp);
  const shown = sorted.slice(0, max).map((l) => code(fileLine(l)));
  return shown.join(', ') + (sorted.length > max ? ` (+${sorted.length - max} more)` : '');
}

/** A list of names, at most `max`, then "+N more". Names are escaped. */
function names(ix: ModelIndex, ids: string[], max = 8): string {
  if (ids.length === 0) return '—';
  const sorted = uniqSorted(ids);
  const shown = sorted.slice(0, max).map((id) => md(ix.name(id)));
  return shown.join(', ') + (sorted.length > max ? `, +${sorted.length - max} more` : '');
}

function nodeRef(ix: ModelIndex, id: string | undefined): string {
  if (!id) return '—';
  const k = ix.kind(id);
  return k ? `${md(ix.name(id))} (${k})` : md(ix.name(id));
}

function findingCmp(a: Finding, b: Finding): number {
  return sevRank(a.severity) - sevRank(b.severity) || prioRank(a.priority) - prioRank(b.priority) ||
    cmp(a.rule, b.rule) || locCmp(a.locations[0] ?? { file: '', line: 0 }, b.locations[0] ?? { file: '', line: 0 }) ||
    cmp(a.id, b.id);
}

function scenarioKey(s: Scenario): string {
  return `${s.failed}\u0000${s.mode}`;
}

function affectedCount(s: Scenario): number {
  return s.entrypoints.down.length + s.entrypoints.degraded.length + s.entrypoints.delayed.length;
}

function totalEntrypoints(s: Scenario): number {
  const e = s.entrypoints;
  return e.down.length + e.degraded.length + e.delayed.length + e.ok.length;
}

/** Worst first: most entrypoints down, then degraded, then delayed, then lost work. */
function scenarioSeverityCmp(a: Scenario, b: Scenario): number {
  return b.entrypoints.down.length - a.entrypoints.down.length ||
    b.entrypoints.degraded.length - a.entrypoints.degraded.length ||
    b.entrypoints.delayed.length - a.entrypoints.delayed.length ||
    (b.lostSideEffects?.length ?? 0) - (a.lostSideEffects?.length ?? 0) ||
    cmp(scenarioKey(a), scenarioKey(b));
}

function scenarioImpactText(s: Scenario): string {
  const e = s.entrypoints;
  const total = totalEntrypoints(s);
  const parts: string[] = [];
  if (e.down.length > 0) parts.push(`${e.down.length}/${total} entrypoints down`);
  if (e.degraded.length > 0) parts.push(`${e.degraded.length} degraded`);
  if (e.delayed.length > 0) parts.push(`${e.delayed.length} delayed`);
  if (parts.length === 0) parts.push(total > 0 ? `no entrypoint affected (${total} ok)` : 'no entrypoint affected');
  return parts.join(', ');
}

// ---------------------------------------------------------------------------------------
// Finding ↔ scenario relation (for the matrix)
// ---------------------------------------------------------------------------------------

/** Rules whose remedy concerns one failure mode only; other rules apply to both. */
const RULE_MODES: Record<string, 'outage' | 'slowdown'> = {
  'http/no-timeout': 'slowdown',
  'db/no-statement-timeout': 'slowdown',
  'timeout/inversion': 'slowdown',
  'db/pool-unbounded': 'slowdown',
  'db/pool-budget-exceeded': 'slowdown',
  'db/no-pooler': 'slowdown',
  'db/n-plus-one': 'slowdown',
  'db/unbounded-query': 'slowdown',
  'db/missing-index': 'slowdown',
  'lambda/no-reserved-concurrency': 'slowdown',
  'spof/shared-datastore': 'outage',
  'spof/single-runtime': 'outage',
  'db/no-replica': 'outage',
  'async/floating-promise': 'outage',
  'queue/no-retry-limit': 'outage',
  'queue/shared-redis': 'outage',
  'tx/non-atomic-writes': 'outage',
};

function locationMatches(loc: Location, ev: Evidence): boolean {
  return loc.file === ev.file && ev.line >= loc.line && ev.line <= (loc.endLine ?? loc.line);
}

function isActionable(f: Finding): boolean {
  return !f.suppressed && (f.polarity === 'risk' || f.polarity === 'opportunity');
}

/** Only availability-like findings propose a guardrail against a failure (not, say, SQL injection). */
function isPropagationRelevant(f: Finding): boolean {
  return f.rule in RULE_MODES || f.category === 'availability' || f.category === 'performance' || f.category === 'scalability';
}

/** Findings that propose a guardrail for this scenario: about the failed node, or at a call into it. */
function relatedFindings(ix: ModelIndex, s: Scenario, findings: Finding[]): Finding[] {
  // evidence of the calls into the failed node, by file, so each finding checks only its own files
  const evByFile = new Map<string, number[]>();
  for (const e of ix.in(s.failed)) for (const ev of e.evidence) {
    const list = evByFile.get(ev.file) ?? [];
    list.push(ev.line);
    evByFile.set(ev.file, list);
  }
  return findings.filter((f) => {
    if (!isActionable(f) || !isPropagationRelevant(f)) return false;
    const mode = RULE_MODES[f.rule];
    if (mode && mode !== s.mode) return false;
    if (f.element === s.failed) return true;
    return f.locations.some((l) => (evByFile.get(l.file) ?? []).some((line) => locationMatches(l, { file: l.file, line })));
  });
}

// ---------------------------------------------------------------------------------------
// Guards (current guardrails)
// ---------------------------------------------------------------------------------------

function timeoutText(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function guardTexts(e: ModelEdge, mode: 'outage' | 'slowdown' | 'all'): string[] {
  const g = e.guards;
  const out: string[] = [];
  if (g.timeoutMs !== undefined && mode !== 'outage') out.push(`timeout ${timeoutText(g.timeoutMs)}`);
  if (g.circuitBreaker) out.push('circuit breaker');
  if (g.fallback && (mode !== 'slowdown' || g.timeoutMs !== undefined)) out.push('fallback');
  if (g.caught && e.mode === 'fire_and_forget' && mode !== 'slowdown') out.push('fire-and-forget with catch');
  if (g.retries !== undefined && mode !== 'slowdown') {
    const how = [g.backoff && g.backoff !== 'none' ? `${g.backoff} backoff` : 'no backoff', g.jitter ? 'jitter' : '']
      .filter(Boolean).join(' + ');
    out.push(`${plural(g.retries, 'retry', 'retries')} (${how})`);
  }
  if (e.mode === 'async' && mode !== 'all') out.push('queued (async)');
  if (g.transaction && mode === 'all') out.push('transaction');
  return out;
}

function redundancyText(n: ModelNode | undefined): string[] {
  const r = n?.redundancy;
  if (!r) return [];
  const out: string[] = [];
  if (r.replicas !== undefined && r.replicas > 1) out.push(`${r.replicas} replicas`);
  if (r.maxReplicas !== undefined && r.maxReplicas > (r.replicas ?? 1)) out.push(`autoscaling to ${r.maxReplicas}`);
  if (r.multiAz) out.push('multi-AZ standby');
  if (r.readReplica) out.push('read replica');
  return out;
}

/** Calls into a node that a guard could protect (not deployment edges). */
function incomingCalls(ix: ModelIndex, id: string): ModelEdge[] {
  return ix.in(id).filter((e) => e.kind !== 'runs_on' && e.kind !== 'serves');
}

function currentGuardrails(ix: ModelIndex, s: Scenario): string {
  const items: string[] = [];
  for (const r of redundancyText(ix.node(s.failed))) items.push(md(r));
  const incoming = incomingCalls(ix, s.failed);
  // Guardrails the analysis saw stop the cascade, unless a guard on that very call says it below.
  const seen = new Set<string>();
  for (const sb of [...s.stoppedBy].sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to) || cmp(a.guard, b.guard))) {
    if (incoming.some((e) => e.from === sb.from && e.to === sb.to && guardTexts(e, s.mode).length > 0)) continue;
    const text = `${md(sb.guard)} on ${md(ix.name(sb.from))} → ${md(ix.name(sb.to))}` +
      (sb.evidence && sb.evidence.length > 0 ? ` (${where(sb.evidence, 1)})` : '');
    if (!seen.has(text)) { seen.add(text); items.push(text); }
  }
  // Coverage of the calls into the failed node, guard by guard.
  const byGuard = new Map<string, ModelEdge[]>();
  for (const e of incoming) {
    for (const g of guardTexts(e, s.mode)) {
      if (!byGuard.has(g)) byGuard.set(g, []);
      byGuard.get(g)!.push(e);
    }
  }
  for (const g of [...byGuard.keys()].sort(cmp)) {
    const es = byGuard.get(g)!;
    const callers = names(ix, es.map((e) => e.from), 3);
    const ev = es.flatMap((e) => e.evidence);
    items.push(`${md(g)} on ${es.length}/${plural(incoming.length, 'call')}: ${callers}` + (ev.length > 0 ? ` (${where(ev, 2)})` : ''));
  }
  if (items.length === 0) return incoming.length > 0 ? `None on ${plural(incoming.length, 'call')}` : 'None';
  const max = 4;
  return items.slice(0, max).join('; ') + (items.length > max ? `; +${items.length - max} more` : '');
}

interface Proposal { text: string; effort: string; priority: string }

/** Datastores whose redundancy is the provider's: a replica is not the remedy. */
const MANAGED_STORES = new Set(['s3', 'aws-s3', 'dynamodb', 'aws-dynamodb', 'firestore', 'gcs', 'azure-blob']);

/**
 * A guardrail proposed from the graph when no finding proposes one: what the calls into
 * the failed node still lack (a timeout for a slowdown, a fallback for an outage), named
 * with how many calls lack it and whose they are.
 */
function graphProposal(ix: ModelIndex, s: Scenario): Proposal | undefined {
  const e = s.entrypoints;
  const total = totalEntrypoints(s);
  const lost = s.lostSideEffects?.length ?? 0;
  const name = ix.name(s.failed);
  const kind = ix.kind(s.failed);
  if (s.absorbed) return undefined;
  if (e.down.length === 0) {
    if (e.degraded.length > 0) return { text: `Degrades through fallbacks: alert on the fallback rate of calls to ${name}`, effort: 'S', priority: 'P2' };
    if (e.delayed.length > 0) return { text: `Work waits in the queue: alert on queue depth and age while ${name} is down`, effort: 'S', priority: 'P2' };
    if (lost > 0) return { text: 'Make the dropped work durable: send it through a queue or an outbox with retries', effort: 'M', priority: 'P2' };
    return undefined;
  }
  const priority = total > 0 && e.down.length + e.degraded.length >= total / 2 ? 'P0' : 'P1';
  const calls = incomingCalls(ix, s.failed);
  const lacking = (pred: (x: ModelEdge) => boolean) => {
    const es = calls.filter(pred);
    return { n: es.length, of: `${es.length}/${plural(calls.length, 'call')}`, who: uniqSorted(es.map((x) => ix.name(x.from))).slice(0, 3).join(', ') };
  };
  if (kind === 'runtime') {
    return s.mode === 'outage'
      ? { text: `Run ${name} as two or more instances (replicas or multi-AZ); move critical routes into their own runtime`, effort: 'M', priority }
      : { text: `Bound the concurrency of ${name} per route (bulkheads) and set request timeouts below its platform limit`, effort: 'M', priority };
  }
  if (s.mode === 'slowdown') {
    // An awaited enqueue hangs as well as a sync call; only fire-and-forget does not wait.
    const noTimeout = lacking((x) => x.mode !== 'fire_and_forget' && x.guards.timeoutMs === undefined && !x.guards.circuitBreaker);
    if (noTimeout.n > 0) {
      return { text: `Set a timeout on the ${noTimeout.of} to ${name} without one (${noTimeout.who}); bulkhead its pool from the rest of the runtime`, effort: 'M', priority };
    }
    // Every call times out: the slowdown becomes an outage for the callers.
  }
  const uncaught = lacking((x) => x.mode === 'fire_and_forget' && !x.guards.caught && !x.guards.fallback);
  if (uncaught.n > 0) {
    return { text: `Add a .catch to the ${uncaught.of} to ${name} that are fire-and-forget (${uncaught.who}): an unhandled rejection crashes the process`, effort: 'S', priority };
  }
  const noFallback = lacking((x) => x.mode === 'sync' && !x.guards.fallback);
  switch (kind) {
    case 'datastore':
      if (MANAGED_STORES.has(ix.node(s.failed)?.tech ?? '') || MANAGED_STORES.has(name)) {
        return { text: `Degrade gracefully while ${name} is unavailable` + (noFallback.n > 0 ? `: a fallback on the ${noFallback.of} without one (${noFallback.who})` : '') +
          ', and retries with backoff for transient errors', effort: 'M', priority };
      }
      return { text: `Add a standby or read replica for ${name}; degrade read paths gracefully`, effort: 'M', priority };
    case 'cache':
      return { text: `Fall back to the source of truth when ${name} is down` + (noFallback.n > 0 ? ` (${noFallback.of} without a fallback: ${noFallback.who})` : ''), effort: 'S', priority };
    case 'queue':
      return { text: `Keep enqueue failures on ${name} from failing the request (outbox, or catch and retry)`, effort: 'M', priority };
    default:
      return noFallback.n > 0
        ? { text: `Circuit breaker with a fallback on the ${noFallback.of} to ${name} without one (${noFallback.who}); queue non-critical calls`, effort: 'M', priority }
        : { text: `Isolate ${name} behind a queue or make its calls non-blocking: the existing fallbacks do not keep the routes up`, effort: 'M', priority };
  }
}

// ---------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------

interface Ctx {
  model: Model;
  ix: ModelIndex;
  rules: Map<string, RuleMeta>;
  findings: Finding[];
  active: Finding[];
  suppressed: Finding[];
  scenarios: Scenario[];
  outages: Scenario[];
  slowdowns: Scenario[];
}

export function renderMarkdown(model: Model, opts: MarkdownOptions = {}): string {
  const ctx = makeCtx(model, opts.rules ?? []);
  const maxOut = opts.maxOutageScenarios ?? 5;
  const maxSlow = opts.maxSlowdownScenarios ?? 3;
  const sections = [
    header(ctx),
    whatIfSection(ctx),
    architecture(ctx),
    topRisks(ctx),
    blastRadius(ctx, maxOut, maxSlow),
    matrix(ctx),
    inventory(ctx),
    allFindings(ctx),
    diagnostics(ctx),
  ];
  return sections.join('\n\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

/** Present when the scan ran with --what-if: the mitigations and what they change. */
function whatIfSection(ctx: Ctx): string {
  const w = (ctx.model as Model & { whatIf?: { name: string; mitigations: unknown[]; changes: string[] } }).whatIf;
  if (!w) return '';
  const lines = [`## What-if: ${md(w.name)}`, '', `This report shows the model with ${w.mitigations.length} mitigation${w.mitigations.length === 1 ? '' : 's'} applied:`, ''];
  for (const m of w.mitigations) lines.push(`- ${code(JSON.stringify(m))}`);
  lines.push('', w.changes.length ? 'Before → after:' : 'No scenario changes.', '');
  for (const c of w.changes) lines.push(`- ${md(c)}`);
  return lines.join('\n');
}

function makeCtx(model: Model, ruleList: RuleMeta[]): Ctx {
  const ix = indexModel(model);
  const rules = new Map<string, RuleMeta>();
  for (const r of [...ruleList].sort((a, b) => cmp(a.id, b.id))) rules.set(r.id, r);
  const findings = [...model.findings].sort(findingCmp);
  const scenarios = [...model.scenarios].sort((a, b) => cmp(scenarioKey(a), scenarioKey(b)));
  return {
    model, ix, rules, findings,
    active: findings.filter((f) => !f.suppressed),
    suppressed: findings.filter((f) => !!f.suppressed),
    scenarios,
    outages: scenarios.filter((s) => s.mode === 'outage').sort(scenarioSeverityCmp),
    slowdowns: scenarios.filter((s) => s.mode === 'slowdown').sort(scenarioSeverityCmp),
  };
}

/** The one-line summary ("9 findings · 3 traced paths · 1 critical, …"), for the terminal too. */
export function summarize(model: Model): string {
  return summaryLine(makeCtx(model, []));
}

function tracedPaths(ctx: Ctx): number {
  return new Set(ctx.scenarios.flatMap((s) => s.paths.map((p) => p.join('\u0000')))).size;
}

function summaryLine(ctx: Ctx): string {
  const a = ctx.active;
  const sev = SEVERITIES.map((s) => `${a.filter((f) => f.severity === s).length} ${s}`).join(', ');
  const pol = POLARITIES.map((p) => {
    const n = a.filter((f) => f.polarity === p).length;
    return `${n} ${n === 1 ? p : POLARITY_PLURAL[p]}`;
  }).join(', ');
  const parts = [plural(a.length, 'finding'), plural(tracedPaths(ctx), 'traced path'), sev, `Polarities: ${pol}`];
  if (ctx.suppressed.length > 0) parts.push(`${ctx.suppressed.length} suppressed`);
  return parts.join(' · ');
}

function header(ctx: Ctx): string {
  const { model, ix } = ctx;
  const out = [
    '# faultline report',
    '',
    `Failure-propagation analysis of ${code(model.root)} by ${md(model.tool.name)} ${md(model.tool.version)} (model schema ${model.schemaVersion}).`,
    '',
    `**${summaryLine(ctx)}**`,
  ];
  const bullets: string[] = [];
  const worstOut = ctx.outages[0];
  if (worstOut && affectedCount(worstOut) > 0) {
    bullets.push(`Worst outage: ${nodeRef(ix, worstOut.failed)} — ${scenarioImpactText(worstOut)}.`);
  }
  const worstSlow = ctx.slowdowns[0];
  if (worstSlow && affectedCount(worstSlow) > 0) {
    bullets.push(`Worst slowdown: ${nodeRef(ix, worstSlow.failed)} — ${scenarioImpactText(worstSlow)}.`);
  }
  const top = ctx.active.filter((f) => f.polarity === 'risk' && (f.severity === 'critical' || f.severity === 'high'));
  if (top.length > 0) bullets.push(`${plural(top.length, 'critical or high risk', 'critical or high risks')}: see [Top risks](#top-risks).`);
  const strengths = ctx.active.filter((f) => f.polarity === 'strength').length;
  if (strengths > 0) bullets.push(`${plural(strengths, 'resilience mechanism')} found: see [Resilience mechanisms](#resilience-mechanisms).`);
  if (bullets.length > 0) out.push('', ...bullets.map((b) => `- ${b}`));
  return out.join('\n');
}

// --- Architecture -----------------------------------------------------------------------

function architecture(ctx: Ctx): string {
  const { ix, model } = ctx;
  const out = ['## Architecture', ''];
  const kinds: NodeKind[] = ['entrypoint', 'component', 'runtime', 'datastore', 'cache', 'queue', 'external', 'client'];
  const counts = kinds.map((k) => [k, ix.ofKind(k).length] as const).filter(([, n]) => n > 0);
  if (counts.length === 0) return [...out, 'No nodes were found.'].join('\n');

  const triggers = new Map<string, number>();
  for (const ep of ix.ofKind('entrypoint')) {
    const t = ep.trigger ?? (ep.route ? 'http' : 'other');
    triggers.set(t, (triggers.get(t) ?? 0) + 1);
  }
  const trig = [...triggers.entries()].sort((a, b) => cmp(a[0], b[0])).map(([t, n]) => `${n} ${md(t)}`).join(', ');
  out.push(table(['kind', 'count'], counts.map(([k, n]) => [k, k === 'entrypoint' && trig ? `${n} (${trig})` : String(n)])));
  out.push('', `${plural(model.edges.length, 'edge')} between them.`);

  const deps = DEPENDENCY_KINDS.flatMap((k) => ix.ofKind(k));
  if (deps.length > 0) {
    const components = ix.ofKind('component');
    const entrypoints = ix.ofKind('entrypoint');
    const compReach = new Map(components.map((c) => [c.id, reachable(ix, c.id)]));
    const epReach = new Map(entrypoints.map((e) => [e.id, reachable(ix, e.id, e.id)]));
    const rows = deps.map((d) => {
      // A component reaches a dependency itself, or through the routes it handles (guards, middleware).
      const comps = components.filter((c) => compReach.get(c.id)!.has(d.id) ||
        ix.entrypointsOf(c.id).some((ep) => epReach.get(ep)?.has(d.id))).length;
      const eps = entrypoints.filter((e) => epReach.get(e.id)!.has(d.id)).length;
      const red = redundancyText(d);
      const known = d.redundancy ? (red.length > 0 ? red.map(md).join(', ') : 'single instance') : 'unknown';
      return {
        d, comps, eps,
        cells: [`**${md(d.name || d.id)}**`, d.kind, d.tech ? md(d.tech) : '—', known,
          `${comps}/${components.length}`, `${eps}/${entrypoints.length}`, where(d.evidence, 1)],
      };
    });
    rows.sort((a, b) => b.eps - a.eps || b.comps - a.comps || cmp(a.d.id, b.d.id));
    out.push('', '### Dependencies', '',
      'How many components and entrypoints reach each datastore, cache, queue and external service, directly or through other components (a component also reaches what its routes reach).', '',
      table(['dependency', 'kind', 'tech', 'redundancy', 'components reaching it', 'entrypoints reaching it', 'evidence'],
        rows.map((r) => r.cells)));
  }

  const runtimes = ix.ofKind('runtime');
  if (runtimes.length > 0) {
    const epsByRuntime = new Map<string, number>();
    for (const ep of ix.ofKind('entrypoint')) {
      const rt = ix.runtimeOf(ep.id);
      if (rt) epsByRuntime.set(rt, (epsByRuntime.get(rt) ?? 0) + 1);
    }
    out.push('', '### Runtimes', '', table(['runtime', 'tech', 'redundancy', 'entrypoints', 'evidence'],
      runtimes.map((r) => {
        const red = redundancyText(r);
        const rep = r.redundancy?.replicas;
        const known = red.length > 0 ? red.map(md).join(', ') : rep !== undefined ? `${rep} replica${rep === 1 ? '' : 's'}` : 'unknown';
        return [`**${md(r.name || r.id)}**`, r.tech ? md(r.tech) : '—', known, String(epsByRuntime.get(r.id) ?? 0), where(r.evidence, 1)];
      })));
  }

  const diagram = architectureFlowchart(model, { index: ctx.ix });
  out.push('', '### Architecture diagram', '', fenced(diagram.text.trimEnd(), 'mermaid'));
  const omitted: string[] = [];
  if (diagram.omittedNodes > 0) omitted.push(plural(diagram.omittedNodes, 'node'));
  if (diagram.omittedEdges > 0) omitted.push(plural(diagram.omittedEdges, 'edge'));
  if (omitted.length > 0) out.push('', `_The diagram leaves out ${omitted.join(' and ')} to stay renderable; the tables above are complete._`);
  return out.join('\n');
}

// --- Top risks --------------------------------------------------------------------------

function topRisks(ctx: Ctx): string {
  const { ix } = ctx;
  const top = ctx.active.filter((f) => f.polarity === 'risk' && (f.severity === 'critical' || f.severity === 'high'));
  const out = ['## Top risks', ''];
  if (top.length === 0) return [...out, 'No critical or high risk was found.'].join('\n');
  top.forEach((f, i) => {
    out.push(`### ${i + 1}. ${md(f.title)}`, '',
      `**${f.severity}** · ${f.priority} · effort ${f.effort} · ${md(f.category)} · rule ${code(f.rule)}`, '',
      `- **Element:** ${nodeRef(ix, f.element)}`,
      `- **Where:** ${where(f.locations)}`,
      `- **Impact:** ${md(f.impact)}`,
      `- **Recommendation:** ${md(f.recommendation)}`, '');
  });
  return out.join('\n');
}

// --- Blast radius -----------------------------------------------------------------------

function blastRadius(ctx: Ctx, maxOut: number, maxSlow: number): string {
  const out = ['## Blast-radius scenarios', ''];
  if (ctx.scenarios.length === 0) return [...out, 'No failure scenario was computed.'].join('\n');
  const pick = (list: Scenario[], max: number) => list.filter((s) => affectedCount(s) > 0 || s.absorbed ||
    (s.lostSideEffects?.length ?? 0) > 0).slice(0, max);
  const outs = pick(ctx.outages, maxOut);
  const slows = pick(ctx.slowdowns, maxSlow);
  out.push(`${plural(ctx.scenarios.length, 'scenario')} computed (${plural(ctx.outages.length, 'outage')}, ${plural(ctx.slowdowns.length, 'slowdown')}). ` +
    'The worst are described below; every scenario is a row of the [failure-propagation matrix](#failure-propagation-matrix).');
  if (outs.length === 0 && slows.length === 0) {
    out.push('', 'No scenario affects an entrypoint.');
    return out.join('\n');
  }
  for (const s of [...outs, ...slows]) out.push('', scenarioSection(ctx, s));
  return out.join('\n');
}

const STATE_ORDER = ['down', 'degraded', 'delayed', 'ok'] as const;

function scenarioSection(ctx: Ctx, s: Scenario): string {
  const { ix, model } = ctx;
  const what = s.mode === 'outage' ? 'outage (calls fail fast)' : 'slowdown (calls hang)';
  const kind = ix.kind(s.failed);
  const out = [`### ${md(ix.name(s.failed))}${kind ? ` (${kind})` : ''} — ${what}`, ''];
  out.push(`**Blast radius:** ${scenarioImpactText(s)}.`);
  if (s.absorbed) out.push('', `**Absorbed:** ${md(s.absorbed)}`);

  out.push('', '**Rings**', '');
  s.rings.forEach((ring, k) => {
    const eps = ring.filter((id) => ix.kind(id) === 'entrypoint');
    const rest = ring.filter((id) => ix.kind(id) !== 'entrypoint');
    const parts: string[] = [];
    if (rest.length > 0) parts.push(names(ix, rest, 10));
    if (eps.length > 0) parts.push(`${plural(eps.length, 'entrypoint')}: ${names(ix, eps, 6)}`);
    out.push(`- Ring ${k}${k === 0 ? ' (failed)' : ''}: ${parts.join('; ') || '—'}`);
  });

  out.push('', '**Entrypoints by state**', '', table(['state', 'count', 'entrypoints'],
    STATE_ORDER.map((st) => [st, String(s.entrypoints[st].length), names(ix, s.entrypoints[st], 10)])));

  const stateOf = new Map<string, number>();
  STATE_ORDER.forEach((st, i) => s.entrypoints[st].forEach((ep) => stateOf.set(ep, i)));
  const pathRank = (p: string[]) => Math.min(...p.map((id) => stateOf.get(id) ?? 9));
  const paths = [...new Map(s.paths.map((p) => [p.join('\u0000'), p])).values()]
    .sort((a, b) => pathRank(a) - pathRank(b) || a.length - b.length || cmp(a.join('\u0000'), b.join('\u0000')));
  if (paths.length > 0) {
    out.push('', `**Traced paths** (${paths.length > 5 ? `5 of ${paths.length}` : paths.length})`, '');
    for (const p of paths.slice(0, 5)) out.push(`- ${code(p.map((id) => ix.name(id)).join(' → '))}`);
  }

  out.push('', '**Stopped by**', '');
  if (s.stoppedBy.length === 0) out.push(affectedCount(s) > 0 ? '- Nothing stops this cascade.' : '- Nothing needed to stop it.');
  for (const sb of [...s.stoppedBy].sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to) || cmp(a.guard, b.guard))) {
    const ev = sb.evidence && sb.evidence.length > 0 ? ` — ${where(sb.evidence)}` : '';
    out.push(`- ${md(sb.guard)} on ${md(ix.name(sb.from))} → ${md(ix.name(sb.to))}${ev}`);
  }

  const lost = [...(s.lostSideEffects ?? [])].sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to));
  if (lost.length > 0) {
    out.push('', '**Lost side effects** (fire-and-forget work that silently does not happen)', '');
    for (const l of lost) {
      out.push(`- ${md(ix.name(l.from))} → ${md(ix.name(l.to))} for ${names(ix, l.entrypoints, 5)} — ${where(l.evidence)}`);
    }
  }

  const d = scenarioFlowchart(model, s, { index: ix });
  out.push('', fenced(d.text.trimEnd(), 'mermaid'));
  if (d.omittedNodes > 0) out.push('', `_The diagram collapses ${plural(d.omittedNodes, 'node')} into "+N more" boxes._`);
  return out.join('\n');
}

// --- Failure-propagation matrix -----------------------------------------------------------

interface MatrixRow {
  group: string;
  order: number;
  cells: string[];
  prio: number;
  weight: number;
}

/** The guardrail the findings propose (their text is escaped here). */
function proposalFrom(fs: Finding[]): Proposal {
  const sorted = [...fs].sort(findingCmp);
  const byText = new Map<string, Finding>();
  for (const f of sorted) if (!byText.has(f.recommendation)) byText.set(f.recommendation, f);
  const recs = [...byText.values()].map((f) => `${md(f.recommendation)} (${code(f.rule)})`);
  const max = 3;
  const text = recs.slice(0, max).join('; ') + (recs.length > max ? `; +${recs.length - max} more` : '');
  const effort = sorted.map((f) => f.effort).sort((a, b) => effortRank(b) - effortRank(a))[0];
  const priority = sorted.map((f) => f.priority).sort((a, b) => prioRank(a) - prioRank(b))[0];
  return { text, effort, priority };
}

function matrix(ctx: Ctx): string {
  const { ix } = ctx;
  const out = ['## Failure-propagation matrix', '',
    'One row per failed dependency and failure mode (from the scenarios), and one per remaining risk (from the findings). ' +
    'Current guardrails come from the guards on the calls into the failed node; proposed guardrails from the findings about it, ' +
    'else from what those calls still lack (effort and priority of a graph-derived proposal are estimates).', ''];
  const rows: MatrixRow[] = [];
  const covered = new Set<string>();
  const actionable = ctx.active.filter(isActionable);

  for (const s of ctx.scenarios) {
    const related = relatedFindings(ix, s, actionable);
    for (const f of related) covered.add(f.id);
    const comps = uniqSorted(s.rings.slice(1).flat().filter((id) => ix.kind(id) === 'component'));
    let blast = md(scenarioImpactText(s));
    if (comps.length > 0) blast += `; components: ${names(ix, comps, 4)}`;
    const lost = s.lostSideEffects?.length ?? 0;
    if (lost > 0) blast += `; ${plural(lost, 'side effect')} lost`;
    if (s.absorbed) blast = `Absorbed: ${md(s.absorbed)}`;
    const p: Proposal | undefined = related.length > 0 ? proposalFrom(related) : graphProposal(ix, s);
    const proposed = p ? (related.length > 0 ? p.text : md(p.text)) : '—';
    const effort = p?.effort ?? '—';
    const priority = p?.priority ?? '—';
    const label = `**${md(ix.name(s.failed))}** (${ix.kind(s.failed) ?? 'node'})`;
    const mode = s.mode === 'outage' ? 'Outage (calls fail fast)' : 'Slowdown (calls hang)';
    rows.push({
      group: s.failed, order: s.mode === 'outage' ? 0 : 1,
      cells: [label, mode, blast, currentGuardrails(ix, s), proposed, effort, priority],
      prio: priority === '—' ? 9 : prioRank(priority), weight: s.entrypoints.down.length,
    });
  }

  // Risks no scenario row accounts for, one row per (element, rule).
  const rest = new Map<string, Finding[]>();
  for (const f of actionable) {
    if (covered.has(f.id) || f.severity === 'info') continue;
    const key = `${f.element ?? f.locations[0]?.file ?? ''}\u0000${f.rule}`;
    if (!rest.has(key)) rest.set(key, []);
    rest.get(key)!.push(f);
  }
  for (const fs of rest.values()) {
    const f = fs[0];
    const group = f.element ?? `file:${f.locations[0]?.file ?? ''}`;
    const label = f.element ? `**${md(ix.name(f.element))}** (${ix.kind(f.element) ?? 'node'})` :
      f.locations[0] ? code(f.locations[0].file) : '—';
    const mode = fs.length === 1 ? md(f.title) : md(ctx.rules.get(f.rule)?.title ?? f.title);
    const blast = md(f.impact) + (fs.length > 1 ? ` (${fs.length} sites)` : '');
    const p = proposalFrom(fs);
    rows.push({
      group, order: 2,
      cells: [label, mode, blast, `None (${where(fs.flatMap((x) => x.locations), 2)})`, p.text, p.effort, p.priority],
      prio: prioRank(p.priority), weight: 0,
    });
  }
  if (rows.length === 0) return [...out, 'Nothing to tabulate: no scenario and no open risk.'].join('\n');

  const groupRank = new Map<string, [number, number, string]>();
  for (const r of rows) {
    const g = groupRank.get(r.group);
    const next: [number, number, string] = [Math.min(r.prio, g?.[0] ?? 9), Math.max(r.weight, g?.[1] ?? 0), r.group];
    groupRank.set(r.group, next);
  }
  rows.sort((a, b) => {
    const ga = groupRank.get(a.group)!;
    const gb = groupRank.get(b.group)!;
    return ga[0] - gb[0] || gb[1] - ga[1] || cmp(ga[2], gb[2]) || a.order - b.order || a.prio - b.prio ||
      cmp(a.cells.join('|'), b.cells.join('|'));
  });
  out.push(table(['Component', 'Failure Mode', 'Blast Radius', 'Current Guardrail', 'Proposed Guardrail', 'Effort', 'Priority'],
    rows.map((r) => r.cells)));
  return out.join('\n');
}

// --- Inventory of resilience mechanisms ----------------------------------------------------

const MECHANISMS: { rule: string; title: string }[] = [
  { rule: 'strength/retry-backoff', title: 'Retries with backoff' },
  { rule: 'strength/circuit-breaker', title: 'Circuit breakers' },
  { rule: 'strength/idempotency-key', title: 'Idempotency' },
  { rule: 'strength/outbox', title: 'Transactional outbox' },
  { rule: 'strength/transaction', title: 'Transactions' },
  { rule: 'strength/contained-side-effect', title: 'Contained side effects' },
  { rule: 'strength/pure-core', title: 'Pure core' },
];

function inventory(ctx: Ctx): string {
  const { ix, model } = ctx;
  const strengths = ctx.active.filter((f) => f.polarity === 'strength');
  const out = ['## Resilience mechanisms', '',
    `${plural(strengths.length, 'mechanism')} found in the code (strength findings), by kind.`];
  const known = new Set(MECHANISMS.map((m) => m.rule));
  const groups = MECHANISMS.map((m) => ({ title: m.title, items: strengths.filter((f) => f.rule === m.rule) }));
  const other = strengths.filter((f) => !known.has(f.rule));
  if (other.length > 0) groups.push({ title: 'Other strengths', items: other });
  for (const g of groups) {
    out.push('', `### ${g.title} (${g.items.length})`, '');
    if (g.items.length === 0) { out.push('None found.'); continue; }
    const items = [...g.items].sort((a, b) => locCmp(a.locations[0] ?? { file: '', line: 0 }, b.locations[0] ?? { file: '', line: 0 }) || cmp(a.id, b.id));
    for (const f of items) {
      const el = f.element ? ` — ${nodeRef(ix, f.element)}` : '';
      out.push(`- **${md(f.title)}**${el} — ${where(f.locations)}. ${md(f.impact)}`);
    }
  }

  // Guards recorded on the edges themselves.
  // Outbound calls: into dependencies, or between components (not client or handler edges).
  const calls = model.edges.filter((e) => {
    if (e.kind === 'runs_on' || e.kind === 'serves') return false;
    const to = ix.kind(e.to);
    return (to !== undefined && DEPENDENCY_KINDS.includes(to)) || (ix.kind(e.from) === 'component' && to === 'component');
  });
  const byGuard = new Map<string, ModelEdge[]>();
  for (const e of calls) {
    for (const g of guardTexts(e, 'all')) {
      const key = g.replace(/^\d+ retr(y|ies) .*/, 'retries').replace(/^timeout .*/, 'timeout');
      if (!byGuard.has(key)) byGuard.set(key, []);
      byGuard.get(key)!.push(e);
    }
  }
  out.push('', '### Guards on calls', '');
  if (byGuard.size === 0) {
    out.push(`None of the ${plural(calls.length, 'call')} in the model carries a timeout, retry, breaker, fallback or transaction.`);
  } else {
    out.push(table(['guard', 'calls', 'examples'], [...byGuard.keys()].sort(cmp).map((g) => {
      const es = byGuard.get(g)!;
      return [md(g), `${es.length}/${calls.length}`, where(es.flatMap((e) => e.evidence), 3)];
    })));
  }
  return out.join('\n');
}

// --- All findings -----------------------------------------------------------------------

function findingBlock(ctx: Ctx, f: Finding): string {
  const { ix } = ctx;
  const rule = ctx.rules.get(f.rule);
  const lines = [`#### ${md(f.title)}`, '',
    `- **Rule:** ${code(f.rule)}${rule ? ` — ${md(rule.title)}` : ''} · ${f.polarity} · ${md(f.category)} · ${f.priority} · effort ${f.effort}`,
    `- **Element:** ${nodeRef(ix, f.element)}`,
    `- **Where:** ${where(f.locations, 5)}`,
    `- **Impact:** ${md(f.impact)}`,
    `- **Recommendation:** ${md(f.recommendation)}`];
  if (f.suppressed) lines.push(`- **Suppressed** at ${code(`${f.suppressed.file}:${f.suppressed.line}`)}: ${md(f.suppressed.reason)}`);
  const withSnippet = [...f.locations].sort(locCmp).find((l) => l.snippet && l.snippet.trim() !== '');
  if (withSnippet) lines.push('', fenced(withSnippet.snippet!));
  return lines.join('\n');
}

function allFindings(ctx: Ctx): string {
  const out = ['## Findings', ''];
  if (ctx.findings.length === 0) return [...out, 'No findings.'].join('\n');
  out.push(SEVERITIES.map((s) => `${capitalize(s)}: ${ctx.active.filter((f) => f.severity === s).length}`).join(' · ') +
    (ctx.suppressed.length > 0 ? ` · Suppressed: ${ctx.suppressed.length}` : ''));
  for (const s of SEVERITIES) {
    const fs = ctx.active.filter((f) => f.severity === s);
    if (fs.length === 0) continue;
    out.push('', `### ${capitalize(s)} (${fs.length})`);
    for (const f of fs) out.push('', findingBlock(ctx, f));
  }
  if (ctx.suppressed.length > 0) {
    out.push('', `### Suppressed (${ctx.suppressed.length})`, '',
      'Kept and marked: an inline suppression with its reason.');
    for (const f of ctx.suppressed) out.push('', findingBlock(ctx, f));
  }
  return out.join('\n');
}

// --- Diagnostics ------------------------------------------------------------------------

function diagnostics(ctx: Ctx): string {
  const { model } = ctx;
  const ds = [...model.diagnostics].sort((a, b) => cmp(a.file, b.file) || cmp(a.code ?? '', b.code ?? '') || cmp(a.message, b.message));
  const out = ['## Diagnostics', ''];
  const byCode = new Map<string, number>();
  for (const d of ds) byCode.set(d.code ?? 'other', (byCode.get(d.code ?? 'other') ?? 0) + 1);
  const detail = [...byCode.entries()].sort((a, b) => cmp(a[0], b[0])).map(([c, n]) => `${n} ${md(c)}`).join(', ');
  out.push(`${plural(ds.length, 'diagnostic')}${detail ? ` (${detail})` : ''}.`);
  const unresolved = model.unresolved?.length ?? 0;
  if (unresolved > 0) out.push('', `${plural(unresolved, 'unresolved link')} (calls or imports the linker could not resolve).`);
  if (model.stats) out.push('', `Files: ${model.stats.files} read, ${model.stats.parsed} parsed, ${model.stats.skipped} skipped${notReadPhrase(model.stats) ? ` (${notReadPhrase(model.stats)})` : ''}.`);
  if (ds.length > 0) {
    const max = 20;
    out.push('', table(['file', 'code', 'message'], ds.slice(0, max).map((d) => [code(d.file), d.code ? md(d.code) : '—', md(d.message)])));
    if (ds.length > max) out.push('', `+${ds.length - max} more in faultline.json.`);
  }
  return out.join('\n');
}
