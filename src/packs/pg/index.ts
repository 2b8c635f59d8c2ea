import type { DepCall, TechPack } from '../types.js';

const QUERY_OPS = new Set(['query', 'execute', 'none', 'one', 'many', 'any', 'oneOrNone']);
/** pg-promise's query methods on a database (`pgp(connection)`) or a tx/task connection. */
const PGP_QUERY_OPS = new Set([...QUERY_OPS, 'manyOrNone', 'result', 'multi', 'multiResult', 'map', 'each', 'func', 'proc', 'stream']);

/** The SQL text of a query call: a literal or template argument, a query config (`{ text }` in pg, `{ sql }` in mysql2), or a postgres.js tagged template. */
function sqlText(call: DepCall): string {
  if (call.call.template !== undefined) return call.call.template;
  const first = call.call.args[0];
  const v = first && typeof first === 'object' && 'obj' in first ? first.obj.text ?? first.obj.sql : first;
  return typeof v === 'string' ? v : v && typeof v === 'object' && 'tpl' in v ? v.tpl : '';
}

/** node-postgres and postgres.js: a query is a read unless its text starts with a write verb. */
const pack: TechPack = {
  id: 'pg',
  title: 'node-postgres / postgres.js / mysql2',
  upstreamDocs: ['https://node-postgres.com/apis/pool', 'https://github.com/porsager/postgres#connection-details', 'https://sidorares.github.io/node-mysql2/docs'],
  packages: ['pg', 'postgres', 'mysql2', 'pg-promise'],
  classifyCall(call) {
    const op = call.member[call.member.length - 1];
    const isMysql = call.pkg === 'mysql2';
    const target = { kind: 'datastore' as const, name: isMysql ? 'mysql' : 'postgres', tech: isMysql ? 'mysql' : 'postgresql' };
    if (!call.instance) return undefined;
    // pg-promise: pgp (the package called with options) builds helpers; only the database it makes queries
    if (call.pkg === 'pg-promise') {
      if (!call.instance.ctor.endsWith('()') || call.member.length !== 1) return { use: 'ignore' };
      if (PGP_QUERY_OPS.has(op)) {
        const write = /^\s*(INSERT|UPDATE|DELETE|MERGE|CREATE|ALTER|DROP|TRUNCATE)\b/i.test(sqlText(call));
        return { use: 'dependency', target, edge: write ? 'writes' : 'reads', readOnly: !write && /^\s*(SELECT|WITH)\b/i.test(sqlText(call)), op: 'raw-query' };
      }
      if (op === 'connect') return { use: 'dependency', target, edge: 'uses', op: 'connect' };
      return { use: 'ignore' };
    }
    // postgres.js: sql`...` is a query; sql(value) only builds an identifier or a values list inside one
    const tagged = call.pkg === 'postgres' && call.member.length === 0;
    if (tagged && call.call.template === undefined) return { use: 'ignore' };
    if (tagged || QUERY_OPS.has(op) || (call.pkg === 'postgres' && op === 'unsafe')) {
      const text = sqlText(call);
      const write = /^\s*(INSERT|UPDATE|DELETE|MERGE|CREATE|ALTER|DROP|TRUNCATE)\b/i.test(text);
      return { use: 'dependency', target, edge: write ? 'writes' : 'reads', readOnly: !write && /^\s*(SELECT|WITH)\b/i.test(text), op: 'raw-query' };
    }
    if (op === 'connect') return { use: 'dependency', target, edge: 'uses', op: 'connect' };
    if (op === 'end' || op === 'on' || op === 'release') return { use: 'ignore' };
    return undefined;
  },
};
export default pack;
