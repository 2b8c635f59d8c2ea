import { isObj, objGet, type FactIndex } from '../../extract/facts.js';
import type { Model } from '../../model/types.js';
import type { Rule } from '../types.js';
import { functionLabel, isNonProductionFile, nodeName, routesPhrase } from '../util.js';
import { constructions, evaluate, fnOf, importOf, resolveImport, stableLabel, type Construction } from '../dep/_code.js';
import { jobRetries, libRetries, retryLoops } from './_retries.js';

const REDIS_LOCAL = new Set(['on', 'once', 'off', 'quit', 'disconnect', 'duplicate', 'connect', 'removeListener', 'status']);

/** Is this ioredis connection used for commands (or handed to a non-BullMQ consumer), not only as a BullMQ `connection`? */
function usedForCommands(facts: FactIndex, cons: Construction): boolean {
  if (!cons.name) return false;
  for (const f of facts.values()) {
    let locals: string[] = [];
    if (f.file === cons.file) locals = [cons.name];
    else {
      for (const i of f.imports) {
        if (i.typeOnly || resolveImport(facts, f.file, i.source) !== cons.file) continue;
        for (const n of i.names) if (n.imported === cons.name || (n.imported === 'default' && facts.get(cons.file)?.exports.default === cons.name)) locals.push(n.local);
      }
    }
    if (!locals.length) continue;
    for (const c of f.calls) {
      if (c === cons.call) continue;
      if (c.callee.length >= 2 && locals.includes(c.callee[0]) && !REDIS_LOCAL.has(c.callee[1])) return true;
      const isBull = c.isNew && c.callee.length === 1 && /^(Queue|Worker|QueueEvents|FlowProducer|QueueScheduler)$/.test(importOf(f, c.callee[0])?.imported ?? '');
      if (!isBull && c.args.some((a) => a && typeof a === 'object' && 'ref' in a && locals.includes(a.ref))) return true;
    }
  }
  return false;
}

function redisRoutes(model: Model): string[] {
  return [...new Set(model.edges.filter((e) => e.to === 'cache:redis' && e.from.startsWith('component:') && e.mode === 'sync').flatMap((e) => e.entrypoints ?? []))].sort();
}

const rule: Rule = {
  meta: {
    id: 'retry/unbounded',
    title: 'Retry without a maximum',
    category: 'availability',
    polarity: 'risk',
    defaultSeverity: 'high',
    effort: 'S',
    priority: 'P1',
    docs: {
      what: 'Something retries with no upper bound: a `while (true)`/`for (;;)` retry loop whose catch always goes round again, BullMQ `attempts` of Number.MAX_SAFE_INTEGER/Infinity (or ≥ 1000), axios-retry/got `retries`/`retry.limit` of Infinity, p-retry `forever: true`, or an ioredis connection with `maxRetriesPerRequest: null` that also serves ordinary commands (each command then waits for the reconnect instead of failing).',
      why: 'A retry without a limit never reports the failure: during an outage the caller hangs (or loops) forever, holding its request, worker slot or connection, and the retries keep load on the failing dependency. With ioredis `maxRetriesPerRequest: null`, a Redis outage turns every cache read on the request path into a hang instead of a miss, so fallbacks and breakers written for Redis errors never trigger.',
      fix: 'Bound every retry: `for (let attempt = 0; attempt < 5; attempt++)` with exponential backoff, `attempts: 5` on queue jobs, `retries: 3`. For ioredis, keep `maxRetriesPerRequest: null` only on the connection BullMQ workers use, and give request-path commands their own client: `new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: false, commandTimeout: 500 })`.',
      falsePositiveGuard: 'A loop with a counter or deadline comparison in its condition or in a guarded exit (`if (attempt >= max) throw`), or whose exit depends on a call that sees the counter (`shouldRetry(err, attempt)`), is bounded. Polling/worker loops that keep going after success are not retries. An ioredis connection with `maxRetriesPerRequest: null` that is only passed to BullMQ Queue/Worker `connection` options (which require it), or that disables the offline queue or sets `commandTimeout`, is not reported. A retry loop that no entrypoint reaches (start-up code) is reported at medium severity. Test, seed and script files are skipped.',
      references: ['https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/', 'https://github.com/redis/ioredis#auto-reconnect', 'https://docs.bullmq.io/guide/going-to-production#maxretriesperrequest', 'https://docs.bullmq.io/guide/retrying-failing-jobs'],
    },
  },
  check({ facts, code, model }, ctx) {
    if (!code) return;
    for (const l of retryLoops(facts, code)) {
      if (isNonProductionFile(l.file) || l.loop.bounded !== 'no') continue;
      const eps = code.entrypointsOf(l.file, l.fn.id);
      const targets = new Set<string>();
      for (const c of l.attempted) {
        const m = code.meaning(l.file, c);
        if (m?.use === 'dependency') targets.add(nodeName(model, `${m.target.kind}:${m.target.name}`));
        const t = code.callee(l.file, c);
        if (t) for (const u of code.usesOf(t.file, t.fn.id)) targets.add(nodeName(model, `${u.target.kind}:${u.target.name}`));
      }
      const what = l.wrapperParam !== undefined ? `the callback passed to ${functionLabel(l.fn)}` : targets.size ? [...targets].sort().join(', ') : 'the call';
      ctx.report({
        element: code.componentOf(l.file),
        severity: eps.length ? 'high' : 'medium',
        locations: [{ file: l.file, line: l.loop.line, endLine: l.loop.endLine }],
        title: `Retry loop in ${functionLabel(l.fn)} never gives up`,
        impact: `Nothing but success ends the loop: while ${what} is failing, ${functionLabel(l.fn)} retries forever${eps.length ? `, and ${routesPhrase(eps)} never ${eps.length === 1 ? 'gets' : 'get'} an error to handle — each stuck request holds its slot and connections` : ''}.`,
        recommendation: `Bound the loop (\`for (let attempt = 0; attempt < maxAttempts; attempt++)\` or \`if (attempt >= maxAttempts) throw err\` in the catch) and back off exponentially with jitter between attempts.`,
        fingerprintKey: `loop ${stableLabel(facts.get(l.file), l.fn)}`,
      });
    }

    for (const j of jobRetries(facts, code)) {
      if (isNonProductionFile(j.file) || !j.unbounded) continue;
      const q = j.queue ? `queue "${j.queue}"` : 'the queue';
      ctx.report({
        element: j.queue ? `queue:${j.queue}` : code.componentOf(j.file),
        locations: [{ file: j.file, line: j.line, endLine: j.endLine }],
        title: `Jobs of ${q} are retried without a practical limit (attempts: ${j.attempts === Number.MAX_SAFE_INTEGER ? 'Number.MAX_SAFE_INTEGER' : j.attempts})`,
        impact: `A job that can never succeed (a poison message, a permanent 4xx) is retried for ever: it keeps a worker slot busy, keeps load on its dependency, and never reaches the failed set where someone would see it.`,
        recommendation: `Set a finite \`attempts\` (e.g. 5) with exponential backoff, and handle exhausted jobs (the worker's 'failed' event, a dead-letter queue).`,
        fingerprintKey: `job ${j.queue ?? ''} ${j.source}`,
      });
    }

    for (const r of libRetries(facts)) {
      if (isNonProductionFile(r.file) || !r.unbounded) continue;
      const eps = code.entrypointsOf(r.file, r.call.fn);
      ctx.report({
        element: code.componentOf(r.file),
        locations: [{ file: r.file, line: r.line, endLine: r.endLine }],
        title: `${r.lib} retries without a limit`,
        impact: `While the dependency is failing, ${r.lib} keeps retrying${eps.length ? ` and ${routesPhrase(eps)} wait${eps.length === 1 ? 's' : ''} for it` : ''}, never surfacing the error.`,
        recommendation: r.lib === 'tenacity' ? 'Give the decorator a stop: `@retry(stop=stop_after_attempt(5), wait=wait_random_exponential(max=30))` — tenacity retries forever without one.' : r.lib === 'celery' ? 'Set a finite `max_retries` (e.g. 5) instead of None.' : r.lib === 'backoff' ? 'Pass `max_tries=5` (or `max_time=60`).' : r.lib === 'p-retry' ? 'Drop `forever: true` and set `retries` (e.g. 5) with `randomize: true`.' : 'Set a finite retry count (e.g. 3) with exponential backoff.',
        fingerprintKey: `${r.lib} ${r.call.callee.join('.')}`,
      });
    }

    for (const cons of constructions(facts)) {
      if (cons.pkg !== 'ioredis' || !cons.call.isNew || isNonProductionFile(cons.file)) continue;
      const f = facts.get(cons.file)!;
      const fn = fnOf(f, cons.call.fn);
      const opts = cons.args.map((a) => evaluate(facts, cons.file, a, fn)).find((a) => isObj(a));
      if (!opts || objGet(opts, 'maxRetriesPerRequest') !== null) continue;
      if (objGet(opts, 'enableOfflineQueue') === false || typeof objGet(opts, 'commandTimeout') === 'number') continue;
      if (!usedForCommands(facts, cons)) continue;
      const eps = redisRoutes(model);
      ctx.report({
        element: 'cache:redis',
        locations: [{ file: cons.file, line: cons.line, endLine: cons.endLine }],
        title: `Redis connection${cons.name ? ` "${cons.name}"` : ''} retries commands without a limit (maxRetriesPerRequest: null)`,
        impact: `This connection also serves ordinary commands, and with maxRetriesPerRequest: null a command issued while Redis is unreachable waits for the reconnect instead of failing. During a Redis outage ${eps.length ? `${routesPhrase(eps)} hang` : 'its callers hang'} instead of falling back, and error-counting fallbacks or breakers around Redis never trip.`,
        recommendation: `Keep maxRetriesPerRequest: null only on a connection dedicated to BullMQ Queue/Worker, and use a separate client for cache and request-path commands: \`new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: false, commandTimeout: 500 })\`.`,
        fingerprintKey: `ioredis ${cons.name ?? ''} maxRetriesPerRequest null`,
      });
    }
  },
};

export default rule;
