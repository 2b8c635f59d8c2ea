// TEMPORARY shim of src/analyze/propagation/index.ts, used until the real module exists.
// Deleted once the board is wired to the real propagation code.
import type { EntrypointState, FailureMode, Model, ModelEdge, Scenario } from '../../../model/types.js';

export type Mitigation =
  | { kind: 'read-replica'; node: string }
  | { kind: 'standby'; node: string }
  | { kind: 'breaker'; from: string; to: string; fallback?: boolean }
  | { kind: 'timeout'; from: string; to: string; ms: number }
  | { kind: 'replicas'; node: string; count: number }
  | { kind: 'queue'; from: string; to: string };

export interface ScenarioDelta {
  entrypoint: string;
  before: EntrypointState;
  after: EntrypointState;
  sentence: string;
}

const rank: Record<EntrypointState, number> = { ok: 0, delayed: 1, degraded: 2, down: 3 };

export function simulate(model: Model, failed: string, mode: FailureMode): Scenario {
  const node = model.nodes.find((n) => n.id === failed);
  const eps = model.nodes.filter((n) => n.kind === 'entrypoint').map((n) => n.id).sort();
  const out: Scenario = { failed, mode, rings: [[failed]], entrypoints: { down: [], degraded: [], delayed: [], ok: [] }, paths: [], stoppedBy: [], why: {} };
  const r = node?.redundancy;
  if (r && ((r.replicas ?? 1) > 1 || r.multiAz || (r.readReplica && mode === 'outage'))) {
    out.absorbed = `${failed} has redundancy: a single instance failure is absorbed`;
    out.entrypoints.ok = eps;
    return out;
  }
  const byFrom = new Map<string, ModelEdge[]>();
  for (const e of model.edges) {
    if (e.kind === 'runs_on' || e.kind === 'serves') continue;
    (byFrom.get(e.from) ?? byFrom.set(e.from, []).get(e.from)!).push(e);
  }
  const ringOf = new Map<string, number>([[failed, 0]]);
  const stopped = new Map<string, { from: string; to: string; guard: string }>();
  for (const ep of eps) {
    let best: { state: EntrypointState; path: string[] } | null = null;
    const walk = (id: string, path: string[], state: EntrypointState) => {
      if (id === failed) {
        if (!best || rank[state] > rank[best.state]) best = { state, path };
        return;
      }
      for (const e of byFrom.get(id) ?? []) {
        if (path.includes(e.to)) continue;
        if (e.entrypoints && !e.entrypoints.includes(ep)) continue;
        let s: EntrypointState = state;
        if (e.to === failed) {
          const contained = e.guards.fallback || e.guards.circuitBreaker || (e.mode === 'fire_and_forget' && e.guards.caught);
          if (e.mode === 'async') s = rank[s] < 1 ? 'delayed' : s;
          else if (contained) { s = rank[s] < 2 ? 'degraded' : s; stopped.set(e.from + '>' + e.to, { from: e.from, to: e.to, guard: e.guards.fallback ? 'fallback' : e.guards.circuitBreaker ? 'circuitBreaker' : 'caught' }); }
          else if (mode === 'slowdown' && e.guards.timeoutMs) s = 'degraded';
          else s = 'down';
        } else if (e.mode === 'async') s = 'delayed';
        walk(e.to, [...path, e.to], s);
      }
    };
    walk(ep, [ep], 'down');
    const b = best as { state: EntrypointState; path: string[] } | null;
    const state: EntrypointState = b ? b.state : 'ok';
    out.entrypoints[state].push(ep);
    if (b && state !== 'ok') {
      const p = b.path;
      for (let i = 0; i < p.length; i++) {
        const k = p.length - 1 - i;
        const cur = ringOf.get(p[i]!);
        if (cur === undefined || k < cur) ringOf.set(p[i]!, k);
      }
      const client = model.edges.find((e) => e.to === ep && e.from.startsWith('client:'));
      if (out.paths.length < 20) out.paths.push(client ? [client.from, ...p] : p);
      out.why![ep] = { state, path: p, reason: state === 'down' ? `sync call chain reaches ${failed} with nothing containing it` : `reaches ${failed}, contained` };
    }
  }
  const rings: string[][] = [];
  for (const [id, k] of ringOf) (rings[k] ??= []).push(id);
  out.rings = rings.filter(Boolean).map((r) => r.sort());
  out.stoppedBy = [...stopped.values()];
  return out;
}

export function simulateAll(model: Model): Scenario[] {
  return model.nodes.filter((n) => n.kind !== 'entrypoint' && n.kind !== 'client').map((n) => simulate(model, n.id, 'outage'));
}

export function applyWhatIf(model: Model, mitigations: Mitigation[]): Model {
  const m: Model = structuredClone(model);
  for (const mi of mitigations) {
    if (mi.kind === 'read-replica' || mi.kind === 'standby' || mi.kind === 'replicas') {
      const n = m.nodes.find((x) => x.id === mi.node);
      if (!n) continue;
      n.redundancy = { ...n.redundancy, ...(mi.kind === 'read-replica' ? { readReplica: true } : mi.kind === 'standby' ? { multiAz: true } : { replicas: mi.count }) };
    } else {
      for (const e of m.edges) {
        if (e.from !== mi.from || e.to !== mi.to) continue;
        if (mi.kind === 'breaker') e.guards = { ...e.guards, circuitBreaker: true, fallback: mi.fallback ?? true };
        if (mi.kind === 'timeout') e.guards = { ...e.guards, timeoutMs: mi.ms };
        if (mi.kind === 'queue') e.mode = 'async';
      }
    }
  }
  return m;
}

export function compareScenarios(before: Scenario, after: Scenario): ScenarioDelta[] {
  const st = (s: Scenario) => {
    const m = new Map<string, EntrypointState>();
    for (const k of ['down', 'degraded', 'delayed', 'ok'] as const) for (const e of s.entrypoints[k]) m.set(e, k);
    return m;
  };
  const a = st(before), b = st(after);
  const out: ScenarioDelta[] = [];
  for (const [ep, s] of a) {
    const t = b.get(ep) ?? 'ok';
    if (t !== s) out.push({ entrypoint: ep, before: s, after: t, sentence: `${ep.replace(/^entrypoint:/, '')} goes from ${s} to ${t}` });
  }
  return out;
}
