// Precomputed, read-only index of a model for propagation. Pure data → data: no I/O,
// no node:* imports (the HTML board runs this in the browser).
//
// Everything that does not depend on the failed node is computed once here, so that
// simulating every node × mode only walks the part of each entrypoint's call graph
// that can reach the failed node.

import type { Model, ModelEdge, ModelNode } from '../../model/types.js';

/** Edge kinds an entrypoint's call graph follows. runs_on and serves are structural. */
const TRAVERSED = new Set(['calls', 'reads', 'writes', 'uses', 'enqueues', 'consumes', 'publishes']);

export interface IEdge {
  /** position in Index.edges */
  idx: number;
  edge: ModelEdge;
  from: number;
  to: number;
  /** the edge carries an `entrypoints` label (it only applies to those entrypoints) */
  labelled: boolean;
  /** edge.order, or Infinity when absent */
  order: number;
  /** a read-only use: a read replica can serve it */
  read: boolean;
}

export interface Index {
  model: Model;
  /** nodes sorted by id */
  nodes: ModelNode[];
  ids: string[];
  byId: Map<string, number>;
  isEntrypoint: Uint8Array;
  /** all edges (deduplicated input order is irrelevant: sorted by from, order, to, kind) */
  edges: IEdge[];
  /** per edge index: its target node and its order (Infinity when absent), for tight loops */
  edgeTo: Uint32Array;
  edgeOrder: Float64Array;
  /** traversed edges by from-node, in call order (order asc, then unordered), then to id */
  out: IEdge[][];
  /** the same as edge indices */
  outIdx: Uint32Array[];
  /** unlabelled traversed edges by from-node, as edge indices */
  outFreeIdx: Uint32Array[];
  /**
   * Per entrypoint ordinal, its call graph in compressed form: the nodes it reaches
   * (itself included, sorted), and for each the edges that apply to it (call order).
   */
  csrNodes: Uint32Array[];
  csrOff: Uint32Array[];
  csrEdges: Uint32Array[];
  /** traversed edges by to-node */
  inn: IEdge[][];
  /** every edge (any kind) touching a node, both directions: for ring BFS */
  adj: number[][];
  /** adj in compressed form: neighbours of n are adjTo[adjOff[n] .. adjOff[n + 1]) */
  adjOff: Uint32Array;
  adjTo: Uint32Array;
  /** traversed edges into n, compressed: callers of n are innFrom[innOff[n] .. innOff[n + 1]) */
  innOff: Uint32Array;
  innFrom: Uint32Array;
  /** entrypoint ordinals that consume at least one queue (sorted) */
  consumerEps: number[];
  /** entrypoint node indices, sorted by id */
  eps: number[];
  /** node index → entrypoint ordinal, -1 for non-entrypoints */
  epOrd: Int32Array;
  /** per entrypoint ordinal: runtime node indices it runs on (sorted) */
  epRuntimes: number[][];
  /** runtime node index → entrypoint ordinals (sorted) */
  runtimeEps: Map<number, number[]>;
  /** per entrypoint ordinal: node indices reached by its labelled call graph, itself included (sorted) */
  reach: Uint32Array[];
  /** per entrypoint ordinal, aligned with reach: index of the BFS-tree edge into that node (-1 for itself) */
  reachPrev: Int32Array[];
  /** 1 when no labelled edge is reachable from the node (its outcome is entrypoint-independent) */
  labelFree: Uint8Array;
  /** node index → entrypoint ordinals that reach it (sorted) */
  reachers: number[][];
  /** per entrypoint ordinal: queue node indices it enqueues to / publishes on (sorted) */
  enqueues: number[][];
  /** queue node index → entrypoint ordinals that enqueue to it (sorted) */
  enqueuers: Map<number, number[]>;
  /** queue node index → entrypoint ordinals that consume it (sorted) */
  consumers: Map<number, number[]>;
  /** per entrypoint ordinal: queue node indices it consumes (sorted) */
  consumesOf: number[][];
  /** per entrypoint ordinal: the first client (by id) calling it, or -1 */
  epClient: Int32Array;
  /** per entrypoint ordinal: declared critical */
  critical: Uint8Array;
}

export function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function cmpPath(a: string[], b: string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = cmpStr(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

export function isRead(e: ModelEdge): boolean {
  return e.readOnly === true || e.kind === 'reads';
}

export function buildIndex(model: Model): Index {
  // Nodes: sorted by id, first occurrence wins on duplicate ids.
  const seen = new Set<string>();
  const nodes = [...model.nodes]
    .sort((a, b) => cmpStr(a.id, b.id))
    .filter((n) => (seen.has(n.id) ? false : (seen.add(n.id), true)));
  const ids = nodes.map((n) => n.id);
  const byId = new Map<string, number>();
  ids.forEach((id, i) => byId.set(id, i));
  const N = nodes.length;
  const isEntrypoint = new Uint8Array(N);
  const eps: number[] = [];
  const epOrd = new Int32Array(N).fill(-1);
  for (let i = 0; i < N; i++) {
    if (nodes[i].kind === 'entrypoint') {
      isEntrypoint[i] = 1;
      epOrd[i] = eps.length;
      eps.push(i);
    }
  }
  const E = eps.length;

  // Edges.
  const edges: IEdge[] = [];
  for (const edge of model.edges) {
    const from = byId.get(edge.from);
    const to = byId.get(edge.to);
    if (from === undefined || to === undefined) continue;
    edges.push({
      idx: 0,
      edge,
      from,
      to,
      labelled: Array.isArray(edge.entrypoints),
      order: typeof edge.order === 'number' && Number.isFinite(edge.order) ? edge.order : Infinity,
      read: isRead(edge),
    });
  }
  edges.sort(
    (a, b) =>
      a.from - b.from ||
      cmpOrder(a.order, b.order) ||
      a.to - b.to ||
      cmpStr(a.edge.kind, b.edge.kind) ||
      cmpStr(a.edge.mode, b.edge.mode),
  );
  edges.forEach((e, i) => (e.idx = i));
  const edgeTo = new Uint32Array(edges.length);
  const edgeFrom = new Uint32Array(edges.length);
  const edgeOrder = new Float64Array(edges.length);
  const enqueuesQueue = new Uint8Array(edges.length);
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i];
    edgeTo[i] = e.to;
    edgeFrom[i] = e.from;
    edgeOrder[i] = e.order;
    if ((e.edge.kind === 'enqueues' || e.edge.kind === 'publishes') && nodes[e.to].kind === 'queue') enqueuesQueue[i] = 1;
  }

  const out: IEdge[][] = Array.from({ length: N }, () => []);
  const inn: IEdge[][] = Array.from({ length: N }, () => []);
  const adj: number[][] = Array.from({ length: N }, () => []);
  const epRuntimeSets: Set<number>[] = Array.from({ length: E }, () => new Set());
  const consumers = new Map<number, number[]>();
  const epClientIdx = new Int32Array(E).fill(-1);
  const epLabelled: number[][] = Array.from({ length: E }, () => []);
  for (const e of edges) {
    adj[e.from].push(e.to);
    adj[e.to].push(e.from);
    const k = e.edge.kind;
    const fromOrd = epOrd[e.from];
    if (k === 'runs_on' && fromOrd >= 0 && nodes[e.to].kind === 'runtime') epRuntimeSets[fromOrd].add(e.to);
    if (k === 'consumes' && fromOrd >= 0 && nodes[e.to].kind === 'queue') push(consumers, e.to, fromOrd);
    if (nodes[e.from].kind === 'client' && epOrd[e.to] >= 0) {
      const o = epOrd[e.to];
      if (epClientIdx[o] < 0 || e.from < epClientIdx[o]) epClientIdx[o] = e.from;
    }
    if (!TRAVERSED.has(k)) continue;
    if (nodes[e.from].kind === 'client') continue;
    out[e.from].push(e);
    inn[e.to].push(e);
    if (e.labelled) {
      for (const id of e.edge.entrypoints!) {
        const n = byId.get(id);
        if (n !== undefined && epOrd[n] >= 0) epLabelled[epOrd[n]].push(e.idx);
      }
    }
  }
  const outIdx = out.map((l) => Uint32Array.from(l, (e) => e.idx));
  const outFreeIdx = out.map((l) => Uint32Array.from(l.filter((e) => !e.labelled), (e) => e.idx));
  for (const l of epLabelled) dedupeSorted(l);
  for (let o = 0; o < E; o++) {
    const rt = nodes[eps[o]].runtime;
    if (rt !== undefined) {
      const r = byId.get(rt);
      if (r !== undefined) epRuntimeSets[o].add(r);
    }
  }
  const epRuntimes = epRuntimeSets.map((s) => [...s].sort((a, b) => a - b));
  const runtimeEps = new Map<number, number[]>();
  epRuntimes.forEach((rs, o) =>
    rs.forEach((r) => {
      push(runtimeEps, r, o);
      adj[eps[o]].push(r);
      adj[r].push(eps[o]);
    }),
  );
  for (const list of consumers.values()) dedupeSorted(list);
  for (const list of adj) dedupeSorted(list);
  const consumesOf: number[][] = Array.from({ length: E }, () => []);
  for (const [q, list] of [...consumers.entries()].sort((a, b) => a[0] - b[0])) for (const o of list) consumesOf[o].push(q);
  const consumerEps: number[] = [];
  for (let o = 0; o < E; o++) if (consumesOf[o].length) consumerEps.push(o);
  const { off: adjOff, flat: adjTo } = compress(adj);
  const { off: innOff, flat: innFrom } = compress(inn.map((l) => l.map((e) => e.from)));

  // Per-entrypoint reach over its labelled call graph (BFS: the tree gives shortest
  // paths), kept in compressed form for evaluation. Other entrypoints are leaves.
  // Scratch buffers are shared across entrypoints to keep allocation per entrypoint low.
  const reach: Uint32Array[] = new Array(E);
  const reachPrev: Int32Array[] = new Array(E);
  const csrNodes: Uint32Array[] = new Array(E);
  const csrOff: Uint32Array[] = new Array(E);
  const csrEdges: Uint32Array[] = new Array(E);
  const reachersTmp: number[][] = Array.from({ length: N }, () => []);
  const enqueues: number[][] = new Array(E);
  const enqueuers = new Map<number, number[]>();
  const stamp = new Int32Array(N).fill(-1);
  const prevOf = new Int32Array(N);
  const posOf = new Int32Array(N); // node → its BFS position for the current entrypoint
  const queueStamp = new Int32Array(N).fill(-1);
  let buf = new Uint32Array(1024); // merged applicable edges, in BFS order
  const bfs: number[] = [];
  const segStart: number[] = [];
  const segLen: number[] = [];
  for (let o = 0; o < E; o++) {
    const start = eps[o];
    const lab = epLabelled[o];
    const q: number[] = [];
    bfs.length = 0;
    segStart.length = 0;
    segLen.length = 0;
    let used = 0;
    stamp[start] = o;
    bfs.push(start);
    for (let h = 0; h < bfs.length; h++) {
      const n = bfs[h];
      posOf[n] = h;
      const from = used;
      if (n === start || !isEntrypoint[n]) {
        // the edges that apply to o at n: unlabelled ones and those labelled with o, in call order
        const free = outFreeIdx[n];
        let li = lab.length ? lowerBound(lab, n, edgeFrom) : 0;
        let fi = 0;
        for (;;) {
          const hasLab = li < lab.length && edgeFrom[lab[li]] === n;
          if (!hasLab && fi >= free.length) break;
          const idx = hasLab && (fi >= free.length || lab[li] < free[fi]) ? lab[li++] : free[fi++];
          if (used === buf.length) {
            const bigger = new Uint32Array(buf.length * 2);
            bigger.set(buf);
            buf = bigger;
          }
          buf[used++] = idx;
          const to = edgeTo[idx];
          if (enqueuesQueue[idx] && queueStamp[to] !== o) {
            queueStamp[to] = o;
            q.push(to);
          }
          if (stamp[to] === o) continue;
          stamp[to] = o;
          prevOf[to] = idx;
          bfs.push(to);
        }
      }
      segStart.push(from);
      segLen.push(used - from);
    }
    // nodes sorted by index (start included), with the compressed call graph in that order
    const all = Uint32Array.from(bfs).sort();
    const off = new Uint32Array(all.length + 1);
    const flat = new Uint32Array(used);
    const prev = new Int32Array(all.length);
    let w = 0;
    for (let i = 0; i < all.length; i++) {
      const n = all[i];
      const h = posOf[n];
      off[i] = w;
      for (let k = segStart[h], end = segStart[h] + segLen[h]; k < end; k++) flat[w++] = buf[k];
      prev[i] = n === start ? -1 : prevOf[n];
      if (n !== start) reachersTmp[n].push(o);
    }
    off[all.length] = w;
    csrNodes[o] = all;
    csrOff[o] = off;
    csrEdges[o] = flat;
    reach[o] = all;
    reachPrev[o] = prev;
    q.sort((a, b) => a - b);
    enqueues[o] = q;
    for (const qn of q) push(enqueuers, qn, o);
  }

  // Label-free nodes: no labelled edge anywhere below them, so their outcome in a
  // scenario is the same for every entrypoint (memoised once per scenario).
  const labelFree = new Uint8Array(N).fill(1);
  const notFree: number[] = [];
  for (let n = 0; n < N; n++) {
    if (isEntrypoint[n] || out[n].some((e) => e.labelled)) {
      labelFree[n] = 0;
      notFree.push(n);
    }
  }
  for (let h = 0; h < notFree.length; h++) {
    const n = notFree[h];
    // an entrypoint reached as a callee is a leaf: it does not make its callers label-dependent
    if (isEntrypoint[n]) continue;
    for (const e of inn[n]) {
      if (labelFree[e.from]) {
        labelFree[e.from] = 0;
        notFree.push(e.from);
      }
    }
  }

  const critical = new Uint8Array(E);
  for (let o = 0; o < E; o++) critical[o] = nodes[eps[o]].critical === true ? 1 : 0;

  return {
    model,
    nodes,
    ids,
    byId,
    isEntrypoint,
    edges,
    edgeTo,
    edgeOrder,
    out,
    outIdx,
    outFreeIdx,
    csrNodes,
    csrOff,
    csrEdges,
    inn,
    adj,
    adjOff,
    adjTo,
    innOff,
    innFrom,
    consumerEps,
    eps,
    epOrd,
    epRuntimes,
    runtimeEps,
    reach,
    reachPrev,
    labelFree,
    reachers: reachersTmp,
    enqueues,
    enqueuers,
    consumers,
    consumesOf,
    epClient: epClientIdx,
    critical,
  };
}

function compress(lists: number[][]): { off: Uint32Array; flat: Uint32Array } {
  const off = new Uint32Array(lists.length + 1);
  let total = 0;
  for (let i = 0; i < lists.length; i++) {
    off[i] = total;
    total += lists[i].length;
  }
  off[lists.length] = total;
  const flat = new Uint32Array(total);
  let w = 0;
  for (const l of lists) for (const x of l) flat[w++] = x;
  return { off, flat };
}

function cmpOrder(a: number, b: number): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

function push(m: Map<number, number[]>, k: number, v: number): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

function dedupeSorted(list: number[]): void {
  list.sort((a, b) => a - b);
  let w = 0;
  for (let i = 0; i < list.length; i++) if (i === 0 || list[i] !== list[i - 1]) list[w++] = list[i];
  list.length = w;
}

/** First position in `lab` (edge indices sorted) whose edge starts at or after node n. */
function lowerBound(lab: number[], n: number, edgeFrom: Uint32Array): number {
  let lo = 0;
  let hi = lab.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edgeFrom[lab[mid]] < n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function findIn(list: Uint32Array, x: number): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = list[mid];
    if (v === x) return mid;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Shortest labelled path from entrypoint ordinal o to target (node indices), with its last edge. */
export function treePath(ix: Index, o: number, target: number): { nodes: number[]; last: IEdge | null } | null {
  const start = ix.eps[o];
  if (target === start) return { nodes: [start], last: null };
  const reach = ix.reach[o];
  const prev = ix.reachPrev[o];
  const nodes: number[] = [];
  let last: IEdge | null = null;
  let c = target;
  for (let guard = 0; guard <= reach.length; guard++) {
    nodes.push(c);
    if (c === start) {
      nodes.reverse();
      return { nodes, last };
    }
    const i = findIn(reach, c);
    if (i < 0 || prev[i] < 0) return null;
    const e = ix.edges[prev[i]];
    if (last === null) last = e;
    c = e.from;
  }
  return null;
}
