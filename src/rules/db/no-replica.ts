import type { Rule } from '../types.js';
import { capacityOf, loc, routesAt, storeName } from './_capacity.js';

const ORIGINS: Record<string, string> = { 'docker-compose': 'a single docker-compose service', kubernetes: 'a single Kubernetes workload/cluster instance', helm: 'Helm values without replication', terraform: 'a Terraform RDS instance without multi_az or a read replica', 'postgresql.conf': 'one server configuration' };

const rule: Rule = {
  meta: {
    id: 'db/no-replica',
    title: 'A database with no replica or standby',
    category: 'availability',
    polarity: 'risk',
    defaultSeverity: 'medium',
    effort: 'L',
    priority: 'P2',
    docs: {
      what: 'A SQL datastore the code uses is declared in the repository\'s infrastructure (docker-compose, Kubernetes, Helm, Terraform, postgresql.conf) as one instance: no standby (RDS multi_az, CloudNativePG instances > 1, Bitnami architecture: replication), no read replica (replicate_source_db, a replica service), and faultline.config.yml declares none.',
      why: 'One instance means a host failure, a maintenance restart, a full disk or a runaway migration takes every query down with no failover target, and every read competes with every write for the same server: there is no place to move dashboards or exports. Restores from backup take hours.',
      fix: 'Run a standby in another availability zone (RDS/Aurora Multi-AZ, `instances: 3` in CloudNativePG, Patroni) and, for read-heavy routes, a read replica with lag monitoring. If redundancy exists outside this repository, declare it: `datastores: { "datastore:postgres": { multiAz: true, readReplica: true } }` in faultline.config.yml.',
      falsePositiveGuard: 'Only datastores the infrastructure in the repository declares; a database known only from a connection URL is unknown, not single. Any replica, standby or multi-AZ fact — in any config format, or in faultline.config.yml — silences it.',
      references: ['https://www.postgresql.org/docs/current/high-availability.html', 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.html', 'https://cloudnative-pg.io/documentation/current/replication/'],
    },
  },
  check({ model }, ctx) {
    const cap = capacityOf(model);
    if (!cap) return;
    for (const d of cap.datastores) {
      const s = d.server;
      if (s.replica.present || !s.origin || s.origin === 'config' || !s.evidence) continue;
      if (!model.nodes.some((n) => n.id === d.datastore)) continue;
      ctx.report({
        element: d.datastore,
        locations: loc(s.evidence),
        title: `${storeName(d)} runs as one instance with no replica or standby`,
        impact: `${storeName(d)} is ${ORIGINS[s.origin] ?? 'one instance'}${s.localOnly ? ' (the only declaration in the repository is this local one)' : ''}: a host failure, restart or full disk stops ${routesAt(model, d)} with nothing to fail over to, and read-heavy work has nowhere to go but the primary.`,
        recommendation: `Add a standby in another zone (managed Multi-AZ, or a replicated cluster) and a read replica for read-heavy routes; if production already has them outside this repository, declare them in faultline.config.yml (datastores: { "${d.datastore}": { multiAz: true, readReplica: true } }).`,
        fingerprintKey: d.datastore,
      });
    }
  },
};
export default rule;
