import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';

test('py-dbapi: psycopg2 cursors and asyncpg pools are postgres; SELECT/fetch are reads, other statements and commit are writes', async () => {
  const m = await scanModel({
    'app/main.py': `
import asyncpg
import psycopg2
from fastapi import FastAPI
app = FastAPI()
conn = psycopg2.connect("dbname=app")

@app.post("/legacy")
def legacy(name: str):
    cur = conn.cursor()
    cur.execute("SELECT id FROM users WHERE name = %s", (name,))
    cur.execute("UPDATE users SET seen = now() WHERE name = %s", (name,))
    conn.commit()
    return cur.fetchone()

@app.get("/fast")
async def fast():
    pool = await asyncpg.create_pool("postgresql://u@db/app", max_size=5)
    return await pool.fetch("SELECT 1")
`,
  });
  const e = m.edges.filter((x) => x.to === 'datastore:postgres').flatMap((x) => x.evidence.map((v) => `${x.kind}@${v.line}`)).sort();
  assert.deepEqual(e, ['reads@11', 'reads@19', 'writes@12', 'writes@13']);
});
