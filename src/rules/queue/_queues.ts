// BullMQ / Bull queue, worker and enqueue sites, with their job options resolved as far
// as literal code allows. Shared by the queue/* rules. Not a rule module.
import type { CallFact, FactIndex, FileFacts, Val } from '../../extract/facts.js';
import type { Model } from '../../model/types.js';
import type { CodeIndex } from '../types.js';
import { calleeFrom, decoratorCalls, importsAnyOf, objectOf, stringOf } from '../config/_code.js';

export const QUEUE_PKGS = ['bullmq', 'bull'] as const;
const NEST_PKGS = ['@nestjs/bullmq', '@nestjs/bull'];

export interface QueueDef {
  name: string;
  tech: 'bullmq' | 'bull';
  file: string;
  line: number;
  /** Options object (BullMQ QueueOptions / Bull QueueOptions / Nest registerQueue entry). */
  opts?: { obj: Record<string, Val>; spread?: boolean };
  /** The options argument was given but is not a literal object. */
  optsUnknown: boolean;
  /** Module variable holding the queue, when assigned: file#name. */
  varName?: string;
  call: CallFact;
}

export interface WorkerDef {
  name: string;
  file: string;
  line: number;
  opts?: { obj: Record<string, Val>; spread?: boolean };
  varName?: string;
}

export interface EnqueueSite {
  queue: string;
  file: string;
  call: CallFact;
  /** JobsOptions of this add (undefined = none given). */
  opts: Val | undefined;
}

export type OptState = 'set' | 'unset' | 'unknown';

function assignedVar(f: FileFacts, c: CallFact): string | undefined {
  return f.vars.find((v) => v.line === c.line && v.init && typeof v.init === 'object' && 'new' in v.init)?.name;
}

// The queue rules each ask for the queues, workers and enqueue sites of the same scan: found once
// (they depend on the facts alone, the enqueue sites on the linker's meanings too). Shared: do not modify.
const queuesMemo = new WeakMap<FactIndex, QueueDef[]>();
const workersMemo = new WeakMap<FactIndex, WorkerDef[]>();
const enqueuesMemo = new WeakMap<FactIndex, { code: CodeIndex; sites: EnqueueSite[] }>();

export function findQueues(facts: FactIndex): QueueDef[] {
  let hit = queuesMemo.get(facts);
  if (!hit) queuesMemo.set(facts, (hit = findQueuesUncached(facts)));
  return hit;
}

export function findWorkers(facts: FactIndex): WorkerDef[] {
  let hit = workersMemo.get(facts);
  if (!hit) workersMemo.set(facts, (hit = findWorkersUncached(facts)));
  return hit;
}

export function findEnqueues(facts: FactIndex, code: CodeIndex): EnqueueSite[] {
  const hit = enqueuesMemo.get(facts);
  if (hit && hit.code === code) return hit.sites;
  const sites = findEnqueuesUncached(facts, code);
  enqueuesMemo.set(facts, { code, sites });
  return sites;
}

function findQueuesUncached(facts: FactIndex): QueueDef[] {
  const out: QueueDef[] = [];
  for (const f of facts.values()) {
    // both kinds below are calls of an import from these packages
    if (!importsAnyOf(f, QUEUE_PKGS) && !importsAnyOf(f, NEST_PKGS)) continue;
    for (const c of [...f.calls, ...decoratorCalls(f)]) {
      if (c.isNew) {
        const from = calleeFrom(f, c, QUEUE_PKGS);
        if (!from || from.member.length) continue;
        const isQueue = from.pkg === 'bullmq' ? from.imported === 'Queue' : from.imported === 'default' || from.imported === 'Queue';
        if (!isQueue) continue;
        const name = stringOf(facts, f.file, c.args[0]);
        if (!name) continue;
        const optArgs = from.pkg === 'bull' ? c.args.slice(1, 3) : c.args.slice(1, 2);
        const objArg = optArgs.map((a) => objectOf(facts, f.file, a)).find((o) => !!o);
        const optsUnknown = !objArg && optArgs.some((a) => a !== undefined && typeof a === 'object' && a !== null && !('env' in a) && !('tpl' in a));
        out.push({ name, tech: from.pkg as 'bullmq' | 'bull', file: f.file, line: c.line, opts: objArg, optsUnknown, varName: assignedVar(f, c), call: c });
        continue;
      }
      // NestJS: BullModule.registerQueue({ name, defaultJobOptions }, ...)
      const from = calleeFrom(f, c, NEST_PKGS);
      if (!from || from.imported !== 'BullModule' || from.member[0] !== 'registerQueue') continue;
      for (const a of c.args) {
        const o = objectOf(facts, f.file, a);
        const name = o ? stringOf(facts, f.file, o.obj.name) : undefined;
        if (!o || !name) continue;
        out.push({ name, tech: from.pkg === '@nestjs/bull' ? 'bull' : 'bullmq', file: f.file, line: c.line, opts: o, optsUnknown: false, call: c });
      }
    }
  }
  return out.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
}

function findWorkersUncached(facts: FactIndex): WorkerDef[] {
  const out: WorkerDef[] = [];
  for (const f of facts.values()) {
    if (!importsAnyOf(f, ['bullmq'])) continue;
    for (const c of f.calls) {
      if (!c.isNew) continue;
      const from = calleeFrom(f, c, ['bullmq']);
      if (!from || from.imported !== 'Worker' || from.member.length) continue;
      const name = stringOf(facts, f.file, c.args[0]);
      if (!name) continue;
      out.push({ name, file: f.file, line: c.line, opts: objectOf(facts, f.file, c.args[2]), varName: assignedVar(f, c) });
    }
  }
  return out;
}

function findEnqueuesUncached(facts: FactIndex, code: CodeIndex): EnqueueSite[] {
  const out: EnqueueSite[] = [];
  for (const f of facts.values()) {
    if (!f.imports.length && !f.calls.some((c) => c.callee.includes('add') || c.callee.includes('addBulk'))) continue;
    for (const c of f.calls) {
      const last = c.callee[c.callee.length - 1];
      if (last !== 'add' && last !== 'addBulk') continue;
      const m = code.meaning(f.file, c);
      if (!m || m.use !== 'dependency' || m.edge !== 'enqueues' || m.target.tech !== 'bullmq') continue;
      if (last === 'addBulk') {
        const arr = c.args[0];
        const jobs = arr && typeof arr === 'object' && 'arr' in arr ? arr.arr : undefined;
        if (!jobs) out.push({ queue: m.target.name, file: f.file, call: c, opts: { unknown: 'bulk' } });
        else for (const j of jobs) out.push({ queue: m.target.name, file: f.file, call: c, opts: objectOf(facts, f.file, j)?.obj.opts ?? (objectOf(facts, f.file, j) ? undefined : { unknown: 'job' }) });
        continue;
      }
      // BullMQ add(name, data, opts); Bull add(data, opts) or add(name, data, opts)
      const opts = c.args.length >= 3 ? c.args[2] : typeof c.args[0] !== 'string' && c.args.length === 2 ? c.args[1] : undefined;
      out.push({ queue: m.target.name, file: f.file, call: c, opts });
    }
  }
  return out;
}

/** Whether an options value sets `key` (false/null count as unset for the remove* options). */
export function optState(facts: FactIndex, file: string, v: Val | undefined, key: string): OptState {
  if (v === undefined || v === null) return 'unset';
  const o = objectOf(facts, file, v);
  if (!o) return 'unknown';
  if (key in o.obj) {
    const val = o.obj[key];
    if (val === false || val === null) return 'unset';
    return 'set';
  }
  return o.spread ? 'unknown' : 'unset';
}

/** Whether the jobs of a queue get `key`: from defaultJobOptions, or from every add() call. */
export function jobOption(facts: FactIndex, q: QueueDef, adds: EnqueueSite[], key: string): OptState {
  if (q.optsUnknown) return 'unknown';
  const def = q.opts ? optState(facts, q.file, q.opts.obj.defaultJobOptions, key) : 'unset';
  if (def !== 'unset') return def;
  if (q.opts?.spread && !('defaultJobOptions' in q.opts.obj)) return 'unknown';
  const mine = adds.filter((a) => a.queue === q.name);
  if (!mine.length) return 'unset';
  const states = mine.map((a) => optState(facts, a.file, a.opts, key));
  if (states.includes('unset')) return 'unset';
  return states.includes('unknown') ? 'unknown' : 'set';
}

interface FailedHandlerIndex {
  /** `file#name` of every `name.on('failed', ...)` / `name.once('failed', ...)`. */
  onFailed: Set<string>;
  /** Queue name → `file#var` of the QueueEvents created for it. */
  queueEvents: Map<string, string[]>;
  /** Queues with a NestJS @Processor class that handles failed jobs. */
  processorHandled: Set<string>;
}

// The index depends on the facts only; every queue asks, so it is built once per scan.
const failedHandlerIndexes = new WeakMap<FactIndex, FailedHandlerIndex>();

function failedHandlerIndex(facts: FactIndex): FailedHandlerIndex {
  const hit = failedHandlerIndexes.get(facts);
  if (hit) return hit;
  const ix: FailedHandlerIndex = { onFailed: new Set(), queueEvents: new Map(), processorHandled: new Set() };
  for (const f of facts.values()) {
    for (const c of f.calls) {
      if (c.isNew && c.callee[c.callee.length - 1] === 'QueueEvents') {
        // QueueEvents for the same queue
        const queue = stringOf(facts, f.file, c.args[0]);
        const v = queue !== undefined ? assignedVar(f, c) : undefined;
        if (queue !== undefined && v) {
          const list = ix.queueEvents.get(queue) ?? [];
          list.push(`${f.file}#${v}`);
          ix.queueEvents.set(queue, list);
        }
      }
      if (c.callee.length === 2 && (c.callee[1] === 'on' || c.callee[1] === 'once') && c.args[0] === 'failed') ix.onFailed.add(`${f.file}#${c.callee[0]}`);
    }
    for (const cls of f.classes) {
      const proc = cls.decorators.find((d) => d.name === 'Processor');
      if (!proc) continue;
      const arg = proc.args[0];
      const name = stringOf(facts, f.file, arg) ?? (arg && typeof arg === 'object' && 'obj' in arg ? stringOf(facts, f.file, arg.obj.name) : undefined);
      if (name === undefined) continue;
      for (const fn of f.functions) {
        if (fn.className !== cls.name) continue;
        if (fn.decorators.some((d) => d.name === 'OnQueueFailed' || ((d.name === 'OnWorkerEvent' || d.name === 'OnQueueEvent') && d.args[0] === 'failed')) || fn.name === 'onFailed') {
          ix.processorHandled.add(name);
          break;
        }
      }
    }
  }
  failedHandlerIndexes.set(facts, ix);
  return ix;
}

/** Is there a handler for failed jobs of this queue (worker/queue 'failed' listener, Nest @OnWorkerEvent('failed'))? */
export function hasFailedHandler(facts: FactIndex, queue: string, q: QueueDef[], workers: WorkerDef[]): boolean {
  const ix = failedHandlerIndex(facts);
  if (ix.processorHandled.has(queue)) return true;
  const vars: string[] = [];
  for (const w of workers) if (w.name === queue && w.varName) vars.push(`${w.file}#${w.varName}`);
  for (const d of q) if (d.name === queue && d.varName) vars.push(`${d.file}#${d.varName}`);
  vars.push(...(ix.queueEvents.get(queue) ?? []));
  return vars.some((v) => ix.onFailed.has(v));
}

/** Routes that put jobs on the queue and the worker entrypoint that consumes it. */
export function queueParties(model: Model, queue: string): { producers: string[]; worker?: string } {
  const producers = new Set<string>();
  for (const e of model.edges) if (e.to === `queue:${queue}` && e.kind === 'enqueues') for (const ep of e.entrypoints ?? []) producers.add(ep);
  const worker = model.nodes.find((n) => n.id === `entrypoint:worker:${queue}`)?.id;
  return { producers: [...producers].sort(), worker };
}
