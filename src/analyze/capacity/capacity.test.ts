import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { scanModel } from '../../../test/helpers/fixture.js';
import { runPipeline } from '../../pipeline.js';
import type { Capacity, DatastoreCapacity } from './types.js';
import { lambdaHandler, lambdaServerless, ordersDb, ordersDeployment, ordersHpa, ordersOnKubernetes, ordersPackage, ordersPostgres, ordersServer, pgbouncerCompose, studyRepo } from './fixtures.js';

const root = path.resolve(import.meta.dirname, '../../..');

async function postgres(files: Record<string, string>, config = {}): Promise<DatastoreCapacity> {
  const model = await scanModel(files, { rules: [], config });
  const cap = model.capacity as Capacity;
  const d = cap.datastores.find((x) => x.datastore === 'datastore:postgres');
  assert.ok(d, 'datastore:postgres has a capacity entry');
  return d;
}

test('capacity: seed 002 — 21 pods × 5 connections exceed PostgreSQL max_connections 100', async () => {
  const d = await postgres(ordersOnKubernetes(21, '  max: 5,\n  idleTimeoutMillis: 30_000,\n  statement_timeout: 5_000,', 100));
  assert.equal(d.server.maxConnections.value, 100);
  assert.equal(d.server.usable, 97);
  assert.equal(d.budget.status, 'exceeded');
  assert.equal(d.budget.normal.total, 105);
  assert.equal(d.budget.normal.arithmetic, 'order-service 21 replicas × 5 = 105 > 97 usable of max_connections 100');
  assert.deepEqual(d.runtimes.map((r) => [r.runtime, r.replicas.value, r.pool.value, r.connections, r.matchedBy]), [['runtime:order-service', 21, 5, 105, 'imports']]);
});

test('capacity: 19 pods × 5 fit under the default max_connections (100, not set in the StatefulSet)', async () => {
  const d = await postgres(ordersOnKubernetes(19, '  max: 5,', undefined));
  assert.equal(d.server.maxConnections.source, 'default');
  assert.equal(d.server.maxConnections.value, 100);
  assert.equal(d.budget.status, 'fits');
  assert.equal(d.budget.normal.arithmetic, 'order-service 19 replicas × 5 = 95 ≤ 97 usable of max_connections 100');
});

test('capacity: seed 001 — per-tier pool budgets (web, worker) fit under 90', async () => {
  const files = studyRepo(
    { replicas: 4, url: 'postgresql://postgres.studyhub:pw@db.studyhub.supabase.co:5432/postgres?connection_limit=8&pool_timeout=10' },
    { replicas: 3, url: 'postgresql://postgres.studyhub:pw@db.studyhub.supabase.co:5432/postgres?connection_limit=5&pool_timeout=10' },
  );
  const d = await postgres(files, { datastores: { 'datastore:postgres': { maxConnections: 90 } } });
  assert.equal(d.server.origin, 'config');
  assert.equal(d.budget.status, 'fits');
  assert.equal(d.budget.normal.arithmetic, 'web 4 replicas × 8 + worker 3 replicas × 5 = 47 ≤ 87 usable of max_connections 90');
  const web = d.runtimes.find((r) => r.runtime === 'runtime:web')!;
  assert.equal(web.pool.note, 'connection_limit=8 in DATABASE_URL (docker-compose.yml:6)');
  assert.equal(d.clients[0].directEnvVar, 'DIRECT_URL');
});

test('capacity: a bare PrismaClient with no connection_limit is reported as Prisma\'s default, and the budget as unknown', async () => {
  const url = 'postgresql://postgres.studyhub:pw@db.studyhub.supabase.co:5432/postgres';
  const d = await postgres(studyRepo({ replicas: 4, url }, { replicas: 3, url }), { datastores: { 'datastore:postgres': { maxConnections: 90 } } });
  assert.equal(d.budget.status, 'unknown');
  assert.equal(d.runtimes[0].pool.source, 'unknown');
  assert.match(d.runtimes[0].pool.note, /num_cpus × 2 \+ 1/);
  assert.match(d.budget.normal.arithmetic, /web 4 replicas × \? \+ worker 3 replicas × \?: unknown against 87 usable/);
  assert.ok(d.budget.unknowns.some((u) => /web: pool size unknown/.test(u)));
});

test('capacity: behind PgBouncer the server sees the pooler\'s pool, the clients count against max_client_conn', async () => {
  const d = await postgres({
    'package.json': ordersPackage,
    'src/db.ts': ordersDb('  max: 5,'),
    'src/server.ts': ordersServer,
    'docker-compose.yml': pgbouncerCompose(21),
  });
  assert.equal(d.runtimes[0].url?.via, 'pooler');
  assert.equal(d.poolers.length, 1);
  assert.equal(d.poolers[0].poolMode.value, 'transaction');
  assert.equal(d.budget.status, 'fits');
  assert.equal(d.budget.normal.arithmetic, 'pgbouncer (default_pool_size 25 + reserve_pool_size 5) = 30 ≤ 97 usable of max_connections 100');
  assert.equal(d.budget.poolerClients?.arithmetic, 'api 21 replicas × 5 = 105 ≤ max_client_conn 1000 of pgbouncer');
  assert.equal(d.server.statementTimeout?.value, '15s');
});

test('capacity: too many clients for PgBouncer\'s max_client_conn', async () => {
  const d = await postgres({ 'package.json': ordersPackage, 'src/db.ts': ordersDb('  max: 5,'), 'src/server.ts': ordersServer, 'docker-compose.yml': pgbouncerCompose(21, 100) });
  assert.equal(d.budget.status, 'exceeded-at-peak');
  assert.equal(d.budget.poolerClients?.exceeded, true);
  assert.equal(d.budget.poolerClients?.arithmetic, 'api 21 replicas × 5 = 105 > max_client_conn 100 of pgbouncer');
});

test('capacity: an HPA maximum is the peak; RDS max_connections from the instance class formula', async () => {
  const d = await postgres({
    'package.json': ordersPackage,
    'src/db.ts': ordersDb('  max: 10,'),
    'src/server.ts': ordersServer,
    'k8s/deployment.yaml': ordersDeployment(3, 'postgresql://orders_app:orders@orders.c9akciq32.eu-west-1.rds.amazonaws.com:5432/orders'),
    'k8s/hpa.yaml': ordersHpa(20),
    'infra/rds.tf': `resource "aws_db_instance" "orders" {
  identifier        = "orders"
  engine            = "postgres"
  engine_version    = "16.3"
  instance_class    = "db.t3.micro"
  allocated_storage = 50
  multi_az          = false
  username          = "orders_app"
  password          = var.db_password
}
`,
  });
  assert.equal(d.server.origin, 'terraform');
  assert.equal(d.server.maxConnections.source, 'formula');
  assert.equal(d.server.maxConnections.value, 112);
  assert.equal(d.budget.normal.arithmetic, 'order-service 3 replicas × 10 = 30 ≤ 109 usable of max_connections 112');
  assert.equal(d.budget.peak?.arithmetic, 'order-service 20 replicas × 10 = 200 > 109 usable of max_connections 112');
  assert.equal(d.budget.status, 'exceeded-at-peak');
});

test('capacity: a parameter group\'s max_connections wins over the formula; multi_az is a standby', async () => {
  const d = await postgres({
    'package.json': ordersPackage,
    'src/db.ts': ordersDb('  max: 10,'),
    'src/server.ts': ordersServer,
    'k8s/deployment.yaml': ordersDeployment(4),
    'infra/main.tf': `resource "aws_db_parameter_group" "orders" {
  name   = "orders-pg16"
  family = "postgres16"

  parameter {
    name         = "max_connections"
    value        = "50"
    apply_method = "pending-reboot"
  }

  parameter {
    name  = "statement_timeout"
    value = "10000"
  }
}

resource "aws_db_instance" "orders" {
  engine               = "postgres"
  instance_class       = "db.r6g.large"
  multi_az             = true
  parameter_group_name = aws_db_parameter_group.orders.name
}
`,
  });
  assert.equal(d.server.maxConnections.value, 50);
  assert.deepEqual(d.server.maxConnections.evidence, { file: 'infra/main.tf', line: 7 });
  assert.equal(d.server.statementTimeout?.value, '10000');
  assert.equal(d.server.replica.present, true);
  assert.equal(d.budget.normal.arithmetic, 'order-service 4 replicas × 10 = 40 ≤ 47 usable of max_connections 50');
});

test('capacity: a Lambda whose URL lives in SSM — unknowns are reported as unknown, with what would make them known', async () => {
  const d = await postgres({
    'package.json': JSON.stringify({ name: 'invoices-api', dependencies: { pg: '^8.11.0' } }),
    'serverless.yml': lambdaServerless(),
    'src/handler.ts': lambdaHandler,
  });
  const api = d.runtimes[0];
  assert.equal(api.url?.resolved, false);
  assert.equal(api.pool.value, 2);
  assert.equal(api.replicas.source, 'unknown');
  assert.equal(api.peak.unbounded, true);
  assert.equal(d.budget.status, 'unbounded-at-peak');
  assert.equal(d.server.maxConnections.source, 'unknown');
  assert.match(d.server.maxConnections.note, /declare datastores\.datastore:postgres\.maxConnections/);
  assert.ok(d.budget.unknowns.some((u) => /reservedConcurrency/.test(u)));
});

test('capacity: reserved concurrency bounds a Lambda\'s peak', async () => {
  const d = await postgres({
    'package.json': JSON.stringify({ name: 'invoices-api', dependencies: { pg: '^8.11.0' } }),
    'serverless.yml': lambdaServerless('    reservedConcurrency: 40\n'),
    'src/handler.ts': lambdaHandler,
  }, { datastores: { 'datastore:postgres': { maxConnections: 100 } } });
  assert.equal(d.budget.peak?.arithmetic, 'api up to 40 concurrent × 2 = 80 ≤ 97 usable of max_connections 100');
  assert.equal(d.budget.status, 'unknown');
});

test('capacity: a pool size read from an env var takes the runtime\'s value', async () => {
  const d = await postgres({
    'package.json': ordersPackage,
    'src/db.ts': ordersDb('  max: Number(process.env.DB_POOL_MAX ?? 10),'),
    'src/server.ts': ordersServer,
    'docker-compose.yml': `services:
  api:
    build: .
    command: node dist/server.js
    environment:
      DATABASE_URL: postgresql://orders_app:orders@postgres:5432/orders
      DB_POOL_MAX: "20"
    deploy:
      replicas: 3
  postgres:
    image: postgres:16
    command: ["postgres", "-c", "max_connections=50", "-c", "superuser_reserved_connections=5"]
`,
  });
  assert.equal(d.runtimes[0].pool.value, 20);
  assert.deepEqual(d.runtimes[0].pool.evidence, { file: 'docker-compose.yml', line: 7 });
  assert.equal(d.server.usable, 45);
  assert.equal(d.budget.normal.arithmetic, 'api 3 replicas × 20 = 60 > 45 usable of max_connections 50');
});

test('capacity: examples/health-sync — 2 api replicas × 10 + 1 worker × 10 fit under 57 usable of 60', async () => {
  const { model } = await runPipeline(path.join(root, 'examples/health-sync'), { rules: [] });
  const d = (model.capacity as Capacity).datastores.find((x) => x.datastore === 'datastore:postgres')!;
  assert.equal(d.budget.status, 'fits');
  assert.equal(d.budget.normal.arithmetic, 'api 2 replicas × 10 + worker 1 replica × 10 = 30 ≤ 57 usable of max_connections 60');
});

test('capacity: examples/portal — the compose max_connections is local; the Lambda\'s pool and concurrency are unknown', async () => {
  const { model } = await runPipeline(path.join(root, 'examples/portal'), { rules: [] });
  const d = (model.capacity as Capacity).datastores.find((x) => x.datastore === 'datastore:postgres')!;
  assert.equal(d.server.localOnly, true);
  assert.equal(d.budget.status, 'unbounded-at-peak');
  assert.equal(d.runtimes[0].runtime, 'runtime:api');
  assert.equal(d.runtimes[0].url?.resolved, false);
  assert.equal(d.runtimes[0].urlExample?.evidence.file, '.env.example');
});

test('capacity: Kubernetes replicas come through to runtimes; a postgres StatefulSet is not a replica', async () => {
  const d = await postgres({ ...ordersOnKubernetes(2, '  max: 5,', 100), 'k8s/postgres.yaml': ordersPostgres(100) });
  assert.equal(d.server.replica.present, false);
  assert.deepEqual(d.server.evidence, { file: 'k8s/postgres.yaml', line: 4 });
  assert.deepEqual(d.server.maxConnections.evidence, { file: 'k8s/postgres.yaml', line: 19 });
});
