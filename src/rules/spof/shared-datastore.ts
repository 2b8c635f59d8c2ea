import { rankSpofs } from '../../analyze/propagation/index.js';
import type { Evidence, Model } from '../../model/types.js';
import type { Rule } from '../types.js';

const DEP_KINDS = new Set(['datastore', 'cache', 'queue', 'external']);

/** Components with any dependency edge: the denominator of "N of M components depend on it". */
export function componentsWithDependencies(model: Model): Set<string> {
  return new Set(model.edges.filter((e) => e.from.startsWith('component:') && DEP_KINDS.has(e.to.split(':')[0])).map((e) => e.from));
}

/** Config evidence (compose service, schema datasource) says more about a datastore than a call site. */
export function bestEvidence(evidence: Evidence[]): Evidence | undefined {
  return evidence.find((e) => !/\.(ts|tsx|js|jsx|mjs|cjs|mts|cts|py)$/.test(e.file)) ?? evidence[0];
}

const rule: Rule = {
  meta: {
    id: 'spof/shared-datastore',
    title: 'One datastore instance that most of the system depends on',
    category: 'availability',
    polarity: 'risk',
    defaultSeverity: 'critical',
    effort: 'L',
    priority: 'P0',
    docs: {
      what: 'A datastore with no known replica or standby that most components with dependencies call directly, and whose outage takes most entrypoints down.',
      why: 'When that one instance fails — a host failure, a maintenance reboot, a full disk, a runaway migration — every domain built on it fails at once: login, billing and onboarding together, with no partial degradation.',
      fix: 'Run the datastore with a standby in another availability zone (RDS/Aurora Multi-AZ, a Patroni cluster) and a read replica for read-heavy routes; define RTO/RPO and test the restore. Declare what exists in faultline.config.yml (`datastores: { "datastore:postgres": { multiAz: true, readReplica: true } }`) when the infrastructure is not in this repository.',
      falsePositiveGuard: 'Fires only when the scan found no redundancy (compose/Kubernetes replicas, config) for the node, when at least two components and at least half of the components that have any dependency call it directly, and when its outage takes down at least half of the entrypoints.',
      references: ['https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.html', 'https://www.postgresql.org/docs/current/high-availability.html'],
    },
  },
  check({ model }, ctx) {
    const withDeps = componentsWithDependencies(model);
    if (withDeps.size < 2) return;
    for (const rank of rankSpofs(model, model.scenarios)) {
      const node = model.nodes.find((n) => n.id === rank.node);
      if (!node || node.kind !== 'datastore' || rank.redundant) continue;
      const direct = new Set(model.edges.filter((e) => e.to === node.id && e.from.startsWith('component:')).map((e) => e.from));
      if (direct.size < 2 || direct.size * 2 < withDeps.size || rank.entrypointsDown * 2 < rank.entrypointsTotal) continue;
      const ev = bestEvidence(node.evidence);
      // the threshold counts components with dependencies; the sentence counts all, as the summary's "7/10 components" does
      const components = model.nodes.filter((n) => n.kind === 'component').length;
      ctx.report({
        element: node.id,
        locations: ev ? [{ file: ev.file, line: ev.line }] : [],
        title: `${direct.size} of ${components} components and ${rank.entrypointsDown} of ${rank.entrypointsTotal} entrypoints depend on ${node.name}; no replica or standby is declared`,
        impact: `An outage of ${node.name} takes down ${rank.entrypointsDown} of ${rank.entrypointsTotal} entrypoints at once (${[...direct].sort().map((c) => c.replace('component:', '')).join(', ')}): a full outage with no partial degradation.`,
        recommendation: `Run ${node.name} with a multi-AZ standby and a read replica; route read-heavy entrypoints to the replica; define and test RTO/RPO. If redundancy exists outside this repository, declare it in faultline.config.yml.`,
        fingerprintKey: node.id,
      });
    }
  },
};
export default rule;
