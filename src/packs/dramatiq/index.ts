// Dramatiq: `@dramatiq.actor(queue_name="emails", max_retries=3)` functions are workers on
// queue:<queue_name> ("default"); `fn.send(...)` / `fn.send_with_options(...)` enqueue. The
// broker (RedisBroker / RabbitmqBroker set with dramatiq.set_broker) decides the store.
import type { FileFacts } from '../../extract/facts.js';
import { projectValue, remember } from '../_lib/project.js';
import { arg, factoryApplies } from '../_lib/python.js';
import type { EntrypointDef, EntrypointLink, ResourceRef, TechPack } from '../types.js';

function brokerStore(files: FileFacts[]): ResourceRef['store'] {
  for (const f of files) for (const i of f.imports) {
    if (/^dramatiq\.brokers\.redis/.test(i.source)) return { kind: 'cache', name: 'redis', tech: 'redis' };
    if (/^dramatiq\.brokers\.rabbitmq/.test(i.source)) return { kind: 'queue', name: 'rabbitmq', tech: 'rabbitmq' };
  }
  return undefined;
}

function queueRef(name: string, store: ResourceRef['store']): ResourceRef {
  return { kind: 'queue', name, tech: 'dramatiq', ...(store ? { store } : {}) };
}

function actors(files: FileFacts[], link: EntrypointLink) {
  const out: { file: string; fnId: string; queue?: string; line: number; name: string }[] = [];
  for (const f of files) for (const fn of f.functions) for (const d of fn.decorators) {
    if (d.name !== 'actor') continue;
    const r = link.resolve?.(f.file, { ref: (d.callee ?? ['actor'])[0] });
    if (!r) continue;
    const direct = (r.kind === 'export' ? r.pkg : r.kind === 'inst' ? r.inst.pkg : '') === 'dramatiq';
    // a project factory that applies dramatiq.actor inside: its queue is what the decorator names, else unknown
    const wrapped = !direct && r.kind === 'fn' && factoryApplies(link, r.file, r.fn, 'dramatiq', 'actor');
    if (!direct && !wrapped) continue;
    const q = arg(d.args, 'queue_name');
    const name = arg(d.args, 'actor_name');
    out.push({ file: f.file, fnId: fn.id, queue: typeof q === 'string' ? q : direct ? 'default' : undefined, line: d.line, name: typeof name === 'string' ? name : fn.name });
  }
  return out;
}

const pack: TechPack = {
  id: 'dramatiq',
  title: 'Dramatiq (actors, enqueues)',
  lang: 'python',
  upstreamDocs: ['https://dramatiq.io/guide.html', 'https://dramatiq.io/reference.html#dramatiq.actor'],
  packages: ['dramatiq'],
  classifyCall(call) {
    const op = call.member[call.member.length - 1];
    if (call.instance?.ctor === '@actor' && (op === 'send' || op === 'send_with_options')) {
      const q = arg(call.instance.args, 'queue_name');
      const store = projectValue(call.facts, 'dramatiq:store', (link) => brokerStore(link.allFiles()));
      return { use: 'dependency', target: queueRef(typeof q === 'string' ? q : 'default', store), edge: 'enqueues', op: 'enqueue' };
    }
    return { use: 'ignore' };
  },
  entrypoints(files, link) {
    remember(files, link);
    const store = brokerStore(files);
    return actors(files, link).map((a): EntrypointDef => ({ name: `worker:${a.name}`, trigger: 'worker', handler: { file: a.file, fn: a.fnId }, ...(a.queue !== undefined ? { consumes: queueRef(a.queue, store) } : {}), evidence: { file: a.file, line: a.line } }));
  },
};
export default pack;
