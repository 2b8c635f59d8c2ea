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

test('sqlalchemy: Flask-SQLAlchemy `res = Model.query` then `res = res.filter(...)`, `res.limit().all()` is a read; the row a query returns is not a query (its methods are not reads)', async () => {
  const m = await scanModel({
    'app/__init__.py': '',
    'app/ext.py': `
from flask_sqlalchemy import SQLAlchemy
db = SQLAlchemy()
`,
    'app/models.py': `
from app.ext import db
class Tag(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    def label(self):
        return str(self.id)
`,
    'app/views.py': `
from flask import Blueprint
from app.models import Tag
bp = Blueprint("tags", __name__)

@bp.route("/tags")
def tags():
    res = Tag.query
    res = res.filter(Tag.id > 1)
    return res.limit(3).all()

@bp.route("/tags/<int:tid>/label")
def label(tid):
    tag = Tag.query.filter_by(id=tid).first()
    return tag.label()
`,
  });
  const at = (ep: string) => m.edges.filter((e) => e.to === 'datastore:postgres' && e.entrypoints?.includes(ep)).flatMap((e) => e.evidence.map((x) => `${e.kind}@${x.line}`)).sort();
  assert.deepEqual(at('entrypoint:GET /tags'), ['reads@10', 'reads@9']);
  assert.deepEqual(at('entrypoint:GET /tags/:tid/label'), ['reads@14']);
});
