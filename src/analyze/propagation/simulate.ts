// One failure scenario: fail one node (outage or slowdown) and propagate along the
// entrypoints' traced call paths. Semantics: ./README.md and DESIGN.md "Propagation
// semantics". Pure: no I/O, no node:* imports.
//
// Cost per scenario is proportional to what it touches (the failed node's ancestors,
// the entrypoints reaching it, the affected nodes) plus one copy of the entrypoint list:
// every scratch array is allocated once per Simulator and validated by stamps.

import type { EntrypointState, Evidence, FailureMode, RuntimeEffect, Scenario, StoppedBy } from '../../model/types.js';
import { cmpStr, findIn, treePath, type IEdge, type Index } from './graph.js';

const EMPTY = new Uint32Array(0);
const EMPTY_PATH: number[] = [];
// text codes (see Simulator.text)
const T_TIMEOUT = 0;
const T_BREAKER = 1;
const T_HANG = 2;
const T_FAIL = 3;
const T_FALLBACK = 4;
const T_BREAKER_FALLBACK = 5;
const T_LOST_HANG = 6;
const T_LOST_CAUGHT = 7;
const T_REPLICA = 8;
const GUARD_CODE: Record<string, number> = {
  fallback: 0,
  'circuit-breaker+fallback': 1,
  'circuit-breaker': 2,
  timeout: 3,
  catch: 4,
  'read-replica': 5,
  'durable-queue': 6,
};

export interface SimOptions {
  /** Ignore the failed node's redundancy (what a single instance carries if nothing absorbs it). */
  ignoreRedundancy?: boolean;
}

// Outcome of a call, as its caller sees it. Ordered by severity.
const OK = 0;
const DEG = 1;
const FAIL = 2;
const HANG = 3;
const BUSY = 9;

// Entrypoint (and node) states, ordered by severity.
const S_OK = 0;
const S_DELAYED = 1;
const S_DEGRADED = 2;
const S_DOWN = 3;
const STATE_NAMES: EntrypointState[] = ['ok', 'delayed', 'degraded', 'down'];

/** Something that happened below a node: replayed for every entrypoint that reaches it. */
interface Ev {
  kind: 'lost' | 'crash' | 'ok';
  e: IEdge;
  note: string;
  /** path from the node owning the event list to where it happened */
  tail: number[];
}

interface Frame {
  n: number;
  /** edge indices; the frame walks arr[i..end) */
  arr: Uint32Array;
  i: number;
  end: number;
  k: number;
  next: number;
  reason: string;
  /** order of the first awaited call that failed; ordered calls after it never run */
  stop: number;
  /** edge to the child being evaluated */
  pending: IEdge | null;
  /** label-free: memoised once per scenario, events collected for replay */
  free: boolean;
  events: Ev[] | null;
}

interface Crash {
  o: number;
  edge: IEdge;
  path: number[];
}

interface Effect {
  r: number;
  effect: 'crash' | 'starvation';
  o: number;
  path: number[];
  reason: string;
  count: number;
}

function cmpNums(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
const byNum = (a: number, b: number) => a - b;

/** ids of nodes list[a..b), sorted by node index (= by id) */
function idsSorted(list: number[], a: number, b: number, ids: string[]): string[] {
  const t = new Uint32Array(b - a);
  for (let i = a; i < b; i++) t[i - a] = list[i];
  t.sort();
  const out: string[] = new Array(t.length);
  for (let i = 0; i < t.length; i++) out[i] = ids[t[i]];
  return out;
}

function sortedHas(list: number[], x: number): boolean {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] === x) return true;
    if (list[mid] < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

function concatAll(parts: string[][]): string[] {
  let out: string[] = [];
  // concat takes its arguments on the stack: go in chunks
  for (let i = 0; i < parts.length; i += 4096) out = out.concat(...parts.slice(i, i + 4096));
  return out;
}

/** Scratch space sized to one index, reused across scenarios. Not reentrant. */
export class Simulator {
  private readonly ix: Index;
  private readonly epIds: string[];
  // per (entrypoint evaluation, node) memo, valid when memoStamp === st
  private readonly memoStamp: Int32Array;
  private readonly memoK: Uint8Array;
  private readonly memoNext: Int32Array;
  private readonly memoReason: string[];
  // per (scenario, label-free node) memo, valid when gStamp === sc
  private readonly gStamp: Int32Array;
  private readonly gK: Uint8Array;
  private readonly gNext: Int32Array;
  private readonly gReason: string[];
  private readonly gEvents: (Ev[] | null)[];
  private readonly ancStamp: Int32Array;
  private readonly failedStamp: Int32Array;
  private readonly affStamp: Int32Array;
  private readonly affState: Uint8Array;
  private readonly ringStamp: Int32Array;
  private readonly ringDist: Int32Array;
  private readonly runtimeStamp: Int32Array;
  // per entrypoint, valid when epStamp === sc
  private readonly epStamp: Int32Array;
  private readonly epState: Uint8Array;
  private readonly epDecided: Uint8Array;
  private readonly epVia: Int32Array;
  private readonly epWhyPath: (number[] | undefined)[];
  private readonly epWhyReason: string[];
  private readonly epOkNote: (string | undefined)[];
  private readonly epOkPath: (number[] | undefined)[];
  private readonly frames: Frame[] = [];

  private stamp = 0;
  private sc = 0;
  // current scenario
  private f = -1;
  private failedId = '';
  private failedK = FAIL;
  private readReplica = false;
  private touched: number[] = [];
  private affList: number[] = [];
  private stopped = new Map<number, { e: IEdge; guard: string }>();
  private effects: Effect[] = [];
  /** reasons and notes per edge (they depend on the edge only) */
  private readonly texts = new Map<number, string>();
  private replicaNote: string | undefined;
  /** the first crash found while evaluating the current entrypoint */
  private firstCrash: Crash | null = null;
  private lost = new Map<number, { e: IEdge; eps: Set<number> }>();
  // current evaluation
  private o = -1;
  private st = 0;
  private sp = 0;

  constructor(ix: Index) {
    this.ix = ix;
    const N = ix.nodes.length;
    const E = ix.eps.length;
    this.epIds = ix.eps.map((n) => ix.ids[n]);
    this.memoStamp = new Int32Array(N);
    this.memoK = new Uint8Array(N);
    this.memoNext = new Int32Array(N);
    this.memoReason = new Array<string>(N).fill('');
    this.gStamp = new Int32Array(N);
    this.gK = new Uint8Array(N);
    this.gNext = new Int32Array(N);
    this.gReason = new Array<string>(N).fill('');
    this.gEvents = new Array<Ev[] | null>(N).fill(null);
    this.ancStamp = new Int32Array(N);
    this.failedStamp = new Int32Array(N);
    this.affStamp = new Int32Array(N);
    this.affState = new Uint8Array(N);
    this.ringStamp = new Int32Array(N);
    this.ringDist = new Int32Array(N);
    this.runtimeStamp = new Int32Array(N);
    this.epStamp = new Int32Array(E);
    this.epState = new Uint8Array(E);
    this.epDecided = new Uint8Array(E);
    this.epVia = new Int32Array(E);
    this.epWhyPath = new Array<number[] | undefined>(E).fill(undefined);
    this.epWhyReason = new Array<string>(E).fill('');
    this.epOkNote = new Array<string | undefined>(E).fill(undefined);
    this.epOkPath = new Array<number[] | undefined>(E).fill(undefined);
  }

  // ---------------------------------------------------------------- helpers

  private touch(o: number): void {
    if (this.epStamp[o] === this.sc) return;
    this.epStamp[o] = this.sc;
    this.epState[o] = S_OK;
    this.epDecided[o] = 0;
    this.epVia[o] = -1;
    this.epWhyPath[o] = undefined;
    this.epWhyReason[o] = '';
    this.epOkNote[o] = undefined;
    this.epOkPath[o] = undefined;
    this.touched.push(o);
  }

  private stateOf(o: number): number {
    return this.epStamp[o] === this.sc ? this.epState[o] : S_OK;
  }

  private decide(o: number, s: number, path: number[], reason: string): void {
    this.touch(o);
    this.epState[o] = s;
    this.epDecided[o] = 1;
    this.epWhyPath[o] = path;
    this.epWhyReason[o] = reason;
  }

  private markNode(n: number, s: number): void {
    if (this.affStamp[n] !== this.sc) {
      this.affStamp[n] = this.sc;
      this.affState[n] = s;
      this.affList.push(n);
    } else if (s > this.affState[n]) this.affState[n] = s;
  }

  private stop(e: IEdge, guard: string): void {
    const key = e.idx * 8 + GUARD_CODE[guard];
    if (!this.stopped.has(key)) this.stopped.set(key, { e, guard });
  }

  // ------------------------------------------------------------- evaluation

  private open(n: number, free: boolean): Frame {
    if (free) {
      this.gStamp[n] = this.sc;
      this.gK[n] = BUSY;
    } else {
      this.memoStamp[n] = this.st;
      this.memoK[n] = BUSY;
    }
    let fr = this.frames[this.sp];
    if (!fr) {
      fr = { n, arr: EMPTY, i: 0, end: 0, k: OK, next: -1, reason: '', stop: Infinity, pending: null, free, events: null };
      this.frames[this.sp] = fr;
    }
    fr.n = n;
    const ix = this.ix;
    if (free) {
      fr.arr = ix.outAll;
      fr.i = ix.outOff[n];
      fr.end = ix.outOff[n + 1];
    } else if (this.o < 0) {
      fr.arr = ix.freeAll;
      fr.i = ix.freeOff[n];
      fr.end = ix.freeOff[n + 1];
    } else {
      // the entrypoint's own compressed call graph: only the edges that apply to it
      const pos = findIn(ix.rNodes, n, ix.rStart[this.o], ix.rStart[this.o + 1]);
      fr.arr = ix.rEdges;
      fr.i = pos < 0 ? 0 : ix.rEdgeOff[pos];
      fr.end = pos < 0 ? 0 : ix.rEdgeOff[pos + 1];
    }
    fr.k = OK;
    fr.next = -1;
    fr.reason = '';
    fr.stop = Infinity;
    fr.pending = null;
    fr.free = free;
    fr.events = null;
    this.sp++;
    return fr;
  }

  private nextOf(c: number): number {
    if (this.memoStamp[c] === this.st) return this.memoNext[c];
    if (this.gStamp[c] === this.sc) return this.gNext[c];
    return -1;
  }

  private chain(n: number): number[] {
    const p: number[] = [];
    for (let c = n, g = 0; c >= 0 && g < 100000; g++) {
      p.push(c);
      if (this.failedStamp[c] === this.sc) break;
      c = this.nextOf(c);
    }
    return p;
  }

  private stackPath(): number[] {
    const p: number[] = new Array(this.sp);
    for (let i = 0; i < this.sp; i++) p[i] = this.frames[i].n;
    return p;
  }

  /** Does the entrypoint being evaluated still need a path for an event of this kind? */
  private needsPath(kind: Ev['kind']): boolean {
    const o = this.o;
    if (o < 0) return false;
    return kind === 'crash' ? this.firstCrash === null : this.epStamp[o] !== this.sc || this.epOkNote[o] === undefined;
  }

  /**
   * Record an event for the entrypoint being evaluated. Its full path is `prefix` (the
   * stack when null) followed by `tail`, and is built only when needed.
   */
  private apply(kind: Ev['kind'], e: IEdge, note: string, tail: number[], prefix: number[] | null): void {
    const o = this.o;
    if (o < 0) return;
    if (kind === 'crash') {
      if (this.firstCrash === null) this.firstCrash = { o, edge: e, path: [...(prefix ?? this.stackPath()), ...tail] };
      return;
    }
    if (kind === 'lost') {
      let l = this.lost.get(e.idx);
      if (!l) this.lost.set(e.idx, (l = { e, eps: new Set() }));
      l.eps.add(o);
    }
    this.touch(o);
    if (this.epOkNote[o] === undefined) {
      this.epOkNote[o] = note;
      this.epOkPath[o] = [...(prefix ?? this.stackPath()), ...tail];
    }
  }

  /** An event at frame fr (the top of the stack) on edge e; its tail runs from e.to down. */
  private emit(fr: Frame, kind: Ev['kind'], e: IEdge, noteCode: number): void {
    const note = kind === 'crash' ? '' : this.text(e, noteCode);
    if (!fr.free && !this.needsPath(kind)) {
      if (kind === 'lost') this.apply(kind, e, note, EMPTY_PATH, EMPTY_PATH);
      return;
    }
    const tail = this.chain(e.to);
    this.apply(kind, e, note, tail, null);
    if (fr.free) (fr.events ??= []).push({ kind, e, note, tail: [fr.n, ...tail] });
  }

  /** Reasons and notes, built once per edge (and per scenario for the read-replica note). */
  private text(e: IEdge, code: number): string {
    if (code === T_REPLICA) return (this.replicaNote ??= `reads of ${this.failedId} are served by its read replica`);
    const key = e.idx * 8 + code;
    let t = this.texts.get(key);
    if (t !== undefined) return t;
    const ids = this.ix.ids;
    const label = `${ids[e.from]} → ${ids[e.to]}`;
    const g = e.edge.guards ?? {};
    switch (code) {
      case T_TIMEOUT:
        t = `${label} times out after ${g.timeoutMs} ms`;
        break;
      case T_BREAKER:
        t = `the circuit breaker on ${label} opens`;
        break;
      case T_HANG:
        t = `${label} hangs (no timeout)`;
        break;
      case T_FAIL:
        t = `${label} fails (${e.edge.mode}, no fallback)`;
        break;
      case T_FALLBACK:
        t = `a fallback on ${label} serves a default`;
        break;
      case T_BREAKER_FALLBACK:
        t = `a circuit breaker with fallback on ${label} serves a default`;
        break;
      case T_LOST_HANG:
        t = `fire-and-forget ${label} never completes: the side effect is lost`;
        break;
      default:
        t = `fire-and-forget ${label} fails inside a catch: the side effect is lost`;
    }
    this.texts.set(key, t);
    return t;
  }

  /** The caller fr sees outcome ck (with reason cr) through edge e. */
  private handle(fr: Frame, e: IEdge, ck: number, cr: string): void {
    if (ck === OK) return;
    const g = e.edge.guards ?? {};
    const ff = e.edge.mode === 'fire_and_forget';
    let k = ck;
    let reason = cr;
    if (ck === DEG) {
      if (ff) return; // the side effect happens, degraded; nobody waits for it
    } else if (ck === HANG) {
      if (g.timeoutMs !== undefined || g.circuitBreaker === true) {
        k = FAIL;
        const timeout = g.timeoutMs !== undefined;
        this.stop(e, timeout ? 'timeout' : 'circuit-breaker');
        reason = this.text(e, timeout ? T_TIMEOUT : T_BREAKER);
      } else if (ff) {
        this.emit(fr, 'lost', e, T_LOST_HANG);
        return;
      } else if (cr === '') {
        reason = this.text(e, T_HANG);
      }
    }
    if (k === FAIL) {
      if (ck === FAIL && cr === '') reason = this.text(e, T_FAIL);
      if (ff) {
        if (g.caught === true || g.fallback === true) {
          this.stop(e, 'catch');
          this.emit(fr, 'lost', e, T_LOST_CAUGHT);
        } else {
          this.emit(fr, 'crash', e, 0);
        }
        return;
      }
      if (g.fallback === true) {
        const breaker = g.circuitBreaker === true;
        this.stop(e, breaker ? 'circuit-breaker+fallback' : 'fallback');
        k = DEG;
        reason = this.text(e, breaker ? T_BREAKER_FALLBACK : T_FALLBACK);
      }
    }
    if (k > fr.k) {
      fr.k = k;
      fr.next = e.to;
      fr.reason = reason;
    }
    if ((k === FAIL || k === HANG) && e.order !== Infinity && e.order < fr.stop) fr.stop = e.order;
  }

  /** Evaluate `start` for entrypoint ordinal o (-1: no entrypoint, unlabelled edges only). */
  private evaluate(start: number, o: number): number {
    const ix = this.ix;
    const sc = this.sc;
    const { memoStamp, memoK, memoReason, gStamp, gK, gReason, gEvents, failedStamp, ancStamp } = this;
    const labelFree = ix.labelFree;
    const isEntrypoint = ix.isEntrypoint;
    const edges = ix.edges;
    const edgeTo = ix.edgeTo;
    const edgeOrder = ix.edgeOrder;
    this.o = o;
    this.st = ++this.stamp;
    const st = this.st;
    this.sp = 0;
    const startFree = labelFree[start] === 1;
    if (startFree && gStamp[start] === sc && gK[start] !== BUSY) return gK[start];
    this.open(start, startFree);
    const frames = this.frames;
    while (this.sp > 0) {
      const fr = frames[this.sp - 1];
      if (fr.pending) {
        const e = fr.pending;
        fr.pending = null;
        if (labelFree[e.to]) this.handle(fr, e, gK[e.to], gReason[e.to]);
        else this.handle(fr, e, memoK[e.to], memoReason[e.to]);
      }
      let descended = false;
      const arr = fr.arr;
      while (fr.i < fr.end) {
        const idx = arr[fr.i++];
        const c = edgeTo[idx];
        const isFailed = failedStamp[c] === sc;
        if (!isFailed && (ancStamp[c] !== sc || isEntrypoint[c])) continue;
        if (edgeOrder[idx] > fr.stop) continue;
        const e = edges[idx];
        if (isFailed) {
          if (c === this.f && this.readReplica && e.read) {
            this.stop(e, 'read-replica');
            this.emit(fr, 'ok', e, T_REPLICA);
            continue;
          }
          this.handle(fr, e, this.failedK, '');
          continue;
        }
        if (labelFree[c]) {
          if (gStamp[c] === sc) {
            if (gK[c] === BUSY) continue;
            const evs = gEvents[c];
            if (evs) {
              let sp: number[] | null = null;
              for (const ev of evs) {
                if (o >= 0) {
                  if (sp === null && this.needsPath(ev.kind)) sp = this.stackPath();
                  this.apply(ev.kind, ev.e, ev.note, ev.tail, sp ?? EMPTY_PATH);
                }
                if (fr.free) (fr.events ??= []).push({ ...ev, tail: [fr.n, ...ev.tail] });
              }
            }
            this.handle(fr, e, gK[c], gReason[c]);
            continue;
          }
          fr.pending = e;
          this.open(c, true);
          descended = true;
          break;
        }
        if (memoStamp[c] === st) {
          if (memoK[c] !== BUSY) this.handle(fr, e, memoK[c], memoReason[c]);
          continue;
        }
        fr.pending = e;
        this.open(c, false);
        descended = true;
        break;
      }
      if (descended) continue;
      const n = fr.n;
      if (fr.free) {
        gK[n] = fr.k;
        this.gNext[n] = fr.next;
        gReason[n] = fr.reason;
        gEvents[n] = fr.events;
      } else {
        memoK[n] = fr.k;
        this.memoNext[n] = fr.next;
        memoReason[n] = fr.reason;
      }
      if (fr.k !== OK && !isEntrypoint[n]) this.markNode(n, fr.k === DEG ? S_DEGRADED : S_DOWN);
      this.sp--;
      if (this.sp > 0 && fr.events) {
        const parent = frames[this.sp - 1];
        if (parent.free) for (const ev of fr.events) (parent.events ??= []).push({ ...ev, tail: [parent.n, ...ev.tail] });
      }
    }
    return startFree ? gK[start] : memoK[start];
  }

  private reasonOf(n: number): string {
    return this.ix.labelFree[n] ? this.gReason[n] : this.memoReason[n];
  }

  // --------------------------------------------------------------- scenario

  run(failed: string, mode: FailureMode, opts: SimOptions = {}): Scenario {
    const ix = this.ix;
    const f = ix.byId.get(failed);
    if (f === undefined) throw new Error(`unknown node: ${failed}`);
    const node = ix.nodes[f];

    // Redundancy absorbs a single-instance failure (outage only: a slowdown comes from
    // load or a shared dependency and hits every replica alike).
    const red = node.redundancy ?? {};
    if (mode === 'outage' && !opts.ignoreRedundancy) {
      const replicas = red.replicas ?? 1;
      if (replicas > 1 || red.multiAz === true) {
        const note =
          replicas > 1
            ? `${failed} has ${replicas} replicas: losing one instance is absorbed`
            : `${failed} has a multi-AZ standby: a single-instance failure fails over and is absorbed`;
        return {
          failed,
          mode,
          rings: [[failed]],
          entrypoints: { down: [], degraded: [], delayed: [], ok: this.epIds.slice() },
          paths: [],
          stoppedBy: [],
          lostSideEffects: [],
          why: {},
          absorbed: note,
          nodeStates: {},
          runtimeEffects: [],
        };
      }
    }

    const sc = ++this.sc;
    this.f = f;
    this.failedId = failed;
    this.replicaNote = undefined;
    this.failedK = mode === 'outage' ? FAIL : HANG;
    this.readReplica = mode === 'outage' && !opts.ignoreRedundancy && red.readReplica === true;
    this.touched = [];
    this.affList = [];
    this.stopped = new Map();
    this.lost = new Map();
    this.effects = [];

    // Failed set: the node, and for a runtime every entrypoint it serves.
    this.failedStamp[f] = sc;
    const failedEps: number[] = [];
    if (node.kind === 'runtime') failedEps.push(...(ix.runtimeEps.get(f) ?? []));
    else if (ix.epOrd[f] >= 0) failedEps.push(ix.epOrd[f]);
    for (const o of failedEps) this.failedStamp[ix.eps[o]] = sc;
    this.markAncestors(f, failedEps);

    // Candidate entrypoints: those whose labelled call graph reaches a failed node.
    let cands: number[] = ix.reachers[f];
    if (failedEps.length) {
      const set = new Set<number>(cands);
      for (const o of failedEps) for (const c of ix.reachers[ix.eps[o]]) set.add(c);
      for (const o of failedEps) set.delete(o);
      cands = [...set].sort(byNum);
    }
    for (const o of failedEps) {
      this.decide(
        o,
        S_DOWN,
        node.kind === 'runtime' ? [ix.eps[o], f] : [ix.eps[o]],
        node.kind === 'runtime'
          ? `runs on ${failed}, which is ${mode === 'outage' ? 'down' : 'hanging'}`
          : `${failed} itself is ${mode === 'outage' ? 'down' : 'hanging'}`,
      );
    }
    this.traceCandidates(cands);
    this.propagateDelays();

    // ---- assemble ----
    const touched = this.touchedInOrder();
    const { lists, why, paths, nonOkEps } = this.entrypointResults(touched);
    const rings = this.ringsOf(touched, nonOkEps);
    const scenario: Scenario = {
      failed,
      mode,
      rings,
      entrypoints: lists,
      paths,
      stoppedBy: this.stoppedResults(),
      lostSideEffects: this.lostResults(),
      why,
      nodeStates: this.nodeStatesOf(),
      runtimeEffects: this.effectResults(),
    };
    if (
      this.readReplica &&
      lists.down.length + lists.degraded.length + lists.delayed.length === 0 &&
      scenario.stoppedBy.some((x) => x.guard === 'read-replica')
    ) {
      scenario.absorbed = `${failed} has a read replica: every call that reaches it is a read, served by the replica`;
    }
    return scenario;
  }

  /** Ancestors: nodes that can reach a failed node (labels ignored: a superset). From the
   * precomputed bitsets when the node has one, else by a reverse BFS. */
  private markAncestors(f: number, failedEps: number[]): void {
    const ix = this.ix;
    const sc = this.sc;
    const ancStamp = this.ancStamp;
    const bit = ix.bitOf[f];
    if (bit >= 0 && failedEps.length === 0) {
      const N = ix.nodes.length;
      const W = ix.bitWords;
      const mask = 1 << (bit & 31);
      const bits = ix.reachBits;
      for (let n = 0, p = bit >> 5; n < N; n++, p += W) if (bits[p] & mask) ancStamp[n] = sc;
      return;
    }
    const failedStamp = this.failedStamp;
    const bfs: number[] = [f];
    ancStamp[f] = sc;
    for (const o of failedEps) {
      ancStamp[ix.eps[o]] = sc;
      bfs.push(ix.eps[o]);
    }
    for (let h = 0; h < bfs.length; h++) {
      const n = bfs[h];
      if (ix.isEntrypoint[n] && failedStamp[n] !== sc) continue;
      for (let k = ix.innOff[n], end = ix.innOff[n + 1]; k < end; k++) {
        const from = ix.innFrom[k];
        if (ancStamp[from] === sc) continue;
        ancStamp[from] = sc;
        bfs.push(from);
      }
    }
  }

  /** A crash or starvation takes every entrypoint of the trigger's runtimes down. */
  private runtimeWide(o: number, effect: Effect['effect'], trigger: number[], own: string, reason: (r: number) => string): void {
    const ix = this.ix;
    const sc = this.sc;
    if (this.stateOf(o) !== S_DOWN) this.decide(o, S_DOWN, trigger, own);
    // the nodes on the trigger path go down with the process
    for (let i = 1; i < trigger.length; i++) {
      if (this.failedStamp[trigger[i]] !== sc && !ix.isEntrypoint[trigger[i]]) this.markNode(trigger[i], S_DOWN);
    }
    for (const r of ix.epRuntimes[o]) {
      if (this.runtimeStamp[r] === sc) continue;
      this.runtimeStamp[r] = sc;
      this.markNode(r, S_DOWN);
      const fx: Effect = { r, effect, o, path: trigger, reason: reason(r), count: 0 };
      this.effects.push(fx);
      const idx = this.effects.length - 1;
      for (const o2 of ix.runtimeEps.get(r) ?? []) {
        if (o2 === o || this.stateOf(o2) === S_DOWN) continue;
        this.touch(o2);
        this.epState[o2] = S_DOWN;
        this.epVia[o2] = idx;
        this.epDecided[o2] = 0; // the runtime decides now, explained once in runtimeEffects
        fx.count++;
      }
    }
  }

  private runtimesAllDown(o: number): boolean {
    const rts = this.ix.epRuntimes[o];
    if (!rts.length) return false;
    for (const r of rts) if (this.runtimeStamp[r] !== this.sc) return false;
    return true;
  }

  /**
   * Each candidate's own call graph, with runtime-wide effects as they appear. A crash
   * (uncaught fire-and-forget that rejects) or starvation (a hanging call without a
   * timeout) takes the whole runtime down; candidates whose runtimes are all down that way
   * are not traced further (nothing in a crashed or starved process runs). Candidates go
   * in id order, so the first trigger per runtime is deterministic.
   */
  private traceCandidates(cands: number[]): void {
    const ix = this.ix;
    const ids = ix.ids;
    const failed = this.failedId;
    for (const o of cands) {
      if (this.runtimesAllDown(o)) continue;
      const start = ix.eps[o];
      this.firstCrash = null;
      const k = this.evaluate(start, o);
      const crash = this.firstCrash as Crash | null;
      if (k === OK) {
        this.touch(o);
        this.epDecided[o] = 1;
        this.epWhyPath[o] = this.epOkPath[o] ?? [];
        this.epWhyReason[o] = this.epOkNote[o] ?? `reaches ${failed}, but no call to it runs or has an effect in this scenario`;
      } else {
        const path = this.chain(start);
        const reason = this.reasonOf(start);
        if (k === DEG) this.decide(o, S_DEGRADED, path, reason);
        else if (k === FAIL) this.decide(o, S_DOWN, path, reason);
        else this.decide(o, S_DOWN, path, `${reason}: the request never completes and holds a slot of the shared pool`);
      }
      if (crash) {
        const label = `${ids[crash.edge.from]} → ${ids[crash.edge.to]}`;
        this.runtimeWide(
          o,
          'crash',
          crash.path,
          `fire-and-forget ${label} rejects with no catch: the unhandled rejection crashes the process`,
          (r) => `${ids[r]} crashes: fire-and-forget ${label} (reached from ${ids[ix.eps[o]]}) rejects with no catch`,
        );
      } else if (k === HANG) {
        this.runtimeWide(
          o,
          'starvation',
          this.epWhyPath[o] ?? [],
          this.epWhyReason[o],
          (r) => `${ids[r]}'s shared pool and event loop are exhausted by ${ids[ix.eps[o]]} hanging on ${failed} (no timeout)`,
        );
      }
    }
  }

  private decidingPath(o: number): number[] {
    if (this.epStamp[o] !== this.sc) return [];
    const via = this.epVia[o];
    if (via >= 0) {
      const fx = this.effects[via];
      return [this.ix.eps[o], fx.r, ...fx.path.slice(1)];
    }
    return this.epWhyPath[o] ?? [];
  }

  /** Work on a durable queue whose consumer is down or delayed waits: its enqueuers are delayed. */
  private propagateDelays(): void {
    const ix = this.ix;
    const ids = ix.ids;
    const sc = this.sc;
    const E = ix.eps.length;
    const queueBroken = new Map<number, boolean>();
    const isBroken = (q: number): boolean => {
      let b = queueBroken.get(q);
      if (b === undefined) {
        b = this.failedStamp[q] === sc ? true : this.ancStamp[q] !== sc ? false : this.evaluate(q, -1) !== OK;
        queueBroken.set(q, b);
      }
      return b;
    };
    const work = ix.consumerEps.filter((o) => this.stateOf(o) === S_DOWN);
    const queueDone = new Set<number>();
    // only ok entrypoints can become delayed: when few are left, walk them instead of the enqueuers
    let okLeft = E;
    for (const o of this.touched) if (this.epState[o] !== S_OK) okLeft--;
    let okEps: number[] | null = null;
    for (let h = 0; h < work.length && okLeft > 0; h++) {
      const w = work[h];
      for (const q of ix.consumesOf[w]) {
        if (queueDone.has(q) || isBroken(q)) continue;
        queueDone.add(q);
        this.markNode(q, S_DELAYED);
        const consumerPath = this.decidingPath(w);
        const enq = ix.enqueuers.get(q) ?? [];
        let targets: number[] = enq;
        if (okLeft * 8 < enq.length) {
          okEps = (okEps ?? ix.eps.map((_, o) => o)).filter((o) => this.stateOf(o) === S_OK);
          targets = okEps.filter((o) => sortedHas(ix.enqueues[o], q));
        }
        for (const o2 of targets) {
          if (this.stateOf(o2) !== S_OK) continue;
          const toQ = treePath(ix, o2, q);
          if (!toQ) continue;
          for (let i = 1; i < toQ.nodes.length - 1; i++) this.markNode(toQ.nodes[i], S_DELAYED);
          if (toQ.last) this.stop(toQ.last, 'durable-queue');
          this.decide(
            o2,
            S_DELAYED,
            [...toQ.nodes, ...consumerPath],
            `${ids[q]} holds the work durably, but its consumer ${ids[ix.eps[w]]} is ${STATE_NAMES[this.epState[w]]}: the work is delayed`,
          );
          okLeft--;
          if (ix.consumesOf[o2].length) work.push(o2);
        }
      }
    }
  }

  /** Touched entrypoint ordinals in id order (a scan when most are touched). */
  private touchedInOrder(): number[] {
    const E = this.ix.eps.length;
    if (this.touched.length * 16 <= E) return this.touched.slice().sort(byNum);
    const out: number[] = [];
    const epStamp = this.epStamp;
    const sc = this.sc;
    for (let o = 0; o < E; o++) if (epStamp[o] === sc) out.push(o);
    return out;
  }

  private entrypointResults(touched: number[]): {
    lists: Scenario['entrypoints'];
    why: NonNullable<Scenario['why']>;
    paths: string[][];
    nonOkEps: number;
  } {
    const ix = this.ix;
    const ids = ix.ids;
    const E = ix.eps.length;
    const { epState, epDecided, epWhyPath, epWhyReason, epIds } = this;
    let nonOkEps = 0;
    const byState: string[][] = [[], [], [], []]; // indexed by S_*; ok is built from slices
    const why: NonNullable<Scenario['why']> = {};
    const pathIdx: number[][] = [];
    const okParts: string[][] = [];
    let prev = 0;
    for (const o of touched) {
      const s = epState[o];
      if (s !== S_OK) {
        if (o > prev) okParts.push(epIds.slice(prev, o));
        prev = o + 1;
        byState[s].push(epIds[o]);
        nonOkEps++;
      }
      if (!epDecided[o]) continue;
      const p = epWhyPath[o] ?? [];
      why[epIds[o]] = { state: STATE_NAMES[s], path: p.map((n) => ids[n]), reason: epWhyReason[o] };
      if (s !== S_OK && p.length) {
        const client = ix.epClient[o];
        pathIdx.push(client >= 0 && p[0] === ix.eps[o] ? [client, ...p] : p);
      }
    }
    if (prev < E) okParts.push(prev === 0 ? epIds.slice() : epIds.slice(prev));
    const lists = {
      down: byState[S_DOWN],
      degraded: byState[S_DEGRADED],
      delayed: byState[S_DELAYED],
      ok: okParts.length === 1 ? okParts[0] : concatAll(okParts),
    };
    pathIdx.sort(cmpNums);
    const paths: string[][] = [];
    for (let i = 0; i < pathIdx.length; i++) {
      if (i > 0 && cmpNums(pathIdx[i], pathIdx[i - 1]) === 0) continue;
      paths.push(pathIdx[i].map((n) => ids[n]));
    }
    return { lists, why, paths, nonOkEps };
  }

  /**
   * Rings: BFS from the failed node through affected nodes (edges in either direction).
   * Affected: non-entrypoint nodes marked in affList, and entrypoints that are not ok.
   */
  private ringsOf(touched: number[], nonOkEps: number): string[][] {
    const ix = this.ix;
    const ids = ix.ids;
    const f = this.f;
    const sc = this.sc;
    const { ringStamp, ringDist, affStamp, epStamp, epState } = this;
    const epOrd = ix.epOrd;
    const adjOff = ix.adjOff;
    const adjTo = ix.adjTo;
    ringStamp[f] = sc;
    ringDist[f] = 0;
    const rq = [f];
    let unplaced =
      this.affList.length - (affStamp[f] === sc ? 1 : 0) + nonOkEps - (epOrd[f] >= 0 && this.stateOf(epOrd[f]) !== S_OK ? 1 : 0);
    for (let h = 0; h < rq.length && unplaced > 0; h++) {
      const n = rq[h];
      const d = ringDist[n] + 1;
      for (let k = adjOff[n], end = adjOff[n + 1]; k < end; k++) {
        const m = adjTo[k];
        if (ringStamp[m] === sc) continue;
        if (affStamp[m] !== sc) {
          const om = epOrd[m];
          if (om < 0 || epStamp[om] !== sc || epState[om] === S_OK) continue;
        }
        ringStamp[m] = sc;
        ringDist[m] = d;
        rq.push(m);
        unplaced--;
      }
    }
    // rq is in ring order: cut it into rings, each sorted (node index order = id order)
    const rings: string[][] = [];
    for (let a = 0; a < rq.length; ) {
      let b = a;
      while (b < rq.length && ringDist[rq[b]] === ringDist[rq[a]]) b++;
      rings.push(idsSorted(rq, a, b, ids));
      a = b;
    }
    const stray = this.affList.filter((n) => n !== f && ringStamp[n] !== sc);
    if (unplaced > 0) {
      for (const o of touched) if (epState[o] !== S_OK && ringStamp[ix.eps[o]] !== sc && ix.eps[o] !== f) stray.push(ix.eps[o]);
    }
    if (stray.length) rings.push(idsSorted(stray, 0, stray.length, ids));
    return rings;
  }

  private nodeStatesOf(): Record<string, EntrypointState> {
    const ix = this.ix;
    const f = this.f;
    const nodeStates: Record<string, EntrypointState> = {};
    const nonEp = this.affList.filter((x) => x !== f && !ix.isEntrypoint[x]);
    const sorted = new Uint32Array(nonEp.length);
    for (let i = 0; i < nonEp.length; i++) sorted[i] = nonEp[i];
    sorted.sort();
    for (let i = 0; i < sorted.length; i++) nodeStates[ix.ids[sorted[i]]] = STATE_NAMES[this.affState[sorted[i]]];
    return nodeStates;
  }

  private stoppedResults(): StoppedBy[] {
    const ids = this.ix.ids;
    const list: StoppedBy[] = [...this.stopped.values()]
      .map(({ e, guard }) => ({ from: ids[e.from], to: ids[e.to], guard, evidence: sortEvidence(e.edge.evidence) }))
      .sort((a, b) => cmpStr(a.from, b.from) || cmpStr(a.to, b.to) || cmpStr(a.guard, b.guard));
    return list.filter(
      (s, i) => i === 0 || !(s.from === list[i - 1].from && s.to === list[i - 1].to && s.guard === list[i - 1].guard),
    );
  }

  /** Lost side effects: only where the loss is silent (the entrypoint is not down). */
  private lostResults(): NonNullable<Scenario['lostSideEffects']> {
    const ids = this.ix.ids;
    const merged = new Map<string, { from: string; to: string; eps: Set<string>; evidence: Evidence[] }>();
    for (const { e, eps } of this.lost.values()) {
      const live = [...eps].filter((o) => this.stateOf(o) !== S_DOWN);
      if (!live.length) continue;
      const key = `${ids[e.from]}\u0000${ids[e.to]}`;
      let m = merged.get(key);
      if (!m) merged.set(key, (m = { from: ids[e.from], to: ids[e.to], eps: new Set(), evidence: [] }));
      for (const o of live) m.eps.add(this.epIds[o]);
      m.evidence.push(...(e.edge.evidence ?? []));
    }
    return [...merged.values()]
      .map((m) => ({ from: m.from, to: m.to, entrypoints: [...m.eps].sort(cmpStr), evidence: sortEvidence(m.evidence) }))
      .sort((a, b) => cmpStr(a.from, b.from) || cmpStr(a.to, b.to));
  }

  private effectResults(): RuntimeEffect[] {
    const ids = this.ix.ids;
    return this.effects
      .map((fx) => ({
        runtime: ids[fx.r],
        effect: fx.effect,
        trigger: this.epIds[fx.o],
        path: fx.path.map((n) => ids[n]),
        reason: fx.reason,
        entrypoints: fx.count,
      }))
      .sort((a, b) => cmpStr(a.runtime, b.runtime));
  }
}

export function sortEvidence(ev: Evidence[] | undefined): Evidence[] {
  const list = [...(ev ?? [])].sort((a, b) => cmpStr(a.file, b.file) || a.line - b.line);
  return list.filter((x, i) => i === 0 || x.file !== list[i - 1].file || x.line !== list[i - 1].line);
}
