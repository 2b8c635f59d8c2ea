import type { CallFact, FileFacts } from '../../extract/facts.js';
import type { CallMeaning, DepCall, ResourceRef, TechPack } from '../types.js';

const POSTGRES: ResourceRef = { kind: 'datastore', name: 'postgres', tech: 'postgresql' };

/** Query methods of a pool, a connection and a transaction (https://github.com/gajus/slonik#query-methods). */
const QUERY_OPS = new Set(['query', 'one', 'oneFirst', 'maybeOne', 'maybeOneFirst', 'many', 'manyFirst', 'any', 'anyFirst', 'exists', 'stream', 'copyFromBinary']);
const WRITE = /^\s*(INSERT|UPDATE|DELETE|MERGE|CREATE|ALTER|DROP|TRUNCATE|UPSERT)\b/i;

/**
 * The text of the `sql` tagged template given to a query method: the tag call inside it
 * (`pool.one(sql.unsafe\`select ...\`)`), or, for a local (`const query = sql\`DELETE ...\`;
 * pool.query(query)`), the one template the function builds before the call.
 */
function statement(facts: FileFacts, call: CallFact): string | undefined {
  let inner: CallFact | undefined;
  for (const x of facts.calls) {
    if (x.fn !== call.fn || x.template === undefined || x.order <= call.order || x.line < call.line || x.endLine > call.endLine) continue;
    if (!inner || x.order < inner.order) inner = x;
  }
  if (inner) return inner.template;
  // the call as written (the linker may hand the pack a copy whose arguments it substituted)
  const arg = (facts.calls.find((x) => x.fn === call.fn && x.order === call.order) ?? call).args[0];
  const local = arg && typeof arg === 'object' && 'ref' in arg ? facts.functions.find((f) => f.id === call.fn && arg.ref in f.locals) : undefined;
  if (!local) return undefined;
  const before = facts.calls.filter((x) => x.fn === call.fn && x.template !== undefined && x.order < call.order && x.line <= call.line);
  return before.length === 1 ? before[0].template : undefined;
}

/**
 * Slonik (and its fork @silverhand/slonik): `createPool(url)` makes a Postgres pool; its query
 * methods, and those of the connection `connect()` and `transaction()` hand to their callback,
 * send the `sql` template they are given. A query is a read unless its text starts with a write
 * verb. The `sql` tag and its helpers (`sql.unsafe`, `sql.type(...)`, `sql.join`) only build
 * queries.
 */
const pack: TechPack = {
  id: 'slonik',
  title: 'Slonik',
  upstreamDocs: ['https://github.com/gajus/slonik#readme'],
  packages: ['slonik', '@silverhand/slonik'],
  classifyCall(call: DepCall): CallMeaning | undefined {
    if (!call.instance || call.member.length !== 1) return { use: 'ignore' };
    const op = call.member[0];
    if (QUERY_OPS.has(op)) {
      const text = statement(call.facts, call.call) ?? '';
      const write = WRITE.test(text);
      return { use: 'dependency', target: POSTGRES, edge: write ? 'writes' : 'reads', readOnly: !write && /^\s*(SELECT|WITH)\b/i.test(text), op: 'raw-query' };
    }
    if (op === 'connect' || op === 'transaction') return { use: 'dependency', target: POSTGRES, edge: 'uses', op: 'connect' };
    return { use: 'ignore' }; // end(), getPoolState(), configuration
  },
};
export default pack;
