import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel, edgesTo } from '../../../test/helpers/fixture.js';

const eps = (m: Awaited<ReturnType<typeof scanModel>>) => m.nodes.filter((n) => n.kind === 'entrypoint').map((n) => n.id).sort();

test('fastapi: routers included across files with prefixes (router prefix, include_router prefix, a settings prefix), WebSocket, api_route methods', async () => {
  const m = await scanModel({
    'app/__init__.py': '',
    'app/core/config.py': `
from pydantic_settings import BaseSettings
class Settings(BaseSettings):
    API_V1_STR: str = "/api/v1"
settings = Settings()
`,
    'app/api/routes/items.py': `
from fastapi import APIRouter
router = APIRouter(prefix="/items")

@router.get("/")
def list_items():
    return []

@router.get("/{item_id}")
async def get_item(item_id: int):
    return {}

@router.api_route("/{item_id}/sync", methods=["PUT", "PATCH"])
def sync_item(item_id: int):
    return {}
`,
    'app/api/routes/users.py': `
from fastapi import APIRouter
router = APIRouter()

@router.post("/signup")
def signup():
    return {}
`,
    'app/api/main.py': `
from fastapi import APIRouter
from app.api.routes import items, users
api_router = APIRouter()
api_router.include_router(items.router)
api_router.include_router(users.router, prefix="/users")
`,
    'app/main.py': `
from fastapi import FastAPI, WebSocket
from app.api.main import api_router
from app.core.config import settings
app = FastAPI()
app.include_router(api_router, prefix=settings.API_V1_STR)

@app.websocket("/ws/{room}")
async def ws(websocket: WebSocket, room: str):
    await websocket.accept()
`,
  });
  assert.deepEqual(eps(m), [
    'entrypoint:GET /api/v1/items', 'entrypoint:GET /api/v1/items/:item_id', 'entrypoint:PATCH /api/v1/items/:item_id/sync', 'entrypoint:POST /api/v1/users/signup',
    'entrypoint:PUT /api/v1/items/:item_id/sync', 'entrypoint:WS /ws/:room',
  ]);
});

test('fastapi: Depends chains run before the handler (get_current_user → get_db → the session query), dependencies=[...] too', async () => {
  const m = await scanModel({
    'app/db.py': `
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker, Session
engine = create_engine("postgresql://u:p@db/app")
SessionLocal = sessionmaker(bind=engine)
def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()
`,
    'app/deps.py': `
from typing import Annotated
from fastapi import Depends, HTTPException
from app.db import get_db
from app.models import User

def get_current_user(db=Depends(get_db)):
    user = db.get(User, 1)
    if user is None:
        raise HTTPException(status_code=401)
    return user

def verify_key(x_key: str):
    return x_key

CurrentUser = Annotated[User, Depends(get_current_user)]
`,
    'app/models.py': `
class User:
    pass
`,
    'app/main.py': `
from fastapi import FastAPI, Depends
from app.deps import CurrentUser, verify_key
app = FastAPI()

@app.get("/me")
def me(user: CurrentUser):
    return {"id": user.id}

@app.get("/ping", dependencies=[Depends(verify_key)])
def ping():
    return "pong"
`,
  });
  const pg = edgesTo(m, 'datastore:postgres');
  assert.ok(m.edges.some((e) => e.to === 'datastore:postgres' && e.entrypoints?.includes('entrypoint:GET /me')), pg.join('\n'));
  assert.equal(m.edges.some((e) => e.to === 'datastore:postgres' && e.entrypoints?.includes('entrypoint:GET /ping')), false);
});

test('fastapi: BackgroundTasks.add_task runs the task after the response (fire-and-forget, contained); @app.middleware runs before every route', async () => {
  const m = await scanModel({
    'app/main.py': `
import requests
from fastapi import FastAPI, BackgroundTasks, Request
app = FastAPI()

def notify(email: str):
    requests.post("https://hooks.example.com/notify", json={"to": email}, timeout=5)

@app.middleware("http")
async def audit(request: Request, call_next):
    requests.post("https://audit.example.com/log", json={}, timeout=2)
    return await call_next(request)

@app.post("/signup")
def signup(email: str, background_tasks: BackgroundTasks):
    background_tasks.add_task(notify, email)
    return {"ok": True}

@app.get("/health")
def health():
    return {"ok": True}
`,
  });
  const bg = m.edges.find((e) => e.to === 'external:hooks.example.com');
  assert.equal(bg?.mode, 'fire_and_forget');
  assert.equal(bg?.guards.caught, true);
  assert.ok(m.edges.some((e) => e.to === 'external:audit.example.com' && e.entrypoints?.includes('entrypoint:GET /health')), 'middleware runs for every route');
});

const realworldShape = (prefixExpr: string) => ({
  'app/__init__.py': '',
  'app/core/__init__.py': '',
  'app/core/config.py': `
import os
from functools import lru_cache
from pydantic_settings import BaseSettings

class AppSettings(BaseSettings):
    api_prefix: str = "/api"

class DevAppSettings(AppSettings):
    debug: bool = True

environments = {"dev": DevAppSettings}

@lru_cache
def get_app_settings() -> AppSettings:
    config = environments[os.environ["APP_ENV"]]
    return config()
`,
  'app/api/__init__.py': '',
  'app/api/routes.py': `
from fastapi import APIRouter
router = APIRouter()
router.include_router(APIRouter(), prefix="/x")

@router.get("/tags")
def tags():
    return []
`,
  'app/main.py': `
import os
from fastapi import FastAPI
from app.api.routes import router
from app.core.config import get_app_settings

def get_application() -> FastAPI:
    settings = get_app_settings()
    application = FastAPI()
    application.include_router(router, prefix=${prefixExpr})
    return application

app = get_application()
`,
  'tests/test_errors.py': `
from fastapi import FastAPI

async def test_validation_error(app: FastAPI):
    @app.get("/wrong_path/{param}")
    def route_for_test(param: int):
        pass
`,
});

test('fastapi: a prefix read from the settings a factory returns (`-> AppSettings`) is applied; routes declared in test modules are not entrypoints', async () => {
  assert.deepEqual(eps(await scanModel(realworldShape('settings.api_prefix'))), ['entrypoint:GET /api/tags']);
});

test('fastapi: a prefix only known at run time is not guessed: the routes under it are not reported (never reported without it)', async () => {
  assert.deepEqual(eps(await scanModel(realworldShape('os.environ["API_PREFIX"]'))), []);
});

test('fastapi: Depends(factory()) runs the dependency function the factory returns (either branch of a conditional)', async () => {
  const m = await scanModel({
    'app/__init__.py': '',
    'app/auth.py': `
import redis
from fastapi import Depends
r = redis.Redis(host="cache")

async def _current_user():
    return r.get("user")

async def _current_user_optional():
    return None

def get_current_user_authorizer(*, required: bool = True):
    return _current_user if required else _current_user_optional
`,
    'app/main.py': `
from fastapi import Depends, FastAPI
from app.auth import get_current_user_authorizer
app = FastAPI()

@app.get("/me")
async def me(user = Depends(get_current_user_authorizer())):
    return user

@app.get("/open")
async def open_route():
    return {}
`,
  });
  assert.ok(m.edges.some((e) => e.to === 'cache:redis' && e.entrypoints?.includes('entrypoint:GET /me')));
  assert.ok(!m.edges.some((e) => e.to === 'cache:redis' && e.entrypoints?.includes('entrypoint:GET /open')));
});

test('fastapi: a query made by a test module is no component\'s dependency (tests are not deployed)', async () => {
  const m = await scanModel({
    'app/__init__.py': '',
    'app/db.py': `
from sqlalchemy import create_engine
engine = create_engine("postgresql://u@db/app")
`,
    'app/main.py': `
from fastapi import FastAPI
app = FastAPI()

@app.get("/health")
def health():
    return {"ok": True}
`,
    'app/reports/__init__.py': '',
    'app/reports/tests/test_db.py': `
from app.db import engine

def test_select():
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
`,
  });
  assert.ok(!m.edges.some((e) => e.to === 'datastore:postgres'));
});

test('fastapi: routers built from a project subclass or a class factory of APIRouter count once include_router shows them to be routers', async () => {
  const m = await scanModel({
    'app/__init__.py': '',
    'app/routing.py': `
from fastapi import APIRouter as _APIRouter

def get_api_router_class(route_class):
    class _CustomAPIRouter(_APIRouter):
        def __init__(self, *args, **kwargs):
            kwargs["route_class"] = route_class
            super().__init__(*args, **kwargs)
    return _CustomAPIRouter

APIRouter = get_api_router_class(None)

class TaggedRouter(_APIRouter):
    pass
`,
    'app/health.py': `
from app.routing import APIRouter
router = APIRouter(tags=["health"])

@router.get("/healthz")
async def healthz():
    return {"status": "ok"}
`,
    'app/users.py': `
from app.routing import TaggedRouter
router = TaggedRouter(prefix="/users")

@router.get("/me")
async def me():
    return {}
`,
    'app/api.py': `
from app.routing import APIRouter
from app.users import router as users_router
router = APIRouter(prefix="/v1")
router.include_router(users_router)
`,
    'app/registry.py': `
class Registry:
    def get(self, path):
        return lambda fn: fn

registry = Registry()

@registry.get("/not-a-route")
def handler():
    return 1
`,
    'app/main.py': `
from fastapi import FastAPI
from app.api import router as api_router
from app.health import router as health_router

def mount_api(app, api_router):
    app.include_router(api_router)

def create_app():
    app = FastAPI()
    app.include_router(health_router)
    mount_api(app, api_router)
    return app

app = create_app()
`,
  });
  // the /v1 router reaches the app only through a parameter: it is a root at its own prefix
  assert.deepEqual(eps(m), ['entrypoint:GET /healthz', 'entrypoint:GET /v1/users/me']);
});
