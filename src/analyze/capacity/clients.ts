// Database clients and pools created in code: which library, which URL (env var or
// literal), which explicit pool size and statement timeout their options give.
import type { CallFact, FactIndex, FileFacts, Val } from '../../extract/facts.js';
import { objGet } from '../../extract/facts.js';
import { cmpStr } from '../../shared/compare.js';
import type { ClientFacts, ClientLibrary, Known } from './types.js';
import { findPythonClients } from './python.js';

/** A number in code: a literal, or an env var with an optional literal default. */
export interface NumSpec {
  value?: number;
  env?: string;
  def?: number;
  line: number;
  /** The option key it was read from (max, connectionLimit, pool.max...). */
  key: string;
}

export interface FoundClient {
  client: Omit<ClientFacts, 'datastore' | 'urlValues'>;
  /** sql: a SQL database whose engine neither the code nor the config names. */
  tech: 'postgresql' | 'mysql' | 'prisma' | 'sql';
  /** Where the URL comes from: an env var, a literal, or nothing readable. */
  url: { env?: string; literal?: string; unreadable?: boolean; fromSchema?: boolean };
  pool?: NumSpec;
  timeout?: NumSpec;
  /** TypeORM: the `type` is not a literal; `env` names the variable it reads, when it does (capacity resolves it). */
  engineFrom?: { env?: string };
  /** TypeORM: the options are another DataSource's (`TypeOrmModule.forRoot(AppDataSource.options)`): that local name. */
  optionsOf?: string;
}

const DEFAULTS: Record<ClientLibrary, { value?: number; note: string; urlParam?: string }> = {
  prisma: { note: "Prisma's default connection_limit: num_cpus × 2 + 1 per PrismaClient", urlParam: 'connection_limit' },
  pg: { value: 10, note: 'node-postgres Pool default max: 10' },
  'pg-client': { value: 1, note: 'a single pg Client: 1 connection' },
  postgres: { value: 10, note: 'postgres.js default max: 10' },
  typeorm: { value: 10, note: 'TypeORM (pg driver) default pool: 10' },
  knex: { value: 10, note: 'Knex default pool: min 2, max 10' },
  sequelize: { value: 5, note: 'Sequelize default pool.max: 5' },
  drizzle: { value: 10, note: 'drizzle over node-postgres: a pg Pool with its default max 10' },
  mysql2: { value: 10, note: 'mysql2 pool default connectionLimit: 10' },
  'mysql2-connection': { value: 1, note: 'a single mysql2 connection: 1' },
  'prisma-adapter-pg': { value: 10, note: '@prisma/adapter-pg creates a pg Pool: default max 10' },
  sqlalchemy: { value: 15, note: 'SQLAlchemy QueuePool default: pool_size 5 + max_overflow 10 per engine and process' },
  asyncpg: { value: 10, note: 'asyncpg create_pool default max_size: 10' },
  'psycopg-pool': { value: 4, note: 'psycopg_pool default: min_size 4 (max_size defaults to min_size)' },
  'psycopg2-pool': { note: 'psycopg2 pool: maxconn is required' },
  django: { value: 1, note: 'Django: one connection per worker thread (CONN_MAX_AGE keeps it open)' },
};

/** TypeORM `type` values of the servers capacity budgets (https://typeorm.io/docs/data-source/data-source-options). */
const TYPEORM_SERVER = /postgres|mysql|mariadb|cockroach/;

/** A TypeORM `type` → the engine capacity budgets; undefined for the others (sqlite, mssql, mongodb, ...). */
export function typeormTech(type: string): 'postgresql' | 'mysql' | undefined {
  if (!TYPEORM_SERVER.test(type)) return undefined;
  return /mysql|mariadb/.test(type) ? 'mysql' : 'postgresql';
}

export function defaultPool(lib: ClientLibrary): Known {
  const d = DEFAULTS[lib];
  return d.value !== undefined ? { value: d.value, source: 'default', note: d.note } : { source: 'unknown', note: d.note };
}

export function urlPoolParam(lib: ClientLibrary): string | undefined {
  return DEFAULTS[lib].urlParam;
}

type ImportMap = Map<string, { source: string; imported: string }>;

function importsOf(f: FileFacts): ImportMap {
  const m: ImportMap = new Map();
  for (const i of f.imports) if (!i.typeOnly) for (const n of i.names) m.set(n.local, { source: i.source, imported: n.imported });
  return m;
}

/** Follows a reference to a module-level or local variable once or twice. */
export function resolveVal(f: FileFacts, v: Val | undefined, fnId?: string, depth = 0): Val | undefined {
  if (!v || typeof v !== 'object' || !('ref' in v) || depth > 3) return v;
  const [head, ...rest] = v.ref.split('.');
  const fn = fnId ? f.functions.find((x) => x.id === fnId) : undefined;
  const init = fn?.locals[head] ?? f.vars.find((x) => x.name === head)?.init;
  if (init === undefined) return v;
  const base = resolveVal(f, init, fnId, depth + 1);
  return rest.length ? resolveVal(f, objGet(base, ...rest), fnId, depth + 1) ?? v : base;
}

const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

/** The env var a value reads: process.env.X, env.X / config.X (UPPER_SNAKE), configService.get('X'), Number(process.env.X). */
export function envOf(v: Val | undefined): { env: string; def?: Val } | undefined {
  if (!v || typeof v !== 'object') return undefined;
  if ('env' in v) return { env: v.env, def: v.default };
  if ('ref' in v) {
    const last = v.ref.split('.').pop() ?? '';
    return v.ref.includes('.') && ENV_NAME.test(last) ? { env: last } : undefined;
  }
  if ('call' in v) {
    const name = v.call.split('.').pop();
    if ((name === 'get' || name === 'getOrThrow') && typeof v.args[0] === 'string' && ENV_NAME.test(v.args[0])) return { env: v.args[0], def: v.args[1] };
    if (['Number', 'parseInt', 'parseFloat', 'String', 'toNumber', 'int'].includes(name ?? '') && v.args[0] !== undefined) {
      const inner = envOf(v.args[0]);
      return inner ? { env: inner.env, def: inner.def ?? v.args[1 + (name === 'parseInt' ? 1 : 0)] } : undefined;
    }
  }
  return undefined;
}

function numSpec(f: FileFacts, v: Val | undefined, key: string, line: number, fnId?: string): NumSpec | undefined {
  const r = resolveVal(f, v, fnId);
  if (r === undefined) return undefined;
  if (typeof r === 'number') return { value: r, line, key };
  if (typeof r === 'string' && /^\d+$/.test(r)) return { value: Number(r), line, key };
  const e = envOf(r);
  if (e) return { env: e.env, ...(typeof e.def === 'number' ? { def: e.def } : typeof e.def === 'string' && /^\d+$/.test(e.def) ? { def: Number(e.def) } : {}), line, key };
  if (r && typeof r === 'object' && 'call' in r && ['Number', 'parseInt'].includes(r.call)) return numSpec(f, r.args[0], key, line, fnId);
  return { line, key };
}

function urlSpec(f: FileFacts, v: Val | undefined, fnId?: string): FoundClient['url'] {
  const r = resolveVal(f, v, fnId);
  if (r === undefined) return {};
  if (typeof r === 'string') return { literal: r };
  const e = envOf(r);
  if (e) return { env: e.env, ...(typeof e.def === 'string' ? { literal: e.def } : {}) };
  return { unreadable: true };
}

function first(...vals: (Val | undefined)[]): Val | undefined {
  return vals.find((v) => v !== undefined);
}

function optsOf(f: FileFacts, c: CallFact, i = 0): Val | undefined {
  return resolveVal(f, c.args[i], c.fn);
}

function isObjVal(v: Val | undefined): boolean {
  return !!v && typeof v === 'object' && 'obj' in v;
}

/** Files that never run in production: tests, fixtures, scripts, seeds, migrations. */
export function skipFile(file: string): boolean {
  return /(^|\/)(test|tests|__tests__|spec|e2e|fixtures?|mocks?|__mocks__|seeds?|scripts|migrations?)(\/|$)|\.(test|spec|e2e-spec|stories)\.[cm]?[jt]sx?$|(^|\/)seed\.[cm]?[jt]s$/.test(file);
}

export function findClients(facts: FactIndex): FoundClient[] {
  const out: FoundClient[] = [...findPythonClients(facts)];
  for (const f of [...facts.values()].sort((a, b) => cmpStr(a.file, b.file))) {
    if (skipFile(f.file) || f.file.endsWith('.py')) continue;
    const imp = importsOf(f);
    const srcOf = (local: string) => imp.get(local);
    const prismaLocal = (name: string) => {
      const i = srcOf(name);
      return !!i && i.imported === 'PrismaClient' && /prisma/i.test(i.source);
    };
    const classesExtendingPrisma = f.classes.filter((k) => k.superClass && prismaLocal(k.superClass.split('.')[0]) || (k.superClass?.includes('.') && /prisma/i.test(srcOf(k.superClass.split('.')[0])?.source ?? '') && k.superClass.endsWith('.PrismaClient')));
    for (const cls of classesExtendingPrisma) {
      const sup = f.calls.find((c) => c.callee.length === 1 && c.callee[0] === 'super' && c.fn === `${cls.name}.constructor`);
      out.push(prismaClient(f, sup, sup?.line ?? cls.line, `PrismaClient (${cls.name})`));
    }
    for (const c of f.calls) {
      const root = c.callee[0];
      const i = root ? srcOf(root) : undefined;
      if (!i) continue;
      const member = c.callee.slice(1).join('.');
      const named = (exp: string) => (c.callee.length === 1 && i.imported === exp) || ((i.imported === 'default' || i.imported === '*') && member === exp);
      const src = i.source;
      if (c.isNew && /prisma/i.test(src) && (named('PrismaClient') || (c.callee.length === 1 && prismaLocal(root)))) {
        out.push(prismaClient(f, c, c.line, 'PrismaClient'));
      } else if (c.isNew && (src === 'pg' || src === 'pg-pool') && (named('Pool') || (src === 'pg-pool' && c.callee.length === 1))) {
        const o = optsOf(f, c);
        out.push(pgLike(f, c, 'pg', f.imports.some((x) => x.source === 'kysely') ? 'pg Pool (Kysely)' : 'pg Pool', o, ['max'], ['statement_timeout', 'query_timeout'], first(objGet(o, 'connectionString'))));
      } else if (c.isNew && src === 'pg' && named('Client') && (c.fn === '<module>' || c.fn.endsWith('.constructor'))) {
        const o = optsOf(f, c);
        out.push(pgLike(f, c, 'pg-client', 'pg Client', o, [], ['statement_timeout', 'query_timeout'], typeof o === 'string' || envOf(o) ? c.args[0] : objGet(o, 'connectionString')));
      } else if (!c.isNew && src === 'postgres' && c.callee.length === 1 && i.imported === 'default') {
        const urlArg = isObjVal(optsOf(f, c, 0)) ? undefined : c.args[0];
        const o = isObjVal(optsOf(f, c, 0)) ? optsOf(f, c, 0) : optsOf(f, c, 1);
        const found = pgLike(f, c, 'postgres', 'postgres.js', o, ['max'], [], urlArg);
        const t = objGet(o, 'connection', 'statement_timeout');
        if (t !== undefined) found.timeout = numSpec(f, t, 'connection.statement_timeout', c.line, c.fn);
        out.push(found);
      } else if ((c.isNew && src === 'typeorm' && named('DataSource')) || (!c.isNew && src === 'typeorm' && named('createConnection')) || (src === '@nestjs/typeorm' && c.callee.join('.').endsWith('TypeOrmModule.forRoot'))) {
        const o = optsOf(f, c);
        const type = resolveVal(f, objGet(o, 'type'), c.fn);
        if (typeof type === 'string' && !TYPEORM_SERVER.test(type)) continue;
        const found = pgLike(f, c, 'typeorm', 'TypeORM DataSource', o, ['extra.max', 'extra.connectionLimit', 'poolSize'], ['extra.statement_timeout', 'extra.query_timeout'], objGet(o, 'url'));
        const typeEnv = envOf(type)?.env;
        if (typeof type === 'string') found.tech = typeormTech(type)!;
        else found.engineFrom = typeEnv ? { env: typeEnv } : {};
        const ref = o && typeof o === 'object' && 'ref' in o ? /^([\w$]+)\.options$/.exec(o.ref) : null;
        if (ref) found.optionsOf = ref[1];
        out.push(found);
      } else if (!c.isNew && src === 'knex' && c.callee.length === 1 && (i.imported === 'default' || i.imported === 'knex' || i.imported === 'Knex')) {
        const o = optsOf(f, c);
        const client = objGet(o, 'client');
        const conn = resolveVal(f, objGet(o, 'connection'), c.fn);
        const found = pgLike(f, c, 'knex', 'Knex', o, ['pool.max'], [], isObjVal(conn) ? objGet(conn, 'connectionString') : conn);
        const t = isObjVal(conn) ? objGet(conn, 'statement_timeout') ?? objGet(conn, 'query_timeout') : undefined;
        if (t !== undefined) found.timeout = numSpec(f, t, 'connection.statement_timeout', c.line, c.fn);
        if (typeof client === 'string' && /mysql/.test(client)) found.tech = 'mysql';
        else if (typeof client === 'string' && !/pg|postgres/.test(client)) continue;
        out.push(found);
      } else if (c.isNew && (src === 'sequelize' || src === 'sequelize-typescript') && named('Sequelize')) {
        const objIdx = c.args.map((a) => resolveVal(f, a, c.fn)).findIndex((a) => isObjVal(a));
        const o = objIdx >= 0 ? optsOf(f, c, objIdx) : undefined;
        const dialect = objGet(o, 'dialect');
        const found = pgLike(f, c, 'sequelize', 'Sequelize', o, ['pool.max'], ['dialectOptions.statement_timeout', 'dialectOptions.query_timeout'], objIdx !== 0 && c.args.length <= 2 ? c.args[0] : objGet(o, 'url'));
        if (typeof dialect === 'string' && /mysql|mariadb/.test(dialect)) found.tech = 'mysql';
        else if (typeof dialect === 'string' && !/postgres/.test(dialect)) continue;
        out.push(found);
      } else if (!c.isNew && /^drizzle-orm\/(node-postgres|postgres-js)$/.test(src) && named('drizzle')) {
        const a0 = optsOf(f, c, 0);
        // drizzle(pool) wraps a pool created elsewhere (counted there); drizzle(url) and drizzle({ connection }) create one
        if (a0 && typeof a0 === 'object' && 'ref' in a0 && !envOf(a0)) continue;
        if (a0 && typeof a0 === 'object' && ('new' in a0 || 'call' in a0) && !envOf(a0)) continue;
        const conn = isObjVal(a0) ? resolveVal(f, objGet(a0, 'connection'), c.fn) : a0;
        if (isObjVal(a0) && conn === undefined) continue;
        const lib = src.endsWith('postgres-js') ? 'postgres' : 'drizzle';
        out.push(pgLike(f, c, lib, lib === 'postgres' ? 'postgres.js (drizzle)' : 'drizzle (pg Pool)', isObjVal(conn) ? conn : undefined, ['max'], ['statement_timeout'], isObjVal(conn) ? objGet(conn, 'connectionString') ?? objGet(conn, 'url') : conn));
      } else if (!c.isNew && /^mysql2(\/promise)?$/.test(src) && (named('createPool') || named('createConnection'))) {
        const o = optsOf(f, c);
        const pool = c.callee[c.callee.length - 1] === 'createPool';
        const found = pgLike(f, c, pool ? 'mysql2' : 'mysql2-connection', pool ? 'mysql2 pool' : 'mysql2 connection', isObjVal(o) ? o : undefined, pool ? ['connectionLimit'] : [], [], isObjVal(o) ? objGet(o, 'uri') : c.args[0]);
        found.tech = 'mysql';
        if (!pool && c.fn !== '<module>') continue;
        out.push(found);
      } else if (c.isNew && src === '@prisma/adapter-pg' && named('PrismaPg')) {
        const o = optsOf(f, c);
        if (!isObjVal(o)) continue; // new PrismaPg(pool): the pg Pool is counted where it is created
        out.push(pgLike(f, c, 'prisma-adapter-pg', 'PrismaPg adapter (pg Pool)', o, ['max'], ['statement_timeout', 'query_timeout'], objGet(o, 'connectionString')));
      }
    }
  }
  return out;
}

function prismaClient(f: FileFacts, c: CallFact | undefined, line: number, label: string): FoundClient {
  const o = c ? optsOf(f, c) : undefined;
  const ds = objGet(o, 'datasources');
  const dsUrl = ds && typeof ds === 'object' && 'obj' in ds ? Object.values(ds.obj).map((x) => objGet(x, 'url')).find((x) => x !== undefined) : undefined;
  const urlVal = first(dsUrl, objGet(o, 'datasourceUrl'));
  const adapter = objGet(o, 'adapter') !== undefined;
  return {
    client: { id: `prisma@${f.file}:${line}`, library: 'prisma', label: adapter ? `${label} with a driver adapter` : label, file: f.file, line, defaultPool: defaultPool('prisma'), urlPoolParam: adapter ? undefined : 'connection_limit' },
    tech: 'prisma',
    url: urlVal !== undefined ? urlSpec(f, urlVal, c?.fn) : { fromSchema: true },
    ...(adapter ? { pool: { line, key: 'adapter' } } : {}),
  };
}

function pgLike(f: FileFacts, c: CallFact, lib: ClientLibrary, label: string, o: Val | undefined, poolKeys: string[], timeoutKeys: string[], url: Val | undefined): FoundClient {
  let pool: NumSpec | undefined;
  for (const k of poolKeys) {
    const v = objGet(o, ...k.split('.'));
    if (v !== undefined) {
      pool = numSpec(f, v, k, c.line, c.fn);
      break;
    }
  }
  // options the scan cannot read (a parameter such as NestJS's `dataSourceFactory: (options) => new DataSource(options)`,
  // a call, an object with a spread): the size is unknown, not missing
  if (!pool && poolKeys.length && o && typeof o === 'object' && ('ref' in o || 'call' in o || 'unknown' in o || ('obj' in o && o.spread))) pool = { line: c.line, key: 'options' };
  let timeout: NumSpec | undefined;
  for (const k of timeoutKeys) {
    const v = objGet(o, ...k.split('.'));
    if (v !== undefined) {
      timeout = numSpec(f, v, k, c.line, c.fn);
      break;
    }
  }
  const extraOptions = objGet(o, 'extra', 'options') ?? objGet(o, 'options');
  if (!timeout && typeof extraOptions === 'string' && /statement_timeout/.test(extraOptions)) {
    const m = /statement_timeout\s*=\s*(\d+)/.exec(extraOptions);
    timeout = { ...(m ? { value: Number(m[1]) } : {}), line: c.line, key: 'options' };
  }
  return {
    client: { id: `${lib}@${f.file}:${c.line}`, library: lib, label, file: f.file, line: c.line, defaultPool: defaultPool(lib) },
    tech: lib === 'mysql2' || lib === 'mysql2-connection' ? 'mysql' : 'postgresql',
    url: url !== undefined ? urlSpec(f, url, c.fn) : {},
    ...(pool ? { pool } : {}),
    ...(timeout ? { timeout } : {}),
  };
}

/** `SET statement_timeout` / `SET LOCAL statement_timeout` issued from code (a connect hook, a transaction). */
export function timeoutsInCode(facts: FactIndex): { file: string; line: number; text: string; local: boolean }[] {
  const out: { file: string; line: number; text: string; local: boolean }[] = [];
  const textOf = (v: Val): string | undefined => (typeof v === 'string' ? v : v && typeof v === 'object' && 'tpl' in v ? v.tpl : undefined);
  for (const f of [...facts.values()].sort((a, b) => cmpStr(a.file, b.file))) {
    if (skipFile(f.file)) continue;
    for (const c of f.calls) {
      const texts = [c.template, ...c.args.map(textOf)].filter((t): t is string => !!t && /statement_timeout/i.test(t));
      for (const t of texts) out.push({ file: f.file, line: c.line, text: t.slice(0, 120), local: /SET\s+LOCAL/i.test(t) });
    }
    for (const s of f.sqlStrings) if (/statement_timeout/i.test(s.text) && /^\s*(ALTER|SET)\b/i.test(s.text)) out.push({ file: f.file, line: s.line, text: s.text.slice(0, 120), local: /SET\s+LOCAL/i.test(s.text) });
  }
  return out;
}
