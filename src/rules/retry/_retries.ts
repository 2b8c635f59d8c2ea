// Retry mechanisms in the scanned code, for the retry/* rules and strength/retry-backoff:
// hand-written retry loops (from RetryLoopFact, with the delay helper resolved),
// queue job retries (BullMQ attempts/backoff), and retry libraries (axios-retry,
// p-retry, got's retry.limit).
import { isObj, objGet, type CallFact, type FactIndex, type FunctionFact, type RetryLoopFact, type Val } from '../../extract/facts.js';
import type { CodeIndex } from '../types.js';
import { constructions, evaluate, fnOf, getPath, importOf, numberOf, pkgOfLocal, withInlineKids } from '../dep/_code.js';

export type Backoff = 'none' | 'fixed' | 'linear' | 'exponential' | 'custom' | 'unknown';

export interface Loop {
  file: string;
  fn: FunctionFact;
  loop: RetryLoopFact;
  backoff: Backoff;
  jitter: boolean;
  /** Attempts when the bound is a constant the rule can read (not a parameter). */
  attempts?: number;
  /** The parameter index whose callback the loop retries (a retry wrapper: withRetry(fn, opts)). */
  wrapperParam?: number;
  /** The helper that computes the delay, when resolved. */
  helper?: { file: string; fn: FunctionFact };
  /** Calls the try block makes (in the function or inline callbacks written in the try). */
  attempted: CallFact[];
}

const memoLoops = new WeakMap<FactIndex, Loop[]>();

export function retryLoops(facts: FactIndex, code: CodeIndex): Loop[] {
  const hit = memoLoops.get(facts);
  if (hit) return hit;
  const out: Loop[] = [];
  for (const f of facts.values()) {
    for (const fn of f.functions) {
      for (const loop of fn.retryLoops ?? []) {
        const scope = withInlineKids(f, fn.id);
        const attempted = f.calls.filter((c) => scope.has(c.fn) && c.line >= loop.tryLine && c.line <= loop.tryEndLine);
        let backoff: Backoff = loop.backoff;
        let jitter = loop.jitter;
        let helper: Loop['helper'];
        if (loop.backoff === 'unknown' && loop.delayCall) {
          const dc = f.calls.find((c) => scope.has(c.fn) && c.line === loop.delayCall!.line && c.callee.join('.') === loop.delayCall!.callee);
          const target = dc ? code.callee(f.file, dc) : undefined;
          if (target) {
            helper = { file: target.file, fn: target.fn };
            const math = target.fn.backoffMath;
            if (math?.exponential) backoff = 'exponential';
            if (math?.jitter) jitter = true;
          } else if (/expo|backoff/i.test(loop.delayCall.callee)) {
            backoff = 'exponential';
            jitter ||= /jitter/i.test(loop.delayCall.callee);
          }
        }
        const paramNames = fn.params.map((p) => p.name);
        const wrapperCall = attempted.find((c) => !c.root && c.callee.length === 1 && paramNames.includes(c.callee[0]));
        const entry: Loop = { file: f.file, fn, loop, backoff, jitter, attempted };
        if (wrapperCall) entry.wrapperParam = paramNames.indexOf(wrapperCall.callee[0]);
        if (helper) entry.helper = helper;
        const n = loopAttempts(facts, f.file, fn, loop);
        if (n !== undefined) entry.attempts = n;
        out.push(entry);
      }
    }
  }
  memoLoops.set(facts, out);
  return out;
}

/** Attempts of a loop, reading its bound through constants, `this` fields/constructor defaults, and, when given, a call site's arguments. */
export function loopAttempts(facts: FactIndex, file: string, fn: FunctionFact, loop: RetryLoopFact, site?: { file: string; call: CallFact; fn?: FunctionFact }): number | undefined {
  if (!loop.attempts || loop.attempts.offset === undefined) return undefined;
  let max: number | undefined;
  const v = loop.attempts.max;
  if (typeof v === 'number') max = v;
  else if (v && typeof v === 'object' && 'ref' in v) {
    const [head, ...rest] = v.ref.split('.');
    const idx = fn.params.findIndex((p) => p.name === head);
    if (idx >= 0) {
      const arg = site ? site.call.args[idx] : undefined;
      const val = arg !== undefined ? getPath(facts, site!.file, arg, rest, site!.fn) : fn.params[idx].default !== undefined ? getPath(facts, file, fn.params[idx].default, rest) : undefined;
      max = typeof val === 'number' ? val : undefined;
    } else max = numberOf(facts, file, v, fn);
  }
  if (max === undefined || !Number.isFinite(max)) return undefined;
  const n = max + loop.attempts.offset;
  return n >= 1 ? n : undefined;
}

/** The loop a call runs when it calls a retry wrapper (a function whose loop retries one of its parameters). */
export function wrapperAt(facts: FactIndex, code: CodeIndex, file: string, call: CallFact): Loop | undefined {
  const target = code.callee(file, call);
  if (!target) return undefined;
  return retryLoops(facts, code).find((l) => l.file === target.file && l.fn.id === target.fn.id && l.wrapperParam !== undefined);
}

// ---------- queue job retries ----------

export interface JobRetry {
  queue?: string;
  file: string;
  line: number;
  endLine: number;
  source: 'defaultJobOptions' | 'add' | 'registerQueue';
  /** Total attempts (BullMQ `attempts`, default 1). */
  attempts?: number;
  unbounded: boolean;
  backoff: Backoff;
  delayMs?: number;
  jitter: boolean;
  /** The options object was readable (a literal). */
  readable: boolean;
}

const memoJobs = new WeakMap<FactIndex, JobRetry[]>();
const HUGE = 1000;

function jobRetryOf(facts: FactIndex, file: string, opts: Val | undefined, fn?: FunctionFact): Omit<JobRetry, 'file' | 'line' | 'endLine' | 'source' | 'queue'> {
  const o = evaluate(facts, file, opts, fn);
  const readable = o === undefined || (isObj(o) && !(o as { spread?: boolean }).spread);
  const a = getPath(facts, file, o, ['attempts'], fn);
  const attempts = typeof a === 'number' ? a : undefined;
  const b = getPath(facts, file, o, ['backoff'], fn);
  let backoff: Backoff = 'none';
  let delayMs: number | undefined;
  let jitter = false;
  if (typeof b === 'number') {
    backoff = 'fixed';
    delayMs = b;
  } else if (isObj(b)) {
    const type = getPath(facts, file, b, ['type'], fn);
    backoff = type === 'exponential' ? 'exponential' : type === 'fixed' ? 'fixed' : typeof type === 'string' ? 'custom' : 'unknown';
    const d = getPath(facts, file, b, ['delay'], fn);
    if (typeof d === 'number') delayMs = d;
    const j = getPath(facts, file, b, ['jitter'], fn);
    jitter = typeof j === 'number' && j > 0;
  } else if (b !== undefined) backoff = 'unknown';
  return { attempts, unbounded: attempts !== undefined && attempts >= HUGE, backoff, ...(delayMs !== undefined ? { delayMs } : {}), jitter, readable };
}

export function jobRetries(facts: FactIndex, code: CodeIndex): JobRetry[] {
  const hit = memoJobs.get(facts);
  if (hit) return hit;
  const out: JobRetry[] = [];
  for (const c of constructions(facts)) {
    if ((c.pkg !== 'bullmq' && c.pkg !== 'bull') || !c.call.isNew) continue;
    if (!(c.imported === 'Queue' || (c.pkg === 'bull' && c.imported === 'default'))) continue;
    const f = facts.get(c.file)!;
    const fn = fnOf(f, c.call.fn);
    const name = evaluate(facts, c.file, c.args[0], fn);
    const opts = c.pkg === 'bull' && typeof evaluate(facts, c.file, c.args[1], fn) === 'string' ? c.args[2] : c.args[1];
    const djo = getPath(facts, c.file, opts, ['defaultJobOptions'], fn);
    out.push({ queue: typeof name === 'string' ? name : undefined, file: c.file, line: c.line, endLine: c.endLine, source: 'defaultJobOptions', ...jobRetryOf(facts, c.file, djo, fn) });
  }
  for (const f of facts.values()) {
    for (const call of f.calls) {
      const last = call.callee[call.callee.length - 1];
      if (last === 'add') {
        const m = code.meaning(f.file, call);
        if (!m || m.use !== 'dependency' || m.edge !== 'enqueues' || m.target.tech !== 'bullmq') continue;
        const fn = fnOf(f, call.fn);
        if (call.args[2] === undefined) continue;
        out.push({ queue: m.target.name, file: f.file, line: call.line, endLine: call.endLine, source: 'add', ...jobRetryOf(facts, f.file, call.args[2], fn) });
      } else if ((last === 'registerQueue' || last === 'forRoot') && call.callee.length === 2) {
        const pkg = pkgOfLocal(f, call.callee[0]);
        if (pkg !== '@nestjs/bullmq' && pkg !== '@nestjs/bull') continue;
        for (const a of call.args) {
          if (!isObj(a)) continue;
          const name = getPath(facts, f.file, a, ['name']);
          const djo = getPath(facts, f.file, a, ['defaultJobOptions']);
          if (djo === undefined) continue;
          out.push({ queue: typeof name === 'string' ? name : undefined, file: f.file, line: call.line, endLine: call.endLine, source: 'registerQueue', ...jobRetryOf(facts, f.file, djo) });
        }
      }
    }
  }
  memoJobs.set(facts, out);
  return out;
}

/** Attempts a job of this queue gets: the per-job `attempts` when every add sets one, else the queue default (BullMQ default: 1). */
export function queueAttempts(jobs: JobRetry[], queue: string): { attempts: number; at: JobRetry } | undefined {
  const mine = jobs.filter((j) => j.queue === queue);
  const defaults = mine.find((j) => j.source !== 'add');
  const adds = mine.filter((j) => j.source === 'add' && j.attempts !== undefined);
  const best = adds.length ? adds.reduce((a, b) => ((b.attempts ?? 1) > (a.attempts ?? 1) ? b : a)) : undefined;
  const pick = best && (!defaults || (best.attempts ?? 1) > (defaults.attempts ?? 1)) ? best : defaults;
  if (!pick || pick.attempts === undefined || pick.unbounded) return undefined;
  return { attempts: pick.attempts, at: pick };
}

// ---------- retry libraries ----------

export interface LibRetry {
  lib: 'axios-retry' | 'p-retry' | 'got' | 'tenacity' | 'backoff' | 'celery';
  file: string;
  line: number;
  endLine: number;
  call: CallFact;
  retries?: number;
  unbounded: boolean;
  backoff: Backoff;
  jitter: boolean;
}

const memoLibs = new WeakMap<FactIndex, LibRetry[]>();

export function libRetries(facts: FactIndex): LibRetry[] {
  const hit = memoLibs.get(facts);
  if (hit) return hit;
  const out: LibRetry[] = [];
  for (const f of facts.values()) {
    for (const call of f.calls) {
      if (call.root || !call.callee.length) continue;
      const pkg = pkgOfLocal(f, call.callee[0]);
      if (!pkg) continue;
      const fn = fnOf(f, call.fn);
      const base = { file: f.file, line: call.line, endLine: call.endLine, call };
      if (pkg === 'axios-retry' && call.callee.length === 1 && importOf(f, call.callee[0])?.imported === 'default') {
        const opts = evaluate(facts, f.file, call.args[1], fn);
        if (opts !== undefined && !isObj(opts)) continue;
        const r = getPath(facts, f.file, opts, ['retries'], fn);
        const retries = typeof r === 'number' ? r : r === undefined ? 3 : undefined;
        const delay = objGet(opts, 'retryDelay');
        let backoff: Backoff = 'none';
        let jitter = false;
        if (delay && typeof delay === 'object' && 'ref' in delay) {
          if (/exponentialDelay$/.test(delay.ref)) {
            backoff = 'exponential';
            jitter = true; // axios-retry's exponentialDelay adds up to 20 % random delay
          } else if (/linearDelay$/.test(delay.ref)) backoff = 'linear';
          else backoff = 'unknown';
        } else if (delay && typeof delay === 'object' && 'call' in delay) {
          backoff = /exponentialDelay$/.test(delay.call) ? 'exponential' : /linearDelay$/.test(delay.call) ? 'linear' : 'unknown';
          jitter = backoff === 'exponential';
        } else if (delay !== undefined) {
          const d = delay && typeof delay === 'object' && 'fn' in delay ? fnOf(f, delay.fn) : undefined;
          backoff = d?.backoffMath?.exponential ? 'exponential' : 'custom';
          jitter = !!d?.backoffMath?.jitter;
        }
        out.push({ lib: 'axios-retry', ...base, retries, unbounded: retries === undefined ? false : retries >= HUGE, backoff, jitter });
      } else if (pkg === 'p-retry' && call.callee.length === 1 && importOf(f, call.callee[0])?.imported === 'default') {
        const opts = evaluate(facts, f.file, call.args[1], fn);
        if (opts !== undefined && !isObj(opts)) continue;
        const forever = getPath(facts, f.file, opts, ['forever'], fn) === true;
        const r = getPath(facts, f.file, opts, ['retries'], fn);
        const retries = typeof r === 'number' ? r : r === undefined ? 10 : undefined;
        const factor = getPath(facts, f.file, opts, ['factor'], fn);
        const randomize = getPath(facts, f.file, opts, ['randomize'], fn) === true;
        out.push({ lib: 'p-retry', ...base, retries, unbounded: forever || (retries !== undefined && retries >= HUGE), backoff: factor === 1 ? 'fixed' : 'exponential', jitter: randomize });
      } else if (pkg === 'got' && (call.callee.length === 1 || ['extend', 'get', 'post', 'put', 'patch', 'delete'].includes(call.callee[1]))) {
        for (const a of call.args) {
          const limit = getPath(facts, f.file, a, ['retry', 'limit'], fn);
          if (typeof limit === 'number' && limit >= HUGE) out.push({ lib: 'got', ...base, retries: limit, unbounded: true, backoff: 'exponential', jitter: true });
        }
      }
    }
  }
  out.push(...pyLibRetries(facts));
  memoLibs.set(facts, out);
  return out;
}

// ---------- Python: tenacity, backoff, Celery task retries ----------

function pyKw(args: Val[]): Record<string, Val> {
  const last = args[args.length - 1];
  return last && typeof last === 'object' && 'obj' in last && (last as { kwargs?: boolean }).kwargs ? last.obj : {};
}

/** The names of the calls a tenacity strategy is built from: `wait_exponential(...) + wait_random(0, 1)` → [wait_exponential, wait_random]. */
function strategyNames(v: Val | undefined, out: string[] = [], depth = 0): string[] {
  if (!v || typeof v !== 'object' || depth > 6) return out;
  if ('call' in v) {
    out.push(v.call.split('.').pop() ?? '');
    for (const a of v.args) strategyNames(a, out, depth + 1);
  } else if ('concat' in v) v.concat.forEach((x) => strategyNames(x, out, depth + 1));
  else if ('unknown' in v && v.of) v.of.forEach((x) => strategyNames(x, out, depth + 1));
  return out;
}

function tenacityRetries(stop: Val | undefined): { retries?: number; unbounded: boolean } {
  if (stop === undefined) return { unbounded: true };
  const calls: { name: string; args: Val[] }[] = [];
  const walk = (v: Val | undefined, d = 0) => {
    if (!v || typeof v !== 'object' || d > 6) return;
    if ('call' in v) {
      calls.push({ name: v.call.split('.').pop() ?? '', args: v.args });
      v.args.forEach((a) => walk(a, d + 1));
    } else if ('unknown' in v && v.of) v.of.forEach((x) => walk(x, d + 1));
  };
  walk(stop);
  const att = calls.find((c) => c.name === 'stop_after_attempt');
  if (att) return { ...(typeof att.args[0] === 'number' ? { retries: att.args[0] - 1 } : {}), unbounded: false };
  if (calls.some((c) => c.name === 'stop_after_delay' || c.name === 'stop_before_delay')) return { unbounded: false };
  if (calls.some((c) => c.name === 'stop_never')) return { unbounded: true };
  return { unbounded: false };
}

function pyLibRetries(facts: FactIndex): LibRetry[] {
  const out: LibRetry[] = [];
  for (const f of facts.values()) {
    if (!f.file.endsWith('.py')) continue;
    const libOf = (local: string) => {
      for (let i = f.imports.length - 1; i >= 0; i--) if (f.imports[i].names.some((n) => n.local === local)) return f.imports[i].source.split('.')[0];
      return undefined;
    };
    for (const fn of f.functions) {
      for (const d of fn.decorators) {
        const chain = d.callee ?? [d.name];
        const lib = libOf(chain[0]);
        const k = pyKw(d.args);
        const call: CallFact = { fn: fn.id, callee: chain, line: d.line, endLine: d.line, args: d.args, isNew: false, awaited: false, returned: false, floating: false, caught: false, inLoop: false, inPromiseAllMap: false, inTransaction: false, order: 0 };
        const base = { file: f.file, line: d.line, endLine: d.line, call };
        // @retry(stop=stop_after_attempt(5), wait=wait_exponential(...) + wait_random(0, 1))
        if (lib === 'tenacity' && d.name === 'retry') {
          const { retries, unbounded } = tenacityRetries(k.stop);
          const waits = strategyNames(k.wait);
          const backoff: Backoff = waits.some((w) => /exponential/.test(w)) ? 'exponential' : waits.some((w) => w === 'wait_incrementing') ? 'linear' : waits.some((w) => w === 'wait_fixed' || w === 'wait_random') ? 'fixed' : k.wait === undefined ? 'none' : 'unknown';
          const jitter = waits.some((w) => w === 'wait_random' || w === 'wait_random_exponential' || w === 'wait_exponential_jitter');
          out.push({ lib: 'tenacity', ...base, ...(retries !== undefined ? { retries } : {}), unbounded, backoff, jitter });
        }
        // @backoff.on_exception(backoff.expo, Exception, max_tries=5) — full jitter by default
        if (lib === 'backoff' && (d.name === 'on_exception' || d.name === 'on_predicate')) {
          const gen = d.args[0] && typeof d.args[0] === 'object' && 'ref' in d.args[0] ? d.args[0].ref.split('.').pop() : undefined;
          const tries = k.max_tries;
          const unbounded = tries === undefined && k.max_time === undefined;
          const jitter = k.jitter === undefined || !(k.jitter === null);
          out.push({ lib: 'backoff', ...base, ...(typeof tries === 'number' ? { retries: tries - 1 } : {}), unbounded, backoff: gen === 'expo' ? 'exponential' : gen === 'constant' ? 'fixed' : gen === 'fibo' ? 'exponential' : 'unknown', jitter });
        }
        // @app.task(autoretry_for=(...), max_retries=5, retry_backoff=True)
        if (/^(task|shared_task)$/.test(d.name) && k.autoretry_for !== undefined && (lib === 'celery' || chain.length > 1)) {
          const mr = k.max_retries;
          const unbounded = mr === null;
          const expo = k.retry_backoff === true || typeof k.retry_backoff === 'number';
          out.push({ lib: 'celery', ...base, ...(typeof mr === 'number' ? { retries: mr } : mr === undefined ? { retries: 3 } : {}), unbounded, backoff: expo ? 'exponential' : 'fixed', jitter: expo && k.retry_jitter !== false });
        }
      }
    }
  }
  return out;
}
