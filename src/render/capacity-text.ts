// The connection-budget table of the terminal summary (model.capacity, see docs/model.md).
import type { Capacity, RuntimeDemand } from '../analyze/capacity/types.js';
import type { Model } from '../model/types.js';

function cell(s: string, n: number): string {
  return s.length >= n ? s + ' ' : s + ' '.repeat(n - s.length);
}

function count(d: RuntimeDemand, peak: boolean): string {
  const k = peak ? d.peak : d.replicas;
  if (peak && d.peak.unbounded) return 'unbounded';
  return k.value !== undefined ? String(k.value) : '?';
}

export function capacityLines(model: Model, bold: (s: string) => string = (s) => s): string[] {
  const cap = model.capacity as Capacity | undefined;
  const stores = (cap?.datastores ?? []).filter((d) => d.runtimes.length);
  if (!stores.length) return [];
  const out = ['', bold('Connection budget')];
  for (const d of stores) {
    const s = d.server;
    const max = s.maxConnections.value !== undefined ? `max_connections ${s.maxConnections.value}${s.maxConnections.source === 'default' ? ' (default)' : s.maxConnections.source === 'formula' ? ' (RDS formula)' : ''}${s.localOnly ? ' (local compose)' : ''}` : 'max_connections unknown';
    const usable = s.usable !== undefined ? ` − ${s.reservedConnections.value} reserved = ${s.usable} usable` : '';
    out.push(`  ${d.datastore}  ${max}${usable}  ·  ${d.budget.status}`);
    const scales = d.runtimes.some((r) => r.peak.unbounded || r.peak.value !== r.replicas.value);
    out.push(`    ${cell('runtime', 18)}${cell('replicas', 10)}${scales ? cell('peak', 11) : ''}${cell('pool', 6)}${cell('conns', 7)}via`);
    for (const r of d.runtimes) {
      const via = r.url ? (r.url.resolved ? r.url.via : `unknown (${r.url.value.slice(0, 40)})`) : 'unknown';
      out.push(`    ${cell(r.runtime.replace(/^runtime:/, ''), 18)}${cell(count(r, false), 10)}${scales ? cell(count(r, true), 11) : ''}${cell(r.pool.value !== undefined ? String(r.pool.value) : '?', 6)}${cell(r.connections !== undefined ? String(r.connections) : '?', 7)}${via}${r.url?.pooler ? ` (${r.url.pooler})` : ''}`);
    }
    out.push(`    normal: ${d.budget.normal.arithmetic}`);
    if (d.budget.peak) out.push(`    peak:   ${d.budget.peak.arithmetic}`);
    if (d.budget.poolerClients) out.push(`    pooler: ${d.budget.poolerClients.arithmetic}`);
    for (const u of d.budget.unknowns.slice(0, 4)) out.push(`    unknown: ${u}`);
    if (d.budget.unknowns.length > 4) out.push(`    … ${d.budget.unknowns.length - 4} more unknowns in faultline.json (capacity)`);
  }
  return out;
}
