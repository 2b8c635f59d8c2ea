// Circuit breakers for Python: pybreaker (`breaker = CircuitBreaker(fail_max=5)`, used as
// `@breaker`, `breaker.call(fn, ...)` or `with breaker.calling():`), circuitbreaker
// (`@circuit(...)`) and aiobreaker. Calls made through them carry the circuitBreaker guard.
import { ctorHead, positional } from '../_lib/python.js';
import type { TechPack } from '../types.js';

const pack: TechPack = {
  id: 'pybreaker',
  title: 'Python circuit breakers (pybreaker, circuitbreaker, aiobreaker)',
  lang: 'python',
  upstreamDocs: ['https://github.com/danielfm/pybreaker#readme', 'https://github.com/fabfuel/circuitbreaker#readme'],
  packages: ['pybreaker', 'circuitbreaker', 'aiobreaker'],
  decoratorGuards(d) {
    if (d.instance && /^(CircuitBreaker|CircuitBreaker\(\))$/.test(ctorHead(d.instance))) return { circuitBreaker: true };
    if (d.pkg === 'circuitbreaker' && (d.exportName === 'circuit' || d.decorator.name === 'circuit')) return { circuitBreaker: true };
    return undefined;
  },
  classifyCall(call) {
    const op = call.member[call.member.length - 1];
    // breaker.call(fn, *args) / breaker.call_async(fn, ...)
    if (call.instance && /^CircuitBreaker/.test(ctorHead(call.instance)) && (op === 'call' || op === 'call_async')) {
      const fn = positional(call.call.args)[0];
      return fn !== undefined ? { use: 'invoke', fn, guards: { circuitBreaker: true } } : { use: 'ignore' };
    }
    return { use: 'ignore' };
  },
};
export default pack;
