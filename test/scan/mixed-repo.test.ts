// A repository with a TypeScript front end and a Python API is one model: the API's
// routes are the entrypoints, the front end is client:web calling them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../helpers/fixture.js';

const files: Record<string, string> = {
  'frontend/package.json': JSON.stringify({ name: 'web', dependencies: { react: '18.3.1', 'react-dom': '18.3.1' } }),
  'frontend/src/api.ts': `
export async function loadItems() {
  const res = await fetch('/api/items');
  return res.json();
}

export async function createItem(name: string) {
  const res = await fetch('/api/items', { method: 'POST', body: JSON.stringify({ name }) });
  return res.json();
}
`,
  'backend/app/__init__.py': '',
  'backend/app/main.py': `
from fastapi import FastAPI
from app.routes import router

app = FastAPI()
app.include_router(router, prefix="/api")
`,
  'backend/app/routes.py': `
from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session
from app.db import get_db
from app.models import Item

router = APIRouter(prefix="/items")


@router.get("")
def list_items(db: Session = Depends(get_db)):
    return db.query(Item).limit(50).all()


@router.post("")
def create_item(payload: dict, db: Session = Depends(get_db)):
    item = Item(**payload)
    db.add(item)
    db.commit()
    return item
`,
  'backend/app/db.py': `
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

engine = create_engine("postgresql://app:app@db:5432/app", pool_size=5)
SessionLocal = sessionmaker(bind=engine)


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()
`,
  'backend/app/models.py': `
from sqlalchemy.orm import DeclarativeBase

class Base(DeclarativeBase):
    pass

class Item(Base):
    __tablename__ = "items"
`,
};

test('a TypeScript front end and a Python API give one model: client:web calls the FastAPI routes', async () => {
  const model = await scanModel(files);
  const ids = model.nodes.map((n) => n.id);
  assert.deepEqual(ids.filter((id) => id.startsWith('entrypoint:')), ['entrypoint:GET /api/items', 'entrypoint:POST /api/items']);
  assert.ok(ids.includes('datastore:postgres'));
  assert.ok(ids.includes('client:web'));
  const calls = model.edges.filter((e) => e.from === 'client:web').map((e) => e.to).sort();
  assert.deepEqual(calls, ['entrypoint:GET /api/items', 'entrypoint:POST /api/items']);
  assert.equal(ids.some((id) => id.startsWith('component:') && /frontend|src/.test(id)), false, 'the front end is a client, not a component');
});
