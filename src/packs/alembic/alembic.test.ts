import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanTree } from '../../../test/helpers/fixture.js';
import unchecked from '../../rules/migrations/unchecked.js';
import { alembicEnvironments, alembicStepsInCode, alembicStepsInConfig } from './index.js';

const RULE = 'migrations/unchecked';

/** A FastAPI service in backend/ with an Alembic environment and two revisions. */
const service = (extra: Record<string, string>) => ({
  'backend/alembic.ini': `[alembic]
script_location = %(here)s/migrations
sqlalchemy.url = postgresql://billing:billing@localhost:5432/billing

[loggers]
keys = root
`,
  'backend/migrations/env.py': `from alembic import context
from sqlalchemy import engine_from_config, pool

from app.db import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connectable = engine_from_config(config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
`,
  'backend/migrations/versions/4f2a9c1d7e3b_create_invoices.py': `"""create invoices"""
import sqlalchemy as sa
from alembic import op

revision = "4f2a9c1d7e3b"
down_revision = None


def upgrade() -> None:
    op.create_table("invoices", sa.Column("id", sa.Integer, primary_key=True), sa.Column("total", sa.Integer, nullable=False))


def downgrade() -> None:
    op.drop_table("invoices")
`,
  'backend/migrations/versions/9b8e0d6c5a41_invoice_currency.py': `"""invoice currency"""
import sqlalchemy as sa
from alembic import op

revision: str = "9b8e0d6c5a41"
down_revision: str | None = "4f2a9c1d7e3b"


def upgrade() -> None:
    op.add_column("invoices", sa.Column("currency", sa.String(3), nullable=False, server_default="EUR"))


def downgrade() -> None:
    op.drop_column("invoices", "currency")
`,
  'backend/app/__init__.py': '',
  'backend/app/db.py': `import os

from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, sessionmaker

engine = create_engine(os.environ["DATABASE_URL"], pool_size=5, max_overflow=5)
SessionLocal = sessionmaker(bind=engine)


class Base(DeclarativeBase):
    pass
`,
  'backend/app/main.py': `from fastapi import FastAPI
from sqlalchemy import text

from app.db import SessionLocal

app = FastAPI()


@app.get("/invoices")
def invoices():
    with SessionLocal() as db:
        return [dict(r._mapping) for r in db.execute(text("SELECT id, total, currency FROM invoices LIMIT 50"))]
`,
  ...extra,
});

const dockerfile = (cmd: string) => `FROM python:3.12-slim
WORKDIR /srv
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
${cmd}
`;

test('alembic: the environment comes from alembic.ini script_location, with its revision files', async () => {
  const { scan } = await scanTree(service({ 'backend/Dockerfile': dockerfile('CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]') }), { rules: [] });
  assert.deepEqual(alembicEnvironments(scan.configs, scan.facts), [{
    tool: 'alembic',
    dir: 'backend/migrations',
    evidence: { file: 'backend/alembic.ini', line: 2 },
    revisions: ['backend/migrations/versions/4f2a9c1d7e3b_create_invoices.py', 'backend/migrations/versions/9b8e0d6c5a41_invoice_currency.py'],
  }]);
  assert.deepEqual(alembicStepsInConfig(scan.configs), []);
  assert.deepEqual(alembicStepsInCode(scan.facts), []);
});

test('alembic: `alembic upgrade head` in a prestart script, a Dockerfile CMD or a compose command is an apply step with evidence', async () => {
  const { scan, model } = await scanTree(service({
    'backend/scripts/prestart.sh': `#! /usr/bin/env bash
set -e
# wait for the database, then migrate
python -m app.backend_pre_start
alembic upgrade head
`,
    'backend/Dockerfile': dockerfile('CMD ["sh", "-c", "alembic -c alembic.ini upgrade head && uvicorn app.main:app --host 0.0.0.0"]'),
    'docker-compose.yml': `services:
  prestart:
    build: ./backend
    command: bash scripts/prestart.sh
  api:
    build: ./backend
    command: uvicorn app.main:app --host 0.0.0.0
`,
  }), { rules: [unchecked] });
  assert.deepEqual(alembicStepsInConfig(scan.configs).map((s) => `${s.kind} ${s.evidence.file}:${s.evidence.line} ${s.how}`), [
    'apply backend/Dockerfile:6 `alembic -c alembic.ini upgrade`',
    'apply backend/scripts/prestart.sh:5 `alembic upgrade`',
  ]);
  assert.deepEqual(hits(model, RULE), []);
});

test('alembic: command.upgrade(cfg, "head") in the lifespan hook applies; a MigrationContext heads check verifies', async () => {
  const { scan, model } = await scanTree(service({
    'backend/app/migrate.py': `from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from app.db import engine


def upgrade_to_head() -> None:
    command.upgrade(Config("alembic.ini"), "head")


def database_is_current() -> bool:
    script = ScriptDirectory.from_config(Config("alembic.ini"))
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads()) == set(script.get_heads())
`,
  }), { rules: [unchecked] });
  assert.deepEqual(alembicStepsInCode(scan.facts).map((s) => `${s.kind} ${s.evidence.file}:${s.evidence.line}`), ['apply backend/app/migrate.py:10', 'verify backend/app/migrate.py:16']);
  assert.deepEqual(hits(model, RULE), []);
});

test('alembic: migrations/unchecked fires when nothing applies the revisions; a commented-out command or a test calling command.upgrade does not count', async () => {
  const { model } = await scanTree(service({
    'backend/Dockerfile': dockerfile('# RUN alembic upgrade head  (run by hand after deploy)\nCMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]'),
    'backend/tests/conftest.py': `import pytest
from alembic import command
from alembic.config import Config


@pytest.fixture(scope="session", autouse=True)
def migrated_database():
    command.upgrade(Config("alembic.ini"), "head")
    yield
`,
  }), { rules: [unchecked] });
  assert.deepEqual(hits(model, RULE), ['backend/alembic.ini:2']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.match(f.title, /2 Alembic migrations in backend\/migrations\/versions are not applied/);
  assert.match(f.impact, /GET \/invoices/);
  assert.match(f.recommendation, /alembic upgrade head/);
  assert.deepEqual(f.locations.map((l) => `${l.file}:${l.line}`), ['backend/alembic.ini:2', 'backend/migrations/versions/9b8e0d6c5a41_invoice_currency.py:1']);
});

test('alembic: Flask-Migrate — migrations/env.py without an alembic.ini of its own, applied by `flask db upgrade` in the Procfile release phase', async () => {
  const app = (procfile: string) => ({
    Procfile: procfile,
    'app/__init__.py': `from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
migrate = Migrate()


def create_app():
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql://notes:notes@db:5432/notes"
    db.init_app(app)
    migrate.init_app(app, db)

    @app.get("/notes")
    def notes():
        return {"notes": [n.title for n in db.session.execute(db.select(Note).limit(20)).scalars()]}

    return app


class Note(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(200))
`,
    'migrations/env.py': `import logging

from alembic import context
from flask import current_app

config = context.config
logger = logging.getLogger("alembic.env")
`,
    'migrations/versions/1a2b3c4d5e6f_notes.py': `from alembic import op
import sqlalchemy as sa

revision = "1a2b3c4d5e6f"
down_revision = None


def upgrade():
    op.create_table("note", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("title", sa.String(200)))


def downgrade():
    op.drop_table("note")
`,
  });
  const released = await scanTree(app('release: flask db upgrade\nweb: gunicorn "app:create_app()"\n'), { rules: [unchecked] });
  assert.deepEqual(alembicEnvironments(released.scan.configs, released.scan.facts).map((e) => `${e.tool} ${e.dir} ${e.evidence.file}:${e.evidence.line}`), ['flask-migrate migrations migrations/env.py:3']);
  assert.deepEqual(hits(released.model, RULE), []);
  const manual = await scanTree(app('web: gunicorn "app:create_app()"\n'), { rules: [unchecked] });
  assert.deepEqual(hits(manual.model, RULE), ['migrations/env.py:3']);
  assert.match(manual.model.findings[0].recommendation, /flask db upgrade/);
});
