import { objGet } from '../../extract/facts.js';
import { sqsQueueName } from '../_lib/queues.js';
import type { CallMeaning, EntrypointDef, TechPack } from '../types.js';

/** sqs-consumer: Consumer.create({ queueUrl, handleMessage }) polls an SQS queue — a worker entrypoint. */
const pack: TechPack = {
  id: 'sqs-consumer',
  title: 'sqs-consumer (SQS polling workers)',
  upstreamDocs: ['https://github.com/bbc/sqs-consumer#readme', 'https://bbc.github.io/sqs-consumer/interfaces/ConsumerOptions.html'],
  packages: ['sqs-consumer'],
  classifyCall(): CallMeaning {
    // create/start/stop/on: the consumer's own lifecycle; its handler is traced as the worker
    return { use: 'ignore' };
  },
  entrypoints(files, link) {
    const out: EntrypointDef[] = [];
    for (const f of files) {
      for (const c of f.calls) {
        if (c.root || c.callee.length === 0) continue;
        const isCreate = !c.isNew && c.callee.length === 2 && c.callee[1] === 'create';
        const isNew = c.isNew && c.callee.length === 1;
        if (!isCreate && !isNew) continue;
        const ref = link.instanceOf(f.file, c.callee[0], c.fn);
        if (!ref || !('exportName' in ref) || ref.pkg !== 'sqs-consumer' || ref.exportName !== 'Consumer') continue;
        const fromFn = c.fn === '<module>' ? undefined : c.fn;
        const opts = link.evaluate(f.file, c.args[0], fromFn);
        const name = sqsQueueName(objGet(opts, 'queueUrl'));
        const handlerVal = objGet(c.args[0], 'handleMessage') ?? objGet(c.args[0], 'handleMessageBatch') ?? objGet(opts, 'handleMessage') ?? objGet(opts, 'handleMessageBatch');
        const handler = handlerVal !== undefined ? link.handlerOf(f.file, handlerVal, fromFn) : undefined;
        const queue = { kind: 'queue' as const, name: name ? `sqs-${name}` : 'sqs', tech: 'aws-sqs' };
        out.push({ name: `worker:${queue.name}`, trigger: 'worker', handler, consumes: queue, evidence: { file: f.file, line: c.line } });
      }
    }
    return out;
  },
};
export default pack;
