// BullMQ / Bull queue, worker and enqueue sites, with their job options resolved as far
// as literal code allows. Shared by the queue/* rules. Not a rule module.
import type { CallFact, FactIndex, FileFacts, Val } from '../../extract/facts.js';
import type { Model } from '../../model/types.js';
import type { CodeIndex } from '../types.js';
import { calleeFrom, decoratorCalls, objectOf, stringOf } from '../config/_code.js';

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

export function findQueues(facts: FactIndex): QueueDef[] {
  const out: QueueDef[] = [];
  for (const f of facts.values()) {
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

export function findWorkers(facts: FactIndex): WorkerDef[] {
  const out: WorkerDef[] = [];
  for (const f of facts.values()) {
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

export function findEnqueues(facts: FactIndex, code: CodeIndex): EnqueueSite[] {
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

/** Is there a handler for failed jobs of this queue (worker/queue 'failed' listener, Nest @OnWorkerEvent('failed'))? */
export function hasFailedHandler(facts: FactIndex, queue: string, q: QueueDef[], workers: WorkerDef[]): boolean {
  const vars = new Set<string>();
  for (const w of workers) if (w.name === queue && w.varName) vars.add(`${w.file}#${w.varName}`);
  for (const d of q) if (d.name === queue && d.varName) vars.add(`${d.file}#${d.varName}`);
  for (const f of facts.values()) {
    // QueueEvents for the same queue
    for (const c of f.calls) {
      if (!c.isNew || c.callee[c.callee.length - 1] !== 'QueueEvents') continue;
      if (stringOf(facts, f.file, c.args[0]) !== queue) continue;
      const v = assignedVar(f, c);
      if (v) vars.add(`${f.file}#${v}`);
    }
  }
  for (const f of facts.values()) {
    for (const c of f.calls) {
      if (c.callee.length !== 2 || (c.callee[1] !== 'on' && c.callee[1] !== 'once')) continue;
      if (c.args[0] !== 'failed') continue;
      if (vars.has(`${f.file}#${c.callee[0]}`)) return true;
    }
    for (const cls of f.classes) {
      const proc = cls.decorators.find((d) => d.name === 'Processor');
      if (!proc) continue;
      const arg = proc.args[0];
      const name = stringOf(facts, f.file, arg) ?? (arg && typeof arg === 'object' && 'obj' in arg ? stringOf(facts, f.file, arg.obj.name) : undefined);
      if (name !== queue) continue;
      for (const fn of f.functions) {
        if (fn.className !== cls.name) continue;
        if (fn.decorators.some((d) => d.name === 'OnQueueFailed' || ((d.name === 'OnWorkerEvent' || d.name === 'OnQueueEvent') && d.args[0] === 'failed'))) return true;
        if (fn.name === 'onFailed') return true;
      }
    }
  }
  return false;
}

/** Routes that put jobs on the queue and the worker entrypoint that consumes it. */
export function queueParties(model: Model, queue: string): { producers: string[]; worker?: string } {
  const producers = new Set<string>();
  for (const e of model.edges) if (e.to === `queue:${queue}` && e.kind === 'enqueues') for (const ep of e.entrypoints ?? []) producers.add(ep);
  const worker = model.nodes.find((n) => n.id === `entrypoint:worker:${queue}`)?.id;
  return { producers: [...producers].sort(), worker };
}
