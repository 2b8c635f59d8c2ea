import type { CallFact, FileFacts, Val } from '../../extract/facts.js';
import type { Rule } from '../types.js';
import { isNonProductionFile, routesPhrase } from '../util.js';
import { calleeFrom, decoratorCalls, importOf, objectOf, packageOf } from '../config/_code.js';
import { replicaVerdict } from '../state/_replicas.js';
import { hasKwSpread, isPy, kw, pyCalleeFrom, pyEval } from '../py-util.js';

interface Limiter {
  call: CallFact;
  lib: string;
  /** Requests allowed per window per client, when literal. */
  limit?: number;
  fix: string;
}

function num(v: Val | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** slowapi / Flask-Limiter `Limiter(...)` without a shared `storage_uri` (their default is `memory://`). */
function pyLimitersIn(facts: Parameters<Rule['check']>[0]['facts'], f: FileFacts): Limiter[] {
  const out: Limiter[] = [];
  const configured = [...facts.values()].some((o) => isPy(o.file) && (o.vars.some((v) => /(^|\.)RATELIMIT_STORAGE_UR[IL]$/.test(v.name)) || o.envReads.some((r) => /RATELIMIT_STORAGE_UR[IL]$/.test(r.name))));
  for (const c of f.calls) {
    const from = pyCalleeFrom(f, c, ['slowapi', 'flask_limiter']);
    if (!from || from.name !== 'Limiter' || (from.member.length && from.member[from.member.length - 1] !== 'Limiter')) continue;
    if (hasKwSpread(c.args)) continue;
    const k = kw(c.args);
    const storage = pyEval(facts, f.file, k.storage_uri, c.fn === '<module>' ? undefined : c.fn);
    const inMemory = storage === undefined ? !(from.pkg === 'flask_limiter' && configured) : storage === null || (typeof storage === 'string' && /^memory:\/\//.test(storage)) || (!!storage && typeof storage === 'object' && 'env' in storage && typeof storage.default === 'string' && /^memory:\/\//.test(storage.default));
    if (!inMemory) continue;
    const first = (v: Val | undefined) => (v && typeof v === 'object' && 'arr' in v && typeof v.arr[0] === 'string' ? Number(/^(\d+)/.exec(v.arr[0])?.[1]) || undefined : undefined);
    out.push({ call: c, lib: from.pkg, limit: first(k.default_limits), fix: `storage_uri="redis://<host>:6379/1" on the Limiter (${from.pkg === 'slowapi' ? 'slowapi uses the limits library' : 'or RATELIMIT_STORAGE_URI in the Flask config'})` });
  }
  return out;
}

function limitersIn(facts: Parameters<Rule['check']>[0]['facts'], f: FileFacts): Limiter[] {
  if (isPy(f.file)) return pyLimitersIn(facts, f);
  const out: Limiter[] = [];
  for (const c of [...f.calls, ...decoratorCalls(f)]) {
    // express-rate-limit / express-slow-down: rateLimit({ windowMs, limit }) without a store
    const erl = calleeFrom(f, c, ['express-rate-limit', 'express-slow-down']);
    if (erl && !c.isNew && erl.member.length === 0 && /^(default|rateLimit|slowDown)$/.test(erl.imported)) {
      const o = c.args.length ? objectOf(facts, f.file, c.args[0]) : { obj: {} };
      if (!o || o.spread || 'store' in o.obj) continue;
      out.push({ call: c, lib: erl.pkg, limit: num(o.obj.limit) ?? num(o.obj.max) ?? num(o.obj.delayAfter), fix: "store: new RedisStore({ sendCommand: (...args: string[]) => redis.call(...args) }) from 'rate-limit-redis'" });
      continue;
    }
    // rate-limiter-flexible: new RateLimiterMemory({ points, duration }) (not as an insurance limiter)
    const rlf = calleeFrom(f, c, ['rate-limiter-flexible']);
    if (rlf && c.isNew && rlf.imported === 'RateLimiterMemory') {
      const insurance = f.calls.some((o) => o !== c && o.isNew && o.line <= c.line && o.endLine >= c.endLine && o.args.some((a) => a && typeof a === 'object' && 'obj' in a && a.obj.insuranceLimiter !== undefined));
      if (insurance) continue;
      const o = objectOf(facts, f.file, c.args[0]);
      out.push({ call: c, lib: 'rate-limiter-flexible', limit: num(o?.obj.points), fix: 'new RateLimiterRedis({ storeClient: redis, points, duration })' });
      continue;
    }
    // @nestjs/throttler: ThrottlerModule.forRoot(...) without storage
    const nest = calleeFrom(f, c, ['@nestjs/throttler']);
    if (nest && nest.imported === 'ThrottlerModule' && nest.member[0] === 'forRoot') {
      const a = c.args[0];
      const o = objectOf(facts, f.file, a);
      if (o && (o.spread || 'storage' in o.obj)) continue;
      if (!o && !(a && typeof a === 'object' && 'arr' in a)) continue;
      const first = o ? (o.obj.throttlers && typeof o.obj.throttlers === 'object' && 'arr' in o.obj.throttlers ? o.obj.throttlers.arr[0] : o) : (a as { arr: Val[] }).arr[0];
      out.push({ call: c, lib: '@nestjs/throttler', limit: num(objectOf(facts, f.file, first)?.obj.limit), fix: "storage: new ThrottlerStorageRedisService(redis) from '@nest-lab/throttler-storage-redis'" });
      continue;
    }
    // fastify: app.register(rateLimit, { max }) without redis/store
    if (c.callee.length === 2 && c.callee[1] === 'register' && c.args[0] && typeof c.args[0] === 'object' && 'ref' in c.args[0]) {
      const imp = importOf(f, c.args[0].ref);
      if (!imp || packageOf(imp.source) !== '@fastify/rate-limit') continue;
      const o = c.args.length > 1 ? objectOf(facts, f.file, c.args[1]) : { obj: {} };
      if (!o || o.spread || 'redis' in o.obj || 'store' in o.obj) continue;
      out.push({ call: c, lib: '@fastify/rate-limit', limit: num(o.obj.max), fix: 'redis: new Redis(process.env.REDIS_URL)' });
    }
  }
  return out;
}

const rule: Rule = {
  meta: {
    id: 'ratelimit/in-memory',
    title: 'Rate limiter counts per process while the API runs several instances',
    category: 'security',
    polarity: 'risk',
    defaultSeverity: 'medium',
    effort: 'S',
    priority: 'P2',
    docs: {
      what: 'A rate limiter that keeps its counters in process memory — express-rate-limit / express-slow-down without a `store`, rate-limiter-flexible `RateLimiterMemory`, `@nestjs/throttler` without `storage`, `@fastify/rate-limit` without `redis`, Python slowapi / Flask-Limiter `Limiter(...)` without a shared `storage_uri` (their default is `memory://`) — in an API whose runtime has, or may have, more than one instance (replicas > 1, autoscaling, or a serverless function).',
      why: 'Each instance counts only the requests it sees. Behind a load balancer with N replicas a client gets about N times the configured limit; on AWS Lambda every concurrent execution environment has its own counter, so the limit is barely enforced at all. Counters also reset on every deploy or restart. The limiter then does not protect the login endpoint from credential stuffing or the database from a burst, exactly when it is needed.',
      fix: 'Keep the counters in a shared store: express-rate-limit `store: new RedisStore({ sendCommand: (...args) => redis.call(...args) })` (rate-limit-redis), `new RateLimiterRedis({ storeClient: redis, points: 100, duration: 60 })`, `ThrottlerModule.forRoot({ throttlers: [...], storage: new ThrottlerStorageRedisService(redis) })` — or enforce the limit at the edge (API Gateway usage plans, WAF rate rules, the ingress controller).',
      falsePositiveGuard: 'Silent when a store/storage/redis option is given, when the options are not a literal object (spread or built elsewhere), for a RateLimiterMemory used as the `insuranceLimiter` of a shared limiter, and when the runtime serving the routes is known to run a single instance (replicas: 1). When the instance count is not declared the finding says the runtime "may" scale. Test, seed and script files are skipped.',
      references: ['https://express-rate-limit.mintlify.app/reference/stores', 'https://github.com/animir/node-rate-limiter-flexible/wiki/Memory', 'https://docs.nestjs.com/security/rate-limiting#storages'],
    },
  },
  check({ facts, code, model }, ctx) {
    if (!code) return;
    for (const f of facts.values()) {
      if (isNonProductionFile(f.file)) continue;
      for (const l of limitersIn(facts, f)) {
        const v = replicaVerdict(model, code, f.file);
        if (v.verdict === 'single') continue;
        const many = v.verdict === 'many';
        const n = many ? Number(/runs (\d+) replicas/.exec(v.phrase)?.[1] ?? 0) : 0;
        const effective = l.limit && n > 1 ? ` — a limit of ${l.limit} per window becomes about ${l.limit * n} across ${n} instances` : '';
        ctx.report({
          element: v.runtimes[0]?.id ?? code.componentOf(f.file),
          locations: [{ file: f.file, line: l.call.line, endLine: l.call.endLine }],
          title: `${l.lib} keeps rate-limit counters in process memory${many ? '' : ' (the API may run several instances)'}`,
          impact: `Counters live in each process, and ${v.phrase}: clients get a multiple of the limit${effective}, and counters reset on every deploy.${v.entrypoints.length ? ` Applies to ${routesPhrase(v.entrypoints)}.` : ''}`,
          recommendation: `Use a shared store for the counters (${l.fix}), or enforce the limit at the gateway/load balancer.`,
          fingerprintKey: `${l.lib} ${l.call.callee.join('.')}`,
        });
      }
    }
  },
};
export default rule;
