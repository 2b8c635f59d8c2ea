import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Capacity } from '../../analyze/capacity/types.js';
import type { Model } from '../../model/types.js';
import { scanModel } from '../../../test/helpers/fixture.js';

const scan = (files: Record<string, string>) => scanModel(files, { rules: [] });
const datastores = (model: Model) => model.nodes.filter((n) => n.kind === 'datastore').map((n) => `${n.id} ${n.tech}`).sort();
/** Edges into datastores: `entrypoint kind[+ro] -> datastore @ evidence lines`. */
const dataEdges = (model: Model) =>
  model.edges
    .filter((e) => e.to.startsWith('datastore:'))
    .map((e) => `${(e.entrypoints ?? []).join(',')} ${e.kind}${e.readOnly ? '+ro' : ''} -> ${e.to} @ ${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`)
    .sort();
const clients = (model: Model) => (model.capacity as Capacity).datastores.flatMap((d) => d.clients.map((c) => `${d.datastore} ${c.id} ${c.label} default=${c.defaultPool.value} code=${c.codePool?.value ?? '-'}`));

const pkg = (deps: Record<string, string>) => JSON.stringify({ name: 'orders', dependencies: { express: '^4.19.0', ...deps } });

test('pg: Pool queries read or write by their SQL verb; SELECT is read-only; connect() is a use; release/on/end are nothing', async () => {
  const model = await scan({
    'package.json': pkg({ pg: '^8.11.0' }),
    'src/db.ts': `import { Pool } from 'pg';
export const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 8 });
pool.on('error', (err) => console.error('idle client error', err));
`,
    'src/server.ts': `import express from 'express';
import { pool } from './db';
const app = express();
app.get('/orders/:id', async (req, res) => {
  const { rows } = await pool.query('SELECT id, status FROM orders WHERE id = $1', [req.params.id]);
  res.json(rows[0]);
});
app.get('/orders', async (req, res) => {
  const { rows } = await pool.query({ text: 'SELECT id FROM orders WHERE customer_id = $1', values: [req.query.customer] });
  res.json(rows);
});
app.post('/orders', async (req, res) => {
  const client = await pool.connect();
  try {
    await client.query('INSERT INTO orders (customer_id) VALUES ($1)', [req.body.customerId]);
    await client.query({ name: 'audit', text: 'INSERT INTO order_events (kind) VALUES ($1)', values: ['created'] });
  } finally {
    client.release();
  }
  res.status(201).end();
});
app.delete('/orders/:id', async (req, res) => {
  await pool.query(\`DELETE FROM orders WHERE id = \${Number(req.params.id)}\`);
  res.status(204).end();
});
process.on('SIGTERM', () => pool.end());
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), ['datastore:postgres postgresql']);
  assert.deepEqual(dataEdges(model), [
    'entrypoint:DELETE /orders/:id writes -> datastore:postgres @ src/server.ts:23',
    'entrypoint:GET /orders reads+ro -> datastore:postgres @ src/server.ts:9',
    'entrypoint:GET /orders/:id reads+ro -> datastore:postgres @ src/server.ts:5',
    'entrypoint:POST /orders uses -> datastore:postgres @ src/server.ts:13',
    // a query config object ({ name, text, values }) is classified by its text, like a string
    'entrypoint:POST /orders writes -> datastore:postgres @ src/server.ts:15 src/server.ts:16',
  ]);
  // the Pool's own max in capacity, against node-postgres's default 10
  assert.deepEqual(clients(model), ['datastore:postgres pg@src/db.ts:2 pg Pool default=10 code=8']);
});

test('pg: a module-level Client is one connection, a Pool without max takes the default 10 (Client vs Pool)', async () => {
  const model = await scan({
    'package.json': pkg({ pg: '^8.11.0' }),
    'src/db/listener.ts': `import pg from 'pg';
export const listener = new pg.Client({ connectionString: process.env.DATABASE_URL });
`,
    'src/db/pool.ts': `import pg from 'pg';
export const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
`,
    'src/server.ts': `import express from 'express';
import { listener } from './db/listener';
import { pool } from './db/pool';
const app = express();
app.get('/health', async (req, res) => res.json((await listener.query('SELECT 1')).rows));
app.put('/orders/:id', async (req, res) => res.json(await pool.query('UPDATE orders SET status = $2 WHERE id = $1', [req.params.id, req.body.status])));
app.listen(3000);
`,
  });
  assert.deepEqual(dataEdges(model), [
    'entrypoint:GET /health reads+ro -> datastore:postgres @ src/server.ts:5',
    'entrypoint:PUT /orders/:id writes -> datastore:postgres @ src/server.ts:6',
  ]);
  assert.deepEqual(clients(model), [
    'datastore:postgres pg-client@src/db/listener.ts:2 pg Client default=1 code=-',
    'datastore:postgres pg@src/db/pool.ts:2 pg Pool default=10 code=-',
  ]);
});

test('pg / postgres.js: sql`...` is a query classified by its text; sql(value) and sql.json helpers are not queries; unsafe() is raw SQL', async () => {
  const model = await scan({
    'package.json': pkg({ postgres: '^3.4.4' }),
    'src/db.ts': `import postgres from 'postgres';
export const sql = postgres(process.env.DATABASE_URL!, { max: 4 });
`,
    'src/server.ts': `import express from 'express';
import { sql } from './db';
const app = express();
app.get('/users/:id', async (req, res) => res.json(await sql\`SELECT id, name FROM users WHERE id = \${req.params.id}\`));
app.post('/users', async (req, res) => {
  const user = { name: req.body.name, email: req.body.email };
  const [row] = await sql\`INSERT INTO users \${sql({ ...user, prefs: sql.json(req.body.prefs) }, 'name', 'email', 'prefs')} RETURNING id\`;
  res.status(201).json(row);
});
app.get('/tables/:name', async (req, res) => {
  const table = sql(req.params.name);
  res.json({ table });
});
app.delete('/users', async (req, res) => res.json(await sql.unsafe('DELETE FROM users WHERE deleted_at IS NOT NULL')));
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), ['datastore:postgres postgresql']);
  assert.deepEqual(dataEdges(model), [
    'entrypoint:DELETE /users writes -> datastore:postgres @ src/server.ts:14',
    'entrypoint:GET /users/:id reads+ro -> datastore:postgres @ src/server.ts:4',
    'entrypoint:POST /users writes -> datastore:postgres @ src/server.ts:7',
  ]);
  assert.deepEqual(clients(model), ['datastore:postgres postgres@src/db.ts:2 postgres.js default=10 code=4']);
});

test('pg / mysql2: pool.execute and pool.query reach datastore:mysql, not postgres', async () => {
  const model = await scan({
    'package.json': pkg({ mysql2: '^3.9.0' }),
    'src/db.ts': `import mysql from 'mysql2/promise';
export const pool = mysql.createPool({ uri: process.env.MYSQL_URL, connectionLimit: 6 });
`,
    'src/server.ts': `import express from 'express';
import { pool } from './db';
const app = express();
app.get('/items/:id', async (req, res) => res.json(await pool.execute('SELECT * FROM items WHERE id = ?', [req.params.id])));
app.post('/items', async (req, res) => res.json(await pool.query({ sql: 'INSERT INTO items (name) VALUES (?)', values: [req.body.name] })));
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), ['datastore:mysql mysql']);
  assert.deepEqual(dataEdges(model), [
    'entrypoint:GET /items/:id reads+ro -> datastore:mysql @ src/server.ts:4',
    'entrypoint:POST /items writes -> datastore:mysql @ src/server.ts:5',
  ]);
  assert.deepEqual(clients(model), ['datastore:mysql mysql2@src/db.ts:2 mysql2 pool default=10 code=6']);
});

test('pg: a project function called query, a local Pool class, and the pool\'s on/removeAllListeners/end are no queries (trap)', async () => {
  const model = await scan({
    'package.json': pkg({ pg: '^8.11.0' }),
    'src/db.ts': `import { Pool } from 'pg';
export const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 5 });
pool.on('error', (err) => console.error('idle client error', err));
export async function drain() {
  pool.removeAllListeners('error');
  await pool.end();
}
`,
    'src/search/index.ts': `const docs = [{ id: 1, title: 'Lamp' }];
export function query(text: string) {
  return docs.filter((d) => d.title.includes(text));
}
export class Pool {
  private readonly items: string[] = [];
  query(sql: string) { this.items.push(sql); return this.items; }
  connect() { return this; }
}
`,
    'src/server.ts': `import express from 'express';
import { drain } from './db';
import { Pool, query } from './search';
const local = new Pool();
const app = express();
app.get('/search', (req, res) => res.json(query(String(req.query.q))));
app.post('/scratch', (req, res) => res.json(local.connect().query('INSERT INTO scratch VALUES (1)')));
app.post('/admin/drain', async (req, res) => res.json(await drain()));
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), []);
  assert.deepEqual(dataEdges(model), []);
  // the pool still exists for capacity: it is created, whether or not a route queries it
  assert.deepEqual(clients(model), ['datastore:postgres pg@src/db.ts:2 pg Pool default=10 code=5']);
});

test('pg-promise: the database object pgp(connection) makes queries with any/one/none/result..., inside tx/task callbacks too; pgp helpers are no queries (trap)', async () => {
  const model = await scan({
    'package.json': pkg({ 'pg-promise': '^11.5.0' }),
    'src/db.js': `const pgp = require('pg-promise')({ capSQL: true });
const db = pgp(process.env.DATABASE_URL);
module.exports = { db, pgp };
`,
    'src/server.js': `const express = require('express');
const { db, pgp } = require('./db');
const app = express();
app.get('/users/:id', async (req, res) => {
  res.json(await db.oneOrNone('SELECT id, email FROM users WHERE id = $1', [req.params.id]));
});
app.post('/users', async (req, res) => {
  const user = await db.tx(async (t) => {
    const created = await t.one('INSERT INTO users(email) VALUES($1) RETURNING id', [req.body.email]);
    await t.none('INSERT INTO audit(user_id, action) VALUES($1, $2)', [created.id, 'signup']);
    return created;
  });
  res.status(201).json(user);
});
app.get('/export', async (_req, res) => {
  const columns = new pgp.helpers.ColumnSet(['id', 'email'], { table: 'users' });
  res.type('text/plain').send(pgp.as.format('SELECT $1:name FROM users', [columns.names]));
});
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), ['datastore:postgres postgresql']);
  assert.deepEqual(dataEdges(model), [
    'entrypoint:GET /users/:id reads+ro -> datastore:postgres @ src/server.js:5',
    'entrypoint:POST /users writes -> datastore:postgres @ src/server.js:9 src/server.js:10',
  ]);
});
