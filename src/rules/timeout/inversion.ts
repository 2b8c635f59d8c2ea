import { isObj, objGet } from '../../extract/facts.js';
import type { Location } from '../../model/types.js';
import type { Rule } from '../types.js';
import { isNonProductionFile, nodeName, routesPhrase } from '../util.js';
import { breakersAt } from '../dep/_breakers.js';
import { constructions, evaluate, fnOf, receiverConstruction, runtimeBudgets, secs, sortLocations, type Budget } from '../dep/_code.js';

interface Hit {
  at: Location;
  cause: 'breaker' | 'client' | 'retries' | 'statement';
  /** The callee's effective time: what outlasts the budget. */
  ms: number;
  detail: string;
  budget: Budget;
  eps: Set<string>;
  sites: Location[];
  target: string;
}

/** `statement_timeout=60000`, `statement_timeout%3D60s` in a connection string → ms. */
function statementTimeoutOf(url: string): number | undefined {
  const m = /statement_timeout(?:=|%3D)(\d+)(ms|s|min)?/i.exec(decodeURIComponent(url.replace(/\+/g, ' ')));
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === 's' ? n * 1000 : m[2] === 'min' ? n * 60000 : n;
}

const rule: Rule = {
  meta: {
    id: 'timeout/inversion',
    title: "A caller's timeout is shorter than its callee's",
    category: 'availability',
    polarity: 'risk',
    defaultSeverity: 'medium',
    effort: 'S',
    priority: 'P2',
    docs: {
      what: 'A call on a request path can outlast the time its caller allows: an outbound call whose timeout (or SDK default: OpenAI/Anthropic 10 min, Stripe 80 s) — or timeout × attempts with the client\'s own retries — is longer than the Lambda timeout (capped at API Gateway\'s 29 s for HTTP) of the runtime serving the route; a circuit breaker whose own timeout is longer than that budget; a database statement_timeout longer than the Lambda timeout.',
      why: 'The caller gives up first. The platform kills the invocation (the user sees a 502/504 with no fallback), while the callee keeps working for a request nobody waits for: a payment or email may still go through, a query keeps its connection and locks. The inner timeout never fires, so the error handling written for it never runs, and retries stacked on top are cut off half-way.',
      fix: 'Make every inner deadline shorter than the outer one, with room to handle the error: e.g. under a 29 s gateway limit, `new Stripe(key, { timeout: 10000, maxNetworkRetries: 1 })`, `new OpenAI({ timeout: 15000, maxRetries: 0 })`, an opossum breaker with `timeout: 20000`, and `statement_timeout` below the Lambda timeout.',
      falsePositiveGuard: 'Only runtimes with a known time budget count (serverless functions with a `timeout`; containers with no declared limit are left alone). A breaker timeout shorter than the client\'s timeout is the intended layering — the breaker answers (with its fallback) first — and is not reported; a call behind a breaker is judged by the breaker\'s timeout. Calls with no timeout at all are left to http/no-timeout. Only entrypoints that run on the budgeted runtime and reach the call synchronously count. Test, seed and script files are skipped.',
      references: ['https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html', 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html', 'https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/', 'https://github.com/stripe/stripe-node#configuration', 'https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-STATEMENT-TIMEOUT'],
    },
  },
  check({ model, facts, code }, ctx) {
    if (!code) return;
    const budgets = runtimeBudgets(model, code);
    if (!budgets.size) return;
    const runtimeOf = new Map(model.nodes.filter((n) => n.kind === 'entrypoint' && n.runtime).map((n) => [n.id, n.runtime!]));
    const hits = new Map<string, Hit>();
    const add = (h: Omit<Hit, 'eps' | 'sites'>, eps: string[], site?: Location) => {
      const key = `${h.at.file}:${h.at.line}\0${h.budget.runtime}\0${h.cause}`;
      const cur = hits.get(key) ?? { ...h, eps: new Set<string>(), sites: [] };
      for (const e of eps) cur.eps.add(e);
      if (site) cur.sites.push(site);
      hits.set(key, cur);
    };

    for (const e of model.edges) {
      if (!e.from.startsWith('component:') || e.mode !== 'sync' || !['calls', 'reads', 'writes', 'uses'].includes(e.kind)) continue;
      const eps = (e.entrypoints ?? []).filter((ep) => budgets.has(runtimeOf.get(ep) ?? ''));
      if (!eps.length) continue;
      const budget = eps.map((ep) => budgets.get(runtimeOf.get(ep)!)!).reduce((a, b) => (b.ms < a.ms ? b : a));
      const target = nodeName(model, e.to);
      for (const s of e.evidence) {
        if (isNonProductionFile(s.file)) continue;
        const f = facts.get(s.file);
        const call = f?.calls.find((c) => c.line === s.line && code.meaning(s.file, c)?.use === 'dependency');
        if (!f || !call) continue;
        const brs = breakersAt(facts, code, s.file, s.line);
        if (e.guards.circuitBreaker && !brs.length) continue; // a breaker we cannot read
        const brMs = brs.map((b) => b.timeoutMs).filter((t): t is number => t !== undefined);
        const breakerMs = brMs.length ? Math.min(...brMs) : undefined;
        const clientMs = e.guards.timeout && typeof e.guards.timeoutMs === 'number' ? e.guards.timeoutMs : undefined;
        const attempts = (e.guards.retries ?? 0) + 1;
        const clientWorst = clientMs !== undefined ? clientMs * attempts : undefined;
        if (breakerMs !== undefined && (clientWorst === undefined || breakerMs <= clientWorst)) {
          if (breakerMs <= budget.ms) continue;
          const b = brs.find((x) => x.timeoutMs === breakerMs)!;
          add({ at: { file: b.file, line: b.line, endLine: b.endLine }, cause: 'breaker', ms: breakerMs, detail: `the "${b.label}" breaker's ${secs(breakerMs)} timeout${b.timeoutExplicit ? '' : ' (opossum default)'}`, budget, target }, eps, { file: s.file, line: s.line });
          continue;
        }
        if (clientMs === undefined || clientWorst! <= budget.ms) continue;
        const cons = receiverConstruction(facts, s.file, call);
        const fn = cons ? fnOf(facts.get(cons.file)!, cons.call.fn) : undefined;
        const explicit = cons ? cons.args.some((a) => { const v = evaluate(facts, cons.file, a, fn); return isObj(v) && objGet(v, 'timeout') !== undefined; }) : true;
        const at: Location = cons ? { file: cons.file, line: cons.line, endLine: cons.endLine } : { file: s.file, line: s.line };
        const clientText = `${target}'s ${secs(clientMs)} timeout${explicit ? '' : ' (SDK default)'}`;
        if (clientMs > budget.ms) add({ at, cause: 'client', ms: clientMs, detail: clientText, budget, target }, eps, { file: s.file, line: s.line });
        else add({ at, cause: 'retries', ms: clientWorst!, detail: `${clientText} × ${attempts} attempts (the client's own retries) = ${secs(clientWorst!)}`, budget, target }, eps, { file: s.file, line: s.line });
      }
    }

    // database statement_timeout vs the runtime budget
    const dbEps = [...new Set(model.edges.filter((e) => e.to.startsWith('datastore:') && e.from.startsWith('component:') && e.mode === 'sync').flatMap((e) => e.entrypoints ?? []))].filter((ep) => budgets.has(runtimeOf.get(ep) ?? ''));
    if (dbEps.length) {
      const budget = dbEps.map((ep) => budgets.get(runtimeOf.get(ep)!)!).reduce((a, b) => (b.ms < a.ms ? b : a));
      const sources: { at: Location; ms: number }[] = [];
      for (const [name, v] of Object.entries(code.infra.env ?? {})) {
        if (!/DATABASE|POSTGRES|PG|DB_/i.test(name)) continue;
        const ms = statementTimeoutOf(v.value);
        if (ms !== undefined) sources.push({ at: { file: v.evidence.file, line: v.evidence.line }, ms });
      }
      for (const c of constructions(facts)) {
        if (c.pkg !== 'pg' || !c.call.isNew || isNonProductionFile(c.file)) continue;
        const fn = fnOf(facts.get(c.file)!, c.call.fn);
        const opts = evaluate(facts, c.file, c.args[0], fn);
        const t = evaluate(facts, c.file, objGet(opts, 'statement_timeout'), fn);
        if (typeof t === 'number' && t > 0) sources.push({ at: { file: c.file, line: c.line, endLine: c.endLine }, ms: t });
      }
      for (const src of sources) {
        if (src.ms <= budget.ms) continue;
        add({ at: src.at, cause: 'statement', ms: src.ms, detail: `statement_timeout ${secs(src.ms)}`, budget, target: 'the database' }, dbEps);
      }
    }

    for (const h of [...hits.values()].sort((a, b) => (a.at.file === b.at.file ? a.at.line - b.at.line : a.at.file < b.at.file ? -1 : 1))) {
      const eps = [...h.eps].sort();
      const locations = sortLocations([h.at, h.budget.evidence, ...h.sites]);
      const first = locations.indexOf(locations.find((l) => l.file === h.at.file && l.line === h.at.line)!);
      locations.unshift(...locations.splice(first, 1));
      const lost = h.cause === 'statement'
        ? 'the invocation is killed while the query keeps running on the database, holding its connection and locks'
        : h.cause === 'breaker'
          ? 'the invocation is killed before the breaker times out, so its fallback never answers'
          : `the invocation is killed while the call to ${h.target} is still in flight (it may still complete on ${h.target}'s side), and the error handling for its timeout never runs`;
      ctx.report({
        element: code.componentOf(h.at.file),
        locations,
        title: `${h.detail.replace(/^./, (c) => c.toUpperCase())} outlasts ${h.budget.what}`,
        impact: `For ${routesPhrase(eps)}, ${h.detail} is longer than ${h.budget.what}: when ${h.target} is slow, ${lost}; the client gets a 5xx from the platform instead of a handled error.`,
        recommendation: h.cause === 'statement'
          ? `Set statement_timeout below the budget (e.g. ${secs(Math.max(1000, h.budget.ms - 4000))}), so the query is cancelled and the handler can answer.`
          : h.cause === 'breaker'
            ? `Lower the breaker's timeout below ${h.budget.what} (e.g. \`timeout: ${Math.max(1000, h.budget.ms - 4000)}\`) so its fallback can answer in time.`
            : h.cause === 'retries'
              ? `Make timeout × attempts fit the budget: lower the timeout or the client's retries (e.g. \`timeout: ${Math.floor(Math.max(1000, h.budget.ms - 4000) / 2)}, maxRetries/maxNetworkRetries: 1\`).`
              : `Set an explicit client timeout below ${h.budget.what}, e.g. \`timeout: ${Math.max(1000, Math.min(10000, h.budget.ms - 4000))}\`${h.detail.includes('SDK default') ? ' in the client options' : ''}, and handle the timeout error.`,
        fingerprintKey: `${h.cause} ${h.target} ${h.budget.runtime}`,
      });
    }
  },
};
export default rule;
