import { objGet } from '../../extract/facts.js';
import type { CallMeaning, DepCall, ResourceRef, TechPack } from '../types.js';

const CLICKHOUSE: ResourceRef = { kind: 'datastore', name: 'clickhouse', tech: 'clickhouse' };

/** The statement text of a query/command/exec call: `{ query: '...' }`, when literal. */
function statement(call: DepCall): string | undefined {
  const q = objGet(call.call.args[0], 'query');
  return typeof q === 'string' ? q : q && typeof q === 'object' && 'tpl' in q ? q.tpl : undefined;
}

const WRITE = /^\s*(INSERT|ALTER|CREATE|DROP|TRUNCATE|DELETE|UPDATE|OPTIMIZE|RENAME|EXCHANGE)\b/i;

/**
 * The official ClickHouse client (`@clickhouse/client`, `@clickhouse/client-web`):
 * `createClient({ url })` makes a client whose query (reads), insert (writes), command and
 * exec (by their statement) go to the ClickHouse server over HTTP.
 */
const pack: TechPack = {
  id: 'clickhouse',
  title: 'ClickHouse (@clickhouse/client)',
  upstreamDocs: ['https://clickhouse.com/docs/integrations/javascript', 'https://clickhouse.com/docs/integrations/language-clients/javascript#client-api'],
  packages: ['@clickhouse/client', '@clickhouse/client-web'],
  classifyCall(call): CallMeaning | undefined {
    // createClient() itself, and the package's value exports (settings, formats)
    if (!call.instance || !/(^|\.)createClient$/.test(call.instance.ctor) || call.member.length !== 1) return { use: 'ignore' };
    const op = call.member[0];
    if (op === 'insert') return { use: 'dependency', target: CLICKHOUSE, edge: 'writes', op: 'insert' };
    if (op === 'query') {
      const text = statement(call);
      const write = !!text && WRITE.test(text);
      return { use: 'dependency', target: CLICKHOUSE, edge: write ? 'writes' : 'reads', readOnly: !write, op: 'query' };
    }
    if (op === 'command' || op === 'exec') {
      const text = statement(call);
      const read = !!text && /^\s*(SELECT|WITH|SHOW|DESCRIBE|EXISTS)\b/i.test(text);
      return { use: 'dependency', target: CLICKHOUSE, edge: read ? 'reads' : 'writes', readOnly: read || undefined, op };
    }
    if (op === 'ping') return { use: 'dependency', target: CLICKHOUSE, edge: 'uses', op: 'connect' };
    return { use: 'ignore' }; // close(), and nothing else reaches the server
  },
};
export default pack;
