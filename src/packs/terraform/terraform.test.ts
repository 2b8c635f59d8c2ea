import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanTree } from '../../../test/helpers/fixture.js';
import type { InfraFacts } from '../types.js';

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

/** What the pack declared: resource, redundancy and settings, one line each. */
const declared = (infra: InfraFacts) =>
  (infra.resources ?? []).filter((r) => r.origin === 'terraform').map((r) => `${r.ref.kind}:${r.ref.name} ${JSON.stringify(r.redundancy)} ${JSON.stringify(r.settings)} @${r.evidence.map((e) => `${e.file}:${e.line}`).join(',')}`);

test('terraform: an RDS instance with multi_az and a read replica (replicate_source_db) gives the datastore a standby and a replica; its parameter group\'s settings cite their lines', async () => {
  const { model, scan } = await scanTree({
    ...code,
    'infra/rds.tf': `resource "aws_db_instance" "main" {
  identifier           = "shop"
  engine               = "postgres"
  engine_version       = "16.3"
  instance_class       = "db.r6g.large"
  multi_az             = true
  parameter_group_name = aws_db_parameter_group.shop.name
}

resource "aws_db_instance" "read" {
  identifier          = "shop-read"
  replicate_source_db = aws_db_instance.main.identifier
  instance_class      = "db.r6g.large"
  engine              = "postgres"
}

resource "aws_db_parameter_group" "shop" {
  family = "postgres16"
  parameter {
    name  = "max_connections"
    value = "400"
  }
  parameter {
    name  = "statement_timeout"
    value = "15000"
  }
}
`,
  }, { rules: [] });
  assert.deepEqual(declared(scan.infra), [
    'datastore:postgres {"multiAz":true,"readReplica":true} {"resource":"aws_db_instance.main","engine":"postgres","instance_class":"db.r6g.large","max_connections":400,"statement_timeout":15000} @infra/rds.tf:1',
    'datastore:postgres {"readReplica":true} {"resource":"aws_db_instance.read","engine":"postgres","instance_class":"db.r6g.large","role":"replica"} @infra/rds.tf:10',
  ]);
  const main = scan.infra.resources!.find((r) => r.settings?.resource === 'aws_db_instance.main')!;
  assert.deepEqual(main.settingEvidence, { instance_class: { file: 'infra/rds.tf', line: 5 }, max_connections: { file: 'infra/rds.tf', line: 21 }, statement_timeout: { file: 'infra/rds.tf', line: 25 } });
  const pg = model.nodes.find((n) => n.id === 'datastore:postgres')!;
  assert.deepEqual(pg.redundancy, { multiAz: true, readReplica: true });
  assert.deepEqual(pg.evidence.map((e) => `${e.file}:${e.line}`), ['infra/rds.tf:1', 'infra/rds.tf:10', 'src/server.ts:5']);
});

test('terraform: Aurora cluster instances (count) are replicas across AZs; the rds module\'s multi_az and parameters; an aws_db_proxy is declared as RDS Proxy', async () => {
  const aurora = await scanTree({
    ...code,
    'infra/aurora.tf': `resource "aws_rds_cluster" "shop" {
  cluster_identifier              = "shop"
  engine                          = "aurora-postgresql"
  db_cluster_parameter_group_name = aws_rds_cluster_parameter_group.shop.name
}

resource "aws_rds_cluster_instance" "writer" {
  cluster_identifier = aws_rds_cluster.shop.id
  instance_class     = "db.r6g.xlarge"
}

resource "aws_rds_cluster_instance" "readers" {
  count              = 2
  cluster_identifier = aws_rds_cluster.shop.id
  instance_class     = "db.r6g.large"
}

resource "aws_rds_cluster_parameter_group" "shop" {
  family = "aurora-postgresql16"
  parameter {
    name  = "max_connections"
    value = "1000"
  }
}

resource "aws_db_proxy" "shop" {
  name          = "shop-proxy"
  engine_family = "POSTGRESQL"
}
`,
  }, { rules: [] });
  assert.deepEqual(declared(aurora.scan.infra), [
    'datastore:postgres {"replicas":3,"readReplica":true,"multiAz":true} {"resource":"aws_rds_cluster.shop","engine":"aurora-postgresql","aurora":true,"instance_class":"db.r6g.xlarge","max_connections":1000} @infra/aurora.tf:1',
    'datastore:rds-proxy undefined {"kind":"rds-proxy","resource":"aws_db_proxy.shop","engine_family":"POSTGRESQL"} @infra/aurora.tf:26',
  ]);
  assert.deepEqual(aurora.model.nodes.find((n) => n.id === 'datastore:postgres')?.redundancy, { replicas: 3, readReplica: true, multiAz: true });

  const mod = await scanTree({
    ...code,
    'infra/main.tf': `module "db" {
  source         = "terraform-aws-modules/rds/aws"
  version        = "~> 6.0"
  identifier     = "shop"
  engine         = "postgres"
  instance_class = "db.t4g.large"
  multi_az       = true
  parameters = [
    { name = "max_connections", value = "250" },
  ]
}
`,
  }, { rules: [] });
  assert.deepEqual(declared(mod.scan.infra), ['datastore:postgres {"multiAz":true} {"resource":"module.db","engine":"postgres","instance_class":"db.t4g.large","max_connections":250} @infra/main.tf:1']);
});

test('terraform: a variable\'s default is not the attribute\'s value — multi_az = var.multi_az, count = var.readers and a parameter from a variable stay unknown (trap)', async () => {
  const { model, scan } = await scanTree({
    ...code,
    'infra/variables.tf': `variable "multi_az" {
  type    = bool
  default = true
}

variable "readers" {
  type    = number
  default = 2
}
`,
    'infra/rds.tf': `resource "aws_db_instance" "main" {
  engine               = "postgres"
  instance_class       = var.instance_class
  multi_az             = var.multi_az
  parameter_group_name = aws_db_parameter_group.shop.name
}

resource "aws_db_parameter_group" "shop" {
  family = "postgres16"
  parameter {
    name  = "statement_timeout"
    value = var.statement_timeout
  }
}

resource "aws_rds_cluster" "analytics" {
  engine = "aurora-postgresql"
}

resource "aws_rds_cluster_instance" "analytics" {
  count              = var.readers
  cluster_identifier = aws_rds_cluster.analytics.id
}
`,
  }, { rules: [] });
  assert.deepEqual(declared(scan.infra), [
    'datastore:postgres undefined {"resource":"aws_db_instance.main","engine":"postgres"} @infra/rds.tf:1',
    'datastore:postgres undefined {"resource":"aws_rds_cluster.analytics","engine":"aurora-postgresql","aurora":true} @infra/rds.tf:16',
  ]);
  assert.equal(model.nodes.find((n) => n.id === 'datastore:postgres')?.redundancy, undefined);
});

test('terraform: commented-out attributes and resources, an engine from a variable, other engines and non-database resources (ElastiCache, SQS) declare no datastore redundancy (trap)', async () => {
  const { model, scan } = await scanTree({
    ...code,
    'infra/main.tf': `resource "aws_db_instance" "main" {
  engine         = "postgres"
  instance_class = "db.t4g.medium"
  # multi_az     = true
  // multi_az    = true
}

/*
resource "aws_db_instance" "read" {
  replicate_source_db = aws_db_instance.main.identifier
  engine              = "postgres"
}
*/

resource "aws_db_instance" "legacy" {
  engine = var.engine
}

resource "aws_db_instance" "reports" {
  engine   = "sqlserver-ex"
  multi_az = true
}

resource "aws_elasticache_replication_group" "cache" {
  replication_group_id = "shop-cache"
  engine               = "redis"
  num_cache_clusters   = 2
  multi_az_enabled     = true
}

resource "aws_sqs_queue" "jobs" {
  name = "shop-jobs"
}
`,
  }, { rules: [] });
  assert.deepEqual(declared(scan.infra), ['datastore:postgres undefined {"resource":"aws_db_instance.main","engine":"postgres","instance_class":"db.t4g.medium"} @infra/main.tf:1']);
  assert.equal(model.nodes.find((n) => n.id === 'datastore:postgres')?.redundancy, undefined);
  assert.deepEqual(model.nodes.filter((n) => n.kind === 'datastore' || n.kind === 'cache' || n.kind === 'queue').map((n) => n.id), ['datastore:postgres']);
});

test('terraform: a MySQL instance the code does not use is declared but adds no node; the postgres node keeps only its own facts (trap)', async () => {
  const { model, scan } = await scanTree({
    ...code,
    'infra/main.tf': `resource "aws_db_instance" "analytics" {
  engine   = "mysql"
  multi_az = true
}
`,
  }, { rules: [] });
  assert.deepEqual(declared(scan.infra), ['datastore:mysql {"multiAz":true} {"resource":"aws_db_instance.analytics","engine":"mysql"} @infra/main.tf:1']);
  assert.deepEqual(model.nodes.filter((n) => n.kind === 'datastore').map((n) => `${n.id} ${JSON.stringify(n.redundancy)}`), ['datastore:postgres undefined']);
});
