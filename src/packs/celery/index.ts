// Celery: tasks (`@app.task`, `@shared_task`) are workers consuming their queue (the
// `queue=` option, task_routes, else "celery"); beat_schedule entries and
// add_periodic_task(...) are scheduled entrypoints running their task; `.delay()`,
// `.apply_async()`, signatures and `send_task()` enqueue. The broker URL decides the
// store: a Redis broker puts the queue on cache:redis.
import type { FileFacts, FunctionFact, Val } from '../../extract/facts.js';
import { projectValue, remember } from '../_lib/project.js';
import { arg, factoryApplies, kwargs, positional } from '../_lib/python.js';
import type { EntrypointDef, EntrypointLink, ResourceRef, TechPack } from '../types.js';

const TASK_DECORATORS = new Set(['task', 'shared_task', 'periodic_task']);
const ENQUEUE = new Set(['delay', 'apply_async', 'send_task', 'si', 's', 'signature', 'map', 'starmap', 'chunks']);

export interface CeleryTask {
  file: string;
  fn: FunctionFact;
  /** Task name: name= option, else the function name. */
  name: string;
  /** Options: the decorator's keyword arguments. */
  options: Record<string, Val>;
  queue: string;
  line: number;
}

export interface CeleryProject {
  tasks: CeleryTask[];
  broker?: { url?: string; env?: string; file: string; line: number };
  /** Celery app configuration (conf.update(...), attribute assignments, Celery(...) keywords), app-wide task defaults. */
  conf: Record<string, { value: Val; file: string; line: number }>;
  apps: { file: string; line: number; var?: string }[];
}

function isCeleryApp(link: EntrypointLink, file: string, v: Val, fromFn?: string): boolean {
  const r = link.resolve?.(file, v, fromFn);
  return r?.kind === 'inst' && r.inst.pkg === 'celery' && /^(\*\.)?Celery/.test(r.inst.ctor);
}

function urlOf(link: EntrypointLink, file: string, v: Val | undefined): { url?: string; env?: string } {
  if (v === undefined) return {};
  const e = link.evaluate(file, v);
  if (typeof e === 'string') return { url: e };
  if (e && typeof e === 'object' && 'env' in e) return { env: e.env, ...(typeof e.default === 'string' ? { url: e.default } : {}) };
  if (e && typeof e === 'object' && 'ref' in e) return { env: e.ref.split('.').pop() };
  return {};
}

export function celeryProject(facts: FileFacts): CeleryProject | undefined {
  return projectValue(facts, 'celery:project', (link) => collect(link.allFiles().filter((f) => f.file.endsWith('.py')), link));
}

function collect(files: FileFacts[], link: EntrypointLink): CeleryProject {
  const out: CeleryProject = { tasks: [], conf: {}, apps: [] };
  const routes: Record<string, string> = {};
  for (const f of files) {
    for (const v of f.vars) {
      if (v.init && typeof v.init === 'object' && 'call' in v.init && !v.name.includes('.') && isCeleryApp(link, f.file, { ref: v.name })) {
        out.apps.push({ file: f.file, line: v.line, var: v.name });
        const kw = kwargs(v.init.args);
        for (const [k, x] of Object.entries(kw)) out.conf[k] ??= { value: x, file: f.file, line: v.line };
        if (kw.broker !== undefined) out.broker = { ...urlOf(link, f.file, kw.broker), file: f.file, line: v.line };
      }
      // celery_app.conf.beat_schedule = {...} / app.conf.task_acks_late = True
      const m = /^(\w+)\.conf\.(\w+)$/.exec(v.name);
      if (m && v.init !== undefined && isCeleryApp(link, f.file, { ref: m[1] })) {
        out.conf[m[2]] = { value: v.init, file: f.file, line: v.line };
        if (m[2] === 'broker_url') out.broker = { ...urlOf(link, f.file, v.init), file: f.file, line: v.line };
      }
    }
    for (const c of f.calls) {
      // celery_app.conf.update(task_acks_late=True, ...)
      const n = c.callee.length;
      if (n >= 3 && c.callee[n - 2] === 'conf' && c.callee[n - 1] === 'update' && isCeleryApp(link, f.file, { ref: c.callee.slice(0, -2).join('.') }, c.fn === '<module>' ? undefined : c.fn)) {
        for (const [k, x] of Object.entries(kwargs(c.args))) out.conf[k] = { value: x, file: f.file, line: c.line };
        const o = positional(c.args)[0];
        if (o && typeof o === 'object' && 'obj' in o) for (const [k, x] of Object.entries(o.obj)) out.conf[k] = { value: x, file: f.file, line: c.line };
        if (out.conf.broker_url) out.broker = { ...urlOf(link, f.file, out.conf.broker_url.value), file: f.file, line: c.line };
      }
    }
  }
  // app.config_from_object("django.conf:settings", namespace="CELERY"): CELERY_BEAT_SCHEDULE, CELERY_BROKER_URL... in the settings module
  const namespaced = files.some((f) => f.calls.some((c) => c.callee[c.callee.length - 1] === 'config_from_object' && typeof kwargs(c.args).namespace === 'string'));
  const prefix = namespaced ? (files.flatMap((f) => f.calls).map((c) => (c.callee[c.callee.length - 1] === 'config_from_object' ? kwargs(c.args).namespace : undefined)).find((x) => typeof x === 'string') as string) : undefined;
  if (prefix) {
    const re = new RegExp(`^${prefix}_([A-Z0-9_]+)$`);
    for (const f of files) for (const v of f.vars) {
      const m = re.exec(v.name);
      if (m && v.init !== undefined) out.conf[m[1].toLowerCase()] ??= { value: v.init, file: f.file, line: v.line };
      // CELERY_BEAT_SCHEDULE["observability-reporter"] = {...}
      const sub = new RegExp(`^${prefix}_BEAT_SCHEDULE\\.(.+)$`).exec(v.name);
      if (sub && v.init !== undefined) {
        const cur = out.conf.beat_schedule;
        if (cur && cur.value && typeof cur.value === 'object' && 'obj' in cur.value) cur.value = { obj: { ...cur.value.obj, [sub[1]]: v.init } };
      }
    }
    if (out.conf.broker_url && !out.broker) out.broker = { ...urlOf(link, out.conf.broker_url.file, out.conf.broker_url.value), file: out.conf.broker_url.file, line: out.conf.broker_url.line };
  }
  const tr = out.conf.task_routes?.value;
  if (tr && typeof tr === 'object' && 'obj' in tr) for (const [k, x] of Object.entries(tr.obj)) {
    const q = x && typeof x === 'object' && 'obj' in x ? x.obj.queue : undefined;
    if (typeof q === 'string') routes[k] = q;
  }
  const defaultQueue = typeof out.conf.task_default_queue?.value === 'string' ? (out.conf.task_default_queue.value as string) : 'celery';
  for (const f of files) {
    for (const fn of f.functions) {
      for (const d of fn.decorators) {
        const chain = d.callee ?? [d.name];
        const last = chain[chain.length - 1];
        if (TASK_DECORATORS.has(last)) {
          const base = chain.length > 1 ? link.resolve?.(f.file, { ref: chain.slice(0, -1).join('.') }) : link.resolve?.(f.file, { ref: chain[0] });
          const ok = chain.length > 1 ? base?.kind === 'inst' && base.inst.pkg === 'celery' : base?.kind === 'export' && base.pkg === 'celery';
          if (!ok) continue;
        } else {
          // a project decorator that applies shared_task inside (`@non_concurrent_task` returning `shared_task(bind=True)(inner)`)
          const wrapper = link.resolve?.(f.file, { ref: chain.join('.') });
          if (wrapper?.kind !== 'fn' || !factoryApplies(link, wrapper.file, wrapper.fn, 'celery', 'shared_task')) continue;
        }
        const options = kwargs(d.args);
        const name = typeof options.name === 'string' ? options.name : fn.name;
        const dotted = `${f.file.replace(/\.py$/, '').replace(/\/__init__$/, '').replace(/\//g, '.')}.${fn.name}`;
        const routed = Object.entries(routes).find(([k]) => k === name || k === dotted || (k.endsWith('*') && dotted.startsWith(k.slice(0, -1))) || dotted.endsWith(`.${k}`));
        const queue = typeof options.queue === 'string' ? options.queue : routed?.[1] ?? defaultQueue;
        out.tasks.push({ file: f.file, fn, name, options, queue, line: d.line });
      }
    }
  }
  return out;
}

export function queueRef(project: CeleryProject | undefined, queue: string, env: (n: string) => string | undefined): ResourceRef {
  const url = project?.broker?.url ?? (project?.broker?.env ? env(project.broker.env) : undefined);
  const scheme = url ? /^([a-z+]+):\/\//i.exec(url)?.[1]?.toLowerCase() : undefined;
  const store = scheme && /^rediss?$/.test(scheme) ? { kind: 'cache' as const, name: 'redis', tech: 'redis' } : scheme && /^(amqp|amqps|pyamqp)$/.test(scheme) ? { kind: 'queue' as const, name: 'rabbitmq', tech: 'rabbitmq' } : undefined;
  return { kind: 'queue', name: queue, tech: 'celery', ...(store ? { store } : {}) };
}

function taskByName(project: CeleryProject, name: string): CeleryTask | undefined {
  return project.tasks.find((t) => t.name === name) ?? project.tasks.find((t) => name.endsWith(`.${t.fn.name}`) || name === t.fn.name);
}

const pack: TechPack = {
  id: 'celery',
  title: 'Celery (tasks, beat schedules, enqueues)',
  lang: 'python',
  upstreamDocs: ['https://docs.celeryq.dev/en/stable/userguide/tasks.html', 'https://docs.celeryq.dev/en/stable/userguide/periodic-tasks.html', 'https://docs.celeryq.dev/en/stable/userguide/configuration.html'],
  packages: ['celery'],
  classifyCall(call, ctx) {
    const op = call.member[call.member.length - 1];
    if (!op) return { use: 'ignore' };
    const project = celeryProject(call.facts);
    // task.delay(...) / task.apply_async(...): the instance is the decorated task (typeName = its function)
    if (call.instance && call.instance.ctor.startsWith('@') && ENQUEUE.has(call.member[0] ?? '')) {
      const task = project?.tasks.find((t) => t.fn.id === call.instance!.typeName && t.file === call.instance!.evidence.file);
      const q = typeof arg(call.call.args, 'queue') === 'string' ? (arg(call.call.args, 'queue') as string) : task?.queue ?? 'celery';
      return { use: 'dependency', target: queueRef(project, q, ctx.env), edge: 'enqueues', op: 'enqueue' };
    }
    if (op === 'send_task' && call.instance && /Celery/.test(call.instance.ctor)) {
      const name = positional(call.call.args)[0];
      const task = typeof name === 'string' && project ? taskByName(project, name) : undefined;
      const q = typeof arg(call.call.args, 'queue') === 'string' ? (arg(call.call.args, 'queue') as string) : task?.queue ?? 'celery';
      return { use: 'dependency', target: queueRef(project, q, ctx.env), edge: 'enqueues', op: 'enqueue' };
    }
    return { use: 'ignore' };
  },
  entrypoints(files, link) {
    remember(files, link);
    const project = celeryProject(files[0] ?? ({} as FileFacts)) ?? collect(files, link);
    const out: EntrypointDef[] = [];
    const env = () => undefined;
    for (const t of project.tasks) {
      out.push({ name: `worker:${t.name}`, trigger: 'worker', handler: { file: t.file, fn: t.fn.id }, consumes: queueRef(project, t.queue, env), evidence: { file: t.file, line: t.line } });
    }
    // beat_schedule = { "cleanup-every-hour": { "task": "app.tasks.cleanup", "schedule": crontab(minute=0) } }
    const bs = project.conf.beat_schedule;
    if (bs && bs.value && typeof bs.value === 'object' && 'obj' in bs.value) {
      for (const [name, entry] of Object.entries(bs.value.obj)) {
        const taskName = entry && typeof entry === 'object' && 'obj' in entry ? entry.obj.task : undefined;
        const task = typeof taskName === 'string' ? taskByName(project, taskName) : undefined;
        // beat only enqueues: the task runs on a worker, through the broker
        out.push({ name: `cron:${name}`, trigger: 'schedule', ...(task ? { handler: { file: task.file, fn: task.fn.id }, consumes: queueRef(project, task.queue, env) } : {}), evidence: { file: bs.file, line: bs.line } });
      }
    }
    // sender.add_periodic_task(60.0, cleanup.s(), name="cleanup")
    for (const f of files) for (const c of f.calls) {
      if (c.callee[c.callee.length - 1] !== 'add_periodic_task') continue;
      const sig = positional(c.args)[1];
      const ref = sig && typeof sig === 'object' && 'call' in sig ? sig.call.split('.').slice(0, -1).join('.') : undefined;
      const h = ref ? link.handlerOf(f.file, { ref }, c.fn === '<module>' ? undefined : c.fn) : undefined;
      const name = arg(c.args, 'name');
      const label = typeof name === 'string' ? name : ref ?? `periodic@${c.line}`;
      out.push({ name: `cron:${label}`, trigger: 'schedule', ...(h ? { handler: h } : {}), evidence: { file: f.file, line: c.line } });
    }
    return out;
  },
};
export default pack;
