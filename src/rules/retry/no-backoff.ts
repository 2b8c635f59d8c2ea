import type { Severity } from '../../model/types.js';
import type { CodeIndex, Rule } from '../types.js';
import { functionLabel, isNonProductionFile, nodeName, routesPhrase } from '../util.js';
import { evaluate, secs, stableLabel } from '../dep/_code.js';
import { jobRetries, libRetries, retryLoops, type Backoff, type Loop } from './_retries.js';
import type { Model } from '../../model/types.js';

const RETRY_NAME = /attempt|retr|tries|^try$|^tries$/i;

function targetsOf(code: CodeIndex, model: Model, l: Loop): string[] {
  const out = new Set<string>();
  for (const c of l.attempted) {
    const m = code.meaning(l.file, c);
    if (m?.use === 'dependency') out.add(nodeName(model, `${m.target.kind}:${m.target.name}`));
    const t = code.callee(l.file, c);
    if (t) for (const u of code.usesOf(t.file, t.fn.id)) out.add(nodeName(model, `${u.target.kind}:${u.target.name}`));
  }
  return [...out].sort();
}

function verdict(backoff: Backoff, jitter: boolean): { severity: Severity; what: string } | undefined {
  if (backoff === 'none') return { severity: 'medium', what: 'retries immediately, with no delay between attempts' };
  if (backoff === 'fixed') return jitter ? { severity: 'low', what: 'waits a constant (jittered) delay between attempts instead of backing off' } : { severity: 'medium', what: 'waits the same fixed delay between attempts, with no backoff and no jitter' };
  if (backoff === 'linear' && !jitter) return { severity: 'low', what: 'backs off linearly with no jitter' };
  if (backoff === 'exponential' && !jitter) return { severity: 'low', what: 'backs off exponentially but with no jitter' };
  return undefined;
}

const rule: Rule = {
  meta: {
    id: 'retry/no-backoff',
    title: 'Retry with a fixed delay or no jitter',
    category: 'availability',
    polarity: 'risk',
    defaultSeverity: 'medium',
    effort: 'S',
    priority: 'P2',
    docs: {
      what: 'A retry loop (a for/while around a call in a try whose catch goes round again) or a retry configuration that retries immediately, after a constant delay, or with a growing delay but no jitter: hand-written loops with `await sleep(1000)`, BullMQ jobs with `attempts` and no `backoff` or `backoff: { type: \'fixed\' }`, axios-retry without `retryDelay` (it then retries with no delay), p-retry with `factor: 1`.',
      why: 'When a dependency blips, every caller fails at the same moment and — with a fixed delay — retries at the same moment too, in waves that keep the dependency saturated while it tries to recover (a retry storm). Immediate retries multiply load exactly when it is least affordable. Exponential backoff spreads the retries out; jitter desynchronises the callers.',
      fix: 'Back off exponentially with a cap, and randomise: `const delay = Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt)` ("full jitter"). BullMQ: `backoff: { type: \'exponential\', delay: 1000, jitter: 0.5 }`. axios-retry: `retryDelay: axiosRetry.exponentialDelay`.',
      falsePositiveGuard: 'A loop counts as a retry only when success leaves it (return/break in the try) and failure goes round again; polling and worker loops that keep running after success are not retries. A loop with no delay at all is reported only when its counter or bound is named like a retry (attempt, retries, tries), so failover loops over a list of hosts are not. Delays computed by a helper are followed into it (an exponent or Math.random there counts). Exponential backoff without jitter and jittered constant delays are reported at low severity; BullMQ exponential backoff is left to strength/retry-backoff, because worker concurrency already caps how fast queued jobs are retried. A job `add` without backoff on a queue whose defaultJobOptions set one is not reported. Test, seed and script files are skipped.',
      references: ['https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/', 'https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/', 'https://docs.bullmq.io/guide/retrying-failing-jobs', 'https://github.com/softonic/axios-retry#options'],
    },
  },
  check({ facts, code, model }, ctx) {
    if (!code) return;
    for (const l of retryLoops(facts, code)) {
      if (isNonProductionFile(l.file)) continue;
      const v = verdict(l.backoff, l.jitter);
      if (!v) continue;
      if (l.backoff === 'none') {
        const bound = l.loop.attempts?.max;
        const boundName = bound && typeof bound === 'object' && 'ref' in bound ? bound.ref : '';
        if (!RETRY_NAME.test(l.loop.counter ?? '') && !/retr|attempt|tries/i.test(boundName)) continue;
      }
      const delay = evaluate(facts, l.file, l.loop.delay, l.fn);
      const every = typeof delay === 'number' && l.backoff === 'fixed' ? ` (${secs(delay)})` : '';
      const targets = targetsOf(code, model, l);
      const what = l.wrapperParam !== undefined ? `the callback passed to ${functionLabel(l.fn)}` : targets.length ? targets.join(', ') : 'the call';
      const eps = code.entrypointsOf(l.file, l.fn.id);
      ctx.report({
        element: code.componentOf(l.file),
        severity: v.severity,
        locations: [{ file: l.file, line: l.loop.line, endLine: l.loop.endLine }, ...(l.loop.delayLine ? [{ file: l.file, line: l.loop.delayLine }] : [])],
        title: `Retry loop in ${functionLabel(l.fn)} ${v.what.split(',')[0]}`,
        impact: `${functionLabel(l.fn)} ${v.what}${every}. When ${what} fails for many callers at once${eps.length ? ` (${routesPhrase(eps)})` : ''}, they all retry in lockstep, hitting it in synchronized waves while it tries to recover.`,
        recommendation: `Compute the delay as capped exponential backoff with full jitter, e.g. \`await sleep(Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt))\`.`,
        fingerprintKey: `loop ${stableLabel(facts.get(l.file), l.fn)}`,
      });
    }

    const jobs = jobRetries(facts, code);
    for (const j of jobs) {
      if (isNonProductionFile(j.file) || !j.readable || j.unbounded || (j.attempts ?? 1) <= 1) continue;
      if (j.backoff !== 'none' && j.backoff !== 'fixed') continue;
      if (j.source === 'add' && j.backoff === 'none' && jobs.some((d) => d.queue === j.queue && d.source !== 'add' && d.backoff !== 'none')) continue;
      const q = j.queue ? `queue "${j.queue}"` : 'the queue';
      const eps = j.queue ? [`entrypoint:worker:${j.queue}`].filter((id) => model.nodes.some((n) => n.id === id)) : [];
      ctx.report({
        element: j.queue ? `queue:${j.queue}` : code.componentOf(j.file),
        locations: [{ file: j.file, line: j.line, endLine: j.endLine }],
        title: `Jobs of ${q} are retried ${j.backoff === 'none' ? 'immediately' : 'at a fixed interval'} (${j.attempts} attempts)`,
        impact: `A failed job is retried ${j.backoff === 'none' ? 'at once, with no delay' : `every ${j.delayMs !== undefined ? secs(j.delayMs) : 'fixed interval'}`} up to ${j.attempts} times${eps.length ? ` by ${routesPhrase(eps)}` : ''}: when the dependency it calls is down, all failed jobs come back together and hammer it while it recovers, burning the attempts in seconds.`,
        recommendation: `Use exponential backoff: \`{ attempts: ${j.attempts}, backoff: { type: 'exponential', delay: 1000, jitter: 0.5 } }\` in ${j.source === 'add' ? 'the add() options' : 'defaultJobOptions'}.`,
        fingerprintKey: `job ${j.queue ?? ''} ${j.source}`,
      });
    }

    for (const r of libRetries(facts)) {
      if (isNonProductionFile(r.file) || r.unbounded) continue;
      const v = verdict(r.backoff, r.jitter);
      if (!v) continue;
      if (r.lib === 'p-retry' && r.backoff === 'exponential') continue;
      if (r.lib === 'got') continue;
      const eps = code.entrypointsOf(r.file, r.call.fn);
      // Python start-up scripts (wait for the database before launching) retry once per deploy, not per request
      if (r.file.endsWith('.py') && !eps.length) continue;
      ctx.report({
        element: code.componentOf(r.file),
        severity: v.severity,
        locations: [{ file: r.file, line: r.line, endLine: r.endLine }],
        title: `${r.lib} ${v.what.split(',')[0]}`,
        impact: `${r.lib} ${v.what}${r.lib === 'axios-retry' && r.backoff === 'none' ? ' (its default retryDelay is no delay)' : ''}, up to ${r.retries ?? 'several'} retries per request${eps.length ? ` for ${routesPhrase(eps)}` : ''}: failed requests come back all at once and keep a struggling service saturated.`,
        recommendation: r.lib === 'tenacity' ? 'Wait exponentially with jitter: `@retry(stop=stop_after_attempt(5), wait=wait_random_exponential(multiplier=0.5, max=30))` (or wait_exponential(...) + wait_random(0, 1)).' : r.lib === 'celery' ? 'Set `retry_backoff=True` (exponential, jitter on by default) with `max_retries` on the task.' : r.lib === 'backoff' ? 'Use `backoff.expo` and keep the default full jitter.' : r.lib === 'axios-retry' ? 'Pass `retryDelay: axiosRetry.exponentialDelay` (exponential with random jitter).' : 'Use a growth factor above 1 with `randomize: true`, e.g. `pRetry(fn, { retries: 5, factor: 2, randomize: true })`.',
        fingerprintKey: `${r.lib} ${r.call.callee.join('.')}`,
      });
    }
  },
};
export default rule;
