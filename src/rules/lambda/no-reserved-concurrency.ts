import type { Rule } from '../types.js';

const rule: Rule = {
  meta: {
    id: 'lambda/no-reserved-concurrency',
    title: 'A Lambda serving requests without reserved or provisioned concurrency',
    category: 'scalability',
    polarity: 'risk',
    defaultSeverity: 'medium',
    effort: 'S',
    priority: 'P1',
    docs: {
      what: 'A serverless function that serves HTTP entrypoints has neither `reservedConcurrency` nor `provisionedConcurrency`.',
      why: 'Without reserved concurrency the function competes with every other function in the account for the regional limit (1,000 by default), and a burst scales it without bound: each concurrent instance opens its own database pool, so a traffic spike becomes a connection storm. Without provisioned concurrency every scale-out pays a cold start.',
      fix: 'In serverless.yml: `functions: { api: { handler: ..., reservedConcurrency: 50, provisionedConcurrency: 5 } }`; size the reservation so that reserved × pool size fits the database budget.',
      falsePositiveGuard: 'Only functions read from serverless.yml that serve at least one HTTP entrypoint in the model; functions with either setting never fire.',
      references: ['https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html', 'https://www.serverless.com/framework/docs/providers/aws/guide/functions#reserved-concurrency'],
    },
  },
  check({ model, code }, ctx) {
    for (const r of code?.infra.runtimes ?? []) {
      if (r.tech !== 'aws-lambda' || r.reservedConcurrency !== undefined || r.provisionedConcurrency !== undefined) continue;
      const eps = model.nodes.filter((n) => n.kind === 'entrypoint' && n.runtime === `runtime:${r.name}` && (n.trigger === 'http' || n.trigger === 'websocket'));
      if (!eps.length) continue;
      const ev = r.evidence[0];
      ctx.report({
        element: `runtime:${r.name}`,
        locations: ev ? [{ file: ev.file, line: ev.line }] : [],
        title: `Lambda ${r.name} serves ${eps.length} entrypoints with no reserved or provisioned concurrency`,
        impact: `A burst scales ${r.name} without bound: every concurrent instance opens its own database connections, and the function competes with the rest of the account for the regional concurrency limit; scale-outs pay cold starts.`,
        recommendation: `Set reservedConcurrency on ${r.name} (sized so that reserved × pool size fits max_connections) and provisionedConcurrency for latency-sensitive routes.`,
        fingerprintKey: `runtime:${r.name}`,
      });
    }
  },
};
export default rule;
