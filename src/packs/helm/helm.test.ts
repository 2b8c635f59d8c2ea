import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanTree } from '../../../test/helpers/fixture.js';
import type { InfraFacts } from '../types.js';
import type { Model } from '../../model/types.js';

const entrypoints = (m: Model) => m.nodes.filter((n) => n.kind === 'entrypoint').map((n) => `${n.id} on ${n.runtime}`).sort();
const runtimes = (m: Model) => m.nodes.filter((n) => n.kind === 'runtime').map((n) => `${n.id} ${n.tech} ${JSON.stringify(n.redundancy)}`).sort();
const declared = (infra: InfraFacts) => (infra.runtimes ?? []).filter((r) => r.origin === 'helm').map((r) => `${r.name} ${JSON.stringify(r.redundancy)} @${r.evidence.map((e) => `${e.file}:${e.line}`).join(',')}`).sort();

const code = {
  'package.json': JSON.stringify({ name: 'shop-service', dependencies: { express: '^4.19.0', pg: '^8.11.0' } }),
  'src/server.ts': `import express from 'express';
import { Pool } from 'pg';
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 5 });
const app = express();
app.get('/products', async (req, res) => { res.json((await pool.query('SELECT id FROM products')).rows); });
app.listen(3000);
`,
};

const chart = (name: string) => `apiVersion: v2\nname: ${name}\nversion: 0.3.0\nappVersion: "1.4.0"\n`;

test('helm: the chart\'s values give its workload: replicaCount, autoscaling.maxReplicas, the name override and env (list or map)', async () => {
  const { model, scan } = await scanTree({
    ...code,
    'deploy/shop/Chart.yaml': chart('shop'),
    'deploy/shop/values.yaml': `fullnameOverride: shop-api
replicaCount: 3
image:
  repository: ghcr.io/acme/shop
  tag: 1.4.0
autoscaling:
  enabled: true
  minReplicas: 3
  maxReplicas: 10
  targetCPUUtilizationPercentage: 70
env:
  - name: LOG_LEVEL
    value: info
  - name: DATABASE_URL
    value: postgresql://shop:pw@shop-postgresql:5432/shop
  - name: API_KEY
    valueFrom:
      secretKeyRef:
        name: shop
        key: api-key
`,
    'deploy/worker/Chart.yaml': chart('shop-worker'),
    'deploy/worker/values.yaml': `replicaCount: 2
image:
  repository: ghcr.io/acme/shop
autoscaling:
  enabled: false
  maxReplicas: 20
env:
  QUEUE: emails
  CONCURRENCY: 4
`,
  }, { rules: [] });
  assert.deepEqual(declared(scan.infra), ['shop-api {"replicas":3,"maxReplicas":10} @deploy/shop/values.yaml:2', 'shop-worker {"replicas":2} @deploy/worker/values.yaml:1']);
  const env = (name: string) => Object.entries(scan.infra.runtimes!.find((r) => r.name === name)!.env ?? {}).map(([k, v]) => `${k}=${v.value} @${v.evidence.line}`).sort();
  assert.deepEqual(env('shop-api'), ['DATABASE_URL=postgresql://shop:pw@shop-postgresql:5432/shop @14', 'LOG_LEVEL=info @12']);
  assert.deepEqual(env('shop-worker'), ['CONCURRENCY=4 @9', 'QUEUE=emails @8']);
  assert.deepEqual(entrypoints(model), ['entrypoint:GET /products on runtime:shop-api']);
  assert.deepEqual(runtimes(model), ['runtime:shop-api container {"replicas":3,"maxReplicas":10}']);
});

test('helm: with autoscaling on and no replicaCount, the minimum is the replica count', async () => {
  const { scan } = await scanTree({
    ...code,
    'chart/Chart.yaml': chart('shop'),
    'chart/values.yaml': `image:
  repository: ghcr.io/acme/shop
autoscaling:
  enabled: true
  minReplicas: 2
  maxReplicas: 6
`,
  }, { rules: [] });
  assert.deepEqual(declared(scan.infra), ['shop {"replicas":2,"maxReplicas":6} @chart/values.yaml:3']);
});

test('helm: a Bitnami postgresql subchart with replication is a datastore with read replicas; a pgbouncer block gives the pooler\'s settings; a disabled subchart declares nothing', async () => {
  const { model, scan } = await scanTree({
    ...code,
    'chart/Chart.yaml': chart('shop'),
    'chart/values.yaml': `replicaCount: 2
image:
  repository: ghcr.io/acme/shop
postgresql:
  enabled: true
  architecture: replication
  readReplicas:
    replicaCount: 2
  primary:
    extendedConfiguration: |-
      max_connections = 300
      statement_timeout = 30s
pgbouncer:
  enabled: true
  replicaCount: 2
  poolMode: transaction
  defaultPoolSize: 25
  maxClientConnections: 1000
redis:
  enabled: false
`,
  }, { rules: [] });
  const res = scan.infra.resources!.filter((r) => r.origin === 'helm').map((r) => ({ id: `${r.ref.kind}:${r.ref.name}`, redundancy: r.redundancy, settings: r.settings }));
  assert.deepEqual(res, [
    { id: 'datastore:postgres', redundancy: { readReplica: true, replicas: 3 }, settings: { chart: 'postgresql', max_connections: 300, statement_timeout: '30s' } },
    { id: 'datastore:pgbouncer', redundancy: { replicas: 2 }, settings: { kind: 'pgbouncer', service: 'pgbouncer', pool_mode: 'transaction', default_pool_size: 25, max_client_conn: 1000 } },
  ]);
  const pg = scan.infra.resources!.find((r) => r.origin === 'helm' && r.ref.name === 'postgres')!;
  assert.deepEqual(pg.settingEvidence, { max_connections: { file: 'chart/values.yaml', line: 11 }, statement_timeout: { file: 'chart/values.yaml', line: 12 } });
  assert.deepEqual(model.nodes.find((n) => n.id === 'datastore:postgres')?.redundancy, { readReplica: true, replicas: 3 });

  const off = await scanTree({
    ...code,
    'chart/Chart.yaml': chart('shop'),
    'chart/values.yaml': `replicaCount: 2
image:
  repository: ghcr.io/acme/shop
postgresql:
  enabled: false
  architecture: replication
pgbouncer:
  enabled: false
`,
  }, { rules: [] });
  assert.deepEqual(off.scan.infra.resources!.filter((r) => r.origin === 'helm'), []);
  assert.equal(off.model.nodes.find((n) => n.id === 'datastore:postgres')?.redundancy, undefined);
});

test('helm: vendored third-party subcharts (charts/nginx, charts/rabbitmq, charts/redis) are not runtimes of the app (trap)', async () => {
  const { model, scan } = await scanTree({
    ...code,
    'chart/Chart.yaml': `${chart('shop')}dependencies:
  - name: nginx
    version: 15.x.x
    repository: oci://registry-1.docker.io/bitnamicharts
`,
    'chart/values.yaml': `replicaCount: 2
image:
  repository: ghcr.io/acme/shop
`,
    'chart/charts/nginx/Chart.yaml': chart('nginx'),
    'chart/charts/nginx/values.yaml': `replicaCount: 1
image:
  registry: docker.io
  repository: bitnami/nginx
  tag: 1.25.3
`,
    'chart/charts/rabbitmq/Chart.yaml': chart('rabbitmq'),
    'chart/charts/rabbitmq/values.yaml': `replicaCount: 3
image:
  repository: rabbitmq
  tag: 3.13-management
`,
    'chart/charts/redis/Chart.yaml': chart('redis'),
    'chart/charts/redis/values.yaml': 'replicaCount: 3\nimage:\n  repository: bitnami/redis\n',
  }, { rules: [] });
  assert.deepEqual(declared(scan.infra), ['shop {"replicas":2} @chart/values.yaml:1']);
  assert.deepEqual(entrypoints(model), ['entrypoint:GET /products on runtime:shop']);
  assert.deepEqual(runtimes(model), ['runtime:shop container {"replicas":2}']);
});

test('helm: a commented-out replicaCount, a values.yaml with no Chart.yaml beside it, and a chart template\'s autoscaler declare no workload (trap)', async () => {
  const { model, scan } = await scanTree({
    ...code,
    'chart/Chart.yaml': chart('shop'),
    'chart/values.yaml': `# replicaCount: 3
image:
  repository: ghcr.io/acme/shop
`,
    'config/values.yaml': 'replicaCount: 9\nimage: ghcr.io/acme/shop\n',
    'chart/templates/hpa.yaml': `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: shop
spec:
  maxReplicas: {{ .Values.autoscaling.maxReplicas }}
`,
  }, { rules: [] });
  assert.deepEqual(declared(scan.infra), []);
  // the routes run on the runtime inferred from package.json, with unknown replicas
  assert.deepEqual(runtimes(model), ['runtime:shop-service node undefined']);
});

test('helm: a production overlay (values-prod.yaml) scales the workload values.yaml declares; a staging overlay does not, and neither is a second workload', async () => {
  const base = `image:
  repository: ghcr.io/acme/shop
  tag: "1.4.0"
replicaCount: 1
`;
  const prod = `replicaCount: 3
autoscaling:
  enabled: true
  minReplicas: 3
  maxReplicas: 12
`;
  const withProd = await scanTree({ ...code, 'chart/Chart.yaml': chart('shop'), 'chart/values.yaml': base, 'chart/values-prod.yaml': prod, 'chart/values-staging.yaml': 'replicaCount: 2\n' }, { rules: [] });
  assert.deepEqual(declared(withProd.scan.infra), ['shop {"replicas":3,"maxReplicas":12} @chart/values-prod.yaml:1']);
  const stagingOnly = await scanTree({ ...code, 'chart/Chart.yaml': chart('shop'), 'chart/values.yaml': base, 'chart/values-staging.yaml': 'replicaCount: 2\n' }, { rules: [] });
  assert.deepEqual(declared(stagingOnly.scan.infra), ['shop {"replicas":1} @chart/values.yaml:4']);
});
