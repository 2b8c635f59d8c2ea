import { isObj, objGet, type Val } from '../../extract/facts.js';
import { callChain, execution, rawText } from '../_lib/chain.js';
import { projectValue, remember } from '../_lib/project.js';
import { dialectDatastore, rawQuery, sqlText, stringOption, UNKNOWN_SQL, urlDatastore } from '../_lib/sql.js';
import type { CallMeaning, EntrypointLink, PackContext, ResourceRef, TechPack } from '../types.js';

/** Builder members that make the query a write (https://knexjs.org/guide/query-builder.html). */
const WRITES = new Set(['insert', 'update', 'del', 'delete', 'upsert', 'increment', 'decrement', 'truncate', 'merge']);
/** Members that lock rows: a read a replica cannot serve. */
const LOCKS = new Set(['forUpdate', 'forShare', 'forNoKeyUpdate', 'forKeyShare']);
/** Members that turn the chain into SQL text or a named subquery instead of running it. */
const FRAGMENTS = new Set(['as', 'toSQL', 'toString', 'toQuery']);
/** Members of the knex instance that are not queries. */
const LOCAL = new Set(['transaction', 'transactionProvider', 'destroy', 'initialize', 'fn', 'ref', 'client', 'migrate', 'seed', 'commit', 'rollback', 'savepoint', 'isCompleted', 'executionPromise', 'on', 'once', 'userParams', 'withUserParams', 'context', 'isTransaction']);

function clientOf(config: Val | undefined, ctx: PackContext): ResourceRef | undefined {
  if (!isObj(config)) return undefined;
  const client = stringOption(config.obj.client ?? config.obj.dialect, ctx);
  const fromClient = dialectDatastore(client);
  if (fromClient) return fromClient;
  const conn = config.obj.connection;
  return urlDatastore(stringOption(conn, ctx) ?? stringOption(objGet(conn, 'connectionString'), ctx));
}

/** Knex configurations in the project: `knex({...})` sites and knexfile-style objects ({ client, connection }). */
function declaredConfigs(link: EntrypointLink): Val[] {
  const out: Val[] = [];
  for (const f of link.allFiles()) {
    if (!f.imports.some((i) => i.source === 'knex') && !/(^|\/)knexfile\.[cm]?[jt]s$/.test(f.file)) continue;
    for (const c of f.calls) {
      if (c.root || c.callee.length !== 1) continue;
      const inst = link.instanceOf(f.file, c.callee[0], c.fn);
      if (inst && 'pkg' in inst && inst.pkg === 'knex' && 'exportName' in inst) out.push(link.evaluate(f.file, c.args[0], c.fn));
    }
    for (const v of f.vars) {
      if (!isObj(v.init)) continue;
      if ('client' in v.init.obj && ('connection' in v.init.obj || 'pool' in v.init.obj || 'migrations' in v.init.obj)) out.push(v.init);
      // knexfile: { development: { client, ... }, production: { client, ... } }
      for (const env of Object.values(v.init.obj)) if (isObj(env) && 'client' in env.obj && 'connection' in env.obj) out.push(env);
    }
  }
  return out;
}

function target(call: Parameters<NonNullable<TechPack['classifyCall']>>[0], ctx: PackContext): ResourceRef {
  const inst = call.instance!;
  // the root instance: knex({...}); a transaction or a derived instance keeps the package but not its config
  if (!inst.ctor.includes('.')) {
    const own = clientOf(inst.args[0], ctx);
    if (own) return own;
  }
  const configs = projectValue(call.facts, 'knex:configs', declaredConfigs) ?? [];
  const found = [...new Map(configs.map((c) => clientOf(c, ctx)).filter((r): r is ResourceRef => !!r).map((r) => [r.name, r])).values()];
  return found.length === 1 ? found[0] : UNKNOWN_SQL;
}

/** Knex: `db('users').where(...).update(...)` chains, `db.raw(...)`, transactions. */
const pack: TechPack = {
  id: 'knex',
  title: 'Knex.js query builder',
  upstreamDocs: ['https://knexjs.org/guide/', 'https://knexjs.org/guide/query-builder.html', 'https://knexjs.org/guide/raw.html', 'https://knexjs.org/guide/transactions.html'],
  packages: ['knex'],
  entrypoints(files, link) {
    remember(files, link);
    return [];
  },
  classifyCall(call, ctx): CallMeaning | undefined {
    if (!call.instance || call.call.isNew) return { use: 'ignore' }; // knex({...}) itself, Knex types
    // `const query = db('users').where(...); if (team) query.andWhere({ team })`: a builder kept in a binding; the chain that made it is the query
    if (call.instance.ctor.includes('()')) return { use: 'ignore' };
    const chain = callChain(call.facts, call.call);
    // the members called on the instance and then on the chain: trx('users').where(...).del()
    const path = [...call.member, ...chain.members];
    const head = call.member[0];
    if (head !== undefined && LOCAL.has(head)) return { use: 'ignore' };
    if (path.some((m) => FRAGMENTS.has(m))) return { use: 'ignore' };
    const exec = execution(call.facts, call.call, chain);
    if (exec === 'fragment') return { use: 'ignore' };
    const ds = target(call, ctx);
    // every Knex builder (and knex.raw) is a thenable: it runs when awaited or then'd, not before
    if (head === 'raw') {
      const raw = rawQuery(rawText(call, sqlText));
      return { use: 'dependency', lazy: 'Knex', target: ds, edge: raw.edge, readOnly: raw.readOnly, op: raw.op };
    }
    if (head === 'schema') return { use: 'dependency', lazy: 'Knex', target: ds, edge: 'writes', op: 'write' };
    const write = path.some((m) => WRITES.has(m));
    if (write) return { use: 'dependency', lazy: 'Knex', target: ds, edge: 'writes', op: 'write' };
    // a builder kept for later may still become a write: only its use of the database is known
    if (exec === 'kept' || exec === 'passed') return { use: 'dependency', lazy: 'Knex', target: ds, edge: 'uses', op: 'query' };
    return { use: 'dependency', lazy: 'Knex', target: ds, edge: 'reads', readOnly: !path.some((m) => LOCKS.has(m)), op: 'query' };
  },
};

export default pack;
