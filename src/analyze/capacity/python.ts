// Python database pools for the connection budget: SQLAlchemy/SQLModel engines
// (pool_size + max_overflow per process; NullPool is unbounded), asyncpg and psycopg pools,
// psycopg2 pools, Django DATABASES; and the Python side of a runtime: the entry module of
// its command (uvicorn/gunicorn `app.main:app`, `celery -A app.worker`, `python manage.py`),
// the import closure from there, and how many processes each replica runs (gunicorn/uvicorn
// `--workers`, WEB_CONCURRENCY, Celery `--concurrency`).
import type { CallFact, FactIndex, FileFacts, Val } from '../../extract/facts.js';
import { objGet } from '../../extract/facts.js';
import { pyIndex } from '../../link/python-eval.js';
import { cmpStr } from '../../shared/compare.js';
import type { FoundClient, NumSpec } from './clients.js';
import type { ClientLibrary, Known } from './types.js';

export const PY_DEFAULTS: Partial<Record<ClientLibrary, { value?: number; note: string }>> = {
  sqlalchemy: { value: 15, note: 'SQLAlchemy QueuePool default: pool_size 5 + max_overflow 10 per engine and process' },
  asyncpg: { value: 10, note: 'asyncpg create_pool default max_size: 10' },
  'psycopg-pool': { value: 4, note: 'psycopg_pool default: min_size 4 (max_size defaults to min_size)' },
  'psycopg2-pool': { note: 'psycopg2 pool: maxconn is required' },
  django: { value: 1, note: 'Django: one connection per worker thread (CONN_MAX_AGE keeps it open)' },
};

const SKIP = /(^|\/)(tests?|__tests__|fixtures?|scripts|migrations?|alembic|seeds?|examples?|docs?)(\/|$)|(^|\/)(test_[^/]*|[^/]*_test|conftest)\.py$/;

type Imports = Map<string, { source: string; imported: string }>;

function importsOf(f: FileFacts): Imports {
  const m: Imports = new Map();
  for (const i of f.imports) for (const n of i.names) m.set(n.local, { source: i.source, imported: n.imported });
  return m;
}

function kw(args: Val[]): Record<string, Val> {
  const last = args[args.length - 1];
  return last && typeof last === 'object' && 'obj' in last && (last as { kwargs?: boolean }).kwargs ? last.obj : {};
}

function pos(args: Val[]): Val[] {
  const last = args[args.length - 1];
  return last && typeof last === 'object' && 'obj' in last && (last as { kwargs?: boolean }).kwargs ? args.slice(0, -1) : args;
}

/** Where a call's callee comes from: the package module and the imported name path (`sqlalchemy` + `create_engine`). */
function origin(f: FileFacts, imp: Imports, c: CallFact): { source: string; name: string } | undefined {
  if (c.root || !c.callee.length) return undefined;
  const i = imp.get(c.callee[0]);
  if (!i) return undefined;
  const name = [...(i.imported === '*' ? [] : [i.imported]), ...c.callee.slice(1)].join('.');
  return { source: i.source, name };
}

function numSpec(f: FileFacts, c: CallFact, v: Val | undefined, key: string): NumSpec | undefined {
  if (v === undefined) return undefined;
  const e = evaluateIn(f, v, c.fn === '<module>' ? undefined : c.fn);
  if (typeof e === 'number') return { value: e, line: c.line, key };
  if (typeof e === 'string' && /^\d+$/.test(e)) return { value: Number(e), line: c.line, key };
  if (e && typeof e === 'object' && 'env' in e) {
    const d = e.default;
    const def = typeof d === 'number' ? d : typeof d === 'string' && /^\d+$/.test(d) ? Number(d) : undefined;
    return { env: e.env, ...(def !== undefined ? { def } : {}), line: c.line, key };
  }
  return { line: c.line, key };
}

let currentFacts: FactIndex | undefined;
function evaluateIn(f: FileFacts, v: Val | undefined, fnId?: string): Val | undefined {
  if (!currentFacts) return v;
  const fn = fnId ? f.functions.find((x) => x.id === fnId) : undefined;
  return pyIndex(currentFacts).evaluate(f.file, v, fn);
}

function urlSpec(f: FileFacts, c: CallFact, v: Val | undefined): FoundClient['url'] {
  if (v === undefined) return {};
  const e = evaluateIn(f, v, c.fn === '<module>' ? undefined : c.fn);
  if (typeof e === 'string') return { literal: e };
  if (e && typeof e === 'object' && 'env' in e) return { env: e.env, ...(typeof e.default === 'string' ? { literal: e.default } : {}) };
  if (e && typeof e === 'object' && 'call' in e && /(^|\.)str$/.test(e.call)) return urlSpec(f, c, e.args[0]);
  return { unreadable: true };
}

function techOf(url: FoundClient['url']): 'postgresql' | 'mysql' | undefined {
  const u = url.literal;
  if (!u) return 'postgresql';
  if (/^postgres/i.test(u) || /^cockroach/i.test(u)) return 'postgresql';
  if (/^(mysql|mariadb)/i.test(u)) return 'mysql';
  return undefined;
}

/** Statement timeout in connect_args: psycopg `options="-c statement_timeout=5000"`, asyncpg `server_settings={"statement_timeout": "5000"}` or `command_timeout`. */
function timeoutSpec(f: FileFacts, c: CallFact, connectArgs: Val | undefined, key = 'connect_args'): NumSpec | undefined {
  const ca = evaluateIn(f, connectArgs, c.fn === '<module>' ? undefined : c.fn);
  if (!ca || typeof ca !== 'object' || !('obj' in ca)) return undefined;
  const options = ca.obj.options;
  if (typeof options === 'string' && /statement_timeout/.test(options)) {
    const m = /statement_timeout\s*=\s*(\d+)/.exec(options);
    return { ...(m ? { value: Number(m[1]) } : {}), line: c.line, key: `${key}.options` };
  }
  const ss = objGet(ca, 'server_settings', 'statement_timeout');
  if (ss !== undefined) return numSpec(f, c, ss, `${key}.server_settings.statement_timeout`);
  if (ca.obj.command_timeout !== undefined) {
    const s = numSpec(f, c, ca.obj.command_timeout, `${key}.command_timeout`);
    return s && s.value !== undefined ? { ...s, value: s.value * 1000 } : s;
  }
  return undefined;
}

function client(lib: ClientLibrary, label: string, f: FileFacts, c: CallFact, url: FoundClient['url'], pool: NumSpec | undefined, timeout: NumSpec | undefined): FoundClient {
  const d = PY_DEFAULTS[lib]!;
  const defaultPool: Known = d.value !== undefined ? { value: d.value, source: 'default', note: d.note } : { source: 'unknown', note: d.note };
  return {
    client: { id: `${lib}@${f.file}:${c.line}`, library: lib, label, file: f.file, line: c.line, defaultPool },
    tech: techOf(url) ?? 'postgresql',
    url,
    ...(pool ? { pool } : {}),
    ...(timeout ? { timeout } : {}),
  };
}

function sumSpecs(a: NumSpec | undefined, b: NumSpec | undefined, defA: number, defB: number, line: number): NumSpec {
  const va = a === undefined ? defA : a.value ?? a.def;
  const vb = b === undefined ? defB : b.value ?? b.def;
  const key = `pool_size ${a === undefined ? `${defA} (default)` : a.env ? `from ${a.env}` : va} + max_overflow ${b === undefined ? `${defB} (default)` : b.env ? `from ${b.env}` : vb}`;
  if (va === undefined || vb === undefined) return { line, key };
  // an env-driven size keeps its default as the value: the runtime's environment may change it
  return { value: va + vb, line, key };
}

export function findPythonClients(facts: FactIndex): FoundClient[] {
  currentFacts = facts;
  const out: FoundClient[] = [];
  for (const f of [...facts.values()].sort((a, b) => cmpStr(a.file, b.file))) {
    if (!f.file.endsWith('.py') || SKIP.test(f.file)) continue;
    const imp = importsOf(f);
    for (const c of f.calls) {
      const o = origin(f, imp, c);
      if (!o) continue;
      const pkg = o.source.replace(/^\.+/, '').split('.')[0];
      const last = o.name.split('.').pop() ?? '';
      const args = c.args;
      const k = kw(args);
      if ((pkg === 'sqlalchemy' || pkg === 'sqlmodel') && /^(create_engine|create_async_engine|engine_from_config|async_engine_from_config)$/.test(last)) {
        const url = last.includes('from_config') ? { unreadable: true } : urlSpec(f, c, pos(args)[0] ?? k.url);
        if (url.literal && /^sqlite/i.test(url.literal)) continue;
        const poolclass = k.poolclass;
        const poolName = poolclass && typeof poolclass === 'object' && 'ref' in poolclass ? poolclass.ref.split('.').pop() : undefined;
        let pool: NumSpec | undefined;
        if (poolName === 'NullPool') pool = { line: c.line, key: 'poolclass=NullPool (a new connection per checkout, no limit)' };
        else if (poolName === 'StaticPool' || poolName === 'SingletonThreadPool') pool = { value: 1, line: c.line, key: `poolclass=${poolName}` };
        else {
          const ps = numSpec(f, c, k.pool_size, 'pool_size');
          const mo = numSpec(f, c, k.max_overflow, 'max_overflow');
          if (ps || mo) pool = sumSpecs(ps, mo, 5, 10, c.line);
        }
        const timeout = timeoutSpec(f, c, k.connect_args);
        out.push(client('sqlalchemy', `SQLAlchemy ${last === 'create_async_engine' ? 'async engine' : 'engine'}`, f, c, url, pool, timeout));
      } else if (pkg === 'asyncpg' && last === 'create_pool') {
        const url = urlSpec(f, c, pos(args)[0] ?? k.dsn);
        const pool = numSpec(f, c, k.max_size, 'max_size');
        // server_settings statement_timeout (server side, ms) or command_timeout (client side, seconds: asyncpg cancels the query)
        let timeout = objGet(k.server_settings, 'statement_timeout') !== undefined ? numSpec(f, c, objGet(k.server_settings, 'statement_timeout'), 'server_settings.statement_timeout') : undefined;
        if (!timeout && k.command_timeout !== undefined && k.command_timeout !== null) {
          const s = numSpec(f, c, k.command_timeout, 'command_timeout');
          timeout = s && s.value !== undefined ? { ...s, value: s.value * 1000 } : s;
        }
        out.push(client('asyncpg', 'asyncpg pool', f, c, url, pool, timeout));
      } else if (pkg === 'psycopg_pool' && /^(ConnectionPool|AsyncConnectionPool|NullConnectionPool|AsyncNullConnectionPool)$/.test(last)) {
        const url = urlSpec(f, c, pos(args)[0] ?? k.conninfo);
        const pool = numSpec(f, c, k.max_size, 'max_size') ?? numSpec(f, c, k.min_size, 'min_size');
        // kwargs={"options": "-c statement_timeout=5000"}: passed to every connection the pool opens
        const timeout = timeoutSpec(f, c, k.kwargs, 'kwargs');
        out.push(client('psycopg-pool', `psycopg ${last}`, f, c, url, pool, timeout));
      } else if (pkg === 'psycopg2' && /^(pool\.)?(SimpleConnectionPool|ThreadedConnectionPool)$/.test(o.name.replace(/^pool\./, 'pool.'))) {
        const url = urlSpec(f, c, pos(args)[2] ?? k.dsn);
        const pool = numSpec(f, c, pos(args)[1] ?? k.maxconn, 'maxconn');
        out.push(client('psycopg2-pool', `psycopg2 ${last}`, f, c, url, pool, undefined));
      }
    }
    // Django: DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", ...}}
    const dbs = f.vars.find((v) => v.name === 'DATABASES');
    const def = dbs?.init && typeof dbs.init === 'object' && 'obj' in dbs.init ? dbs.init.obj.default : undefined;
    if (dbs && def) {
      const engine = evaluateIn(f, objGet(def, 'ENGINE'));
      const isDjUrl = def && typeof def === 'object' && 'call' in def && /dj_database_url|(^|\.)(parse|config)$/.test(def.call);
      if ((typeof engine === 'string' && /postgres|mysql/.test(engine)) || isDjUrl) {
        const fake: CallFact = { fn: '<module>', callee: ['DATABASES'], line: dbs.line, endLine: dbs.line, args: [], isNew: false, awaited: false, returned: false, floating: false, caught: false, inLoop: false, inPromiseAllMap: false, inTransaction: false, order: 0 };
        const pool = objGet(def, 'OPTIONS', 'pool', 'max_size');
        const opts = objGet(def, 'OPTIONS', 'options');
        const timeout = typeof opts === 'string' && /statement_timeout/.test(opts) ? { ...(/statement_timeout\s*=\s*(\d+)/.exec(opts) ? { value: Number(/statement_timeout\s*=\s*(\d+)/.exec(opts)![1]) } : {}), line: dbs.line, key: 'OPTIONS.options' } : undefined;
        const url: FoundClient['url'] = isDjUrl ? urlSpec(f, fake, (def as { args: Val[] }).args[0] ?? kw((def as { args: Val[] }).args).default) : {};
        const found = client('django', 'Django DATABASES["default"]', f, fake, url, pool !== undefined ? numSpec(f, fake, pool, 'OPTIONS.pool.max_size') : undefined, timeout);
        if (typeof engine === 'string' && /mysql/.test(engine)) found.tech = 'mysql';
        out.push(found);
      }
    }
  }
  currentFacts = undefined;
  return out;
}

// ---------------------------------------------------------------- runtimes

/** Modules a Python command starts: `uvicorn app.main:app`, `gunicorn -k ... app.main:app`, `celery -A app.worker worker`, `python -m app`, `python manage.py runserver`, `python main.py`. */
export function pythonEntries(facts: FactIndex, dir: string, command: string | undefined): string[] {
  if (!command) return [];
  const mods = pyIndex(facts).mods;
  const from = (dir ? `${dir}/` : '') + '__entry__.py';
  const out: string[] = [];
  const add = (file: string | undefined) => {
    if (file && !out.includes(file)) out.push(file);
  };
  const module = (m: string) => mods.resolve(from, m) ?? mods.resolve(from, `${m}.main`);
  for (const m of command.matchAll(/\b(?:uvicorn|gunicorn|hypercorn|daphne|granian)\b[^&;|]*?\s([A-Za-z_][\w.]*):[A-Za-z_][\w.()]*/g)) add(module(m[1]));
  for (const m of command.matchAll(/\bcelery\b[^&;|]*?\s(?:-A|--app)[= ]([A-Za-z_][\w.:]*)/g)) {
    const name = m[1].split(':')[0];
    add(module(name) ?? mods.resolve(from, `${name}.celery`) ?? mods.resolve(from, `${name}.celery_app`));
  }
  for (const m of command.matchAll(/\bpython[\d.]*\s+-m\s+([A-Za-z_][\w.]*)/g)) add(mods.resolve(from, `${m[1]}.__main__`) ?? module(m[1]));
  for (const m of command.matchAll(/\bpython[\d.]*\s+(?!-)([\w./-]+\.py)\b/g)) {
    const rel = [dir, m[1].replace(/^\.\//, '')].filter(Boolean).join('/');
    if (facts.has(rel)) add(rel);
  }
  // a Celery worker imports the modules that define tasks (include=[...], autodiscover_tasks)
  if (/\bcelery\b[^&;|]*\sworker(\s|$)/.test(command)) {
    for (const f of facts.values()) {
      if (!f.file.endsWith('.py') || (dir && !f.file.startsWith(dir + '/'))) continue;
      if (f.functions.some((fn) => fn.decorators.some((d) => /^(task|shared_task)$/.test(d.name)))) add(f.file);
    }
  }
  return out;
}

/** Files reachable from Python entries through imports. */
export function pythonClosure(facts: FactIndex, entries: string[]): Set<string> {
  const mods = pyIndex(facts).mods;
  const seen = new Set<string>();
  const stack = [...entries];
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const f = facts.get(file);
    if (!f) continue;
    for (const imp of f.imports) {
      if (imp.typeOnly) continue;
      const targets = [mods.resolve(file, imp.source), ...imp.names.map((n) => (n.imported === '*' ? undefined : mods.submodule(file, imp.source, n.imported)))];
      // a package import runs its __init__ chain
      for (const t of targets) if (t && !seen.has(t)) stack.push(t);
    }
  }
  return seen;
}

/**
 * The gunicorn configuration file a command loads: `-c`/`--config` (a path, matched by its
 * name when the path is inside the image, or `python:module`), else `gunicorn.conf.py` in
 * the working directory (gunicorn's default), which is taken to be the runtime's folder.
 */
export function gunicornConfigFile(facts: FactIndex, dir: string, command: string): string | undefined {
  const prefix = dir ? `${dir}/` : '';
  const m = /\s(?:-c|--config)(?:=|\s+)["']?([^\s"']+)/.exec(command);
  if (!m) return facts.has(`${prefix}gunicorn.conf.py`) ? `${prefix}gunicorn.conf.py` : undefined;
  const spec = m[1];
  if (spec.startsWith('python:')) return pyIndex(facts).mods.resolve(`${prefix}__entry__.py`, spec.slice(7));
  if (!spec.endsWith('.py')) return undefined;
  const rel = spec.replace(/^\.\//, '');
  if (!rel.startsWith('/') && facts.has(`${prefix}${rel}`)) return `${prefix}${rel}`;
  // an absolute path inside the image (/app/gunicorn_conf.py): the file of that name under the runtime's folder
  const base = rel.split('/').pop()!;
  return [...facts.keys()].filter((f) => (f === `${prefix}${base}` || (f.startsWith(prefix) && f.endsWith(`/${base}`)))).sort((a, b) => a.length - b.length || cmpStr(a, b))[0];
}

/** `workers = 4` / `workers = int(os.getenv("WEB_CONCURRENCY", 2))` in a gunicorn config file. */
function gunicornConfWorkers(facts: FactIndex, file: string, env: Record<string, { value: string }>): { n: number; note: string } | undefined {
  const f = facts.get(file);
  const v = f?.vars.filter((x) => x.name === 'workers').sort((a, b) => b.line - a.line)[0];
  if (!f || !v) return undefined;
  const at = `${file}:${v.line}`;
  const e = pyIndex(facts).evaluate(file, v.init);
  if (typeof e === 'number' && e >= 1) return { n: e, note: `workers = ${e} (${at})` };
  if (e && typeof e === 'object' && 'env' in e) {
    const set = env[e.env]?.value;
    if (set && /^\d+$/.test(set)) return { n: Number(set), note: `workers from ${e.env}=${set} (${at})` };
    const d = typeof e.default === 'number' ? e.default : typeof e.default === 'string' && /^\d+$/.test(e.default) ? Number(e.default) : undefined;
    if (d !== undefined && d >= 1) return { n: d, note: `workers = ${d} when ${e.env} is unset (${at})` };
  }
  return { n: 1, note: `gunicorn workers is not set to a number the scan can read (${at} computes it at start-up, e.g. from the CPU count): each worker process has its own pool` };
}

/**
 * Processes per replica from a Python command: gunicorn/uvicorn --workers (or WEB_CONCURRENCY),
 * gunicorn's GUNICORN_CMD_ARGS and configuration file (`workers = ...` in gunicorn.conf.py or
 * the `-c` file, when `facts` are given), Celery --concurrency.
 */
export function pythonProcesses(command: string | undefined, env: Record<string, { value: string }>, facts?: FactIndex, dir = ''): { n: number; note?: string } | undefined {
  if (!command) return undefined;
  const isWeb = /\b(gunicorn|uvicorn|hypercorn|granian)\b/.test(command);
  const w = /(?:\s-w\s*|--workers[= ])(\d+)/.exec(command);
  if (isWeb && w) return { n: Number(w[1]), note: `--workers ${w[1]}` };
  if (/\bgunicorn\b/.test(command)) {
    // precedence: command line, then GUNICORN_CMD_ARGS, then the configuration file, then WEB_CONCURRENCY
    const args = env.GUNICORN_CMD_ARGS?.value;
    const aw = args ? /(?:^|\s)(?:-w\s*|--workers[= ])(\d+)/.exec(args) : null;
    if (aw) return { n: Number(aw[1]), note: `GUNICORN_CMD_ARGS --workers ${aw[1]}` };
    const conf = facts ? gunicornConfigFile(facts, dir, command) : undefined;
    const fromConf = conf ? gunicornConfWorkers(facts!, conf, env) : undefined;
    if (fromConf) return fromConf;
  }
  if (/\bgunicorn\b/.test(command) || (/\buvicorn\b/.test(command) && env.WEB_CONCURRENCY)) {
    const wc = env.WEB_CONCURRENCY?.value;
    if (wc && /^\d+$/.test(wc)) return { n: Number(wc), note: `WEB_CONCURRENCY=${wc}` };
    if (/\bgunicorn\b/.test(command)) return { n: 1, note: 'gunicorn default: 1 worker' };
  }
  if (/\bcelery\b[^&;|]*\sworker(\s|$)/.test(command)) {
    const c = /(?:\s-c\s*|--concurrency[= ])(\d+)/.exec(command);
    if (c) return { n: Number(c[1]), note: `--concurrency ${c[1]}` };
    if (/--pool[= ](solo|threads|gevent|eventlet)/.test(command) && !/--pool[= ]solo/.test(command)) return undefined;
    if (/--pool[= ]solo/.test(command)) return { n: 1, note: '--pool solo' };
    return { n: 1, note: 'Celery --concurrency is not set: it defaults to the number of CPUs of the container, each process with its own pool' };
  }
  return undefined;
}
