// RQ (Redis Queue): `q = Queue("emails", connection=redis)`; `q.enqueue(fn, ...)` enqueues to
// queue:<name> on cache:redis; a function decorated with `@job("emails")` is enqueued by
// `fn.delay(...)`. Workers run whatever is enqueued (`rq worker emails`): the enqueued
// function is the worker entrypoint worker:<queue>.
import type { FileFacts } from '../../extract/facts.js';
import { remember } from '../_lib/project.js';
import { arg, ctorHead, positional } from '../_lib/python.js';
import type { EntrypointDef, ResourceRef, TechPack } from '../types.js';

const REDIS = { kind: 'cache' as const, name: 'redis', tech: 'redis' };

function queueRef(name: string): ResourceRef {
  return { kind: 'queue', name, tech: 'rq', store: REDIS };
}

const pack: TechPack = {
  id: 'rq',
  title: 'RQ (Redis Queue)',
  lang: 'python',
  upstreamDocs: ['https://python-rq.org/docs/', 'https://python-rq.org/docs/jobs/#retrying-failed-jobs'],
  packages: ['rq'],
  classifyCall(call) {
    const op = call.member[call.member.length - 1];
    const inst = call.instance;
    if (inst && /^Queue/.test(ctorHead(inst)) && /^(enqueue|enqueue_call|enqueue_at|enqueue_in|enqueue_many)$/.test(op ?? '')) {
      const name = positional(inst.args)[0] ?? arg(inst.args, 'name');
      return { use: 'dependency', target: queueRef(typeof name === 'string' ? name : 'default'), edge: 'enqueues', op: 'enqueue' };
    }
    if (inst && inst.ctor.startsWith('@') && op === 'delay') {
      const name = positional(inst.args)[0] ?? arg(inst.args, 'queue');
      return { use: 'dependency', target: queueRef(typeof name === 'string' ? name : 'default'), edge: 'enqueues', op: 'enqueue' };
    }
    return { use: 'ignore' };
  },
  entrypoints(files: FileFacts[], link) {
    remember(files, link);
    const out: EntrypointDef[] = [];
    for (const f of files) for (const c of f.calls) {
      const op = c.callee[c.callee.length - 1];
      if (!op || !/^(enqueue|enqueue_call|enqueue_at|enqueue_in)$/.test(op) || c.callee.length < 2) continue;
      const fromFn = c.fn === '<module>' ? undefined : c.fn;
      const q = link.instanceOf(f.file, c.callee[0], fromFn);
      if (!q || !('ctor' in q) || q.pkg !== 'rq' || !/^Queue/.test(ctorHead(q))) continue;
      const name = positional(q.args)[0] ?? arg(q.args, 'name');
      const queue = typeof name === 'string' ? name : 'default';
      const h = link.handlerOf(f.file, positional(c.args)[op === 'enqueue_at' || op === 'enqueue_in' ? 1 : 0] ?? arg(c.args, 'f') ?? null, fromFn);
      if (!h) continue;
      const ep = `worker:${queue}`;
      if (!out.some((e) => e.name === ep)) out.push({ name: ep, trigger: 'worker', handler: h, consumes: queueRef(queue), evidence: { file: f.file, line: c.line } });
    }
    return out;
  },
};
export default pack;
