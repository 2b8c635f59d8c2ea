// Celery tasks as the queue/* and retry/* rules see them: the decorated function, its
// options (decorator keywords), whether its body retries (self.retry / raise self.retry),
// and where it is enqueued (.delay / .apply_async / signatures). Not a rule module.
import type { CallFact, FactIndex, FunctionFact, Val } from '../../extract/facts.js';
import { decoratorFrom, kw, pyDefinition } from '../py-util.js';

export interface CeleryTaskDef {
  file: string;
  fn: FunctionFact;
  name: string;
  line: number;
  options: Record<string, Val>;
  /** The body calls self.retry(...) (a bound task retrying by hand). */
  retriesInBody: boolean;
  /** The options are passed through **kwargs (not readable). */
  opaque: boolean;
}

const cache = new WeakMap<FactIndex, CeleryTaskDef[]>();

export function celeryTasks(facts: FactIndex): CeleryTaskDef[] {
  const hit = cache.get(facts);
  if (hit) return hit;
  const out: CeleryTaskDef[] = [];
  for (const f of facts.values()) {
    if (!f.file.endsWith('.py')) continue;
    for (const fn of f.functions) {
      for (const d of fn.decorators) {
        if (!/^(task|shared_task|periodic_task)$/.test(d.name)) continue;
        const from = decoratorFrom(facts, f, d, ['celery']);
        if (!from) continue;
        const options = kw(d.args);
        const last = d.args[d.args.length - 1];
        const opaque = !!last && typeof last === 'object' && 'obj' in last && !!(last as { spread?: boolean }).spread;
        const self = fn.params[0]?.name;
        const retriesInBody = f.calls.some((c) => c.fn === fn.id && c.callee.length === 2 && c.callee[1] === 'retry' && (c.callee[0] === self || c.callee[0] === 'self'));
        out.push({ file: f.file, fn, name: typeof options.name === 'string' ? options.name : fn.name, line: d.line, options, retriesInBody, opaque });
      }
    }
  }
  cache.set(facts, out);
  return out;
}

/** Call sites that enqueue a task: `task.delay(...)`, `task.apply_async(...)`, `task.s(...)`. */
export function celeryEnqueues(facts: FactIndex, task: CeleryTaskDef): { file: string; call: CallFact }[] {
  const out: { file: string; call: CallFact }[] = [];
  for (const f of facts.values()) {
    if (!f.file.endsWith('.py')) continue;
    for (const c of f.calls) {
      if (c.root || c.callee.length !== 2 || !/^(delay|apply_async|s|si|signature)$/.test(c.callee[1])) continue;
      const d = pyDefinition(facts, f.file, c.callee[0]);
      if (d?.kind === 'fn' && d.file === task.file && d.fn.id === task.fn.id) out.push({ file: f.file, call: c });
    }
  }
  return out;
}

/** Is a task's failure handled: on_failure on its base class, a task_failure signal handler, link_error at the enqueue sites. */
export function failureHandled(facts: FactIndex, task: CeleryTaskDef): boolean {
  const base = task.options.base;
  if (base && typeof base === 'object' && 'ref' in base) {
    const def = pyDefinition(facts, task.file, base.ref.split('.')[0]);
    if (def?.kind === 'class' && facts.get(def.file)?.functions.some((x) => x.className === def.cls.name && x.name === 'on_failure')) return true;
  }
  for (const f of facts.values()) {
    if (!f.file.endsWith('.py')) continue;
    if (f.functions.some((fn) => fn.decorators.some((d) => (d.callee ?? []).join('.').includes('task_failure')))) return true;
    if (f.calls.some((c) => c.callee.join('.').endsWith('task_failure.connect'))) return true;
  }
  return false;
}
