import type { Rule } from '../types.js';
import { isNonProductionFile, routesPhrase } from '../util.js';
import { findEnqueues, findQueues, findWorkers, jobOption, optState, queueParties } from './_queues.js';

const rule: Rule = {
  meta: {
    id: 'queue/unbounded-retention',
    title: 'Completed and failed jobs kept forever',
    category: 'scalability',
    polarity: 'risk',
    defaultSeverity: 'low',
    effort: 'S',
    priority: 'P2',
    docs: {
      what: 'A BullMQ/Bull queue whose jobs are never removed after they complete: no `removeOnComplete` in the queue\'s `defaultJobOptions`, in every `add()`, or in the options of the BullMQ Worker that processes it. Failed jobs without `removeOnFail` are mentioned in the same finding.',
      why: 'By default BullMQ and Bull keep every finished job — its data, return value and logs — in Redis forever. Memory grows with traffic until Redis reaches maxmemory: then, with `noeviction`, every write fails (new jobs cannot be enqueued, caches and sessions on the same instance break), and with an eviction policy Redis starts deleting keys, including queue state.',
      fix: 'Bound retention: `defaultJobOptions: { removeOnComplete: { age: 24 * 3600, count: 1000 }, removeOnFail: { age: 7 * 24 * 3600 } }` (or the same options on the Worker). Keep failed jobs longer than completed ones so they can be inspected.',
      falsePositiveGuard: 'Silent when removeOnComplete is set on the queue defaults, on every add(), or on the BullMQ Worker for the queue; when options are not literal (spread, unresolved variables); and when only removeOnFail is missing (keeping failed jobs may be a deliberate choice for inspection). Queues in test, seed or script files are skipped.',
      references: ['https://docs.bullmq.io/guide/queues/auto-removal-of-jobs', 'https://docs.bullmq.io/guide/going-to-production#auto-job-removal'],
    },
  },
  check({ facts, code, model }, ctx) {
    if (!code) return;
    const queues = findQueues(facts).filter((q) => !isNonProductionFile(q.file));
    const workers = findWorkers(facts);
    const adds = findEnqueues(facts, code);
    const seen = new Set<string>();
    for (const q of queues) {
      if (seen.has(q.name)) continue;
      seen.add(q.name);
      const onWorker = (key: string) => workers.some((w) => w.name === q.name && optState(facts, w.file, w.opts, key) !== 'unset');
      if (jobOption(facts, q, adds, 'removeOnComplete') !== 'unset' || onWorker('removeOnComplete')) continue;
      const failToo = jobOption(facts, q, adds, 'removeOnFail') === 'unset' && !onWorker('removeOnFail');
      const { producers } = queueParties(model, q.name);
      ctx.report({
        element: `queue:${q.name}`,
        locations: [{ file: q.file, line: q.line, endLine: q.call.endLine }],
        title: `Queue ${q.name} keeps every completed${failToo ? ' and failed' : ''} job in Redis`,
        impact: `Each job${producers.length ? ` enqueued by ${routesPhrase(producers)}` : ''} stays in Redis after it finishes${failToo ? ', and so does every failed job' : ''}: memory grows with traffic until Redis hits maxmemory, when enqueues (and anything else on that Redis) start failing or keys get evicted.`,
        recommendation: `Add removeOnComplete: { age: 24 * 3600, count: 1000 }${failToo ? " and removeOnFail: { age: 7 * 24 * 3600 }" : ''} to the defaultJobOptions of queue ${q.name}.`,
        fingerprintKey: `retention ${q.name}`,
      });
    }
  },
};
export default rule;
