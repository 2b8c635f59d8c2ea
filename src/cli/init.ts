import type { Model } from '../model/types.js';

/** A starter config: what faultline found, with the facts code cannot show left to fill in. */
export function initConfig(model: Model): string {
  const runtimes = model.nodes.filter((n) => n.kind === 'runtime');
  const stores = model.nodes.filter((n) => n.kind === 'datastore' || n.kind === 'cache');
  const lines = [
    '# faultline.config.yml — declare what the code cannot show. Every key is optional.',
    '# Docs: docs/config.md. Validate with `faultline scan` (errors name the key).',
    '',
    '# Replicas per runtime (compose/k8s/serverless are read automatically when present).',
    'runtimes:',
    ...(runtimes.length ? runtimes.map((r) => `  ${r.name}: { replicas: ${r.redundancy?.replicas ?? 1} }`) : ['  # api: { replicas: 2 }']),
    '',
    '# Redundancy and capacity of datastores.',
    'datastores:',
    ...(stores.length ? stores.map((s) => `  "${s.id}": { multiAz: false, readReplica: false }`) : ['  # "datastore:postgres": { multiAz: true, maxConnections: 100 }']),
    '',
    '# Entrypoints that matter most (weights the single-point-of-failure ranking).',
    '# critical: ["POST /api/checkout"]',
    '',
    '# Rule severities or "off".',
    '# rules:',
    '#   error/swallowed: off',
    '',
    '# What-if scenarios: faultline scan --what-if NAME',
    '# whatIf:',
    '#   replica:',
    '#     - { kind: read-replica, node: "datastore:postgres" }',
    '',
  ];
  return lines.join('\n');
}
