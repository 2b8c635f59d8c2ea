import { callChain, execution, rawText } from '../_lib/chain.js';
import { projectOf, remember } from '../_lib/project.js';
import { dialectDatastore, rawQuery, sqlText, UNKNOWN_SQL } from '../_lib/sql.js';
import type { CallMeaning, DepCall, ResourceRef, TechPack } from '../types.js';

const READS = new Set(['select', 'selectDistinct', 'selectDistinctOn', '$count']);
const WRITES = new Set(['insert', 'update', 'delete', 'refreshMaterializedView']);
const RAW = new Set(['execute', 'run', 'all', 'get', 'values']);
/** Members after which the chain is SQL text, a subquery or a statement prepared for later. */
const FRAGMENTS = new Set(['as', 'toSQL', 'getSQL', 'prepare', 'getQuery']);
const LOCAL = new Set(['transaction', '$client', '$cache', 'dialect', 'session', '_', 'rollback', 'setTransaction']);

/** The driver subpath the instance's `drizzle` comes from: 'drizzle-orm/node-postgres' → postgres. */
function driverDatastore(call: DepCall): ResourceRef {
  const file = call.instance!.evidence.file;
  const facts = file === call.file ? call.facts : projectOf(call.facts)?.link.facts(file);
  const found = new Map<string, ResourceRef>();
  for (const imp of facts?.imports ?? []) {
    const m = /^drizzle-orm\/([\w-]+)/.exec(imp.source);
    if (!m || !imp.names.some((n) => n.imported === 'drizzle')) continue;
    const ds = dialectDatastore(m[1]);
    if (ds) found.set(ds.name, ds);
  }
  return found.size === 1 ? [...found.values()][0] : UNKNOWN_SQL;
}

/** Drizzle ORM: db.select().from(...), db.insert(...).values(...), db.query.<table>.findMany(), db.execute(sql`...`). */
const pack: TechPack = {
  id: 'drizzle',
  title: 'Drizzle ORM',
  upstreamDocs: ['https://orm.drizzle.team/docs/select', 'https://orm.drizzle.team/docs/insert', 'https://orm.drizzle.team/docs/rqb', 'https://orm.drizzle.team/docs/transactions', 'https://orm.drizzle.team/docs/get-started-postgresql'],
  packages: ['drizzle-orm'],
  entrypoints(files, link) {
    remember(files, link);
    return [];
  },
  classifyCall(call): CallMeaning | undefined {
    // table and column builders (pgTable, eq, and, sql``) are local
    if (!call.instance || call.call.isNew) return { use: 'ignore' };
    const m = call.member;
    if (m.length === 0 || LOCAL.has(m[0])) return { use: 'ignore' };
    const chain = callChain(call.facts, call.call);
    const path = [...m, ...chain.members];
    if (path.some((x) => FRAGMENTS.has(x))) return { use: 'ignore' };
    const verb = m[0] === '$with' || m[0] === 'with' ? path.slice(1).find((x) => READS.has(x) || WRITES.has(x)) : m[0] === 'query' ? (/^find(Many|First)$/.test(m[m.length - 1]) ? 'select' : undefined) : m[0];
    const kind = !verb ? undefined : READS.has(verb) ? 'read' : WRITES.has(verb) ? 'write' : RAW.has(verb) ? 'raw' : verb === 'batch' ? 'batch' : undefined;
    if (!kind) return undefined;
    if (execution(call.facts, call.call, chain) === 'fragment') return { use: 'ignore' };
    const ds = driverDatastore(call);
    // query builders are QueryPromises: sent when awaited, then'd or execute()d
    if (kind === 'write') return { use: 'dependency', target: ds, edge: 'writes', op: 'write', lazy: 'Drizzle' };
    if (kind === 'read') return { use: 'dependency', target: ds, edge: 'reads', readOnly: !path.some((x) => x === 'for'), op: 'query', lazy: 'Drizzle' };
    if (kind === 'batch') return { use: 'dependency', target: ds, edge: 'uses', op: 'query' };
    const raw = rawQuery(rawText(call, sqlText));
    return { use: 'dependency', target: ds, edge: raw.edge, readOnly: raw.readOnly, op: raw.op };
  },
};
export default pack;
