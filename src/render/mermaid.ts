// Mermaid flowcharts of the model (architecture, and one per failure scenario), plus the
// small read-only queries over the model that the Markdown and Mermaid renderers share.
//
// Pure functions: model in, diagram text out (without the ```mermaid fence).
//
// Safety: every string that comes from the scanned repository (node names, route paths,
// techs, guard names) reaches the diagram only through `mermaidLabel`, which wraps it in
// double quotes and replaces every character that could end the string or be read as
// markup by a Mermaid entity code (`"` → #quot;, `<` → #lt;, `>` → #gt;, `&` → #amp;,
// `#` → #35;, backtick → #96;; control characters → space). Node ids never come from the
// repository verbatim: they are `n_` + the id with everything outside [A-Za-z0-9_]
// replaced by `_` (deduplicated), so no id can be a Mermaid keyword (`end`, `class`...) or
// start an `o`/`x` edge head.

import type { ModelEdge, ModelNode, Model, NodeKind, Scenario } from '../model/types.js';

// ---------------------------------------------------------------------------------------
// Shared model queries
// ---------------------------------------------------------------------------------------

/** Code-unit order: deterministic, independent of the locale and ICU version. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function uniqSorted(xs: Iterable<string>): string[] {
  return [...new Set(xs)].sort(cmp);
}

/** Edge kinds that describe deployment, not a call: never followed for reach or drawn as calls. */
const DEPLOYMENT_EDGE_KINDS = new Set(['runs_on', 'serves']);

export const DEPENDENCY_KINDS: readonly NodeKind[] = ['datastore', 'cache', 'queue', 'external'];

export interface ModelIndex {
  model: Model;
  node(id: string): ModelNode | undefined;
  /** Display name of a node id (its `name`, else the id). Raw: escape before output. */
  name(id: string): string;
  kind(id: string): NodeKind | undefined;
  /** Nodes of one kind, sorted by id. */
  ofKind(kind: NodeKind): ModelNode[];
  /** Outgoing edges of a node, sorted by (to, kind, mode). */
  out(id: string): ModelEdge[];
  /** Incoming edges of a node, sorted by (from, kind, mode). */
  in(id: string): ModelEdge[];
  /** The component that handles an entrypoint (node.component, else its `calls` edge). */
  componentOf(entrypointId: string): string | undefined;
  /** The runtime that serves an entrypoint (node.runtime, else its `runs_on` edge). */
  runtimeOf(entrypointId: string): string | undefined;
  /** Entrypoint ids handled by a component, sorted. */
  entrypointsOf(componentId: string): string[];
}

function edgeKey(e: ModelEdge): string {
  return `${e.from}\u0000${e.to}\u0000${e.kind}\u0000${e.mode}`;
}

export function indexModel(model: Model): ModelIndex {
  const nodes = new Map<string, ModelNode>();
  for (const n of model.nodes) nodes.set(n.id, n);
  const outMap = new Map<string, ModelEdge[]>();
  const inMap = new Map<string, ModelEdge[]>();
  // keys built once, not twice per comparison
  const keyed = model.edges.map((e) => ({ e, k: edgeKey(e) }));
  keyed.sort((a, b) => cmp(a.k, b.k));
  const edges = keyed.map((x) => x.e);
  for (const e of edges) {
    if (!outMap.has(e.from)) outMap.set(e.from, []);
    outMap.get(e.from)!.push(e);
    if (!inMap.has(e.to)) inMap.set(e.to, []);
    inMap.get(e.to)!.push(e);
  }
  const byKind = new Map<NodeKind, ModelNode[]>();
  for (const n of [...model.nodes].sort((a, b) => cmp(a.id, b.id))) {
    if (!byKind.has(n.kind)) byKind.set(n.kind, []);
    byKind.get(n.kind)!.push(n);
  }
  const kindOf = (id: string): NodeKind | undefined => nodes.get(id)?.kind ?? kindFromId(id);
  const componentOf = (ep: string): string | undefined => {
    const n = nodes.get(ep);
    if (n?.component) return n.component;
    const e = (outMap.get(ep) ?? []).find((x) => x.kind === 'calls' && kindOf(x.to) === 'component');
    return e?.to;
  };
  const runtimeOf = (ep: string): string | undefined => {
    const n = nodes.get(ep);
    if (n?.runtime) return n.runtime;
    const e = (outMap.get(ep) ?? []).find((x) => x.kind === 'runs_on' && kindOf(x.to) === 'runtime');
    return e?.to;
  };
  const epsByComponent = new Map<string, string[]>();
  for (const ep of byKind.get('entrypoint') ?? []) {
    const c = componentOf(ep.id);
    if (!c) continue;
    if (!epsByComponent.has(c)) epsByComponent.set(c, []);
    epsByComponent.get(c)!.push(ep.id);
  }
  return {
    model,
    node: (id) => nodes.get(id),
    name: (id) => {
      const n = nodes.get(id);
      return n && n.name !== '' ? n.name : id;
    },
    kind: kindOf,
    ofKind: (k) => byKind.get(k) ?? [],
    out: (id) => outMap.get(id) ?? [],
    in: (id) => inMap.get(id) ?? [],
    componentOf,
    runtimeOf,
    entrypointsOf: (c) => epsByComponent.get(c) ?? [],
  };
}

const NODE_KINDS: readonly NodeKind[] = ['entrypoint', 'component', 'runtime', 'datastore', 'cache', 'queue', 'external', 'client'];

/** The kind encoded in a `KIND:NAME` id, for ids that have no node. */
export function kindFromId(id: string): NodeKind | undefined {
  const k = id.slice(0, id.indexOf(':'));
  return (NODE_KINDS as readonly string[]).includes(k) ? (k as NodeKind) : undefined;
}

/**
 * Every node reachable from `start` along call edges (deployment edges excluded).
 * With `entrypoint`, an edge restricted to some entrypoints (`edges[].entrypoints`) is
 * followed only when it lists that entrypoint.
 */
export function reachable(ix: ModelIndex, start: string, entrypoint?: string): Set<string> {
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length > 0) {
    const cur = stack.pop()!;
    for (const e of ix.out(cur)) {
      if (DEPLOYMENT_EDGE_KINDS.has(e.kind)) continue;
      if (entrypoint !== undefined && e.entrypoints && !e.entrypoints.includes(entrypoint)) continue;
      if (!seen.has(e.to)) {
        seen.add(e.to);
        stack.push(e.to);
      }
    }
  }
  return seen;
}

// ---------------------------------------------------------------------------------------
// Escaping
// ---------------------------------------------------------------------------------------

/** Collapse whitespace and control characters to single spaces, trim, cut to `max` chars. */
export function flatten(s: string, max = Infinity): string {
  // eslint-disable-next-line no-control-regex
  const flat = s.replace(/[\u0000-\u001f\u007f\u2028\u2029\s]+/g, ' ').trim();
  const chars = [...flat];
  if (chars.length <= max) return flat;
  return chars.slice(0, Math.max(1, max - 1)).join('').trimEnd() + '…';
}

/** Escape text for use inside a double-quoted Mermaid string (see the header comment). */
export function escapeMermaidText(s: string): string {
  let out = '';
  for (const ch of s) {
    switch (ch) {
      case '"': out += '#quot;'; break;
      case '<': out += '#lt;'; break;
      case '>': out += '#gt;'; break;
      case '&': out += '#amp;'; break;
      case '#': out += '#35;'; break;
      case '`': out += '#96;'; break;
      default: {
        const c = ch.codePointAt(0)!;
        out += c < 0x20 || c === 0x7f || c === 0x2028 || c === 0x2029 ? ' ' : ch;
      }
    }
  }
  return out;
}

/** A quoted, escaped, never-empty Mermaid label. */
export function mermaidLabel(s: string, max = 60): string {
  const t = flatten(s, max);
  return `"${escapeMermaidText(t === '' ? '(unnamed)' : t)}"`;
}

/** Allocates Mermaid node ids `n_<sanitized>` that are unique within one diagram. */
export function createIdAllocator(prefix = 'n_'): (id: string) => string {
  const byId = new Map<string, string>();
  const used = new Set<string>();
  return (id: string) => {
    const known = byId.get(id);
    if (known) return known;
    const base = prefix + (id.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 64) || 'node');
    let mid = base;
    for (let i = 2; used.has(mid); i++) mid = `${base}_${i}`;
    used.add(mid);
    byId.set(id, mid);
    return mid;
  };
}

function shape(kind: NodeKind | 'more' | undefined, label: string): string {
  switch (kind) {
    case 'datastore': return `[(${label})]`;
    case 'cache': return `{{${label}}}`;
    case 'queue': return `[[${label}]]`;
    case 'external': return `([${label}])`;
    case 'client': return `((${label}))`;
    case 'entrypoint': return `>${label}]`;
    case 'runtime': return `[[${label}]]`;
    default: return `[${label}]`;
  }
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

// ---------------------------------------------------------------------------------------
// Architecture
// ---------------------------------------------------------------------------------------

export interface DiagramOptions {
  /** Most component/entrypoint boxes drawn (default 60). */
  maxUnits?: number;
  /** Most dependency/client nodes drawn (default 40). */
  maxDependencies?: number;
  /** Most edges drawn (default 250). */
  maxEdges?: number;
  /** indexModel(model), when the caller has it already. */
  index?: ModelIndex;
}

export interface Diagram {
  text: string;
  /** Nodes and edges left out to keep the diagram renderable. */
  omittedNodes: number;
  omittedEdges: number;
}

const ARCH_CLASSDEFS = [
  'classDef component fill:#eef2ff,stroke:#4338ca,color:#1e1b4b',
  'classDef entrypoint fill:#f5f3ff,stroke:#6d28d9,color:#2e1065',
  'classDef runtime fill:#f1f5f9,stroke:#475569,color:#0f172a',
  'classDef datastore fill:#fef3c7,stroke:#b45309,color:#451a03',
  'classDef cache fill:#ffedd5,stroke:#c2410c,color:#431407',
  'classDef queue fill:#e0f2fe,stroke:#0369a1,color:#082f49',
  'classDef external fill:#fce7f3,stroke:#be185d,color:#500724',
  'classDef client fill:#ecfdf5,stroke:#047857,color:#022c22',
];

/**
 * `flowchart LR` of the system: one subgraph per runtime holding the components (and
 * component-less entrypoints) it serves, nodes for datastores, caches, queues, externals
 * and clients, and the call edges between them aggregated per pair (dashed when no call
 * of the pair is synchronous).
 */
export function architectureFlowchart(model: Model, opts: DiagramOptions = {}): Diagram {
  const ix = opts.index ?? indexModel(model);
  const maxUnits = opts.maxUnits ?? 60;
  const maxDeps = opts.maxDependencies ?? 40;
  const maxEdges = opts.maxEdges ?? 250;

  // A "unit" is a box for code: a component, or an entrypoint no component claims.
  const unitOf = (id: string): string | undefined => {
    const k = ix.kind(id);
    if (k === 'runtime') return undefined;
    if (k === 'entrypoint') return ix.componentOf(id) ?? id;
    return id;
  };

  interface Agg { from: string; to: string; kinds: Set<string>; sync: boolean }
  const aggs = new Map<string, Agg>();
  for (const e of model.edges) {
    if (DEPLOYMENT_EDGE_KINDS.has(e.kind)) continue;
    const f = unitOf(e.from);
    const t = unitOf(e.to);
    if (!f || !t || f === t) continue;
    const key = `${f}\u0000${t}`;
    let a = aggs.get(key);
    if (!a) aggs.set(key, (a = { from: f, to: t, kinds: new Set(), sync: false }));
    a.kinds.add(e.kind);
    if (e.mode === 'sync') a.sync = true;
  }

  const isCode = (id: string) => {
    const k = ix.kind(id);
    return k === 'component' || k === 'entrypoint';
  };
  const units = new Set<string>(ix.ofKind('component').map((n) => n.id));
  const others = new Set<string>();
  for (const n of [...DEPENDENCY_KINDS, 'client' as const].flatMap((k) => ix.ofKind(k))) others.add(n.id);
  for (const a of aggs.values()) {
    for (const id of [a.from, a.to]) (isCode(id) ? units : others).add(id);
  }
  for (const ep of ix.ofKind('entrypoint')) if (!ix.componentOf(ep.id)) units.add(ep.id);

  const degree = new Map<string, number>();
  for (const a of aggs.values()) {
    degree.set(a.from, (degree.get(a.from) ?? 0) + 1);
    degree.set(a.to, (degree.get(a.to) ?? 0) + 1);
  }
  const keep = (ids: Set<string>, max: number): string[] => {
    const sorted = [...ids].sort((a, b) => (degree.get(b) ?? 0) - (degree.get(a) ?? 0) || cmp(a, b));
    return sorted.slice(0, max).sort(cmp);
  };
  const shownUnits = keep(units, maxUnits);
  const shownOthers = keep(others, maxDeps);
  const shown = new Set([...shownUnits, ...shownOthers]);
  const omittedNodes = units.size + others.size - shown.size;

  // Runtimes of a unit: those of every entrypoint whose traced paths reach it (code runs in
  // the process of whoever calls it). A unit with exactly one goes inside that runtime.
  const unitRuntimes = new Map<string, Set<string>>();
  for (const ep of ix.ofKind('entrypoint')) {
    const rt = ix.runtimeOf(ep.id);
    if (!rt) continue;
    for (const n of reachable(ix, ep.id, ep.id)) {
      const u = unitOf(n);
      if (!u || !isCode(u)) continue;
      if (!unitRuntimes.has(u)) unitRuntimes.set(u, new Set());
      unitRuntimes.get(u)!.add(rt);
    }
  }
  const runtimesOfUnit = (u: string): string[] => uniqSorted(unitRuntimes.get(u) ?? []);
  const byRuntime = new Map<string, string[]>();
  const topLevel: string[] = [];
  for (const u of shownUnits) {
    const rts = runtimesOfUnit(u);
    if (rts.length === 1) {
      if (!byRuntime.has(rts[0])) byRuntime.set(rts[0], []);
      byRuntime.get(rts[0])!.push(u);
    } else topLevel.push(u);
  }

  const id = createIdAllocator('n_');
  const gid = createIdAllocator('g_');
  const lines: string[] = ['flowchart LR'];
  const unitLabel = (u: string): string => {
    if (ix.kind(u) === 'component') {
      const n = ix.entrypointsOf(u).length;
      return n > 0 ? `${ix.name(u)} · ${plural(n, 'entrypoint')}` : ix.name(u);
    }
    return ix.name(u);
  };
  const depLabel = (d: string): string => {
    const n = ix.node(d);
    return n?.tech && n.tech !== n.name ? `${ix.name(d)} · ${n.tech}` : ix.name(d);
  };
  const nodeLine = (nodeId: string, label: string) => `${id(nodeId)}${shape(ix.kind(nodeId), mermaidLabel(label))}`;

  const runtimeIds = uniqSorted([...byRuntime.keys(), ...ix.ofKind('runtime').map((r) => r.id)]);
  for (const rt of runtimeIds) {
    const members = byRuntime.get(rt);
    if (!members) {
      lines.push(`  ${nodeLine(rt, `runtime ${ix.name(rt)}`)}`);
      continue;
    }
    const n = ix.node(rt);
    const tech = n?.tech ? ` · ${n.tech}` : '';
    lines.push(`  subgraph ${gid(rt)}[${mermaidLabel(`runtime ${ix.name(rt)}${tech}`)}]`);
    for (const u of members) lines.push(`    ${nodeLine(u, unitLabel(u))}`);
    lines.push('  end');
  }
  for (const u of topLevel) lines.push(`  ${nodeLine(u, unitLabel(u))}`);
  for (const d of shownOthers) lines.push(`  ${nodeLine(d, ix.kind(d) === 'client' ? ix.name(d) : depLabel(d))}`);

  const drawable = [...aggs.values()]
    .filter((a) => shown.has(a.from) && shown.has(a.to))
    .sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to));
  const edgesShown = drawable.slice(0, maxEdges);
  for (const a of edgesShown) {
    const label = mermaidLabel([...a.kinds].sort(cmp).join(', '), 40);
    lines.push(`  ${id(a.from)} ${a.sync ? '-->' : '-.->'}|${label}| ${id(a.to)}`);
  }
  const omittedEdges = aggs.size - edgesShown.length;

  lines.push(...ARCH_CLASSDEFS.map((l) => `  ${l}`));
  const classes = new Map<string, string[]>();
  for (const nodeId of [...shown, ...runtimeIds.filter((r) => !byRuntime.has(r))]) {
    const k = ix.kind(nodeId) ?? 'component';
    if (!classes.has(k)) classes.set(k, []);
    classes.get(k)!.push(id(nodeId));
  }
  for (const k of [...classes.keys()].sort(cmp)) lines.push(`  class ${classes.get(k)!.sort(cmp).join(',')} ${k}`);
  return { text: lines.join('\n') + '\n', omittedNodes, omittedEdges };
}

// ---------------------------------------------------------------------------------------
// Scenario
// ---------------------------------------------------------------------------------------

export interface ScenarioDiagramOptions {
  /** Most nodes drawn per ring; the rest collapse into one "+N more" node (default 12). */
  maxPerRing?: number;
  /** Most stoppedBy edges drawn (default 10). */
  maxStopped?: number;
  /** indexModel(model), when the caller has it already. */
  index?: ModelIndex;
}

const RING_CLASSDEFS = [
  'classDef ring0 fill:#7f1d1d,stroke:#450a0a,color:#ffffff',
  'classDef ring1 fill:#dc2626,stroke:#7f1d1d,color:#ffffff',
  'classDef ring2 fill:#f97316,stroke:#9a3412,color:#1c1917',
  'classDef ring3 fill:#fbbf24,stroke:#92400e,color:#1c1917',
  'classDef ring4 fill:#fde68a,stroke:#a16207,color:#1c1917',
  'classDef contained fill:#dcfce7,stroke:#15803d,color:#14532d',
];

function ringClass(k: number): string {
  return `ring${Math.min(k, 4)}`;
}

/**
 * `flowchart LR` of one scenario: one subgraph per ring (ring 0 is the failed node), nodes
 * colored by ring (classDef ring0..ring4), arrows in the direction the failure spreads
 * (from a dependency to the callers it takes down), and the guardrails that stop it as
 * dotted arrows into green "contained" nodes.
 */
export function scenarioFlowchart(model: Model, scenario: Scenario, opts: ScenarioDiagramOptions = {}): Diagram {
  const ix = opts.index ?? indexModel(model);
  const maxPerRing = opts.maxPerRing ?? 12;
  const maxStopped = opts.maxStopped ?? 10;
  const state = new Map<string, string>();
  for (const s of ['down', 'degraded', 'delayed', 'ok'] as const) {
    for (const ep of scenario.entrypoints[s]) state.set(ep, s);
  }

  const id = createIdAllocator('n_');
  const lines: string[] = ['flowchart LR'];
  const ringOf = new Map<string, number>();
  const shownRings: string[][] = [];
  let omittedNodes = 0;
  const classes = new Map<string, string[]>();
  const addClass = (cls: string, mid: string) => {
    if (!classes.has(cls)) classes.set(cls, []);
    classes.get(cls)!.push(mid);
  };
  const label = (nodeId: string, k: number): string => {
    if (k === 0) return `${ix.name(nodeId)} · ${scenario.mode}`;
    const s = state.get(nodeId);
    return s ? `${ix.name(nodeId)} · ${s}` : ix.name(nodeId);
  };

  scenario.rings.forEach((ring, k) => {
    const members = uniqSorted(ring).filter((n) => !ringOf.has(n));
    for (const n of members) ringOf.set(n, k);
    const shown = members.slice(0, maxPerRing);
    const hidden = members.length - shown.length;
    omittedNodes += hidden;
    shownRings.push(shown);
    if (members.length === 0) return;
    lines.push(`  subgraph r${k}[${mermaidLabel(k === 0 ? 'Ring 0 · failed' : `Ring ${k}`)}]`);
    for (const n of shown) {
      lines.push(`    ${id(n)}${shape(ix.kind(n), mermaidLabel(label(n, k)))}`);
      addClass(ringClass(k), id(n));
    }
    if (hidden > 0) {
      const more = id(`more:${k}`);
      lines.push(`    ${more}[${mermaidLabel(`+ ${hidden} more`)}]`);
      addClass(ringClass(k), more);
    }
    lines.push('  end');
  });

  // Propagation arrows: for a node X in ring k (k >= 1), every shown node D in ring k-1 that
  // X calls (edge X -> D); when there is none, any shown earlier-ring node X calls.
  const shownSet = new Set(shownRings.flat());
  const arrows = new Set<string>();
  const arrowList: [string, string][] = [];
  for (let k = 1; k < shownRings.length; k++) {
    for (const x of shownRings[k]) {
      const targets = ix.out(x).map((e) => e.to).filter((d) => shownSet.has(d));
      const prev = targets.filter((d) => ringOf.get(d) === k - 1);
      const chosen = uniqSorted(prev.length > 0 ? prev : targets.filter((d) => (ringOf.get(d) ?? Infinity) < k));
      for (const d of chosen) {
        const key = `${d}\u0000${x}`;
        if (!arrows.has(key)) {
          arrows.add(key);
          arrowList.push([d, x]);
        }
      }
    }
  }
  for (const [d, x] of arrowList) lines.push(`  ${id(d)} --> ${id(x)}`);

  // Guardrails that stop the cascade.
  const stopped = [...scenario.stoppedBy]
    .sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to) || cmp(a.guard, b.guard))
    .slice(0, maxStopped);
  const defined = new Set(shownSet);
  for (const s of stopped) {
    for (const n of [s.to, s.from]) {
      if (defined.has(n)) continue;
      defined.add(n);
      lines.push(`  ${id(n)}${shape(ix.kind(n), mermaidLabel(n === s.from ? `${ix.name(n)} · contained` : ix.name(n)))}`);
      if (n === s.from) addClass('contained', id(n));
    }
    lines.push(`  ${id(s.to)} -.->|${mermaidLabel(`stopped by ${s.guard}`, 40)}| ${id(s.from)}`);
  }

  lines.push(...RING_CLASSDEFS.map((l) => `  ${l}`));
  for (const cls of [...classes.keys()].sort(cmp)) lines.push(`  class ${uniqSorted(classes.get(cls)!).join(',')} ${cls}`);
  return { text: lines.join('\n') + '\n', omittedNodes, omittedEdges: scenario.stoppedBy.length - stopped.length };
}
