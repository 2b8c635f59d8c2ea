import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanTree } from '../../../test/helpers/fixture.js';
import type { InfraFacts } from '../types.js';
import type { Model } from '../../model/types.js';

const entrypoints = (m: Model) => m.nodes.filter((n) => n.kind === 'entrypoint').map((n) => `${n.id} on ${n.runtime}`).sort();
const runtimes = (m: Model) => m.nodes.filter((n) => n.kind === 'runtime').map((n) => `${n.id} ${n.tech} ${JSON.stringify(n.redundancy)}`).sort();
const declared = (infra: InfraFacts) => (infra.runtimes ?? []).filter((r) => r.origin === 'kubernetes').map((r) => `${r.name} ${JSON.stringify(r.redundancy)} @${r.evidence.map((e) => `${e.file}:${e.line}`).join(',')}`).sort();

/** An HTTP API and a BullMQ worker, both in one image. */
const code = {
  'package.json': JSON.stringify({ name: 'shop-service', dependencies: { express: '^4.19.0', bullmq: '^5.0.0', pg: '^8.11.0' } }),
  'src/server.ts': `import express from 'express';
import { Pool } from 'pg';
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 5 });
const app = express();
app.get('/products', async (req, res) => { res.json((await pool.query('SELECT id FROM products')).rows); });
app.listen(Number(process.env.PORT ?? 3000));
`,
  'src/worker.ts': `import { Worker } from 'bullmq';
new Worker('emails', async (job) => { await fetch('https://api.mailer.example/send', { method: 'POST', body: JSON.stringify(job.data) }); }, { connection: { host: process.env.REDIS_HOST } });
`,
};

const deployment = (name: string, replicas: string, command: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
${replicas}  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
        - name: ${name}
          image: ghcr.io/acme/shop:1.4.0
          command: ${command}
`;

test('kubernetes: a Deployment and a StatefulSet running the app are runtimes with their replicas; an HPA in another document gives the maximum (and the minimum when replicas is not set)', async () => {
  const { model, scan } = await scanTree({
    ...code,
    'k8s/api.yaml': `${deployment('shop-api', '  # replicas: 5 (the HPA owns the count)\n', '["node", "dist/server.js"]')}---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: shop-api
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: shop-api
  minReplicas: 3
  maxReplicas: 12
`,
    'k8s/worker.yaml': `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: shop-worker
spec:
  replicas: 2
  serviceName: shop-worker
  template:
    spec:
      containers:
        - name: worker
          image: ghcr.io/acme/shop:1.4.0
          args: ["node", "dist/worker.js"]
`,
  }, { rules: [] });
  assert.deepEqual(declared(scan.infra), ['shop-api {"replicas":3,"maxReplicas":12} @k8s/api.yaml:4,k8s/api.yaml:32', 'shop-worker {"replicas":2} @k8s/worker.yaml:4']);
  assert.deepEqual(scan.infra.runtimes!.filter((r) => r.origin === 'kubernetes').map((r) => `${r.name}: ${r.command}`), ['shop-api: node dist/server.js', 'shop-worker: node dist/worker.js']);
  assert.deepEqual(entrypoints(model), ['entrypoint:GET /products on runtime:shop-api', 'entrypoint:worker:emails on runtime:shop-worker']);
  assert.deepEqual(runtimes(model), ['runtime:shop-api container {"replicas":3,"maxReplicas":12}', 'runtime:shop-worker container {"replicas":2}']);
});

test('kubernetes: replicas without an autoscaler; an HPA or a KEDA ScaledObject only scales the workload it targets (KEDA\'s default maximum is 100)', async () => {
  const { scan } = await scanTree({
    ...code,
    'k8s/all.yaml': `${deployment('shop-api', '  replicas: 4\n', '["node", "dist/server.js"]')}---
${deployment('shop-worker', '', '["node", "dist/worker.js"]')}---
${deployment('shop-admin', '  replicas: 1\n', '["node", "dist/admin.js"]')}---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: admin-hpa
spec:
  scaleTargetRef:
    kind: Deployment
    name: shop-admin-v2
  maxReplicas: 9
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: shop-worker-scaler
spec:
  scaleTargetRef:
    name: shop-worker
  minReplicaCount: 0
  triggers:
    - type: redis
      metadata:
        listName: bull:emails:wait
`,
  }, { rules: [] });
  assert.deepEqual(declared(scan.infra), [
    'shop-admin {"replicas":1} @k8s/all.yaml:45',
    'shop-api {"replicas":4} @k8s/all.yaml:4',
    'shop-worker {"replicas":0,"maxReplicas":100} @k8s/all.yaml:25,k8s/all.yaml:77',
  ]);
});

test('kubernetes: container env — literal values, a ConfigMap key and envFrom resolved to the ConfigMap\'s line; a secretKeyRef kept as a placeholder', async () => {
  const { scan } = await scanTree({
    ...code,
    'k8s/api.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-config
data:
  REDIS_HOST: redis.shop.svc.cluster.local
  LOG_LEVEL: info
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-api
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/shop:1.4.0
          envFrom:
            - configMapRef:
                name: shop-config
          env:
            - name: PORT
              value: "8080"
            - name: DATABASE_URL
              valueFrom:
                secretKeyRef:
                  name: shop-db
                  key: url
            - name: PG_POOL_MAX
              valueFrom:
                configMapKeyRef:
                  name: shop-tuning
                  key: pool_max
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-tuning
data:
  pool_max: "5"
`,
  }, { rules: [] });
  const rt = scan.infra.runtimes!.find((r) => r.origin === 'kubernetes')!;
  assert.deepEqual(Object.entries(rt.env ?? {}).map(([k, v]) => `${k}=${v.value} @${v.evidence.line}`).sort(), [
    'DATABASE_URL=${secretKeyRef:shop-db/url} @26',
    'LOG_LEVEL=info @7',
    'PG_POOL_MAX=5 @42',
    'PORT=8080 @24',
    'REDIS_HOST=redis.shop.svc.cluster.local @6',
  ]);
});

test('kubernetes: workloads of third-party images (postgres, redis, nginx, a metrics exporter) are not runtimes of the app; postgres is the datastore (trap)', async () => {
  const { model, scan } = await scanTree({
    ...code,
    'k8s/api.yaml': deployment('shop-api', '  replicas: 2\n', '["node", "dist/server.js"]'),
    'k8s/infra.yaml': `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: postgres
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: postgres
          image: postgres:16-alpine
          args: ["-c", "max_connections=200"]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: redis
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: redis
          image: redis:7-alpine
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: edge
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-exporter
spec:
  template:
    spec:
      containers:
        - name: exporter
          image: quay.io/prometheus/node-exporter:v1.8.0
`,
  }, { rules: [] });
  assert.deepEqual(declared(scan.infra), ['shop-api {"replicas":2} @k8s/api.yaml:4']);
  assert.deepEqual(runtimes(model), ['runtime:shop-api container {"replicas":2}']);
  assert.deepEqual(
    scan.infra.resources!.filter((r) => r.origin === 'kubernetes').map((r) => `${r.ref.kind}:${r.ref.name} ${JSON.stringify(r.settings)} @${r.evidence[0].line}`),
    ['datastore:postgres {"workload":"postgres","service":"postgres","image":"postgres:16-alpine","max_connections":200} @4'],
  );
  assert.deepEqual(model.nodes.find((n) => n.id === 'datastore:postgres')?.evidence.map((e) => `${e.file}:${e.line}`), ['k8s/infra.yaml:4', 'src/server.ts:5']);
  // a postgres StatefulSet with one replica is not a read replica
  assert.equal(model.nodes.find((n) => n.id === 'datastore:postgres')?.redundancy, undefined);
});

test('kubernetes: in a multi-document file each workload cites its own metadata.name, past comments and empty documents (trap)', async () => {
  const { scan } = await scanTree({
    ...code,
    'deploy/manifests.yml': `# shop manifests, applied with kubectl apply -f
---
apiVersion: v1
kind: Service
metadata:
  name: shop-api
spec:
  ports:
    - port: 80
---
---
${deployment('shop-api', '  replicas: 3\n', '["node", "dist/server.js"]')}---
# the worker
${deployment('shop-worker', '  replicas: 2\n', '["node", "dist/worker.js"]')}`,
  }, { rules: [] });
  assert.deepEqual(declared(scan.infra), ['shop-api {"replicas":3} @deploy/manifests.yml:15', 'shop-worker {"replicas":2} @deploy/manifests.yml:37']);
});

test('kubernetes: a Helm chart\'s templates are not manifests, a templated name names no workload, and a templated replica count (envsubst) stays unknown (trap)', async () => {
  const { model, scan } = await scanTree({
    ...code,
    'chart/Chart.yaml': 'apiVersion: v2\nname: shop\nversion: 0.1.0\n',
    'chart/templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: "{{ .Release.Name }}-shop"
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: shop
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
`,
    // an Ansible role's Jinja template (no chart): the unquoted {{ }} parses as a map
    'ops/roles/shop/templates/worker.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ shop_worker_name }}
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: worker
          image: ghcr.io/acme/shop:1.4.0
`,
    'k8s/api.yaml': deployment('shop-api', '  replicas: ${REPLICAS}\n', '["node", "dist/server.js"]'),
  }, { rules: [] });
  assert.deepEqual(declared(scan.infra), ['shop-api {} @k8s/api.yaml:4']);
  assert.deepEqual(runtimes(model), ['runtime:shop-api container undefined']);
});

test('kubernetes: a pooler is known by its whole image name — bitnami/pgbouncer is one, a pgbouncer metrics exporter is not (trap)', async () => {
  const { model, scan } = await scanTree({
    ...code,
    'k8s/api.yaml': deployment('shop-api', '  replicas: 2\n', '["node", "dist/server.js"]'),
    'k8s/pooler.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: pgbouncer
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: pgbouncer
          image: bitnami/pgbouncer:1.22.1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: pgbouncer-metrics
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: exporter
          image: prometheuscommunity/pgbouncer-exporter:v0.9.0
`,
  }, { rules: [] });
  assert.deepEqual(
    scan.infra.resources!.filter((r) => r.origin === 'kubernetes').map((r) => `${r.ref.name} ${r.ref.tech} ${r.settings?.workload} ${JSON.stringify(r.redundancy)}`),
    ['pgbouncer pgbouncer pgbouncer {"replicas":2}'],
  );
  assert.deepEqual(runtimes(model), ['runtime:shop-api container {"replicas":2}']);
});

test('kubernetes: a production kustomize overlay scales the base workload (kustomization `replicas:` or a replicas patch); a staging overlay does not (trap)', async () => {
  const tree = (overlay: 'production' | 'staging', how: 'list' | 'patch') => ({
    ...code,
    'k8s/base/api.yaml': deployment('shop-api', '  replicas: 1\n', '["node", "dist/server.js"]'),
    'k8s/base/kustomization.yaml': 'resources:\n  - api.yaml\n',
    [`k8s/overlays/${overlay}/kustomization.yaml`]: how === 'list'
      ? 'resources:\n  - ../../base\nreplicas:\n  - name: shop-api\n    count: 4\n'
      : 'resources:\n  - ../../base\npatches:\n  - path: replicas.yaml\n',
    ...(how === 'patch' ? { [`k8s/overlays/${overlay}/replicas.yaml`]: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop-api\nspec:\n  replicas: 3\n' } : {}),
  });
  const list = await scanTree(tree('production', 'list'), { rules: [] });
  assert.deepEqual(declared(list.scan.infra), ['shop-api {"replicas":4} @k8s/base/api.yaml:4,k8s/overlays/production/kustomization.yaml:3']);
  const patch = await scanTree(tree('production', 'patch'), { rules: [] });
  assert.deepEqual(declared(patch.scan.infra), ['shop-api {"replicas":3} @k8s/base/api.yaml:4,k8s/overlays/production/replicas.yaml:6']);
  const staging = await scanTree(tree('staging', 'patch'), { rules: [] });
  assert.deepEqual(declared(staging.scan.infra), ['shop-api {"replicas":1} @k8s/base/api.yaml:4']);
});
