import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model } from '../../model/types.js';
import { edgesTo, scanModel } from '../../../test/helpers/fixture.js';

const scan = (files: Record<string, string>) => scanModel(files, { rules: [] });
const evidence = (model: Model, to: string) => model.edges.filter((e) => e.to === to).map((e) => `${e.kind}${e.guards.transaction ? '+tx' : ''}${e.readOnly ? ' ro' : ''} ${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`).sort();
const datastores = (model: Model) => model.nodes.filter((n) => n.kind === 'datastore').map((n) => `${n.id} ${n.tech}`);

const app = `import express from 'express';
import * as users from './users/users.repository';
const app = express();
app.get('/users/:id', async (req, res) => res.json(await users.findUser(req.params.id)));
app.get('/users', async (req, res) => res.json(await users.activeUsers(req.query.team as string | undefined)));
app.put('/users/:id', async (req, res) => res.json(await users.renameUser(req.params.id, req.body.name)));
app.delete('/users/:id', async (req, res) => res.json(await users.removeUser(req.params.id)));
app.listen(3000);
`;

test('knex: builder chains read or write by their verbs; trx chains are transactional; subqueries and fragments are not queries', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'accounts', dependencies: { knex: '^3.1.0', pg: '^8.12.0', express: '^4.19.0' } }),
    'src/db.ts': `import knex from 'knex';
export const db = knex({ client: 'pg', connection: process.env.DATABASE_URL, pool: { min: 0, max: 10 } });
`,
    'src/users/users.repository.ts': `import { db } from '../db';

export async function findUser(id: string) {
  return db('users').where({ id }).first();
}

export async function activeUsers(team?: string) {
  const query = db('users').where({ active: true });
  if (team) query.andWhere({ team });
  return query;
}

export async function renameUser(id: string, name: string) {
  await db('users')
    .where({ id })
    .update({ name, updated_at: db.fn.now() });
  const [{ count }] = await db('users').whereIn('id', db('sessions').select('user_id')).count();
  return { count };
}

export async function removeUser(id: string) {
  await db.transaction(async (trx) => {
    await trx('sessions').where({ user_id: id }).del();
    await trx('users').where({ id }).del();
  });
  await db.raw('DELETE FROM audit_cursors WHERE user_id = ?', [id]);
}
`,
    'src/app.ts': app,
  });
  assert.deepEqual(datastores(model), ['datastore:postgres postgresql']);
  assert.deepEqual(evidence(model, 'datastore:postgres'), [
    'reads ro src/users/users.repository.ts:4 src/users/users.repository.ts:17',
    // a builder kept in a variable may still become a write: only its use is known
    'uses src/users/users.repository.ts:8',
    'writes src/users/users.repository.ts:14 src/users/users.repository.ts:26',
    'writes+tx src/users/users.repository.ts:23 src/users/users.repository.ts:24',
  ]);
  assert.deepEqual(edgesTo(model, 'datastore:postgres'), [
    'component:users -reads/sync-> datastore:postgres',
    'component:users -uses/sync-> datastore:postgres',
    'component:users -writes/sync-> datastore:postgres',
    'component:users -writes/sync-> datastore:postgres',
  ]);
});

test('knex: the client comes from a knexfile when the instance is built from a config lookup', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'ledger', dependencies: { knex: '^3.1.0', mysql2: '^3.11.0', express: '^4.19.0' } }),
    'knexfile.ts': `const config = {
  development: { client: 'mysql2', connection: { host: '127.0.0.1', database: 'ledger' } },
  production: { client: 'mysql2', connection: process.env.DATABASE_URL, pool: { min: 2, max: 20 } },
};
export default config;
`,
    'src/db.ts': `import knex from 'knex';
import config from '../knexfile';
export const db = knex(config[process.env.NODE_ENV === 'production' ? 'production' : 'development']);
`,
    'src/entries/entries.repository.ts': `import { db } from '../db';
export async function addEntry(accountId: string, cents: number) {
  await db('entries').insert({ account_id: accountId, cents });
}
`,
    'src/app.ts': `import express from 'express';
import { addEntry } from './entries/entries.repository';
const app = express();
app.post('/entries', async (req, res) => res.json(await addEntry(req.body.accountId, req.body.cents)));
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), ['datastore:mysql mysql']);
  assert.deepEqual(evidence(model, 'datastore:mysql'), ['writes src/entries/entries.repository.ts:3']);
});

test('knex: nothing when knex is only listed in package.json and a local db() helper builds queries (trap)', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'reports', dependencies: { knex: '^3.1.0', express: '^4.19.0' } }),
    'src/reports/memory-table.ts': `const tables: Record<string, { id: string }[]> = { reports: [] };
export function db(table: string) {
  return {
    where: (match: { id: string }) => ({ first: async () => tables[table].find((r) => r.id === match.id), update: async () => 1 }),
  };
}
`,
    'src/reports/reports.service.ts': `import { db } from './memory-table';
export async function loadReport(id: string) {
  return db('reports').where({ id }).first();
}
export async function touchReport(id: string) {
  await db('reports').where({ id }).update();
}
`,
    'src/app.ts': `import express from 'express';
import { loadReport, touchReport } from './reports/reports.service';
const app = express();
app.get('/reports/:id', async (req, res) => res.json(await loadReport(req.params.id)));
app.post('/reports/:id/touch', async (req, res) => res.json(await touchReport(req.params.id)));
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), []);
});
