// aiosql: SQL kept in .sql files, loaded at run time as functions on a queries object
// (`queries = aiosql.from_path("sql/", "asyncpg")`, `from_str(sql, "sqlite3")`); every
// `queries.<name>(conn, ...)` runs one statement against the database the driver adapter
// names. The statement's text is not in the code, so a query is a write when its name says
// so (create_/insert_/update_/delete_/add_/remove_/…), else a read.
import { arg, positional } from '../_lib/python.js';
import type { ResourceRef, TechPack } from '../types.js';

const ADAPTERS: Record<string, ResourceRef> = {
  asyncpg: { kind: 'datastore', name: 'postgres', tech: 'postgresql' },
  psycopg: { kind: 'datastore', name: 'postgres', tech: 'postgresql' },
  psycopg2: { kind: 'datastore', name: 'postgres', tech: 'postgresql' },
  pg8000: { kind: 'datastore', name: 'postgres', tech: 'postgresql' },
  aiopg: { kind: 'datastore', name: 'postgres', tech: 'postgresql' },
  sqlite3: { kind: 'datastore', name: 'sqlite', tech: 'sqlite' },
  aiosqlite: { kind: 'datastore', name: 'sqlite', tech: 'sqlite' },
  apsw: { kind: 'datastore', name: 'sqlite', tech: 'sqlite' },
  pymysql: { kind: 'datastore', name: 'mysql', tech: 'mysql' },
  mysqldb: { kind: 'datastore', name: 'mysql', tech: 'mysql' },
  'mysql-connector': { kind: 'datastore', name: 'mysql', tech: 'mysql' },
  duckdb: { kind: 'datastore', name: 'duckdb', tech: 'duckdb' },
};
const LOADERS = /^(from_path|from_str)$/;
const WRITE_NAME = /^(create|insert|add|update|upsert|delete|remove|set|save|mark|increment|decrement|incr|decr|subscribe|unsubscribe|follow|unfollow|assign|unassign|link|unlink|register|replace|drop|truncate|archive|restore|purge|clear|reset|bulk|put|store|record|append|attach|detach|enqueue|lock|unlock|move|rename|approve|reject|cancel|close|open|activate|deactivate|enable|disable|grant|revoke|touch|write|modify|change|edit|patch|merge|import|migrate)(_|$)/;
const IGNORED = new Set(['add_queries', 'add_query', 'add_child_queries', 'available_queries', 'driver_adapter', 'is_aio_driver']);

const pack: TechPack = {
  id: 'aiosql',
  title: 'aiosql (named SQL queries loaded from .sql files)',
  lang: 'python',
  upstreamDocs: ['https://nackjicholson.github.io/aiosql/defining-sql-queries.html', 'https://nackjicholson.github.io/aiosql/database-driver-adapters.html'],
  packages: ['aiosql'],
  classifyCall(call) {
    const inst = call.instance;
    if (!inst || !LOADERS.test(inst.ctor.split('.').pop() ?? '') || call.member.length !== 1) return { use: 'ignore' };
    const name = call.member[0];
    if (IGNORED.has(name) || name.startsWith('_')) return { use: 'ignore' };
    const adapter = positional(inst.args)[1] ?? arg(inst.args, 'driver_adapter');
    const target: ResourceRef = (typeof adapter === 'string' ? ADAPTERS[adapter.toLowerCase()] : undefined) ?? { kind: 'datastore', name: 'sql', tech: 'sql' };
    const base = name.replace(/_cursor$/, '');
    return WRITE_NAME.test(base) ? { use: 'dependency', target, edge: 'writes', op: 'write' } : { use: 'dependency', target, edge: 'reads', readOnly: true, op: 'query' };
  },
};
export default pack;
