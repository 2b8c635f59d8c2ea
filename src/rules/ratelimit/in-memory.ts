import type { CallFact, FileFacts, Val } from '../../extract/facts.js';
import type { CodeIndex, Rule } from '../types.js';
import { isNonProductionFile, routesPhrase } from '../util.js';
import { calleeFrom, decoratorCalls, importOf, objectOf, packageOf } from '../config/_code.js';
import { replicaVerdict } from '../state/_replicas.js';
import { hasKwSpread, isPy, kw, pos, pyCalleeFrom, pyDefinition, pyEval, pyNameFrom } from '../py-util.js';
import { pythonProcesses } from '../../analyze/capacity/python.js';

interface Limiter {
  call: CallFact;
  lib: string;
  /** Requests allowed per window per client, when literal. */
  limit?: number;
  fix: string;
  /** The file of `call`, when not the file being scanned (a pyrate-limiter Limiter defined in another module). */
  file?: string;
  /** Why the storage is per-process, when it is not simply the library default. */
  why?: string;
}

function num(v: Val | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

type Facts = Parameters<Rule['check']>[0]['facts'];

/** Values the deployment gives an environment variable: .env files, compose/Kubernetes/serverless environments. */
function deployedValues(code: CodeIndex | undefined, name: string): string[] {
  if (!code) return [];
  const out: string[] = [];
  const top = code.infra.env?.[name]?.value;
  if (top !== undefined) out.push(top);
  for (const r of code.infra.runtimes ?? []) if (r.env?.[name]) out.push(r.env[name].value);
  return out;
}

const isMemoryUri = (v: string) => /^memory:\/\//.test(v);

/**
 * Is a storage value per-process? `memory://`, None, or an env read that falls back to
 * `memory://` and that no deployment config sets to something else. An env read without
 * such a fallback, a settings value or any other URI is a shared store (or unknown): silent.
 */
function memoryStorage(code: CodeIndex | undefined, v: Val | undefined): boolean {
  if (v === null) return true;
  if (typeof v === 'string') return isMemoryUri(v);
  if (v && typeof v === 'object' && 'env' in v && typeof v.default === 'string' && isMemoryUri(v.default)) return !deployedValues(code, v.env).some((x) => !isMemoryUri(x));
  return false;
}

const FLASK_STORAGE = /^RATELIMIT_STORAGE_UR[IL]$/;

/**
 * Flask-Limiter reads its storage from the Flask config when `storage_uri` is not given:
 * `RATELIMIT_STORAGE_URI` in a config class or settings module, `app.config["RATELIMIT_STORAGE_URI"] = ...`,
 * `app.config.update(RATELIMIT_STORAGE_URI=...)` / `.setdefault(...)`. The values production code writes.
 */
function flaskStorageValues(facts: Facts): { value: Val | undefined; file: string; line: number }[] {
  const out: { value: Val | undefined; file: string; line: number }[] = [];
  for (const f of facts.values()) {
    if (!isPy(f.file) || isNonProductionFile(f.file)) continue;
    for (const v of f.vars) if (FLASK_STORAGE.test(v.name.split('.').pop() ?? '')) out.push({ value: pyEval(facts, f.file, v.init), file: f.file, line: v.line });
    for (const c of f.classes) for (const p of c.props) if (FLASK_STORAGE.test(p.name)) out.push({ value: pyEval(facts, f.file, p.init), file: f.file, line: p.line });
    for (const c of f.calls) {
      const op = c.callee[c.callee.length - 1];
      const fn = c.fn === '<module>' ? undefined : c.fn;
      if ((op === 'setdefault' || op === '__setitem__') && typeof c.args[0] === 'string' && FLASK_STORAGE.test(c.args[0])) out.push({ value: pyEval(facts, f.file, c.args[1], fn), file: f.file, line: c.line });
      else if (op === 'update' || op === 'from_mapping') for (const [k, x] of Object.entries(kw(c.args))) if (FLASK_STORAGE.test(k)) out.push({ value: pyEval(facts, f.file, x, fn), file: f.file, line: c.line });
    }
  }
  return out;
}

/**
 * slowapi / Flask-Limiter `Limiter(...)` without a shared storage (their default is `memory://`).
 * slowapi without `storage_uri` reads RATELIMIT_STORAGE_URL from the environment or `.env`;
 * Flask-Limiter reads RATELIMIT_STORAGE_URI from the Flask config.
 */
function pyLimitersIn(facts: Facts, f: FileFacts, code: CodeIndex | undefined): Limiter[] {
  const out: Limiter[] = [];
  let flaskConfig: ReturnType<typeof flaskStorageValues> | undefined;
  for (const c of f.calls) {
    const from = pyCalleeFrom(f, c, ['slowapi', 'flask_limiter']);
    if (!from || from.name !== 'Limiter' || (from.member.length && from.member[from.member.length - 1] !== 'Limiter')) continue;
    if (hasKwSpread(c.args)) continue;
    const k = kw(c.args);
    let why: string | undefined;
    if (k.storage_uri !== undefined) {
      if (!memoryStorage(code, pyEval(facts, f.file, k.storage_uri, c.fn === '<module>' ? undefined : c.fn))) continue;
    } else if (from.pkg === 'slowapi') {
      // starlette Config: the process environment, then the .env file
      if (deployedValues(code, 'RATELIMIT_STORAGE_URL').some((x) => !isMemoryUri(x))) continue;
    } else {
      flaskConfig ??= flaskStorageValues(facts);
      if (flaskConfig.some((x) => !memoryStorage(code, x.value))) continue;
      if (flaskConfig.length) why = `the Flask config sets RATELIMIT_STORAGE_URI to memory:// at ${flaskConfig.map((x) => `${x.file}:${x.line}`).join(', ')}`;
    }
    const first = (v: Val | undefined) => (v && typeof v === 'object' && 'arr' in v && typeof v.arr[0] === 'string' ? Number(/^(\d+)/.exec(v.arr[0])?.[1]) || undefined : undefined);
    out.push({ call: c, lib: from.pkg, limit: first(k.default_limits), ...(why ? { why } : {}), fix: `storage_uri="redis://<host>:6379/1" on the Limiter (${from.pkg === 'slowapi' ? 'slowapi uses the limits library; or RATELIMIT_STORAGE_URL in the environment' : 'or RATELIMIT_STORAGE_URI in the Flask config'})` });
  }
  out.push(...pyrateLimitersIn(facts, f));
  return out;
}

/** A pyrate-limiter bucket argument that lives in process memory: `Rate(...)`, `[Rate(...), ...]`, `InMemoryBucket(...)`. */
function pyrateInMemory(v: Val | undefined): { limit?: number } | undefined {
  const callOf = (x: Val | undefined, re: RegExp): { call: string; args: Val[] } | undefined => (x && typeof x === 'object' && 'call' in x && re.test(x.call) ? x : undefined);
  const RATE = /(^|\.)Rate$/;
  const rates = (x: Val | undefined): { limit?: number } | undefined => {
    const one = callOf(x, RATE);
    if (one) return { limit: num(one.args[0]) };
    if (x && typeof x === 'object' && 'arr' in x && x.arr.length && x.arr.every((r) => callOf(r, RATE))) return { limit: num(callOf(x.arr[0], RATE)!.args[0]) };
    return undefined;
  };
  const bucket = callOf(v, /(^|\.)InMemoryBucket$/);
  return bucket ? rates(bucket.args[0]) ?? {} : rates(v);
}

/**
 * fastapi-limiter 0.2+: `Depends(RateLimiter(limiter=Limiter(Rate(5, Duration.MINUTE))))`,
 * `WebSocketRateLimiter(...)`, `app.add_middleware(RateLimiterMiddleware, limiter=...)`. A
 * pyrate-limiter `Limiter` built from rates keeps them in an InMemoryBucket (per process);
 * `Limiter(RedisBucket.init(...))` is shared. fastapi-limiter before 0.2
 * (`FastAPILimiter.init(redis)` + `RateLimiter(times=2, seconds=5)`) always counts in Redis.
 */
function pyrateLimitersIn(facts: Facts, f: FileFacts): Limiter[] {
  const out: Limiter[] = [];
  for (const c of f.calls) {
    const from = pyCalleeFrom(f, c, ['fastapi_limiter']);
    const dep = !!from && /^(RateLimiter|WebSocketRateLimiter)$/.test(from.name);
    const mwArg = c.callee[c.callee.length - 1] === 'add_middleware' ? pos(c.args)[0] : undefined;
    const mw = !!mwArg && typeof mwArg === 'object' && 'ref' in mwArg && pyNameFrom(f, mwArg.ref.split('.'), ['fastapi_limiter'])?.name === 'RateLimiterMiddleware';
    if (!dep && !mw) continue;
    const lim = kw(c.args).limiter ?? (dep ? pos(c.args)[0] : undefined);
    if (lim === undefined) continue; // fastapi-limiter < 0.2: Redis-backed
    const fnId = c.fn === '<module>' ? undefined : c.fn;
    // the Limiter(...) construction: inline, a local, or a module-level name (here or imported)
    let site: { file: FileFacts; call: CallFact } | undefined;
    const isPyrate = (file: FileFacts, x: CallFact) => pyCalleeFrom(file, x, ['pyrate_limiter'])?.name === 'Limiter';
    if (lim && typeof lim === 'object' && 'call' in lim) {
      const inner = f.calls.find((x) => x !== c && x.line >= c.line && x.endLine <= c.endLine && x.fn === c.fn && isPyrate(f, x));
      if (inner) site = { file: f, call: inner };
    } else if (lim && typeof lim === 'object' && 'ref' in lim && !lim.ref.includes('.')) {
      const local = fnId ? f.functions.find((x) => x.id === fnId)?.locals[lim.ref] : undefined;
      if (local !== undefined) {
        const cands = f.calls.filter((x) => x.fn === c.fn && x.line <= c.line && isPyrate(f, x));
        if (cands.length === 1) site = { file: f, call: cands[0] };
      } else {
        const d = pyDefinition(facts, f.file, lim.ref);
        const df = d?.kind === 'var' ? facts.get(d.file) : undefined;
        const dc = df && d?.kind === 'var' ? df.calls.find((x) => x.fn === '<module>' && x.line === d.v.line && isPyrate(df, x)) : undefined;
        if (df && dc) site = { file: df, call: dc };
      }
    }
    if (!site) continue;
    const arg0 = pos(site.call.args)[0] ?? kw(site.call.args).argument;
    const mem = pyrateInMemory(pyEval(facts, site.file.file, arg0, site.call.fn === '<module>' ? undefined : site.call.fn));
    if (!mem) continue;
    if (out.some((o) => o.file === site!.file.file && o.call === site!.call)) continue;
    out.push({ call: site.call, file: site.file.file, lib: 'fastapi-limiter', limit: mem.limit, why: 'its pyrate-limiter Limiter is built from rates, so it counts in an InMemoryBucket', fix: 'Limiter(RedisBucket.init([Rate(...)], redis, "rate-limit"))' });
  }
  return out;
}

function limitersIn(facts: Parameters<Rule['check']>[0]['facts'], f: FileFacts, code?: CodeIndex): Limiter[] {
  if (isPy(f.file)) return pyLimitersIn(facts, f, code);
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
      what: 'A rate limiter that keeps its counters in process memory — express-rate-limit / express-slow-down without a `store`, rate-limiter-flexible `RateLimiterMemory`, `@nestjs/throttler` without `storage`, `@fastify/rate-limit` without `redis`, Python slowapi / Flask-Limiter `Limiter(...)` without a shared storage (`storage_uri`, the RATELIMIT_STORAGE_URL environment variable for slowapi, the RATELIMIT_STORAGE_URI config key for Flask-Limiter; their default is `memory://`), fastapi-limiter 0.2+ with a pyrate-limiter `Limiter(Rate(...))` (an InMemoryBucket) — in an API whose runtime has, or may have, more than one instance (replicas > 1, autoscaling, a serverless function) or runs several worker processes per instance (gunicorn `--workers`, `workers` in gunicorn.conf.py, WEB_CONCURRENCY).',
      why: 'Each instance counts only the requests it sees. Behind a load balancer with N replicas a client gets about N times the configured limit; on AWS Lambda every concurrent execution environment has its own counter, so the limit is barely enforced at all. Counters also reset on every deploy or restart. The limiter then does not protect the login endpoint from credential stuffing or the database from a burst, exactly when it is needed.',
      fix: 'Keep the counters in a shared store: express-rate-limit `store: new RedisStore({ sendCommand: (...args) => redis.call(...args) })` (rate-limit-redis), `new RateLimiterRedis({ storeClient: redis, points: 100, duration: 60 })`, `ThrottlerModule.forRoot({ throttlers: [...], storage: new ThrottlerStorageRedisService(redis) })` — or enforce the limit at the edge (API Gateway usage plans, WAF rate rules, the ingress controller).',
      falsePositiveGuard: 'Silent when a store/storage/redis option is given, when the options are not a literal object (spread or built elsewhere), for a RateLimiterMemory used as the `insuranceLimiter` of a shared limiter, and when the runtime serving the routes is known to run a single instance (replicas: 1) with a single worker process. Python: a storage URI from an environment variable or a settings value counts as shared, except an env read whose fallback is `memory://` that no deployment config (compose/Kubernetes environment, .env) sets; fastapi-limiter before 0.2 (`FastAPILimiter.init(redis)`) and pyrate-limiter with a RedisBucket/PostgresBucket are shared, and a pyrate-limiter Limiter that fastapi-limiter does not use (outbound throttling) is not an API rate limiter. When the instance count is not declared the finding says the runtime "may" scale. Test, seed and script files are skipped.',
      references: ['https://express-rate-limit.mintlify.app/reference/stores', 'https://github.com/animir/node-rate-limiter-flexible/wiki/Memory', 'https://docs.nestjs.com/security/rate-limiting#storages'],
    },
  },
  check({ facts, code, model }, ctx) {
    if (!code) return;
    const seen = new Set<string>();
    for (const f of facts.values()) {
      if (isNonProductionFile(f.file)) continue;
      for (const l of limitersIn(facts, f, code)) {
        const file = l.file ?? f.file;
        const key = `${file}:${l.call.line}`;
        if (seen.has(key) || isNonProductionFile(file)) continue;
        seen.add(key);
        const v = replicaVerdict(model, code, file);
        // worker processes per replica (gunicorn --workers, gunicorn.conf.py, WEB_CONCURRENCY): each has its own counters
        const procs = v.runtimes.map((rt) => {
          const r = (code.infra.runtimes ?? []).find((x) => `runtime:${x.name}` === rt.id);
          const p = r ? pythonProcesses(r.command, r.env ?? {}, facts, r.sourceDirs?.[0] ?? '') : undefined;
          return p && p.n > 1 && !/is not set/.test(p.note ?? '') ? { id: rt.id, ...p } : undefined;
        }).find((p) => p);
        if (v.verdict === 'single' && !procs) continue;
        const many = v.verdict === 'many' || !!procs;
        const replicas = v.verdict === 'many' ? Number(/runs (\d+) replicas/.exec(v.phrase)?.[1] ?? 0) : v.verdict === 'single' ? 1 : 0;
        const n = replicas && procs ? replicas * procs.n : replicas > 1 ? replicas : 0;
        const effective = l.limit && n > 1 ? ` — a limit of ${l.limit} per window becomes about ${l.limit * n} across ${n} ${procs ? 'processes' : 'instances'}` : '';
        const phrase = !procs ? v.phrase : v.verdict === 'single' ? `${v.phrase}, but with ${procs.n} worker processes (${procs.note})` : `${v.phrase}, each with ${procs.n} worker processes (${procs.note})`;
        ctx.report({
          element: v.runtimes[0]?.id ?? code.componentOf(file),
          locations: [{ file, line: l.call.line, endLine: l.call.endLine }],
          title: `${l.lib} keeps rate-limit counters in process memory${many ? '' : ' (the API may run several instances)'}`,
          impact: `Counters live in each process${l.why ? ` (${l.why})` : ''}, and ${phrase}: clients get a multiple of the limit${effective}, and counters reset on every deploy.${v.entrypoints.length ? ` Applies to ${routesPhrase(v.entrypoints)}.` : ''}`,
          recommendation: `Use a shared store for the counters (${l.fix}), or enforce the limit at the gateway/load balancer.`,
          fingerprintKey: `${l.lib} ${l.call.callee.join('.')}`,
        });
      }
    }
  },
};
export default rule;
