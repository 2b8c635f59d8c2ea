// A hand-built, portal-like model (in the spirit of seed 000): one web client, one Lambda
// runtime fronting a NestJS API, onboarding/auth/billing/health components, one PostgreSQL,
// Redis behind a BullMQ queue, and three external APIs.
import type { Finding, Model, ModelEdge, ModelNode, Scenario } from '../../src/model/types.js';

const ev = (file: string, line: number) => [{ file, line }];

function route(method: string, path: string, component: string, file: string, line: number): ModelNode {
  return {
    id: `entrypoint:${method} ${path}`,
    kind: 'entrypoint',
    name: `${method} ${path}`,
    route: { method, path },
    trigger: 'http',
    component: `component:${component}`,
    runtime: 'runtime:api',
    evidence: ev(file, line),
  };
}

export const ONBOARDING_ROUTES = [
  'entrypoint:GET /user/isUserHandleAvailable',
  'entrypoint:POST /user/save-profile-precis',
  'entrypoint:POST /user/save-qualification',
  'entrypoint:POST /user/setup-deployment-choice',
  'entrypoint:POST /user/setup-solo-handle',
];
export const HEALTH_ROUTE = 'entrypoint:GET /api/health';

export function portalModel(): Model {
  const oc = 'apps/server/src/onboarding/onboarding.controller.ts';
  const nodes: ModelNode[] = [
    { id: 'client:web', kind: 'client', name: 'web', tech: 'nextjs', evidence: ev('apps/web/src/lib/api.ts', 7) },
    { id: 'runtime:api', kind: 'runtime', name: 'api', tech: 'aws-lambda', redundancy: { replicas: 1 }, evidence: ev('apps/server/serverless.yml', 14) },
    { id: 'component:onboarding', kind: 'component', name: 'onboarding', evidence: ev('apps/server/src/onboarding/onboarding.module.ts', 1) },
    { id: 'component:sso-platform-auth', kind: 'component', name: 'sso-platform-auth', evidence: ev('apps/server/src/auth/auth.module.ts', 1) },
    { id: 'component:billing', kind: 'component', name: 'billing', evidence: ev('apps/server/src/billing/billing.module.ts', 1) },
    { id: 'component:health', kind: 'component', name: 'health', evidence: ev('apps/server/src/health/health.module.ts', 1) },
    { id: 'component:notifications', kind: 'component', name: 'notifications', evidence: ev('apps/server/src/email/email.module.ts', 1) },
    route('GET', '/api/health', 'health', 'apps/server/src/health/health.controller.ts', 9),
    route('GET', '/user/isUserHandleAvailable', 'onboarding', oc, 31),
    route('POST', '/user/save-profile-precis', 'onboarding', oc, 44),
    route('POST', '/user/setup-solo-handle', 'onboarding', oc, 58),
    route('POST', '/user/save-qualification', 'onboarding', oc, 77),
    route('POST', '/user/setup-deployment-choice', 'onboarding', oc, 96),
    route('GET', '/auth/callback', 'sso-platform-auth', 'apps/server/src/auth/auth.controller.ts', 22),
    route('GET', '/auth/session', 'sso-platform-auth', 'apps/server/src/auth/auth.controller.ts', 40),
    route('POST', '/billing/webhook', 'billing', 'apps/server/src/billing/billing.controller.ts', 18),
    route('GET', '/billing/plans', 'billing', 'apps/server/src/billing/billing.controller.ts', 35),
    {
      id: 'entrypoint:worker:emails', kind: 'entrypoint', name: 'worker:emails', trigger: 'worker',
      component: 'component:notifications', runtime: 'runtime:api', evidence: ev('apps/server/src/email/email.processor.ts', 12),
    },
    { id: 'datastore:postgres', kind: 'datastore', name: 'postgres', tech: 'postgresql', redundancy: { replicas: 1, multiAz: false, readReplica: false }, evidence: ev('apps/server/src/database/database.service.ts', 12) },
    { id: 'cache:redis', kind: 'cache', name: 'redis', tech: 'redis', evidence: ev('apps/server/src/queue/queue.module.ts', 8) },
    { id: 'queue:emails', kind: 'queue', name: 'emails', tech: 'bullmq', evidence: ev('apps/server/src/queue/queue.module.ts', 15) },
    { id: 'external:resend', kind: 'external', name: 'resend', tech: 'resend', evidence: ev('apps/server/src/email/email.service.ts', 5) },
    { id: 'external:idp-issuer', kind: 'external', name: 'idp-issuer', tech: 'oidc', evidence: ev('apps/server/src/auth/oidc.ts', 19) },
    { id: 'external:stripe', kind: 'external', name: 'stripe', tech: 'stripe', evidence: ev('apps/server/src/billing/stripe.ts', 3) },
  ];

  const edges: ModelEdge[] = [];
  const edge = (from: string, to: string, kind: ModelEdge['kind'], mode: ModelEdge['mode'], extra: Partial<ModelEdge> = {}, file = 'apps/server/src/app.module.ts', line = 1) =>
    edges.push({ from, to, kind, mode, guards: {}, evidence: ev(file, line), ...extra });

  for (const n of nodes) {
    if (n.kind !== 'entrypoint') continue;
    if (n.trigger === 'http') edge('client:web', n.id, 'calls', 'sync', {}, 'apps/web/src/lib/api.ts', 20);
    edge(n.id, n.component!, 'calls', 'sync', { entrypoints: [n.id] }, n.evidence[0]!.file, n.evidence[0]!.line);
    edge(n.id, 'runtime:api', 'runs_on', 'sync', {}, 'apps/server/serverless.yml', 14);
  }
  const onb = ONBOARDING_ROUTES;
  const os = 'apps/server/src/onboarding/onboarding.service.ts';
  edge('component:onboarding', 'datastore:postgres', 'reads', 'sync', { entrypoints: ['entrypoint:GET /user/isUserHandleAvailable'], readOnly: true }, os, 40);
  edge('component:onboarding', 'datastore:postgres', 'writes', 'sync', { entrypoints: onb.filter((e) => e.includes('POST')) }, os, 88);
  edge('component:onboarding', 'component:notifications', 'calls', 'fire_and_forget', { entrypoints: ['entrypoint:POST /user/setup-deployment-choice'], guards: { caught: true } }, os, 142);
  edge('component:notifications', 'external:resend', 'calls', 'sync', { entrypoints: ['entrypoint:POST /user/setup-deployment-choice', 'entrypoint:worker:emails'] }, 'apps/server/src/email/email.service.ts', 31);
  edge('component:sso-platform-auth', 'external:idp-issuer', 'calls', 'sync', { entrypoints: ['entrypoint:GET /auth/callback'] }, 'apps/server/src/auth/oidc.ts', 44);
  edge('component:sso-platform-auth', 'datastore:postgres', 'reads', 'sync', { entrypoints: ['entrypoint:GET /auth/callback', 'entrypoint:GET /auth/session'], readOnly: true, guards: { timeoutMs: 5000 } }, 'apps/server/src/auth/session.ts', 61);
  edge('component:billing', 'external:stripe', 'calls', 'sync', { entrypoints: ['entrypoint:GET /billing/plans'], guards: { timeoutMs: 10000, retries: 2, backoff: 'exponential', jitter: true } }, 'apps/server/src/billing/stripe.ts', 12);
  edge('component:billing', 'datastore:postgres', 'writes', 'sync', { entrypoints: ['entrypoint:POST /billing/webhook'], guards: { transaction: true } }, 'apps/server/src/billing/billing.service.ts', 70);
  edge('component:billing', 'queue:emails', 'enqueues', 'async', { entrypoints: ['entrypoint:POST /billing/webhook'] }, 'apps/server/src/billing/billing.service.ts', 81);
  edge('queue:emails', 'cache:redis', 'uses', 'sync', {}, 'apps/server/src/queue/queue.module.ts', 15);
  edge('entrypoint:worker:emails', 'queue:emails', 'consumes', 'async', { entrypoints: ['entrypoint:worker:emails'] }, 'apps/server/src/email/email.processor.ts', 12);

  const findings: Finding[] = [
    {
      id: 'f-spof-db', rule: 'spof/shared-datastore', severity: 'critical', polarity: 'risk', category: 'availability',
      title: 'One PostgreSQL instance behind onboarding, auth and billing', element: 'datastore:postgres',
      locations: [{ file: 'apps/server/src/database/database.service.ts', line: 12, snippet: 'this.pool = new Pool({ connectionString: process.env.DATABASE_URL });' }],
      impact: 'A database outage takes down auth, billing and onboarding at once.',
      recommendation: 'Run PostgreSQL multi-AZ with a read replica; route reads to the replica.', effort: 'M', priority: 'P0',
    },
    {
      id: 'f-single-runtime', rule: 'spof/single-runtime', severity: 'high', polarity: 'risk', category: 'availability',
      title: 'The whole API is one Lambda handler behind ANY /{proxy+}', element: 'runtime:api',
      locations: [{ file: 'apps/server/serverless.yml', line: 14, endLine: 20, snippet: 'functions:\n  api:\n    handler: dist/main.handler\n    events:\n      - httpApi: "ANY /{proxy+}"' }],
      impact: 'Every domain shares one function\'s concurrency and cold-start budget.',
      recommendation: 'Set reserved concurrency; split auth and billing webhooks into their own functions.', effort: 'M', priority: 'P1',
    },
    {
      id: 'f-no-breaker', rule: 'dep/no-circuit-breaker', severity: 'high', polarity: 'risk', category: 'availability',
      title: 'Auth calls the IdP synchronously with no breaker', element: 'component:sso-platform-auth',
      locations: [{ file: 'apps/server/src/auth/oidc.ts', line: 44, snippet: 'const res = await fetch(`${issuer}/token`, { method: "POST", body });' }],
      impact: 'An IdP outage blocks every new login.', recommendation: 'Add a timeout and a circuit breaker on IdP calls.', effort: 'S', priority: 'P1',
    },
    {
      id: 'f-tx', rule: 'tx/non-atomic-writes', severity: 'high', polarity: 'risk', category: 'data-integrity',
      title: 'setupSoloHandle writes organisation and membership outside a transaction', element: 'component:onboarding',
      locations: [{ file: 'apps/server/src/onboarding/onboarding.service.ts', line: 88, endLine: 96, snippet: 'await this.organisationRepository.create(org);\nawait this.organisationUserRepository.create(member);' }],
      impact: 'A failure on the second write leaves an organisation without a user.',
      recommendation: 'Wrap both writes in DatabaseService.runEffect().', effort: 'S', priority: 'P1',
    },
    {
      id: 'f-timeout', rule: 'http/no-timeout', severity: 'medium', polarity: 'risk', category: 'performance',
      title: 'Resend client has no request timeout', element: 'component:notifications',
      locations: [{ file: 'apps/server/src/email/email.service.ts', line: 31, snippet: 'await this.resend.emails.send({ from, to, subject, html });' }],
      impact: 'A slow Resend holds a worker slot.', recommendation: 'Pass a timeout to the Resend client.', effort: 'S', priority: 'P2',
    },
    {
      id: 'f-contained', rule: 'strength/contained-side-effect', severity: 'info', polarity: 'strength', category: 'availability',
      title: 'The onboarding-complete email is fire-and-forget with a catch', element: 'component:onboarding',
      locations: [{ file: 'apps/server/src/onboarding/onboarding.service.ts', line: 142, snippet: 'this.sendOnboardingNotification(user).catch((e) => this.logger.warn(e));' }],
      impact: 'Email delivery failure never blocks onboarding.', recommendation: 'Consider a retry queue so dropped notifications are not silent.', effort: 'S', priority: 'P2',
    },
    {
      id: 'f-pure', rule: 'strength/pure-core', severity: 'info', polarity: 'strength', category: 'data-integrity',
      title: 'computeQualificationScore is pure', element: 'component:onboarding',
      locations: [{ file: 'apps/server/src/onboarding/qualification.ts', line: 5, snippet: 'export function computeQualificationScore(a: Answers): Score {' }],
      impact: 'Trivially unit-testable and safe to re-run.', recommendation: 'Keep it free of I/O.', effort: 'S', priority: 'P2',
    },
    {
      id: 'f-shallow-health', rule: 'health/shallow-check', severity: 'low', polarity: 'opportunity', category: 'observability',
      title: 'GET /api/health does not check its dependencies', element: 'entrypoint:GET /api/health',
      locations: [{ file: 'apps/server/src/health/health.controller.ts', line: 9, snippet: '@Get("health") ok() { return { ok: true }; }' }],
      impact: 'The load balancer keeps routing to an instance whose database is gone.', recommendation: 'Add a readiness route that pings PostgreSQL and Redis.', effort: 'S', priority: 'P2',
    },
    {
      id: 'f-queue-retention', rule: 'queue/unbounded-retention', severity: 'low', polarity: 'observation', category: 'scalability',
      title: 'BullMQ keeps completed jobs forever', element: 'queue:emails',
      locations: [{ file: 'apps/server/src/queue/queue.module.ts', line: 15, snippet: 'BullModule.registerQueue({ name: "emails" })' }],
      impact: 'Redis memory grows without bound.', recommendation: 'Set removeOnComplete and removeOnFail.', effort: 'S', priority: 'P2',
    },
  ];

  const scenarios: Scenario[] = [
    {
      failed: 'datastore:postgres', mode: 'outage',
      rings: [['datastore:postgres'], ['component:billing', 'component:onboarding', 'component:sso-platform-auth'], [...onb, 'entrypoint:GET /auth/callback', 'entrypoint:GET /auth/session', 'entrypoint:POST /billing/webhook'].sort()],
      entrypoints: {
        down: [...onb, 'entrypoint:GET /auth/callback', 'entrypoint:GET /auth/session', 'entrypoint:POST /billing/webhook'].sort(),
        degraded: [], delayed: [],
        ok: ['entrypoint:GET /api/health', 'entrypoint:GET /billing/plans', 'entrypoint:worker:emails'],
      },
      paths: [
        ['client:web', 'entrypoint:POST /user/setup-solo-handle', 'component:onboarding', 'datastore:postgres'],
        ['client:web', 'entrypoint:GET /auth/session', 'component:sso-platform-auth', 'datastore:postgres'],
      ],
      stoppedBy: [],
    },
    {
      failed: 'external:idp-issuer', mode: 'outage',
      rings: [['external:idp-issuer'], ['component:sso-platform-auth'], ['entrypoint:GET /auth/callback']],
      entrypoints: { down: ['entrypoint:GET /auth/callback'], degraded: [], delayed: [], ok: [] },
      paths: [['client:web', 'entrypoint:GET /auth/callback', 'component:sso-platform-auth', 'external:idp-issuer']],
      stoppedBy: [],
    },
  ];

  nodes.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    schemaVersion: 1,
    tool: { name: 'faultline', version: '0.1.0' },
    root: '.',
    nodes, edges, findings, scenarios,
    diagnostics: [],
  };
}

export const XSS = {
  script: '<script>alert(1)</script>',
  img: '"><img src=x onerror=alert(1)>',
  js: 'javascript:alert(1)',
};

/** The same model with repository strings replaced by hostile ones everywhere they can appear. */
export function hostileModel(): Model {
  const m = portalModel();
  const { script, img, js } = XSS;
  m.root = `${img}${script}`;
  m.nodes.push(
    {
      id: `entrypoint:GET /x/${img}`, kind: 'entrypoint', name: `GET /x/${img}`, route: { method: 'GET', path: `/x/${img}` },
      trigger: 'http', component: `component:${script}`, runtime: 'runtime:api', evidence: [{ file: `${script}.ts`, line: 1 }],
    },
    { id: `component:${script}`, kind: 'component', name: script, evidence: [{ file: `src/${img}/x.ts`, line: 2 }] },
    { id: `external:${js}`, kind: 'external', name: js, tech: img, evidence: [{ file: js, line: 3 }] },
    { id: `datastore:${img}`, kind: 'datastore', name: img, tech: script, evidence: [{ file: `</script><script>alert(1)</script>`, line: 4 }] },
  );
  m.edges.push(
    { from: 'client:web', to: `entrypoint:GET /x/${img}`, kind: 'calls', mode: 'sync', guards: {}, evidence: [{ file: js, line: 1 }] },
    { from: `entrypoint:GET /x/${img}`, to: `component:${script}`, kind: 'calls', mode: 'sync', guards: {}, evidence: [{ file: js, line: 1 }], entrypoints: [`entrypoint:GET /x/${img}`] },
    { from: `component:${script}`, to: `external:${js}`, kind: 'calls', mode: 'sync', guards: {}, evidence: [{ file: js, line: 1 }] },
    { from: `component:${script}`, to: `datastore:${img}`, kind: 'writes', mode: 'sync', guards: {}, evidence: [{ file: js, line: 1 }] },
  );
  m.findings.push({
    id: `f-${script}`, rule: `rule/${script}`, severity: 'critical', polarity: 'risk', category: 'security',
    title: `${script}${img}`, element: `component:${script}`,
    locations: [{ file: `${js}${script}`, line: 6, snippet: `</script><script>alert(1)</script>${img}<a href="${js}">x</a>` }],
    impact: `<b onmouseover=alert(1)>${img}`, recommendation: `<iframe src="${js}"></iframe>`, effort: 'S', priority: 'P0',
  });
  m.scenarios.push({
    failed: `datastore:${img}`, mode: 'outage', rings: [[`datastore:${img}`], [`component:${script}`]],
    entrypoints: { down: [`entrypoint:GET /x/${img}`], degraded: [], delayed: [], ok: [] },
    paths: [['client:web', `entrypoint:GET /x/${img}`, `component:${script}`, `datastore:${img}`]],
    stoppedBy: [{ from: `component:${script}`, to: `external:${js}`, guard: script }],
  });
  m.diagnostics.push({ file: `${script}.ts`, message: `parse error: ${img}` });
  m.nodes.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return m;
}
