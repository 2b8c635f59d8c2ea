import type { TechPack } from '../types.js';

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
    if (op === 'query' || op === 'execute' || op === 'none' || op === 'one' || op === 'many' || op === 'any' || op === 'oneOrNone' || (call.pkg === 'postgres' && call.member.length === 0)) {
      const first = call.call.args[0];
      const text = typeof first === 'string' ? first : first && typeof first === 'object' && 'tpl' in first ? first.tpl : '';
      const write = /^\s*(INSERT|UPDATE|DELETE|MERGE|CREATE|ALTER|DROP|TRUNCATE)\b/i.test(text);
      return { use: 'dependency', target, edge: write ? 'writes' : 'reads', readOnly: !write && /^\s*(SELECT|WITH)\b/i.test(text), op: 'raw-query' };
    }
    if (op === 'connect') return { use: 'dependency', target, edge: 'uses', op: 'connect' };
    if (op === 'end' || op === 'on' || op === 'release') return { use: 'ignore' };
    return undefined;
  },
};
export default pack;
