import { viaOf } from '../../analyze/capacity/index.js';
import type { Rule } from '../types.js';
import { capacityOf, limitPhrase, routesAt, runtimePhrase, storeName, uniqLocations } from './_capacity.js';

const rule: Rule = {
  meta: {
    id: 'db/no-pooler',
    title: 'Several runtimes connect to the database directly, with no pooler',
    category: 'scalability',
    polarity: 'risk',
    defaultSeverity: 'medium',
    effort: 'M',
    priority: 'P1',
    docs: {
      what: 'Two or more processes (replicas of one runtime, several runtimes, or any serverless function) connect straight to a PostgreSQL server — their connection URLs point at the server (port 5432, the database host) — and no PgBouncer, Supavisor, RDS Proxy or similar pooler is declared anywhere in the repository.',
      why: 'Without a pooler every process keeps its own pool, so server connections grow with every replica, worker and Lambda execution environment, and each PostgreSQL backend costs memory. Scaling out or a burst of cold starts turns into a connection storm against max_connections; with a pooler in transaction mode the server sees a fixed number of connections however many clients there are (seed 002\'s fix).',
      fix: 'Run PgBouncer in transaction mode (or use RDS Proxy / Supabase Supavisor on 6543 / Neon\'s pooled host) and point the runtimes\' DATABASE_URL at it; keep a DIRECT_URL on 5432 for migrations. For Prisma add `pgbouncer=true` to the pooled URL; size default_pool_size to the server budget.',
      falsePositiveGuard: 'Connections whose URL is unknown (no committed value or example) are not counted. A single process (one replica, no autoscaling) never fires. When a pooler is declared anywhere (compose, Kubernetes, Helm, Terraform aws_db_proxy, pgbouncer.ini) the rule stays silent even if a URL seems to bypass it.',
      references: ['https://www.pgbouncer.org/features.html', 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html', 'https://www.prisma.io/docs/orm/prisma-client/setup-and-configuration/databases-connections/pgbouncer', 'https://supabase.com/docs/guides/database/connecting-to-postgres#connection-pooler'],
    },
  },
  check({ model }, ctx) {
    const cap = capacityOf(model);
    if (!cap) return;
    for (const d of cap.datastores) {
      if (d.tech !== 'postgresql' || d.poolers.length) continue;
      if (d.runtimes.some((r) => viaOf(r).via === 'pooler')) continue;
      const direct = d.runtimes.filter((r) => viaOf(r).via === 'server');
      if (!direct.length) continue;
      const serverless = direct.filter((r) => r.tech === 'aws-lambda');
      const processes = direct.reduce((s, r) => s + (r.replicas.value ?? 0) * r.processes, 0);
      const distinct = new Set(direct.map((r) => r.runtime)).size;
      if (!serverless.length && processes < 2 && distinct < 2) continue;
      const locations = uniqLocations(direct.map((r) => r.url?.evidence ?? r.urlExample?.evidence));
      const who = [...new Set(direct.map(runtimePhrase))].join(', ');
      ctx.report({
        element: d.datastore,
        locations,
        title: serverless.length
          ? `${serverless.map((r) => r.runtime.replace(/^runtime:/, '')).join(', ')} (serverless) connect${serverless.length === 1 ? 's' : ''} straight to ${storeName(d)} with no pooler`
          : `${processes > 1 ? `${processes} processes` : `${distinct} runtimes`} connect straight to ${storeName(d)} with no pooler`,
        impact: `${who} ${direct.length === 1 && serverless.length ? 'keeps a pool' : 'each keep their own pool'} to ${storeName(d)}, so server connections grow with every ${serverless.length ? 'concurrent execution environment' : 'replica'}; a scale-out or a burst of new processes exhausts ${limitPhrase(d)} and ${routesAt(model, d)} fail to get a connection.`,
        recommendation: `Put a pooler in transaction mode between the runtimes and ${storeName(d)} (${serverless.length ? 'RDS Proxy or PgBouncer for Lambda' : 'PgBouncer, or the managed pooler of your provider'}); point ${[...new Set(d.clients.map((c) => c.envVar).filter(Boolean))].join(', ') || 'the connection URL'} at it${d.clients.some((c) => c.library === 'prisma') ? ' with pgbouncer=true' : ''} and keep a direct URL on 5432 for migrations only.`,
        fingerprintKey: d.datastore,
      });
    }
  },
};
export default rule;
