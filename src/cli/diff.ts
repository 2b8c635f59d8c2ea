import type { Model } from '../model/types.js';
import { cmpStr } from '../shared/compare.js';

/** What changed between two scans: nodes, findings (by stable id), worst scenarios. */
export function diffModels(a: Model, b: Model): string {
  const lines: string[] = [];
  const ids = (m: Model) => new Set(m.nodes.map((n) => n.id));
  const na = ids(a);
  const nb = ids(b);
  const added = [...nb].filter((x) => !na.has(x)).sort(cmpStr);
  const removed = [...na].filter((x) => !nb.has(x)).sort(cmpStr);
  lines.push(`nodes: +${added.length} −${removed.length}`);
  for (const x of added) lines.push(`  + ${x}`);
  for (const x of removed) lines.push(`  − ${x}`);
  const fa = new Map(a.findings.map((f) => [f.id, f]));
  const fb = new Map(b.findings.map((f) => [f.id, f]));
  const newF = [...fb.values()].filter((f) => !fa.has(f.id));
  const fixed = [...fa.values()].filter((f) => !fb.has(f.id));
  lines.push(`findings: ${newF.length} new, ${fixed.length} gone`);
  for (const f of newF) lines.push(`  + [${f.severity}] ${f.rule} ${f.title} (${f.locations[0]?.file}:${f.locations[0]?.line})`);
  for (const f of fixed) lines.push(`  − [${f.severity}] ${f.rule} ${f.title}`);
  const key = (s: Model['scenarios'][number]) => `${s.failed} ${s.mode}`;
  const sa = new Map(a.scenarios.map((s) => [key(s), s]));
  const changed: string[] = [];
  for (const s of b.scenarios) {
    const o = sa.get(key(s));
    if (!o) continue;
    if (o.entrypoints.down.length !== s.entrypoints.down.length) changed.push(`  ${key(s)}: ${o.entrypoints.down.length} → ${s.entrypoints.down.length} entrypoints down`);
  }
  lines.push(`scenarios: ${changed.length} changed`);
  lines.push(...changed.sort(cmpStr));
  return lines.join('\n') + '\n';
}
