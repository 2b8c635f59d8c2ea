// Python database drivers used without an ORM: psycopg / psycopg2 (connect, cursor().execute),
// psycopg_pool, asyncpg (connect / create_pool; fetch*, execute), PyMySQL / mysqlclient, sqlite3.
// A statement that reads (SELECT/WITH/SHOW) is a read; anything else a write; commit() a write.
import type { Val } from '../../extract/facts.js';
import { positional } from '../_lib/python.js';
import type { CallMeaning, DepCall, ResourceRef, TechPack } from '../types.js';

const TECH: Record<string, ResourceRef> = {
  psycopg: { kind: 'datastore', name: 'postgres', tech: 'postgresql' },
  psycopg2: { kind: 'datastore', name: 'postgres', tech: 'postgresql' },
  psycopg_pool: { kind: 'datastore', name: 'postgres', tech: 'postgresql' },
  asyncpg: { kind: 'datastore', name: 'postgres', tech: 'postgresql' },
  pymysql: { kind: 'datastore', name: 'mysql', tech: 'mysql' },
  MySQLdb: { kind: 'datastore', name: 'mysql', tech: 'mysql' },
  aiomysql: { kind: 'datastore', name: 'mysql', tech: 'mysql' },
  sqlite3: { kind: 'datastore', name: 'sqlite', tech: 'sqlite' },
  aiosqlite: { kind: 'datastore', name: 'sqlite', tech: 'sqlite' },
};

function sqlText(v: Val | undefined): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && 'tpl' in v) return v.tpl;
  if (v && typeof v === 'object' && 'concat' in v) return v.concat.map((p) => (typeof p === 'string' ? p : '${}')).join('');
  return '';
}

function classify(call: DepCall): CallMeaning | undefined {
  const op = call.member[call.member.length - 1];
  const target = TECH[call.pkg];
  if (!target) return undefined;
  if (!call.instance) return { use: 'ignore' }; // connect(), create_pool(): factories
  if (!op) return { use: 'ignore' };
  if (/^(execute|executemany|fetch|fetchrow|fetchval|copy_records_to_table|copy_from_query|executescript|copy_expert)$/.test(op)) {
    const text = sqlText(positional(call.call.args)[0]);
    const read = /^(fetch|fetchrow|fetchval)$/.test(op) || /^\s*(\$\{\}\s*)?(SELECT|WITH|SHOW|EXPLAIN)\b/i.test(text);
    return read ? { use: 'dependency', target, edge: 'reads', readOnly: true, op: 'raw-query' } : { use: 'dependency', target, edge: 'writes', op: 'raw-write', ...(call.instance.ctor.includes('transaction') ? { guards: { transaction: true } } : {}) };
  }
  if (op === 'commit') return { use: 'dependency', target, edge: 'writes', op: 'write' };
  return { use: 'ignore' };
}

const pack: TechPack = {
  id: 'py-dbapi',
  title: 'Python database drivers (psycopg, psycopg2, asyncpg, PyMySQL, sqlite3)',
  lang: 'python',
  upstreamDocs: ['https://www.psycopg.org/psycopg3/docs/basic/usage.html', 'https://magicstack.github.io/asyncpg/current/api/index.html', 'https://peps.python.org/pep-0249/'],
  packages: Object.keys(TECH),
  classifyCall: classify,
};
export default pack;
