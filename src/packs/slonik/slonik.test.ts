import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';
import type { Model } from '../../model/types.js';

const dataEdges = (model: Model) =>
  model.edges
    .filter((e) => e.to.startsWith('datastore:'))
    .map((e) => `${(e.entrypoints ?? []).join(',')} ${e.kind}${e.readOnly ? '+ro' : ''} -> ${e.to} @ ${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`)
    .sort();

test('slonik: pool and transaction queries read or write by their sql template; the sql tag and its helpers send nothing (trap); queries made by a factory over a typed pool', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'auth', dependencies: { koa: '^2', 'koa-router': '^12', '@silverhand/slonik': '^31' } }),
    'src/queries/users.ts': `import { sql, type CommonQueryMethods } from '@silverhand/slonik';
export const createUserQueries = (pool: CommonQueryMethods) => {
  const findUserById = async (id: string) => pool.one(sql.unsafe\`select * from users where id = \${id}\`);
  const insertUser = async (name: string) =>
    pool.query(sql.unsafe\`
      insert into users (name) values (\${name})
    \`);
  const countUsers = async () => pool.oneFirst(sql.type(countGuard)\`select count(*) from users\`);
  const byIds = (ids: string[]) => sql.unsafe\`select * from users where id in (\${sql.join(ids, sql.fragment\`, \`)})\`;
  return { findUserById, insertUser, countUsers, byIds };
};
const countGuard = {};
`,
    'src/queries/sessions.ts': `import { sql, type DatabasePool } from '@silverhand/slonik';
export async function dropSession(pool: DatabasePool, id: string) {
  const query = sql.unsafe\`DELETE FROM sessions WHERE id = \${id}\`;
  return pool.query(query);
}
export async function touchSessions(pool: DatabasePool) {
  return pool.transaction(async (trx) => {
    await trx.query(sql.unsafe\`update sessions set seen_at = now()\`);
  });
}
`,
    'src/app.ts': `import Koa from 'koa';
import Router from 'koa-router';
import { createPool } from '@silverhand/slonik';
import { createUserQueries } from './queries/users';
import { dropSession, touchSessions } from './queries/sessions';
const pool = await createPool(process.env.DATABASE_URL!);
const users = createUserQueries(pool);
const app = new Koa();
const router = new Router();
router.get('/users/:id', async (ctx) => { ctx.body = await users.findUserById(ctx.params.id); });
router.post('/users', async (ctx) => { ctx.body = await users.insertUser(ctx.request.body.name); });
router.get('/users/count', async (ctx) => { ctx.body = await users.countUsers(); });
router.get('/users/query', (ctx) => { ctx.body = String(users.byIds(['a'])); });
router.post('/sessions/touch', async (ctx) => { await touchSessions(pool); ctx.status = 204; });
router.delete('/sessions/:id', async (ctx) => { await dropSession(pool, ctx.params.id); ctx.status = 204; });
router.get('/health', (ctx) => { ctx.body = 'ok'; });
app.use(router.routes());
app.listen(3000);
`,
  }, { rules: [] });
  assert.deepEqual(dataEdges(model), [
    'entrypoint:DELETE /sessions/:id,entrypoint:POST /users writes -> datastore:postgres @ src/queries/sessions.ts:4 src/queries/users.ts:5',
    'entrypoint:GET /users/:id,entrypoint:GET /users/count reads+ro -> datastore:postgres @ src/queries/users.ts:3 src/queries/users.ts:8',
    'entrypoint:POST /sessions/touch uses -> datastore:postgres @ src/queries/sessions.ts:7',
    'entrypoint:POST /sessions/touch writes -> datastore:postgres @ src/queries/sessions.ts:8',
  ]);
});
