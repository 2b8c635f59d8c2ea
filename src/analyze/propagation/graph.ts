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
  /** per edge index: F_* bits of its mode and guards (read in the hot loop without touching the model) */
  edgeFlags: Uint8Array;
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
  /** entrypoint ordinals that run on no runtime (sorted) */
  noRuntimeEps: number[];
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
  /** per rEdges entry: the position (in rNodes) of its target in the same entrypoint's graph */
  rEdgePos: Uint32Array;
  /** 1 when no labelled edge is reachable from the node (its outcome is entrypoint-independent) */
  labelFree: Uint8Array;
  /** entrypoint ordinals that reach node n (sorted): reachAll[reachOff[n] .. reachOff[n + 1]) */
  reachOff: Uint32Array;
  reachAll: Uint32Array;
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

/** Index.edgeFlags bits */
export const F_FIRE_AND_FORGET = 1;
export const F_TIMEOUT = 2; // guards.timeoutMs !== undefined
export const F_BREAKER = 4; // guards.circuitBreaker === true
export const F_FALLBACK = 8; // guards.fallback === true
export const F_CAUGHT = 16; // guards.caught === true

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

/** A growable typed array: one class for both element types the index needs. */
class Growable<A extends Uint32Array | Int32Array> {
  a: A;
  n = 0;
  constructor(private readonly make: (length: number) => A) {
    this.a = make(1024);
  }
  push(x: number): void {
    if (this.n === this.a.length) this.reserve(1);
    this.a[this.n++] = x;
  }
  /** Room for k more: then a[n .. n + k) can be written directly. */
  reserve(k: number): void {
    if (this.n + k <= this.a.length) return;
    const b = this.make(Math.max(this.a.length * 2, this.n + k));
    b.set(this.a);
    this.a = b;
  }
  done(): A {
    return this.a.slice(0, this.n) as A;
  }
}

const u32 = () => new Growable((n) => new Uint32Array(n));

function push(m: Map<number, number[]>, k: number, v: number): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

/** Offsets of a CSR from per-node counts (counts[n] becomes n's fill cursor). */
function offsets(counts: Uint32Array): Uint32Array {
  const off = new Uint32Array(counts.length + 1);
  let t = 0;
  for (let n = 0; n < counts.length; n++) {
    off[n] = t;
    t += counts[n];
    counts[n] = off[n];
  }
  off[counts.length] = t;
  return off;
}

// buildIndex runs once per model, each phase in its own function: a phase's loops run
// long enough to be compiled on the fly (on-stack replacement), and compiling a small
// function is much quicker than compiling one function that holds every phase.

interface NodeIx {
  nodes: ModelNode[];
  ids: string[];
  byId: Map<string, number>;
  isEntrypoint: Uint8Array;
  isQueue: Uint8Array;
  isClient: Uint8Array;
  eps: number[];
  epOrd: Int32Array;
}

/** Nodes sorted by id, the first occurrence of a duplicate id winning. */
function indexNodes(model: Model): NodeIx {
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
  return { nodes, ids, byId, isEntrypoint, isQueue, isClient, eps, epOrd };
}

interface EdgeIx {
  edges: IEdge[];
  edgeFrom: Uint32Array;
  edgeTo: Uint32Array;
  edgeOrder: Float64Array;
  edgeFlags: Uint8Array;
  /** a call edge an entrypoint's call graph follows */
  traversed: Uint8Array;
  /** enqueues to / publishes on a queue node */
  enqueuesQueue: Uint8Array;
}

/** Edges between known nodes, in call order, with their per-edge facts as typed arrays. */
function indexEdges(model: Model, nx: NodeIx): EdgeIx {
  const { byId, isClient, isQueue } = nx;
  const edges: IEdge[] = [];
  for (let i = 0; i < model.edges.length; i++) {
    const edge = model.edges[i];
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
  const edgeFlags = new Uint8Array(M);
  const traversed = new Uint8Array(M);
  const enqueuesQueue = new Uint8Array(M);
  for (let i = 0; i < M; i++) {
    const e = edges[i];
    e.idx = i;
    edgeTo[i] = e.to;
    edgeFrom[i] = e.from;
    edgeOrder[i] = e.order;
    const g = e.edge.guards ?? {};
    edgeFlags[i] =
      (e.edge.mode === 'fire_and_forget' ? F_FIRE_AND_FORGET : 0) |
      (g.timeoutMs !== undefined ? F_TIMEOUT : 0) |
      (g.circuitBreaker === true ? F_BREAKER : 0) |
      (g.fallback === true ? F_FALLBACK : 0) |
      (g.caught === true ? F_CAUGHT : 0);
    const k = e.edge.kind;
    if (TRAVERSED.has(k) && !isClient[e.from]) traversed[i] = 1;
    if ((k === 'enqueues' || k === 'publishes') && isQueue[e.to]) enqueuesQueue[i] = 1;
  }
  return { edges, edgeFrom, edgeTo, edgeOrder, edgeFlags, traversed, enqueuesQueue };
}

interface CallCsr {
  outOff: Uint32Array;
  outAll: Uint32Array;
  freeOff: Uint32Array;
  freeAll: Uint32Array;
  innOff: Uint32Array;
  innFrom: Uint32Array;
}

/** Traversed edges from each node (and the unlabelled ones), callers of each node: CSR, edge order. */
function callCsr(N: number, ex: EdgeIx): CallCsr {
  const { edges, edgeFrom, edgeTo, traversed } = ex;
  const M = edges.length;
  const outCount = new Uint32Array(N);
  const freeCount = new Uint32Array(N);
  const innCount = new Uint32Array(N);
  for (let i = 0; i < M; i++) {
    if (!traversed[i]) continue;
    outCount[edgeFrom[i]]++;
    if (!edges[i].labelled) freeCount[edgeFrom[i]]++;
    innCount[edgeTo[i]]++;
  }
  const outOff = offsets(outCount);
  const freeOff = offsets(freeCount);
  const innOff = offsets(innCount);
  const outAll = new Uint32Array(outOff[N]);
  const freeAll = new Uint32Array(freeOff[N]);
  const innFrom = new Uint32Array(innOff[N]);
  for (let i = 0; i < M; i++) {
    if (!traversed[i]) continue;
    outAll[outCount[edgeFrom[i]]++] = i;
    if (!edges[i].labelled) freeAll[freeCount[edgeFrom[i]]++] = i;
    innFrom[innCount[edgeTo[i]]++] = edgeFrom[i];
  }
  return { outOff, outAll, freeOff, freeAll, innOff, innFrom };
}

interface Structure {
  epRuntimes: number[][];
  runtimeEps: Map<number, number[]>;
  noRuntimeEps: number[];
  consumesOf: number[][];
  consumers: Map<number, number[]>;
  consumerEps: number[];
  epClient: Int32Array;
  adjOff: Uint32Array;
  adjTo: Uint32Array;
}

/** Runtimes, queue consumers, clients of each entrypoint; neighbours of each node for rings. */
function structure(nx: NodeIx, ex: EdgeIx): Structure {
  const { nodes, byId, eps, epOrd, isClient, isQueue } = nx;
  const { edges, edgeFrom, edgeTo } = ex;
  const E = eps.length;
  const M = edges.length;
  const epRuntimes: number[][] = Array.from({ length: E }, () => []);
  const consumers = new Map<number, number[]>();
  const epClient = new Int32Array(E).fill(-1);
  for (let i = 0; i < M; i++) {
    const from = edgeFrom[i];
    const to = edgeTo[i];
    const k = edges[i].edge.kind;
    const fromOrd = epOrd[from];
    if (k === 'runs_on' && fromOrd >= 0 && nodes[to].kind === 'runtime') epRuntimes[fromOrd].push(to);
    if (k === 'consumes' && fromOrd >= 0 && isQueue[to]) push(consumers, to, fromOrd);
    if (isClient[from] && epOrd[to] >= 0) {
      const o = epOrd[to];
      if (epClient[o] < 0 || from < epClient[o]) epClient[o] = from;
    }
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
  const noRuntimeEps: number[] = [];
  let pairs = 0;
  for (let o = 0; o < E; o++) {
    for (let i = 0; i < epRuntimes[o].length; i++) push(runtimeEps, epRuntimes[o][i], o);
    if (!epRuntimes[o].length) noRuntimeEps.push(o);
    pairs += epRuntimes[o].length;
  }
  const consumesOf: number[][] = Array.from({ length: E }, () => []);
  for (const q of [...consumers.keys()].sort((a, b) => a - b)) {
    const list = [...new Set(consumers.get(q))].sort((a, b) => a - b);
    consumers.set(q, list);
    for (const o of list) consumesOf[o].push(q);
  }
  const consumerEps: number[] = [];
  for (let o = 0; o < E; o++) if (consumesOf[o].length) consumerEps.push(o);
  const { adjOff, adjTo } = neighbours(nx, ex, epRuntimes, pairs);
  return { epRuntimes, runtimeEps, noRuntimeEps, consumesOf, consumers, consumerEps, epClient, adjOff, adjTo };
}

/** Neighbours over any edge, either direction, then entrypoint ↔ runtime; first occurrences kept. */
function neighbours(nx: NodeIx, ex: EdgeIx, epRuntimes: number[][], pairs: number): { adjOff: Uint32Array; adjTo: Uint32Array } {
  const { eps } = nx;
  const { edgeFrom, edgeTo } = ex;
  const N = nx.nodes.length;
  const E = eps.length;
  const M = edgeTo.length;
  const count = new Uint32Array(N);
  for (let i = 0; i < M; i++) {
    count[edgeFrom[i]]++;
    count[edgeTo[i]]++;
  }
  for (let o = 0; o < E; o++) {
    count[eps[o]] += epRuntimes[o].length;
    for (let i = 0; i < epRuntimes[o].length; i++) count[epRuntimes[o][i]]++;
  }
  const rawOff = offsets(count);
  const raw = new Uint32Array(2 * M + 2 * pairs);
  for (let i = 0; i < M; i++) {
    raw[count[edgeFrom[i]]++] = edgeTo[i];
    raw[count[edgeTo[i]]++] = edgeFrom[i];
  }
  for (let o = 0; o < E; o++) {
    for (let i = 0; i < epRuntimes[o].length; i++) {
      const r = epRuntimes[o][i];
      raw[count[eps[o]]++] = r;
      raw[count[r]++] = eps[o];
    }
  }
  const adjOff = new Uint32Array(N + 1);
  const seen = new Int32Array(N).fill(-1);
  let t = 0;
  for (let n = 0; n < N; n++) {
    adjOff[n] = t;
    for (let k = rawOff[n], end = rawOff[n + 1]; k < end; k++) {
      const m = raw[k];
      if (seen[m] === n) continue;
      seen[m] = n;
      raw[t++] = m; // t ≤ k: compacting in place
    }
  }
  adjOff[N] = t;
  return { adjOff, adjTo: raw.slice(0, t) };
}

interface Labels {
  /** per entrypoint ordinal o: the edges labelled with o, in edge order, at labAll[labOff[o] .. labOff[o] + labLen[o]) */
  labOff: Uint32Array;
  labLen: Uint32Array;
  labAll: Uint32Array;
}

/** Each entrypoint's labelled traversed edges, in edge order (deduplicated). */
function labelsByEntrypoint(nx: NodeIx, ex: EdgeIx): Labels {
  const { byId, epOrd, eps } = nx;
  const { edges, traversed } = ex;
  const E = eps.length;
  // (entrypoint ordinal, edge index) pairs, in edge order
  const labOrd = u32();
  const labEdge = u32();
  const labCount = new Uint32Array(E + 1);
  for (let i = 0; i < edges.length; i++) {
    if (!traversed[i] || !edges[i].labelled) continue;
    const labels = edges[i].edge.entrypoints!;
    for (let j = 0; j < labels.length; j++) {
      const n = byId.get(labels[j]);
      if (n === undefined || epOrd[n] < 0) continue;
      labOrd.push(epOrd[n]);
      labEdge.push(i);
      labCount[epOrd[n]]++;
    }
  }
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
  return { labOff, labLen, labAll };
}

type EntrypointGraphs = Pick<Index, 'rStart' | 'rNodes' | 'rPrev' | 'rEdgeOff' | 'rEdges' | 'rEdgePos' | 'reachOff' | 'reachAll' | 'enqueues' | 'enqueuers'>;

/** Per entrypoint, its labelled call graph by BFS (other entrypoints are leaves): see Index.rStart. */
function entrypointGraphs(nx: NodeIx, ex: EdgeIx, csr: CallCsr, lab: Labels): EntrypointGraphs {
  const E = nx.eps.length;
  const N = nx.nodes.length;
  const b = new GraphBuilder(nx, ex, csr, lab);
  for (let o = 0; o < E; o++) b.add(o);
  b.rStart[E] = b.rNodes.n;
  b.rEdgeOff.push(b.rEdges.n);
  const rStart = b.rStart;
  const rNodes = b.rNodes.done();
  const eps = nx.eps;
  // reachers of each node: the entrypoints whose graph holds it (counting sort, by ordinal)
  const count = new Uint32Array(N);
  for (let o = 0; o < E; o++) {
    for (let p = rStart[o]; p < rStart[o + 1]; p++) if (rNodes[p] !== eps[o]) count[rNodes[p]]++;
  }
  const reachOff = offsets(count);
  const reachAll = new Uint32Array(reachOff[N]);
  for (let o = 0; o < E; o++) {
    for (let p = rStart[o]; p < rStart[o + 1]; p++) if (rNodes[p] !== eps[o]) reachAll[count[rNodes[p]]++] = o;
  }
  return {
    rStart,
    rNodes,
    rPrev: b.rPrev.done(),
    rEdgeOff: b.rEdgeOff.done(),
    rEdges: b.rEdges.done(),
    rEdgePos: b.rEdgePos.done(),
    reachOff,
    reachAll,
    enqueues: b.enqueues,
    enqueuers: b.enqueuers,
  };
}

/** Builds the entrypoints' graphs one at a time (a method per entrypoint compiles quickly). */
class GraphBuilder {
  readonly rStart: Uint32Array;
  readonly rNodes = u32();
  readonly rPrev = new Growable((n) => new Int32Array(n));
  readonly rEdgeOff = u32();
  readonly rEdges = u32();
  readonly rEdgePos = u32();
  readonly enqueues: number[][];
  readonly enqueuers = new Map<number, number[]>();
  private readonly nx: NodeIx;
  private readonly ex: EdgeIx;
  private readonly csr: CallCsr;
  private readonly lab: Labels;
  // scratch, per entrypoint
  private readonly stamp: Int32Array;
  private readonly prevOf: Int32Array;
  private readonly posOf: Int32Array; // node → BFS position
  private readonly sortedPos: Uint32Array; // node → its position in rNodes
  private readonly queueStamp: Int32Array;
  /** node → where its edges start in the entrypoint's labelled edges, valid when labStamp === o */
  private readonly labStamp: Int32Array;
  private readonly labStart: Uint32Array;
  private readonly bfs: Uint32Array;
  private readonly segStart: Uint32Array;
  /** the applicable edges, in BFS order of their callers: seg[0 .. segN); each edge at most once */
  private readonly seg: Uint32Array;
  private segN = 0;

  constructor(nx: NodeIx, ex: EdgeIx, csr: CallCsr, lab: Labels) {
    const N = nx.nodes.length;
    this.nx = nx;
    this.ex = ex;
    this.csr = csr;
    this.lab = lab;
    this.rStart = new Uint32Array(nx.eps.length + 1);
    this.enqueues = new Array(nx.eps.length);
    this.stamp = new Int32Array(N).fill(-1);
    this.prevOf = new Int32Array(N);
    this.posOf = new Int32Array(N);
    this.sortedPos = new Uint32Array(N);
    this.queueStamp = new Int32Array(N).fill(-1);
    this.labStamp = new Int32Array(N).fill(-1);
    this.labStart = new Uint32Array(N);
    this.bfs = new Uint32Array(N);
    this.segStart = new Uint32Array(N + 1);
    this.seg = new Uint32Array(ex.edges.length);
  }

  add(o: number): void {
    const { isEntrypoint, eps } = this.nx;
    const { edgeFrom, edgeTo, enqueuesQueue } = this.ex;
    const { freeOff, freeAll } = this.csr;
    const labAll = this.lab.labAll;
    const { stamp, prevOf, posOf, queueStamp, labStamp, labStart, bfs, segStart, seg } = this;
    const start = eps[o];
    const lab0 = this.lab.labOff[o];
    const lab1 = lab0 + this.lab.labLen[o];
    // o's labelled edges are in edge order, so grouped by caller: note where each group starts
    for (let j = lab1 - 1; j >= lab0; j--) {
      labStamp[edgeFrom[labAll[j]]] = o;
      labStart[edgeFrom[labAll[j]]] = j;
    }
    const q: number[] = [];
    let bn = 0;
    let segN = 0;
    stamp[start] = o;
    bfs[bn++] = start;
    for (let h = 0; h < bn; h++) {
      const n = bfs[h];
      posOf[n] = h;
      segStart[h] = segN;
      if (n !== start && isEntrypoint[n]) continue;
      // the edges that apply to o at n: unlabelled ones and those labelled with o, merged in call order
      let li = labStamp[n] === o ? labStart[n] : lab1;
      let fi = freeOff[n];
      const fEnd = freeOff[n + 1];
      for (;;) {
        const hasLab = li < lab1 && edgeFrom[labAll[li]] === n;
        if (!hasLab && fi >= fEnd) break;
        const idx = hasLab && (fi >= fEnd || labAll[li] < freeAll[fi]) ? labAll[li++] : freeAll[fi++];
        seg[segN++] = idx;
        const to = edgeTo[idx];
        if (enqueuesQueue[idx] && queueStamp[to] !== o) {
          queueStamp[to] = o;
          q.push(to);
        }
        if (stamp[to] === o) continue;
        stamp[to] = o;
        prevOf[to] = idx;
        bfs[bn++] = to;
      }
    }
    segStart[bn] = segN;
    this.segN = segN;
    this.store(o, start, bn);
    q.sort((a, b) => a - b);
    this.enqueues[o] = q;
    for (let i = 0; i < q.length; i++) push(this.enqueuers, q[i], o);
  }

  /** Append o's graph (bfs[0 .. bn) and its segments) in node order (= id order). */
  private store(o: number, start: number, bn: number): void {
    const edgeTo = this.ex.edgeTo;
    const { prevOf, posOf, sortedPos, segStart, seg } = this;
    // sizes are known: reserve once, then write with local cursors
    this.rNodes.reserve(bn);
    this.rPrev.reserve(bn);
    this.rEdgeOff.reserve(bn);
    this.rEdges.reserve(this.segN);
    this.rEdgePos.reserve(this.segN);
    const rNodes = this.rNodes.a;
    const rPrev = this.rPrev.a;
    const rEdgeOff = this.rEdgeOff.a;
    const rEdges = this.rEdges.a;
    const rEdgePos = this.rEdgePos.a;
    const first = this.rNodes.n;
    let e = this.rEdges.n;
    this.rStart[o] = first;
    const all = this.bfs.subarray(0, bn).sort(); // BFS order is not needed any more
    for (let i = 0; i < bn; i++) sortedPos[all[i]] = first + i;
    for (let i = 0; i < bn; i++) {
      const n = all[i];
      const h = posOf[n];
      rNodes[first + i] = n;
      rPrev[first + i] = n === start ? -1 : prevOf[n];
      rEdgeOff[first + i] = e;
      for (let k = segStart[h], end = segStart[h + 1]; k < end; k++) {
        const idx = seg[k];
        rEdges[e] = idx;
        rEdgePos[e++] = sortedPos[edgeTo[idx]];
      }
    }
    this.rNodes.n = this.rPrev.n = this.rEdgeOff.n = first + bn;
    this.rEdges.n = this.rEdgePos.n = e;
  }
}

/**
 * Label-free nodes: no labelled edge anywhere below them, so their outcome in a scenario
 * is the same for every entrypoint (memoised once per scenario).
 */
function labelFreeNodes(nx: NodeIx, ex: EdgeIx, csr: CallCsr): Uint8Array {
  const { isEntrypoint } = nx;
  const { edges } = ex;
  const { outOff, outAll, innOff, innFrom } = csr;
  const N = nx.nodes.length;
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
  return labelFree;
}

/**
 * Static reachability to the failable nodes (labels ignored, entrypoints as leaves): see
 * Index.reachBits. Tarjan's SCCs (iterative) complete callees first, so each component's
 * bits are its members' own bits OR the bits of every callee outside it (already final).
 */
function staticReach(nx: NodeIx, ex: EdgeIx, csr: CallCsr): { bitOf: Int32Array; W: number; reachBits: Uint32Array } {
  const { nodes } = nx;
  const N = nodes.length;
  const bitOf = new Int32Array(N).fill(-1);
  let nBits = 0;
  for (let n = 0; n < N; n++) if (BIT_KINDS.has(nodes[n].kind)) bitOf[n] = nBits++;
  const W = Math.max(1, Math.ceil(nBits / 32));
  const reachBits = new Uint32Array(N * W);
  for (let n = 0; n < N; n++) if (bitOf[n] >= 0) reachBits[n * W + (bitOf[n] >> 5)] |= 1 << (bitOf[n] & 31);
  const t = new Tarjan(nx.isEntrypoint, ex.edgeTo, csr, reachBits, W);
  for (let root = 0; root < N; root++) if (t.index[root] < 0) t.visit(root);
  return { bitOf, W, reachBits };
}

class Tarjan {
  readonly index: Int32Array;
  private readonly low: Int32Array;
  private readonly onStack: Uint8Array;
  private readonly sccStack: Uint32Array;
  private sccN = 0;
  private readonly callN: Uint32Array;
  private readonly callK: Int32Array;
  private readonly acc: Uint32Array;
  private counter = 0;

  constructor(
    private readonly isEntrypoint: Uint8Array,
    private readonly edgeTo: Uint32Array,
    private readonly csr: CallCsr,
    private readonly reachBits: Uint32Array,
    private readonly W: number,
  ) {
    const N = isEntrypoint.length;
    this.index = new Int32Array(N).fill(-1);
    this.low = new Int32Array(N);
    this.onStack = new Uint8Array(N);
    this.sccStack = new Uint32Array(N);
    this.callN = new Uint32Array(N);
    this.callK = new Int32Array(N);
    this.acc = new Uint32Array(W);
  }

  visit(root: number): void {
    const { index, low, onStack, sccStack, callN, callK, isEntrypoint, edgeTo } = this;
    const { outOff, outAll } = this.csr;
    let sp = 0;
    callN[sp] = root;
    callK[sp++] = -1;
    while (sp > 0) {
      const top = sp - 1;
      const n = callN[top];
      let k = callK[top];
      if (k < 0) {
        index[n] = low[n] = this.counter++;
        sccStack[this.sccN++] = n;
        onStack[n] = 1;
        k = outOff[n];
      }
      let descended = false;
      for (; k < outOff[n + 1]; k++) {
        const c = edgeTo[outAll[k]];
        if (isEntrypoint[c]) continue; // an entrypoint reached as a callee is a leaf
        if (index[c] < 0) {
          callK[top] = k + 1;
          callN[sp] = c;
          callK[sp++] = -1;
          descended = true;
          break;
        }
        if (onStack[c] && index[c] < low[n]) low[n] = index[c];
      }
      if (descended) continue;
      sp--;
      if (sp > 0 && low[n] < low[callN[sp - 1]]) low[callN[sp - 1]] = low[n];
      if (low[n] === index[n]) this.component(n);
    }
  }

  /** n roots a component: pop it, OR its bits, assign them to every member. */
  private component(n: number): void {
    const { sccStack, onStack, acc, reachBits, W, isEntrypoint, edgeTo } = this;
    const { outOff, outAll } = this.csr;
    let first = this.sccN;
    do first--;
    while (sccStack[first] !== n);
    acc.fill(0);
    for (let i = first; i < this.sccN; i++) {
      const m = sccStack[i];
      for (let w = 0; w < W; w++) acc[w] |= reachBits[m * W + w];
      for (let e = outOff[m]; e < outOff[m + 1]; e++) {
        const c = edgeTo[outAll[e]];
        if (isEntrypoint[c]) continue;
        for (let w = 0; w < W; w++) acc[w] |= reachBits[c * W + w];
      }
    }
    for (let i = first; i < this.sccN; i++) {
      onStack[sccStack[i]] = 0;
      reachBits.set(acc, sccStack[i] * W);
    }
    this.sccN = first;
  }
}

export function buildIndex(model: Model): Index {
  const nx = indexNodes(model);
  const ex = indexEdges(model, nx);
  const csr = callCsr(nx.nodes.length, ex);
  const st = structure(nx, ex);
  const lab = labelsByEntrypoint(nx, ex);
  const g = entrypointGraphs(nx, ex, csr, lab);
  const labelFree = labelFreeNodes(nx, ex, csr);
  const { bitOf, W, reachBits } = staticReach(nx, ex, csr);
  return {
    model,
    nodes: nx.nodes,
    ids: nx.ids,
    byId: nx.byId,
    isEntrypoint: nx.isEntrypoint,
    edges: ex.edges,
    edgeTo: ex.edgeTo,
    edgeOrder: ex.edgeOrder,
    edgeFlags: ex.edgeFlags,
    outOff: csr.outOff,
    outAll: csr.outAll,
    freeOff: csr.freeOff,
    freeAll: csr.freeAll,
    innOff: csr.innOff,
    innFrom: csr.innFrom,
    adjOff: st.adjOff,
    adjTo: st.adjTo,
    eps: nx.eps,
    epOrd: nx.epOrd,
    epRuntimes: st.epRuntimes,
    runtimeEps: st.runtimeEps,
    noRuntimeEps: st.noRuntimeEps,
    rStart: g.rStart,
    rNodes: g.rNodes,
    rPrev: g.rPrev,
    rEdgeOff: g.rEdgeOff,
    rEdges: g.rEdges,
    rEdgePos: g.rEdgePos,
    labelFree,
    reachOff: g.reachOff,
    reachAll: g.reachAll,
    enqueues: g.enqueues,
    enqueuers: g.enqueuers,
    consumesOf: st.consumesOf,
    consumerEps: st.consumerEps,
    epClient: st.epClient,
    bitOf,
    bitWords: W,
    reachBits,
  };
}

/** Memory cap of EntrypointReach.bits, in 32-bit words (16 MB). */
const REACH_MAX_WORDS = 4 << 20;

/**
 * For the positions of an entrypoint's labelled call graph, the failable nodes each one
 * reaches through that entrypoint's edges (bitWords words per position, bit = bitOf). A
 * scenario skips the nodes of an entrypoint's graph that cannot reach the failed node
 * that way: most static ancestors only reach it through edges labelled for other
 * entrypoints. Computed per entrypoint on first use (`of`): when crashes take whole
 * runtimes down, a scenario traces a few entrypoints, mostly the same ones.
 *
 * Per entrypoint: one DFS gives a post-order (callees first), one pass in that order ORs
 * each callee's bits into its caller; a cycle (an edge to a node not finished before its
 * caller) repeats the pass until nothing changes.
 */
export class EntrypointReach {
  readonly bits: Uint32Array;
  private readonly ix: Index;
  private readonly done: Uint8Array;
  // DFS scratch, indexed by position - the entrypoint's first position
  private readonly visited: Uint8Array;
  private readonly postIdx: Int32Array;
  private readonly post: Uint32Array;
  private readonly stackP: Uint32Array;
  private readonly stackK: Uint32Array;

  /** null when the bits would take more than REACH_MAX_WORDS */
  static create(ix: Index): EntrypointReach | null {
    return ix.rNodes.length * ix.bitWords <= REACH_MAX_WORDS ? new EntrypointReach(ix) : null;
  }

  private constructor(ix: Index) {
    this.ix = ix;
    this.bits = new Uint32Array(ix.rNodes.length * ix.bitWords);
    this.done = new Uint8Array(ix.eps.length);
    let most = 0;
    for (let o = 0; o < ix.eps.length; o++) most = Math.max(most, ix.rStart[o + 1] - ix.rStart[o]);
    this.visited = new Uint8Array(most);
    this.postIdx = new Int32Array(most);
    this.post = new Uint32Array(most);
    this.stackP = new Uint32Array(most);
    this.stackK = new Uint32Array(most);
  }

  /** The bits, with entrypoint o's positions filled. */
  of(o: number): Uint32Array {
    if (!this.done[o]) {
      this.done[o] = 1;
      this.fill(o);
    }
    return this.bits;
  }

  private fill(o: number): void {
    const { rStart, rNodes, rEdgeOff, rEdgePos, bitOf } = this.ix;
    const W = this.ix.bitWords;
    const { bits, visited, postIdx, post, stackP, stackK } = this;
    const lo = rStart[o];
    const hi = rStart[o + 1];
    for (let p = lo; p < hi; p++) {
      visited[p - lo] = 0;
      const b = bitOf[rNodes[p]];
      if (b >= 0) bits[p * W + (b >> 5)] |= 1 << (b & 31);
    }
    // iterative DFS from every unvisited position (all are reachable from the entrypoint)
    let nPost = 0;
    for (let root = lo; root < hi; root++) {
      if (visited[root - lo]) continue;
      visited[root - lo] = 1;
      stackP[0] = root;
      stackK[0] = rEdgeOff[root];
      let sp = 1;
      while (sp > 0) {
        const p = stackP[sp - 1];
        const k = stackK[sp - 1];
        if (k < rEdgeOff[p + 1]) {
          stackK[sp - 1] = k + 1;
          const c = rEdgePos[k];
          if (!visited[c - lo]) {
            visited[c - lo] = 1;
            stackP[sp] = c;
            stackK[sp] = rEdgeOff[c];
            sp++;
          }
          continue;
        }
        sp--;
        postIdx[p - lo] = nPost;
        post[nPost++] = p;
      }
    }
    for (let again = true; again; ) {
      again = false;
      let changed = false;
      for (let i = 0; i < nPost; i++) {
        const p = post[i];
        const pw = p * W;
        for (let k = rEdgeOff[p], end = rEdgeOff[p + 1]; k < end; k++) {
          const c = rEdgePos[k];
          const cw = c * W;
          for (let w = 0; w < W; w++) {
            const before = bits[pw + w];
            const v = (before | bits[cw + w]) >>> 0; // unsigned, as stored
            if (v !== before) {
              bits[pw + w] = v;
              changed = true;
            }
          }
          if (postIdx[c - lo] >= postIdx[p - lo]) again = true; // a cycle: c may not be final yet
        }
      }
      again &&= changed;
    }
  }
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
