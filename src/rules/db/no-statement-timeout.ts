import { viaOf } from '../../analyze/capacity/index.js';
import type { Rule } from '../types.js';
import { routesPhrase } from '../util.js';
import { capacityOf, entrypointsOfRuntimes, entrypointsReaching, requestEntrypoints, storeName, uniqLocations } from './_capacity.js';

/** URL parameters that show the URL is where the pool is configured. */
const POOL_PARAMS = ['connection_limit', 'pool_timeout', 'pgbouncer', 'max', 'connect_timeout', 'statement_cache_size'];

const rule: Rule = {
  meta: {
    id: 'db/no-statement-timeout',
    title: 'No statement timeout on a database that serves requests',
    category: 'availability',
    polarity: 'risk',
    defaultSeverity: 'high',
    effort: 'S',
    priority: 'P1',
    docs: {
      what: 'A PostgreSQL client used on request paths has no statement or query timeout anywhere faultline can see: not in its options (`statement_timeout`, `query_timeout`; in Python SQLAlchemy `connect_args`, asyncpg `server_settings` or `command_timeout`, psycopg_pool `kwargs={"options": "-c statement_timeout=…"}` — the `timeout=` of a psycopg_pool pool is the wait for a free connection, not a statement timeout), not in its connection URL (`options=-c statement_timeout=…`, `statement_timeout=`, Prisma `socket_timeout`), not on the server (postgresql.conf, `-c statement_timeout`, operator or parameter-group settings), not as `ALTER ROLE/DATABASE … SET statement_timeout` in migrations, and no `SET statement_timeout` in code.',
      why: 'A query with a bad plan, a lock wait or a missing index runs until it finishes — minutes — holding its pooled connection the whole time. A handful of them pin every connection in the pool, and every other route that needs the database waits for a connection and times out: the slowdown cascade of seeds 001 and 003. Interactive-transaction timeouts (Prisma `$transaction({ timeout })`) bound the transaction on the client, not the statement on the server.',
      fix: 'Set a ceiling that fits the request budget, on the role so it holds through any pooler: a migration with `ALTER ROLE app_user SET statement_timeout = \'5s\';` Or per client: `new Pool({ statement_timeout: 5000, query_timeout: 6000 })`, `?options=-c%20statement_timeout%3D5000` in a libpq/node-postgres URL, Prisma `socket_timeout` in the URL; use `SET LOCAL statement_timeout` inside the few transactions that need longer.',
      falsePositiveGuard: 'Only PostgreSQL datastores reached by HTTP, WebSocket or function entrypoints. Any timeout found in code, URL, server config or migrations silences it for the datastore. When the only URL value is a secret-store placeholder with no committed example, the URL is unknown and the rule does not fire. Test, seed, script and migration files are not clients, nor is a TypeORM data source that only the TypeORM CLI loads.',
      references: [
        'https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-STATEMENT-TIMEOUT',
        'https://node-postgres.com/apis/client#new-client',
        'https://www.prisma.io/docs/orm/overview/databases/postgresql#arguments',
        'https://www.pgbouncer.org/config.html#query_timeout',
      ],
    },
  },
  check({ model }, ctx) {
    const cap = capacityOf(model);
    if (!cap) return;
    for (const d of cap.datastores) {
      if (d.tech !== 'postgresql') continue;
      if (d.server.statementTimeout || d.timeoutsInSql.length) continue;
      const eps = requestEntrypoints(model, entrypointsReaching(model, d.datastore));
      if (!eps.length) continue;
      for (const c of d.clients) {
        if (c.codeTimeout) continue;
        const demands = d.runtimes.filter((r) => r.client === c.id);
        // this client's own runtimes must serve requests that reach the datastore (a batch worker's pool is not on a request path)
        const served = new Set(entrypointsOfRuntimes(model, demands.map((r) => r.runtime)));
        const own = demands.length ? eps.filter((e) => served.has(e)) : eps;
        if (!own.length) continue;
        if (demands.some((r) => r.statementTimeout.source === 'explicit')) continue;
        if (demands.some((r) => viaOf(r).via === 'pooler') && d.poolers.some((p) => p.queryTimeout)) continue;
        const resolved = c.urlValues.filter((u) => u.resolved);
        if (resolved.some((u) => u.params.statement_timeout || /statement_timeout/.test(u.params.options ?? '') || (c.library === 'prisma' && u.params.socket_timeout))) continue;
        // a URL that exists only as a placeholder is unknown, not missing
        if (c.envVar && !resolved.length) continue;
        const urlFirst = resolved.some((u) => POOL_PARAMS.some((p) => u.params[p] !== undefined));
        const urlLocs = resolved.map((u) => u.evidence);
        const clientLoc = { file: c.file, line: c.line };
        const locations = uniqLocations(urlFirst ? [...urlLocs, clientLoc] : [clientLoc, ...urlLocs]);
        const how = c.library === 'prisma'
          ? `a migration with ALTER ROLE <app role> SET statement_timeout = '5s' (holds through any pooler), or socket_timeout in ${c.envVar ?? 'the URL'}`
          : `statement_timeout / query_timeout in the ${c.label} options (e.g. { statement_timeout: 5000, query_timeout: 6000 }), or ALTER ROLE <app role> SET statement_timeout = '5s' in a migration`;
        ctx.report({
          element: d.datastore,
          locations,
          title: `${c.label} runs queries on ${storeName(d)} with no statement timeout`,
          impact: `A slow query (bad plan, lock wait, missing index) on ${routesPhrase(own)} holds its pooled connection until it finishes; a few of them pin the whole pool and every route that needs ${storeName(d)} waits and times out. ${c.urlValues.some((u) => !u.resolved) ? `The deployed ${c.envVar} is not in the repository; none of the committed values sets a timeout.` : ''}`.trim(),
          recommendation: `Set a statement timeout that fits the request budget: ${how}; raise it with SET LOCAL only in the transactions that need longer.`,
          fingerprintKey: `${d.datastore} ${c.library} ${c.label}`,
        });
      }
    }
  },
};
export default rule;
