import type { CallFact, FileFacts, FunctionFact, Val } from '../../extract/facts.js';
import type { Location } from '../../model/types.js';
import type { Rule } from '../types.js';
import { isNonProductionFile, routesPhrase } from '../util.js';
import { access, objOf, type Access } from '../db/_data-access.js';
import { fnLabel, TaintAnalysis, worst, type Taint } from './_taint.js';
import { kw, pos } from '../py-util.js';

/** Text that reads as SQL (`${}` marks the holes). */
const SQL_LIKE = [/^\s*(\$\{\}\s*)?(SELECT|INSERT|UPDATE|DELETE|WITH|MERGE|CALL|EXEC|EXECUTE|CREATE|ALTER|DROP|TRUNCATE|GRANT)\b/i, /\bSELECT\b[\s\S]*\bFROM\b/i, /\bINSERT\s+INTO\b/i, /\bUPDATE\b[\s\S]*\bSET\b/i, /\bDELETE\s+FROM\b/i];
const looksLikeSql = (text: string) => SQL_LIKE.some((r) => r.test(text));
const KNEX_RAW = /^(where|orWhere|andWhere|whereNot|having|orHaving|orderBy|groupBy|join|leftJoin|from|select|on|orOn|andOn)Raw$/;
const RAW_PACKAGES = /^(knex|objection|drizzle-orm|kysely|@mikro-orm\/|sequelize|typeorm|mysql|mysql2|pg|postgres|better-sqlite3|sqlite3|mssql|tedious|oracledb|@supabase\/)/;
const MIGRATION = /(^|\/)migrations?\//;

type Api = 'prisma' | 'pg' | 'knex' | 'rpc' | 'orm';

interface Sink {
  call: CallFact;
  /** The argument holding the SQL text. */
  sql: Val;
  api: Api;
  method: string;
  /** Values are passed separately (bind parameters). */
  bound: boolean;
}

function textOf(v: Val): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && 'tpl' in v) return v.tpl;
  if (v && typeof v === 'object' && 'concat' in v) return v.concat.map((p) => (typeof p === 'string' ? p : '${}')).join('');
  return undefined;
}

function isBuilt(v: Val): boolean {
  return !!v && typeof v === 'object' && (('tpl' in v && v.parts.length > 0) || ('concat' in v && v.concat.some((p) => typeof p !== 'string')));
}

/** A ref to a local (or module const) holding the text: follow it. */
function resolveLocal(a: Access, file: string, fnId: string, v: Val): Val {
  let cur = v;
  for (let i = 0; i < 3 && cur && typeof cur === 'object' && 'ref' in cur && !cur.ref.includes('.'); i++) {
    const name = cur.ref;
    const scope = fnId === '<module>' ? [] : a.scopeChain(file, fnId);
    const local = scope.find((s) => name in s.locals)?.locals[name];
    const mod = a.facts.get(file)?.vars.find((x) => x.name === name && x.kind === 'const')?.init;
    const next = local ?? mod;
    if (next === undefined) break;
    cur = next;
  }
  const o = objOf(cur);
  if (o && 'text' in o.obj) return o.obj.text;
  return cur;
}

const PY_SQL_METHODS = /^(execute|executemany|exec_driver_sql|executescript|scalars|scalar|fetch|fetchrow|fetchval|raw|mogrify)$/;

/** `text("...")` / `sa.text(...)` / `text(...).bindparams(...)`: the SQL text inside, and whether values are bound. */
function pyUnwrapText(v: Val): { sql: Val; bound: boolean } {
  let cur: Val = v;
  let bound = false;
  if (cur && typeof cur === 'object' && 'call' in cur && cur.call === '().bindparams' && cur.recv) {
    bound = true;
    cur = cur.recv;
  }
  if (cur && typeof cur === 'object' && 'call' in cur && /(^|\.)text$/.test(cur.call)) return { sql: pos(cur.args)[0] ?? null, bound };
  return { sql: cur, bound };
}

/** Python raw-SQL sinks: SQLAlchemy execute(text(...)), DB-API cursor.execute(sql, params), asyncpg fetch*, Django raw(). */
function pySinkOf(a: Access, f: FileFacts, call: CallFact): Sink | undefined {
  if (call.root || call.callee.length < 2) return undefined;
  const method = call.callee[call.callee.length - 1];
  if (!PY_SQL_METHODS.test(method)) return undefined;
  const args = pos(call.args);
  const first = args[0];
  if (first === undefined) return undefined;
  let { sql, bound } = pyUnwrapText(resolveLocal(a, f.file, call.fn, first));
  sql = resolveLocal(a, f.file, call.fn, sql);
  const text = textOf(sql);
  if (!text || !looksLikeSql(text)) return undefined;
  const k = kw(call.args);
  bound = bound || args.length > 1 || 'params' in k || 'parameters' in k;
  const m = a.db(f.file, call);
  return { call, sql, api: m ? 'orm' : 'pg', method, bound };
}

function sinkOf(a: Access, f: FileFacts, call: CallFact): Sink | undefined {
  if (f.file.endsWith('.py')) return pySinkOf(a, f, call);
  if (call.template !== undefined || call.root || call.callee.length < 2) return undefined;
  const head = call.callee[0];
  if (head === 'Prisma' || head === 'String' || head === 'console' || head === 'logger') return undefined;
  const method = call.callee[call.callee.length - 1];
  const m = a.db(f.file, call);
  const first = call.args[0];
  if (first === undefined) return undefined;
  const sql = resolveLocal(a, f.file, call.fn, first);
  if (m?.raw === '$queryRawUnsafe' || m?.raw === '$executeRawUnsafe') return { call, sql, api: 'prisma', method, bound: call.args.length > 1 };
  if (m?.raw && !m.raw.startsWith('$')) return { call, sql, api: 'pg', method, bound: call.args.length > 1 && !isOptionsOnly(call.args[1]) };
  if (m) return undefined;
  const text = textOf(sql);
  if (KNEX_RAW.test(method)) return { call, sql, api: 'knex', method, bound: call.args.length > 1 };
  if (method === 'raw') {
    const knexy = call.callee.some((c) => /knex|trx|^db$|database|builder|qb/i.test(c)) || f.imports.some((i) => /^(knex|objection|drizzle-orm|kysely)/.test(i.source));
    if (!knexy && !(text && looksLikeSql(text))) return undefined;
    return { call, sql, api: 'knex', method, bound: call.args.length > 1 };
  }
  if (method === 'rpc') {
    const o = objOf(call.args[1]);
    if (!o) return undefined;
    for (const v of Object.values(o.obj)) {
      const inner = resolveLocal(a, f.file, call.fn, v);
      const t = textOf(inner);
      if (t && looksLikeSql(t)) return { call, sql: inner, api: 'rpc', method, bound: false };
    }
    return undefined;
  }
  if (/^(query|execute|unsafe|prepare|exec|run|all|get)$/.test(method)) {
    if (!text || !looksLikeSql(text)) return undefined;
    if (/^(exec|run|all|get)$/.test(method) && !f.imports.some((i) => RAW_PACKAGES.test(i.source))) return undefined;
    return { call, sql, api: 'orm', method, bound: call.args.length > 1 && !isOptionsOnly(call.args[1]) };
  }
  return undefined;
}

/** `{ type: QueryTypes.SELECT }` without replacements/bind: options, not values. */
function isOptionsOnly(v: Val | undefined): boolean {
  const o = objOf(v);
  if (!o) return false;
  return !('replacements' in o.obj || 'bind' in o.obj || 'values' in o.obj || 'parameters' in o.obj || o.spread);
}

function apiName(s: Sink): string {
  const chain = s.call.callee.join('.');
  return s.api === 'prisma' ? `$${s.method.replace(/^\$/, '')}` : chain.length > 40 ? s.method : chain;
}

function fix(s: Sink): string {
  switch (s.api) {
    case 'prisma':
      return "Use the tagged template instead: prisma.$queryRaw`SELECT ... WHERE title ILIKE ${'%' + term + '%'} LIMIT ${take}` — every ${} becomes a bind parameter. Compose optional parts with Prisma.sql / Prisma.join, and take identifiers (sort column, table) only from a fixed allowlist.";
    case 'pg':
      return "Send the values separately: pool.query('SELECT ... WHERE name = $1 LIMIT $2', [name, limit]) (mysql2: `?` placeholders with execute(sql, values)); take identifiers only from a fixed allowlist.";
    case 'knex':
      return "Bind the values: knex.raw('... WHERE name = ?', [name]) / .whereRaw('name = ?', [name]), or use the query builder (.where('name', name)); identifiers only from a fixed allowlist (knex.ref / ??).";
    case 'rpc':
      return 'Replace the SQL-running RPC with one typed database function (or a parameterized repository query) per use, passing values as arguments; then revoke EXECUTE on the SQL-executing function from the anon/authenticated roles.';
    default:
      return 'Bind the values instead of splicing them: sequelize.query(sql, { replacements }) / TypeORM query(sql, [params]) / db.prepare(sql).all(values); take identifiers only from a fixed allowlist.';
  }
}

function partsOf(v: Val): Val[] {
  if (v && typeof v === 'object' && 'tpl' in v) return v.parts;
  if (v && typeof v === 'object' && 'concat' in v) return v.concat.filter((p) => typeof p !== 'string');
  return [];
}

/**
 * Utility statements that take no bind parameters (`SET search_path TO "${schema}"`, SHOW,
 * LISTEN/NOTIFY): the value has to be in the text, so only request input reaching it is a finding.
 */
const UNBINDABLE = /^\s*(SET|RESET|SHOW|LISTEN|UNLISTEN|NOTIFY)\b/i;

const rule: Rule = {
  meta: {
    id: 'sql/string-built',
    title: 'SQL built from non-constant strings and sent to a raw-query API',
    category: 'security',
    polarity: 'risk',
    defaultSeverity: 'high',
    effort: 'S',
    priority: 'P0',
    docs: {
      what: 'SQL text assembled by template-literal interpolation or `+` concatenation of values that are not constants, and passed to an API that executes the text as-is: Prisma `$queryRawUnsafe`/`$executeRawUnsafe`, node-postgres/mysql2 `query`/`execute`, knex `raw`/`whereRaw`..., Sequelize/TypeORM `query`, better-sqlite3 `prepare`, postgres.js `unsafe`, or a Supabase `.rpc()` that runs SQL; in Python, f-strings, `%` and `.format()` into SQLAlchemy `execute(text(...))`, DB-API `cursor.execute(...)`, asyncpg `fetch*`/`execute` or Django `raw()`. Critical when a value can be traced (through locals, constants, collection callbacks and function parameters back to their call sites, across files) to request input: `req.params/query/body/headers`, NestJS `@Query`/`@Param`/`@Body`/`@Headers` parameters, a `*Dto` parameter, a Lambda event.',
      why: 'Whatever reaches the SQL text is executed as SQL: a crafted search term can close the quote and read other tenants\' rows, bypass a filter or modify data with the application role\'s privileges. Even when no user text reaches it today, every distinct value is a new statement text: Postgres cannot reuse the plan and pg_stat_statements files each literal as a separate query, so the slow ones never rank (seed 001: 52 string-built sites, four with raw input, invisible to slow-query ranking).',
      fix: "Keep values out of the SQL text — they become bind parameters:\n\n```ts\n// before\nprisma.$queryRawUnsafe(`SELECT id FROM \"Question\" WHERE title ILIKE '%${term}%'`);\n// after\nprisma.$queryRaw`SELECT id FROM \"Question\" WHERE title ILIKE ${'%' + term + '%'}`;\n// node-postgres\npool.query('SELECT id FROM question WHERE title ILIKE $1', [`%${term}%`]);\n```\nIdentifiers (sort columns, table names) cannot be bound: map them through a fixed allowlist (`const col = SORTABLE[sort] ?? 'created_at'`).",
      falsePositiveGuard: 'Never fires on tagged templates (`prisma.$queryRaw`...${x}...``, `sql`...``, `Prisma.sql`): their holes are bind parameters; nor on `Prisma.raw`/`Prisma.join` fragments, on text built only from constants (string literals, module `const`s, CONSTANT_CASE and enum members, `cond ? \'ASC\' : \'DESC\'`, lookups in a const object), on numbers (`Math.min(...)`, `Number()`, `parseInt`, NestJS `ParseIntPipe`/`ParseUUIDPipe` parameters, parameters typed `number` with no traced input) and escaping helpers (`escapeLiteral`, `format`, `quote*`), on environment values, on utility statements that cannot take bind parameters (`SET search_path TO "${schema}"`, SHOW, LISTEN/NOTIFY) unless request input reaches them, or on parameterized calls (`query(\'... $1\', [x])`, Python `execute(text("... :id"), {"id": x})`, `cursor.execute("... %s", (x,))`). When values are bound separately and no piece traces to request input, the remaining interpolation is taken to be structural (placeholder lists) and not reported. `.query`/`.execute` of an unknown library must carry text that reads as SQL. Test, fixture, seed, script and migration files are skipped.',
      references: ['https://www.prisma.io/docs/orm/prisma-client/using-raw-sql/raw-queries#sql-injection-prevention', 'https://node-postgres.com/features/queries#parameterized-query', 'https://knexjs.org/guide/raw.html', 'https://cheatsheetseries.owasp.org/cheatsheets/SQL_Injection_Prevention_Cheat_Sheet.html', 'https://www.postgresql.org/docs/current/pgstatstatements.html'],
    },
  },
  check({ facts, code }, ctx) {
    if (!code) return;
    const a = access(facts, code);
    const taint = new TaintAnalysis(a);
    const reported = new Set<string>();
    const report = (file: string, site: CallFact, sink: Sink, sinkFile: string, t: Taint, owner: FunctionFact | undefined, text: string) => {
      const key = `${file}:${site.line}:${site.order}`;
      if (reported.has(key)) return;
      reported.add(key);
      const eps = site.fn === '<module>' ? [] : a.entrypoints(file, site.fn);
      const label = owner ? fnLabel(owner) : file;
      const api = apiName(sink);
      const names = t.names.filter((n) => n !== '?').slice(0, 3).map((n) => `\`${n}\``).join(', ') || 'run-time values';
      const locations: Location[] = [{ file, line: site.line, endLine: site.endLine }];
      if (sinkFile !== file || sink.call.line !== site.line) locations.push({ file: sinkFile, line: sink.call.line });
      if (t.level === 'tainted' && t.source && !(t.source.file === file && t.source.line === site.line)) locations.push({ file: t.source.file, line: t.source.line });
      const where = eps.length ? ` Runs for ${routesPhrase(eps)}.` : '';
      const impact = t.level === 'tainted'
        ? `Request input (${t.source?.what ?? names}) is spliced into the SQL text that ${label} sends through ${api}: a crafted value can rewrite the statement — read other users' rows, bypass the filter, or change data with the application's database role.${where}`
        : `The SQL text that ${label} sends through ${api} is built from ${names} at run time: if any of them ever carries user input it is an injection, and each distinct value is a new statement (no plan reuse; pg_stat_statements files every literal separately, so slow ones never rank).${where}`;
      ctx.report({
        element: code.componentOf(file),
        severity: t.level === 'tainted' ? 'critical' : undefined,
        title: t.level === 'tainted' ? `Request input concatenated into SQL in ${label} (${api})` : `SQL built by interpolation in ${label} (${api})`,
        locations,
        impact,
        recommendation: file.endsWith('.py') ? "Bind the values: session.execute(text('SELECT ... WHERE kind ILIKE :term LIMIT :n'), {'term': f'%{q}%', 'n': 50}) (SQLAlchemy), cursor.execute('... WHERE name = %s', (name,)) (DB-API), conn.fetch('... $1', name) (asyncpg) — or build the query with select(...).where(...); take identifiers only from a fixed allowlist." : fix(sink),
        fingerprintKey: `${label} ${api} ${text.replace(/\s+/g, ' ').slice(0, 120)}`,
      });
    };

    for (const f of facts.values()) {
      if (isNonProductionFile(f.file) || MIGRATION.test(f.file)) continue;
      for (const call of f.calls) {
        const sink = sinkOf(a, f, call);
        if (!sink) continue;
        const owner = call.fn === '<module>' ? undefined : a.namedOwner(f.file, call.fn);
        if (isBuilt(sink.sql)) {
          const t = worst(partsOf(sink.sql).map((p) => taint.of(f.file, call.fn, p)));
          if (t.level === 'const' || t.level === 'safe') continue;
          if (t.level === 'dynamic' && (sink.bound || UNBINDABLE.test(textOf(sink.sql) ?? ''))) continue;
          report(f.file, call, sink, f.file, t, owner, textOf(sink.sql) ?? '');
          continue;
        }
        // a thin wrapper — run(sql) { return pool.query(sql) } — built at its call sites
        const v = sink.sql;
        if (!v || typeof v !== 'object' || !('ref' in v) || v.ref.includes('.') || call.fn === '<module>') continue;
        const fn = a.fn(f.file, call.fn);
        const idx = fn ? fn.params.findIndex((p) => p.name === (v as { ref: string }).ref) : -1;
        if (!fn || idx < 0 || fn.inlineOf) continue;
        for (const site of a.callersOf(f.file, fn.id)) {
          const arg = site.call.args[idx];
          if (arg === undefined) continue;
          const built = resolveLocal(a, site.file, site.call.fn, arg);
          if (!isBuilt(built)) continue;
          const text = textOf(built) ?? '';
          if (sink.api !== 'prisma' && sink.api !== 'pg' && !looksLikeSql(text)) continue;
          const t = worst(partsOf(built).map((p) => taint.of(site.file, site.call.fn, p)));
          if (t.level === 'const' || t.level === 'safe') continue;
          if (t.level === 'dynamic' && (site.call.args.length > idx + 1 || UNBINDABLE.test(text))) continue;
          const siteOwner = site.call.fn === '<module>' ? undefined : a.namedOwner(site.file, site.call.fn);
          report(site.file, site.call, sink, f.file, t, siteOwner, text);
        }
      }
    }
  },
};
export default rule;
