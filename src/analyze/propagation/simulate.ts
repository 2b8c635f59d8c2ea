// One failure scenario: fail one node (outage or slowdown) and propagate along the
// entrypoints' traced call paths. Semantics: ./README.md and DESIGN.md "Propagation
// semantics". Pure: no I/O, no node:* imports.
//
// Cost per scenario is proportional to what it touches (the entrypoints reaching the
// failed node, the part of their call graphs that reaches it, the affected nodes and
// their neighbours) plus one pass over the entrypoints (the lists) and one over the nodes
// (the rings), both in id order: every scratch array is allocated once per Simulator and
// validated by stamps, and the output lists are allocated at their final size.

import type { EntrypointState, Evidence, FailureMode, RuntimeEffect, Scenario, StoppedBy } from '../../model/types.js';
import {
  cmpStr,
  findIn,
  treePath,
  F_BREAKER,
  F_CAUGHT,
  F_FALLBACK,
  F_FIRE_AND_FORGET,
  F_TIMEOUT,
  EntrypointReach,
  type IEdge,
  type Index,
} from './graph.js';

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
// guards that stop a cascade (StoppedBy.guard), by code
const G_FALLBACK = 0;
const G_BREAKER_FALLBACK = 1;
const G_BREAKER = 2;
const G_TIMEOUT = 3;
const G_CATCH = 4;
const G_REPLICA = 5;
const G_QUEUE = 6;
const GUARD_NAMES = [
  'fallback',
  'circuit-breaker+fallback',
  'circuit-breaker',
  'timeout',
  'catch',
  'read-replica',
  'durable-queue',
];

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

/**
 * A plain object for many keys that differ from object to object (why, nodeStates).
 * V8 gives an object literal a new hidden class per added key until it gives up and
 * switches to a hash table; deleting a key that is not the last one switches at once.
 * Same object, same JSON; only the building is cheaper.
 */
function manyKeys<T>(): Record<string, T> {
  const o: Record<string, unknown> = { a: 0, b: 0 };
  delete o.a;
  delete o.b;
  return o as Record<string, T>;
}

function idsOf(path: number[], ids: string[]): string[] {
  const out: string[] = new Array(path.length);
  for (let i = 0; i < path.length; i++) out[i] = ids[path[i]];
  return out;
}

function sortedHas(list: ArrayLike<number>, x: number): boolean {
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
  /** per node: 2·sc+1 affected and not placed in a ring yet, 2·sc+2 placed (see ringsOf) */
  private readonly ringMark: Int32Array;
  private readonly ringDist: Int32Array;
  private readonly runtimeStamp: Int32Array;
  /** per entrypoint: sc when listed (or excluded) by reachersOfAll */
  private readonly candStamp: Int32Array;
  /** runtimes stamped in runtimeStamp this scenario */
  private runtimesDown = 0;
  // per queue node, valid when queueStamp === sc: broken (1) or not (0); queueDone === sc once handled
  private readonly queueStamp: Int32Array;
  private readonly queueState: Uint8Array;
  private readonly queueDone: Int32Array;
  // per entrypoint, valid when epStamp === sc
  private readonly epStamp: Int32Array;
  private readonly epState: Uint8Array;
  private readonly epDecided: Uint8Array;
  private readonly epVia: Int32Array;
  // valid when epDecided (set together by decide)
  private readonly epWhyPath: number[][];
  private readonly epWhyReason: string[];
  // the first ok-note (lost side effect, read replica) and its path, valid when epOkStamp === sc
  private readonly epOkStamp: Int32Array;
  private readonly epOkNote: string[];
  private readonly epOkPath: number[][];
  /** per entrypoint: its runtime when it has exactly one, else -1 */
  private readonly epRuntime: Int32Array;
  private readonly frames: Frame[] = [];
  /** (edge index * 8 + guard code) → sc when recorded in stoppedKeys */
  private readonly stopStamp: Int32Array;
  /** the decided entrypoints, in id order (entrypointLists → whyAndPaths) */
  private readonly decidedBuf: Int32Array;
  private readonly sortBuf: Uint32Array;
  // ringsOf's BFS: the placed nodes in order, ring d at queue[levelStart[d] .. levelStart[d + 1])
  private readonly queue: Uint32Array;
  private readonly levelStart: Uint32Array;
  private readonly levelFill: Uint32Array;
  // propagateDelays: ok entrypoints left, and the last list of them when one was needed
  private okLeft = 0;
  private okEps: number[] | null = null;

  private stamp = 0;
  private sc = 0;
  // current scenario
  private f = -1;
  private failedId = '';
  private failedK = FAIL;
  private readReplica = false;
  /** entrypoints touched in this scenario: touched[0 .. nTouched) */
  private readonly touched: Int32Array;
  private nTouched = 0;
  private affList: number[] = [];
  /** stopping guards, as edge index * 8 + guard code, in the order found */
  private stoppedKeys: number[] = [];
  private effects: Effect[] = [];
  /** reasons and notes per edge (they depend on the edge only) */
  private readonly texts = new Map<number, string>();
  /** sorted evidence per edge index (see edgeEvidence) */
  private readonly evidence: (Evidence[] | undefined)[];
  private replicaNote: string | undefined;
  /** per entrypoint, what each node of its graph reaches (null: too big to keep) */
  private readonly reach: EntrypointReach | null;
  /** the failed node's word and mask in reach.bits, or bitWord -1 when that does not apply */
  private bitWord = -1;
  private bitMask = 0;
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
    this.ringMark = new Int32Array(N);
    this.ringDist = new Int32Array(N);
    this.runtimeStamp = new Int32Array(N);
    this.candStamp = new Int32Array(E);
    this.queueStamp = new Int32Array(N);
    this.queueState = new Uint8Array(N);
    this.queueDone = new Int32Array(N);
    this.epStamp = new Int32Array(E);
    this.epState = new Uint8Array(E);
    this.epDecided = new Uint8Array(E);
    this.epVia = new Int32Array(E);
    this.epWhyPath = new Array<number[]>(E).fill(EMPTY_PATH);
    this.epWhyReason = new Array<string>(E).fill('');
    this.epOkStamp = new Int32Array(E);
    this.epOkNote = new Array<string>(E).fill('');
    this.epOkPath = new Array<number[]>(E).fill(EMPTY_PATH);
    this.epRuntime = Int32Array.from(ix.epRuntimes, (rts) => (rts.length === 1 ? rts[0] : -1));
    this.touched = new Int32Array(E);
    this.stopStamp = new Int32Array(ix.edges.length * 8);
    this.decidedBuf = new Int32Array(E);
    this.sortBuf = new Uint32Array(N);
    this.queue = new Uint32Array(N);
    this.levelStart = new Uint32Array(N + 2);
    this.levelFill = new Uint32Array(N + 1);
    this.reach = EntrypointReach.create(ix);
    this.evidence = new Array<Evidence[] | undefined>(ix.edges.length).fill(undefined);
  }

  // ---------------------------------------------------------------- helpers

  private touch(o: number): void {
    if (this.epStamp[o] === this.sc) return;
    this.epStamp[o] = this.sc;
    this.epState[o] = S_OK;
    this.epDecided[o] = 0;
    this.epVia[o] = -1;
    this.touched[this.nTouched++] = o;
  }

  private hasOkNote(o: number): boolean {
    return this.epOkStamp[o] === this.sc;
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

  private stop(e: IEdge, guard: number): void {
    const key = e.idx * 8 + guard;
    if (this.stopStamp[key] === this.sc) return;
    this.stopStamp[key] = this.sc;
    this.stoppedKeys.push(key);
  }

  // ------------------------------------------------------------- evaluation

  /** Push a frame for n; `pos` is n's position in the current entrypoint's graph (-1: look it up). */
  private open(n: number, free: boolean, pos: number): Frame {
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
      if (pos < 0) pos = findIn(ix.rNodes, n, ix.rStart[this.o], ix.rStart[this.o + 1]);
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
    return kind === 'crash' ? this.firstCrash === null : !this.hasOkNote(o);
  }

  /**
   * Record an event for the entrypoint being evaluated. Its full path is `prefix` (the
   * stack when null) followed by `tail`, and is built only when needed.
   */
  private apply(kind: Ev['kind'], e: IEdge, note: string, tail: number[], prefix: number[] | null): void {
    const o = this.o;
    if (o < 0) return;
    if (kind === 'crash') {
      if (this.firstCrash === null) this.firstCrash = { o, edge: e, path: (prefix ?? this.stackPath()).concat(tail) };
      return;
    }
    if (kind === 'lost') {
      let l = this.lost.get(e.idx);
      if (!l) this.lost.set(e.idx, (l = { e, eps: new Set() }));
      l.eps.add(o);
    }
    this.touch(o);
    if (!this.hasOkNote(o)) {
      this.epOkStamp[o] = this.sc;
      this.epOkNote[o] = note;
      this.epOkPath[o] = (prefix ?? this.stackPath()).concat(tail);
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
    if (fr.free) (fr.events ??= []).push({ kind, e, note, tail: [fr.n].concat(tail) });
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
        t = `fire-and-forget ${label} fails and its rejection is caught: the side effect is lost`;
    }
    this.texts.set(key, t);
    return t;
  }

  /** The caller fr sees outcome ck (with reason cr) through edge e. */
  private handle(fr: Frame, e: IEdge, ck: number, cr: string): void {
    if (ck === OK) return;
    const flags = this.ix.edgeFlags[e.idx];
    const ff = (flags & F_FIRE_AND_FORGET) !== 0;
    let k = ck;
    let reason = cr;
    if (ck === DEG) {
      if (ff) return; // the side effect happens, degraded; nobody waits for it
    } else if (ck === HANG) {
      if ((flags & (F_TIMEOUT | F_BREAKER)) !== 0) {
        k = FAIL;
        const timeout = (flags & F_TIMEOUT) !== 0;
        this.stop(e, timeout ? G_TIMEOUT : G_BREAKER);
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
        if ((flags & (F_CAUGHT | F_FALLBACK)) !== 0) {
          this.stop(e, G_CATCH);
          this.emit(fr, 'lost', e, T_LOST_CAUGHT);
        } else {
          this.emit(fr, 'crash', e, 0);
        }
        return;
      }
      if ((flags & F_FALLBACK) !== 0) {
        const breaker = (flags & F_BREAKER) !== 0;
        this.stop(e, breaker ? G_BREAKER_FALLBACK : G_FALLBACK);
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
    this.open(start, startFree, -1);
    const frames = this.frames;
    // an entrypoint's own frames skip the callees that cannot reach the failed node
    // through its edges (their outcome is ok, with no event)
    const rEdgePos = ix.rEdgePos;
    const W = ix.bitWords;
    const bitWord = this.bitWord;
    const bitMask = this.bitMask;
    const rBits = bitWord >= 0 && o >= 0 ? this.reach!.of(o) : EMPTY;
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
      // in the entrypoint's own graph (rEdges) each edge knows its target's position
      const own = o >= 0 && !fr.free;
      const prune = own && bitWord >= 0;
      // the cursor is a local (written back before descending); fr.stop is re-read as handle() lowers it
      const end = fr.end;
      let k = fr.i;
      while (k < end) {
        // in the entrypoint's own graph, most edges lead where the failed node is out of
        // reach: test that first, from the edge's position alone
        const pc = own ? rEdgePos[k] : -1;
        if (prune && (rBits[pc * W + bitWord] & bitMask) === 0) {
          k++;
          continue;
        }
        const idx = arr[k++];
        const c = edgeTo[idx];
        const isFailed = failedStamp[c] === sc;
        if (!isFailed && (ancStamp[c] !== sc || isEntrypoint[c])) continue;
        if (edgeOrder[idx] > fr.stop) continue;
        const e = edges[idx];
        if (isFailed) {
          if (c === this.f && this.readReplica && e.read) {
            this.stop(e, G_REPLICA);
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
                if (fr.free) (fr.events ??= []).push({ kind: ev.kind, e: ev.e, note: ev.note, tail: [fr.n].concat(ev.tail) });
              }
            }
            this.handle(fr, e, gK[c], gReason[c]);
            continue;
          }
          fr.pending = e;
          fr.i = k;
          this.open(c, true, -1);
          descended = true;
          break;
        }
        if (memoStamp[c] === st) {
          if (memoK[c] !== BUSY) this.handle(fr, e, memoK[c], memoReason[c]);
          continue;
        }
        fr.pending = e;
        fr.i = k;
        this.open(c, false, pc);
        descended = true;
        break;
      }
      if (descended) continue;
      fr.i = k;
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
        if (parent.free) {
          for (const ev of fr.events) {
            (parent.events ??= []).push({ kind: ev.kind, e: ev.e, note: ev.note, tail: [parent.n].concat(ev.tail) });
          }
        }
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
    this.nTouched = 0;
    this.runtimesDown = 0;
    this.affList = [];
    this.stoppedKeys = [];
    this.lost = new Map();
    this.effects = [];

    // Failed set: the node, and for a runtime every entrypoint it serves.
    this.failedStamp[f] = sc;
    const failedEps: number[] = [];
    if (node.kind === 'runtime') failedEps.push(...(ix.runtimeEps.get(f) ?? []));
    else if (ix.epOrd[f] >= 0) failedEps.push(ix.epOrd[f]);
    for (const o of failedEps) this.failedStamp[ix.eps[o]] = sc;
    this.markAncestors(f, failedEps);
    const bit = ix.bitOf[f];
    this.bitWord = bit >= 0 && failedEps.length === 0 && this.reach !== null ? bit >> 5 : -1;
    this.bitMask = bit >= 0 ? 1 << (bit & 31) : 0;

    // Candidate entrypoints: those whose labelled call graph reaches a failed node.
    const cands = failedEps.length
      ? this.reachersOfAll(f, failedEps)
      : ix.reachAll.subarray(ix.reachOff[f], ix.reachOff[f + 1]);
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
    const { lists, nDecided } = this.entrypointLists();
    const { why, paths } = this.whyAndPaths(nDecided);
    const rings = this.ringsOf();
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

  /** The entrypoints (sorted) that reach f or a failed entrypoint, failed ones excluded. */
  private reachersOfAll(f: number, failedEps: number[]): number[] {
    const ix = this.ix;
    const sc = this.sc;
    const seen = this.candStamp;
    for (let i = 0; i < failedEps.length; i++) seen[failedEps[i]] = sc; // excluded
    const out: number[] = [];
    const add = (n: number): void => {
      for (let k = ix.reachOff[n], end = ix.reachOff[n + 1]; k < end; k++) {
        const o = ix.reachAll[k];
        if (seen[o] === sc) continue;
        seen[o] = sc;
        out.push(o);
      }
    };
    add(f);
    for (let i = 0; i < failedEps.length; i++) add(ix.eps[failedEps[i]]);
    return out.sort(byNum);
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
  private runtimeWide(o: number, effect: Effect['effect'], trigger: number[], crashEdge: IEdge | null): void {
    const ix = this.ix;
    const sc = this.sc;
    if (this.stateOf(o) !== S_DOWN) this.decide(o, S_DOWN, trigger, this.effectReason(effect, -1, o, crashEdge));
    // the nodes on the trigger path go down with the process
    for (let i = 1; i < trigger.length; i++) {
      if (this.failedStamp[trigger[i]] !== sc && !ix.isEntrypoint[trigger[i]]) this.markNode(trigger[i], S_DOWN);
    }
    const rts = ix.epRuntimes[o];
    for (let i = 0; i < rts.length; i++) {
      const r = rts[i];
      if (this.runtimeStamp[r] === sc) continue;
      this.runtimeStamp[r] = sc;
      this.runtimesDown++;
      this.markNode(r, S_DOWN);
      const fx: Effect = { r, effect, o, path: trigger, reason: this.effectReason(effect, r, o, crashEdge), count: 0 };
      this.effects.push(fx);
      fx.count = this.downRuntime(r, o, this.effects.length - 1);
    }
  }

  /**
   * Why a crash or starvation happens: for the trigger entrypoint o (r = -1), or for
   * runtime r. Built only when used: most crashes found hit a runtime already down.
   */
  private effectReason(effect: Effect['effect'], r: number, o: number, crashEdge: IEdge | null): string {
    const ids = this.ix.ids;
    if (effect === 'starvation') {
      if (r < 0) return this.epWhyReason[o];
      const trigger = ids[this.ix.eps[o]];
      return `${ids[r]}'s shared pool and event loop are exhausted by ${trigger} hanging on ${this.failedId} (no timeout)`;
    }
    const label = `${ids[crashEdge!.from]} → ${ids[crashEdge!.to]}`;
    if (r < 0) return `fire-and-forget ${label} rejects with no catch: the unhandled rejection crashes the process`;
    return `${ids[r]} crashes: fire-and-forget ${label} (reached from ${ids[this.ix.eps[o]]}) rejects with no catch`;
  }

  /** Every entrypoint of runtime r but the trigger o goes down through effect idx; returns how many did. */
  private downRuntime(r: number, o: number, idx: number): number {
    const sc = this.sc;
    const { epStamp, epState, epVia, epDecided, touched } = this;
    let nTouched = this.nTouched;
    let count = 0;
    const list = this.ix.runtimeEps.get(r) ?? [];
    for (let i = 0; i < list.length; i++) {
      const o2 = list[i];
      if (o2 === o) continue;
      if (epStamp[o2] !== sc) {
        epStamp[o2] = sc; // touch(o2), inlined: this loop sets most of the entrypoints of a big model
        touched[nTouched++] = o2;
      } else if (epState[o2] === S_DOWN) continue;
      epState[o2] = S_DOWN;
      epVia[o2] = idx;
      epDecided[o2] = 0; // the runtime decides now, explained once in runtimeEffects
      count++;
    }
    this.nTouched = nTouched;
    return count;
  }

  private runtimesAllDown(o: number): boolean {
    const one = this.epRuntime[o];
    if (one >= 0) return this.runtimeStamp[one] === this.sc; // the common case: checked for every candidate
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
   * in id order, so the first trigger per runtime is deterministic. Once every runtime is
   * down, only the candidates on no runtime are left: they are picked out of the short
   * list of such entrypoints instead of skipping the rest one by one.
   */
  private traceCandidates(cands: ArrayLike<number>): void {
    const ix = this.ix;
    for (let i = 0; i < cands.length; i++) {
      if (this.runtimesDown === ix.runtimeEps.size) {
        // every runtime is down: only the candidates that run on none are left to trace
        const rest = ix.noRuntimeEps;
        for (let j = 0; j < rest.length; j++) if (rest[j] >= cands[i] && sortedHas(cands, rest[j])) this.trace(rest[j]);
        return;
      }
      if (!this.runtimesAllDown(cands[i])) this.trace(cands[i]);
    }
  }

  /** Trace candidate o: decide it, and apply the runtime-wide effect it triggers. */
  private trace(o: number): void {
    const start = this.ix.eps[o];
    this.firstCrash = null;
    const k = this.evaluate(start, o);
    const crash = this.firstCrash as Crash | null;
    if (k === OK) {
      const noted = this.hasOkNote(o);
      this.decide(
        o,
        this.stateOf(o),
        noted ? this.epOkPath[o] : [],
        noted ? this.epOkNote[o] : `reaches ${this.failedId}, but no call to it runs or has an effect in this scenario`,
      );
    } else {
      const path = this.chain(start);
      const reason = this.reasonOf(start);
      if (k === DEG) this.decide(o, S_DEGRADED, path, reason);
      else if (k === FAIL) this.decide(o, S_DOWN, path, reason);
      else this.decide(o, S_DOWN, path, `${reason}: the request never completes and holds a slot of the shared pool`);
    }
    if (crash) this.runtimeWide(o, 'crash', crash.path, crash.edge);
    else if (k === HANG) this.runtimeWide(o, 'starvation', this.epWhyPath[o], null);
  }

  private decidingPath(o: number): number[] {
    if (this.epStamp[o] !== this.sc) return [];
    const via = this.epVia[o];
    if (via >= 0) {
      const fx = this.effects[via];
      return [this.ix.eps[o], fx.r].concat(fx.path.slice(1));
    }
    return this.epDecided[o] ? this.epWhyPath[o] : [];
  }

  /** Is queue q broken (failed, or fails for its consumers)? Memoised per scenario. */
  private queueBroken(q: number): boolean {
    const sc = this.sc;
    if (this.queueStamp[q] !== sc) {
      this.queueStamp[q] = sc;
      this.queueState[q] =
        this.failedStamp[q] === sc ? 1 : this.ancStamp[q] !== sc ? 0 : this.evaluate(q, -1) !== OK ? 1 : 0;
    }
    return this.queueState[q] === 1;
  }

  /** Work on a durable queue whose consumer is down or delayed waits: its enqueuers are delayed. */
  private propagateDelays(): void {
    const ix = this.ix;
    const sc = this.sc;
    const work: number[] = [];
    for (let i = 0; i < ix.consumerEps.length; i++) if (this.stateOf(ix.consumerEps[i]) === S_DOWN) work.push(ix.consumerEps[i]);
    if (!work.length) return;
    // only ok entrypoints can become delayed: when few are left, walk them instead of the enqueuers
    this.okLeft = ix.eps.length;
    for (let i = 0; i < this.nTouched; i++) if (this.epState[this.touched[i]] !== S_OK) this.okLeft--;
    this.okEps = null;
    for (let h = 0; h < work.length && this.okLeft > 0; h++) {
      const w = work[h];
      const queues = ix.consumesOf[w];
      for (let i = 0; i < queues.length; i++) {
        const q = queues[i];
        if (this.queueDone[q] === sc || this.queueBroken(q)) continue;
        this.queueDone[q] = sc;
        this.markNode(q, S_DELAYED);
        this.delayEnqueuers(q, w, work);
      }
    }
  }

  /** The ok entrypoints that enqueue to q, whose consumer w is down or delayed, are delayed (and their consumers join `work`). */
  private delayEnqueuers(q: number, w: number, work: number[]): void {
    const ix = this.ix;
    const ids = ix.ids;
    const consumerPath = this.decidingPath(w);
    const consumer = `${ids[ix.eps[w]]} is ${STATE_NAMES[this.epState[w]]}`;
    const reason = `${ids[q]} holds the work durably, but its consumer ${consumer}: the work is delayed`;
    const enq = ix.enqueuers.get(q) ?? [];
    const targets = this.okLeft * 8 < enq.length ? this.okEnqueuers(q) : enq;
    for (let i = 0; i < targets.length; i++) {
      const o2 = targets[i];
      if (this.stateOf(o2) !== S_OK) continue;
      const toQ = treePath(ix, o2, q);
      if (!toQ) continue;
      for (let j = 1; j < toQ.nodes.length - 1; j++) this.markNode(toQ.nodes[j], S_DELAYED);
      if (toQ.last) this.stop(toQ.last, G_QUEUE);
      this.decide(o2, S_DELAYED, toQ.nodes.concat(consumerPath), reason);
      this.okLeft--;
      if (ix.consumesOf[o2].length) work.push(o2);
    }
  }

  /** The ok entrypoints that enqueue to q, in id order (states only get worse: filtering the last list is enough). */
  private okEnqueuers(q: number): number[] {
    const ix = this.ix;
    const base = this.okEps ?? ix.eps.map((_, o) => o);
    const okEps: number[] = [];
    for (let i = 0; i < base.length; i++) if (this.stateOf(base[i]) === S_OK) okEps.push(base[i]);
    this.okEps = okEps;
    const targets: number[] = [];
    for (let i = 0; i < okEps.length; i++) if (sortedHas(ix.enqueues[okEps[i]], q)) targets.push(okEps[i]);
    return targets;
  }

  /**
   * The entrypoint lists, in one pass over the entrypoints in id order (the ok list is a
   * copy of most of that list anyway), each allocated at its final size: in a big model
   * they hold most of the output. The decided entrypoints go to decidedBuf[0 .. nDecided),
   * in id order, for whyAndPaths.
   */
  private entrypointLists(): { lists: Scenario['entrypoints']; nDecided: number } {
    const E = this.ix.eps.length;
    const sc = this.sc;
    const { epStamp, epState, epDecided, epIds, touched, nTouched, decidedBuf } = this;
    let nDelayed = 0;
    let nDegraded = 0;
    let nDown = 0;
    for (let i = 0; i < nTouched; i++) {
      const s = epState[touched[i]];
      if (s === S_DOWN) nDown++;
      else if (s === S_DEGRADED) nDegraded++;
      else if (s === S_DELAYED) nDelayed++;
    }
    const ok: string[] = new Array(E - nDown - nDegraded - nDelayed);
    const delayed: string[] = new Array(nDelayed);
    const degraded: string[] = new Array(nDegraded);
    const down: string[] = new Array(nDown);
    let okN = 0;
    let delayedN = 0;
    let degradedN = 0;
    let downN = 0;
    let nDecided = 0;
    for (let o = 0; o < E; o++) {
      if (epStamp[o] !== sc) {
        ok[okN++] = epIds[o];
        continue;
      }
      const s = epState[o];
      if (s === S_DOWN) down[downN++] = epIds[o];
      else if (s === S_OK) ok[okN++] = epIds[o];
      else if (s === S_DEGRADED) degraded[degradedN++] = epIds[o];
      else delayed[delayedN++] = epIds[o];
      if (epDecided[o]) decidedBuf[nDecided++] = o;
    }
    return { lists: { down, degraded, delayed, ok }, nDecided };
  }

  /** `why` for the decided entrypoints (decidedBuf[0 .. n), id order) and the deduplicated `paths` of those not ok. */
  private whyAndPaths(n: number): { why: NonNullable<Scenario['why']>; paths: string[][] } {
    const ix = this.ix;
    const ids = ix.ids;
    const { epState, epWhyPath, epWhyReason, epIds, decidedBuf } = this;
    const why: NonNullable<Scenario['why']> = manyKeys();
    const pathIdx: number[][] = [];
    for (let i = 0; i < n; i++) {
      const o = decidedBuf[i];
      const s = epState[o];
      const p = epWhyPath[o];
      why[epIds[o]] = { state: STATE_NAMES[s], path: idsOf(p, ids), reason: epWhyReason[o] };
      if (s === S_OK || !p.length) continue;
      // the client calling the entrypoint starts its path
      const client = ix.epClient[o];
      pathIdx.push(client >= 0 && p[0] === ix.eps[o] ? [client].concat(p) : p);
    }
    pathIdx.sort(cmpNums);
    const paths: string[][] = [];
    for (let i = 0; i < pathIdx.length; i++) {
      if (i > 0 && cmpNums(pathIdx[i], pathIdx[i - 1]) === 0) continue;
      paths.push(idsOf(pathIdx[i], ids));
    }
    return { why, paths };
  }

  /**
   * Rings: BFS from the failed node through affected nodes (edges in either direction).
   * Affected: non-entrypoint nodes marked in affList, and entrypoints that are not ok.
   * ringMark holds one stamp per node, so that a BFS step is one load: 2·sc+1 for an
   * affected node not placed yet, 2·sc+2 for a placed one.
   */
  private ringsOf(): string[][] {
    const f = this.f;
    const { ringMark, ringDist, levelStart, queue } = this;
    const adjOff = this.ix.adjOff;
    const adjTo = this.ix.adjTo;
    const UNPLACED = 2 * this.sc + 1;
    const PLACED = UNPLACED + 1;
    ringMark[f] = PLACED;
    ringDist[f] = 0;
    queue[0] = f;
    let qn = 1;
    let unplaced = this.markUnplaced(UNPLACED);
    let levels = 1; // ring d is queue[levelStart[d] .. levelStart[d + 1])
    levelStart[0] = 0;
    for (let a = 0, b = 1; a < b && unplaced > 0; a = b, b = qn) {
      // level `levels` = the unplaced neighbours of level levels - 1 = queue[a .. b)
      for (let h = a; h < b && unplaced > 0; h++) {
        const n = queue[h];
        for (let k = adjOff[n], end = adjOff[n + 1]; k < end; k++) {
          const m = adjTo[k];
          if (ringMark[m] !== UNPLACED) continue;
          ringMark[m] = PLACED;
          ringDist[m] = levels;
          queue[qn++] = m;
          unplaced--;
        }
      }
      if (qn > b) levelStart[levels++] = b;
    }
    levelStart[levels] = qn;
    const rings = this.ringLists(levels, PLACED);
    if (unplaced > 0) rings.push(this.strayRing(UNPLACED));
    return rings;
  }

  /** Mark the affected nodes (but the failed one) UNPLACED; returns how many there are. */
  private markUnplaced(UNPLACED: number): number {
    const ix = this.ix;
    const f = this.f;
    const { ringMark, touched, nTouched, epState, affList } = this;
    const eps = ix.eps;
    let unplaced = 0;
    for (let i = 0; i < affList.length; i++) {
      const n = affList[i];
      if (ringMark[n] === UNPLACED || n === f) continue;
      ringMark[n] = UNPLACED;
      unplaced++;
    }
    for (let i = 0; i < nTouched; i++) {
      const n = eps[touched[i]];
      if (epState[touched[i]] === S_OK || ringMark[n] === UNPLACED || n === f) continue;
      ringMark[n] = UNPLACED;
      unplaced++;
    }
    return unplaced;
  }

  /**
   * Rings 0 .. levels - 1 as id lists, each sorted by node index (= by id): one scan of
   * the nodes fills them all in order, which costs less than sorting each ring when the
   * rings hold a good part of the model, and about as little as the ok list otherwise.
   */
  private ringLists(levels: number, placed: number): string[][] {
    const ids = this.ix.ids;
    const { ringMark, ringDist, levelStart, levelFill } = this;
    const rings: string[][] = new Array(levels);
    for (let r = 0; r < levels; r++) {
      rings[r] = new Array(levelStart[r + 1] - levelStart[r]);
      levelFill[r] = 0;
    }
    for (let n = 0; n < ids.length; n++) {
      if (ringMark[n] !== placed) continue;
      const d = ringDist[n];
      rings[d][levelFill[d]++] = ids[n];
    }
    return rings;
  }

  /** Affected nodes the BFS cannot reach (still UNPLACED) form a last ring. */
  private strayRing(UNPLACED: number): string[] {
    const { ringMark, affList, touched, nTouched, sortBuf } = this;
    let n = 0;
    for (let i = 0; i < affList.length; i++) if (ringMark[affList[i]] === UNPLACED) sortBuf[n++] = affList[i];
    for (let i = 0; i < nTouched; i++) {
      const x = this.ix.eps[touched[i]];
      if (ringMark[x] === UNPLACED) sortBuf[n++] = x;
    }
    return this.idsSorted(sortBuf, 0, n);
  }

  /** ids of the nodes list[a .. b), sorted by node index (= by id); sorts that range in place */
  private idsSorted(list: Uint32Array, a: number, b: number): string[] {
    const ids = this.ix.ids;
    const t = list.subarray(a, b).sort();
    const out: string[] = new Array(t.length);
    for (let i = 0; i < t.length; i++) out[i] = ids[t[i]];
    return out;
  }

  private nodeStatesOf(): Record<string, EntrypointState> {
    const ix = this.ix;
    const f = this.f;
    const nodeStates: Record<string, EntrypointState> = manyKeys();
    const buf = this.sortBuf;
    let n = 0;
    const affList = this.affList;
    for (let i = 0; i < affList.length; i++) if (affList[i] !== f && !ix.isEntrypoint[affList[i]]) buf[n++] = affList[i];
    const sorted = buf.subarray(0, n).sort();
    for (let i = 0; i < n; i++) nodeStates[ix.ids[sorted[i]]] = STATE_NAMES[this.affState[sorted[i]]];
    return nodeStates;
  }

  /** An edge's evidence, sorted and deduplicated once per edge; each use gets its own copy. */
  private edgeEvidence(e: IEdge): Evidence[] {
    let ev = this.evidence[e.idx];
    if (ev === undefined) this.evidence[e.idx] = ev = sortEvidence(e.edge.evidence);
    return ev.slice();
  }

  private stoppedResults(): StoppedBy[] {
    const ix = this.ix;
    const ids = ix.ids;
    const list: StoppedBy[] = this.stoppedKeys
      .map((key) => {
        const e = ix.edges[key >> 3];
        const guard = GUARD_NAMES[key & 7];
        return { from: ids[e.from], to: ids[e.to], guard, evidence: this.edgeEvidence(e) };
      })
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
