import type { Rule } from '../types.js';
import { functionLabel, isNonProductionFile, nodeName, routesPhrase } from '../util.js';
import { secs, stableLabel } from '../dep/_code.js';
import { jobRetries, libRetries, retryLoops } from '../retry/_retries.js';

const SCHEDULE_NAME = /retry|retries|backoff|reschedul|requeue|attempt/i;

const rule: Rule = {
  meta: {
    id: 'strength/retry-backoff',
    title: 'Bounded retries with exponential backoff',
    category: 'availability',
    polarity: 'strength',
    defaultSeverity: 'info',
    effort: 'S',
    priority: 'P2',
    docs: {
      what: 'A retry mechanism that is bounded and backs off exponentially: a hand-written retry loop (or wrapper such as `withRetry`/`executeWithRetry`) with a maximum number of attempts and a delay that grows exponentially with random jitter; a retry schedule that stores the next attempt time computed the same way (an outbox or job table); BullMQ jobs with finite `attempts` and `backoff: { type: \'exponential\' }`; axios-retry with `exponentialDelay`; p-retry with `randomize: true`.',
      why: 'Transient failures (a dropped connection, a failover, a 503) are absorbed without the user noticing, while a real outage is reported after a bounded number of attempts instead of hanging. Exponential delays with jitter keep the retries from synchronising into waves that would keep the dependency down.',
      fix: 'Keep it. Retry only errors that are transient (connection resets, timeouts, 429/5xx), keep one retry layer per operation (see retry/amplification), and log or count the attempts so a rising retry rate is visible.',
      falsePositiveGuard: 'Hand-written loops must be bounded (a counter or deadline ends them) and their delay must both grow exponentially (`**`, Math.pow, `<<`, or a helper that does) and use Math.random; a backoff helper used by such a loop is reported with the loop, not on its own. A stored retry schedule counts only in a function named like a retry/backoff whose body has both the exponent and the jitter and that writes somewhere. BullMQ exponential backoff counts even without `jitter` (worker concurrency already spreads the retries); the finding then suggests adding it. Test, seed and script files are skipped.',
      references: ['https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/', 'https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/', 'https://docs.bullmq.io/guide/retrying-failing-jobs'],
    },
  },
  check({ facts, code, model }, ctx) {
    if (!code) return;
    const loops = retryLoops(facts, code);
    const helpers = new Set(loops.filter((l) => l.helper).map((l) => `${l.helper!.file}#${l.helper!.fn.id}`));
    const loopFns = new Set(loops.map((l) => `${l.file}#${l.fn.id}`));
    const done = new Set<string>();
    for (const l of loops) {
      if (isNonProductionFile(l.file) || l.loop.bounded !== 'yes' || l.backoff !== 'exponential' || !l.jitter) continue;
      const key = `${l.file}#${l.fn.id}`;
      if (done.has(key)) continue;
      done.add(key);
      const eps = code.entrypointsOf(l.file, l.fn.id);
      const n = l.attempts;
      ctx.report({
        element: code.componentOf(l.file),
        locations: [{ file: l.file, line: l.fn.line, endLine: l.fn.endLine }, { file: l.file, line: l.loop.line }, ...(l.loop.delayLine ? [{ file: l.file, line: l.loop.delayLine }] : []), ...(l.helper ? [{ file: l.helper.file, line: l.helper.fn.line }] : [])],
        title: `${functionLabel(l.fn)} retries with bounded exponential backoff and jitter`,
        impact: `Transient failures of ${l.wrapperParam !== undefined ? 'the operations passed to it' : 'the call it retries'} are retried ${n ? `(${n} attempts in all)` : 'a bounded number of times'} with exponentially growing, randomised delays${l.helper ? ` (${functionLabel(l.helper.fn)})` : ''}, so blips are absorbed and callers do not retry in lockstep${eps.length ? `; used by ${routesPhrase(eps)}` : ''}.`,
        recommendation: 'Keep it; retry only transient errors and keep it the only retry layer around the operation.',
        fingerprintKey: `loop ${stableLabel(facts.get(l.file), l.fn)}`,
      });
    }

    // a stored retry schedule: next attempt time = now + exponential delay with jitter
    for (const f of facts.values()) {
      if (isNonProductionFile(f.file)) continue;
      for (const fn of f.functions) {
        const key = `${f.file}#${fn.id}`;
        if (!fn.backoffMath?.exponential || !fn.backoffMath.jitter || !SCHEDULE_NAME.test(fn.name) || helpers.has(key) || loopFns.has(key) || fn.inlineOf) continue;
        const writes = code.usesOf(f.file, fn.id).filter((u) => u.edge === 'writes' || u.edge === 'enqueues');
        if (!writes.length) continue;
        const target = nodeName(model, `${writes[0].target.kind}:${writes[0].target.name}`);
        ctx.report({
          element: code.componentOf(f.file),
          locations: [{ file: f.file, line: fn.line, endLine: fn.endLine }],
          title: `${functionLabel(fn)} schedules retries with exponential backoff and jitter`,
          impact: `A failed item is retried later, at a time that grows exponentially with its retry count and is randomised, and the schedule is stored in ${target}, so retries survive restarts and do not arrive in waves.`,
          recommendation: 'Keep it; make sure the retry count is capped (a dead-letter state) and visible in monitoring.',
          fingerprintKey: `schedule ${stableLabel(f, fn)}`,
        });
      }
    }

    for (const j of jobRetries(facts, code)) {
      if (isNonProductionFile(j.file) || j.unbounded || (j.attempts ?? 1) <= 1 || j.backoff !== 'exponential') continue;
      const q = j.queue ? `queue "${j.queue}"` : 'the queue';
      ctx.report({
        element: j.queue ? `queue:${j.queue}` : code.componentOf(j.file),
        locations: [{ file: j.file, line: j.line, endLine: j.endLine }],
        title: `Jobs of ${q} get ${j.attempts} attempts with exponential backoff`,
        impact: `A failed job is retried (${j.attempts} attempts in all) with exponentially growing delays${j.delayMs !== undefined ? ` from ${secs(j.delayMs)}` : ''}${j.jitter ? ' and jitter' : ''}, so a transient failure of what it calls is absorbed and a persistent one ends in the failed set instead of looping.`,
        recommendation: j.jitter ? 'Keep it; alert on failed jobs.' : `Keep it; consider \`jitter\` (e.g. \`backoff: { type: 'exponential', delay: ${j.delayMs ?? 1000}, jitter: 0.5 }\`) so jobs that failed together are not retried together, and alert on failed jobs.`,
        fingerprintKey: `job ${j.queue ?? ''} ${j.source}`,
      });
    }

    for (const r of libRetries(facts)) {
      if (isNonProductionFile(r.file) || r.unbounded || r.backoff !== 'exponential' || !r.jitter || r.lib === 'got') continue;
      ctx.report({
        element: code.componentOf(r.file),
        locations: [{ file: r.file, line: r.line, endLine: r.endLine }],
        title: `${r.lib} retries ${r.retries ?? ''} times with exponential backoff and jitter`.replace('  ', ' '),
        impact: `Transient failures are retried a bounded number of times with exponential, randomised delays.`,
        recommendation: 'Keep it; retry only idempotent requests and transient errors.',
        fingerprintKey: `${r.lib} ${r.call.callee.join('.')}`,
      });
    }
  },
};
export default rule;
