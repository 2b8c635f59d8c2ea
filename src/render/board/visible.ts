// Which elements of the board are visible for a collapse state, and the ELK graph that
// lays them out. Shared by the board app (src/render/board/app/graph.ts, which lays out
// again in a Web Worker after every expand/collapse) and by src/render/html.ts, which lays
// the initial view out at render time so that the browser opens with the positions ready
// (a "preset" layout) instead of running ELK while the user waits. Pure: no DOM, no Node.
//
// Groups (runtimes, infrastructure kinds, expanded components) are drawn as boxes the size
// ELK gives them, behind their members, not as Cytoscape compound nodes: Cytoscape's
// compound bookkeeping (every style change walks parents, descendants and their edges)
// was the largest cost of opening a big board.
import { INFRA_KINDS, INFRA_LABEL, NO_RUNTIME, groupId, nameOf, type Index } from './model-index.js';

export interface View {
  /** runtime and infrastructure groups drawn as one node */
  collapsed: Set<string>;
  /** components whose routes are drawn */
  expanded: Set<string>;
}

export interface VNode {
  id: string;
  parent: string | null;
  kind: string;
  compound: boolean;
  /** first label line (the name) and the static second line */
  title: string;
  sub: string;
  /** model ids this visible node stands for (itself included) */
  members: string[];
  w: number;
  h: number;
  /** can be failed by clicking it */
  failable: boolean;
}

export interface VEdge {
  id: string;
  source: string;
  target: string;
  count: number;
  modes: Set<string>;
  guarded: boolean;
}

export interface Visible {
  vnodes: Map<string, VNode>;
  vedges: Map<string, VEdge>;
  /** model id → the visible node that stands for it */
  repOf: Map<string, string>;
  /** many edges: draw them thin, straight and faint until a scenario picks some out */
  bulk: boolean;
}

/** The subset of ELK's JSON graph the board uses (elkjs/lib/elk-api.d.ts has the full one). */
export interface ElkEdge {
  id: string;
  sources: string[];
  targets: string[];
}
export interface ElkNode {
  id: string;
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  children?: ElkNode[];
  edges?: ElkEdge[];
  layoutOptions?: Record<string, string>;
}

/** Where a visible node goes: its centre, and for a group box (a compound) its size too. */
export type Box = { x: number; y: number; w?: number; h?: number };

/** Positions of the initial view, computed at render time. */
export interface PresetLayout {
  /** viewKey() of the view they were computed for */
  view: string;
  /** visible node id → [x, y] of its centre, or [x, y, width, height] for a group box */
  pos: Record<string, number[]>;
}

export const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The board's opening collapse state: big models start with their big groups collapsed. */
export function initialView(ix: Index): View {
  const view: View = { collapsed: new Set(), expanded: new Set() };
  const compCount = [...ix.componentsByGroup.values()].reduce((k, l) => k + l.length, 0);
  if (compCount > 160) for (const g of [...ix.runtimes, NO_RUNTIME]) if ((ix.componentsByGroup.get(g)?.length ?? 0) > 20) view.collapsed.add(g);
  for (const k of INFRA_KINDS) if (ix.infra[k].length > 80) view.collapsed.add(groupId(k));
  return view;
}

const byStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A stable name for a collapse state (a preset layout is used only for the view it was made for). */
export function viewKey(view: View): string {
  return JSON.stringify([[...view.collapsed].sort(byStr), [...view.expanded].sort(byStr)]);
}

export function computeVisible(ix: Index, view: View): Visible {
  const vnodes = new Map<string, VNode>();
  const rep = new Map<string, string>();
  const add = (v: Omit<VNode, 'w' | 'h'>) => {
    const lines = [v.title, v.sub].filter(Boolean);
    const longest = Math.max(...lines.map((l) => l.length), v.kind === 'component' ? 18 : 6);
    const w = Math.round(Math.min(260, Math.max(70, longest * 6.7 + 28)));
    const h = v.kind === 'entrypoint' ? 30 : 24 + lines.length * 15 + (v.kind === 'datastore' || v.kind === 'cache' ? 8 : 0);
    vnodes.set(v.id, { ...v, w, h });
    for (const m of v.members) rep.set(m, v.id);
  };
  const tech = (id: string) => {
    const t = ix.byId.get(id)?.tech ?? '';
    return t && t !== ix.byId.get(id)?.name ? clip(t, 30) : '';
  };

  for (const c of ix.clients) add({ id: c, parent: null, kind: 'client', compound: false, title: clip(nameOf(ix, c), 34), sub: tech(c), members: [c], failable: true });

  const groups = [...ix.runtimes];
  if (ix.componentsByGroup.has(NO_RUNTIME)) groups.push(NO_RUNTIME);
  for (const g of groups) {
    const comps = ix.componentsByGroup.get(g) ?? [];
    const isRuntime = g !== NO_RUNTIME;
    const routes = comps.flatMap((c) => ix.routesByComp.get(c) ?? []);
    const gName = clip(nameOf(ix, g), 40);
    if (!comps.length || view.collapsed.has(g)) {
      const sub = comps.length ? `${comps.length} component${comps.length === 1 ? '' : 's'} · ${routes.length} route${routes.length === 1 ? '' : 's'}` : tech(g);
      add({ id: g, parent: null, kind: isRuntime ? 'runtime' : 'group', compound: false, title: gName, sub, members: [g, ...comps, ...routes], failable: isRuntime });
      continue;
    }
    add({ id: g, parent: null, kind: isRuntime ? 'runtime' : 'group', compound: true, title: isRuntime ? `${gName}${tech(g) ? ` · ${tech(g)}` : ''}` : gName, sub: '', members: [g], failable: isRuntime });
    for (const c of comps) {
      const rs = ix.routesByComp.get(c) ?? [];
      const cName = clip(nameOf(ix, c), 34);
      const failable = !ix.virtual.has(c);
      if (rs.length && view.expanded.has(c)) {
        add({ id: c, parent: g, kind: 'component', compound: true, title: `${cName} · ${rs.length} route${rs.length === 1 ? '' : 's'}`, sub: '', members: [c], failable });
        for (const r of rs) add({ id: r, parent: c, kind: 'entrypoint', compound: false, title: clip(nameOf(ix, r), 44), sub: '', members: [r], failable: true });
      } else {
        add({ id: c, parent: g, kind: 'component', compound: false, title: cName, sub: rs.length ? `${rs.length} route${rs.length === 1 ? '' : 's'}` : '', members: [c, ...rs], failable });
      }
    }
  }

  for (const k of INFRA_KINDS) {
    const ids = ix.infra[k];
    if (!ids.length) continue;
    const gid = groupId(k);
    if (view.collapsed.has(gid)) {
      add({ id: gid, parent: null, kind: 'group', compound: false, title: INFRA_LABEL[k], sub: `${ids.length} ${k === 'external' ? 'APIs' : 'nodes'}`, members: ids, failable: false });
      continue;
    }
    add({ id: gid, parent: null, kind: 'group', compound: true, title: INFRA_LABEL[k], sub: '', members: [], failable: false });
    for (const id of ids) add({ id, parent: gid, kind: k, compound: false, title: clip(nameOf(ix, id), 34), sub: tech(id), members: [id], failable: true });
  }

  // Aggregate model edges onto visible nodes; containment replaces runs_on and
  // route → handler edges.
  const ancestors = (id: string): string[] => {
    const out: string[] = [];
    for (let p = vnodes.get(id)?.parent ?? null; p; p = vnodes.get(p)?.parent ?? null) out.push(p);
    return out;
  };
  const vedges = new Map<string, VEdge>();
  for (const e of ix.model.edges) {
    if (e.kind === 'runs_on' || e.kind === 'serves') continue;
    const a = rep.get(e.from);
    const b = rep.get(e.to);
    if (!a || !b || a === b) continue;
    if (ancestors(a).includes(b) || ancestors(b).includes(a)) continue;
    const key = `${a}\u0000${b}`;
    let v = vedges.get(key);
    if (!v) {
      v = { id: `e${vedges.size}`, source: a, target: b, count: 0, modes: new Set(), guarded: true };
      vedges.set(key, v);
    }
    v.count++;
    v.modes.add(e.mode);
    if (!(e.guards.circuitBreaker || e.guards.fallback)) v.guarded = false;
  }
  return { vnodes, vedges, repOf: rep, bulk: vedges.size > 150 };
}

/** The ELK graph for the visible elements: one layout per compound level, edges at their lowest common ancestor. */
export function elkGraph(vis: Visible): ElkNode {
  const { vnodes, vedges } = vis;
  const children = new Map<string | null, VNode[]>();
  for (const v of vnodes.values()) (children.get(v.parent) ?? children.set(v.parent, []).get(v.parent)!).push(v);
  const edgesIn = new Map<string | null, ElkEdge[]>();
  const seen = new Set<string>();
  const chain = (id: string): (string | null)[] => {
    const out: (string | null)[] = [id];
    for (let p = vnodes.get(id)?.parent ?? null; p; p = vnodes.get(p)?.parent ?? null) out.push(p);
    out.push(null);
    return out;
  };
  for (const e of vedges.values()) {
    const ca = chain(e.source);
    const cb = chain(e.target);
    const lca = ca.slice(1).find((x) => cb.slice(1).includes(x)) ?? null;
    const sa = ca[ca.indexOf(lca) - 1] as string;
    const sb = cb[cb.indexOf(lca) - 1] as string;
    if (!sa || !sb || sa === sb) continue;
    const key = `${sa}\u0000${sb}`;
    if (seen.has(key)) continue;
    seen.add(key);
    (edgesIn.get(lca) ?? edgesIn.set(lca, []).get(lca)!).push({ id: `x${seen.size}`, sources: [sa], targets: [sb] });
  }
  const make = (v: VNode): ElkNode => {
    if (!v.compound) return { id: v.id, width: v.w, height: v.h };
    const kids = children.get(v.id) ?? [];
    const inner = edgesIn.get(v.id) ?? [];
    const packed = kids.length > 10 && inner.length < kids.length / 2;
    const minW = Math.round(v.title.length * 7 + 40);
    return {
      id: v.id,
      children: kids.map(make),
      edges: inner,
      layoutOptions: {
        'elk.padding': '[top=42,left=16,bottom=16,right=16]',
        'elk.nodeSize.constraints': 'MINIMUM_SIZE',
        'elk.nodeSize.minimum': `(${minW},40)`,
        ...(packed
          ? { 'elk.algorithm': 'rectpacking', 'elk.aspectRatio': v.kind === 'group' ? '0.8' : '1.3', 'elk.spacing.nodeNode': '14' }
          : { 'elk.algorithm': 'layered', 'elk.direction': v.kind === 'group' ? 'DOWN' : 'RIGHT', 'elk.spacing.nodeNode': '14', 'elk.layered.spacing.nodeNodeBetweenLayers': '50', 'elk.spacing.componentComponent': '16', 'elk.aspectRatio': v.kind === 'group' ? '0.5' : '1.4' }),
      },
    };
  };
  return {
    id: '__root',
    children: (children.get(null) ?? []).map(make),
    edges: edgesIn.get(null) ?? [],
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '30',
      'elk.layered.spacing.nodeNodeBetweenLayers': '90',
      'elk.spacing.componentComponent': '40',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.padding': '[top=20,left=20,bottom=20,right=20]',
      // ELK's default seed, spelled out: the same graph always gets the same layout.
      'elk.randomSeed': '1',
    },
  };
}

/** Centres of the nodes of a laid-out ELK graph in graph coordinates, with the size of every compound. */
export function positionsOf(out: ElkNode): Map<string, Box> {
  const pos = new Map<string, Box>();
  const walk = (n: ElkNode, ox: number, oy: number) => {
    const x = ox + (n.x ?? 0);
    const y = oy + (n.y ?? 0);
    const w = n.width ?? 0;
    const h = n.height ?? 0;
    if (n.children && n.children.length) {
      pos.set(n.id, { x: x + w / 2, y: y + h / 2, w, h });
      for (const c of n.children) walk(c, x, y);
    } else pos.set(n.id, { x: x + w / 2, y: y + h / 2 });
  };
  for (const c of out.children ?? []) walk(c, 0, 0);
  return pos;
}

/** Every visible node has a position, and every group box a size. */
export function complete(vis: Visible, pos: Map<string, Box>): boolean {
  for (const v of vis.vnodes.values()) {
    const p = pos.get(v.id);
    if (!p || !Number.isFinite(p.x) || !Number.isFinite(p.y)) return false;
    if (v.compound && !(p.w! > 0 && p.h! > 0)) return false;
  }
  return true;
}

/** Used only when ELK cannot run: rows of grid-packed groups. */
export function gridLayout(root: ElkNode): ElkNode {
  const place = (n: ElkNode): void => {
    const kids = n.children ?? [];
    if (!kids.length) return;
    for (const k of kids) place(k);
    const isRoot = n.id === '__root';
    const cols = isRoot ? kids.length : Math.max(1, Math.ceil(Math.sqrt(kids.length * 1.4)));
    const pad = isRoot ? 20 : 16;
    const top = isRoot ? 20 : 42;
    let x = pad, y = top, rowH = 0, maxW = 0, col = 0;
    for (const k of kids) {
      if (col === cols) { col = 0; x = pad; y += rowH + 16; rowH = 0; }
      k.x = x; k.y = y;
      x += (k.width ?? 0) + (isRoot ? 90 : 14);
      rowH = Math.max(rowH, k.height ?? 0);
      maxW = Math.max(maxW, x);
      col++;
    }
    n.width = maxW + pad;
    n.height = y + rowH + pad;
  };
  place(root);
  return root;
}

/**
 * Lay out the initial view of a model with a synchronous ELK (Node side, at render time).
 * Coordinates are rounded to 0.1 px so the embedded JSON is short and stable.
 */
export function presetLayout(ix: Index, runElk: (graph: ElkNode) => ElkNode): PresetLayout {
  const view = initialView(ix);
  const vis = computeVisible(ix, view);
  const got = positionsOf(runElk(elkGraph(vis)));
  if (!complete(vis, got)) throw new Error('ELK left a node without a position');
  const r = (n: number) => Math.round(n * 10) / 10;
  const pos: Record<string, number[]> = {};
  for (const v of vis.vnodes.values()) {
    const p = got.get(v.id)!;
    pos[v.id] = v.compound ? [r(p.x), r(p.y), r(p.w!), r(p.h!)] : [r(p.x), r(p.y)];
  }
  return { view: viewKey(view), pos };
}
