// Turns linked facts into the model: nodes with evidence, edges labelled with the
// entrypoints whose traced paths use them. Pure: no I/O.
import type { FileFacts } from '../extract/facts.js';
import type { EntrypointDef, InfraFacts, ResourceRef } from '../packs/types.js';
import { moduleComponentName } from '../packs/nestjs/index.js';
import { byKey, cmpStr, sortByKey, sortedUnique } from '../shared/compare.js';
import type { Use } from '../link/trace.js';
import type { Diagnostic, EdgeMode, Evidence, Guards, Model, ModelEdge, ModelNode } from './types.js';

export const TOOL_VERSION = '0.1.0';

export interface TracedEntrypoint {
  def: EntrypointDef;
  uses: Use[];
  /** Uses of guards/middleware that run before the handler. */
  beforeUses: Use[];
}

export interface BuildInput {
  files: FileFacts[];
  entrypoints: TracedEntrypoint[];
  infra: InfraFacts;
  /** The component owning a file; undefined for runtime entry files (src/server.ts) that belong to none. */
  componentOf: (file: string) => string | undefined;
  runtimeOf: (ep: EntrypointDef) => string | undefined;
  clientCalls: { entrypoint: string; evidence: Evidence }[];
  /** Dependency calls in code no traced entrypoint runs (start-up hooks, scripts): edges used by no entrypoint. */
  untracedUses?: Use[];
  diagnostics: Diagnostic[];
  unresolved: { file: string; line: number; what: string }[];
  stats: Model['stats'];
}

export function resourceId(r: ResourceRef): string {
  return `${r.kind}:${r.name}`;
}

function evKey(e: Evidence): string {
  return `${e.file}:${String(e.line).padStart(7, '0')}`;
}

const SOURCE_FILE = /\.(ts|tsx|js|jsx|mjs|cjs|mts|cts|py)$/;

/** Deduplicated and sorted; configuration evidence (compose, schema, serverless) first, as it names the thing itself. */
function sortEvidence(list: Evidence[], cap = 12): Evidence[] {
  const seen = new Map<string, Evidence>();
  for (const e of list) seen.set(`${SOURCE_FILE.test(e.file) ? 1 : 0}${evKey(e)}`, { file: e.file, line: e.line });
  return [...seen.entries()].sort((a, b) => cmpStr(a[0], b[0])).slice(0, cap).map(([, e]) => e);
}

function guardKey(g: Guards): string {
  return JSON.stringify(Object.keys(g).sort().filter((k) => (g as any)[k] !== undefined).map((k) => [k, (g as any)[k]]));
}

function cleanGuards(g: Guards): Guards {
  const out: Guards = {};
  for (const k of Object.keys(g).sort() as (keyof Guards)[]) if (g[k] !== undefined && g[k] !== false) (out as any)[k] = g[k];
  return out;
}

export function componentFromPath(file: string, nestModules: { dir: string; name: string }[]): string | undefined {
  let best: { dir: string; name: string } | undefined;
  for (const m of nestModules) if ((m.dir === '' || file.startsWith(m.dir + '/')) && (!best || m.dir.length > best.dir.length)) best = m;
  if (best) return best.name;
  const parts = file.split('/');
  let app: string | undefined;
  if ((parts[0] === 'apps' || parts[0] === 'packages' || parts[0] === 'services') && parts.length > 2) {
    app = parts[1];
    parts.splice(0, 2);
  }
  if (parts[0] === 'src' || parts[0] === 'lib' || parts[0] === 'app' && parts.length > 2) parts.shift();
  if ((parts[0] === 'modules' || parts[0] === 'domains' || parts[0] === 'features') && parts.length > 2) return parts[1];
  if (parts.length > 1) return parts[0];
  return undefined;
}

export function nestModules(files: FileFacts[]): { dir: string; name: string }[] {
  const out: { dir: string; name: string }[] = [];
  for (const f of files) for (const c of f.classes) if (c.decorators.some((d) => d.name === 'Module')) out.push({ dir: f.file.includes('/') ? f.file.slice(0, f.file.lastIndexOf('/')) : '', name: moduleComponentName(c.name) });
  // two modules in one folder: the folder takes the first by name
  const byDir = new Map<string, string>();
  for (const m of out.sort(byKey((x) => x.name))) if (!byDir.has(m.dir)) byDir.set(m.dir, m.name);
  return [...byDir.entries()].map(([dir, name]) => ({ dir, name }));
}

function firstComponent(t: TracedEntrypoint, componentOf: (f: string) => string | undefined): string | undefined {
  for (const u of t.uses) for (const f of u.frames) {
    const c = componentOf(f.file);
    if (c) return c;
  }
  return undefined;
}

export function buildModel(input: BuildInput): Omit<Model, 'findings' | 'scenarios'> {
  const nodes = new Map<string, ModelNode>();
  const edges = new Map<string, ModelEdge & { _eps: Set<string>; _ev: Evidence[] }>();
  const addNode = (n: ModelNode) => {
    const cur = nodes.get(n.id);
    if (!cur) nodes.set(n.id, { ...n, evidence: [...n.evidence] });
    else cur.evidence.push(...n.evidence);
  };
  const addEdge = (from: string, to: string, kind: ModelEdge['kind'], mode: EdgeMode, guards: Guards, ev: Evidence[], ep: string | undefined, readOnly?: boolean, order?: number) => {
    const g = cleanGuards(guards);
    const key = `${from}\0${to}\0${kind}\0${mode}\0${guardKey(g)}`;
    let e = edges.get(key);
    if (!e) edges.set(key, (e = { from, to, kind, mode, guards: g, evidence: [], _eps: new Set(), _ev: [], readOnly: readOnly || undefined }));
    else if (e.readOnly && !readOnly) e.readOnly = undefined;
    if (order !== undefined) (e as any).order = Math.min((e as any).order ?? order, order);
    e._ev.push(...ev);
    if (ep) e._eps.add(ep);
  };

  for (const t of input.entrypoints) {
    const def = t.def;
    const id = `entrypoint:${def.name}`;
    const handlerComp = def.handler ? input.componentOf(def.handler.file) ?? firstComponent(t, input.componentOf) : undefined;
    const runtime = input.runtimeOf(def);
    addNode({
      id, kind: 'entrypoint', name: def.name, route: def.route, trigger: def.trigger, component: handlerComp ? `component:${handlerComp}` : undefined,
      runtime: runtime ? `runtime:${runtime}` : undefined, evidence: [def.evidence],
    });
    if (handlerComp) {
      addNode({ id: `component:${handlerComp}`, kind: 'component', name: handlerComp, evidence: [{ file: def.handler!.file, line: 1 }] });
      addEdge(id, `component:${handlerComp}`, 'calls', 'sync', {}, [def.evidence], id);
    }
    if (runtime) addEdge(id, `runtime:${runtime}`, 'runs_on', 'sync', {}, [def.evidence], undefined);
    if (def.consumes) {
      const q = resourceId(def.consumes);
      addNode({ id: q, kind: def.consumes.kind, name: def.consumes.name, tech: def.consumes.tech, evidence: [def.evidence] });
      addEdge(id, q, 'consumes', 'async', {}, [def.evidence], id);
    }
    for (const u of [...t.beforeUses, ...t.uses]) {
      // frames in files of no component (runtime entry files) are passed through
      const hops = u.frames.map((f) => ({ comp: input.componentOf(f.file), file: f.file })).filter((h): h is { comp: string; file: string } => !!h.comp);
      const first = hops[0]?.comp;
      if (first && first !== handlerComp) {
        addNode({ id: `component:${first}`, kind: 'component', name: first, evidence: [{ file: hops[0].file, line: 1 }] });
        addEdge(id, `component:${first}`, 'calls', 'sync', {}, [def.evidence], id);
      }
      for (let i = 1; i < hops.length; i++) {
        if (hops[i].comp === hops[i - 1].comp) continue;
        addNode({ id: `component:${hops[i].comp}`, kind: 'component', name: hops[i].comp, evidence: [{ file: hops[i].file, line: 1 }] });
        addEdge(`component:${hops[i - 1].comp}`, `component:${hops[i].comp}`, 'calls', 'sync', {}, [u.evidence], id);
      }
      const to = resourceId(u.target);
      addNode({ id: to, kind: u.target.kind, name: u.target.name, tech: u.target.tech, evidence: [u.evidence, ...(u.target.evidence ?? [])] });
      const last = hops.length ? `component:${hops[hops.length - 1].comp}` : id;
      const mode: EdgeMode = u.edge === 'enqueues' && u.mode === 'sync' ? 'async' : u.mode;
      addEdge(last, to, u.edge, mode, u.guards, [...(u.via ?? []), u.evidence], id, u.readOnly, u.order);
      if (u.target.kind === 'queue' && u.target.tech === 'bullmq') {
        addNode({ id: 'cache:redis', kind: 'cache', name: 'redis', tech: 'redis', evidence: [u.evidence] });
        addEdge(to, 'cache:redis', 'uses', 'sync', {}, [u.evidence], undefined);
      } else if (u.target.kind === 'queue' && u.target.store) {
        const s = u.target.store;
        addNode({ id: resourceId(s), kind: s.kind, name: s.name, tech: s.tech, evidence: [u.evidence] });
        addEdge(to, resourceId(s), 'uses', 'sync', {}, [u.evidence], undefined);
      }
    }
    if (def.consumes?.tech === 'bullmq') {
      addNode({ id: 'cache:redis', kind: 'cache', name: 'redis', tech: 'redis', evidence: [def.evidence] });
      addEdge(resourceId(def.consumes), 'cache:redis', 'uses', 'sync', {}, [def.evidence], undefined);
    } else if (def.consumes?.store) {
      const s = def.consumes.store;
      addNode({ id: resourceId(s), kind: s.kind, name: s.name, tech: s.tech, evidence: [def.evidence] });
      addEdge(resourceId(def.consumes), resourceId(s), 'uses', 'sync', {}, [def.evidence], undefined);
    }
  }

  for (const f of input.files) {
    const comp = input.componentOf(f.file);
    if (comp && !nodes.has(`component:${comp}`)) addNode({ id: `component:${comp}`, kind: 'component', name: comp, evidence: [{ file: f.file, line: 1 }] });
  }
  const linked = new Set([...edges.values()].map((e) => `${e.from}\0${e.to}`));
  for (const u of input.untracedUses ?? []) {
    const comp = input.componentOf(u.evidence.file);
    const to = resourceId(u.target);
    if (!comp) continue;
    const key = `component:${comp}\0${to}`;
    if (linked.has(key)) continue;
    linked.add(key);
    addNode({ id: to, kind: u.target.kind, name: u.target.name, tech: u.target.tech, evidence: [u.evidence, ...(u.target.evidence ?? [])] });
    addEdge(`component:${comp}`, to, u.edge, u.mode, u.guards, [u.evidence], undefined, u.readOnly);
    edges.get(`component:${comp}\0${to}\0${u.edge}\0${u.mode}\0${guardKey(cleanGuards(u.guards))}`)!._eps = new Set(['\0none']);
  }

  // runtimes: infra-declared ones used by some entrypoint, plus inferred ones
  const usedRuntimes = new Set([...nodes.values()].filter((n) => n.runtime).map((n) => n.runtime!));
  for (const r of input.infra.runtimes ?? []) {
    const id = `runtime:${r.name}`;
    if (!usedRuntimes.has(id)) continue;
    addNode({ id, kind: 'runtime', name: r.name, tech: r.tech, redundancy: r.redundancy && Object.keys(r.redundancy).some((k) => (r.redundancy as any)[k] !== undefined) ? r.redundancy : undefined, evidence: r.evidence });
  }
  // an inferred runtime runs the language of the entrypoints it serves
  const pyRuntime = (rid: string) => [...nodes.values()].some((n) => n.runtime === rid && n.evidence.some((e) => e.file.endsWith('.py')));
  for (const rid of usedRuntimes) if (!nodes.has(rid)) addNode({ id: rid, kind: 'runtime', name: rid.slice(8), tech: pyRuntime(rid) ? 'python' : 'node', evidence: [] });

  // infra facts attach to the nodes the code uses; unused declared services are not nodes
  for (const r of input.infra.resources ?? []) {
    const n = nodes.get(resourceId(r.ref));
    if (!n) continue;
    n.evidence.push(...r.evidence);
    if (r.redundancy) n.redundancy = { ...n.redundancy, ...r.redundancy };
  }

  for (const c of input.clientCalls) {
    if (!nodes.has(c.entrypoint)) continue;
    addNode({ id: 'client:web', kind: 'client', name: 'web', evidence: [c.evidence] });
    addEdge('client:web', c.entrypoint, 'calls', 'sync', {}, [c.evidence], c.entrypoint);
  }

  const nodeList = [...nodes.values()].map((n) => ({ ...n, evidence: sortEvidence(n.evidence, 8) })).sort(byKey((n) => n.id));
  const epCount = new Map<string, number>();
  const edgeList: ModelEdge[] = [...edges.values()].map((e) => {
    const { _eps, _ev, ...rest } = e;
    const out: ModelEdge = { ...rest, evidence: sortEvidence(_ev) };
    if (_eps.has('\0none')) out.entrypoints = [];
    else if (_eps.size) out.entrypoints = sortedUnique(_eps);
    if (!out.readOnly) delete out.readOnly;
    return out;
  });
  void epCount;
  const sortedEdges = sortByKey(edgeList, (e) => `${e.from}\0${e.to}\0${e.kind}\0${e.mode}\0${guardKey(e.guards)}`);
  return {
    schemaVersion: 1,
    tool: { name: 'faultline', version: TOOL_VERSION },
    root: '.',
    nodes: nodeList,
    edges: sortedEdges,
    diagnostics: sortByKey(input.diagnostics, (d) => `${d.file}\0${d.code ?? ''}\0${d.message}`),
    unresolved: sortByKey(input.unresolved, (u) => `${u.file}\0${String(u.line).padStart(7, '0')}\0${u.what}`),
    stats: input.stats,
  };
}
