import type { Rule } from '../types.js';
import { isNonProductionFile, nodeName, routesPhrase } from '../util.js';
import { breakers } from '../dep/_breakers.js';
import { entrypointsOfCall, secs } from '../dep/_code.js';

const rule: Rule = {
  meta: {
    id: 'strength/circuit-breaker',
    title: 'Dependency protected by a circuit breaker',
    category: 'availability',
    polarity: 'strength',
    defaultSeverity: 'info',
    effort: 'S',
    priority: 'P2',
    docs: {
      what: 'A dependency call runs behind a circuit breaker: an opossum `CircuitBreaker`, a cockatiel `circuitBreaker(...)` policy, or a hand-rolled CLOSED/OPEN/HALF_OPEN state machine that records failures and gates calls. The finding names what it protects and whether it has a fallback.',
      why: 'When the dependency fails or slows down, an open breaker fails calls immediately instead of letting every request wait for a timeout, so the failure stays with the feature that needs the dependency instead of exhausting the process. With a fallback the feature degrades instead of failing.',
      fix: 'Keep it. Make sure the breaker has a timeout shorter than the caller\'s budget, a fallback where a degraded answer is acceptable (`breaker.fallback(() => CACHED_ANSWER)`), and pass an AbortSignal (opossum `abortController` option) so a timed-out request is cancelled rather than left running.',
      falsePositiveGuard: 'Only breakers that protect at least one traced dependency call are reported (an opossum breaker whose wrapped function makes no dependency call, or a class named like a breaker without CLOSED/OPEN state and failure recording, is not). Test, seed and script files are skipped.',
      references: ['https://nodeshift.dev/opossum/', 'https://github.com/connor4312/cockatiel#circuitbreaker', 'https://martinfowler.com/bliki/CircuitBreaker.html'],
    },
  },
  check({ facts, code, model }, ctx) {
    if (!code) return;
    for (const b of breakers(facts, code)) {
      if (isNonProductionFile(b.file)) continue;
      const targets = [...new Set(b.sites.map((s) => s.target))].sort();
      if (!targets.length) continue;
      const eps = [...new Set(b.sites.flatMap((s) => {
        const f = facts.get(s.file);
        const call = f?.calls.find((c) => c.line === s.line && code.meaning(s.file, c)?.use === 'dependency');
        return call && f ? entrypointsOfCall(code, f, call) : [];
      }))].sort();
      const what = targets.map((t) => nodeName(model, t)).join(', ');
      const kind = b.lib === 'hand-rolled' ? `hand-rolled breaker in ${b.label}` : `${b.lib} breaker "${b.label}"`;
      const parts: string[] = [];
      if (b.timeoutMs !== undefined) parts.push(`times calls out after ${secs(b.timeoutMs)}${b.timeoutExplicit ? '' : ' (opossum default)'}`);
      const degrades = !!b.fallback || b.sites.every((s) => s.guards.fallback);
      parts.push(b.fallback ? `falls back (line ${b.fallback.line}) instead of failing` : degrades ? 'skips the call while open, and the callers carry on without it' : 'fails fast with an error while open (no fallback)');
      // the wrapped client's own timeout: longer than the breaker's means abandoned calls keep running
      const clientTimeouts = b.sites.map((s) => s.guards.timeoutMs).filter((t): t is number => typeof t === 'number');
      const longest = clientTimeouts.length ? Math.max(...clientTimeouts) : undefined;
      const orphan = b.timeoutMs !== undefined && longest !== undefined && longest > b.timeoutMs;
      const locations = [{ file: b.file, line: b.line, endLine: b.endLine }, ...(b.fallback && b.fallback.line !== b.line ? [b.fallback] : []), ...b.sites.slice(0, 4).map((s) => ({ file: s.file, line: s.line }))];
      ctx.report({
        element: code.componentOf(b.file),
        locations,
        title: `${what} is behind a circuit breaker (${kind})`,
        impact: `When ${what} fails or hangs, the ${kind} ${parts.join(' and ')}, so ${eps.length ? routesPhrase(eps) : 'its callers'} ${degrades ? (eps.length === 1 ? 'degrades' : 'degrade') : eps.length === 1 ? 'fails fast' : 'fail fast'} instead of piling up on the dependency.`,
        recommendation: orphan
          ? `Keep it. The client's own timeout (${secs(longest!)}) is longer than the breaker's (${secs(b.timeoutMs!)}): a call the breaker gave up on keeps running; pass an AbortSignal (opossum \`abortController\`) or lower the client timeout to the breaker's.`
          : degrades ? 'Keep it; alert on the breaker opening so a degraded dependency is noticed.' : 'Keep it; consider a fallback (cached or default answer) where a degraded response is acceptable, and alert on the breaker opening.',
        fingerprintKey: `${b.lib} ${b.label} ${targets.join(',')}`,
      });
    }
  },
};

export default rule;
