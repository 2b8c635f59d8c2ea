import { objGet, type Val } from '../../extract/facts.js';
import { callChain, execution } from '../_lib/chain.js';
import { projectValue, remember } from '../_lib/project.js';
import { dialectDatastore, rawQuery, UNKNOWN_SQL } from '../_lib/sql.js';
import type { CallMeaning, EntrypointLink, ResourceRef, TechPack } from '../types.js';

const READS = new Set(['selectFrom', 'selectNoFrom']);
const WRITES = new Set(['insertInto', 'replaceInto', 'updateTable', 'deleteFrom', 'mergeInto']);
/** Members that run the built query (https://kysely-org.github.io/kysely-apidoc/classes/SelectQueryBuilder.html). */
const RUN = new Set(['execute', 'executeTakeFirst', 'executeTakeFirstOrThrow', 'stream']);
const FRAGMENTS = new Set(['as', 'compile', 'toOperationNode', '$asTuple']);
const LOCK = /^for(Update|Share|NoKeyUpdate|KeyShare)$/;
const LOCAL = new Set(['transaction', 'connection', 'destroy', 'fn', 'dynamic', 'withPlugin', 'withoutPlugins', 'withSchema', 'withTables', 'introspection', 'getExecutor', 'case', 'isTransaction']);

/** `new PostgresDialect({ pool })`, `new MysqlDialect(...)`, `new SqliteDialect(...)`, third-party dialects by name. */
export function kyselyDatastore(config: Val | undefined): ResourceRef | undefined {
  const d = objGet(config, 'dialect');
  const name = d && typeof d === 'object' && 'new' in d ? d.new.split('.').pop()! : undefined;
  if (!name) return undefined;
  if (/Postgres|Neon|^Pg|Pglite/i.test(name)) return dialectDatastore('postgres');
  if (/Mysql|PlanetScale|Mariadb/i.test(name)) return dialectDatastore('mysql');
  if (/Sqlite|D1|LibSql|Bun/i.test(name)) return dialectDatastore('sqlite');
  if (/Mssql/i.test(name)) return dialectDatastore('mssql');
  return undefined;
}

/** Every `new Kysely({ dialect })` in the project. */
function declaredDialects(link: EntrypointLink): ResourceRef[] {
  const out = new Map<string, ResourceRef>();
  for (const f of link.allFiles()) {
    if (!f.imports.some((i) => i.source === 'kysely')) continue;
    for (const c of f.calls) {
      if (!c.isNew || c.callee.length !== 1) continue;
      const inst = link.instanceOf(f.file, c.callee[0], c.fn);
      if (!inst || !('exportName' in inst) || inst.pkg !== 'kysely' || inst.exportName !== 'Kysely') continue;
      const ds = kyselyDatastore(link.evaluate(f.file, c.args[0], c.fn));
      out.set(ds?.name ?? '?', ds ?? UNKNOWN_SQL);
    }
  }
  return [...out.values()];
}

/** Kysely: db.selectFrom(...)...execute(), insertInto/updateTable/deleteFrom, sql`...`.execute(db). */
const pack: TechPack = {
  id: 'kysely',
  title: 'Kysely',
  upstreamDocs: ['https://kysely.dev/docs/getting-started', 'https://kysely.dev/docs/category/dialects', 'https://kysely.dev/docs/examples/transactions/simple-transaction', 'https://kysely-org.github.io/kysely-apidoc/interfaces/Sql.html'],
  packages: ['kysely'],
  entrypoints(files, link) {
    remember(files, link);
    return [];
  },
  classifyCall(call): CallMeaning | undefined {
    if (!call.instance) {
      // sql`...`.execute(db): the tag call runs when the outer execute does; which database is the project's one Kysely, if only one
      if (call.exportName === 'sql' && call.member.length === 0 && call.call.template !== undefined) {
        const outer = call.facts.calls.find((c) => c.fn === call.call.fn && c.order === call.call.order - 1 && c.root === 'other' && c.line === call.call.line && RUN.has(c.callee[c.callee.length - 1]));
        if (!outer) return { use: 'ignore' };
        const dialects = projectValue(call.facts, 'kysely:dialects', declaredDialects) ?? [];
        if (dialects.length !== 1) return { use: 'ignore' };
        const raw = rawQuery(call.call.template);
        return { use: 'dependency', target: dialects[0], edge: raw.edge, readOnly: raw.readOnly, op: raw.op };
      }
      return { use: 'ignore' };
    }
    if (call.call.isNew) return { use: 'ignore' };
    const m = call.member;
    if (m.length === 0 || LOCAL.has(m[0])) return { use: 'ignore' };
    const chain = callChain(call.facts, call.call);
    const path = [...m, ...chain.members];
    if (path.some((x) => FRAGMENTS.has(x))) return { use: 'ignore' };
    if (m[0] === 'schema') return path.some((x) => RUN.has(x)) ? { use: 'dependency', target: target(call), edge: 'writes', op: 'write' } : { use: 'ignore' };
    const verb = path.find((x) => READS.has(x) || WRITES.has(x));
    if (!verb) return undefined;
    const exec = execution(call.facts, call.call, chain);
    if (exec === 'fragment') return { use: 'ignore' };
    // builders are lazy and not thenable: without execute*() the query runs where a kept builder is executed later,
    // or it is a subquery handed to another builder
    if (!path.some((x) => RUN.has(x)) && exec !== 'kept') return { use: 'ignore' };
    const ds = target(call);
    if (WRITES.has(verb)) return { use: 'dependency', target: ds, edge: 'writes', op: 'write' };
    return { use: 'dependency', target: ds, edge: 'reads', readOnly: !path.some((x) => LOCK.test(x)), op: 'query' };
  },
};

function target(call: Parameters<NonNullable<TechPack['classifyCall']>>[0]): ResourceRef {
  const own = call.instance && !call.instance.ctor.includes('.') ? kyselyDatastore(call.instance.args[0]) : undefined;
  if (own) return own;
  const dialects = projectValue(call.facts, 'kysely:dialects', declaredDialects) ?? [];
  return dialects.length === 1 ? dialects[0] : UNKNOWN_SQL;
}

export default pack;
