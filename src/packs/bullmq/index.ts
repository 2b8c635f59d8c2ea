import { valToString, type Val } from '../../extract/facts.js';
import type { EntrypointDef, Instance, TechPack } from '../types.js';

export function queueName(inst: Instance): string | undefined {
  const fromArgs = valToString(inst.args[0]);
  if (fromArgs) return fromArgs;
  const injected = inst.decorators?.find((d) => d.name === 'InjectQueue');
  return injected ? valToString(injected.args[0]) ?? 'default' : undefined;
}

/** `@Process('resize')` or `@Process({ name: 'resize', concurrency: 4 })`: the job it handles. */
function processJobName(v: Val): string | undefined {
  return valToString(v) ?? (v && typeof v === 'object' && 'obj' in v ? valToString(v.obj.name) : undefined);
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
        // `@Processor(DATA_GATHERING_QUEUE)`: the constant's value names the queue
        const arg = link.evaluate(f.file, proc.args[0]);
        const name = valToString(arg) ?? (arg && typeof arg === 'object' && 'obj' in arg ? valToString(arg.obj.name) : undefined);
        if (!name) continue;
        const methods = f.functions.filter((fn) => fn.className === cls.name && (fn.name === 'process' || fn.decorators.some((d) => d.name === 'Process')));
        if (methods.length <= 1) {
          out.push({ name: `worker:${name}`, trigger: 'worker', handler: methods[0] ? { file: f.file, fn: methods[0].id } : undefined, consumes: { kind: 'queue', name, tech: 'bullmq' }, evidence: { file: f.file, line: proc.line } });
          continue;
        }
        // one consumer per named job (`@Process({ name: GATHER_ASSET_PROFILE_PROCESS_JOB_NAME })`), as Bull's process('job', handler)
        for (const m of methods) {
          const job = processJobName(link.evaluate(f.file, m.decorators.find((d) => d.name === 'Process')?.args[0] ?? null)) ?? m.name;
          out.push({ name: `worker:${name}:${job}`, trigger: 'worker', handler: { file: f.file, fn: m.id }, consumes: { kind: 'queue', name, tech: 'bullmq' }, evidence: { file: f.file, line: m.line } });
        }
      }
    }
    return out;
  },
};
export default pack;
