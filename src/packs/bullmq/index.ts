import { valToString, type Val } from '../../extract/facts.js';
import type { EntrypointDef, Instance, TechPack } from '../types.js';

export function queueName(inst: Instance): string | undefined {
  const fromArgs = valToString(inst.args[0]);
  if (fromArgs) return fromArgs;
  const injected = inst.decorators?.find((d) => d.name === 'InjectQueue');
  return injected ? valToString(injected.args[0]) ?? 'default' : undefined;
}

/** BullMQ / Bull: Queue.add enqueues onto a Redis-backed queue; Worker consumes it. */
const pack: TechPack = {
  id: 'bullmq',
  title: 'BullMQ / Bull',
  upstreamDocs: ['https://docs.bullmq.io/guide/queues', 'https://docs.bullmq.io/guide/workers', 'https://docs.bullmq.io/guide/retrying-failing-jobs'],
  packages: ['bullmq', 'bull', '@nestjs/bullmq', '@nestjs/bull'],
  classifyCall(call) {
    const inst = call.instance;
    if (!inst || !/(^|\.)Queue$/.test(inst.ctor)) return undefined;
    const op = call.member[call.member.length - 1];
    const name = queueName(inst) ?? 'default';
    if (op === 'add' || op === 'addBulk') return { use: 'dependency', target: { kind: 'queue', name, tech: 'bullmq' }, edge: 'enqueues', op: 'enqueue' };
    return { use: 'ignore' };
  },
  entrypoints(files, link) {
    const out: EntrypointDef[] = [];
    for (const f of files) {
      for (const c of f.calls) {
        if (!c.isNew || c.callee.length === 0) continue;
        const inst = link.instanceOf(f.file, c.callee[0]);
        if (!inst || !('pkg' in inst) || (inst.pkg !== 'bullmq' && inst.pkg !== 'bull')) continue;
        const ctorName = 'ctor' in inst ? inst.ctor : inst.exportName;
        if (ctorName !== 'Worker' && !(c.callee.length === 1 && c.callee[0] === 'Worker')) continue;
        const name = valToString(link.evaluate(f.file, c.args[0], c.fn));
        if (!name) continue;
        const handler = link.handlerOf(f.file, c.args[1] as Val, c.fn === '<module>' ? undefined : c.fn);
        out.push({ name: `worker:${name}`, trigger: 'worker', handler, consumes: { kind: 'queue', name, tech: 'bullmq' }, evidence: { file: f.file, line: c.line } });
      }
      // NestJS: @Processor('emails') class with process() / @Process()
      for (const cls of f.classes) {
        const proc = cls.decorators.find((d) => d.name === 'Processor');
        if (!proc) continue;
        const arg = proc.args[0];
        const name = valToString(arg) ?? (arg && typeof arg === 'object' && 'obj' in arg ? valToString(arg.obj.name) : undefined);
        if (!name) continue;
        const method = f.functions.find((fn) => fn.className === cls.name && (fn.name === 'process' || fn.decorators.some((d) => d.name === 'Process')));
        out.push({ name: `worker:${name}`, trigger: 'worker', handler: method ? { file: f.file, fn: method.id } : undefined, consumes: { kind: 'queue', name, tech: 'bullmq' }, evidence: { file: f.file, line: proc.line } });
      }
    }
    return out;
  },
};
export default pack;
