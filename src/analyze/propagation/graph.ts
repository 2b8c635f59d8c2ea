// Precomputed, read-only index of a model for propagation. Pure data → data: no I/O,
// no node:* imports (the HTML board runs this in the browser).
//
// Everything that does not depend on the failed node is computed once here, so that
// simulating every node × mode only walks the part of each entrypoint's call graph
// that can reach the failed node. Large lists are compressed (CSR: one flat typed array
// plus offsets) to keep allocation and cache misses low.

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
  /** nodes sorted by id (first occurrence of a duplicate id wins) */
  nodes: ModelNode[];
  ids: string[];
  byId: Map<string, number>;
  isEntrypoint: Uint8Array;
  /** edges between known nodes, sorted by from, order (absent last), to, kind, mode: call order */
  edges: IEdge[];
  /** per edge index: target node and order (Infinity when absent), for tight loops */
  edgeTo: Uint32Array;
  edgeOrder: Float64Array;
  /** traversed edges from n: outAll[outOff[n] .. outOff[n + 1]) (edge indices, call order) */
  outOff: Uint32Array;
  outAll: Uint32Array;
  /** the unlabelled ones among them: freeAll[freeOff[n] .. freeOff[n + 1]) */
  freeOff: Uint32Array;
  freeAll: Uint32Array;
  /** callers of n over traversed edges: innFrom[innOff[n] .. innOff[n + 1]) */
  innOff: Uint32Array;
  innFrom: Uint32Array;
  /** neighbours of n over any edge, either direction, plus entrypoint ↔ runtime: for rings */
  adjOff: Uint32Array;
  adjTo: Uint32Array;
  /** entrypoint node indices, sorted by id */
  eps: number[];
  /** node index → entrypoint ordinal, -1 for non-entrypoints */
  epOrd: Int32Array;
  /** per entrypoint ordinal: runtime node indices it runs on (sorted) */
  epRuntimes: number[][];
  /** runtime node index → entrypoint ordinals (sorted) */
  runtimeEps: Map<number, number[]>;
  /**
   * Per entrypoint ordinal o, its labelled call graph: the nodes it reaches, itself
   * included, sorted, at rNodes[rStart[o] .. rStart[o + 1]); for the node at position p,
   * rPrev[p] is the BFS-tree edge into it (-1 for the entrypoint: shortest paths) and the
   * edges that apply to o there are rEdges[rEdgeOff[p] .. rEdgeOff[p + 1]) (call order).
   */
  rStart: Uint32Array;
  rNodes: Uint32Array;
  rPrev: Int32Array;
  rEdgeOff: Uint32Array;
  rEdges: Uint32Array;
  /** 1 when no labelled edge is reachable from the node (its outcome is entrypoint-independent) */
  labelFree: Uint8Array;
  /** node index → entrypoint ordinals that reach it (sorted) */
  reachers: number[][];
  /** per entrypoint ordinal: queue node indices it enqueues to / publishes on (sorted) */
  enqueues: number[][];
  /** queue node index → entrypoint ordinals that enqueue to it (sorted) */
  enqueuers: Map<number, number[]>;
  /** per entrypoint ordinal: queue node indices it consumes (sorted) */
  consumesOf: number[][];
  /** entrypoint ordinals that consume at least one queue (sorted) */
  consumerEps: number[];
  /** per entrypoint ordinal: the first client (by id) calling it, or -1 */
  epClient: Int32Array;
  /**
   * Static reachability to the failable nodes (datastore, cache, queue, external), labels
   * ignored, entrypoints as leaves: node n reaches failable bit b when
   * reachBits[n * bitWords + (b >> 5)] has bit (b & 31). bitOf[node] is its bit, or -1.
   */
  bitOf: Int32Array;
  bitWords: number;
  reachBits: Uint32Array;
}

/** Kinds whose static reachability is precomputed (runtimes fail through their entrypoints). */
const BIT_KINDS = new Set(['datastore', 'cache', 'queue', 'external']);

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

function cmpOrder(a: number, b: number): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

/** Growable Uint32Array. */
class U32 {
  a = new Uint32Array(1024);
  n = 0;
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Uint32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
  done(): Uint32Array {
    return this.a.slice(0, this.n);
  }
}

/** CSR from per-node lists (optionally deduplicated, keeping first occurrences). */
function compress(lists: number[][], dedupe: boolean): { off: Uint32Array; flat: Uint32Array } {
  const off = new Uint32Array(lists.length + 1);
  const flat = new U32();
  const seen = dedupe ? new Int32Array(lists.length).fill(-1) : null;
  for (let i = 0; i < lists.length; i++) {
    off[i] = flat.n;
    for (const x of lists[i]) {
      if (seen) {
        if (seen[x] === i) continue;
        seen[x] = i;
      }
      flat.push(x);
    }
  }
  off[lists.length] = flat.n;
  return { off, flat: flat.done() };
}

function push(m: Map<number, number[]>, k: number, v: number): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

export function buildIndex(model: Model): Index {
  // ---- nodes: sorted by id, first occurrence wins on duplicate ids
  const seen = new Set<string>();
  const nodes = [...model.nodes]
    .sort((a, b) => cmpStr(a.id, b.id))
    .filter((n) => (seen.has(n.id) ? false : (seen.add(n.id), true)));
  const ids = nodes.map((n) => n.id);
  const byId = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) byId.set(ids[i], i);
  const N = nodes.length;
  const isEntrypoint = new Uint8Array(N);
  const isQueue = new Uint8Array(N);
  const isClient = new Uint8Array(N);
  const eps: number[] = [];
  const epOrd = new Int32Array(N).fill(-1);
  for (let i = 0; i < N; i++) {
    const k = nodes[i].kind;
    if (k === 'entrypoint') {
      isEntrypoint[i] = 1;
      epOrd[i] = eps.length;
      eps.push(i);
    } else if (k === 'queue') isQueue[i] = 1;
    else if (k === 'client') isClient[i] = 1;
  }
  const E = eps.length;

  // ---- edges, in call order
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
  const M = edges.length;
  const edgeTo = new Uint32Array(M);
  const edgeFrom = new Uint32Array(M);
  const edgeOrder = new Float64Array(M);
  const traversed = new Uint8Array(M);
  const enqueuesQueue = new Uint8Array(M);
  for (let i = 0; i < M; i++) {
    const e = edges[i];
    e.idx = i;
    edgeTo[i] = e.to;
    edgeFrom[i] = e.from;
    edgeOrder[i] = e.order;
    const k = e.edge.kind;
    if (TRAVERSED.has(k) && !isClient[e.from]) traversed[i] = 1;
    if ((k === 'enqueues' || k === 'publishes') && isQueue[e.to]) enqueuesQueue[i] = 1;
  }

  // ---- adjacency, structural facts, labels
  const outL: number[][] = Array.from({ length: N }, () => []);
  const freeL: number[][] = Array.from({ length: N }, () => []);
  const innL: number[][] = Array.from({ length: N }, () => []);
  const adjL: number[][] = Array.from({ length: N }, () => []);
  const epRuntimes: number[][] = Array.from({ length: E }, () => []);
  const consumers = new Map<number, number[]>();
  const epClient = new Int32Array(E).fill(-1);
  // labels: (entrypoint ordinal, edge index) pairs, in edge order
  const labOrd = new U32();
  const labEdge = new U32();
  const labCount = new Uint32Array(E + 1);
  for (let i = 0; i < M; i++) {
    const e = edges[i];
    adjL[e.from].push(e.to);
    adjL[e.to].push(e.from);
    const k = e.edge.kind;
    const fromOrd = epOrd[e.from];
    if (k === 'runs_on' && fromOrd >= 0 && nodes[e.to].kind === 'runtime') epRuntimes[fromOrd].push(e.to);
    if (k === 'consumes' && fromOrd >= 0 && isQueue[e.to]) push(consumers, e.to, fromOrd);
    if (isClient[e.from] && epOrd[e.to] >= 0) {
      const o = epOrd[e.to];
      if (epClient[o] < 0 || e.from < epClient[o]) epClient[o] = e.from;
    }
    if (!traversed[i]) continue;
    outL[e.from].push(i);
    innL[e.to].push(e.from);
    if (!e.labelled) {
      freeL[e.from].push(i);
      continue;
    }
    for (const id of e.edge.entrypoints!) {
      const n = byId.get(id);
      if (n === undefined || epOrd[n] < 0) continue;
      labOrd.push(epOrd[n]);
      labEdge.push(i);
      labCount[epOrd[n]]++;
    }
  }
  // per entrypoint: its labelled edges, in edge order (deduplicated)
  const labOff = new Uint32Array(E + 1);
  for (let o = 0, t = 0; o < E; o++) {
    labOff[o] = t;
    t += labCount[o];
    labOff[o + 1] = t;
  }
  const labAll = new Uint32Array(labOrd.n);
  const labFill = labOff.slice(0, E);
  const labLen = new Uint32Array(E);
  for (let j = 0; j < labOrd.n; j++) {
    const o = labOrd.a[j];
    const idx = labEdge.a[j];
    if (labLen[o] > 0 && labAll[labFill[o] - 1] === idx) continue;
    labAll[labFill[o]++] = idx;
    labLen[o]++;
  }

  for (let o = 0; o < E; o++) {
    const rt = nodes[eps[o]].runtime;
    if (rt !== undefined) {
      const r = byId.get(rt);
      if (r !== undefined && nodes[r].kind === 'runtime') epRuntimes[o].push(r);
    }
    const rs = epRuntimes[o];
    if (rs.length > 1) epRuntimes[o] = [...new Set(rs)].sort((a, b) => a - b);
  }
  const runtimeEps = new Map<number, number[]>();
  for (let o = 0; o < E; o++) {
    for (const r of epRuntimes[o]) {
      push(runtimeEps, r, o);
      adjL[eps[o]].push(r);
      adjL[r].push(eps[o]);
    }
  }
  const consumesOf: number[][] = Array.from({ length: E }, () => []);
  for (const q of [...consumers.keys()].sort((a, b) => a - b)) {
    const list = [...new Set(consumers.get(q))].sort((a, b) => a - b);
    consumers.set(q, list);
    for (const o of list) consumesOf[o].push(q);
  }
  const consumerEps: number[] = [];
  for (let o = 0; o < E; o++) if (consumesOf[o].length) consumerEps.push(o);

  const { off: outOff, flat: outAll } = compress(outL, false);
  const { off: freeOff, flat: freeAll } = compress(freeL, false);
  const { off: innOff, flat: innFrom } = compress(innL, false);
  const { off: adjOff, flat: adjTo } = compress(adjL, true);

  // ---- per-entrypoint labelled call graph (BFS; other entrypoints are leaves)
  const rStart = new Uint32Array(E + 1);
  const rNodesB = new U32();
  const rPrevB: number[] = [];
  const rEdgeOffB = new U32();
  const rEdgesB = new U32();
  const reachers: number[][] = Array.from({ length: N }, () => []);
  const enqueues: number[][] = new Array(E);
  const enqueuers = new Map<number, number[]>();
  const stamp = new Int32Array(N).fill(-1);
  const prevOf = new Int32Array(N);
  const posOf = new Int32Array(N); // node → BFS position for the current entrypoint
  const queueStamp = new Int32Array(N).fill(-1);
  const seg = new U32(); // merged applicable edges, in BFS order
  const bfs: number[] = [];
  const segStart: number[] = [];
  for (let o = 0; o < E; o++) {
    const start = eps[o];
    const lab0 = labOff[o];
    const lab1 = labOff[o] + labLen[o];
    const q: number[] = [];
    bfs.length = 0;
    segStart.length = 0;
    seg.n = 0;
    stamp[start] = o;
    bfs.push(start);
    for (let h = 0; h < bfs.length; h++) {
      const n = bfs[h];
      posOf[n] = h;
      segStart.push(seg.n);
      if (n !== start && isEntrypoint[n]) continue;
      // the edges that apply to o at n: unlabelled ones and those labelled with o, merged in call order
      let li = lab0;
      let hi = lab1;
      while (li < hi) {
        const mid = (li + hi) >> 1;
        if (edgeFrom[labAll[mid]] < n) li = mid + 1;
        else hi = mid;
      }
      let fi = freeOff[n];
      const fEnd = freeOff[n + 1];
      for (;;) {
        const hasLab = li < lab1 && edgeFrom[labAll[li]] === n;
        if (!hasLab && fi >= fEnd) break;
        const idx = hasLab && (fi >= fEnd || labAll[li] < freeAll[fi]) ? labAll[li++] : freeAll[fi++];
        seg.push(idx);
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
    segStart.push(seg.n);
    rStart[o] = rNodesB.n;
    const all = Uint32Array.from(bfs).sort();
    for (let i = 0; i < all.length; i++) {
      const n = all[i];
      const h = posOf[n];
      rNodesB.push(n);
      rPrevB.push(n === start ? -1 : prevOf[n]);
      rEdgeOffB.push(rEdgesB.n);
      for (let k = segStart[h], end = segStart[h + 1]; k < end; k++) rEdgesB.push(seg.a[k]);
      if (n !== start) reachers[n].push(o);
    }
    q.sort((a, b) => a - b);
    enqueues[o] = q;
    for (const qn of q) push(enqueuers, qn, o);
  }
  rStart[E] = rNodesB.n;
  rEdgeOffB.push(rEdgesB.n);

  // ---- label-free nodes: no labelled edge anywhere below them, so their outcome in a
  // scenario is the same for every entrypoint (memoised once per scenario)
  const labelFree = new Uint8Array(N).fill(1);
  const notFree: number[] = [];
  for (let n = 0; n < N; n++) {
    let labelled = isEntrypoint[n] === 1;
    for (let k = outOff[n]; !labelled && k < outOff[n + 1]; k++) labelled = edges[outAll[k]].labelled;
    if (labelled) {
      labelFree[n] = 0;
      notFree.push(n);
    }
  }
  for (let h = 0; h < notFree.length; h++) {
    const n = notFree[h];
    // an entrypoint reached as a callee is a leaf: it does not make its callers label-dependent
    if (isEntrypoint[n]) continue;
    for (let k = innOff[n]; k < innOff[n + 1]; k++) {
      const from = innFrom[k];
      if (labelFree[from]) {
        labelFree[from] = 0;
        notFree.push(from);
      }
    }
  }

  // ---- static reachability to failable nodes: bitsets propagated callee → caller in
  // post-order, repeated until stable (cycles)
  const bitOf = new Int32Array(N).fill(-1);
  let nBits = 0;
  for (let n = 0; n < N; n++) if (BIT_KINDS.has(nodes[n].kind)) bitOf[n] = nBits++;
  const W = Math.max(1, Math.ceil(nBits / 32));
  const reachBits = new Uint32Array(N * W);
  for (let n = 0; n < N; n++) if (bitOf[n] >= 0) reachBits[n * W + (bitOf[n] >> 5)] |= 1 << (bitOf[n] & 31);
  // Tarjan's SCCs (iterative): components complete callees first, so each one's bits are
  // its members' own bits OR the bits of every callee outside it (already final).
  {
    const index = new Int32Array(N).fill(-1);
    const low = new Int32Array(N);
    const onStack = new Uint8Array(N);
    const sccStack: number[] = [];
    const callN: number[] = [];
    const callK: number[] = [];
    const acc = new Uint32Array(W);
    let counter = 0;
    for (let root = 0; root < N; root++) {
      if (index[root] >= 0) continue;
      callN.push(root);
      callK.push(-1);
      while (callN.length) {
        const top = callN.length - 1;
        const n = callN[top];
        let k = callK[top];
        if (k < 0) {
          index[n] = low[n] = counter++;
          sccStack.push(n);
          onStack[n] = 1;
          k = outOff[n];
        }
        let descended = false;
        for (; k < outOff[n + 1]; k++) {
          const c = edgeTo[outAll[k]];
          if (isEntrypoint[c]) continue; // an entrypoint reached as a callee is a leaf
          if (index[c] < 0) {
            callK[top] = k + 1;
            callN.push(c);
            callK.push(-1);
            descended = true;
            break;
          }
          if (onStack[c] && index[c] < low[n]) low[n] = index[c];
        }
        if (descended) continue;
        callN.pop();
        callK.pop();
        if (callN.length) {
          const p = callN[callN.length - 1];
          if (low[n] < low[p]) low[p] = low[n];
        }
        if (low[n] !== index[n]) continue;
        // n roots a component: pop it, OR its bits, assign them to every member
        const members: number[] = [];
        for (;;) {
          const m = sccStack.pop()!;
          onStack[m] = 0;
          members.push(m);
          if (m === n) break;
        }
        acc.fill(0);
        for (const m of members) {
          for (let w = 0; w < W; w++) acc[w] |= reachBits[m * W + w];
          for (let e = outOff[m]; e < outOff[m + 1]; e++) {
            const c = edgeTo[outAll[e]];
            if (isEntrypoint[c]) continue;
            for (let w = 0; w < W; w++) acc[w] |= reachBits[c * W + w];
          }
        }
        for (const m of members) reachBits.set(acc, m * W);
      }
    }
  }

  return {
    model,
    nodes,
    ids,
    byId,
    isEntrypoint,
    edges,
    edgeTo,
    edgeOrder,
    outOff,
    outAll,
    freeOff,
    freeAll,
    innOff,
    innFrom,
    adjOff,
    adjTo,
    eps,
    epOrd,
    epRuntimes,
    runtimeEps,
    rStart,
    rNodes: rNodesB.done(),
    rPrev: Int32Array.from(rPrevB),
    rEdgeOff: rEdgeOffB.done(),
    rEdges: rEdgesB.done(),
    labelFree,
    reachers,
    enqueues,
    enqueuers,
    consumesOf,
    consumerEps,
    epClient,
    bitOf,
    bitWords: W,
    reachBits,
  };
}

/** Position of x in the sorted range list[lo .. hi), or -1. */
export function findIn(list: Uint32Array, x: number, lo = 0, hi = list.length): number {
  hi--;
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
  const lo = ix.rStart[o];
  const hi = ix.rStart[o + 1];
  const nodes: number[] = [];
  let last: IEdge | null = null;
  let c = target;
  for (let guard = 0; guard <= hi - lo; guard++) {
    nodes.push(c);
    if (c === start) {
      nodes.reverse();
      return { nodes, last };
    }
    const p = findIn(ix.rNodes, c, lo, hi);
    if (p < 0 || ix.rPrev[p] < 0) return null;
    const e = ix.edges[ix.rPrev[p]];
    if (last === null) last = e;
    c = e.from;
  }
  return null;
}
