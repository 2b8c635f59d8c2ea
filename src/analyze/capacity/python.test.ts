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

test('capacity (Python): gunicorn.conf.py in the service folder sets workers; WEB_CONCURRENCY from the environment feeds `workers = int(os.getenv(...))`', async () => {
  const withConf = (conf: string, api = 'gunicorn app.main:app') => ({
    ...app('engine = create_engine(os.environ["DATABASE_URL"], pool_size=5, max_overflow=5)'),
    'gunicorn.conf.py': conf,
    'docker-compose.yml': compose(api, 'celery -A app.worker worker --concurrency 2'),
  });
  const literal = await pg(withConf(`bind = "0.0.0.0:8000"
workers = 4
worker_class = "uvicorn.workers.UvicornWorker"
timeout = 60
`));
  assert.deepEqual(literal.runtimes.map((r) => `${r.runtime} ${r.processes} ${r.processesNote}`), ['runtime:api 4 workers = 4 (gunicorn.conf.py:2)', 'runtime:worker 2 --concurrency 2']);
  assert.equal(literal.budget.normal.total, 2 * 4 * 10 + 2 * 10);
  // compose sets WEB_CONCURRENCY: "3"
  const fromEnv = await pg(withConf(`import os

bind = os.getenv("BIND", "0.0.0.0:8000")
workers = int(os.getenv("WEB_CONCURRENCY", 2))
`));
  assert.equal(fromEnv.runtimes.find((r) => r.runtime === 'runtime:api')!.processesNote, 'workers from WEB_CONCURRENCY=3 (gunicorn.conf.py:4)');
  // --workers on the command line wins over the file
  const cli = await pg(withConf('workers = 4\n', 'gunicorn -c gunicorn.conf.py -w 6 app.main:app'));
  assert.equal(cli.runtimes.find((r) => r.runtime === 'runtime:api')!.processes, 6);
});

test('capacity (Python): a `-c` config file named by its path in the image, its default when the variable is unset, and a CPU-derived count reported as unknown', async () => {
  const files = (conf: string) => ({
    'backend/app/__init__.py': '',
    'backend/app/db.py': `import os
from sqlalchemy import create_engine

engine = create_engine(os.environ["DATABASE_URL"], pool_size=5, max_overflow=0)
`,
    'backend/app/main.py': `from fastapi import FastAPI
from sqlalchemy import text
from app.db import engine

app = FastAPI()


@app.get("/ping-db")
def ping_db():
    with engine.connect() as conn:
        return conn.execute(text("SELECT 1")).scalar()
`,
    'backend/deploy/gunicorn_conf.py': conf,
    'docker-compose.yml': `services:
  api:
    build: ./backend
    command: gunicorn --config /srv/deploy/gunicorn_conf.py app.main:app
    environment:
      DATABASE_URL: postgresql://app:app@postgres:5432/app
  postgres:
    image: postgres:16
`,
  });
  const dflt = await pg(files('import os\n\nworkers = int(os.environ.get("GUNICORN_WORKERS", "3"))\n'));
  assert.deepEqual(dflt.runtimes.map((r) => `${r.runtime} ${r.processes} ${r.processesNote}`), ['runtime:api 3 workers = 3 when GUNICORN_WORKERS is unset (backend/deploy/gunicorn_conf.py:3)']);
  const cpu = await pg(files('import multiprocessing\n\nworkers = multiprocessing.cpu_count() * 2 + 1\n'));
  assert.equal(cpu.runtimes[0].processes, 1);
  assert.ok(cpu.budget.unknowns.some((u) => /gunicorn workers is not set to a number the scan can read \(backend\/deploy\/gunicorn_conf\.py:3/.test(u)));
});

test('capacity (Python): a gunicorn_conf.py nobody loads (no -c) does not count; GUNICORN_CMD_ARGS does', async () => {
  const base = app('engine = create_engine(os.environ["DATABASE_URL"], pool_size=5, max_overflow=0)');
  const unloaded = await pg({ ...base, 'gunicorn_conf.py': 'workers = 8\n', 'docker-compose.yml': compose('gunicorn app.main:app', 'celery -A app.worker beat') });
  assert.equal(unloaded.runtimes.find((r) => r.runtime === 'runtime:api')!.processesNote, 'WEB_CONCURRENCY=3');
  const cmdArgs = await pg({ ...base, 'docker-compose.yml': compose('gunicorn app.main:app', 'celery -A app.worker beat').replace('WEB_CONCURRENCY: "3"', 'GUNICORN_CMD_ARGS: "--workers 5 --timeout 60"') });
  assert.equal(cmdArgs.runtimes.find((r) => r.runtime === 'runtime:api')!.processesNote, 'GUNICORN_CMD_ARGS --workers 5');
});
