import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import { lambdaHandler, lambdaServerless, ordersDb, ordersDeployment, ordersOnKubernetes, ordersPackage, ordersServer, pgbouncerCompose, studyRepo } from '../../analyze/capacity/fixtures.js';
import noPooler from './no-pooler.js';

const RULE = 'db/no-pooler';
const rules = [noPooler];

test(`${RULE}: fires when 4 pods connect straight to the postgres service`, async () => {
  const model = await scanModel(ordersOnKubernetes(4, '  max: 5,', 100), { rules });
  assert.deepEqual(hits(model, RULE), ['k8s/deployment.yaml:24']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.match(f.title, /4 processes connect straight to postgres/);
  assert.match(f.impact, /order-service \(4 replicas\)/);
});

test(`${RULE}: fires on a Lambda connecting directly (its example URL points at 5432)`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'invoices-api', dependencies: { pg: '^8.11.0' } }),
    'serverless.yml': lambdaServerless(),
    '.env.example': 'DATABASE_URL=postgresql://invoices:invoices@localhost:5432/invoices\n',
    'src/handler.ts': lambdaHandler,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['serverless.yml:6']);
  assert.match(model.findings[0].recommendation, /RDS Proxy/);
});

test(`${RULE}: silent behind PgBouncer, and for one container with one replica`, async () => {
  const pooled = await scanModel({ 'package.json': ordersPackage, 'src/db.ts': ordersDb('  max: 5,'), 'src/server.ts': ordersServer, 'docker-compose.yml': pgbouncerCompose(6) }, { rules });
  assert.deepEqual(hits(pooled, RULE), []);
  const single = await scanModel(ordersOnKubernetes(1, '  max: 5,', 100), { rules });
  assert.deepEqual(hits(single, RULE), []);
});

test(`${RULE}: silent on Supabase's transaction pooler (port 6543), with a direct URL kept for migrations`, async () => {
  const pooled = 'postgresql://postgres.studyhub:pw@aws-0-eu-west-1.pooler.supabase.com:6543/postgres?pgbouncer=true&connection_limit=8';
  const model = await scanModel(studyRepo({ replicas: 4, url: pooled }, { replicas: 2, url: pooled }), { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent when an RDS Proxy is declared, even if a URL looks direct (trap)`, async () => {
  const model = await scanModel({
    'package.json': ordersPackage,
    'src/db.ts': ordersDb('  max: 5,'),
    'src/server.ts': ordersServer,
    'k8s/deployment.yaml': ordersDeployment(6, 'postgresql://orders_app:orders@orders.c9akciq32.eu-west-1.rds.amazonaws.com:5432/orders'),
    'infra/proxy.tf': 'resource "aws_db_proxy" "orders" {\n  name          = "orders-proxy"\n  engine_family = "POSTGRESQL"\n}\n',
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});
