// Builder chains: `db('users').where({ id }).update({ name })`. The extractor records the
// head call (`db('users')`, which the linker resolves to the package instance) and, before
// it in source order, one call per chained member with root 'call' (callee ['()','where'],
// ['()','update']) that the linker cannot resolve. A pack classifying the head reads the
// rest of the chain here, to tell a read from a write and an executed query from a
// fragment handed to another builder (a subquery, `db.raw('now()')` as an argument).
import type { CallFact, FileFacts, FunctionFact, Val } from '../../extract/facts.js';
import type { DepCall } from '../types.js';

interface FileIndex {
  byFnOrder: Map<string, Map<number, CallFact>>;
  byFn: Map<string, CallFact[]>;
  fns: Map<string, FunctionFact>;
}

const INDEX = new WeakMap<FileFacts, FileIndex>();

function indexOf(facts: FileFacts): FileIndex {
  let ix = INDEX.get(facts);
  if (ix) return ix;
  ix = { byFnOrder: new Map(), byFn: new Map(), fns: new Map(facts.functions.map((f) => [f.id, f])) };
  for (const c of facts.calls) {
    let m = ix.byFnOrder.get(c.fn);
    if (!m) ix.byFnOrder.set(c.fn, (m = new Map()));
    m.set(c.order, c);
    let l = ix.byFn.get(c.fn);
    if (!l) ix.byFn.set(c.fn, (l = []));
    l.push(c);
  }
  INDEX.set(facts, ix);
  return ix;
}

export interface Chain {
  /** Members called after the head, in source order: ['where', 'update']. */
  members: string[];
  /** The outermost call of the chain: it carries awaited/returned/floating/caught. */
  outer: CallFact;
  /** The chained calls, innermost first (not the head). */
  links: CallFact[];
}

/** The calls chained on a head call: `head().a().b()` → members ['a', 'b']. */
export function callChain(facts: FileFacts, head: CallFact): Chain {
  const byOrder = indexOf(facts).byFnOrder.get(head.fn);
  const members: string[] = [];
  const links: CallFact[] = [];
  let cur = head;
  for (let i = 0; i < 64 && byOrder; i++) {
    const prev = byOrder.get(cur.order - 1);
    if (!prev || prev.root !== 'call' || prev.callee[0] !== '()' || prev.line !== head.line || prev.endLine < cur.endLine || prev.isNew) break;
    members.push(...prev.callee.slice(1));
    links.push(prev);
    cur = prev;
  }
  return { members, outer: cur, links };
}

export type Execution = 'run' | 'kept' | 'passed' | 'fragment';

const PROMISE_COMBINATORS = new Set(['all', 'allSettled', 'race', 'any']);

/**
 * Whether the chain runs a query where it stands:
 * - 'run': awaited, returned, left floating, `.catch`ed, or an element of Promise.all(...);
 * - 'fragment': an argument of another call on the same builder (a subquery, a raw fragment);
 * - 'passed': an argument of another function, which may await it;
 * - 'kept': assigned, to be awaited later.
 */
export function execution(facts: FileFacts, head: CallFact, chain: Chain = callChain(facts, head)): Execution {
  const o = chain.outer;
  if (o.awaited || o.returned || o.floating || o.caught) return 'run';
  const inChain = new Set<CallFact>([head, ...chain.links]);
  const summary = o === head ? head.callee.join('.') : `()${o.callee.length > 1 ? '.' + o.callee.slice(1).join('.') : ''}`;
  const calls = indexOf(facts).byFn.get(head.fn) ?? [];
  // the nearest call that has this chain among its arguments
  let nearest: CallFact | undefined;
  for (const c of calls) {
    if (inChain.has(c) || c.order >= o.order || c.line > head.line || c.endLine < o.endLine) continue;
    if (nearest && c.order < nearest.order) continue;
    if (c.args.some((a) => containsCall(a, summary, 0))) nearest = c;
  }
  if (nearest) {
    if (nearest.callee[0] === 'Promise' && PROMISE_COMBINATORS.has(nearest.callee[1] ?? '')) return 'run';
    if (nearest.callee[0] === '()' || nearest.callee[0] === head.callee[0]) return 'fragment';
    return 'passed';
  }
  return 'kept';
}

function containsCall(v: Val, summary: string, depth: number): boolean {
  if (!v || typeof v !== 'object' || depth > 8) return false;
  if ('call' in v) return v.call === summary || v.args.some((a) => containsCall(a, summary, depth + 1));
  if ('new' in v) return v.args.some((a) => containsCall(a, summary, depth + 1));
  if ('arr' in v) return v.arr.some((a) => containsCall(a, summary, depth + 1));
  if ('obj' in v) return Object.values(v.obj).some((a) => containsCall(a, summary, depth + 1));
  if ('tpl' in v) return v.parts.some((a) => containsCall(a, summary, depth + 1));
  if ('concat' in v) return v.concat.some((a) => containsCall(a, summary, depth + 1));
  return false;
}

/** The function a call sits in (undefined at module level). */
export function enclosingFn(facts: FileFacts, call: CallFact): FunctionFact | undefined {
  return call.fn === '<module>' ? undefined : indexOf(facts).fns.get(call.fn);
}

/** The full member path of a dependency call: the factory path after the root constructor, the member called, then the chain. */
export function opPath(call: DepCall, chain: Chain): string[] {
  const ctor = call.instance ? call.instance.ctor.split('.').slice(1) : [];
  return [...ctor, ...call.member, ...chain.members];
}

/** The first member of a path found in a table of operations. */
export function firstOp<T>(path: string[], table: Record<string, T>): { op: string; kind: T; index: number } | undefined {
  for (let i = 0; i < path.length; i++) {
    const k = path[i];
    if (Object.prototype.hasOwnProperty.call(table, k)) return { op: k, kind: table[k], index: i };
  }
  return undefined;
}

/** The text of a tagged template passed as the first argument (`db.execute(sql\`SELECT ...\`)`), '${}' marking holes. */
export function templateArg(facts: FileFacts, call: CallFact): string | undefined {
  const next = indexOf(facts).byFnOrder.get(call.fn)?.get(call.order + 1);
  if (!next || next.template === undefined || next.line < call.line || next.endLine > call.endLine) return undefined;
  return next.template;
}

/** The SQL text of a raw call: its own tagged template, a tagged template argument, or a literal first argument. */
export function rawText(call: DepCall, fromArg: (v: Val | undefined) => string): string {
  return call.call.template ?? templateArg(call.facts, call.call) ?? fromArg(call.call.args[0]);
}
