// A synthetic faultline model (src/model/types.ts) of a given size, for benchmarking the
// propagation engine and the board without scanning anything. Deterministic per seed.
//
// Shape, loosely after seeds/: most nodes are entrypoints (routes, workers, crons); each
// entrypoint calls its handler component and runs on a runtime; components call each other
// (mostly a DAG, a few cycles), read/write datastores, use caches, enqueue to queues and call
// externals. Component edges carry `entrypoints` lists (the routes whose traced paths use
// them), which is what makes propagation precise and what makes it cost something.

import type { EdgeKind, EdgeMode, Guards, Model, ModelEdge, ModelNode, NodeKind } from '../src/model/types.ts';
import { Rng } from './prng.ts';

const DOMAINS = ['users', 'billing', 'orders', 'catalog', 'inventory', 'shipping', 'payments', 'search', 'notifications', 'reports', 'auth', 'media', 'support', 'pricing', 'ledger', 'fraud'];
const DATASTORE_TECH = ['postgresql', 'postgresql', 'mysql', 'mongodb', 'dynamodb', 's3'];
const EXTERNAL_VENDORS = ['stripe', 'resend', 'openai', 'sendgrid', 'twilio', 'slack', 'cognito', 'ses', 'sns', 'firebase'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** Upper bound on one edge's entrypoints list (real traced lists are short; a few are long). */
const MAX_EDGE_ENTRYPOINTS = 400;

interface Counts {
  client: number;
  runtime: number;
  datastore: number;
  cache: number;
  queue: number;
  external: number;
  component: number;
  entrypoint: number;
}

function allocate(nodes: number): Counts {
  const n = Math.max(8, Math.floor(nodes));
  const at = (f: number, min: number) => Math.max(min, Math.round(n * f));
  const c: Counts = {
    client: at(0.0002, 1),
    runtime: at(0.002, 1),
    datastore: at(0.001, 1),
    cache: at(0.0005, 1),
    queue: at(0.004, 1),
    external: at(0.012, 1),
    component: at(0.08, 1),
    entrypoint: 0,
  };
  c.entrypoint = Math.max(1, n - (c.client + c.runtime + c.datastore + c.cache + c.queue + c.external + c.component));
  return c;
}

const ev = (rng: Rng, file: string) => [{ file, line: rng.int(1, 400) }];

function guardsFor(rng: Rng, kind: NodeKind | 'component'): Guards {
  const g: Guards = {};
  if (kind === 'external') {
    if (rng.chance(0.6)) g.timeoutMs = rng.pick([1000, 2000, 5000, 10000, 30000]);
    if (rng.chance(0.3)) {
      g.retries = rng.pick([1, 2, 3, 5]);
      g.backoff = rng.pick(['exponential', 'exponential', 'fixed', 'none'] as const);
      g.jitter = rng.chance(0.5);
    }
    if (rng.chance(0.1)) g.circuitBreaker = true;
    if (rng.chance(0.2)) g.fallback = true;
  } else if (kind === 'datastore') {
    if (rng.chance(0.3)) g.timeoutMs = rng.pick([2000, 5000, 15000]);
    if (rng.chance(0.2)) g.transaction = true;
  } else if (kind === 'cache') {
    if (rng.chance(0.5)) g.timeoutMs = rng.pick([100, 250, 1000]);
    if (rng.chance(0.4)) g.fallback = true;
  } else if (kind === 'component') {
    if (rng.chance(0.05)) g.fallback = true;
  }
  return g;
}

/**
 * Builds a model with about `nodes` nodes and `edges` edges (exactly, unless the graph is
 * too small to hold that many distinct edges). Nodes and edges are sorted as faultline
 * sorts them, so the object looks like a real scan's output.
 */
export function generateModel(nodes = 10000, edges = 50000, seed = 1): Model {
  const rng = new Rng(`model:${seed}:${nodes}:${edges}`);
  const counts = allocate(nodes);
  const out: ModelNode[] = [];
  const ids = (kind: string, n: number, name: (i: number) => string) => Array.from({ length: n }, (_, i) => `${kind}:${name(i)}`);

  const clients = ids('client', counts.client, (i) => (i === 0 ? 'web' : `web-${i + 1}`));
  const runtimes = ids('runtime', counts.runtime, (i) => (i === 0 ? 'api' : i === 1 ? 'worker' : `svc-${i}`));
  const datastores = ids('datastore', counts.datastore, (i) => (i === 0 ? 'postgres' : `${DATASTORE_TECH[i % DATASTORE_TECH.length].replace('postgresql', 'postgres')}-${i}`));
  const caches = ids('cache', counts.cache, (i) => (i === 0 ? 'redis' : `redis-${i}`));
  const queues = ids('queue', counts.queue, (i) => `${DOMAINS[i % DOMAINS.length]}-jobs-${i}`);
  const externals = ids('external', counts.external, (i) => (i < EXTERNAL_VENDORS.length ? EXTERNAL_VENDORS[i] : `partner-api-${i}`));
  const components = ids('component', counts.component, (i) => `${DOMAINS[i % DOMAINS.length]}-${i}`);
  const workerRuntimes = runtimes.length > 1 ? runtimes.slice(1, 2) : runtimes;
  const apiRuntimes = runtimes.length > 2 ? [runtimes[0], ...runtimes.slice(2)] : runtimes.slice(0, 1);

  for (const id of clients) out.push({ id, kind: 'client', name: id.slice(7), evidence: ev(rng, 'web/src/api.ts') });
  for (const id of runtimes) {
    out.push({ id, kind: 'runtime', name: id.slice(8), tech: rng.pick(['node', 'lambda', 'container']), redundancy: { replicas: rng.pick([1, 1, 2, 3, 6]), ...(rng.chance(0.3) ? { maxReplicas: 20 } : {}) }, evidence: ev(rng, 'docker-compose.yml') });
  }
  datastores.forEach((id, i) => {
    out.push({ id, kind: 'datastore', name: id.slice(10), tech: DATASTORE_TECH[i % DATASTORE_TECH.length], redundancy: { replicas: 1, multiAz: rng.chance(0.5), readReplica: rng.chance(0.4) }, evidence: ev(rng, 'prisma/schema.prisma') });
  });
  for (const id of caches) out.push({ id, kind: 'cache', name: id.slice(6), tech: 'redis', evidence: ev(rng, 'src/redis.ts') });
  for (const id of queues) out.push({ id, kind: 'queue', name: id.slice(6), tech: 'bullmq', evidence: ev(rng, 'src/queues.ts') });
  for (const id of externals) out.push({ id, kind: 'external', name: id.slice(9), tech: 'http', evidence: ev(rng, 'src/clients.ts') });
  for (const id of components) out.push({ id, kind: 'component', name: id.slice(10), evidence: ev(rng, `src/modules/${id.slice(10)}/index.ts`) });

  // entrypoints: skewed over components (a few components own many routes, as in real apps)
  const weights = components.map(() => rng.longTail(1, 4, 60));
  const weightTable = components.map((c, i) => [i, weights[i]] as const);
  const own: number[][] = components.map(() => []);
  const eps: { id: string; comp: number; runtime: string; trigger: string; queue?: string }[] = [];
  for (let i = 0; i < counts.entrypoint; i++) {
    const comp = rng.weighted(weightTable);
    const r = rng.next();
    const trigger = r < 0.92 || !queues.length ? 'http' : r < 0.97 ? 'worker' : 'schedule';
    const compName = components[comp].slice(10);
    let id: string;
    let node: ModelNode;
    if (trigger === 'http') {
      const method = rng.pick(METHODS);
      const path = `/${compName}/r${i}${rng.chance(0.5) ? '/:id' : ''}`;
      id = `entrypoint:${method} ${path}`;
      node = { id, kind: 'entrypoint', name: `${method} ${path}`, route: { method, path }, trigger, evidence: ev(rng, `src/modules/${compName}/${compName}.controller.ts`) };
    } else if (trigger === 'worker') {
      id = `entrypoint:worker:${compName}-${i}`;
      node = { id, kind: 'entrypoint', name: `worker:${compName}-${i}`, trigger, evidence: ev(rng, `src/modules/${compName}/${compName}.processor.ts`) };
    } else {
      id = `entrypoint:cron:${compName}-${i}`;
      node = { id, kind: 'entrypoint', name: `cron:${compName}-${i}`, trigger, evidence: ev(rng, `src/modules/${compName}/${compName}.cron.ts`) };
    }
    const runtime = trigger === 'http' ? rng.pick(apiRuntimes) : rng.pick(workerRuntimes);
    node.component = components[comp];
    node.runtime = runtime;
    if (rng.chance(0.02)) node.critical = true;
    out.push(node);
    own[comp].push(eps.length);
    eps.push({ id, comp, runtime, trigger, queue: trigger === 'worker' ? rng.pick(queues) : undefined });
  }

  const epIndex = new Map(eps.map((e, i) => [e.id, i]));

  // edges
  const list: ModelEdge[] = [];
  const seen = new Set<string>();
  const add = (e: ModelEdge): boolean => {
    if (list.length >= edges) return false;
    const key = `${e.from}\u0000${e.to}\u0000${e.kind}`;
    if (seen.has(key) || e.from === e.to) return false;
    seen.add(key);
    list.push(e);
    return true;
  };
  const edge = (from: string, to: string, kind: EdgeKind, mode: EdgeMode, guards: Guards, file: string, entrypoints?: string[], readOnly?: boolean): ModelEdge => {
    const e: ModelEdge = { from, to, kind, mode, guards, evidence: ev(rng, file) };
    if (entrypoints) e.entrypoints = entrypoints;
    if (readOnly) e.readOnly = true;
    return e;
  };

  for (const ep of eps) add(edge(ep.id, components[ep.comp], 'calls', 'sync', {}, 'src/routes.ts'));
  for (const ep of eps) add(edge(ep.id, ep.runtime, 'runs_on', 'sync', {}, 'serverless.yml'));
  for (const ep of eps) if (ep.queue) add(edge(ep.id, ep.queue, 'consumes', 'async', {}, 'src/queues.ts'));
  for (const q of queues) add(edge(q, caches[0], 'uses', 'sync', {}, 'src/queues.ts'));
  for (const ep of eps) if (ep.trigger === 'http' && rng.chance(0.3)) add(edge(rng.pick(clients), ep.id, 'calls', 'sync', rng.chance(0.5) ? { timeoutMs: 10000 } : {}, 'web/src/api.ts'));

  // component-level edges, generated per component in index order so each one's reach set
  // (entrypoints arriving directly or through callers) is known when its own edges are made
  const reach: Set<number>[] = components.map((_, i) => new Set(own[i]));
  const remaining = Math.max(0, edges - list.length);
  const perComp = components.map((_, i) => weights[i]);
  const totalWeight = perComp.reduce((a, b) => a + b, 0);
  const targets: [string, number][] = [['component', 40], ['datastore', 25], ['external', 15], ['cache', 10], ['queue', 10]];
  const pickList = (all: number[], mayBeAbsent = true): string[] | undefined => {
    if (all.length === 0 || (mayBeAbsent && rng.chance(0.1))) return undefined; // absent: every entrypoint that reaches `from`
    // long-tailed: most edges serve a handful of routes, hub edges serve hundreds
    const k = Math.min(all.length, rng.longTail(1, 10, MAX_EDGE_ENTRYPOINTS));
    let picked: number[];
    if (k * 3 < all.length) {
      const chosen = new Set<number>();
      while (chosen.size < k) chosen.add(all[Math.floor(rng.next() * all.length)]);
      picked = [...chosen];
    } else {
      picked = rng.sample(all, k);
    }
    return picked.map((i) => eps[i].id).sort();
  };
  let budget = remaining;
  for (let c = 0; c < components.length && budget > 0; c++) {
    const share = c === components.length - 1 ? budget : Math.min(budget, Math.round((remaining * perComp[c]) / totalWeight));
    const from = components[c];
    const reachC = [...reach[c]]; // final: forward edges only come from lower indices
    for (let k = 0, tries = 0; k < share && tries < share * 4; tries++) {
      const target = rng.weighted(targets);
      const file = `src/modules/${from.slice(10)}/${from.slice(10)}.service.ts`;
      let e: ModelEdge;
      const mode: EdgeMode = rng.chance(0.1) ? 'fire_and_forget' : 'sync';
      const g = (kind: NodeKind | 'component') => {
        const guards = guardsFor(rng, kind);
        if (mode === 'fire_and_forget' && rng.chance(0.5)) guards.caught = true;
        return guards;
      };
      if (target === 'component' && components.length > 1) {
        // forward (a DAG) with ~5% back edges for cycles
        const back = c > 0 && rng.chance(0.05);
        if (!back && c === components.length - 1) continue;
        const to = back ? rng.int(0, c - 1) : rng.int(c + 1, Math.min(components.length - 1, c + 1 + rng.int(0, 60)));
        const eps_ = pickList(reachC, false);
        e = edge(from, components[to], 'calls', mode, g('component'), file, eps_);
        if (add(e)) {
          k++;
          if (!back && eps_) for (const x of eps_) reach[to].add(epIndex.get(x)!);
        }
        continue;
      }
      if (target === 'datastore') {
        const read = rng.chance(0.6);
        e = edge(from, rng.pick(datastores), read ? 'reads' : 'writes', mode, g('datastore'), file, pickList(reachC), read);
      } else if (target === 'external') {
        e = edge(from, rng.pick(externals), 'calls', mode, g('external'), file, pickList(reachC));
      } else if (target === 'cache') {
        e = edge(from, rng.pick(caches), 'uses', mode, g('cache'), file, pickList(reachC));
      } else {
        e = edge(from, rng.pick(queues), 'enqueues', 'async', {}, file, pickList(reachC));
      }
      if (add(e)) k++;
    }
    budget = edges - list.length;
  }
  // top up with random component → datastore/external edges if distinctness left us short
  for (let tries = 0; list.length < edges && tries < edges * 2; tries++) {
    const c = rng.int(0, components.length - 1);
    const to = rng.chance(0.5) ? rng.pick(externals) : rng.pick([...datastores, ...caches]);
    const kind: EdgeKind = to.startsWith('external:') ? 'calls' : to.startsWith('cache:') ? 'uses' : rng.chance(0.5) ? 'reads' : 'writes';
    add(edge(components[c], to, kind, 'sync', guardsFor(rng, to.split(':')[0] as NodeKind), 'src/extra.ts', pickList([...reach[c]])));
  }

  out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  list.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  return {
    schemaVersion: 1,
    tool: { name: 'faultline', version: '0.1.0' },
    root: '.',
    nodes: out,
    edges: list,
    findings: [],
    scenarios: [],
    diagnostics: [],
    stats: { files: 0, parsed: 0, skipped: 0 },
  };
}
