import type { Rule } from '../types.js';
import { bestEvidence } from './shared-datastore.js';

const rule: Rule = {
  meta: {
    id: 'spof/single-runtime',
    title: 'One runtime serves every entrypoint',
    category: 'availability',
    polarity: 'risk',
    defaultSeverity: 'high',
    effort: 'M',
    priority: 'P1',
    docs: {
      what: 'All HTTP entrypoints run in one runtime that has a single replica, or in one serverless function that proxies every route (`ANY /{proxy+}`) and shares one concurrency and cold-start budget.',
      why: 'A poison request, a memory leak, a crash loop or a concurrency throttle in any one domain degrades every endpoint at once: there is no isolation between domains.',
      fix: 'Run at least two replicas behind the load balancer; for Lambda, set reserved/provisioned concurrency and split hot or risky domains (auth, billing webhooks) into their own functions.',
      falsePositiveGuard: 'Fires only when the infrastructure in the repository shows the runtime (serverless.yml, compose, Kubernetes) and shows one replica or a catch-all proxy function; runtimes inferred from package.json alone, with unknown replicas, never fire. Runtimes serving only workers or scheduled jobs do not count.',
      references: ['https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html', 'https://www.serverless.com/framework/docs/providers/aws/events/http-api'],
    },
  },
  check({ model, code }, ctx) {
    const http = model.nodes.filter((n) => n.kind === 'entrypoint' && (n.trigger === 'http' || n.trigger === 'websocket'));
    if (http.length < 2) return;
    const runtimes = new Set(http.map((n) => n.runtime));
    if (runtimes.size !== 1) return;
    const runtimeId = [...runtimes][0];
    const runtime = model.nodes.find((n) => n.id === runtimeId);
    if (!runtime) return;
    const infra = code?.infra.runtimes?.find((r) => `runtime:${r.name}` === runtime.id);
    if (!infra) return;
    const lambdaProxy = infra.tech === 'aws-lambda' && infra.proxiesHttp;
    // replicas the config leaves unknown (`replicas: ${REPLICAS}`) are not one: compose, Kubernetes and Helm already say 1 when nothing is set
    const single = runtime.redundancy?.replicas === 1;
    if (!lambdaProxy && !single) return;
    const ev = bestEvidence(runtime.evidence);
    const why = lambdaProxy ? `one function behind a catch-all route shares one concurrency and cold-start budget` : `it runs as a single replica`;
    ctx.report({
      element: runtime.id,
      locations: ev ? [{ file: ev.file, line: ev.line }] : [],
      title: `${runtime.name} serves all ${http.length} HTTP entrypoints; ${why}`,
      impact: `A crash, memory leak or throttle in any one route takes all ${http.length} entrypoints down together; no domain is isolated.`,
      recommendation: lambdaProxy
        ? `Set reserved or provisioned concurrency for ${runtime.name}, give risky routes (auth, webhooks) their own functions, and set per-route timeouts.`
        : `Run ${runtime.name} with at least two replicas behind the load balancer, and separate risky domains into their own deployable units.`,
      fingerprintKey: runtime.id,
    });
  },
};
export default rule;
