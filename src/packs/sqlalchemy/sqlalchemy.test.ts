import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';

const app = (body: string) => ({
  'app/db.py': `
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker
engine = create_engine("mysql+pymysql://u:p@db/app", pool_size=5)
SessionLocal = sessionmaker(bind=engine)
`,
  'app/main.py': `
from fastapi import FastAPI
from sqlalchemy import select, text, update
from app.db import SessionLocal, engine
from app.models import Order
app = FastAPI()
${body}
`,
  'app/models.py': `
class Order:
    pass
`,
});

test('sqlalchemy: the engine URL names the datastore; session.add is pending (transaction guard), commit is the write; select and query chains are reads', async () => {
  const m = await scanModel(app(`
@app.post("/orders")
def create():
    db = SessionLocal()
    db.add(Order())
    db.commit()
    return db.scalars(select(Order)).all()

@app.get("/orders")
def list_orders():
    db = SessionLocal()
    return db.query(Order).filter(Order.id > 0).limit(10).all()
`));
  const edges = m.edges.filter((e) => e.to === 'datastore:mysql').map((e) => `${e.kind} ${JSON.stringify(e.guards)} ${e.evidence.map((x) => x.line).join(',')}`).sort();
  assert.deepEqual(edges, ['reads {} 13', 'reads {} 18', 'writes {"transaction":true} 11', 'writes {} 12']);
});

test('sqlalchemy: engine.connect()/begin() need the database; execute(text(...)) is raw SQL, read or write by its text; update() is a write', async () => {
  const m = await scanModel(app(`
@app.post("/sweep")
def sweep():
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM orders WHERE stale"))
        conn.execute(update(Order).values(done=True))
    return "ok"

@app.get("/count")
def count():
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM orders")).scalar()
`));
  const guardsOf = (line: number) => m.edges.filter((e) => e.to === 'datastore:mysql' && e.evidence.some((x) => x.line === line)).map((e) => `${e.kind}${e.guards.transaction ? ' tx' : ''}`);
  assert.deepEqual(guardsOf(11), ['writes tx']);
  assert.deepEqual(guardsOf(12), ['writes tx']);
  assert.deepEqual(guardsOf(18), ['reads']);
  assert.ok(m.edges.some((e) => e.to === 'datastore:mysql' && e.evidence.some((x) => x.line === 17) && e.kind === 'reads'), 'connect() checks out a connection');
});
