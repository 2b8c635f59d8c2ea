import type { Rule } from '../types.js';
import { entrypointsOf, functionLabel, isBrowserCode, isNonProductionFile, routesPhrase } from '../util.js';
import { asyncCallee, cap, fnLabel, stableLabel, enclosingFn, namedAncestor, targetsOf } from '../async/_promise.js';

const rule: Rule = {
  meta: {
    id: 'strength/contained-side-effect',
    title: 'Non-blocking side effect whose failure is contained',
    category: 'availability',
    polarity: 'strength',
    defaultSeverity: 'info',
    effort: 'S',
    priority: 'P2',
    docs: {
      what: 'A promise-returning call (an async project function or a dependency call) is started without await and given a `.catch(...)` (or `.then(ok, onErr)`) that logs the error: a fire-and-forget side effect whose failure is contained where it starts.',
      why: 'The request does not wait for the side effect and does not fail with it: when the email provider, webhook target or analytics sink is down or slow, the route still answers and the process does not crash on an unhandled rejection. The trade-off is that a failed side effect is lost — there is no retry, and the only trace is a log line.',
      fix: 'Keep it non-blocking. If losing it matters, make it durable: write it to an outbox table in the same transaction or enqueue a job with attempts and backoff, and alert on the failure log or a metric — e.g. `await this.queue.add("send-email", payload, { attempts: 5, backoff: { type: "exponential", delay: 10_000 } })`.',
      falsePositiveGuard: 'Only when the call returns a promise (async project function or a recognised dependency call), is not awaited, returned or assigned, and the rejection handler logs (a `.catch(() => {})` that swallows silently is not a strength; it is reported by error/swallowed). Module-level start-up code (`bootstrap().catch(...)`) is not a side effect. Test, seed and script files are skipped. Browser code that no server entrypoint runs is skipped (component files, front-end packages, the UI folder of a package that holds both, a Next.js app\'s hooks and browser scripts).',
      references: ['https://nodejs.org/api/process.html#event-unhandledrejection', 'https://microservices.io/patterns/data/transactional-outbox.html'],
    },
  },
  check({ facts, code }, ctx) {
    if (!code) return;
    for (const f of facts.values()) {
      if (isNonProductionFile(f.file)) continue;
      for (const c of f.calls) {
        if (!c.floating || !c.caught || c.fn === '<module>') continue;
        const h = c.rejection;
        if (!h || !h.logs || h.rethrows) continue;
        const target = asyncCallee(code, facts, f.file, c);
        if (!target) continue;
        const inFn = enclosingFn(f, c);
        if (!inFn || isBrowserCode(code, f.file, inFn)) continue;
        const owner = namedAncestor(f, inFn);
        const eps = entrypointsOf(code, f.file, inFn);
        const reaches = target.kind === 'project' ? targetsOf(code, target.file, target.fn.id) : target.kind === 'dependency' ? [`${target.meaning.target.kind}:${target.meaning.target.name}`] : [];
        const via = reaches.length ? ` (reaches ${reaches.join(', ')})` : '';
        const name = target.kind === 'project' ? `${target.label}()` : target.label;
        ctx.report({
          element: code.componentOf(f.file),
          locations: [{ file: f.file, line: c.line, endLine: c.endLine }],
          title: `${cap(fnLabel(f, owner))} fires ${name} without waiting and contains its failure`,
          impact: `${name}${via} runs in the background with a .catch that logs: when it fails or hangs, ${eps.length ? `${routesPhrase(eps)} still ${eps.length === 1 ? 'completes' : 'complete'}` : `${fnLabel(f, owner)} still completes`} and the process does not crash. Its effect is silently lost on failure — no retry, only a log line.`,
          recommendation: `Keep it non-blocking. If the side effect must not be lost, make it durable (an outbox row written with the main change, or a queued job with attempts and backoff) and alert on the failure log.`,
          fingerprintKey: `${stableLabel(fnLabel(f, owner))} ${c.callee.join('.')}`,
        });
      }
    }
  },
};
export default rule;
