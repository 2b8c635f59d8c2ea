import { valToString } from '../../extract/facts.js';
import { literal, receiverInstance } from '../_lib/queues.js';
import type { CallMeaning, EntrypointDef, ResourceRef, TechPack } from '../types.js';

/** docs/model.md: an AMQP queue (or exchange) is `queue:amqp-<name>`; `queue:amqp` when the name is not literal. */
export function amqpQueue(name: string | undefined): ResourceRef {
  return { kind: 'queue', name: name ? `amqp-${name}` : 'amqp', tech: 'rabbitmq' };
}

const PKGS = new Set(['amqplib', 'amqp-connection-manager']);
const isChannel = (ctor: string) => /(^|\.)(createChannel|createConfirmChannel)$/.test(ctor);

/** amqplib (and amqp-connection-manager): sendToQueue/publish → enqueues; channel.consume → a worker. */
const pack: TechPack = {
  id: 'amqplib',
  title: 'RabbitMQ (amqplib, amqp-connection-manager)',
  upstreamDocs: ['https://amqp-node.github.io/amqplib/channel_api.html', 'https://www.rabbitmq.com/tutorials/tutorial-two-javascript', 'https://github.com/jwalton/node-amqp-connection-manager#readme'],
  packages: [...PKGS],
  classifyCall(call): CallMeaning | undefined {
    const inst = call.instance;
    if (!inst || call.call.isNew || !isChannel(inst.ctor)) return { use: 'ignore' }; // connect(), connection.createChannel()
    const op = call.member[call.member.length - 1];
    if (op === 'sendToQueue') return { use: 'dependency', target: amqpQueue(valToString(call.call.args[0])), edge: 'enqueues', op: 'enqueue' };
    if (op === 'publish') {
      const exchange = valToString(call.call.args[0]);
      // the default exchange ('') routes by queue name
      if (exchange === '') return { use: 'dependency', target: amqpQueue(valToString(call.call.args[1])), edge: 'enqueues', op: 'enqueue' };
      return { use: 'dependency', target: amqpQueue(exchange), edge: 'publishes', op: 'publish' };
    }
    // consume registers a worker (entrypoints); assert*/bind*/ack/nack/prefetch/close are channel housekeeping
    return { use: 'ignore' };
  },
  entrypoints(files, link) {
    const out: EntrypointDef[] = [];
    for (const f of files) {
      for (const c of f.calls) {
        if (c.callee[c.callee.length - 1] !== 'consume') continue;
        const inst = receiverInstance(link, f.file, c);
        if (!inst || !PKGS.has(inst.pkg) || !isChannel(inst.ctor)) continue;
        const q = amqpQueue(literal(link, f.file, c.args[0], c.fn));
        const handler = c.args[1] !== undefined ? link.handlerOf(f.file, c.args[1], c.fn === '<module>' ? undefined : c.fn) : undefined;
        out.push({ name: `worker:${q.name}`, trigger: 'worker', handler, consumes: q, evidence: { file: f.file, line: c.line } });
      }
    }
    return out;
  },
};
export default pack;
