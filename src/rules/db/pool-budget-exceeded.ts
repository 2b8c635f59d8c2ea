import type { Rule } from '../types.js';
import { capacityOf, routesAt, storeName, uniqLocations } from './_capacity.js';

const rule: Rule = {
  meta: {
    id: 'db/pool-budget-exceeded',
    title: 'Connection pools add up to more than the database accepts',
    category: 'scalability',
    polarity: 'risk',
    defaultSeverity: 'critical',
    effort: 'M',
    priority: 'P0',
    docs: {
      what: 'The sum over runtimes of replicas × processes × pool size (plus the server connections of the poolers in front) exceeds max_connections minus the reserved superuser slots — at the declared replica counts (critical) or at the autoscaling maximum / Lambda reserved concurrency (high). Through a PgBouncer, the clients are also checked against its max_client_conn.',
      why: 'Pools open connections lazily, so the overcommit stays invisible until load fills them all at once — a deploy, a traffic peak, a slow query that holds connections. Then PostgreSQL refuses new ones ("FATAL: sorry, too many clients already", "remaining connection slots are reserved"), and whichever replica asks last fails its requests: seed 002\'s 21 pods × 5 connections against max_connections 100.',
      fix: 'Make the budget hold by construction: put PgBouncer (pool_mode=transaction) / RDS Proxy / Supavisor in front so server connections are a fixed number; or shrink each pool to ⌊usable ÷ processes⌋ (Prisma `connection_limit`, pg `max`); or raise max_connections (and the instance memory it needs). Keep headroom for migrations and admin sessions. Declare the real numbers in faultline.config.yml (`runtimes.<name>.replicas/maxReplicas`, `datastores.<id>.maxConnections`) when they live outside the repository.',
      falsePositiveGuard: 'Fires only on arithmetic whose every term is known, or whose known terms alone already exceed the limit; unknown pool sizes or replica counts make the budget unknown, never guessed. A max_connections read from a local docker-compose service is not compared with runtimes deployed elsewhere (Lambda, Kubernetes). Unbounded concurrency (a Lambda without reserved concurrency) is reported by db/pool-unbounded and db/no-pooler, not here. RDS defaults come from AWS\'s formula with the nominal instance memory, an upper bound of the real default.',
      references: [
        'https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-MAX-CONNECTIONS',
        'https://www.pgbouncer.org/config.html#default_pool_size',
        'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.MaxConnections',
        'https://www.prisma.io/docs/orm/prisma-client/setup-and-configuration/databases-connections#serverless-environments-faas',
      ],
    },
  },
  check({ model }, ctx) {
    const cap = capacityOf(model);
    if (!cap) return;
    for (const d of cap.datastores) {
      const b = d.budget;
      const lines = [
        b.normal.exceeded ? { line: b.normal, when: 'at the declared replica counts', severity: 'critical' as const, key: 'normal' } : undefined,
        !b.normal.exceeded && b.peak?.exceeded ? { line: b.peak, when: 'at peak (autoscaling maximum / reserved concurrency)', severity: 'high' as const, key: 'peak' } : undefined,
        b.poolerClients?.exceeded ? { line: b.poolerClients, when: `at the pooler ${b.poolerClients.pooler}`, severity: 'high' as const, key: 'pooler' } : undefined,
      ].filter((x): x is NonNullable<typeof x> => !!x);
      for (const l of lines) {
        const pooler = l.key === 'pooler';
        const limitEv = pooler ? d.poolers.find((p) => (p.name ?? p.kind) === b.poolerClients!.pooler)?.maxClientConn.evidence : d.server.maxConnections.evidence;
        const runtimes = d.runtimes;
        const locations = uniqLocations([limitEv, ...runtimes.flatMap((r) => [r.replicas.evidence, l.key === 'peak' ? r.peak.evidence : undefined, r.pool.evidence])]);
        ctx.report({
          element: d.datastore,
          locations,
          title: `${storeName(d)} connection budget exceeded ${l.when}: ${l.line.arithmetic}`,
          impact: `${l.line.arithmetic}. When the pools fill — a traffic peak, a deploy that starts new replicas before the old ones stop, slow queries holding connections — ${pooler ? `${b.poolerClients!.pooler} refuses clients beyond max_client_conn` : `PostgreSQL refuses new connections ("too many clients already")`}, and ${routesAt(model, d)} fail on whichever replica asks last.`,
          recommendation: pooler
            ? `Raise max_client_conn of ${b.poolerClients!.pooler} above the clients' total (it costs little: client connections are cheap), or shrink the client pools.`
            : `Cap the total below ${l.line.limit} usable connections: put PgBouncer in transaction mode (or RDS Proxy/Supavisor) in front so the server sees a fixed pool; or shrink each pool to ⌊${l.line.limit} ÷ processes⌋; or raise max_connections. Keep headroom for migrations and admin sessions.`,
          fingerprintKey: `${d.datastore} ${l.key}`,
          severity: l.severity,
        });
      }
    }
  },
};
export default rule;
