import { notReadPhrase } from './files.js';
import type { Model, ModelNode, Severity } from '../model/types.js';
import { cmpStr } from '../shared/compare.js';
import { capacityLines } from './capacity-text.js';

const KINDS = ['entrypoint', 'component', 'runtime', 'datastore', 'cache', 'queue', 'external', 'client'] as const;
const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Which components and entrypoints reach each node, following edges (labelled by entrypoint). */
export function reachOf(model: Model): Map<string, { components: Set<string>; entrypoints: Set<string> }> {
  const out = new Map<string, { components: Set<string>; entrypoints: Set<string> }>();
  const get = (id: string) => {
    let r = out.get(id);
    if (!r) out.set(id, (r = { components: new Set(), entrypoints: new Set() }));
    return r;
  };
  for (const e of model.edges) {
    if (e.kind === 'runs_on' || e.kind === 'consumes') continue;
    const r = get(e.to);
    if (e.from.startsWith('component:')) r.components.add(e.from);
    for (const ep of e.entrypoints ?? []) r.entrypoints.add(ep);
  }
  return out;
}

export function renderText(model: Model, opts: { color?: boolean } = {}): string {
  const c = (code: string, s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines: string[] = [];
  const byKind = (k: string) => model.nodes.filter((n) => n.kind === k);
  const notRead = notReadPhrase(model.stats);
  lines.push(c('1', `faultline ${model.tool.version}`) + ` — ${model.stats?.parsed ?? 0} files parsed${notRead ? `; not read: ${notRead}` : ''}`);
  lines.push(KINDS.map((k) => { const n = byKind(k).length; return `${n} ${k}${n === 1 ? '' : 's'}`; }).join(' · '));
  const reach = reachOf(model);
  const totalComps = byKind('component').length;
  const totalEps = byKind('entrypoint').length;
  const deps = model.nodes.filter((n) => ['datastore', 'cache', 'queue', 'external'].includes(n.kind));
  if (deps.length) {
    lines.push('', c('1', 'Dependencies'));
    for (const n of deps) {
      const r = reach.get(n.id);
      lines.push(`  ${pad(n.id, 34)} ${pad(n.tech ?? '', 14)} ${r?.components.size ?? 0}/${totalComps} components, ${r?.entrypoints.size ?? 0}/${totalEps} entrypoints${redundancyNote(n)}`);
    }
  }
  const worst = worstScenario(model);
  if (worst) lines.push('', c('1', 'Worst blast radius'), `  ${worst}`);
  lines.push(...capacityLines(model, (s) => c('1', s)));
  if (model.findings.length) {
    lines.push('', c('1', 'Findings'));
    for (const sev of SEVERITIES) {
      const list = model.findings.filter((f) => f.severity === sev && !f.suppressed && f.polarity !== 'strength');
      if (!list.length) continue;
      lines.push(`  ${c(sev === 'critical' || sev === 'high' ? '31' : sev === 'medium' ? '33' : '2', sev.toUpperCase())} (${list.length})`);
      for (const f of list.slice(0, 25)) lines.push(`    ${f.rule}  ${f.title}  ${f.locations[0] ? `${f.locations[0].file}:${f.locations[0].line}` : ''}`);
      if (list.length > 25) lines.push(`    … ${list.length - 25} more in the report`);
    }
    const strengths = model.findings.filter((f) => f.polarity === 'strength');
    if (strengths.length) {
      lines.push(`  ${c('32', 'STRENGTHS')} (${strengths.length})`);
      for (const f of strengths.slice(0, 15)) lines.push(`    ${f.rule}  ${f.title}  ${f.locations[0] ? `${f.locations[0].file}:${f.locations[0].line}` : ''}`);
    }
  }
  const diag = model.diagnostics.length;
  lines.push('', `${diag} diagnostic${diag === 1 ? '' : 's'}${diag ? ' (' + summarizeDiagnostics(model) + ')' : ''}${model.unresolved?.length ? ` · ${model.unresolved.length} unresolved links` : ''}`);
  return lines.join('\n') + '\n';
}

function redundancyNote(n: ModelNode): string {
  const r = n.redundancy;
  if (!r) return '';
  const parts = [];
  if (r.replicas !== undefined) parts.push(`${r.replicas} replica${r.replicas === 1 ? '' : 's'}`);
  if (r.multiAz) parts.push('multi-AZ');
  if (r.readReplica) parts.push('read replica');
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function worstScenario(model: Model): string | undefined {
  const outages = model.scenarios.filter((s) => s.mode === 'outage' && !s.absorbed);
  if (!outages.length) return undefined;
  const best = [...outages].sort((a, b) => b.entrypoints.down.length - a.entrypoints.down.length || cmpStr(a.failed, b.failed))[0];
  const total = best.entrypoints.down.length + best.entrypoints.degraded.length + best.entrypoints.delayed.length + best.entrypoints.ok.length;
  return `${best.failed} outage: ${best.entrypoints.down.length} of ${total} entrypoints down, ${best.entrypoints.degraded.length} degraded, ${best.entrypoints.delayed.length} delayed (faultline blast ${best.failed})`;
}

function summarizeDiagnostics(model: Model): string {
  const counts = new Map<string, number>();
  for (const d of model.diagnostics) counts.set(d.code ?? 'other', (counts.get(d.code ?? 'other') ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => cmpStr(a[0], b[0])).map(([k, v]) => `${v} ${k}`).join(', ');
}

function pad(s: string, n: number): string {
  return s.length >= n ? s + ' ' : s + ' '.repeat(n - s.length);
}
