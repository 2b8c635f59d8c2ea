import type { FileFacts, Val } from '../../extract/facts.js';
import type { TechPack } from '../types.js';

/** Does the file configure a fallback on the breaker created at this line? */
function hasFallback(facts: FileFacts, ctorLine: number): boolean {
  // breaker.fallback(...) anywhere in the same file, or an options object with a fallback.
  return facts.calls.some((c) => c.callee[c.callee.length - 1] === 'fallback' && c.callee.length >= 2) || facts.calls.some((c) => c.line === ctorLine && JSON.stringify(c.args).includes('"fallback"'));
}

/** cockatiel policies that are no breaker: a wrap(...) of only these (retry + timeout) has none. */
const NOT_BREAKER = /^(retry|timeout|bulkhead|fallback|noop)$/;

/** Is the cockatiel policy a circuit breaker, or a wrap(...) that may hold one (any policy not known to be another kind)? */
function cockatielBreaker(ctor: string, args: readonly Val[]): boolean {
  if (/circuitBreaker/.test(ctor)) return true;
  if (!/(^|\.)wrap$/.test(ctor)) return false;
  return args.some((a) => !(a && typeof a === 'object' && 'call' in a && (NOT_BREAKER.test(a.call) || (/(^|\.)wrap$/.test(a.call) && !cockatielBreaker(a.call, a.args)))));
}

/** opossum and cockatiel: a call through a breaker runs the wrapped function behind it. */
const pack: TechPack = {
  id: 'opossum',
  title: 'Circuit breakers (opossum, cockatiel)',
  upstreamDocs: ['https://nodeshift.dev/opossum/', 'https://github.com/connor4312/cockatiel#circuitbreaker'],
  packages: ['opossum', 'cockatiel'],
  classifyCall(call, ctx) {
    const inst = call.instance;
    const op = call.member[call.member.length - 1];
    if (call.pkg === 'opossum' && inst) {
      if (op === 'fire' || op === 'call') {
        // the breaker may be made (and given its fallback) in another module than the one firing it
        const made = inst.evidence.file === call.file ? call.facts : ctx.facts?.(inst.evidence.file);
        const fallback = (made && hasFallback(made, inst.evidence.line)) || call.call.caught || !!call.call.tryCatch;
        return { use: 'invoke', fn: inst.args[0], guards: { circuitBreaker: true, fallback: fallback || undefined }, scope: inst.evidence };
      }
      return { use: 'ignore' };
    }
    if (call.pkg === 'cockatiel') {
      if (op === 'execute') return { use: 'invoke', fn: call.call.args[0], guards: { circuitBreaker: cockatielBreaker(inst?.ctor ?? '', inst?.args ?? []) || undefined } };
      return { use: 'ignore' };
    }
    return undefined;
  },
};
export default pack;
