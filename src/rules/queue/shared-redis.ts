import type { FactIndex, FileFacts, Val } from '../../extract/facts.js';
import type { Location } from '../../model/types.js';
import type { Rule } from '../types.js';
import { isNonProductionFile, routesPhrase } from '../util.js';
import { calleeFrom, decoratorCalls, importOf, importsAnyOf, objectOf, resolveVal, resolveVar } from '../config/_code.js';
import { findQueues, queueParties, type QueueDef } from './_queues.js';

const REDIS_PKGS = ['ioredis', 'redis', '@redis/client'];
const NEST_BULL = ['@nestjs/bullmq', '@nestjs/bull'];

/** Where a Redis connection points: a comparable key ('env:REDIS_URL', 'lit:redis://cache:6379', 'default'), or undefined when unknown. */
function specOf(facts: FactIndex, file: string, v: Val | undefined): string | undefined {
  if (v === undefined) return 'default';
  const r = resolveVal(facts, file, v);
  if (typeof r === 'string') return `lit:${r.replace(/\/+$/, '')}`;
  if (typeof r === 'number') return `port:${r}`;
  if (!r || typeof r !== 'object') return undefined;
  if ('env' in r) return `env:${r.env}`;
  if ('ref' in r) return `ref:${r.ref}`;
  if ('obj' in r) {
    const o = r.obj;
    if (o.url !== undefined) return specOf(facts, file, o.url);
    if (o.host !== undefined || o.port !== undefined) return `host:${specOf(facts, file, o.host) ?? '?'}:${specOf(facts, file, o.port) ?? '?'}`;
    if (o.path !== undefined) return specOf(facts, file, o.path);
    return r.spread ? undefined : 'default';
  }
  return undefined;
}

interface RedisClient {
  id: string; // file#var or file:line
  spec?: string;
  file: string;
  line: number;
}

function redisClients(facts: FactIndex): RedisClient[] {
  const out: RedisClient[] = [];
  for (const f of facts.values()) {
    if (!importsAnyOf(f, REDIS_PKGS)) continue;
    for (const c of f.calls) {
      const from = calleeFrom(f, c, REDIS_PKGS);
      if (!from || from.member.length) continue;
      const isIoredis = from.pkg === 'ioredis' && c.isNew && (from.imported === 'default' || from.imported === 'Redis');
      const isNodeRedis = from.pkg !== 'ioredis' && !c.isNew && from.imported === 'createClient';
      if (!isIoredis && !isNodeRedis) continue;
      const v = f.vars.find((x) => x.line === c.line);
      const spec = isIoredis
        ? c.args.length === 0 ? 'default' : typeof c.args[0] === 'number' ? `host:${specOf(facts, f.file, c.args[1]) ?? 'default'}:port:${c.args[0]}` : specOf(facts, f.file, c.args[0])
        : specOf(facts, f.file, c.args[0]);
      out.push({ id: v ? `${f.file}#${v.name}` : `${f.file}:${c.line}`, spec, file: f.file, line: c.line });
    }
  }
  return out;
}

/** The connection a queue uses: a client instance it shares, and/or the spec. */
function queueConnection(facts: FactIndex, q: QueueDef, clients: RedisClient[], nestRoot: Val | undefined): { client?: RedisClient; spec?: string } {
  let v: Val | undefined;
  if (q.call.callee.includes('registerQueue')) v = q.opts?.obj.connection ?? q.opts?.obj.redis ?? nestRoot;
  else if (q.tech === 'bull') v = typeof q.call.args[1] !== 'object' || (q.call.args[1] && 'env' in q.call.args[1]) ? q.call.args[1] : q.opts?.obj.redis;
  else v = q.opts?.obj.connection;
  if (v && typeof v === 'object' && 'ref' in v) {
    const def = resolveVar(facts, q.file, v.ref.split('.')[0]);
    if (def) {
      const client = clients.find((c) => c.id === `${def.file}#${def.v.name}`);
      if (client) return { client, spec: client.spec };
    }
  }
  return { spec: specOf(facts, q.file, v) };
}

/** Redis command calls (cache use) and the client they go to when it can be followed. */
function cacheUses(facts: FactIndex, code: NonNullable<Parameters<Rule['check']>[0]['code']>, clients: RedisClient[]): { file: string; line: number; client?: RedisClient }[] {
  const out: { file: string; line: number; client?: RedisClient }[] = [];
  for (const f of facts.values()) {
    if (isNonProductionFile(f.file)) continue;
    for (const c of f.calls) {
      const m = code.meaning(f.file, c);
      if (!m || m.use !== 'dependency' || m.target.kind !== 'cache' || m.target.name !== 'redis') continue;
      const op = c.callee[c.callee.length - 1]?.toLowerCase() ?? '';
      if (op === 'ping' || op === 'publish' || op === 'subscribe') continue;
      out.push({ file: f.file, line: c.line, client: clientOfChain(facts, f, c.callee, clients) });
    }
  }
  return out;
}

function clientOfChain(facts: FactIndex, f: FileFacts, chain: string[], clients: RedisClient[]): RedisClient | undefined {
  if (!chain.length || chain[0] === 'this') return undefined;
  const def = resolveVar(facts, f.file, chain[0]);
  if (def) return clients.find((c) => c.id === `${def.file}#${def.v.name}`);
  if (importOf(f, chain[0])) return undefined;
  return undefined;
}

function evictionPolicy(configs: { rel: string; text: string; lineOf(n: string): number }[]): { policy?: string; loc?: Location; several: boolean } {
  const found: { policy: string; loc: Location }[] = [];
  for (const cf of configs) {
    const re = /maxmemory-policy["']?[\s:=]+["']?([a-z-]+)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(cf.text))) {
      const line = cf.text.slice(0, m.index).split('\n').length;
      found.push({ policy: m[1], loc: { file: cf.rel, line } });
    }
  }
  const policies = [...new Set(found.map((x) => x.policy))];
  if (policies.length === 1) return { policy: policies[0], loc: found[0].loc, several: false };
  return { several: policies.length > 1 };
}

const rule: Rule = {
  meta: {
    id: 'queue/shared-redis',
    title: 'Job queue shares a Redis instance with a cache',
    category: 'availability',
    polarity: 'risk',
    defaultSeverity: 'medium',
    effort: 'M',
    priority: 'P2',
    docs: {
      what: 'A BullMQ/Bull queue connects to the same Redis as the application\'s cache: the same ioredis/node-redis client, or the same connection setting (env var, URL, host/port). Reported once per shared instance, with the eviction policy when the infrastructure config shows it.',
      why: 'A cache wants an eviction policy (`allkeys-lru`) so it can fill memory; a queue needs `noeviction`, because an evicted job hash, lock or wait-list entry is a job that silently disappears or runs twice. On one instance the two needs conflict: under memory pressure from cache traffic, Redis evicts queue keys — or, with `noeviction`, refuses every write so enqueues fail together with the cache. A cache stampede or a big cached payload then becomes a job-processing outage.',
      fix: 'Give the queue its own Redis (or at least its own logical instance with `maxmemory-policy noeviction`): e.g. `QUEUE_REDIS_URL` for BullMQ `new Queue(name, { connection: new Redis(process.env.QUEUE_REDIS_URL, { maxRetriesPerRequest: null }) })` and a separate `CACHE_REDIS_URL` with `allkeys-lru` for the cache.',
      falsePositiveGuard: 'Silent when the config shows `maxmemory-policy noeviction` for the instance, when the queue and the cache clients point at different env vars / URLs / hosts, when a connection cannot be followed to a comparable setting, and when no Redis command other than PING / pub-sub is issued by the application (no cache use). Test, seed and script files are skipped.',
      references: ['https://docs.bullmq.io/guide/going-to-production#max-memory-policy', 'https://redis.io/docs/latest/develop/reference/eviction/'],
    },
  },
  check({ facts, code, model }, ctx) {
    if (!code) return;
    const queues = findQueues(facts).filter((q) => !isNonProductionFile(q.file));
    if (!queues.length) return;
    const clients = redisClients(facts).filter((c) => !isNonProductionFile(c.file));
    const uses = cacheUses(facts, code, clients);
    if (!uses.length) return;
    const { policy, loc: policyLoc, several } = evictionPolicy(code.configs);
    if (policy === 'noeviction') return;
    let nestRoot: Val | undefined;
    for (const f of facts.values()) for (const c of importsAnyOf(f, NEST_BULL) ? [...f.calls, ...decoratorCalls(f)] : []) {
      const from = calleeFrom(f, c, NEST_BULL);
      if (from?.imported === 'BullModule' && from.member[0] === 'forRoot') {
        const o = objectOf(facts, f.file, c.args[c.args.length - 1]);
        nestRoot = o?.obj.connection ?? o?.obj.redis;
      }
    }
    const conns = queues.map((q) => ({ q, ...queueConnection(facts, q, clients, nestRoot) }));
    const allSpecs = [...clients.map((c) => c.spec), ...conns.map((c) => c.spec)];
    const singleServer = allSpecs.every((s) => s !== undefined) && new Set(allSpecs).size === 1;
    const groups = new Map<string, { queues: QueueDef[]; cacheUse: { file: string; line: number }; client?: RedisClient; sameClient: boolean }>();
    for (const c of conns) {
      let shared: { file: string; line: number; client?: RedisClient } | undefined;
      if (singleServer) shared = uses[0];
      else shared = uses.find((u) => u.client && ((c.client && u.client.id === c.client.id) || (c.spec !== undefined && u.client.spec === c.spec)));
      if (!shared) continue;
      const key = c.client?.id ?? c.spec ?? 'redis';
      const g = groups.get(key) ?? { queues: [], cacheUse: shared, client: c.client ?? shared.client, sameClient: !!c.client };
      if (!g.queues.some((x) => x.name === c.q.name)) g.queues.push(c.q);
      groups.set(key, g);
    }
    for (const g of groups.values()) {
      const names = g.queues.map((q) => q.name);
      const producers = [...new Set(names.flatMap((n) => queueParties(model, n).producers))].sort();
      const evicts = policy && /^allkeys-/.test(policy);
      const policyText = policy
        ? `maxmemory-policy is ${policy}${evicts ? ': under memory pressure Redis evicts any key, including job data, locks and wait lists' : ': keys with a TTL can be evicted, and the cache competes with the queue for memory'}`
        : several ? 'the configs show several maxmemory-policy values, none of them clearly for this instance' : 'no maxmemory-policy is visible in the config, so queue keys may be evicted (managed Redis often defaults to volatile-lru) or writes refused when memory fills';
      const locations: Location[] = [
        ...(g.client && g.sameClient ? [{ file: g.client.file, line: g.client.line }] : []),
        ...g.queues.map((q) => ({ file: q.file, line: q.line, endLine: q.call.endLine })),
        ...(g.client && !g.sameClient ? [{ file: g.client.file, line: g.client.line }] : []),
        { file: g.cacheUse.file, line: g.cacheUse.line },
        ...(policyLoc ? [policyLoc] : []),
      ];
      ctx.report({
        element: 'cache:redis',
        locations,
        title: `Queue${names.length > 1 ? 's' : ''} ${names.join(', ')} share${names.length > 1 ? '' : 's'} Redis with the cache${policy ? ` (maxmemory-policy ${policy})` : ''}`,
        impact: `Jobs of ${names.join(', ')} live on the same Redis as cached data; ${policyText}. Cache growth can then ${evicts ? '' : 'make Redis '}${evicts ? 'silently drop or duplicate jobs' : 'drop jobs or reject enqueues'}${producers.length ? ` from ${routesPhrase(producers)}` : ''}.`,
        recommendation: `Move the queue${names.length > 1 ? 's' : ''} to a dedicated Redis (separate connection setting, e.g. QUEUE_REDIS_URL) configured with maxmemory-policy noeviction, and keep allkeys-lru only on the cache instance.`,
        severity: policy && !evicts && policy !== 'noeviction' ? 'medium' : undefined,
        fingerprintKey: `shared-redis ${names.join(',')}`,
      });
    }
  },
};
export default rule;
