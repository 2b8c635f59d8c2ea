// Python pool facts in the connection budget: SQLAlchemy pool_size + max_overflow per process,
// processes from gunicorn/uvicorn --workers, WEB_CONCURRENCY and Celery --concurrency, the
// runtime matched through its command's entry module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';
import type { Capacity } from './types.js';

const compose = (api: string, worker: string) => `services:
  api:
    build: .
    command: ${api}
    environment:
      DATABASE_URL: postgresql://app:app@postgres:5432/app
      WEB_CONCURRENCY: "3"
    deploy:
      replicas: 2
  worker:
    build: .
    command: ${worker}
    environment:
      DATABASE_URL: postgresql://app:app@postgres:5432/app
  postgres:
    image: postgres:16
    command: postgres -c max_connections=200
`;

const app = (engine: string) => ({
  'app/__init__.py': '',
  'app/db.py': `import os
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

${engine}
SessionLocal = sessionmaker(bind=engine)
`,
  'app/main.py': `from fastapi import FastAPI
from app.db import SessionLocal

app = FastAPI()


@app.get("/items")
def items():
    with SessionLocal() as db:
        return db.execute("SELECT 1").all()
`,
  'app/worker.py': `from celery import Celery

celery_app = Celery("app", broker="redis://redis:6379/0", include=["app.tasks"])
`,
  'app/tasks.py': `from app.worker import celery_app
from app.db import SessionLocal


@celery_app.task
def sweep():
    with SessionLocal() as db:
        db.execute("DELETE FROM items WHERE stale")
        db.commit()
`,
});

async function pg(files: Record<string, string>) {
  const model = await scanModel(files, { rules: [] });
  const d = (model.capacity as Capacity).datastores.find((x) => x.datastore === 'datastore:postgres');
  assert.ok(d);
  return d!;
}

test('capacity (Python): pool_size + max_overflow × gunicorn --workers × replicas, plus Celery --concurrency', async () => {
  const d = await pg({
    ...app('engine = create_engine(os.environ["DATABASE_URL"], pool_size=10, max_overflow=5)'),
    'docker-compose.yml': compose('gunicorn app.main:app -k uvicorn.workers.UvicornWorker -w 4', 'celery -A app.worker worker --concurrency 8'),
  });
  assert.deepEqual(d.clients.map((c) => `${c.library} ${c.codePool?.value}`), ['sqlalchemy 15']);
  assert.equal(d.budget.normal.arithmetic, 'api 2 replicas × 4 processes × 15 + worker 1 replica × 8 processes × 15 = 240 > 197 usable of max_connections 200');
  assert.equal(d.budget.status, 'exceeded');
});

test('capacity (Python): library defaults (5 + 10) and WEB_CONCURRENCY; an unset Celery concurrency is flagged as unknown', async () => {
  const d = await pg({
    ...app('engine = create_engine(os.environ["DATABASE_URL"])'),
    'docker-compose.yml': compose('gunicorn app.main:app', 'celery -A app.worker worker'),
  });
  assert.equal(d.clients[0].codePool, undefined);
  assert.equal(d.clients[0].defaultPool.value, 15);
  assert.deepEqual(d.runtimes.map((r) => `${r.runtime} ${r.processes} ${r.pool.value}`), ['runtime:api 3 15', 'runtime:worker 1 15']);
  assert.ok(d.budget.unknowns.some((u) => /worker: Celery --concurrency is not set/.test(u)));
});

test('capacity (Python): a runtime whose entry module never imports the engine holds no pool', async () => {
  const d = await pg({
    ...app('engine = create_engine(os.environ["DATABASE_URL"], pool_size=5, max_overflow=0)'),
    'docker-compose.yml': compose('uvicorn app.main:app --workers 2', 'celery -A app.worker beat'),
  });
  assert.deepEqual(d.runtimes.map((r) => `${r.runtime} ${r.processes}`), ['runtime:api 2']);
  assert.equal(d.budget.normal.total, 20);
});
