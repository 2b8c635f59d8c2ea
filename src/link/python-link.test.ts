import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../test/helpers/fixture.js';
import { PyModules } from './python-modules.js';

const reach = (m: Awaited<ReturnType<typeof scanModel>>, ep: string) => [...new Set(m.edges.filter((e) => e.entrypoints?.includes(ep) && /^(datastore|cache|queue|external):/.test(e.to)).map((e) => `${e.kind}>${e.to}`))].sort();

test('python modules: a celery.py inside a namespace subpackage of a package does not become a source root that shadows the celery package', () => {
  const mods = new PyModules(['config/__init__.py', 'config/settings/celery.py', 'proj/__init__.py', 'proj/emails/__init__.py', 'proj/emails/tasks.py', 'proj/examples/noinit/tasks.py']);
  assert.deepEqual(mods.roots, ['']);
  assert.equal(mods.resolve('proj/emails/tasks.py', 'celery'), undefined);
  assert.equal(mods.resolve('proj/emails/tasks.py', 'config.settings.celery'), 'config/settings/celery.py');
});

test('python modules: a script folder at the top (no package above it) is still a source root', () => {
  const mods = new PyModules(['scripts/worker.py', 'scripts/helpers.py', 'app/__init__.py', 'app/main.py']);
  assert.ok(mods.roots.includes('scripts'));
  assert.equal(mods.resolve('scripts/worker.py', 'helpers'), 'scripts/helpers.py');
});

test('python link: a Celery task module importing from celery is a worker although a settings module named celery.py exists', async () => {
  const m = await scanModel({
    'config/__init__.py': '',
    'config/settings/celery.py': `CELERY_BROKER_URL = "amqp://guest:guest@rabbitmq:5672//"\n`,
    'proj/__init__.py': '',
    'proj/emails/__init__.py': '',
    'proj/emails/tasks.py': `
from celery import shared_task

@shared_task(bind=True)
def email_send(self, email_id):
    return email_id
`,
  });
  assert.ok(m.nodes.some((n) => n.id === 'entrypoint:worker:email_send'));
});

test('python link: reading a @property runs it — a call on the connection it returns reaches the database; a plain method reference does not', async () => {
  const m = await scanModel({
    'app/__init__.py': '',
    'app/repos.py': `
from asyncpg.connection import Connection

class BaseRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    @property
    def connection(self) -> Connection:
        return self._conn

    def raw(self) -> Connection:
        return self._conn

class ArticlesRepository(BaseRepository):
    async def filter_articles(self, tag):
        return await self.connection.fetch("SELECT * FROM articles WHERE tag = $1", tag)

    async def not_a_call(self, tag):
        return self.raw.fetch
`,
    'app/main.py': `
from fastapi import Depends, FastAPI
from app.repos import ArticlesRepository
app = FastAPI()

def get_repo() -> ArticlesRepository:
    return ArticlesRepository(None)

@app.get("/articles")
async def list_articles(repo: ArticlesRepository = Depends(get_repo)):
    return await repo.filter_articles("x")

@app.get("/other")
async def other(repo: ArticlesRepository = Depends(get_repo)):
    return await repo.not_a_call("x")
`,
  });
  assert.deepEqual(reach(m, 'entrypoint:GET /articles'), ['reads>datastore:postgres']);
  assert.deepEqual(reach(m, 'entrypoint:GET /other'), []);
});

const flaskSqla = (modelClass: string) => ({
  'conduit/__init__.py': '',
  'conduit/extensions.py': `
from flask_sqlalchemy import SQLAlchemy, Model

class CRUDMixin(Model):
    def save(self, commit=True):
        db.session.add(self)
        if commit:
            db.session.commit()
        return self

db = SQLAlchemy(${modelClass})
`,
  'conduit/database.py': `
from .extensions import db
Model = db.Model
`,
  'conduit/articles/__init__.py': '',
  'conduit/articles/models.py': `
from conduit.database import Model, db

class Tag(Model):
    __tablename__ = "tags"
    id = db.Column(db.Integer, primary_key=True)
`,
  'conduit/articles/views.py': `
from flask import Blueprint
from .models import Tag
bp = Blueprint("tags", __name__)

@bp.route("/api/tags", methods=("GET",))
def tags():
    return Tag.query.all()

@bp.route("/api/tags", methods=("POST",))
def make():
    tag = Tag()
    tag.save()
    return tag
`,
});

test('python link: a model class on an aliased base (`Model = db.Model`) queries through Flask-SQLAlchemy; SQLAlchemy(model_class=CRUDMixin) gives models its save()', async () => {
  const m = await scanModel(flaskSqla('model_class=CRUDMixin'));
  assert.deepEqual(reach(m, 'entrypoint:GET /api/tags'), ['reads>datastore:postgres']);
  assert.deepEqual(reach(m, 'entrypoint:POST /api/tags'), ['writes>datastore:postgres']);
});

test('python link: without model_class, the mixin is not a base of the models — save() is not theirs (trap)', async () => {
  const m = await scanModel(flaskSqla(''));
  assert.deepEqual(reach(m, 'entrypoint:GET /api/tags'), ['reads>datastore:postgres']);
  assert.deepEqual(reach(m, 'entrypoint:POST /api/tags'), []);
});

test('python link: an import inside a function shadows the module-level def of the same name there (a task calling the service it is named after)', async () => {
  const m = await scanModel({
    'proj/__init__.py': '',
    'proj/emails/__init__.py': '',
    'proj/emails/tasks.py': `
from celery import shared_task

@shared_task
def email_send(email_id):
    from proj.emails.services import email_send
    email_send(email_id)

`,
    'proj/emails/services.py': `
import requests

def email_send(email_id):
    requests.post("https://mail.example.com/send", json={"id": email_id}, timeout=5)
`,
  });
  assert.deepEqual(reach(m, 'entrypoint:worker:email_send').filter((r) => r.includes('external')), ['calls>external:mail.example.com']);
});
