import { valToNumber, valToString, type Val } from '../../extract/facts.js';
import { queueName } from '../bullmq/index.js';
import { receiverInstance } from '../_lib/queues.js';
import type { CallMeaning, EntrypointDef, TechPack } from '../types.js';

const HOUSEKEEPING = new Set(['process', 'on', 'once', 'close', 'isReady', 'whenCurrentJobsFinished']);

/** Legacy Bull (the bullmq pack handles BullMQ): queue.add enqueues; queue.process(...) is the worker. */
const pack: TechPack = {
  id: 'bull',
  title: 'Bull (legacy)',
  upstreamDocs: ['https://github.com/OptimalBits/bull/blob/develop/REFERENCE.md#queueprocess', 'https://github.com/OptimalBits/bull/blob/develop/REFERENCE.md#queueadd', 'https://docs.nestjs.com/techniques/queues'],
  packages: ['bull'],
  classifyCall(call): CallMeaning | undefined {
    const inst = call.instance;
    if (!inst || call.call.isNew) return { use: 'ignore' };
    const op = call.member[call.member.length - 1];
    if (op === 'add' || op === 'addBulk') return { use: 'dependency', target: { kind: 'queue', name: queueName(inst) ?? 'default', tech: 'bullmq' }, edge: 'enqueues', op: 'enqueue' };
    if (op === undefined || HOUSEKEEPING.has(op)) return { use: 'ignore' };
    return undefined;
  },
  entrypoints(files, link) {
    const sites: { queue: string; job?: string; handler?: { file: string; fn: string }; file: string; line: number }[] = [];
    for (const f of files) {
      for (const c of f.calls) {
        if (c.callee[c.callee.length - 1] !== 'process') continue;
        const inst = receiverInstance(link, f.file, c);
        if (!inst || inst.pkg !== 'bull') continue;
        const queue = valToString(link.evaluate(inst.evidence.file, inst.args[0] as Val)) ?? queueName(inst);
        if (!queue) continue;
        // process(handler) | process(concurrency, handler) | process(name, handler) | process(name, concurrency, handler)
        const args = c.args.map((a) => link.evaluate(f.file, a, c.fn === '<module>' ? undefined : c.fn));
        const job = typeof args[0] === 'string' && args.length > 1 ? args[0] : undefined;
        const last = c.args[c.args.length - 1];
        const handler = last !== undefined && valToNumber(args[args.length - 1]) === undefined ? link.handlerOf(f.file, last, c.fn === '<module>' ? undefined : c.fn) : undefined;
        sites.push({ queue, job, handler, file: f.file, line: c.line });
      }
    }
    const out: EntrypointDef[] = [];
    for (const s of sites) {
      const several = sites.filter((x) => x.queue === s.queue).length > 1;
      const name = several && s.job ? `worker:${s.queue}:${s.job}` : `worker:${s.queue}`;
      out.push({ name, trigger: 'worker', handler: s.handler, consumes: { kind: 'queue', name: s.queue, tech: 'bullmq' }, evidence: { file: s.file, line: s.line } });
    }
    return out;
  },
};
export default pack;
