import type { FactIndex } from '../../extract/facts.js';
import type { Location, Model, ModelNode } from '../../model/types.js';
import type { Rule } from '../types.js';
import { routesPhrase, stateDependenciesByEntrypoint } from '../util.js';
import { filesImporting } from '../config/_code.js';

const HEALTH_SEGMENT = /^(health|healthz|healthcheck|health-check|_health|ready|readyz|readiness|live|livez|liveness|status|ping|alive)$/i;
/** Ambiguous names: a probe only under a health/system prefix or when a probe config (compose/k8s healthcheck, Dockerfile HEALTHCHECK) points at the path. */
const AMBIGUOUS_SEGMENT = /^(status)$/i;
const PREFIX_SEGMENT = /^(api|v\d+|internal|system|monitoring|ops|_?meta|management|actuator|health|healthz|probe|probes)$/i;

/** A probe-like route: GET /health, /api/healthz, /health/ready, /v1/status — not /health/samples or /orders/:id/status. */
export function isHealthRoute(n: ModelNode, probeText = ''): boolean {
  if (n.kind !== 'entrypoint' || n.trigger !== 'http' || !n.route) return false;
  if (!['GET', 'HEAD', 'ALL'].includes(n.route.method)) return false;
  const segs = n.route.path.split('/').filter(Boolean);
  if (!segs.length || segs.some((s) => s.startsWith(':') || s.includes('*'))) return false;
  const last = segs[segs.length - 1];
  if (!HEALTH_SEGMENT.test(last)) return false;
  if (AMBIGUOUS_SEGMENT.test(last) && !segs.slice(0, -1).some((s) => /health|monitoring|system|ops|management|actuator/i.test(s)) && !probeText.includes(n.route.path)) return false;
  return segs.slice(0, -1).every((s) => PREFIX_SEGMENT.test(s));
}

/** Text of the configs that declare probes (compose/k8s healthchecks, Dockerfile HEALTHCHECK, load-balancer settings). */
function probeConfigText(configs: readonly { rel: string; text: string }[]): string {
  return configs.filter((c) => /healthcheck|readinessProbe|livenessProbe|health_check|HealthCheckPath|HEALTHCHECK/i.test(c.text)).map((c) => c.text).join('\n');
}

/** The handler of a route: the decorated method (NestJS) or the inline callback on the route line (Express), else the route evidence. */
function handlerLocation(facts: FactIndex, ep: ModelNode): Location | undefined {
  const ev = ep.evidence[0];
  if (!ev) return undefined;
  const f = facts.get(ev.file);
  const fn = f?.functions.find((x) => x.decorators.some((d) => d.line === ev.line)) ?? f?.functions.find((x) => x.inlineOf?.line === ev.line && x.line >= ev.line);
  return fn ? { file: ev.file, line: fn.line, endLine: fn.endLine } : { file: ev.file, line: ev.line };
}

const PROBE_OP = /^(ping|execute|query|raw|\$queryRaw|\$executeRaw|\$queryRawUnsafe|command|serverStatus|authenticate|isReady|health|healthCheck|checkConnection|select|scalar|fetchval|fetchrow|exists)$/;

/** The handler's body calls a probe-like method (ping, execute, query…) on something no pack recognised. */
function probesSomethingUnresolved(facts: FactIndex, code: NonNullable<Parameters<Rule['check']>[0]['code']>, ep: ModelNode): boolean {
  const loc = handlerLocation(facts, ep);
  const f = loc ? facts.get(loc.file) : undefined;
  const fn = f?.functions.find((x) => x.line === loc!.line);
  if (!f || !fn) return false;
  return code.bodyCalls(f.file, fn.id).some((c) => c.callee.length > 1 && PROBE_OP.test(c.callee[c.callee.length - 1]) && !code.meaning(f.file, c) && !code.callee(f.file, c));
}

/** Datastores and caches an entrypoint reaches, per the model's edges. */
function dependenciesOf(model: Model, ep: string): string[] {
  return [...(stateDependenciesByEntrypoint(model).get(ep) ?? [])].sort();
}

const rule: Rule = {
  meta: {
    id: 'health/shallow-check',
    title: 'Health check does not check any dependency',
    category: 'observability',
    polarity: 'risk',
    defaultSeverity: 'low',
    effort: 'S',
    priority: 'P2',
    docs: {
      what: 'A runtime exposes health routes (`/health`, `/healthz`, `/ready`, `/status`…) but none of them touches a datastore, cache or queue — they return a constant — while the runtime\'s other entrypoints depend on some. There is no readiness check of dependencies anywhere in that runtime.',
      why: 'Load balancers, Kubernetes readiness probes, ECS and uptime monitors use this route to decide whether an instance can take traffic. A constant `{ status: "ok" }` stays green while the database is unreachable or the connection pool is exhausted: traffic keeps flowing to instances that fail every real request, rolling deploys promote broken builds, and on-call learns about the outage from users instead of from the probe.',
      fix: 'Keep the cheap liveness route, and add a readiness route that pings each hard dependency with a short timeout and returns 503 when one is down: `app.get("/ready", async (_req, res) => { const [db, cache] = await Promise.allSettled([withTimeout(prisma.$queryRaw`SELECT 1`, 2000), withTimeout(redis.ping(), 1000)]); res.status(db.status === "fulfilled" && cache.status === "fulfilled" ? 200 : 503).json({ db: db.status, cache: cache.status }); })` — or use `@nestjs/terminus` (`PrismaHealthIndicator`, `MemoryHealthIndicator`). Point the readiness probe at it.',
      falsePositiveGuard: 'Fires once per runtime, only when it has a probe-like route (last path segment health/healthz/ready/readiness/live/ping under prefixes like /api or /v1 — not /health/samples or /orders/:id/status; a bare /status counts only under a health/system prefix or when a probe config points at it), no such route reaches any datastore, cache or queue, and its other entrypoints do use one (a stateless service has nothing to check). Silent when a separate readiness route pings a dependency, when the probe calls a probe-like method (ping, execute, query…) on something the linker could not identify (a check it cannot see is not a missing one), and when @nestjs/terminus is used anywhere.',
      references: ['https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/', 'https://docs.nestjs.com/recipes/terminus', 'https://microservices.io/patterns/observability/health-check-api.html'],
    },
  },
  check({ facts, model, code }, ctx) {
    const probes = probeConfigText(code?.configs ?? []);
    const isHealth = (n: ModelNode) => isHealthRoute(n, probes);
    if (filesImporting(facts, ['@nestjs/terminus', '@godaddy/terminus', 'lightship']).length) return;
    const eps = model.nodes.filter((n) => n.kind === 'entrypoint');
    const byRuntime = new Map<string, ModelNode[]>();
    for (const n of eps) {
      const r = n.runtime ?? 'runtime:?';
      const list = byRuntime.get(r) ?? [];
      list.push(n);
      byRuntime.set(r, list);
    }
    for (const [runtime, list] of [...byRuntime].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const health = list.filter(isHealth);
      if (!health.length) continue;
      if (health.some((h) => dependenciesOf(model, h.id).length)) continue;
      // `await session.execute(select(1))` on a session the linker could not type: a check we cannot see, not a shallow one
      if (code && health.some((h) => probesSomethingUnresolved(facts, code, h))) continue;
      const deps = [...new Set(list.filter((n) => !isHealth(n)).flatMap((n) => dependenciesOf(model, n.id)))].sort();
      if (!deps.length) continue;
      const first = health[0];
      const runtimeLabel = runtime === 'runtime:?' ? 'this service' : runtime;
      ctx.report({
        element: first.id,
        locations: health.map((h) => handlerLocation(facts, h)).filter((l): l is Location => !!l),
        title: `${routesPhrase(health.map((h) => h.id))} checks no dependency of ${runtimeLabel}`,
        impact: `${routesPhrase(health.map((h) => h.id))} answers OK without touching ${deps.join(', ')}: when ${deps.length > 1 ? 'one of them is' : 'it is'} down or exhausted, probes and load balancers keep sending traffic to ${runtimeLabel}, whose other ${list.length - health.length} entrypoints then fail.`,
        recommendation: `Add a readiness route that pings ${deps.join(' and ')} with a short timeout and returns 503 when ${deps.length > 1 ? 'one fails' : 'it fails'} (or use @nestjs/terminus), and point the readiness probe / load-balancer health check at it; keep the current route as liveness.`,
        fingerprintKey: `${runtime} ${health.map((h) => h.name).join(',')}`,
      });
    }
  },
};
export default rule;
