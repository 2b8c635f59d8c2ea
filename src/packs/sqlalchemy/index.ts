// SQLAlchemy (1.4/2.0, sync and asyncio) and SQLModel: engines (create_engine /
// create_async_engine), sessions (Session, AsyncSession, sessionmaker()/async_sessionmaker(),
// scoped_session, FastAPI dependencies that yield them) and connections. A Session is a unit
// of work: add/delete/merge/flush and DML executed on a session or connection are pending
// until commit(), so they carry the transaction guard and commit() is the write that is not
// atomic with another commit. Reads: query(...) chains, get, scalars, execute(select(...)).
// Raw SQL: execute(text("...")) / exec_driver_sql("...") / engine.execute("...").
import type { Val } from '../../extract/facts.js';
import { callChain } from '../_lib/chain.js';
import { projectValue } from '../_lib/project.js';
import { arg, ctorHead, ctorPath, positional } from '../_lib/python.js';
import type { CallMeaning, DepCall, EntrypointLink, ResourceRef, TechPack } from '../types.js';
import { remember } from '../_lib/project.js';

const SESSION_READS = new Set(['get', 'get_one', 'scalars', 'scalar', 'refresh', 'stream', 'stream_scalars', 'exec']);
const SESSION_WRITES = new Set(['add', 'add_all', 'delete', 'merge', 'flush', 'bulk_save_objects', 'bulk_insert_mappings', 'bulk_update_mappings']);
const IGNORED = new Set(['close', 'rollback', 'expunge', 'expunge_all', 'expire', 'expire_all', 'begin', 'begin_nested', 'no_autoflush', 'info', 'bind', 'get_bind', 'invalidate', 'in_transaction', 'is_active', 'dispose', 'remove', 'connect', 'close_all', 'configure', 'run_sync', 'raw_connection', 'execution_options', 'sync_session', 'is_modified', 'dirty', 'new', 'deleted', 'identity_map', 'object_session', 'get_transaction', 'get_nested_transaction', 'in_nested_transaction', 'enable_relationship_loading', 'reset', 'kw', 'class_', '__call__']);
const QUERY_WRITES = new Set(['update', 'delete', 'insert']);
const ENGINE_CTORS = /^(create_engine|create_async_engine|engine_from_config|async_engine_from_config)$/;
const SESSION_CTORS = /^(Session|AsyncSession|sessionmaker|async_sessionmaker|scoped_session|async_scoped_session|scoped_session\(\)|orm)/;

/** `postgresql+asyncpg://...` → the datastore it names. */
export function urlDatastore(url: string | undefined): { name: string; tech: string } | undefined {
  if (!url) return undefined;
  const m = /^([a-z0-9]+)(\+[\w]+)?:\/\//i.exec(url.trim());
  if (!m) return undefined;
  const s = m[1].toLowerCase();
  if (s.startsWith('postgres') || s === 'cockroachdb' || s === 'redshift') return { name: 'postgres', tech: 'postgresql' };
  if (s === 'mysql' || s === 'mariadb') return { name: 'mysql', tech: 'mysql' };
  if (s === 'sqlite') return { name: 'sqlite', tech: 'sqlite' };
  if (s === 'mssql') return { name: 'mssql', tech: 'mssql' };
  if (s === 'oracle') return { name: 'oracle', tech: 'oracle' };
  return undefined;
}

function urlText(v: Val | undefined, env: (n: string) => string | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (!v || typeof v !== 'object') return undefined;
  if ('env' in v) return env(v.env) ?? (typeof v.default === 'string' ? v.default : undefined);
  if ('tpl' in v) return v.tpl.replace(/\$\{\}/g, 'x');
  if ('call' in v && /(^|\.)(str|URL\.create|make_url)$/.test(v.call)) return urlText(v.args[0], env);
  return undefined;
}

/** The engine a session/connection instance stands on: its create_engine(...) call value. */
function engineArgs(inst: DepCall['instance']): Val[] | undefined {
  if (!inst) return undefined;
  if (ENGINE_CTORS.test(ctorHead(inst))) return inst.args;
  // sessionmaker(bind=engine) / Session(engine): the engine value (substituted by the linker)
  const bind = arg(inst.args, 'bind', 0);
  if (bind && typeof bind === 'object' && 'call' in bind && ENGINE_CTORS.test(bind.call.split('.').pop() ?? '')) return bind.args;
  return undefined;
}

/** The project's SQL datastore when an instance does not show its URL (a typed `db: Session` parameter). */
function projectDefault(call: DepCall, env: (n: string) => string | undefined): { name: string; tech: string } {
  const found = projectValue(call.facts, 'sqlalchemy:default-url', (link: EntrypointLink) => {
    for (const f of link.allFiles()) for (const c of f.calls) {
      const last = c.callee[c.callee.length - 1];
      if (!last || !ENGINE_CTORS.test(last)) continue;
      const u = positional(c.args)[0] ?? arg(c.args, 'url');
      const ev = u !== undefined ? link.evaluate(f.file, u, c.fn === '<module>' ? undefined : c.fn) : undefined;
      const ds = urlDatastore(urlText(ev, env));
      if (ds) return ds;
    }
    return undefined;
  });
  return found ?? { name: 'postgres', tech: 'postgresql' };
}

export function sqlalchemyTarget(call: DepCall, env: (n: string) => string | undefined): ResourceRef {
  const eng = engineArgs(call.instance);
  const ds = eng ? urlDatastore(urlText(positional(eng)[0] ?? arg(eng, 'url'), env)) : undefined;
  const t = ds ?? projectDefault(call, env);
  return { kind: 'datastore', name: t.name, tech: t.tech };
}

type Stmt = { kind: 'select' | 'insert' | 'update' | 'delete' | 'text' | 'unknown'; sql?: Val };

/** What a statement value is: select(...).where(...), insert(T).values(...), text("..."), a SQL string. */
export function statementOf(v: Val | undefined): Stmt {
  if (typeof v === 'string') return { kind: 'text', sql: v };
  if (v && typeof v === 'object' && ('tpl' in v || 'concat' in v)) return { kind: 'text', sql: v };
  let cur: Val | undefined = v;
  for (let i = 0; i < 24 && cur && typeof cur === 'object' && 'call' in cur; i++) {
    if (cur.call.startsWith('()')) {
      cur = cur.recv;
      continue;
    }
    const name = cur.call.split('.').pop() ?? '';
    if (name === 'text') return { kind: 'text', sql: cur.args[0] };
    if (name === 'select' || name === 'union' || name === 'union_all' || name === 'exists') return { kind: 'select' };
    if (name === 'insert' || name === 'update' || name === 'delete') return { kind: name };
    return { kind: 'unknown' };
  }
  return { kind: 'unknown' };
}

function textIsRead(sql: Val | undefined): boolean {
  const t = typeof sql === 'string' ? sql : sql && typeof sql === 'object' && 'tpl' in sql ? sql.tpl : sql && typeof sql === 'object' && 'concat' in sql ? (typeof sql.concat[0] === 'string' ? sql.concat[0] : '') : '';
  return /^\s*(\$\{\}\s*)?(SELECT|WITH\s+[\s\S]*\bSELECT\b|SHOW|EXPLAIN)\b/i.test(t) && !/\b(INSERT|UPDATE|DELETE)\b/i.test(t.slice(0, 200));
}

function classify(call: DepCall, env: (n: string) => string | undefined): CallMeaning | undefined {
  const inst = call.instance;
  const path = inst ? ctorPath(inst) : call.exportName ?? '';
  const head = inst ? ctorHead(inst) : call.exportName ?? '';
  const member = call.member;
  const op = member[member.length - 1];
  if (!op) return { use: 'ignore' };
  const isEngine = !!inst && ENGINE_CTORS.test(head) && !/\.(connect|begin)/.test(path);
  const isConnection = !!inst && ENGINE_CTORS.test(head) && /\.(connect|begin)/.test(path);
  const isSession = !!inst && (SESSION_CTORS.test(head) || /sessionmaker\(\)|scoped_session\(\)|Session\(\)/.test(path) || /(^|\.)(Session|AsyncSession)$/.test(inst.typeName ?? ''));
  if (!inst) return { use: 'ignore' }; // select(), text(), create_engine(): builders and factories
  // Flask-SQLAlchemy: db.session.add(...) / db.session.commit(); Model.query.filter_by(...).first()
  if (call.pkg === 'flask_sqlalchemy') {
    if (member[0] === 'session' && member.length > 1) return classify({ ...call, pkg: 'sqlalchemy', instance: { ...inst, ctor: 'Session', typeName: 'Session' }, member: member.slice(1) }, env);
    if (member[0] === 'query' && inst.typeName) return classify({ ...call, pkg: 'sqlalchemy', instance: { ...inst, ctor: 'Session', typeName: 'Session' }, member }, env);
    if (member[0] === 'engine' && member.length > 1) return classify({ ...call, pkg: 'sqlalchemy', instance: { ...inst, ctor: 'create_engine', args: [] }, member: member.slice(1) }, env);
    // res = Article.query; res.filter(...).all() — a query held in a variable; its result (first(), get()...) is a model instance, not a query
    if (inst.typeName && /\.query(\.|$)/.test(inst.ctor) && !/\.(first|one|one_or_none|get|get_or_404|first_or_404|one_or_404|scalar|all|paginate)\(\)$/.test(inst.ctor)) {
      return classify({ ...call, pkg: 'sqlalchemy', instance: { ...inst, ctor: 'Session', typeName: 'Session' }, member: ['query', ...member] }, env);
    }
    return { use: 'ignore' };
  }
  if (!isEngine && !isConnection && !isSession) return { use: 'ignore' };
  if (member.length > 1 && member[0] !== 'query' && member[0] !== 'execute') return undefined;
  const target = sqlalchemyTarget(call, env);
  // engine.connect() / engine.begin() check a connection out of the pool (or open one): the database must answer
  if (isEngine && member.length === 1 && (op === 'connect' || op === 'begin' || op === 'raw_connection')) return { use: 'dependency', target, edge: 'reads', readOnly: true, op: 'connect' };
  if (IGNORED.has(op) && member.length === 1) return { use: 'ignore' };
  const read = (raw: boolean): CallMeaning => ({ use: 'dependency', target, edge: 'reads', readOnly: true, op: raw ? 'raw-query' : 'query' });
  const write = (raw: boolean, pending: boolean): CallMeaning => ({ use: 'dependency', target, edge: 'writes', op: raw ? 'raw-write' : 'write', ...(pending ? { guards: { transaction: true } } : {}) });
  if (isEngine && op !== 'execute') return { use: 'ignore' };
  const first = member[0];
  if (first === 'commit') return write(false, false);
  if (first === 'query') {
    const chain = callChain(call.facts, call.call);
    const w = chain.members.find((m) => QUERY_WRITES.has(m));
    return w ? write(false, true) : read(false);
  }
  if (first === 'execute' || first === 'exec' || first === 'exec_driver_sql' || first === 'scalars' || first === 'scalar' || first === 'stream') {
    const stmt = statementOf(positional(call.call.args)[0] ?? arg(call.call.args, 'statement'));
    const raw = stmt.kind === 'text' || first === 'exec_driver_sql';
    if (stmt.kind === 'insert' || stmt.kind === 'update' || stmt.kind === 'delete') return write(false, !isEngine);
    if (stmt.kind === 'text') return textIsRead(stmt.sql) ? read(true) : write(true, !isEngine);
    return read(raw);
  }
  if (SESSION_WRITES.has(first)) return write(false, true);
  if (SESSION_READS.has(first)) return read(false);
  return undefined;
}

const pack: TechPack = {
  id: 'sqlalchemy',
  title: 'SQLAlchemy and SQLModel (engines, sessions, connections)',
  lang: 'python',
  upstreamDocs: ['https://docs.sqlalchemy.org/en/20/orm/session_basics.html', 'https://docs.sqlalchemy.org/en/20/core/pooling.html', 'https://docs.sqlalchemy.org/en/20/orm/session_transaction.html', 'https://sqlmodel.tiangolo.com/tutorial/fastapi/session-with-dependency/'],
  packages: ['sqlalchemy', 'sqlmodel', 'flask_sqlalchemy'],
  classifyCall(call, ctx) {
    return classify(call, (n) => ctx.env(n));
  },
  entrypoints(files, link) {
    remember(files, link);
    return [];
  },
};
export default pack;
