// Read-only indexes over the model: who belongs to which group, how routes map to
// components and components to runtimes. Computed once at load by the board app, and by
// src/render/html.ts to lay the initial view out at render time. Pure: no DOM, no Node.
import type { EntrypointState, Finding, Model, ModelNode, NodeKind, Scenario } from '../../model/types.js';

export type InfraKind = 'datastore' | 'cache' | 'queue' | 'external';
export const INFRA_KINDS: InfraKind[] = ['datastore', 'cache', 'queue', 'external'];
export const INFRA_LABEL: Record<InfraKind, string> = { datastore: 'Datastores', cache: 'Caches', queue: 'Queues', external: 'External APIs' };
export const KIND_LABEL: Record<NodeKind, string> = {
  entrypoint: 'route', component: 'component', runtime: 'runtime', datastore: 'datastore',
  cache: 'cache', queue: 'queue', external: 'external', client: 'client',
};
export const STATES: EntrypointState[] = ['down', 'degraded', 'delayed', 'ok'];
export const NO_RUNTIME = 'group:components';
export const groupId = (k: InfraKind) => `group:${k}`;

export interface Index {
  model: Model;
  byId: Map<string, ModelNode>;
  /** entrypoint → component id (a synthetic "~routes:<runtime>" when it has none). */
  epComp: Map<string, string>;
  routesByComp: Map<string, string[]>;
  /** component → the runtime group it is drawn in (NO_RUNTIME when none). */
  compGroup: Map<string, string>;
  runtimes: string[];
  componentsByGroup: Map<string, string[]>;
  infra: Record<InfraKind, string[]>;
  clients: string[];
  /** synthetic components (routes with no component). */
  virtual: Map<string, string>;
  findingsByElement: Map<string, Finding[]>;
  entrypoints: string[];
}

const byStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function buildIndex(model: Model): Index {
  const byId = new Map<string, ModelNode>();
  for (const n of model.nodes) byId.set(n.id, n);
  const of = (k: NodeKind) => model.nodes.filter((n) => n.kind === k).map((n) => n.id).sort(byStr);
  const runtimes = of('runtime');
  const entrypoints = of('entrypoint');

  const runsOn = new Map<string, string>();
  const handler = new Map<string, string>();
  for (const e of model.edges) {
    const to = byId.get(e.to);
    if (!byId.has(e.from) || !to) continue;
    if (e.kind === 'runs_on' && to.kind === 'runtime' && !runsOn.has(e.from)) runsOn.set(e.from, e.to);
    if (e.kind === 'calls' && to.kind === 'component' && byId.get(e.from)?.kind === 'entrypoint' && !handler.has(e.from)) handler.set(e.from, e.to);
  }
  const epRuntime = (ep: string): string | undefined => {
    const n = byId.get(ep)!;
    return n.runtime && byId.get(n.runtime)?.kind === 'runtime' ? n.runtime : runsOn.get(ep);
  };

  const epComp = new Map<string, string>();
  const routesByComp = new Map<string, string[]>();
  const virtual = new Map<string, string>();
  for (const ep of entrypoints) {
    const n = byId.get(ep)!;
    let c = n.component && byId.get(n.component)?.kind === 'component' ? n.component : handler.get(ep);
    if (!c) {
      const rt = epRuntime(ep);
      c = `~routes:${rt ?? 'none'}`;
      virtual.set(c, 'other routes');
    }
    epComp.set(ep, c);
    (routesByComp.get(c) ?? routesByComp.set(c, []).get(c)!).push(ep);
  }

  // A component is drawn inside the runtime most of its routes run on.
  const compGroup = new Map<string, string>();
  const components = [...of('component'), ...[...virtual.keys()].sort(byStr)];
  for (const c of components) {
    const count = new Map<string, number>();
    for (const ep of routesByComp.get(c) ?? []) {
      const rt = epRuntime(ep);
      if (rt) count.set(rt, (count.get(rt) ?? 0) + 1);
    }
    if (virtual.has(c) && c !== '~routes:none') count.set(c.slice('~routes:'.length), 1);
    let best: string | undefined;
    for (const [rt, k] of [...count].sort((a, b) => byStr(a[0], b[0]))) if (!best || k > count.get(best)!) best = rt;
    if (best) compGroup.set(c, best);
  }
  // Components without routes follow their callers; with a single runtime, they live in it.
  for (let changed = true; changed; ) {
    changed = false;
    for (const e of model.edges) {
      if (e.kind !== 'calls' || compGroup.has(e.to) || byId.get(e.to)?.kind !== 'component') continue;
      const g = compGroup.get(e.from);
      if (g) { compGroup.set(e.to, g); changed = true; }
    }
  }
  for (const c of components) if (!compGroup.has(c)) compGroup.set(c, runtimes.length === 1 ? runtimes[0]! : NO_RUNTIME);

  const componentsByGroup = new Map<string, string[]>();
  for (const c of components) {
    const g = compGroup.get(c)!;
    (componentsByGroup.get(g) ?? componentsByGroup.set(g, []).get(g)!).push(c);
  }
  for (const list of componentsByGroup.values()) list.sort((a, b) => byStr(nameOfRaw(byId, virtual, a), nameOfRaw(byId, virtual, b)));

  const findingsByElement = new Map<string, Finding[]>();
  for (const f of model.findings) if (f.element) (findingsByElement.get(f.element) ?? findingsByElement.set(f.element, []).get(f.element)!).push(f);

  return {
    model, byId, epComp, routesByComp, compGroup, runtimes, componentsByGroup, virtual, findingsByElement, entrypoints,
    infra: { datastore: of('datastore'), cache: of('cache'), queue: of('queue'), external: of('external') },
    clients: of('client'),
  };
}

function nameOfRaw(byId: Map<string, ModelNode>, virtual: Map<string, string>, id: string): string {
  return byId.get(id)?.name ?? virtual.get(id) ?? id;
}

export function nameOf(ix: Index, id: string): string {
  if (id === NO_RUNTIME) return 'Components';
  if (id.startsWith('group:')) return INFRA_LABEL[id.slice(6) as InfraKind] ?? id;
  return nameOfRaw(ix.byId, ix.virtual, id);
}

export function kindOf(ix: Index, id: string): NodeKind | 'group' {
  if (ix.virtual.has(id)) return 'component';
  return ix.byId.get(id)?.kind ?? 'group';
}

/** The component a finding or node belongs to, for the findings filter. */
export function componentOf(ix: Index, id: string | undefined): string | undefined {
  if (!id) return undefined;
  const n = ix.byId.get(id);
  if (n?.kind === 'entrypoint') return ix.epComp.get(id);
  return id;
}

export function stateMap(s: Scenario | null): Map<string, EntrypointState> {
  const m = new Map<string, EntrypointState>();
  if (!s) return m;
  for (const k of STATES) for (const ep of s.entrypoints[k] ?? []) m.set(ep, k);
  return m;
}

export function ringMap(s: Scenario | null): Map<string, number> {
  const m = new Map<string, number>();
  if (!s) return m;
  s.rings.forEach((ring, k) => { for (const id of ring) if (!m.has(id)) m.set(id, k); });
  if (!m.has(s.failed)) m.set(s.failed, 0);
  return m;
}
