import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model } from '../../model/types.js';
import { edgesTo, scanModel } from '../../../test/helpers/fixture.js';

const scan = (files: Record<string, string>) => scanModel(files, { rules: [] });
const evidence = (model: Model, to: string) => model.edges.filter((e) => e.to === to).map((e) => `${e.kind}${e.readOnly ? ' ro' : ''} ${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`).sort();
const datastores = (model: Model) => model.nodes.filter((n) => n.kind === 'datastore').map((n) => `${n.id} ${n.tech}`);

test('kysely: executed builders read or write the dialect of new Kysely(...); subqueries and compile() do not run', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'members', dependencies: { kysely: '^0.27.4', pg: '^8.12.0', express: '^4.19.0' } }),
    'src/db.ts': `import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
export const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new Pool({ connectionString: process.env.DATABASE_URL, max: 10 }) }) });
`,
    'src/members/members.repository.ts': `import { sql } from 'kysely';
import { db } from '../db';

export async function activeMembers() {
  const preview = db.selectFrom('members').selectAll().compile();
  const rows = await db
    .selectFrom('members')
    .selectAll()
    .where('id', 'not in', db.selectFrom('bans').select('member_id'))
    .execute();
  return { rows, sql: preview.sql };
}

export async function join(email: string) {
  return db.insertInto('members').values({ email }).returningAll().executeTakeFirstOrThrow();
}

export async function purgeBanned() {
  await db.deleteFrom('members').where('banned', '=', true).execute();
  await sql\`DELETE FROM member_sessions WHERE member_id NOT IN (SELECT id FROM members)\`.execute(db);
}
`,
    'src/app.ts': `import express from 'express';
import { activeMembers, join, purgeBanned } from './members/members.repository';
const app = express();
app.get('/members', async (_req, res) => res.json(await activeMembers()));
app.post('/members', async (req, res) => res.json(await join(req.body.email)));
app.post('/members/purge', async (_req, res) => res.json(await purgeBanned()));
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), ['datastore:postgres postgresql']);
  assert.deepEqual(evidence(model, 'datastore:postgres'), [
    'reads ro src/members/members.repository.ts:6',
    'writes src/members/members.repository.ts:15 src/members/members.repository.ts:19 src/members/members.repository.ts:20',
  ]);
  assert.deepEqual(edgesTo(model, 'datastore:postgres'), ['component:members -reads/sync-> datastore:postgres', 'component:members -writes/sync-> datastore:postgres']);
});

test('kysely: MysqlDialect → datastore:mysql', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'votes', dependencies: { kysely: '^0.27.4', mysql2: '^3.11.0', express: '^4.19.0' } }),
    'src/db.ts': `import { Kysely, MysqlDialect } from 'kysely';
import { createPool } from 'mysql2';
export const db = new Kysely<any>({ dialect: new MysqlDialect({ pool: createPool(process.env.DATABASE_URL!) }) });
`,
    'src/votes/votes.repository.ts': `import { db } from '../db';
export async function tally(pollId: string) {
  return db.selectFrom('votes').select(({ fn }) => fn.countAll().as('n')).where('poll_id', '=', pollId).executeTakeFirst();
}
`,
    'src/app.ts': `import express from 'express';
import { tally } from './votes/votes.repository';
const app = express();
app.get('/polls/:id/tally', async (req, res) => res.json(await tally(req.params.id)));
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), ['datastore:mysql mysql']);
  assert.deepEqual(evidence(model, 'datastore:mysql'), ['reads ro src/votes/votes.repository.ts:3']);
});

test('kysely: a listed-only package and a local selectFrom helper add nothing (trap)', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'menu', dependencies: { kysely: '^0.27.4', express: '^4.19.0' } }),
    'src/menu/menu.ts': `const dishes = [{ id: 1, name: 'Soup' }];
export const db = { selectFrom: (_t: string) => ({ execute: async () => dishes }) };
`,
    'src/app.ts': `import express from 'express';
import { db } from './menu/menu';
const app = express();
app.get('/dishes', async (_req, res) => res.json(await db.selectFrom('dishes').execute()));
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), []);
});
