import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EdgeKind, EdgeMode, Guards, Model, ModelEdge, ModelNode, Scenario } from '../../model/types.js';
import {
  applyWhatIf,
  compareScenarios,
  matchNode,
  MitigationSchema,
  rankSpofs,
  simulate,
  simulateAll,
} from './index.js';
import { renderBlast } from '../../render/blast.js';

// ---- tiny model builders ----

let line = 1;
function node(id: string, extra: Partial<ModelNode> = {}): ModelNode {
  const kind = id.slice(0, id.indexOf(':')) as ModelNode['kind'];
  return { id, kind, name: id.slice(id.indexOf(':') + 1), evidence: [{ file: 'src/nodes.ts', line: line++ }], ...extra };
}
function ep(name: string, runtime = 'runtime:api', extra: Partial<ModelNode> = {}): ModelNode {
  return node(`entrypoint:${name}`, { runtime, ...extra });
}
interface EdgeOpts {
  mode?: EdgeMode;
  guards?: Guards;
  eps?: string[];
  order?: number;
  readOnly?: boolean;
  file?: string;
}
function edge(from: string, to: string, kind: EdgeKind, o: EdgeOpts = {}): ModelEdge {
  const e: ModelEdge = {
    from,
    to,
    kind,
    mode: o.mode ?? (kind === 'enqueues' ? 'async' : 'sync'),
    guards: o.guards ?? {},
    evidence: [{ file: o.file ?? 'src/edges.ts', line: line++ }],
  };
  if (o.eps) e.entrypoints = o.eps.map((x) => `entrypoint:${x}`);
  if (o.order !== undefined) e.order = o.order;
  if (o.readOnly !== undefined) e.readOnly = o.readOnly;
  return e;
}
function model(nodes: ModelNode[], edges: ModelEdge[]): Model {
  // runs_on edges for every entrypoint with a runtime
  const runsOn = nodes
    .filter((n) => n.kind === 'entrypoint' && n.runtime)
    .map((n) => edge(n.id, n.runtime!, 'runs_on'));
  return {
    schemaVersion: 1,
    tool: { name: 'faultline', version: '0.1.0' },
    root: '.',
    nodes,
    edges: [...edges, ...runsOn],
    findings: [],
    scenarios: [],
    diagnostics: [],
  };
}
const states = (s: Scenario) => s.entrypoints;
const E = (name: string) => `entrypoint:${name}`;

/** An API: health (no db), two user routes on postgres, a web client. */
function apiModel(extra: { nodes?: ModelNode[]; edges?: ModelEdge[]; pg?: Partial<ModelNode> } = {}): Model {
  return model(
    [
      node('runtime:api'),
      node('client:web'),
      ep('GET /health'),
      ep('POST /user/save-qualification'),
      ep('GET /user/:id'),
      node('component:health'),
      node('component:onboarding'),
      node('component:users'),
      node('datastore:postgres', { tech: 'postgresql', ...extra.pg }),
      ...(extra.nodes ?? []),
    ],
    [
      edge('client:web', E('POST /user/save-qualification'), 'calls'),
      edge('client:web', E('GET /user/:id'), 'calls'),
      edge(E('GET /health'), 'component:health', 'calls'),
      edge(E('POST /user/save-qualification'), 'component:onboarding', 'calls'),
      edge(E('GET /user/:id'), 'component:users', 'calls'),
      edge('component:onboarding', 'datastore:postgres', 'writes', { file: 'src/onboarding/onboarding.service.ts' }),
      edge('component:users', 'datastore:postgres', 'reads', { readOnly: true }),
      ...(extra.edges ?? []),
    ],
  );
}

// ---- outage basics ----

test('datastore outage: routes reaching it are down, the health route stays ok', () => {
  const s = simulate(apiModel(), 'datastore:postgres', 'outage');
  assert.deepEqual(states(s).down, [E('GET /user/:id'), E('POST /user/save-qualification')]);
  assert.deepEqual(states(s).ok, [E('GET /health')]);
  assert.deepEqual(s.rings, [
    ['datastore:postgres'],
    ['component:onboarding', 'component:users'],
    [E('GET /user/:id'), E('POST /user/save-qualification')],
  ]);
  assert.ok(
    s.paths.some(
      (p) => p.join(' > ') === `client:web > ${E('POST /user/save-qualification')} > component:onboarding > datastore:postgres`,
    ),
  );
  assert.equal(s.why?.[E('GET /user/:id')]?.state, 'down');
  assert.equal(s.why?.[E('GET /health')], undefined);
  assert.deepEqual(s.stoppedBy, []);
});

test('global auth guard: an auth-provider outage downs only the guarded routes', () => {
  const guarded = ['GET /me', 'POST /orders'];
  const m = model(
    [
      node('runtime:api'),
      ep('GET /health'),
      ep('GET /me'),
      ep('POST /orders'),
      node('component:health'),
      node('component:auth'),
      node('component:orders'),
      node('external:idp-issuer'),
      node('datastore:postgres'),
    ],
    [
      edge(E('GET /health'), 'component:health', 'calls'),
      edge(E('GET /me'), 'component:auth', 'calls', { eps: guarded }),
      edge(E('POST /orders'), 'component:auth', 'calls', { eps: guarded }),
      edge(E('POST /orders'), 'component:orders', 'calls'),
      edge('component:auth', 'external:idp-issuer', 'calls', { eps: guarded, guards: { timeoutMs: 2000 } }),
      edge('component:auth', 'datastore:postgres', 'reads', { eps: guarded }),
    ],
  );
  const s = simulate(m, 'external:idp-issuer', 'outage');
  assert.deepEqual(states(s).down, [E('GET /me'), E('POST /orders')]);
  assert.deepEqual(states(s).ok, [E('GET /health')]);
  const db = simulate(m, 'datastore:postgres', 'outage');
  assert.deepEqual(states(db).down, [E('GET /me'), E('POST /orders')], 'the datastore the guard reads');
});

test('caught fire-and-forget: the route stays ok and the side effect is reported lost', () => {
  const m = apiModel({
    nodes: [node('external:resend')],
    edges: [
      edge('component:onboarding', 'external:resend', 'calls', {
        mode: 'fire_and_forget',
        guards: { caught: true },
        file: 'src/onboarding/mail.ts',
      }),
    ],
  });
  const s = simulate(m, 'external:resend', 'outage');
  assert.equal(states(s).down.length, 0);
  assert.ok(states(s).ok.includes(E('POST /user/save-qualification')));
  assert.equal(s.lostSideEffects?.length, 1);
  const lost = s.lostSideEffects![0];
  assert.equal(lost.from, 'component:onboarding');
  assert.equal(lost.to, 'external:resend');
  assert.deepEqual(lost.entrypoints, [E('POST /user/save-qualification')]);
  assert.equal(lost.evidence[0].file, 'src/onboarding/mail.ts');
  assert.deepEqual(
    s.stoppedBy.map((x) => x.guard),
    ['catch'],
  );
  assert.equal(s.why?.[E('POST /user/save-qualification')]?.state, 'ok');
  assert.deepEqual(s.rings, [['external:resend']]);
});

test('breaker with fallback (or a plain fallback) degrades instead of down; a breaker alone does not', () => {
  const withGuards = (guards: Guards) =>
    apiModel({
      nodes: [node('external:stripe')],
      edges: [edge('component:onboarding', 'external:stripe', 'calls', { guards, file: 'src/pay.ts' })],
    });
  const both = simulate(withGuards({ circuitBreaker: true, fallback: true }), 'external:stripe', 'outage');
  assert.deepEqual(states(both).degraded, [E('POST /user/save-qualification')]);
  assert.deepEqual(states(both).down, []);
  assert.deepEqual(both.stoppedBy, [
    {
      from: 'component:onboarding',
      to: 'external:stripe',
      guard: 'circuit-breaker+fallback',
      evidence: [{ file: 'src/pay.ts', line: both.stoppedBy[0].evidence![0].line }],
    },
  ]);
  assert.equal(both.nodeStates?.['component:onboarding'], 'degraded');
  const fb = simulate(withGuards({ fallback: true }), 'external:stripe', 'outage');
  assert.deepEqual(states(fb).degraded, [E('POST /user/save-qualification')]);
  const breakerOnly = simulate(withGuards({ circuitBreaker: true }), 'external:stripe', 'outage');
  assert.deepEqual(states(breakerOnly).down, [E('POST /user/save-qualification')]);
});

// ---- queues ----

function queueModel(): Model {
  return model(
    [
      node('runtime:api'),
      node('runtime:worker'),
      ep('GET /health'),
      ep('POST /signup'),
      ep('worker:emails', 'runtime:worker', { trigger: 'worker' }),
      node('component:health'),
      node('component:users'),
      node('component:mailer'),
      node('queue:emails'),
      node('cache:redis'),
      node('datastore:postgres'),
      node('external:resend'),
    ],
    [
      edge(E('GET /health'), 'component:health', 'calls'),
      edge(E('POST /signup'), 'component:users', 'calls'),
      edge('component:users', 'datastore:postgres', 'writes'),
      edge('component:users', 'queue:emails', 'enqueues', { file: 'src/users/users.service.ts' }),
      edge(E('worker:emails'), 'queue:emails', 'consumes'),
      edge(E('worker:emails'), 'component:mailer', 'calls'),
      edge('component:mailer', 'external:resend', 'calls', { guards: { timeoutMs: 10000 } }),
      edge('queue:emails', 'cache:redis', 'uses'),
    ],
  );
}

test('queue store outage: enqueuing routes are down (the enqueue is sync to the store), the worker is down', () => {
  const s = simulate(queueModel(), 'cache:redis', 'outage');
  assert.deepEqual(states(s).down, [E('POST /signup'), E('worker:emails')]);
  assert.deepEqual(states(s).ok, [E('GET /health')]);
  assert.deepEqual(s.rings[1], ['queue:emails']);
  assert.ok(s.rings[2].includes('component:users'));
  const q = simulate(queueModel(), 'queue:emails', 'outage');
  assert.deepEqual(states(q).down, [E('POST /signup'), E('worker:emails')]);
});

test("an outage inside the worker's own dependencies downs the worker and delays the enqueuing routes", () => {
  const s = simulate(queueModel(), 'external:resend', 'outage');
  assert.deepEqual(states(s).down, [E('worker:emails')]);
  assert.deepEqual(states(s).delayed, [E('POST /signup')]);
  assert.deepEqual(states(s).ok, [E('GET /health')]);
  const why = s.why?.[E('POST /signup')];
  assert.equal(why?.state, 'delayed');
  assert.deepEqual(why?.path, [
    E('POST /signup'),
    'component:users',
    'queue:emails',
    E('worker:emails'),
    'component:mailer',
    'external:resend',
  ]);
  assert.ok(s.stoppedBy.some((x) => x.guard === 'durable-queue' && x.to === 'queue:emails'));
  assert.equal(s.nodeStates?.['queue:emails'], 'delayed');
});

// ---- slowdown ----

function slowModel(guards: Guards): Model {
  return model(
    [
      node('runtime:api'),
      node('runtime:worker'),
      ep('GET /health'),
      ep('GET /report'),
      ep('worker:sync', 'runtime:worker'),
      node('component:health'),
      node('component:reports'),
      node('component:sync'),
      node('external:analytics'),
    ],
    [
      edge(E('GET /health'), 'component:health', 'calls'),
      edge(E('GET /report'), 'component:reports', 'calls'),
      edge('component:reports', 'external:analytics', 'calls', { guards }),
      edge(E('worker:sync'), 'component:sync', 'calls'),
    ],
  );
}

test("slowdown without a timeout starves the runtime: all its entrypoints are down, even those that don't touch the node", () => {
  const s = simulate(slowModel({}), 'external:analytics', 'slowdown');
  assert.deepEqual(states(s).down, [E('GET /health'), E('GET /report')]);
  assert.deepEqual(states(s).ok, [E('worker:sync')], 'another runtime is not starved');
  // explained once per runtime; the trigger has its own path
  assert.equal(s.why?.[E('GET /health')], undefined);
  assert.deepEqual(s.runtimeEffects, [
    {
      runtime: 'runtime:api',
      effect: 'starvation',
      trigger: E('GET /report'),
      path: [E('GET /report'), 'component:reports', 'external:analytics'],
      reason: s.runtimeEffects![0].reason,
      entrypoints: 1,
    },
  ]);
  assert.match(s.runtimeEffects![0].reason, /shared pool and event loop/);
  assert.match(s.why![E('GET /report')].reason, /hangs \(no timeout\)/);
  assert.equal(s.nodeStates?.['runtime:api'], 'down');
  // in an outage, the same call only downs its own route
  const o = simulate(slowModel({}), 'external:analytics', 'outage');
  assert.deepEqual(states(o).down, [E('GET /report')]);
});

test('slowdown with a timeout behaves as an outage', () => {
  const m = slowModel({ timeoutMs: 3000 });
  const slow = simulate(m, 'external:analytics', 'slowdown');
  const out = simulate(m, 'external:analytics', 'outage');
  assert.deepEqual(slow.entrypoints, out.entrypoints);
  assert.deepEqual(states(slow).down, [E('GET /report')]);
  assert.ok(slow.stoppedBy.some((x) => x.guard === 'timeout'));
  // timeout + fallback: degraded, as in an outage
  const fb = simulate(slowModel({ timeoutMs: 3000, fallback: true }), 'external:analytics', 'slowdown');
  assert.deepEqual(states(fb).degraded, [E('GET /report')]);
  // a fallback without a timeout never fires in a slowdown
  const noTimeout = simulate(slowModel({ fallback: true }), 'external:analytics', 'slowdown');
  assert.deepEqual(states(noTimeout).down, [E('GET /health'), E('GET /report')]);
});

test('edge labels: a route whose component touches the db elsewhere stays ok (precision over reach)', () => {
  const m = model(
    [node('runtime:api'), ep('GET /health'), ep('POST /x'), node('component:app'), node('datastore:postgres')],
    [
      edge(E('GET /health'), 'component:app', 'calls'),
      edge(E('POST /x'), 'component:app', 'calls'),
      edge('component:app', 'datastore:postgres', 'writes', { eps: ['POST /x'] }),
    ],
  );
  const s = simulate(m, 'datastore:postgres', 'outage');
  assert.deepEqual(states(s).down, [E('POST /x')]);
  assert.deepEqual(states(s).ok, [E('GET /health')]);
  assert.throws(() => simulate(m, 'datastore:nope', 'outage'), /unknown node/);
});

// ---- crashes and ordering ----

function ffModel(opts: { caught?: boolean; order?: boolean } = {}): Model {
  return model(
    [
      node('runtime:api'),
      node('runtime:worker'),
      ep('GET /health'),
      ep('POST /orders'),
      ep('worker:sync', 'runtime:worker'),
      node('component:health'),
      node('component:orders'),
      node('component:audit'),
      node('component:sync'),
      node('datastore:postgres'),
      node('external:slack'),
    ],
    [
      edge(E('GET /health'), 'component:health', 'calls'),
      edge(E('POST /orders'), 'component:orders', 'calls'),
      edge('component:orders', 'datastore:postgres', 'writes', opts.order ? { order: 1 } : {}),
      edge('component:orders', 'component:audit', 'calls', {
        mode: 'fire_and_forget',
        guards: opts.caught ? { caught: true } : {},
        ...(opts.order ? { order: 2 } : {}),
      }),
      edge('component:audit', 'datastore:postgres', 'writes'),
      edge('component:audit', 'external:slack', 'calls'),
      edge(E('worker:sync'), 'component:sync', 'calls'),
    ],
  );
}

test('uncaught fire-and-forget: the unhandled rejection crashes the process, every entrypoint of that runtime is down', () => {
  const s = simulate(ffModel(), 'external:slack', 'outage');
  assert.deepEqual(states(s).down, [E('GET /health'), E('POST /orders')]);
  assert.deepEqual(states(s).ok, [E('worker:sync')]);
  assert.equal(s.runtimeEffects?.length, 1);
  const fx = s.runtimeEffects![0];
  assert.equal(fx.effect, 'crash');
  assert.equal(fx.trigger, E('POST /orders'));
  assert.deepEqual(fx.path, [E('POST /orders'), 'component:orders', 'component:audit', 'external:slack']);
  assert.match(fx.reason, /runtime:api crashes/);
  assert.match(s.why![E('POST /orders')].reason, /unhandled rejection/);
  assert.ok(s.rings.flat().includes('runtime:api'));
  // with a catch: contained, ok, side effect lost
  const caught = simulate(ffModel({ caught: true }), 'external:slack', 'outage');
  assert.deepEqual(states(caught).down, []);
  assert.deepEqual(caught.lostSideEffects?.map((l) => `${l.from}>${l.to}`), ['component:orders>component:audit']);
});

test('order on a path: a call only reached after an awaited call to the failed node never runs', () => {
  // orders: await db.write() (1); then audit() fire-and-forget without catch (2), which also writes to db.
  const ordered = simulate(ffModel({ order: true }), 'datastore:postgres', 'outage');
  assert.deepEqual(states(ordered).down, [E('POST /orders')], 'the await throws first: no crash');
  assert.deepEqual(states(ordered).ok, [E('GET /health'), E('worker:sync')]);
  assert.ok(!ordered.rings.flat().includes('component:audit'));
  // without order information the fire-and-forget is assumed reachable: the process crashes
  const unordered = simulate(ffModel(), 'datastore:postgres', 'outage');
  assert.deepEqual(states(unordered).down, [E('GET /health'), E('POST /orders')]);
  // a failure of something only the later call touches is unaffected by ordering
  const slack = simulate(ffModel({ order: true }), 'external:slack', 'outage');
  assert.deepEqual(states(slack).down, [E('GET /health'), E('POST /orders')]);
});

test('a shared unlabelled subgraph is evaluated once but reported for every entrypoint that reaches it', () => {
  const build = (caught: boolean) =>
    model(
      [
        node('runtime:api'),
        node('runtime:admin'),
        ep('POST /a'),
        ep('POST /b', 'runtime:admin'),
        ep('GET /health'),
        ep('GET /admin/health', 'runtime:admin'),
        node('component:a'),
        node('component:b'),
        node('component:notify'),
        node('component:health'),
        node('external:slack'),
      ],
      [
        edge(E('POST /a'), 'component:a', 'calls'),
        edge(E('POST /b'), 'component:b', 'calls'),
        edge(E('GET /health'), 'component:health', 'calls'),
        edge(E('GET /admin/health'), 'component:health', 'calls'),
        edge('component:a', 'component:notify', 'calls'),
        edge('component:b', 'component:notify', 'calls'),
        edge('component:notify', 'external:slack', 'calls', { mode: 'fire_and_forget', guards: caught ? { caught: true } : {} }),
      ],
    );
  const caught = simulate(build(true), 'external:slack', 'outage');
  assert.deepEqual(caught.lostSideEffects?.[0].entrypoints, [E('POST /a'), E('POST /b')]);
  assert.deepEqual(caught.why?.[E('POST /b')]?.path, [E('POST /b'), 'component:b', 'component:notify', 'external:slack']);
  const crash = simulate(build(false), 'external:slack', 'outage');
  assert.deepEqual(states(crash).ok, []);
  assert.deepEqual(
    crash.runtimeEffects?.map((x) => `${x.runtime} ${x.effect} ${x.trigger} ${x.entrypoints}`),
    [`runtime:admin crash ${E('POST /b')} 1`, `runtime:api crash ${E('POST /a')} 1`],
  );
});

// ---- runtimes and redundancy ----

test('runtime outage: all its entrypoints are down; replicas > 1 absorb it', () => {
  const s = simulate(queueModel(), 'runtime:worker', 'outage');
  assert.deepEqual(states(s).down, [E('worker:emails')]);
  assert.deepEqual(states(s).delayed, [E('POST /signup')], 'work waits on the durable queue');
  const api = simulate(queueModel(), 'runtime:api', 'outage');
  assert.deepEqual(states(api).down, [E('GET /health'), E('POST /signup')]);
  assert.deepEqual(api.rings[1], [E('GET /health'), E('POST /signup')]);
  const m = queueModel();
  m.nodes.find((n) => n.id === 'runtime:api')!.redundancy = { replicas: 3 };
  const r = simulate(m, 'runtime:api', 'outage');
  assert.match(r.absorbed ?? '', /3 replicas/);
  assert.deepEqual(states(r).down, []);
});

test('redundancy (replicas, multi-AZ standby) absorbs a single-instance outage, not a slowdown', () => {
  for (const redundancy of [{ replicas: 2 }, { multiAz: true }]) {
    const m = apiModel({ pg: { redundancy } });
    const s = simulate(m, 'datastore:postgres', 'outage');
    assert.ok(s.absorbed, 'says so');
    assert.deepEqual(states(s).down, []);
    assert.deepEqual(s.rings, [['datastore:postgres']]);
    const slow = simulate(m, 'datastore:postgres', 'slowdown');
    assert.equal(slow.absorbed, undefined);
    assert.equal(states(slow).down.length, 3);
  }
});

test('read replica: reads are served (ok), writes still fail', () => {
  const m = apiModel({ pg: { redundancy: { readReplica: true } } });
  const s = simulate(m, 'datastore:postgres', 'outage');
  assert.deepEqual(states(s).down, [E('POST /user/save-qualification')]);
  assert.deepEqual(states(s).ok, [E('GET /health'), E('GET /user/:id')]);
  assert.equal(s.why?.[E('GET /user/:id')]?.state, 'ok');
  assert.ok(s.stoppedBy.some((x) => x.guard === 'read-replica' && x.from === 'component:users'));
  assert.equal(s.absorbed, undefined, 'partially: writes still fail');
  assert.deepEqual(s.rings[1], ['component:onboarding']);
});

// ---- SPOF ranking ----

test('rankSpofs: blast radius weighted by criticality; redundant nodes rank last', () => {
  const m = queueModel();
  m.nodes.find((n) => n.id === E('POST /signup'))!.critical = true;
  m.nodes.find((n) => n.id === 'datastore:postgres')!.redundancy = { multiAz: true };
  const ranks = rankSpofs(m, simulateAll(m));
  const by = new Map(ranks.map((r) => [r.node, r]));
  assert.deepEqual(
    ranks.map((r) => r.node),
    ['cache:redis', 'queue:emails', 'runtime:api', 'external:resend', 'runtime:worker', 'datastore:postgres'],
  );
  // redis: signup (critical, weight 3) + worker (1) of 3 + 1 + 1 → 0.8
  assert.deepEqual(by.get('cache:redis'), {
    node: 'cache:redis',
    entrypointsDown: 2,
    entrypointsTotal: 3,
    componentsDependent: 1,
    componentsTotal: 3,
    score: 0.8,
    redundant: false,
  });
  assert.equal(by.get('runtime:worker')!.score, 0.2);
  const pg = by.get('datastore:postgres')!;
  assert.equal(pg.redundant, true);
  assert.equal(pg.entrypointsDown, 1, 'what one instance carries');
  assert.equal(pg.score, 0.6);
  assert.equal(ranks[ranks.length - 1].node, 'datastore:postgres');
});

// ---- what-if ----

test('what-if: before → after per affected scenario, in sentences', () => {
  const m = apiModel({
    nodes: [ep('GET /users'), node('external:resend')],
    edges: [
      edge(E('GET /users'), 'component:users', 'calls'),
      edge('component:onboarding', 'external:resend', 'calls'),
    ],
  });
  const before = simulateAll(m);
  const after = simulateAll(
    applyWhatIf(m, [
      { kind: 'read-replica', node: 'datastore:postgres' },
      { kind: 'breaker', from: 'component:onboarding', to: 'external:resend', fallback: true },
    ]),
  );
  const deltas = compareScenarios(before, after);
  const pg = deltas.find((d) => d.failed === 'datastore:postgres' && d.mode === 'outage')!;
  assert.ok(pg.sentences.includes('Ring 1 shrinks from 2 components to 1'), pg.sentences.join('; '));
  assert.ok(pg.sentences.includes('Ring 2 shrinks from 3 routes to 1'), pg.sentences.join('; '));
  assert.ok(pg.sentences.includes('2 routes move from down to ok'), pg.sentences.join('; '));
  const resend = deltas.find((d) => d.failed === 'external:resend' && d.mode === 'outage')!;
  assert.ok(resend.sentences.includes('1 route moves from down to degraded'), resend.sentences.join('; '));
  assert.deepEqual(resend.moved, [
    { from: 'down', to: 'degraded', entrypoints: [E('POST /user/save-qualification')] },
  ]);
  assert.ok(!deltas.some((d) => d.failed === 'runtime:api'), 'unaffected scenarios are not listed');
  // the input model is untouched
  assert.equal(m.nodes.find((n) => n.id === 'datastore:postgres')!.redundancy, undefined);
  assert.equal(m.edges.find((e) => e.to === 'external:resend')!.guards.fallback, undefined);
});

test('what-if: moving a call to a queue turns down into delayed; timeouts and replicas', () => {
  const m = apiModel({
    nodes: [node('external:resend')],
    edges: [edge('component:onboarding', 'external:resend', 'calls', { eps: ['POST /user/save-qualification'] })],
  });
  const queued = applyWhatIf(m, [{ kind: 'queue', from: 'component:onboarding', to: 'external:resend' }]);
  assert.ok(queued.nodes.some((n) => n.id === 'queue:resend-jobs'));
  assert.ok(queued.nodes.some((n) => n.id === E('worker:resend-jobs')));
  const d = compareScenarios(simulateAll(m), simulateAll(queued)).find(
    (x) => x.failed === 'external:resend' && x.mode === 'outage',
  )!;
  assert.ok(d.sentences.includes('1 route moves from down to delayed'), d.sentences.join('; '));
  const added = compareScenarios(simulateAll(m), simulateAll(queued)).filter((x) => x.change === 'added');
  assert.deepEqual(
    added.map((x) => `${x.failed}/${x.mode}`),
    ['queue:resend-jobs/outage', 'queue:resend-jobs/slowdown', 'runtime:resend-jobs-worker/outage', 'runtime:resend-jobs-worker/slowdown'],
  );

  const slowBefore = simulate(m, 'external:resend', 'slowdown');
  assert.equal(states(slowBefore).down.length, 3, 'starves runtime:api');
  const timed = applyWhatIf(m, [{ kind: 'timeout', from: 'component:onboarding', to: 'external:resend', ms: 2000 }]);
  assert.deepEqual(states(simulate(timed, 'external:resend', 'slowdown')).down, [E('POST /user/save-qualification')]);

  const replicated = applyWhatIf(m, [{ kind: 'replicas', node: 'runtime:api', count: 2 }]);
  assert.ok(simulate(replicated, 'runtime:api', 'outage').absorbed);
  const standby = applyWhatIf(m, [{ kind: 'standby', node: 'postgres' }]);
  assert.ok(simulate(standby, 'datastore:postgres', 'outage').absorbed, 'nodes resolve by name too');

  assert.throws(() => applyWhatIf(m, [{ kind: 'timeout', from: 'component:health', to: 'external:resend', ms: 1 }]), /no call edge/);
  assert.equal(MitigationSchema.safeParse({ kind: 'breaker', from: 'a', to: 'b' }).success, false);
  assert.equal(MitigationSchema.safeParse({ kind: 'replicas', node: 'runtime:api', count: 2 }).success, true);
});

// ---- matchNode ----

test('matchNode: exact id, exact name, unambiguous substring, else candidates', () => {
  const m = apiModel();
  assert.equal(matchNode(m, 'datastore:postgres').match?.id, 'datastore:postgres');
  assert.equal(matchNode(m, 'onboarding').match?.id, 'component:onboarding');
  assert.equal(matchNode(m, 'POSTGRES').match?.id, 'datastore:postgres');
  assert.equal(matchNode(m, 'qualif').match?.id, E('POST /user/save-qualification'));
  const amb = matchNode(m, 'user');
  assert.equal(amb.match, undefined);
  assert.deepEqual(
    amb.candidates.map((n) => n.id),
    ['component:users', E('GET /user/:id'), E('POST /user/save-qualification')],
  );
  assert.deepEqual(matchNode(m, 'nothing-like-this'), { candidates: [] });
});

// ---- determinism ----

test('determinism: byte-identical output for the same model, whatever the input order', () => {
  const m = queueModel();
  const shuffled: Model = { ...m, nodes: [...m.nodes].reverse(), edges: [...m.edges].reverse() };
  const a = JSON.stringify(simulateAll(m));
  const b = JSON.stringify(simulateAll(shuffled));
  assert.equal(a, b);
  assert.equal(JSON.stringify(simulateAll(m)), a);
  const all = simulateAll(m);
  assert.equal(all.length, 2 * 6);
  const keys = all.map((s) => `${s.failed}/${s.mode}`);
  assert.deepEqual(keys, [...keys].sort());
  for (const s of all) {
    for (const list of Object.values(s.entrypoints)) assert.deepEqual(list, [...list].sort());
    for (const r of s.rings) assert.deepEqual(r, [...r].sort());
  }
  assert.equal(JSON.stringify(rankSpofs(m, all)), JSON.stringify(rankSpofs(shuffled, simulateAll(shuffled))));
});

// ---- renderer ----

test('renderBlast: 80 columns, rings, routes by state, traced path, where it stops', () => {
  const long = 'POST /user/onboarding/steps/:stepId/qualifications/:qualificationId/attachments/save';
  const m = apiModel({
    nodes: [ep(long), node('external:resend')],
    edges: [
      edge('client:web', E(long), 'calls'),
      edge(E(long), 'component:onboarding', 'calls'),
      edge('component:onboarding', 'external:resend', 'calls', { mode: 'fire_and_forget', guards: { caught: true } }),
    ],
  });
  const s = simulate(m, 'datastore:postgres', 'outage');
  const text = renderBlast(m, s);
  for (const l of text.split('\n')) assert.ok([...l].length <= 80, `too long: ${l}`);
  assert.match(text, /client:web → POST \/user\/save-qualification → component:onboarding/);
  assert.match(text, /→ datastore:postgres/);
  assert.match(text, /down \(3\)/);
  assert.match(text, /nothing stops it/);
  assert.doesNotMatch(text, /\x1b\[/);
  const lost = renderBlast(m, simulate(m, 'external:resend', 'outage'), { color: true });
  assert.match(lost, /Lost side effects/);
  assert.match(lost, /catch on component:onboarding → external:resend/);
  assert.match(lost, /\x1b\[31m/);
  const absorbed = renderBlast(m, simulate(applyWhatIf(m, [{ kind: 'standby', node: 'datastore:postgres' }]), 'datastore:postgres', 'outage'));
  assert.match(absorbed, /Absorbed: datastore:postgres has a multi-AZ standby/);
  const slow = slowModel({});
  const starved = renderBlast(slow, simulate(slow, 'external:analytics', 'slowdown'));
  for (const l of starved.split('\n')) assert.ok([...l].length <= 80, `too long: ${l}`);
  assert.match(starved, /Runtime-wide/);
  assert.match(starved, /runtime:api's shared pool and event loop are exhausted/);
  assert.match(starved, /1 more entrypoint down/);
  // names from the scanned repository never carry escape sequences to the terminal
  const evil = apiModel({ nodes: [ep('GET /\x1b[2Jboom')], edges: [edge(E('GET /\x1b[2Jboom'), 'component:users', 'calls')] });
  assert.doesNotMatch(renderBlast(evil, simulate(evil, 'datastore:postgres', 'outage')), /\x1b/);
});
