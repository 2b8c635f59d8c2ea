import { objGet, valToString, type Val } from '../../extract/facts.js';
import { receiverInstance } from '../_lib/queues.js';
import type { CallMeaning, EntrypointDef, ResourceRef, TechPack } from '../types.js';

/** docs/model.md: a Kafka topic is `queue:kafka-<topic>`; the cluster, when the topic is not literal, `queue:kafka`. */
export function kafkaTopic(topic: string | undefined): ResourceRef {
  return { kind: 'queue', name: topic ? `kafka-${topic}` : 'kafka', tech: 'kafka' };
}

const PRODUCER_LOCAL = new Set(['connect', 'disconnect', 'on', 'events', 'transaction', 'commit', 'abort', 'sendOffsets', 'isActive', 'logger']);

function topicsOf(v: Val | undefined): (string | undefined)[] {
  const topic = objGet(v, 'topic');
  if (topic !== undefined) return [valToString(topic)];
  const topics = objGet(v, 'topics');
  if (topics && typeof topics === 'object' && 'arr' in topics) return topics.arr.map(valToString);
  return [undefined];
}

/** kafkajs: producer.send → publishes to the topic; consumer.subscribe + consumer.run → a worker per topic. */
const pack: TechPack = {
  id: 'kafkajs',
  title: 'KafkaJS',
  upstreamDocs: ['https://kafka.js.org/docs/producing', 'https://kafka.js.org/docs/consuming', 'https://kafka.js.org/docs/configuration', 'https://kafka.js.org/docs/transactions'],
  packages: ['kafkajs'],
  classifyCall(call): CallMeaning | undefined {
    const inst = call.instance;
    if (!inst || call.call.isNew) return { use: 'ignore' };
    const op = call.member[call.member.length - 1];
    if (/(^|\.)producer(\.transaction)?$/.test(inst.ctor)) {
      if (op === 'send') {
        const topics = [...new Set(topicsOf(call.call.args[0]))];
        return { use: 'dependency', target: kafkaTopic(topics.length === 1 ? topics[0] : undefined), edge: 'publishes', op: 'publish' };
      }
      if (op === 'sendBatch') {
        const list = objGet(call.call.args[0], 'topicMessages');
        const topics = list && typeof list === 'object' && 'arr' in list ? [...new Set(list.arr.map((t) => valToString(objGet(t, 'topic'))))] : [];
        return { use: 'dependency', target: kafkaTopic(topics.length === 1 ? topics[0] : undefined), edge: 'publishes', op: 'publish' };
      }
      if (op === undefined || PRODUCER_LOCAL.has(op)) return { use: 'ignore' };
      return undefined;
    }
    // consumers register workers (see entrypoints); the admin client runs at start-up
    return { use: 'ignore' };
  },
  entrypoints(files, link) {
    const out: EntrypointDef[] = [];
    for (const f of files) {
      for (const c of f.calls) {
        if (c.callee[c.callee.length - 1] !== 'run') continue;
        const inst = receiverInstance(link, f.file, c);
        if (!inst || inst.pkg !== 'kafkajs' || !/(^|\.)consumer$/.test(inst.ctor)) continue;
        const opts = link.evaluate(f.file, c.args[0], c.fn === '<module>' ? undefined : c.fn);
        const handlerVal = objGet(opts, 'eachMessage') ?? objGet(opts, 'eachBatch');
        const handler = handlerVal !== undefined ? link.handlerOf(f.file, handlerVal, c.fn === '<module>' ? undefined : c.fn) : undefined;
        // consumer.subscribe({ topic }) / ({ topics: [...] }) on the same consumer in this file
        const topics = new Set<string | undefined>();
        for (const s of f.calls) {
          if (s.callee.length !== 2 || s.callee[0] !== c.callee[0] || s.callee[1] !== 'subscribe') continue;
          if (receiverInstance(link, f.file, s)?.evidence.line !== inst.evidence.line) continue;
          const sub = link.evaluate(f.file, s.args[0], s.fn === '<module>' ? undefined : s.fn);
          for (const t of topicsOf(sub)) topics.add(t);
        }
        if (topics.size === 0) topics.add(undefined);
        for (const t of [...topics].sort()) {
          const q = kafkaTopic(t);
          out.push({ name: `worker:${q.name}`, trigger: 'worker', handler, consumes: q, evidence: { file: f.file, line: c.line } });
        }
      }
    }
    return out;
  },
};
export default pack;
