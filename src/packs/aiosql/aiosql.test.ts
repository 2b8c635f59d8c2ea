import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';

const files = (adapter: string) => ({
  'app/__init__.py': '',
  'app/db/__init__.py': '',
  'app/db/queries.py': `
import pathlib
import aiosql

queries = aiosql.from_path(pathlib.Path(__file__).parent / "sql", "${adapter}")
`,
  'app/db/repos.py': `
from asyncpg.connection import Connection
from app.db.queries import queries

class BaseRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    @property
    def connection(self) -> Connection:
        return self._conn

class UsersRepository(BaseRepository):
    async def get_user_by_email(self, *, email: str):
        return await queries.get_user_by_email(self.connection, email=email)

    async def create_new_user(self, *, email: str):
        return await queries.create_new_user(self.connection, email=email)
`,
  'app/main.py': `
from fastapi import Depends, FastAPI
from app.db.repos import UsersRepository
app = FastAPI()

def get_repo() -> UsersRepository:
    return UsersRepository(None)

@app.get("/users/{email}")
async def read(email: str, repo: UsersRepository = Depends(get_repo)):
    return await repo.get_user_by_email(email=email)

@app.post("/users")
async def create(email: str, repo: UsersRepository = Depends(get_repo)):
    return await repo.create_new_user(email=email)

@app.get("/health")
async def health():
    return {"ok": True}
`,
});

test('aiosql: queries loaded with a driver adapter are calls to that database; write-named queries are writes, others reads', async () => {
  const m = await scanModel(files('asyncpg'));
  const reach = (ep: string) => [...new Set(m.edges.filter((e) => e.entrypoints?.includes(ep) && e.to.startsWith('datastore:')).map((e) => `${e.kind}>${e.to}`))].sort();
  assert.deepEqual(reach('entrypoint:GET /users/:email'), ['reads>datastore:postgres']);
  assert.deepEqual(reach('entrypoint:POST /users'), ['writes>datastore:postgres']);
  assert.deepEqual(reach('entrypoint:GET /health'), []);
});

test('aiosql: the sqlite3 adapter is sqlite; an unknown adapter is the generic sql datastore, never postgres', async () => {
  const ids = (await scanModel(files('sqlite3'))).nodes.map((n) => n.id);
  assert.ok(ids.includes('datastore:sqlite'));
  assert.ok(!ids.includes('datastore:postgres'));
  const other = (await scanModel(files('custom_adapter'))).nodes.map((n) => n.id);
  assert.ok(other.includes('datastore:sql'));
  assert.ok(!other.includes('datastore:postgres'));
});
