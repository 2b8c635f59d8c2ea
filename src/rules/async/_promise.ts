// Is a call a promise that can reject? Shared by async/floating-promise,
// error/swallowed and strength/contained-side-effect. Not a rule module.
import type { CallFact, FileFacts, FunctionFact } from '../../extract/facts.js';
import type { CallMeaning } from '../../packs/types.js';
import type { Model } from '../../model/types.js';
import type { CodeIndex } from '../types.js';
import { nodeById } from '../util.js';

export type AsyncCallee =
  | { kind: 'dependency'; meaning: Extract<CallMeaning, { use: 'dependency' }>; label: string; lazy: boolean; library?: string }
  | { kind: 'invoke'; label: string; lazy: false; library?: undefined }
  | { kind: 'project'; file: string; fn: FunctionFact; label: string; lazy: boolean; library?: string };

/** Builder-style Redis calls that return a pipeline, not a promise. */
const PIPELINE = /^(multi|pipeline)$/;

function calleeLabel(call: CallFact): string {
  const chain = call.callee.filter((p) => p !== 'this');
  return chain.length ? chain.join('.') : 'the call';
}

/** Prisma queries are lazy: they run only when awaited or .then-ed. */
/** Does a function return a promise — 'eager', or `{ lazy }` (the library) when all it returns is an unstarted lazy query? */
function returnsPromise(code: CodeIndex, facts: ReadonlyMap<string, FileFacts>, file: string, fn: FunctionFact, depth: number): 'eager' | { lazy: string } | false {
  if (fn.async) return 'eager';
  if (depth > 2) return false;
  const f = facts.get(file);
  if (!f) return false;
  let lazy: string | undefined;
  for (const c of f.calls) {
    if (c.fn !== fn.id || !c.returned || c.isNew) continue;
    if (c.callee.some((p) => PIPELINE.test(p))) continue;
    const m = code.meaning(file, c);
    if (m?.use === 'invoke') return 'eager';
    if (m?.use === 'dependency') {
      if (m.lazy !== undefined && !c.caught) lazy ??= m.lazy;
      else return 'eager';
      continue;
    }
    const t = code.callee(file, c);
    const r = t ? returnsPromise(code, facts, t.file, t.fn, depth + 1) : false;
    if (r === 'eager') return 'eager';
    if (r) lazy ??= r.lazy;
  }
  return lazy !== undefined ? { lazy } : false;
}

/** The promise-returning thing a call runs, or undefined when it is not (known to be) a promise. */
export function asyncCallee(code: CodeIndex, facts: ReadonlyMap<string, FileFacts>, file: string, call: CallFact): AsyncCallee | undefined {
  if (call.isNew) return undefined;
  if (call.callee.some((p) => PIPELINE.test(p))) return undefined;
  const m = code.meaning(file, call);
  if (m?.use === 'dependency') return m.rejects === false ? undefined : { kind: 'dependency', meaning: m, label: calleeLabel(call), lazy: m.lazy !== undefined, library: m.lazy };
  if (m?.use === 'invoke') return { kind: 'invoke', label: calleeLabel(call), lazy: false };
  if (m) return undefined;
  const t = code.callee(file, call);
  const r = t ? returnsPromise(code, facts, t.file, t.fn, 0) : false;
  if (t && r) return { kind: 'project', file: t.file, fn: t.fn, label: calleeLabel(call), lazy: r !== 'eager', library: r === 'eager' ? undefined : r.lazy };
  return undefined;
}

/**
 * An async function whose body cannot reject: every awaited or returned call and every
 * `new …Error` sits in a try whose catch does not rethrow. Fire-and-forget of such a
 * function cannot produce an unhandled rejection.
 */
export function neverRejects(facts: ReadonlyMap<string, FileFacts>, file: string, fn: FunctionFact): boolean {
  const f = facts.get(file);
  if (!f || !fn.async) return false;
  const own = f.calls.filter((c) => c.fn === fn.id);
  const risky = own.filter((c) => c.awaited || c.returned || (c.isNew && /(Error|Exception)$/.test(c.callee[c.callee.length - 1] ?? '')));
  if (!risky.length) return false;
  if (!own.some((c) => c.tryCatch)) return false;
  return risky.every((c) => !!c.tryCatch);
}

/** The function fact a call sits in (undefined at module level). */
export function enclosingFn(f: FileFacts, call: CallFact): FunctionFact | undefined {
  return call.fn === '<module>' ? undefined : f.functions.find((x) => x.id === call.fn);
}

/** The outermost named function around a (possibly inline) function. */
export function namedAncestor(f: FileFacts, fn: FunctionFact): FunctionFact {
  let cur = fn;
  for (let i = 0; i < 20 && (cur.inlineOf !== undefined || cur.name === '<anon>') && cur.parent; i++) {
    const p = f.functions.find((x) => x.id === cur.parent);
    if (!p) break;
    cur = p;
  }
  return cur;
}

/** The entrypoints of the runtimes that serve these entrypoints: what goes down when the process dies. */
export function runtimeBlast(model: Model, eps: string[]): { runtimes: string[]; entrypoints: string[]; tech?: string } {
  const runtimes = [...new Set(eps.map((id) => nodeById(model, id)?.runtime).filter((r): r is string => !!r))].sort();
  const all = model.nodes.filter((n) => n.kind === 'entrypoint' && n.runtime && runtimes.includes(n.runtime)).map((n) => n.id).sort();
  const tech = runtimes.length === 1 ? model.nodes.find((n) => n.id === runtimes[0])?.tech : undefined;
  return { runtimes, entrypoints: all, tech };
}

/** Targets (node ids) a project function reaches, for wording ("email via external:resend"). */
export function targetsOf(code: CodeIndex, file: string, fnId: string): string[] {
  return [...new Set(code.usesOf(file, fnId).map((u) => `${u.target.kind}:${u.target.name}`))].sort();
}

/** A readable name for a function, also for inline callbacks: "the exportsWorker.on('failed') callback". */
export function fnLabel(f: FileFacts, fn: FunctionFact): string {
  if (fn.name !== '<anon>' || !fn.inlineOf) return fn.name === '<anon>' ? `the function at line ${fn.line}` : fn.className ? `${fn.className}.${fn.name}` : fn.name;
  const io = fn.inlineOf;
  // a call on a call's result (`procedure.input(schema).mutation(async () => ...)`) is recorded as '()': name it by its method
  const chained = io.call === '()' ? f.calls.find((c) => c.line === io.line && c.args[io.argIndex] && typeof c.args[io.argIndex] === 'object' && (c.args[io.argIndex] as { fn?: string }).fn === fn.id) : undefined;
  const call = chained ?? f.calls.find((c) => c.line === io.line && c.callee.join('.') === io.call);
  const first = call?.args[0];
  const callee = chained && chained.callee.length > 1 ? `.${chained.callee[chained.callee.length - 1]}()` : io.call.replace(/^this\./, '');
  return typeof first === 'string' && io.argIndex > 0 ? `the ${callee}('${first}') callback` : `the callback passed to ${callee} (line ${fn.line})`;
}

/** A label without line numbers, for fingerprints. */
export function stableLabel(label: string): string {
  return label.replace(/ ?\(line \d+\)| at line \d+/g, '');
}

/** Capitalises the first letter (titles that start with "the … callback"). */
/** A function label at the start of a title: prose ("the callback …") gets a capital, a code name keeps its own case. */
export function cap(s: string): string {
  return s.startsWith('the ') ? `The ${s.slice(4)}` : s;
}
