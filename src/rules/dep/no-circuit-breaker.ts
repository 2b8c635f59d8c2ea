import type { FactIndex } from '../../extract/facts.js';
import type { ModelEdge } from '../../model/types.js';
import type { CodeIndex, Rule } from '../types.js';
import { isNonProductionFile, nodeById, nodeName, routesPhrase } from '../util.js';
import { breakersAt, inBreakerFactory } from './_breakers.js';
import { requestEntrypoints, runtimeBudgets, secs, sortLocations } from './_code.js';

/** AWS control-plane style services: regional, highly available, and not what a breaker is usually put in front of. */
const INFRA_TECH = new Set(['aws-sns', 'aws-eventbridge', 'aws-lambda', 'aws-secrets-manager', 'aws-kinesis']);
const AUTH = /cognito|idp|auth|oauth|oidc|okta|keycloak|identity|sso|clerk|jwks|login/i;

const rule: Rule = {
  meta: {
    id: 'dep/no-circuit-breaker',
    title: 'Synchronous call to an external service with no circuit breaker',
    category: 'availability',
    polarity: 'risk',
    defaultSeverity: 'high',
    effort: 'M',
    priority: 'P1',
    docs: {
      what: 'A component calls an external or auth service (identity provider, Cognito, payments, email, AI, any third-party HTTP API) synchronously on the request path, and no circuit breaker sits between them. Reported once per component → external service, with the routes that depend on it.',
      why: 'When the service degrades, every request keeps calling it and waits for the full timeout (or forever, without one) before failing. Threads, sockets, Lambda concurrency and database connections held by those requests pile up, so routes that never touch the service slow down too, and the retrying callers keep the struggling service down. An auth dependency on a global guard takes every authenticated route with it.',
      fix: 'Put a breaker around the client call and give it a fallback where a degraded answer is acceptable, e.g. with opossum:\n\n```ts\nconst introspect = new CircuitBreaker((token: string) => axios.post(url, body(token), { timeout: 3000 }), { timeout: 3500, errorThresholdPercentage: 50, resetTimeout: 30000 });\nintrospect.fallback(() => { throw new ServiceUnavailableException(); });\nconst { data } = await introspect.fire(token);\n```\n\nFor token introspection also cache positive results for their remaining lifetime, so a short IdP outage does not fail every request.',
      falsePositiveGuard: 'Only sync edges on HTTP/WebSocket entrypoint paths count (queue workers, cron jobs and fire-and-forget calls do not). A call that runs behind an opossum/cockatiel breaker — including through a wrapper such as `send(() => client.call())` that fires a breaker around its callback, or a callback handed to a breaker factory (`protect(() => client.call())`, a function named like a breaker or building one around its parameter) — or a hand-rolled CLOSED/OPEN breaker is not reported; nor is one that both has a timeout and is contained by a try/catch fallback (a wrapper that hands on the options of its callers — `fetch(input, init)` — counts as timed by them: the timeout is theirs, not read). AWS infrastructure services (SNS, EventBridge, Lambda invoke, Secrets Manager, Kinesis) and test/seed/script files are skipped. Severity is high for auth services and for services most routes depend on, medium otherwise.',
      references: ['https://martinfowler.com/bliki/CircuitBreaker.html', 'https://nodeshift.dev/opossum/', 'https://learn.microsoft.com/en-us/azure/architecture/patterns/circuit-breaker'],
    },
  },
  check({ model, facts, code }, ctx) {
    if (!code) return;
    const groups = new Map<string, ModelEdge[]>();
    for (const e of model.edges) {
      if (e.kind !== 'calls' || e.mode !== 'sync' || !e.from.startsWith('component:') || !e.to.startsWith('external:')) continue;
      if (e.guards.circuitBreaker) continue;
      if (e.guards.fallback && (e.guards.timeout || optionsFromCallers(facts, code, e))) continue;
      const key = `${e.from}\0${e.to}`;
      const list = groups.get(key) ?? [];
      list.push(e);
      groups.set(key, list);
    }
    const allRequest = requestEntrypoints(model, model.nodes.filter((n) => n.kind === 'entrypoint').map((n) => n.id));
    const budgets = runtimeBudgets(model, code);
    for (const [key, edges] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const [from, to] = key.split('\0');
      const target = nodeById(model, to);
      if (target?.tech && INFRA_TECH.has(target.tech)) continue;
      const sites = sortLocations(edges.flatMap((e) => e.evidence).filter((ev) => !isNonProductionFile(ev.file) && breakersAt(facts, code, ev.file, ev.line).length === 0 && !inBreakerFactory(facts, code, ev.file, ev.line)));
      if (!sites.length) continue;
      const eps = [...new Set(requestEntrypoints(model, edges.flatMap((e) => e.entrypoints ?? [])))].sort();
      if (!eps.length) continue;
      const name = nodeName(model, to);
      const auth = AUTH.test(to) || AUTH.test(target?.tech ?? '');
      const wide = eps.length >= 3 && eps.length * 2 >= allRequest.length;
      const timeouts = edges.map((e) => e.guards.timeoutMs).filter((t): t is number => typeof t === 'number');
      const untimed = edges.some((e) => !e.guards.timeout && !optionsFromCallers(facts, code, e));
      const budget = eps.map((ep) => nodeById(model, ep)?.runtime).map((r) => (r ? budgets.get(r) : undefined)).find((b) => b);
      const wait = untimed
        ? `with no timeout on the call, each one can wait ${budget ? `until ${budget.what}` : 'indefinitely'}`
        : budget && Math.max(...timeouts) > budget.ms
          ? `each one waits until ${budget.what} (the client's ${secs(Math.max(...timeouts))} timeout is longer)`
          : timeouts.length
            ? `each one waits up to ${secs(Math.max(...timeouts))} before failing`
            : 'each one waits as long as the timeout its callers hand the wrapper allows';
      ctx.report({
        element: from,
        severity: auth || wide ? 'high' : 'medium',
        locations: sites,
        title: `${nodeName(model, from)} calls ${name} synchronously with no circuit breaker${auth ? ' (auth path)' : ''}`,
        impact: `${routesPhrase(eps)} ${eps.length === 1 ? 'depends' : 'depend'} on ${name} in-line. When ${name} slows down, ${wait}, holding the request's concurrency slot and connections; when it is down, ${eps.length === 1 ? 'that route fails' : eps.length === 2 ? 'both routes fail' : `all ${eps.length} routes fail`} on every call instead of failing fast.`,
        recommendation: `Wrap the ${name} call${sites.length > 1 ? 's' : ''} (${sites.map((s) => `${s.file}:${s.line}`).join(', ')}) in a circuit breaker (opossum \`new CircuitBreaker(fn, { timeout, errorThresholdPercentage: 50, resetTimeout: 30000 })\` with a fallback)${auth ? ', and cache successful auth results for their remaining lifetime so a short outage does not reject every request' : ''}.`,
        fingerprintKey: `${from} -> ${to}`,
      });
    }
  },
};
/**
 * A wrapper that hands its own parameter on as the request options (`fetch(input, init)` inside
 * `FetchService.fetch(input, init)`): each caller decides the timeout, which is not read here, so
 * the edge is neither "timed" nor "untimed". True when every dependency call among the edge's
 * evidence (the others are the call sites that lead to it) passes options that way.
 */
function optionsFromCallers(facts: FactIndex, code: CodeIndex, e: ModelEdge): boolean {
  let sites = 0;
  for (const ev of e.evidence) {
    const f = facts.get(ev.file);
    const call = f?.calls.find((c) => c.line === ev.line && code.meaning(ev.file, c)?.use === 'dependency');
    if (!f || !call) continue;
    sites++;
    const fn = call.fn !== '<module>' ? f.functions.find((x) => x.id === call.fn) : undefined;
    const params = new Set(fn?.params.map((p) => p.name) ?? []);
    if (!call.args.slice(1).some((a) => !!a && typeof a === 'object' && 'ref' in a && params.has(a.ref))) return false;
  }
  return sites > 0;
}

export default rule;
