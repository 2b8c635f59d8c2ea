import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractPython } from './python.js';
import type { CallFact, FileFacts } from './facts.js';

const facts = (src: string, file = 'app/x.py'): FileFacts => extractPython(file, src);
const call = (f: FileFacts, chain: string): CallFact => {
  const c = f.calls.find((x) => x.callee.join('.') === chain);
  assert.ok(c, `no call ${chain} in ${f.calls.map((x) => x.callee.join('.')).join(', ')}`);
  return c;
};

test('imports: absolute, aliased, from-imports, relative, star re-exports, TYPE_CHECKING', () => {
  const f = facts(`
import os
import os.path
import sqlalchemy as sa
from app.services import users, orders as o
from .models import Item
from .. import deps
from .schemas import *
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from app.models import User
`);
  const imp = (source: string) => f.imports.filter((i) => i.source === source);
  assert.deepEqual(imp('os')[0].names, [{ imported: '*', local: 'os' }]);
  assert.deepEqual(imp('os.path')[0].names, [], 'import a.b binds a; a.b is recorded for the module graph');
  assert.deepEqual(imp('sqlalchemy')[0].names, [{ imported: '*', local: 'sa' }]);
  assert.deepEqual(imp('app.services')[0].names, [{ imported: 'users', local: 'users' }, { imported: 'orders', local: 'o' }]);
  assert.deepEqual(imp('.models')[0].names, [{ imported: 'Item', local: 'Item' }]);
  assert.deepEqual(imp('..')[0].names, [{ imported: 'deps', local: 'deps' }]);
  assert.deepEqual(f.reexports.map((r) => r.source), ['.schemas']);
  assert.equal(imp('app.models')[0].typeOnly, true);
  assert.equal(f.exports.Item, 'Item', 'every module-level name is an attribute of the module');
});

test('functions: async, decorators with their chain and keyword arguments, params with annotations and Depends defaults', () => {
  const f = facts(`
@router.get("/items/{item_id}", response_model=Item)
async def read_item(item_id: int, q: str | None = None, db: Session = Depends(get_db), user: Annotated[User, Depends(current_user)] = None):
    return await db.get(Item, item_id)
`);
  const fn = f.functions.find((x) => x.id === 'read_item')!;
  assert.equal(fn.async, true);
  assert.equal(fn.line, 3);
  assert.deepEqual(fn.decorators[0], { name: 'get', callee: ['router', 'get'], args: ['/items/{item_id}', { obj: { response_model: { ref: 'Item' } }, kwargs: true }], line: 2 });
  assert.deepEqual(fn.params.map((p) => [p.name, p.type]), [['item_id', 'int'], ['q', 'str'], ['db', 'Session'], ['user', 'User']]);
  assert.deepEqual(fn.params[2].default, { call: 'Depends', args: [{ ref: 'get_db' }] });
  const c = call(f, 'db.get');
  assert.equal(c.awaited, true);
  assert.equal(c.returned, false);
});

test('classes: bases, methods, __init__ as constructor, self as this, self.x properties', () => {
  const f = facts(`
class CacheService(BaseService, Mixin):
    ttl: int = 300

    def __init__(self, client: Redis) -> None:
        self.client = client
        self._local = {}

    def get(self, key):
        return self.client.get(key)
`);
  const cls = f.classes[0];
  assert.equal(cls.superClass, 'BaseService');
  assert.deepEqual(cls.implements, ['Mixin']);
  assert.deepEqual(cls.methods, ['CacheService.constructor', 'CacheService.get']);
  assert.deepEqual(cls.ctorParams.map((p) => [p.name, p.type]), [['client', 'Redis']]);
  assert.deepEqual(cls.props.map((p) => [p.name, p.init]), [['ttl', 300], ['client', { ref: 'client' }], ['_local', { obj: {} }]]);
  const get = call(f, 'this.client.get');
  assert.equal(get.fn, 'CacheService.get');
  assert.equal(get.returned, true);
});

test('call context: statements are discarded, not floating; try/except containment; loops and comprehensions; if/elif/else arms', () => {
  const f = facts(`
def handler(db, items):
    db.add(x)
    try:
        cache.get(k)
    except redis.RedisError:
        logger.warning("fallback")
    try:
        db.commit()
    except Exception:
        db.rollback()
        raise
    for item in items:
        db.merge(item)
    names = [lookup(i) for i in items]
    if a:
        one()
    elif b:
        two()
    else:
        three()
`);
  const add = call(f, 'db.add');
  assert.equal(add.discarded, true);
  assert.equal(add.floating, false);
  assert.equal(call(f, 'cache.get').tryCatch?.contains, true);
  assert.equal(call(f, 'db.commit').tryCatch, undefined, 'an except that re-raises contains nothing');
  assert.equal(call(f, 'db.merge').inLoop, true);
  assert.deepEqual(call(f, 'db.merge').loop?.over, { ref: 'items' });
  assert.equal(call(f, 'lookup').inLoop, true);
  const [one, two, three] = ['one', 'two', 'three'].map((n) => call(f, n).branch!);
  assert.notEqual(one, two);
  assert.notEqual(two, three);
  assert.ok(f.catches.some((c) => c.logs && !c.rethrows));
});

test('transactions: with session.begin() / engine.begin() / @transaction.atomic; the with target is a local', () => {
  const f = facts(`
def a(session):
    with session.begin():
        session.add(x)
    session.add(y)

async def b(engine):
    async with engine.begin() as conn:
        await conn.execute(stmt)

@transaction.atomic
def c():
    Order.objects.create(total=1)
`);
  const adds = f.calls.filter((c) => c.callee.join('.') === 'session.add');
  assert.deepEqual(adds.map((c) => c.inTransaction), [true, false]);
  assert.equal(call(f, 'conn.execute').inTransaction, true);
  assert.equal(call(f, 'conn.execute').awaited, true);
  assert.deepEqual(f.functions.find((x) => x.id === 'b')!.locals.conn, { call: 'engine.begin', args: [] });
  assert.equal(call(f, 'Order.objects.create').inTransaction, true);
});

test('fire-and-forget: a dropped asyncio.create_task is floating (spawned), a kept task and BackgroundTasks are not', () => {
  const f = facts(`
async def create(background_tasks):
    asyncio.create_task(analyze(user_id))
    task = asyncio.create_task(notify(user_id))
    background_tasks.add_task(send_email, user_id)
`);
  const analyze = call(f, 'analyze');
  assert.equal(analyze.floating, true);
  assert.equal(analyze.spawned, 'asyncio.create_task');
  assert.equal(call(f, 'notify').floating, false);
  const add = call(f, 'background_tasks.add_task');
  assert.equal(add.floating, true);
  assert.equal(add.caught, true, 'Starlette runs background tasks after the response and logs their errors');
});

test('strings: f-strings, % and .format() are templates; implicit concatenation; SQL literals', () => {
  const f = facts(`
def q(db, term, n):
    db.execute(text(f"SELECT id FROM events WHERE kind = '{term}' LIMIT {n}"))
    db.execute("SELECT * FROM t WHERE a = %s AND b = %d" % (term, n))
    db.execute("SELECT {} FROM t".format(term))
    db.execute(text("SELECT id FROM events WHERE id = :id"), {"id": n})
    x = "abc" "def"
`);
  const exec = f.calls.filter((c) => c.callee.join('.') === 'db.execute');
  assert.deepEqual(exec[0].args[0], { call: 'text', args: [{ tpl: "SELECT id FROM events WHERE kind = '${}' LIMIT ${}", parts: [{ ref: 'term' }, { ref: 'n' }] }] });
  assert.deepEqual(exec[1].args[0], { tpl: 'SELECT * FROM t WHERE a = ${} AND b = ${}', parts: [{ ref: 'term' }, { ref: 'n' }] });
  assert.deepEqual(exec[2].args[0], { tpl: 'SELECT ${} FROM t', parts: [{ ref: 'term' }] });
  assert.deepEqual(exec[3].args, [{ call: 'text', args: ['SELECT id FROM events WHERE id = :id'] }, { obj: { id: { ref: 'n' } } }]);
  assert.equal(f.functions[0].locals.x, 'abcdef');
  assert.ok(f.sqlStrings.some((s) => s.text.startsWith('SELECT id FROM events WHERE id')));
});

test('env reads: os.getenv / os.environ.get / os.environ[...] with defaults, pydantic BaseSettings fields', () => {
  const f = facts(`
import os
SECRET_KEY = os.getenv("SECRET_KEY", "dev-secret")
DEBUG = os.environ.get("DEBUG") or "0"
HOST = os.environ["DB_HOST"]
POOL = int(os.getenv("DB_POOL_SIZE", "10"))

class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_")
    JWT_SECRET: str = "changeme"
    redis_url: str = Field("redis://localhost:6379/0", alias="REDIS_URL")
    database_url: str
`);
  const env = (n: string) => f.envReads.find((r) => r.name === n);
  assert.equal(env('SECRET_KEY')?.default, 'dev-secret');
  assert.equal(env('DEBUG')?.default, '0');
  assert.ok(env('DB_HOST') && env('DB_HOST')!.default === undefined);
  assert.deepEqual(f.vars.find((v) => v.name === 'POOL')?.init, { call: 'int', args: [{ env: 'DB_POOL_SIZE', default: '10' }] });
  assert.deepEqual(env('APP_JWT_SECRET'), { name: 'APP_JWT_SECRET', line: 10, target: 'Settings.JWT_SECRET', default: 'changeme' });
  assert.equal(env('REDIS_URL')?.default, 'redis://localhost:6379/0');
  assert.ok(env('APP_DATABASE_URL') && !('default' in env('APP_DATABASE_URL')!));
});

test('generators and returns: a FastAPI dependency yields its session', () => {
  const f = facts(`
def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()
`);
  const fn = f.functions[0];
  assert.equal(fn.generator, true);
  assert.deepEqual(fn.returns, [{ ref: 'db' }]);
  assert.deepEqual(fn.locals.db, { call: 'SessionLocal', args: [] });
});

test('module-level configuration assignments and container writes', () => {
  const f = facts(`
celery_app.conf.beat_schedule = {"nightly": {"task": "app.tasks.cleanup"}}
app.config["SECRET_KEY"] = "dev"
class Manager:
    def connect(self, ws, uid):
        self.active[uid] = ws
        del self.active[uid]
`);
  assert.ok(f.vars.some((v) => v.name === 'celery_app.conf.beat_schedule'));
  assert.equal(f.vars.find((v) => v.name === 'app.config.SECRET_KEY')?.init, 'dev');
  assert.ok(f.calls.some((c) => c.callee.join('.') === 'this.active.__setitem__'));
  assert.ok(f.calls.some((c) => c.callee.join('.') === 'this.active.__delitem__'));
});

test('suppressions and syntax errors: a diagnostic, the rest of the file is still read', () => {
  const f = facts(`
# faultline-ignore-next-line http/no-timeout -- internal sidecar on localhost
requests.get(url)
def broken():
    x = = 1
def ok():
    return fine()
`);
  assert.deepEqual(f.suppressions, [{ line: 3, rule: 'http/no-timeout', reason: 'internal sidecar on localhost' }]);
  assert.ok(f.parseErrors.length > 0);
  assert.ok(f.calls.some((c) => c.callee.join('.') === 'fine'));
});
