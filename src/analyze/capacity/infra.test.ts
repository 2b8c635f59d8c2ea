// The infrastructure readers capacity depends on: Kubernetes (workloads, HPA, KEDA,
// CloudNativePG), Helm values, Terraform (HCL literals), postgresql.conf, pgbouncer.ini,
// and the docker-compose/serverless extensions (per-runtime env, evidence lines).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanTree } from '../../../test/helpers/fixture.js';
import { parseHcl } from '../../packs/terraform/hcl.js';
import type { Capacity } from './types.js';
import { ordersDb, ordersPackage, ordersServer } from './fixtures.js';

const app = { 'package.json': ordersPackage, 'src/db.ts': ordersDb('  max: 10,'), 'src/server.ts': ordersServer };

test('terraform: the HCL reader keeps literals and leaves expressions as text', () => {
  const root = parseHcl(`# database
resource "aws_db_instance" "main" {
  engine         = "postgres"
  instance_class = var.instance_class
  multi_az       = true
  allocated_storage = 100 // GB
  tags = { Name = "orders", Team = "payments" }
  vpc_security_group_ids = [aws_security_group.db.id, "sg-123"]
  parameter {
    name  = "max_connections"
    value = "200"
  }
  description = <<EOT
Orders primary
EOT
  /* count = 2 */
}
module "db" {
  source = "terraform-aws-modules/rds/aws"
  parameters = [{ name = "max_connections", value = 300 }]
}
`);
  const [res, mod] = root.blocks;
  assert.deepEqual([res.type, ...res.labels], ['resource', 'aws_db_instance', 'main']);
  assert.equal(res.attrs.engine, 'postgres');
  assert.deepEqual(res.attrs.instance_class, { expr: 'var.instance_class' });
  assert.equal(res.attrs.multi_az, true);
  assert.equal(res.attrs.allocated_storage, 100);
  assert.deepEqual(res.attrs.tags, { Name: 'orders', Team: 'payments' });
  assert.deepEqual(res.attrs.vpc_security_group_ids, [{ expr: 'aws_security_group.db.id' }, 'sg-123']);
  assert.equal(res.attrs.description, 'Orders primary');
  assert.equal(res.attrLines.multi_az, 5);
  assert.equal(res.blocks[0].attrs.value, '200');
  assert.equal(res.blocks[0].attrLines.value, 11);
  assert.equal('count' in res.attrs, false);
  assert.deepEqual(mod.attrs.parameters, [{ name: 'max_connections', value: 300 }]);
});

test('terraform: Aurora cluster instances are replicas; an aws_db_proxy is a pooler', async () => {
  const { model } = await scanTree({
    ...app,
    'k8s/app.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: orders
          image: ghcr.io/acme/orders:2.0.0
          command: ["node", "dist/server.js"]
          env:
            - name: DATABASE_URL
              value: postgresql://orders:pw@orders-proxy.proxy-c9akciq32.eu-west-1.rds.amazonaws.com:5432/orders
`,
    'infra/aurora.tf': `resource "aws_rds_cluster" "orders" {
  cluster_identifier = "orders"
  engine             = "aurora-postgresql"
}

resource "aws_rds_cluster_instance" "orders" {
  count              = 2
  cluster_identifier = aws_rds_cluster.orders.id
  instance_class     = "db.r6g.large"
  engine             = aws_rds_cluster.orders.engine
}

resource "aws_db_proxy" "orders" {
  name          = "orders-proxy"
  engine_family = "POSTGRESQL"
}
`,
  }, { rules: [] });
  const d = (model.capacity as Capacity).datastores[0];
  assert.equal(d.server.replica.present, true);
  assert.equal(d.server.maxConnections.value, 1802);
  assert.equal(d.server.instanceClass, 'db.r6g.large');
  assert.equal(d.poolers[0].kind, 'rds-proxy');
  assert.equal(d.runtimes[0].url?.pooler, 'rds-proxy');
  assert.match(d.budget.normal.arithmetic, /^no connections|plus what rds-proxy opens/);
});

test('kubernetes: CloudNativePG cluster parameters and instances, a Pooler, an HPA on the app, env from a ConfigMap', async () => {
  const { model, scan } = await scanTree({
    ...app,
    'deploy/app.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: orders-config
data:
  DATABASE_URL: postgresql://orders:pw@orders-pooler-rw:5432/orders
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
spec:
  replicas: 4
  template:
    spec:
      containers:
        - name: orders
          image: ghcr.io/acme/orders:2.0.0
          args: ["node", "dist/server.js"]
          envFrom:
            - configMapRef:
                name: orders-config
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: orders
spec:
  scaleTargetRef:
    name: orders
  maxReplicaCount: 12
`,
    'deploy/db.yaml': `apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: orders-db
spec:
  instances: 3
  postgresql:
    parameters:
      max_connections: "300"
      statement_timeout: "30s"
---
apiVersion: postgresql.cnpg.io/v1
kind: Pooler
metadata:
  name: orders-pooler-rw
spec:
  cluster:
    name: orders-db
  instances: 2
  type: rw
  pgbouncer:
    poolMode: transaction
    parameters:
      max_client_conn: "500"
      default_pool_size: "40"
`,
  }, { rules: [] });
  const rt = scan.infra.runtimes!.find((r) => r.name === 'orders')!;
  assert.deepEqual(rt.redundancy, { replicas: 4, maxReplicas: 12 });
  assert.equal(rt.env?.DATABASE_URL.value, 'postgresql://orders:pw@orders-pooler-rw:5432/orders');
  assert.deepEqual(rt.env?.DATABASE_URL.evidence, { file: 'deploy/app.yaml', line: 6 });
  const d = (model.capacity as Capacity).datastores[0];
  assert.equal(d.server.maxConnections.value, 300);
  assert.deepEqual(d.server.maxConnections.evidence, { file: 'deploy/db.yaml', line: 9 });
  assert.equal(d.server.replica.present, true);
  assert.equal(d.server.statementTimeout?.value, '30s');
  assert.equal(d.runtimes[0].url?.via, 'pooler');
  assert.equal(d.budget.normal.arithmetic, 'orders-pooler-rw 2 replicas × default_pool_size 40 = 80 ≤ 297 usable of max_connections 300');
  assert.equal(d.budget.poolerClients?.arithmetic, 'orders 12 replicas × 10 = 120 ≤ max_client_conn 500 × 2 replicas of orders-pooler-rw');
});

test('helm: values give the chart\'s replicas/autoscaling and the Bitnami postgresql settings', async () => {
  const { model, scan } = await scanTree({
    ...app,
    'chart/Chart.yaml': 'apiVersion: v2\nname: orders\nversion: 0.3.0\n',
    'chart/values.yaml': `replicaCount: 3
image:
  repository: ghcr.io/acme/orders
  tag: 2.0.0
autoscaling:
  enabled: true
  minReplicas: 3
  maxReplicas: 10
env:
  - name: DATABASE_URL
    value: postgresql://orders:pw@orders-postgresql:5432/orders
postgresql:
  enabled: true
  architecture: replication
  readReplicas:
    replicaCount: 1
  primary:
    extendedConfiguration: |-
      max_connections = 150
      superuser_reserved_connections = 5
`,
  }, { rules: [] });
  const rt = scan.infra.runtimes!.find((r) => r.name === 'orders')!;
  assert.deepEqual(rt.redundancy, { replicas: 3, maxReplicas: 10 });
  const d = (model.capacity as Capacity).datastores[0];
  assert.equal(d.server.origin, 'helm');
  assert.equal(d.server.maxConnections.value, 150);
  assert.deepEqual(d.server.maxConnections.evidence, { file: 'chart/values.yaml', line: 19 });
  assert.equal(d.server.usable, 145);
  assert.equal(d.server.replica.present, true);
  assert.equal(d.budget.peak?.arithmetic, 'orders 10 replicas × 10 = 100 ≤ 145 usable of max_connections 150');
});

test('postgresql.conf and pgbouncer.ini are read with their lines', async () => {
  const { model } = await scanTree({
    ...app,
    'docker-compose.yml': `services:
  api:
    build: .
    command: node dist/server.js
    environment:
      DATABASE_URL: postgresql://orders:pw@bouncer:6432/orders
    deploy:
      replicas: 6
  bouncer:
    image: bitnami/pgbouncer:1.22.0
  db:
    image: postgres:16
    volumes:
      - ./postgres/postgresql.conf:/etc/postgresql/postgresql.conf
`,
    'postgres/postgresql.conf': `# connections
listen_addresses = '*'
max_connections = 40            # (change requires restart)
superuser_reserved_connections = 3
shared_buffers = 1GB
`,
    'pgbouncer/pgbouncer.ini': `[databases]
orders = host=db port=5432 dbname=orders

[pgbouncer]
listen_port = 6432
pool_mode = transaction
max_client_conn = 200
default_pool_size = 20
query_timeout = 20
`,
  }, { rules: [] });
  const d = (model.capacity as Capacity).datastores[0];
  assert.equal(d.server.origin, 'postgresql.conf');
  assert.deepEqual(d.server.maxConnections.evidence, { file: 'postgres/postgresql.conf', line: 3 });
  const ini = d.poolers.find((p) => p.origin === 'pgbouncer.ini')!;
  assert.equal(ini.poolMode.value, 'transaction');
  assert.deepEqual(ini.maxClientConn.evidence, { file: 'pgbouncer/pgbouncer.ini', line: 7 });
  assert.equal(ini.queryTimeout?.value, '20');
  assert.equal(d.runtimes[0].url?.via, 'pooler');
});

test('docker-compose: a service\'s evidence is its own key, not the first text that mentions its name; env_file is read', async () => {
  const { scan } = await scanTree({
    ...app,
    '.env.production': 'DATABASE_URL=postgresql://orders:pw@postgres:5432/orders?connection_limit=4\nLOG_LEVEL=info\n',
    'docker-compose.yml': `services:
  api:
    build: .
    env_file: .env.production
    depends_on:
      postgres:
        condition: service_healthy
  postgres:
    image: postgres:16-alpine
    command: postgres -c max_connections=80
`,
  }, { rules: [] });
  const pg = scan.infra.resources!.find((r) => r.ref.name === 'postgres' && r.origin === 'docker-compose')!;
  assert.deepEqual(pg.evidence, [{ file: 'docker-compose.yml', line: 9 }]);
  assert.deepEqual(pg.settingEvidence?.max_connections, { file: 'docker-compose.yml', line: 10 });
  const api = scan.infra.runtimes!.find((r) => r.name === 'api')!;
  assert.deepEqual(api.evidence, [{ file: 'docker-compose.yml', line: 2 }]);
  assert.deepEqual(api.env?.DATABASE_URL, { value: 'postgresql://orders:pw@postgres:5432/orders?connection_limit=4', evidence: { file: '.env.production', line: 1 } });
});

test('postgresql.conf mounted into a compose server: the service\'s `-c` flags win for the keys they set (PostgreSQL takes the command line over the file); an unmounted conf keeps its own value (trap)', async () => {
  const compose = (mount: boolean) => `services:
  api:
    build: .
    command: node dist/server.js
    environment:
      DATABASE_URL: postgresql://orders:pw@db:5432/orders
  db:
    image: postgres:16
    command: postgres -c config_file=/etc/postgresql/postgresql.conf -c max_connections=300
${mount ? '    volumes:\n      - ./postgres/postgresql.conf:/etc/postgresql/postgresql.conf:ro\n' : ''}`;
  const conf = `listen_addresses = '*'
max_connections = 100
superuser_reserved_connections = 5
`;
  const mounted = (await scanTree({ ...app, 'docker-compose.yml': compose(true), 'postgres/postgresql.conf': conf }, { rules: [] })).model.capacity as Capacity;
  assert.equal(mounted.datastores[0].server.maxConnections.value, 300);
  assert.deepEqual(mounted.datastores[0].server.maxConnections.evidence, { file: 'docker-compose.yml', line: 9 });
  assert.equal(mounted.datastores[0].server.reservedConnections.value, 5);
  const apart = (await scanTree({ ...app, 'docker-compose.yml': compose(false), 'postgres/postgresql.conf': conf }, { rules: [] })).model.capacity as Capacity;
  assert.equal(apart.datastores[0].server.maxConnections.value, 100);
});
