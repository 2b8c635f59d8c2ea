import type { Rule } from '../types.js';
import { capacityOf, entrypointsOfRuntimes, entrypointsReaching, limitPhrase, runtimePhrase } from './_capacity.js';
import { routesPhrase } from '../util.js';

const SINGLE = new Set(['pg-client', 'mysql2-connection', 'django']);
const PY_LIBS = new Set(['sqlalchemy', 'asyncpg', 'psycopg-pool', 'psycopg2-pool']);

const rule: Rule = {
  meta: {
    id: 'db/pool-unbounded',
    title: 'A database client or pool without an explicit size limit',
    category: 'scalability',
    polarity: 'risk',
    defaultSeverity: 'high',
    effort: 'S',
    priority: 'P1',
    docs: {
      what: 'A database client or pool (PrismaClient, pg Pool, postgres.js, TypeORM, Knex, Sequelize, drizzle, mysql2; in Python SQLAlchemy engines — or an engine with poolclass=NullPool —, asyncpg and psycopg pools) is created with no explicit pool size: not in its options, and — for Prisma — no `connection_limit` in any value of its connection URL that the repository shows (compose/Kubernetes/serverless environment, .env files).',
      why: 'The pool then takes the library\'s default, which nobody sized against the database: Prisma opens num_cpus × 2 + 1 connections per client (it changes with the machine), node-postgres and postgres.js 10, Sequelize 5. Multiplied by replicas — or by Lambda concurrency, where every execution environment holds its own pool — the total silently crosses max_connections, and new connections fail with "too many clients already" (the seed-001 collapse).',
      fix: 'Size every pool from the budget (usable connections ÷ processes) and write it down: `DATABASE_URL=postgresql://…?connection_limit=5&pool_timeout=10` for Prisma (connection_limit=1 on Lambda, behind a pooler); `new Pool({ connectionString, max: 10 })` for pg; `postgres(url, { max: 10 })`; `knex({ pool: { min: 0, max: 10 } })`; `new Sequelize(url, { pool: { max: 10 } })`.',
      falsePositiveGuard: 'A size in code (a literal, or an env var) never fires. For Prisma, a `connection_limit` in any committed value of the URL never fires, and a URL that only comes from a secret store (SSM, Secrets Manager, secretKeyRef) with no committed example is unknown, not missing: it does not fire. Single connections (pg Client, mysql2.createConnection), PrismaClients over a driver adapter (the adapter\'s pool is checked instead), and clients in test, seed, script and migration files are skipped, as is a TypeORM data source that only the TypeORM CLI loads (a package.json script hands its file to `typeorm -d`/`--dataSource` and no deployed code imports it); `TypeOrmModule.forRoot(AppDataSource.options)` is the data source\'s own pool, counted once.',
      references: [
        'https://www.prisma.io/docs/orm/prisma-client/setup-and-configuration/databases-connections/connection-pool',
        'https://node-postgres.com/apis/pool',
        'https://github.com/porsager/postgres#connection-details',
        'https://knexjs.org/guide/#pool',
      ],
    },
  },
  check({ model, code }, ctx) {
    const cap = capacityOf(model);
    if (!cap) return;
    for (const d of cap.datastores) {
      for (const c of d.clients) {
        // SQLAlchemy NullPool: no pool at all, one connection per checkout, no limit
        const nullPool = c.library === 'sqlalchemy' && !!c.codePool && /NullPool/.test(c.codePool.note);
        if (SINGLE.has(c.library) || (c.codePool && !nullPool)) continue;
        const resolved = c.urlValues.filter((u) => u.resolved);
        if (c.urlPoolParam) {
          if (resolved.some((u) => u.params[c.urlPoolParam!] !== undefined)) continue;
          if (!resolved.length) continue;
        }
        const demands = d.runtimes.filter((r) => r.client === c.id);
        const unboundedRuntime = demands.find((r) => r.peak.unbounded);
        const hardwareDefault = c.defaultPool.value === undefined;
        const where = demands.length ? demands.map(runtimePhrase).join(', ') : 'every process that loads it';
        const reaching = new Set(entrypointsReaching(model, d.datastore));
        const eps = entrypointsOfRuntimes(model, demands.map((r) => r.runtime)).filter((e) => reaching.has(e));
        const unresolved = c.urlValues.filter((u) => !u.resolved);
        const seen = resolved.map((u) => `${u.evidence.file}:${u.evidence.line}`).join(', ');
        const defaultText = hardwareDefault ? `${c.defaultPool.note} — it changes with the machine` : c.defaultPool.note;
        const total = d.server.maxConnections.value !== undefined ? ` against ${limitPhrase(d)}` : '';
        const py = PY_LIBS.has(c.library);
        const recommendation = py
          ? c.library === 'sqlalchemy'
            ? `Size the pool explicitly: create_engine(url, pool_size=5, max_overflow=5, pool_timeout=10)${nullPool ? ' instead of poolclass=NullPool (or put PgBouncer in front and keep NullPool)' : ''}, so that Σ processes (replicas × workers) × (pool_size + max_overflow) stays under ${d.datastore.replace(/^datastore:/, '')}'s usable connections.`
            : `Pass an explicit size to ${c.label} (${c.library === 'asyncpg' ? 'create_pool(dsn, min_size=1, max_size=10)' : c.library === 'psycopg-pool' ? 'ConnectionPool(conninfo, min_size=1, max_size=10)' : 'maxconn'}), sized so that Σ processes × size stays under ${d.datastore.replace(/^datastore:/, '')}'s usable connections.`
          : c.library === 'prisma'
          ? `Add connection_limit and pool_timeout to ${c.envVar ?? 'the connection URL'} (e.g. ?connection_limit=${unboundedRuntime ? 1 : 5}&pool_timeout=10), sized so that Σ processes × connection_limit stays under ${d.datastore.replace(/^datastore:/, '')}'s usable connections${unboundedRuntime ? '; on Lambda use connection_limit=1 behind RDS Proxy/PgBouncer and set reservedConcurrency' : ''}.`
          : `Pass an explicit size to ${c.label} (e.g. { max: 10 }), sized so that Σ processes × max stays under ${d.datastore.replace(/^datastore:/, '')}'s usable connections.`;
        ctx.report({
          element: code ? code.componentOf(c.file) : d.datastore,
          locations: [{ file: c.file, line: c.line }, ...resolved.map((u) => ({ file: u.evidence.file, line: u.evidence.line }))],
          title: nullPool ? `${c.label} uses NullPool: one connection per checkout, no limit` : `${c.label} has no explicit pool size (${hardwareDefault ? 'Prisma default: num_cpus × 2 + 1' : `default ${c.defaultPool.value}`} per process)`,
          impact: `${nullPool ? `${c.label} opens a new connection for every session and closes it afterwards` : `${c.label} takes ${defaultText}`}${c.urlPoolParam && seen ? `; no ${c.urlPoolParam} in ${c.envVar ?? 'the URL'} (${seen})${unresolved.length ? `, and the deployed value comes from ${unresolved.map((u) => `${u.value} (${u.evidence.file}:${u.evidence.line})`).join(', ')}, which the repository does not show` : ''}` : ''}. It runs in ${where}, so the connections it opens grow with ${unboundedRuntime ? 'concurrency, without a bound' : 'replicas'}${total}; when they run out, new connections fail with "too many clients" for ${routesPhrase(eps)}.`,
          recommendation,
          fingerprintKey: `${c.library} ${c.label} ${d.datastore}`,
          severity: hardwareDefault || unboundedRuntime || nullPool ? 'high' : 'medium',
        });
      }
    }
  },
};
export default rule;
