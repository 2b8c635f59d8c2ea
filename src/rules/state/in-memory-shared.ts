import type { CallFact, FileFacts, FunctionFact, Val } from '../../extract/facts.js';
import type { Model } from '../../model/types.js';
import type { Rule, RuleContext } from '../types.js';
import { entrypointsOf, isNonProductionFile, routesPhrase } from '../util.js';
import { calleeFrom, importOf, objectOf, packageOf } from '../config/_code.js';
import { replicaVerdict, type ReplicaVerdict } from './_replicas.js';
import { isPy } from '../py-util.js';

/** State other instances need to see: sessions, sockets, one-time codes, locks, counters. */
const SHARED_STATE = /session|socket|connection|client|subscriber|presence|online|room|channel|token|otp|nonce|verification|lock|attempt|idempoten|counter|throttle|ratelimit|rate_limit/i;
/** Caches: only a problem when requests also invalidate them (others keep stale copies). */
const CACHE = /cache|memo|store/i;
/** Per-process by design. */
const LOCAL_BY_DESIGN = /pending|inflight|in_flight|timer|interval|listener|handler|registry|metric|schema|validator|compiled|pool|loader|promise/i;

const WRITE_OPS = new Set(['set', 'add', 'push']);
const INVALIDATE_OPS = new Set(['delete', 'clear', 'del']);

interface Holder {
  kind: 'module' | 'class';
  name: string;
  cls?: string;
  line: number;
  type: string;
}

function containerType(f: FileFacts, init: Val | undefined): string | undefined {
  if (!init || typeof init !== 'object' || !('new' in init)) return undefined;
  const ctor = init.new;
  if (ctor === 'Map' || ctor === 'Set') return ctor;
  const imp = importOf(f, ctor.split('.')[0]);
  const pkg = imp ? packageOf(imp.source) : undefined;
  if (pkg === 'node-cache' || pkg === 'lru-cache' || pkg === 'quick-lru' || pkg === 'memory-cache') return pkg;
  return undefined;
}

function isSingletonClass(f: FileFacts, cls: string): boolean {
  const c = f.classes.find((x) => x.name === cls);
  if (!c) return false;
  if (c.decorators.some((d) => /^(Injectable|Controller|WebSocketGateway|Service|Resolver)$/.test(d.name))) return true;
  return f.vars.some((v) => v.init && typeof v.init === 'object' && 'new' in v.init && v.init.new === cls);
}

/** Is this function (or an inline callback it sits in) a socket `connection` handler? */
function inConnectionHandler(f: FileFacts, fn: FunctionFact): boolean {
  let cur: FunctionFact | undefined = fn;
  for (let i = 0; i < 8 && cur; i++) {
    const io = cur.inlineOf;
    if (io && /(^|\.)on$/.test(io.call)) {
      const call = f.calls.find((c) => c.line === io.line && c.callee.join('.') === io.call);
      if (call && (call.args[0] === 'connection' || call.args[0] === 'connect' || call.args[0] === 'message')) return true;
    }
    cur = cur.parent ? f.functions.find((x) => x.id === cur!.parent) : undefined;
  }
  return false;
}

function report(ctx: RuleContext, v: ReplicaVerdict, r: { file: string; line: number; endLine?: number; title: string; what: string; fix: string; key: string; element?: string; eps: string[]; extra?: { file: string; line: number }[] }) {
  ctx.report({
    element: r.element,
    locations: [{ file: r.file, line: r.line, endLine: r.endLine }, ...(r.extra ?? [])],
    title: r.title + (v.verdict === 'many' ? '' : ' (the API may run several instances)'),
    impact: `${r.what} This matters because ${v.phrase}.${r.eps.length ? ` Affects ${routesPhrase(r.eps)}.` : ''}`,
    recommendation: r.fix,
    fingerprintKey: r.key,
  });
}

const rule: Rule = {
  meta: {
    id: 'state/in-memory-shared',
    title: 'In-process state that other instances need',
    category: 'scalability',
    polarity: 'risk',
    defaultSeverity: 'medium',
    effort: 'M',
    priority: 'P2',
    docs: {
      what: 'State kept in one process\'s memory although every instance of the API needs it: express-session without a `store` (MemoryStore); a Socket.IO server without an adapter when the API runs several replicas; a module-level or singleton-service `Map`/`Set`/node-cache/lru-cache holding sessions, sockets, one-time codes, locks or counters that request handlers write, or a cache that request handlers invalidate.',
      why: 'Behind a load balancer consecutive requests of one user land on different instances. A session created on one replica does not exist on the next (random logouts), an OTP issued on one cannot be verified on another, a lock taken on one does not stop the others, `io.to(room).emit()` reaches only the sockets connected to that process, and a cache entry deleted after a write on one replica stays stale on all the others. A deploy or restart wipes the state for everyone.',
      fix: 'Move the state to a shared store: `session({ store: new RedisStore({ client: redis }), ... })` (connect-redis); `io.adapter(createAdapter(pubClient, subClient))` (@socket.io/redis-adapter); Redis keys with a TTL (`SET otp:<id> <code> EX 300`) instead of a Map; for caches, a shared Redis cache or publish invalidations to every instance (Redis pub/sub).',
      falsePositiveGuard: 'Only when the serving runtime has or may have more than one instance (silent when replicas: 1 is declared; Socket.IO only when more than one instance is known). Maps and Sets must be written (set/add) on a request path — or, for caches, invalidated (delete/clear) on a request path — and be named for shared state (session, socket, client, token, otp, lock, counter…) or for a cache; names that are per-process by design (pending, inflight, timers, listeners, registries, pools) and read-only lookup tables never fire. A class property counts only on a singleton (NestJS provider or a module-level instance). Test, seed and script files are skipped.',
      references: ['https://github.com/expressjs/session#sessionoptions', 'https://socket.io/docs/v4/using-multiple-nodes/', 'https://socket.io/docs/v4/redis-adapter/', 'https://12factor.net/processes'],
    },
  },
  check({ facts, code, model }, ctx) {
    if (!code) return;
    const ioAdapterCall = [...facts.values()].some((f) => f.calls.some((c) => {
      const last = c.callee[c.callee.length - 1];
      return last === 'adapter' || last === 'useWebSocketAdapter';
    }));
    for (const f of facts.values()) {
      if (isNonProductionFile(f.file)) continue;
      let verdict: ReplicaVerdict | undefined;
      const scaleOf = () => (verdict ??= replicaVerdict(model, code, f.file));
      for (const c of f.calls) {
        // express-session without a store
        const sess = calleeFrom(f, c, ['express-session']);
        if (sess && !c.isNew && sess.member.length === 0 && sess.imported === 'default') {
          const o = c.args.length ? objectOf(facts, f.file, c.args[0]) : { obj: {} };
          if (!o || o.spread || 'store' in o.obj) continue;
          const v = scaleOf();
          if (v.verdict === 'single') continue;
          report(ctx, v, {
            file: f.file, line: c.line, endLine: c.endLine, element: v.runtimes[0]?.id ?? code.componentOf(f.file), eps: v.entrypoints,
            title: 'express-session keeps sessions in process memory (MemoryStore)',
            what: 'Without a store, express-session uses MemoryStore: a session created on one instance is unknown to the others, so users are logged out whenever the load balancer switches instance, every deploy logs everyone out, and MemoryStore leaks memory (its docs say it is not for production).',
            fix: "Pass a shared store: session({ store: new RedisStore({ client: redis }), secret: process.env.SESSION_SECRET, ... }) from 'connect-redis'.",
            key: 'express-session memory-store',
          });
          continue;
        }
        // Socket.IO server without an adapter
        const sio = calleeFrom(f, c, ['socket.io']);
        if (sio && c.isNew && (sio.imported === 'Server' || sio.imported === 'default') && sio.member.length === 0) {
          const opts = c.args.map((a) => objectOf(facts, f.file, a)).find((o) => !!o);
          if (opts && (opts.spread || 'adapter' in opts.obj)) continue;
          if (ioAdapterCall) continue;
          const v = scaleOf();
          if (v.verdict !== 'many') continue;
          report(ctx, v, {
            file: f.file, line: c.line, endLine: c.endLine, element: v.runtimes[0]?.id ?? code.componentOf(f.file), eps: v.entrypoints,
            title: 'Socket.IO server without an adapter across several instances',
            what: 'Without an adapter each Socket.IO server only knows the sockets connected to its own process: io.to(room).emit() and broadcasts from one instance never reach users connected to another.',
            fix: "Attach a shared adapter: io.adapter(createAdapter(pubClient, subClient)) from '@socket.io/redis-adapter' (or the Postgres/cluster adapter).",
            key: 'socket.io no-adapter',
          });
        }
      }
      // Map / Set / in-process caches written or invalidated on request paths
      const holders: Holder[] = [];
      if (isPy(f.file)) holders.push(...pyHolders(f));
      for (const v of isPy(f.file) ? [] : f.vars) {
        const type = containerType(f, v.init);
        if (type) holders.push({ kind: 'module', name: v.name, line: v.line, type });
      }
      for (const cls of isPy(f.file) ? [] : f.classes) {
        if (!isSingletonClass(f, cls.name)) continue;
        for (const p of cls.props) {
          const type = containerType(f, p.init);
          if (type) holders.push({ kind: 'class', name: p.name, cls: cls.name, line: p.line, type });
        }
      }
      for (const h of holders) {
        if (LOCAL_BY_DESIGN.test(h.name)) continue;
        const py = isPy(f.file);
        // Python: a ConnectionManager's `active` dict is socket state even when the attribute name does not say so
        const shared = SHARED_STATE.test(h.name) || (py && !!h.cls && SHARED_STATE.test(h.cls) && !CACHE.test(h.name));
        const cache = !shared && CACHE.test(h.name);
        if (!shared && !cache) continue;
        const ops = py ? (cache ? PY_INVALIDATE_OPS : PY_WRITE_OPS) : cache ? INVALIDATE_OPS : WRITE_OPS;
        const sites: { call: CallFact; eps: string[] }[] = [];
        for (const c of f.calls) {
          // Python: self.active[user_id].append(ws) — an element of the container is written too
          const chain = py ? c.callee.filter((p, i) => !(p === '[]' && i === c.callee.length - 2)) : c.callee;
          const hit = h.kind === 'module' ? chain.length === 2 && chain[0] === h.name : chain.length === 3 && chain[0] === 'this' && chain[1] === h.name;
          if (!hit || !ops.has(chain[chain.length - 1])) continue;
          const fn = f.functions.find((x) => x.id === c.fn);
          if (!fn) continue;
          if (h.kind === 'class' && fn.thisClass !== h.cls) continue;
          const eps = entrypointsOf(code, f.file, fn).filter((id) => isRequestEntrypoint(model, id));
          if (eps.length || (shared && inConnectionHandler(f, fn))) sites.push({ call: c, eps });
        }
        if (!sites.length) continue;
        const v = scaleOf();
        if (v.verdict === 'single') continue;
        const eps = [...new Set(sites.flatMap((s) => s.eps))].sort();
        const label = h.kind === 'module' ? `The module-level ${h.type} ${h.name}` : `${h.cls}.${h.name} (a ${h.type} on a singleton)`;
        report(ctx, v, {
          file: f.file, line: h.line, element: code.componentOf(f.file), eps: eps.length ? eps : v.entrypoints,
          extra: sites.slice(0, 4).map((s) => ({ file: f.file, line: s.call.line })),
          title: cache ? `In-process cache ${h.name} is invalidated per instance` : `${py && h.cls ? `${h.cls}.${h.name}` : h.name} is kept in process memory`,
          what: cache
            ? `${label} is cleared on writes by the instance that handles the write only; the other instances keep serving the stale entries until they expire or restart.`
            : `${label} is written while handling requests and lives in one process: another instance (or the same one after a restart) does not see it, so whatever depends on it — a session, a socket, a code or a lock — fails or is bypassed there.`,
          fix: cache
            ? `Use a shared cache (Redis with a TTL) for ${h.name}, or broadcast invalidations to every instance (Redis pub/sub) instead of deleting locally.`
            : `Keep ${h.name} in a shared store (e.g. Redis keys with a TTL, or the Socket.IO Redis adapter for sockets) instead of process memory.`,
          key: `${h.kind} ${h.cls ?? ''}.${h.name}`,
        });
      }
    }
  },
};

const PY_WRITE_OPS = new Set(['append', 'add', '__setitem__', 'setdefault', 'update', 'insert', 'extend', 'appendleft']);
const PY_INVALIDATE_OPS = new Set(['pop', 'remove', 'discard', 'clear', '__delitem__', 'popitem']);
const PY_CONTAINERS = /^(dict|set|list|defaultdict|OrderedDict|deque|Counter|WeakValueDictionary|WeakSet|TTLCache|LRUCache|LFUCache|Cache|cachetools\.\w+|collections\.\w+|weakref\.\w+)$/;

/** Python: module-level or singleton-instance dicts, sets, lists and cachetools caches. */
function pyContainer(init: Val | undefined): string | undefined {
  if (!init || typeof init !== 'object') return undefined;
  if ('obj' in init && !Object.keys(init.obj).length && !init.spread) return 'dict';
  if ('arr' in init && init.arr.length === 0) return 'list';
  if ('call' in init && PY_CONTAINERS.test(init.call)) return init.call.split('.').pop();
  return undefined;
}

function pyHolders(f: FileFacts): Holder[] {
  const out: Holder[] = [];
  for (const v of f.vars) {
    if (v.name.includes('.') || /^[A-Z0-9_]+$/.test(v.name)) continue;
    const type = pyContainer(v.init);
    if (type) out.push({ kind: 'module', name: v.name, line: v.line, type });
  }
  // a class with a module-level instance (`manager = ConnectionManager()`): its self.x containers live once per process
  const singletons = new Set(f.vars.map((v) => (v.init && typeof v.init === 'object' && 'call' in v.init ? v.init.call : '')).filter(Boolean));
  for (const cls of f.classes) {
    if (!singletons.has(cls.name)) continue;
    for (const p of cls.props) {
      const type = pyContainer(p.init);
      if (type) out.push({ kind: 'class', name: p.name, cls: cls.name, line: p.line, type });
    }
  }
  return out;
}

function isRequestEntrypoint(model: Model, id: string): boolean {
  const n = model.nodes.find((x) => x.id === id);
  return !n || n.trigger === 'http' || n.trigger === 'websocket' || n.trigger === 'function';
}

export default rule;
