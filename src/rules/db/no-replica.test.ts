import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import { ordersDb, ordersDeployment, ordersPackage, ordersServer, pgbouncerCompose } from '../../analyze/capacity/fixtures.js';
import noReplica from './no-replica.js';

const RULE = 'db/no-replica';
const rules = [noReplica];
const app = { 'package.json': ordersPackage, 'src/db.ts': ordersDb('  max: 5,'), 'src/server.ts': ordersServer };

test(`${RULE}: fires on a single compose postgres service (at its image line)`, async () => {
  const model = await scanModel({ ...app, 'docker-compose.yml': pgbouncerCompose(2) }, { rules });
  assert.deepEqual(hits(model, RULE), ['docker-compose.yml:24']);
  assert.match(model.findings[0].impact, /GET \/orders\/:id/);
});

test(`${RULE}: fires on a Terraform RDS instance without multi_az or a read replica`, async () => {
  const model = await scanModel({ ...app, 'k8s/deployment.yaml': ordersDeployment(2), 'infra/rds.tf': 'resource "aws_db_instance" "orders" {\n  engine         = "postgres"\n  instance_class = "db.m6g.large"\n  multi_az       = false\n}\n' }, { rules });
  assert.deepEqual(hits(model, RULE), ['infra/rds.tf:1']);
});

test(`${RULE}: silent with multi_az, or with a replicate_source_db read replica`, async () => {
  const multiAz = await scanModel({ ...app, 'k8s/deployment.yaml': ordersDeployment(2), 'infra/rds.tf': 'resource "aws_db_instance" "orders" {\n  engine         = "postgres"\n  instance_class = "db.m6g.large"\n  multi_az       = true\n}\n' }, { rules });
  assert.deepEqual(hits(multiAz, RULE), []);
  const replica = await scanModel({
    ...app, 'k8s/deployment.yaml': ordersDeployment(2),
    'infra/rds.tf': 'resource "aws_db_instance" "orders" {\n  engine         = "postgres"\n  instance_class = "db.m6g.large"\n}\n\nresource "aws_db_instance" "orders_read" {\n  replicate_source_db = aws_db_instance.orders.identifier\n  instance_class      = "db.m6g.large"\n  engine              = "postgres"\n}\n',
  }, { rules });
  assert.deepEqual(hits(replica, RULE), []);
});

test(`${RULE}: silent when faultline.config.yml declares a standby, and when no server is declared at all (trap)`, async () => {
  const declared = await scanModel({ ...app, 'docker-compose.yml': pgbouncerCompose(2) }, { rules, config: { datastores: { 'datastore:postgres': { multiAz: true } } } });
  assert.deepEqual(hits(declared, RULE), []);
  const urlOnly = await scanModel({ ...app, 'k8s/deployment.yaml': ordersDeployment(2, 'postgresql://orders:pw@orders.c9akciq32.eu-west-1.rds.amazonaws.com:5432/orders') }, { rules });
  assert.deepEqual(hits(urlOnly, RULE), []);
});

test(`${RULE}: silent on a CloudNativePG cluster with three instances`, async () => {
  const model = await scanModel({ ...app, 'k8s/deployment.yaml': ordersDeployment(2), 'k8s/db.yaml': 'apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: orders-db\nspec:\n  instances: 3\n  storage:\n    size: 20Gi\n' }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});
