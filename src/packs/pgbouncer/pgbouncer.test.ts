import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Capacity, DatastoreCapacity } from '../../analyze/capacity/types.js';
import type { Config } from '../../config/schema.js';
import { scanTree } from '../../../test/helpers/fixture.js';

const app = {
  'package.json': JSON.stringify({ name: 'orders', dependencies: { pg: '^8.11.0', express: '^4.19.0' } }),
  'src/db.ts': `import { Pool } from 'pg';
export const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
`,
  'src/server.ts': `import express from 'express';
import { pool } from './db';
const app = express();
app.get('/orders/:id', async (req, res) => res.json((await pool.query('SELECT * FROM orders WHERE id = $1', [req.params.id])).rows[0]));
app.listen(3000);
`,
};
const sixReplicas: Config = { runtimes: { orders: { replicas: 6 } } };

async function scan(files: Record<string, string>, config: Config = sixReplicas) {
  const { model, scan } = await scanTree({ ...app, ...files }, { rules: [], config });
  const stores = (model.capacity as Capacity).datastores;
  assert.deepEqual(stores.map((d) => d.datastore), ['datastore:postgres']);
  return { infra: scan.infra, d: stores[0] as DatastoreCapacity };
}

const ini = `; PgBouncer in front of the orders database
[databases]
orders = host=db port=5432 dbname=orders
reports = host=db port=5432 dbname=reports

[pgbouncer]
listen_addr = 0.0.0.0
listen_port = 6432
auth_type = scram-sha-256
;pool_mode = session
pool_mode = transaction
default_pool_size = 25  ; per user/database pair
reserve_pool_size = 5
max_db_connections = 28
max_client_conn = 500
# query_timeout = 5
query_timeout = 30

[users]
reporting = pool_mode=session max_user_connections=2
`;

test('pgbouncer: pool_mode and sizes of the [pgbouncer] section, with their lines, and the databases it serves', async () => {
  const { infra, d } = await scan({
    '.env': 'DATABASE_URL=postgresql://orders:pw@pgbouncer:6432/orders\n',
    'db/postgresql.conf': 'max_connections = 60\n',
    'deploy/pgbouncer/pgbouncer.ini': ini,
  });
  const res = infra.resources!.filter((r) => r.origin === 'pgbouncer.ini');
  assert.deepEqual(res.map((r) => [r.ref, r.evidence]), [[{ kind: 'datastore', name: 'pgbouncer', tech: 'pgbouncer' }, [{ file: 'deploy/pgbouncer/pgbouncer.ini', line: 6 }]]]);
  // the commented `;pool_mode = session` and `# query_timeout = 5` are not read; listen_addr and auth_type are not capacity settings
  assert.deepEqual(res[0].settings, {
    kind: 'pgbouncer', file: 'deploy/pgbouncer/pgbouncer.ini', databases: 2,
    listen_port: 6432, pool_mode: 'transaction', default_pool_size: 25, reserve_pool_size: 5, max_db_connections: 28, max_client_conn: 500, query_timeout: 30,
  });
  assert.deepEqual(res[0].settingEvidence?.pool_mode, { file: 'deploy/pgbouncer/pgbouncer.ini', line: 11 });

  // capacity: one pooler, explicit everywhere; the server sees the pooler's pool, not 6 replicas × 10
  assert.equal(d.poolers.length, 1);
  const p = d.poolers[0];
  assert.deepEqual([p.kind, p.origin, p.poolMode.value, p.poolMode.source, p.port, p.replicas], ['pgbouncer', 'pgbouncer.ini', 'transaction', 'explicit', 6432, 1]);
  assert.deepEqual([p.defaultPoolSize, p.reservePoolSize, p.maxClientConn, p.maxDbConnections].map((k) => [k?.value, k?.source, k?.evidence?.line]), [[25, 'explicit', 12], [5, 'explicit', 13], [500, 'explicit', 15], [28, 'explicit', 14]]);
  assert.deepEqual(p.queryTimeout, { value: '30', evidence: { file: 'deploy/pgbouncer/pgbouncer.ini', line: 17 } });
  assert.deepEqual(d.runtimes.map((r) => [r.runtime, r.url?.via, r.url?.pooler]), [['runtime:orders', 'pooler', 'pgbouncer']]);
  assert.equal(d.budget.status, 'fits');
  assert.equal(d.budget.normal.arithmetic, 'pgbouncer (default_pool_size 25 + reserve_pool_size 5) capped at max_db_connections 28 = 28 ≤ 57 usable of max_connections 60');
  assert.equal(d.budget.poolerClients?.arithmetic, 'orders 6 replicas × 10 = 60 ≤ max_client_conn 500 of pgbouncer');
});

test('pgbouncer: the ini a docker-compose pgbouncer service mounts is the same pooler, named by the service', async () => {
  const { d } = await scan({
    'docker-compose.yml': `services:
  api:
    build: .
    command: node dist/server.js
    environment:
      DATABASE_URL: postgresql://orders:pw@bouncer:6432/orders
    deploy:
      replicas: 4
  bouncer:
    image: edoburu/pgbouncer:1.22.1
    volumes:
      - ./pgbouncer/pgbouncer.ini:/etc/pgbouncer/pgbouncer.ini:ro
  db:
    image: postgres:16
    command: postgres -c max_connections=100
`,
    'pgbouncer/pgbouncer.ini': '[databases]\n* = host=db port=5432\n\n[pgbouncer]\npool_mode = transaction\nmax_client_conn = 120\n',
  }, {});
  assert.deepEqual(d.poolers.map((p) => [p.name, p.origin, p.poolMode.value, p.maxClientConn.value, p.maxClientConn.evidence]), [['bouncer', 'pgbouncer.ini', 'transaction', 120, { file: 'pgbouncer/pgbouncer.ini', line: 6 }]]);
  assert.equal(d.budget.poolerClients?.arithmetic, 'api 4 replicas × 10 = 40 ≤ max_client_conn 120 of bouncer');
  assert.equal(d.budget.normal.arithmetic, 'bouncer default_pool_size 20 = 20 ≤ 97 usable of max_connections 100');
});

test('pgbouncer: commented-out settings, a query_timeout of 0 and an example ini are not read: PgBouncer defaults (trap)', async () => {
  const { infra, d } = await scan({
    '.env': 'DATABASE_URL=postgresql://orders:pw@pgbouncer:6432/orders\n',
    'db/postgresql.conf': 'max_connections = 60\n',
    'pgbouncer.ini': `[databases]
orders = host=db port=5432 dbname=orders

[pgbouncer]
listen_port = 6432
;pool_mode = transaction
# default_pool_size = 50
  ; max_client_conn = 5000
query_timeout = 0
`,
    'deploy/pgbouncer.example.ini': '[pgbouncer]\npool_mode = transaction\ndefault_pool_size = 90\nmax_client_conn = 10\n',
  });
  const res = infra.resources!.filter((r) => r.origin === 'pgbouncer.ini');
  assert.deepEqual(res.map((r) => r.settings), [{ kind: 'pgbouncer', file: 'pgbouncer.ini', databases: 1, listen_port: 6432, query_timeout: 0 }]);
  // query_timeout = 0 is PgBouncer's "disabled": no queryTimeout
  assert.deepEqual(d.poolers.map((p) => [p.poolMode, p.defaultPoolSize.value, p.defaultPoolSize.source, p.reservePoolSize.value, p.maxClientConn.value, p.maxClientConn.source, p.maxDbConnections, p.queryTimeout]), [
    [{ value: 'session', source: 'default' }, 20, 'default', 0, 100, 'default', undefined, undefined],
  ]);
  assert.equal(d.budget.poolerClients?.arithmetic, 'orders 6 replicas × 10 = 60 ≤ max_client_conn 100 of pgbouncer');
});
