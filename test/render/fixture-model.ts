// A small, realistic model written by hand: a NestJS-style portal on one Lambda, with
// PostgreSQL, Resend (email) and an IdP; a handful of routes; outage and slowdown
// scenarios; findings of every severity and polarity, strengths, a suppressed finding;
// and hostile strings where the scanned repository controls the text.

import type { Finding, Model, ModelEdge, ModelNode, Scenario } from '../../src/model/types.js';
import type { RuleMeta } from '../../src/rules/types.js';

/** Strings a malicious or unlucky repository can put in the model. */
export const HOSTILE = {
  script: '<script>alert(1)</script>',
  img: '"><img src=x onerror=alert(1)>',
  routePath: '/search/<script>alert(1)</script>',
  file: 'src/legacy/"><img src=x onerror=alert(1)>.ts',
  component: 'weird|pipe `tick`',
  title: 'Query built with `${id}` | concatenated into <b>SQL</b>',
  snippet: 'const q = `SELECT * FROM t WHERE id = ${id}`;\n```\n<script>alert(1)</script>',
} as const;

const ep = (method: string, path: string, component: string, line: number, file: string): ModelNode => ({
  id: `entrypoint:${method} ${path}`,
  kind: 'entrypoint',
  name: `${method} ${path}`,
  route: { method, path },
  trigger: 'http',
  component,
  runtime: 'runtime:api',
  evidence: [{ file, line }],
});

const EP = {
  health: 'entrypoint:GET /health',
  saveQual: 'entrypoint:POST /user/save-qualification',
  setupDeploy: 'entrypoint:POST /user/setup-deployment-choice',
  dashboard: 'entrypoint:GET /dashboard',
  login: 'entrypoint:POST /auth/login',
  search: `entrypoint:GET ${HOSTILE.routePath}`,
  worker: 'entrypoint:worker:reports',
};

const nodes: ModelNode[] = [
  { id: 'client:web', kind: 'client', name: 'web', evidence: [{ file: 'apps/web/src/api.ts', line: 3 }] },
  ep('GET', '/health', 'component:health', 7, 'apps/server/src/health/health.controller.ts'),
  ep('POST', '/user/save-qualification', 'component:onboarding', 40, 'apps/server/src/onboarding/onboarding.controller.ts'),
  ep('POST', '/user/setup-deployment-choice', 'component:onboarding', 52, 'apps/server/src/onboarding/onboarding.controller.ts'),
  ep('GET', '/dashboard', 'component:portal', 15, 'apps/server/src/portal/portal.controller.ts'),
  ep('POST', '/auth/login', 'component:auth', 22, 'apps/server/src/auth/auth.controller.ts'),
  ep('GET', HOSTILE.routePath, `component:${HOSTILE.component}`, 9, HOSTILE.file),
  {
    id: EP.worker, kind: 'entrypoint', name: 'worker:reports', trigger: 'worker', component: 'component:portal',
    runtime: 'runtime:worker', evidence: [{ file: 'apps/server/src/portal/reports.worker.ts', line: 5 }],
  },
  { id: 'component:health', kind: 'component', name: 'health', evidence: [{ file: 'apps/server/src/health/health.module.ts', line: 1 }] },
  { id: 'component:onboarding', kind: 'component', name: 'onboarding', evidence: [{ file: 'apps/server/src/onboarding/onboarding.module.ts', line: 1 }] },
  { id: 'component:portal', kind: 'component', name: 'portal', evidence: [{ file: 'apps/server/src/portal/portal.module.ts', line: 1 }] },
  { id: 'component:auth', kind: 'component', name: 'auth', evidence: [{ file: 'apps/server/src/auth/auth.module.ts', line: 1 }] },
  { id: `component:${HOSTILE.component}`, kind: 'component', name: HOSTILE.component, evidence: [{ file: HOSTILE.file, line: 1 }] },
  {
    id: 'runtime:api', kind: 'runtime', name: 'api', tech: 'aws-lambda', redundancy: { replicas: 1 },
    evidence: [{ file: 'apps/server/serverless.yml', line: 12 }],
  },
  {
    id: 'runtime:worker', kind: 'runtime', name: 'worker', tech: 'docker-compose', redundancy: { replicas: 2 },
    evidence: [{ file: 'docker-compose.yml', line: 30 }],
  },
  {
    id: 'datastore:postgres', kind: 'datastore', name: 'postgres', tech: 'postgresql',
    redundancy: { replicas: 1, multiAz: false, readReplica: false }, evidence: [{ file: 'apps/server/src/db/database.service.ts', line: 12 }],
  },
  { id: 'external:resend', kind: 'external', name: 'resend', tech: 'resend', evidence: [{ file: 'apps/server/src/email/email.service.ts', line: 8 }] },
  { id: 'external:idp-issuer', kind: 'external', name: 'idp-issuer', tech: 'oidc', evidence: [{ file: 'apps/server/src/auth/idp.client.ts', line: 4 }] },
  { id: 'queue:reports', kind: 'queue', name: 'reports', tech: 'bullmq', evidence: [{ file: 'apps/server/src/portal/reports.queue.ts', line: 3 }] },
  { id: 'cache:redis', kind: 'cache', name: 'redis', tech: 'redis', evidence: [{ file: 'docker-compose.yml', line: 20 }] },
];

const sync = (from: string, to: string, kind: ModelEdge['kind'], file: string, line: number, extra: Partial<ModelEdge> = {}): ModelEdge => ({
  from, to, kind, mode: 'sync', guards: {}, evidence: [{ file, line }], ...extra,
});

const http = [EP.health, EP.saveQual, EP.setupDeploy, EP.dashboard, EP.login, EP.search];
const edges: ModelEdge[] = [
  ...http.map((e) => sync('client:web', e, 'calls', 'apps/web/src/api.ts', 10)),
  ...[...http, EP.worker].map((e) => {
    const n = nodes.find((x) => x.id === e)!;
    return sync(e, n.component!, 'calls', n.evidence[0].file, n.evidence[0].line);
  }),
  ...http.map((e) => sync(e, 'runtime:api', 'runs_on', 'apps/server/serverless.yml', 14)),
  sync(EP.worker, 'runtime:worker', 'runs_on', 'docker-compose.yml', 31),
  sync(EP.worker, 'queue:reports', 'consumes', 'apps/server/src/portal/reports.worker.ts', 5, { mode: 'async' }),
  sync('component:onboarding', 'datastore:postgres', 'writes', 'apps/server/src/onboarding/onboarding.service.ts', 88,
    { entrypoints: [EP.saveQual, EP.setupDeploy], guards: { retries: 3, backoff: 'exponential', jitter: true } }),
  sync('component:onboarding', 'external:resend', 'calls', 'apps/server/src/onboarding/onboarding.service.ts', 131,
    { mode: 'fire_and_forget', entrypoints: [EP.setupDeploy], guards: { caught: true } }),
  sync('component:onboarding', 'component:auth', 'calls', 'apps/server/src/onboarding/onboarding.service.ts', 30,
    { entrypoints: [EP.saveQual, EP.setupDeploy] }),
  sync('component:portal', 'datastore:postgres', 'reads', 'apps/server/src/portal/portal.service.ts', 21,
    { readOnly: true, guards: { timeoutMs: 5000 } }),
  sync('component:portal', 'component:auth', 'calls', 'apps/server/src/portal/portal.service.ts', 12, { entrypoints: [EP.dashboard] }),
  sync('component:portal', 'queue:reports', 'enqueues', 'apps/server/src/portal/portal.service.ts', 44, { mode: 'async', entrypoints: [EP.dashboard] }),
  sync('component:portal', 'cache:redis', 'uses', 'apps/server/src/portal/portal.service.ts', 18,
    { entrypoints: [EP.dashboard], guards: { fallback: true, timeoutMs: 200 } }),
  sync('queue:reports', 'cache:redis', 'uses', 'apps/server/src/portal/reports.queue.ts', 3),
  sync('component:auth', 'external:idp-issuer', 'calls', 'apps/server/src/auth/idp.client.ts', 20),
  sync('component:auth', 'datastore:postgres', 'reads', 'apps/server/src/auth/session.repository.ts', 14, { readOnly: true }),
  sync(`component:${HOSTILE.component}`, 'datastore:postgres', 'reads', HOSTILE.file, 33),
];

const pgOutage: Scenario = {
  failed: 'datastore:postgres',
  mode: 'outage',
  rings: [
    ['datastore:postgres'],
    ['component:auth', 'component:onboarding', 'component:portal', `component:${HOSTILE.component}`],
    [EP.dashboard, EP.login, EP.saveQual, EP.search, EP.setupDeploy, EP.worker],
  ],
  entrypoints: { down: [EP.dashboard, EP.login, EP.saveQual, EP.search, EP.setupDeploy], degraded: [], delayed: [EP.worker], ok: [EP.health] },
  paths: [
    ['client:web', EP.saveQual, 'component:onboarding', 'datastore:postgres'],
    ['client:web', EP.dashboard, 'component:portal', 'datastore:postgres'],
    ['client:web', EP.login, 'component:auth', 'datastore:postgres'],
    ['client:web', EP.search, `component:${HOSTILE.component}`, 'datastore:postgres'],
    ['client:web', EP.setupDeploy, 'component:onboarding', 'datastore:postgres'],
    ['client:web', EP.dashboard, 'component:portal', 'component:auth', 'datastore:postgres'],
  ],
  stoppedBy: [],
  why: {
    [EP.health]: { state: 'ok', path: [EP.health, 'component:health'], reason: 'does not reach postgres' },
  },
};

const pgSlowdown: Scenario = {
  failed: 'datastore:postgres',
  mode: 'slowdown',
  rings: [
    ['datastore:postgres'],
    ['component:auth', 'component:onboarding', `component:${HOSTILE.component}`],
    ['runtime:api'],
    [EP.dashboard, EP.health, EP.login, EP.saveQual, EP.search, EP.setupDeploy],
  ],
  entrypoints: { down: [EP.dashboard, EP.health, EP.login, EP.saveQual, EP.search, EP.setupDeploy], degraded: [], delayed: [], ok: [EP.worker] },
  paths: [['client:web', EP.health, 'runtime:api', 'datastore:postgres']],
  stoppedBy: [{ from: 'component:portal', to: 'datastore:postgres', guard: 'timeout', evidence: [{ file: 'apps/server/src/portal/portal.service.ts', line: 21 }] }],
};

const resendOutage: Scenario = {
  failed: 'external:resend',
  mode: 'outage',
  rings: [['external:resend']],
  entrypoints: { down: [], degraded: [], delayed: [], ok: [EP.dashboard, EP.health, EP.login, EP.saveQual, EP.search, EP.setupDeploy, EP.worker] },
  paths: [['client:web', EP.setupDeploy, 'component:onboarding', 'external:resend']],
  stoppedBy: [{
    from: 'component:onboarding', to: 'external:resend', guard: 'caught',
    evidence: [{ file: 'apps/server/src/onboarding/onboarding.service.ts', line: 131 }],
  }],
  lostSideEffects: [{
    from: 'component:onboarding', to: 'external:resend', entrypoints: [EP.setupDeploy],
    evidence: [{ file: 'apps/server/src/onboarding/onboarding.service.ts', line: 131 }],
  }],
};

const idpOutage: Scenario = {
  failed: 'external:idp-issuer',
  mode: 'outage',
  rings: [
    ['external:idp-issuer'],
    ['component:auth'],
    ['component:onboarding', 'component:portal', EP.login],
    [EP.dashboard, EP.saveQual, EP.setupDeploy],
  ],
  entrypoints: { down: [EP.dashboard, EP.login, EP.saveQual, EP.setupDeploy], degraded: [], delayed: [], ok: [EP.health, EP.search, EP.worker] },
  paths: [
    ['client:web', EP.login, 'component:auth', 'external:idp-issuer'],
    ['client:web', EP.dashboard, 'component:portal', 'component:auth', 'external:idp-issuer'],
  ],
  stoppedBy: [],
};

const redisOutage: Scenario = {
  failed: 'cache:redis',
  mode: 'outage',
  rings: [['cache:redis'], ['queue:reports', 'component:portal'], [EP.dashboard, EP.worker]],
  entrypoints: { down: [], degraded: [EP.dashboard], delayed: [EP.worker], ok: [EP.health, EP.login, EP.saveQual, EP.search, EP.setupDeploy] },
  paths: [['client:web', EP.dashboard, 'component:portal', 'cache:redis']],
  stoppedBy: [{ from: 'component:portal', to: 'cache:redis', guard: 'fallback', evidence: [{ file: 'apps/server/src/portal/portal.service.ts', line: 18 }] }],
};

const loc = (file: string, line: number, endLine?: number, snippet?: string) => ({ file, line, ...(endLine ? { endLine } : {}), ...(snippet ? { snippet } : {}) });

const findings: Finding[] = [
  {
    id: 'fl1-spof-shared-datastore-postgres', rule: 'spof/shared-datastore', severity: 'critical', polarity: 'risk', category: 'availability',
    title: 'One PostgreSQL instance without a replica serves 5 of 6 components', element: 'datastore:postgres',
    locations: [loc('apps/server/src/db/database.service.ts', 12)],
    impact: 'A database outage takes down 5 of 7 entrypoints at once: auth, dashboard, onboarding.',
    recommendation: 'Run PostgreSQL with a multi-AZ standby and a read replica; define and test RTO/RPO.',
    effort: 'M', priority: 'P0',
  },
  {
    id: 'fl1-spof-single-runtime-api', rule: 'spof/single-runtime', severity: 'high', polarity: 'risk', category: 'availability',
    title: 'One Lambda handler behind ANY /{proxy+} serves every route', element: 'runtime:api',
    locations: [loc('apps/server/serverless.yml', 12, 18)],
    impact: 'A poison request or a concurrency throttle in one domain degrades every endpoint.',
    recommendation: 'Set reserved concurrency; split auth and webhooks into their own functions.',
    effort: 'M', priority: 'P1',
  },
  {
    id: 'fl1-dep-no-circuit-breaker-idp', rule: 'dep/no-circuit-breaker', severity: 'high', polarity: 'risk', category: 'availability',
    title: 'The IdP is called on every authenticated request with no circuit breaker', element: 'component:auth',
    locations: [loc('apps/server/src/auth/idp.client.ts', 20, 24, 'return await this.http.post(issuer + "/token", body);')],
    impact: 'An IdP outage blocks every login and every authenticated route.',
    recommendation: 'Wrap IdP calls in a circuit breaker with a timeout and a degraded-mode message.',
    effort: 'S', priority: 'P1',
  },
  {
    id: 'fl1-tx-non-atomic-onboarding', rule: 'tx/non-atomic-writes', severity: 'high', polarity: 'risk', category: 'data-integrity',
    title: 'setupDeploymentChoice performs three writes outside a transaction', element: 'component:onboarding',
    locations: [loc('apps/server/src/onboarding/onboarding.service.ts', 80, 95,
      'await this.subscriptions.create(s);\nawait this.deployments.create(d);\nawait this.profiles.update(p);')],
    impact: 'A failure after the first write leaves a subscription without a deployment.',
    recommendation: 'Wrap the three writes in one transaction.',
    effort: 'S', priority: 'P1',
  },
  {
    id: 'fl1-sql-string-built-legacy', rule: 'sql/string-built', severity: 'critical', polarity: 'risk', category: 'security',
    title: HOSTILE.title, element: `component:${HOSTILE.component}`,
    locations: [loc(HOSTILE.file, 33, 35, HOSTILE.snippet)],
    impact: `Request input ${HOSTILE.script} reaches $queryRawUnsafe | * _emph_ [link](javascript:x)`,
    recommendation: 'Use a tagged-template $queryRaw with bind parameters.',
    effort: 'S', priority: 'P0',
  },
  {
    id: 'fl1-http-no-timeout-resend', rule: 'http/no-timeout', severity: 'medium', polarity: 'risk', category: 'availability',
    title: 'Resend is called without a timeout', element: 'component:onboarding',
    locations: [loc('apps/server/src/onboarding/onboarding.service.ts', 131)],
    impact: 'A hanging Resend call holds a Lambda slot until the function times out.',
    recommendation: 'Pass an AbortSignal.timeout(5000) to the Resend client.',
    effort: 'S', priority: 'P2',
  },
  {
    id: 'fl1-db-no-replica-postgres', rule: 'db/no-replica', severity: 'medium', polarity: 'opportunity', category: 'availability',
    title: 'Add a read replica for the dashboard reads', element: 'datastore:postgres',
    locations: [loc('infra/main.tf', 40)],
    impact: 'Dashboard reads could survive a primary failure.',
    recommendation: 'Add a read replica and route read-only queries to it.',
    effort: 'M', priority: 'P2',
  },
  {
    id: 'fl1-health-shallow', rule: 'health/shallow-check', severity: 'low', polarity: 'risk', category: 'observability',
    title: 'GET /health reports ok without checking PostgreSQL', element: EP.health,
    locations: [loc('apps/server/src/health/health.controller.ts', 7)],
    impact: 'The load balancer keeps routing to an instance that cannot reach the database.',
    recommendation: 'Add a readiness route that checks PostgreSQL and the IdP.',
    effort: 'S', priority: 'P2',
  },
  {
    id: 'fl1-error-swallowed-metrics', rule: 'error/swallowed', severity: 'low', polarity: 'risk', category: 'observability',
    title: 'A catch in the metrics flush neither rethrows nor logs', element: 'component:portal',
    locations: [loc('apps/server/src/portal/metrics.ts', 50)],
    impact: 'Lost metrics go unnoticed.', recommendation: 'Log the error.', effort: 'S', priority: 'P2',
    suppressed: { reason: 'best-effort metrics, by design', file: 'apps/server/src/portal/metrics.ts', line: 49 },
  },
  {
    id: 'fl1-strength-contained-resend', rule: 'strength/contained-side-effect', severity: 'info', polarity: 'strength', category: 'availability',
    title: 'The onboarding-complete email is fire-and-forget with a catch', element: 'component:onboarding',
    locations: [loc('apps/server/src/onboarding/onboarding.service.ts', 131, 134)],
    impact: 'A Resend outage never fails onboarding; the email is lost, logged.',
    recommendation: 'Keep it; add a retry queue if the email matters.', effort: 'S', priority: 'P2',
  },
  {
    id: 'fl1-strength-pure-core-score', rule: 'strength/pure-core', severity: 'info', polarity: 'strength', category: 'data-integrity',
    title: 'computeQualificationScore is pure', element: 'component:onboarding',
    locations: [loc('apps/server/src/onboarding/qualification.ts', 10, 42)],
    impact: 'Side-effect-free scoring is trivially testable and safe to re-run.',
    recommendation: 'Keep it pure.', effort: 'S', priority: 'P2',
  },
  {
    id: 'fl1-strength-retry-onboarding', rule: 'strength/retry-backoff', severity: 'info', polarity: 'strength', category: 'availability',
    title: 'Writes retry 3 times with exponential backoff and jitter', element: 'component:onboarding',
    locations: [loc('apps/server/src/onboarding/onboarding.service.ts', 88)],
    impact: 'Transient connection errors are absorbed.', recommendation: 'Keep it.', effort: 'S', priority: 'P2',
  },
  {
    id: 'fl1-observation-client-steps', rule: 'flow/client-ordered-steps', severity: 'info', polarity: 'observation', category: 'data-integrity',
    title: 'Onboarding step order is enforced only by the front end', element: 'component:onboarding',
    locations: [],
    impact: 'The backend accepts any step in any order.', recommendation: 'Track step completion explicitly.', effort: 'M', priority: 'P2',
  },
];

export function fixtureModel(): Model {
  return {
    schemaVersion: 1,
    tool: { name: 'faultline', version: '0.1.0' },
    root: '.',
    nodes: structuredClone(nodes),
    edges: structuredClone(edges),
    findings: structuredClone(findings),
    scenarios: structuredClone([pgOutage, pgSlowdown, resendOutage, idpOutage, redisOutage]),
    diagnostics: [
      { file: 'apps/server/src/broken.ts', message: 'parse error: unexpected token', code: 'parse' },
      { file: 'assets/logo.png', message: 'skipped: binary', code: 'skipped-binary' },
      { file: HOSTILE.file, message: `parse error near ${HOSTILE.script}`, code: 'parse' },
    ],
    unresolved: [{ file: 'apps/server/src/portal/portal.service.ts', line: 70, what: 'this.plugins[name]()' }],
    stats: { files: 120, parsed: 117, skipped: 3 },
  };
}

const docs = (what: string): RuleMeta['docs'] => ({
  what,
  why: 'It fails in production under load.',
  fix: 'Apply the fix:\n\n```ts\nawait db.$transaction(async (tx) => { /* ... */ });\n```',
  falsePositiveGuard: 'Does not fire on test files.',
  references: ['https://sre.google/sre-book/addressing-cascading-failures/'],
});

const meta = (id: string, title: string, category: RuleMeta['category'], polarity: RuleMeta['polarity'],
  defaultSeverity: RuleMeta['defaultSeverity'], effort: RuleMeta['effort'] = 'M', priority: RuleMeta['priority'] = 'P1'): RuleMeta =>
  ({ id, title, category, polarity, defaultSeverity, effort, priority, docs: docs(`${title}.`) });

/** A catalogue excerpt: the rules the fixture uses (but not flow/client-ordered-steps) and one that never fires. */
export function fixtureRules(): RuleMeta[] {
  return [
    meta('tx/non-atomic-writes', 'Two or more writes outside a transaction', 'data-integrity', 'risk', 'high'),
    meta('spof/shared-datastore', 'Shared datastore without replica', 'availability', 'risk', 'critical', 'M', 'P0'),
    meta('spof/single-runtime', 'One runtime serves every entrypoint', 'availability', 'risk', 'high'),
    meta('dep/no-circuit-breaker', 'Sync dependency without a circuit breaker', 'availability', 'risk', 'high', 'S'),
    meta('sql/string-built', 'SQL built by string interpolation', 'security', 'risk', 'high', 'S', 'P0'),
    meta('http/no-timeout', 'Outbound call without a timeout', 'availability', 'risk', 'medium', 'S', 'P2'),
    meta('db/no-replica', 'Datastore without replica or standby', 'availability', 'opportunity', 'medium', 'M', 'P2'),
    meta('health/shallow-check', 'Health check does not check dependencies', 'observability', 'risk', 'low', 'S', 'P2'),
    meta('error/swallowed', 'Swallowed error', 'observability', 'risk', 'low', 'S', 'P2'),
    meta('strength/contained-side-effect', 'Fire-and-forget with a catch', 'availability', 'strength', 'info', 'S', 'P2'),
    meta('strength/pure-core', 'Pure domain function', 'data-integrity', 'strength', 'info', 'S', 'P2'),
    meta('strength/retry-backoff', 'Retry with backoff and jitter', 'availability', 'strength', 'info', 'S', 'P2'),
    meta('retry/unbounded', 'Retry without a maximum', 'availability', 'risk', 'high'),
  ];
}
