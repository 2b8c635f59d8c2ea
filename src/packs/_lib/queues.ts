// Message-broker helpers: queue names from URLs and literals, the instance a method is called on.
import type { CallFact, Val } from '../../extract/facts.js';
import type { EntrypointLink, Instance } from '../types.js';

/**
 * An SQS queue's name, the same on the producer and the consumer side: the last path
 * segment of a literal queue URL; the stem of the env var holding it
 * (ORDERS_QUEUE_URL → orders); undefined when neither is known.
 */
export function sqsQueueName(v: Val | undefined): string | undefined {
  if (typeof v === 'string') {
    const m = /\/([A-Za-z0-9_-]+(\.fifo)?)\/?$/.exec(v) ?? /^([A-Za-z0-9_-]+(\.fifo)?)$/.exec(v);
    return m ? m[1] : undefined;
  }
  if (!v || typeof v !== 'object') return undefined;
  if ('env' in v) return envQueueStem(v.env);
  if ('tpl' in v) {
    const tail = /\/([A-Za-z0-9_-]+(\.fifo)?)$/.exec(v.tpl);
    if (tail && !tail[1].includes('${}')) return tail[1];
    if (v.tpl === '${}' && v.parts.length === 1) return sqsQueueName(v.parts[0]);
  }
  return undefined;
}

function envQueueStem(name: string): string | undefined {
  const stem = name.replace(/_?(SQS_)?(QUEUE_)?(URL|URI|ARN|NAME)$/i, '').replace(/_?(SQS_)?QUEUE$/i, '').replace(/^SQS_/i, '');
  return stem ? stem.toLowerCase().replace(/_/g, '-') : undefined;
}

/** The package instance a method call is made on (`consumer.run(...)` → consumer), when the receiver is a plain name or a project factory's call (`getQueue().process(...)`). */
export function receiverInstance(link: EntrypointLink, file: string, call: CallFact): Instance | undefined {
  if (call.callee.length !== 2) return undefined;
  if (call.root === 'call' && call.recv) return factoryInstance(link, file, call.recv, call.fn);
  if (call.root) return undefined;
  const inst = link.instanceOf(file, call.callee[0], call.fn);
  return inst && 'ctor' in inst ? inst : undefined;
}

/** Only a project function: a package's call result (`Queue('emails')`, `fetch(url)`) is not taken for a receiver. */
function factoryInstance(link: EntrypointLink, file: string, name: string, fn: string): Instance | undefined {
  const fromFn = fn === '<module>' ? undefined : fn;
  if (link.resolve?.(file, { ref: name }, fromFn)?.kind !== 'fn') return undefined;
  const made = link.resolve(file, { call: name, args: [] }, fromFn);
  return made?.kind === 'inst' ? made.inst : undefined;
}

/** A literal string after references are followed. */
export function literal(link: EntrypointLink, file: string, v: Val | undefined, fn: string): string | undefined {
  if (v === undefined) return undefined;
  const e = link.evaluate(file, v, fn === '<module>' ? undefined : fn);
  return typeof e === 'string' ? e : undefined;
}
