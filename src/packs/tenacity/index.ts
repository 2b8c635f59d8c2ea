// Retries for Python: tenacity (`@retry(stop=stop_after_attempt(5), wait=wait_exponential(...))`,
// `Retrying(...)`/`AsyncRetrying(...)`) and backoff (`@backoff.on_exception(backoff.expo, ...)`).
// The decorated function's calls carry the retries/backoff/jitter guards.
import type { Val } from '../../extract/facts.js';
import type { Guards } from '../../model/types.js';
import { kwargs } from '../_lib/python.js';
import type { TechPack } from '../types.js';

function names(v: Val | undefined, out: string[] = [], depth = 0): string[] {
  if (!v || typeof v !== 'object' || depth > 6) return out;
  if ('call' in v) {
    out.push(v.call.split('.').pop() ?? '');
    for (const a of v.args) names(a, out, depth + 1);
  } else if ('concat' in v) v.concat.forEach((x) => names(x, out, depth + 1));
  else if ('unknown' in v && v.of) v.of.forEach((x) => names(x, out, depth + 1));
  return out;
}

function stopAttempts(v: Val | undefined): number | undefined {
  if (!v || typeof v !== 'object' || !('call' in v)) return undefined;
  if (/stop_after_attempt$/.test(v.call) && typeof v.args[0] === 'number') return v.args[0] - 1;
  return undefined;
}

export function tenacityGuards(args: Val[]): Guards {
  const k = kwargs(args);
  const waits = names(k.wait);
  const g: Guards = {};
  const n = stopAttempts(k.stop);
  if (n !== undefined) g.retries = n;
  if (waits.some((w) => /exponential/.test(w))) g.backoff = 'exponential';
  else if (waits.includes('wait_incrementing')) g.backoff = 'linear';
  else if (waits.includes('wait_fixed')) g.backoff = 'fixed';
  else if (k.wait === undefined) g.backoff = 'none';
  if (waits.some((w) => w === 'wait_random' || w === 'wait_random_exponential' || w === 'wait_exponential_jitter')) g.jitter = true;
  return g;
}

const pack: TechPack = {
  id: 'tenacity',
  title: 'Python retries (tenacity, backoff)',
  lang: 'python',
  upstreamDocs: ['https://tenacity.readthedocs.io/en/latest/', 'https://github.com/litl/backoff#readme'],
  packages: ['tenacity', 'backoff'],
  decoratorGuards(d) {
    if (d.pkg === 'tenacity' && d.decorator.name === 'retry') return tenacityGuards(d.decorator.args);
    if (d.pkg === 'backoff' && (d.decorator.name === 'on_exception' || d.decorator.name === 'on_predicate')) {
      const k = kwargs(d.decorator.args);
      const gen = d.decorator.args[0];
      const expo = gen && typeof gen === 'object' && 'ref' in gen && /expo|fibo/.test(gen.ref);
      return { ...(typeof k.max_tries === 'number' ? { retries: k.max_tries - 1 } : {}), backoff: expo ? 'exponential' : 'fixed', jitter: k.jitter !== null };
    }
    return undefined;
  },
  classifyCall() {
    return { use: 'ignore' };
  },
};
export default pack;
