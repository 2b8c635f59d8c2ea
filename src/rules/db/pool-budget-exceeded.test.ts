import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import { lambdaHandler, lambdaServerless, ordersDb, ordersDeployment, ordersHpa, ordersOnKubernetes, ordersPackage, ordersServer, pgbouncerCompose, studyRepo } from '../../analyze/capacity/fixtures.js';
import poolBudgetExceeded from './pool-budget-exceeded.js';

const RULE = 'db/pool-budget-exceeded';
const rules = [poolBudgetExceeded];
const supabase = 'postgresql://postgres.studyhub:pw@db.studyhub.supabase.co:5432/postgres';

test(`${RULE}: fires on seed 002's numbers — 21 pods × 5 connections against max_connections 100`, async () => {
  const model = await scanModel(ordersOnKubernetes(21, '  max: 5,\n  statement_timeout: 5_000,', 100), { rules });
  assert.deepEqual(hits(model, RULE), ['k8s/postgres.yaml:19']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.equal(f.severity, 'critical');
  assert.match(f.title, /order-service 21 replicas × 5 = 105 > 97 usable of max_connections 100/);
  assert.match(f.impact, /GET \/orders\/:id/);
  assert.deepEqual(f.locations.map((l) => `${l.file}:${l.line}`), ['k8s/postgres.yaml:19', 'k8s/deployment.yaml:4', 'src/db.ts:3']);
});

test(`${RULE}: fires at high when only the HPA maximum overflows the RDS default for the instance class`, async () => {
  const model = await scanModel({
    'package.json': ordersPackage,
    'src/db.ts': ordersDb('  max: 10,'),
    'src/server.ts': ordersServer,
    'k8s/deployment.yaml': ordersDeployment(3, 'postgresql://orders_app:orders@orders.c9akciq32.eu-west-1.rds.amazonaws.com:5432/orders'),
    'k8s/hpa.yaml': ordersHpa(20),
    'infra/rds.tf': 'resource "aws_db_instance" "orders" {\n  engine         = "postgres"\n  instance_class = "db.t3.micro"\n}\n',
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['infra/rds.tf:3']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.equal(f.severity, 'high');
  assert.match(f.title, /at peak .*: order-service 20 replicas × 10 = 200 > 109 usable of max_connections 112/);
});

test(`${RULE}: fires when the clients of a PgBouncer exceed its max_client_conn`, async () => {
  const model = await scanModel({ 'package.json': ordersPackage, 'src/db.ts': ordersDb('  max: 5,'), 'src/server.ts': ordersServer, 'docker-compose.yml': pgbouncerCompose(21, 100) }, { rules });
  assert.deepEqual(hits(model, RULE), ['docker-compose.yml:17']);
  assert.match(model.findings[0].title, /105 > max_client_conn 100 of pgbouncer/);
});

test(`${RULE}: silent when 19 pods × 5 fit under 97 usable`, async () => {
  const model = await scanModel(ordersOnKubernetes(19, '  max: 5,', 100), { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent behind PgBouncer — 21 × 5 clients, 30 server connections`, async () => {
  const model = await scanModel({ 'package.json': ordersPackage, 'src/db.ts': ordersDb('  max: 5,'), 'src/server.ts': ordersServer, 'docker-compose.yml': pgbouncerCompose(21) }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent on seed 001's per-tier budgets under 90 (web 4 × 8 + worker 3 × 5)`, async () => {
  const model = await scanModel(studyRepo({ replicas: 4, url: `${supabase}?connection_limit=8` }, { replicas: 3, url: `${supabase}?connection_limit=5` }), { rules, config: { datastores: { 'datastore:postgres': { maxConnections: 90 } } } });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent when pool sizes are unknown, however many replicas (never guessed) (trap)`, async () => {
  const model = await scanModel(studyRepo({ replicas: 40, url: supabase }, { replicas: 20, url: supabase }), { rules, config: { datastores: { 'datastore:postgres': { maxConnections: 90 } } } });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent when the only max_connections is a local compose database and the runtime is a Lambda (trap)`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'invoices-api', dependencies: { pg: '^8.11.0' } }),
    'serverless.yml': lambdaServerless('    reservedConcurrency: 200\n'),
    'src/handler.ts': lambdaHandler,
    'docker-compose.yml': 'services:\n  db:\n    image: postgres:16\n    command: postgres -c max_connections=100\n',
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});
