import type { Rule } from '../types.js';
import { isNonProductionFile, nodeById, routesPhrase } from '../util.js';
import { findEnqueues, findQueues, findWorkers, hasFailedHandler, jobOption, queueParties } from './_queues.js';
import { celeryEnqueues, celeryTasks, failureHandled } from './_celery.js';

interface SqsQueueResource {
  key: string;
  file: string;
  line: number;
  consumers: string[];
}

/** serverless.yml: SQS queues declared in resources, consumed by a function, without a RedrivePolicy. */
function sqsWithoutRedrive(configs: { rel: string; yaml?: unknown[]; lineOf(n: string): number }[]): SqsQueueResource[] {
  const out: SqsQueueResource[] = [];
  for (const cf of configs) {
    if (!/(^|\/)serverless\.ya?ml$/.test(cf.rel) || !cf.yaml?.length) continue;
    const doc = cf.yaml[0] as any;
    const resources = doc?.resources?.Resources;
    if (!resources || typeof resources !== 'object' || !doc.functions) continue;
    for (const [key, res] of Object.entries<any>(resources)) {
      if (!res || res.Type !== 'AWS::SQS::Queue') continue;
      if (res.Properties?.RedrivePolicy) continue;
      // a queue that is itself some other queue's dead-letter target is not a consumer queue
      const isDlq = Object.values<any>(resources).some((r) => r?.Properties?.RedrivePolicy && JSON.stringify(r.Properties.RedrivePolicy).includes(key));
      if (isDlq) continue;
      const consumers: string[] = [];
      for (const [fname, fn] of Object.entries<any>(doc.functions)) {
        for (const ev of Array.isArray(fn?.events) ? fn.events : []) {
          if (!ev?.sqs) continue;
          const ref = JSON.stringify(ev.sqs);
          if (new RegExp(`(^|[^A-Za-z0-9])${key}([^A-Za-z0-9]|$)`).test(ref)) consumers.push(fname);
        }
      }
      if (consumers.length) out.push({ key, file: cf.rel, line: cf.lineOf(`${key}:`), consumers });
    }
  }
  return out;
}

const rule: Rule = {
  meta: {
    id: 'queue/no-retry-limit',
    title: 'Queue jobs without retries or a dead-letter path',
    category: 'data-integrity',
    polarity: 'risk',
    defaultSeverity: 'medium',
    effort: 'S',
    priority: 'P1',
    docs: {
      what: 'A BullMQ/Bull queue whose jobs get no `attempts` (neither in the queue\'s `defaultJobOptions` nor in every `add()`), and for which nothing handles failed jobs (no worker or QueueEvents `failed` listener, no NestJS `@OnWorkerEvent("failed")`). Also an SQS queue declared in serverless.yml and consumed by a function, with no `RedrivePolicy` (no dead-letter queue), and a Celery task with neither `autoretry_for`/`max_retries` nor a `self.retry()` call and no failure handler (`on_failure` on its base class, a `task_failure` signal).',
      why: 'BullMQ and Bull run a job once by default. A transient failure — a database failover, a vendor 5xx, a deploy that kills the worker mid-job — moves the job to the failed set and nothing ever runs it again: the export, email or projection the user asked for silently never happens. For SQS the opposite failure: without a redrive policy a poison message is received again and again until the retention period ends, burning worker capacity, and is then dropped without a trace.',
      fix: 'Give jobs bounded retries with backoff and handle the final failure: `new Queue("emails", { connection, defaultJobOptions: { attempts: 5, backoff: { type: "exponential", delay: 10_000 } } })` and `worker.on("failed", (job, err) => { if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) alertOrDeadLetter(job, err); })`. For SQS add `RedrivePolicy: { deadLetterTargetArn: !GetAtt JobsDlq.Arn, maxReceiveCount: 5 }` and alarm on the DLQ depth.',
      falsePositiveGuard: 'Silent when attempts come from defaultJobOptions or from every add() call, when the options are not literal (spread, variables that cannot be followed), when an explicit attempts value is set (even 1 — a deliberate choice), or when a failed-job handler exists for the queue. SQS queues are only checked when both the queue and its consuming function are declared in the same serverless.yml. Celery tasks whose options come through **kwargs are skipped, and so is a task that nothing enqueues and that reaches no datastore, cache, queue or external service (a `debug_task` that prints its request). Queues defined in test, seed or script files are skipped.',
      references: ['https://docs.bullmq.io/guide/retrying-failing-jobs', 'https://docs.bullmq.io/guide/workers', 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html'],
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
      if (jobOption(facts, q, adds, 'attempts') !== 'unset') continue;
      if (hasFailedHandler(facts, q.name, queues, workers)) continue;
      const { producers, worker } = queueParties(model, q.name);
      const enqueueSites = adds.filter((a) => a.queue === q.name).slice(0, 5);
      ctx.report({
        element: `queue:${q.name}`,
        locations: [{ file: q.file, line: q.line, endLine: q.call.endLine }, ...enqueueSites.map((a) => ({ file: a.file, line: a.call.line }))],
        title: `Queue ${q.name}: a failed job is never retried and nothing handles it`,
        impact: `${q.tech === 'bullmq' ? 'BullMQ' : 'Bull'} runs each job once by default: a transient failure (database or vendor blip, worker restart) leaves the job in the failed set and the work is lost without an alert. ${producers.length ? `Jobs come from ${routesPhrase(producers)}` : 'No enqueuing entrypoint was traced'}${worker ? `; consumed by ${worker.replace(/^entrypoint:/, '')}` : ''}.`,
        recommendation: `Set defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 10_000 } } on queue ${q.name}, and add a worker.on('failed') handler that alerts or dead-letters the job once attemptsMade reaches attempts.`,
        fingerprintKey: `bullmq ${q.name}`,
      });
    }
    // Celery: a task with no autoretry_for and no self.retry() runs once; nothing re-runs a failed batch.
    // Periodic tasks (beat) are re-run by the next tick and are left out. One finding per queue.
    const byQueue = new Map<string, { t: ReturnType<typeof celeryTasks>[number]; sites: ReturnType<typeof celeryEnqueues>; producers: string[] }[]>();
    for (const t of celeryTasks(facts)) {
      if (isNonProductionFile(t.file) || t.opaque || t.retriesInBody) continue;
      if (t.options.autoretry_for !== undefined || t.options.max_retries !== undefined || t.options.retry_kwargs !== undefined) continue;
      if (failureHandled(facts, t)) continue;
      const worker = model.nodes.find((n) => n.id === `entrypoint:worker:${t.name}`);
      if (!worker) continue;
      const sites = celeryEnqueues(facts, t);
      const producers = [...new Set(sites.flatMap((s) => {
        const fn = facts.get(s.file)?.functions.find((x) => x.id === s.call.fn);
        return fn ? code.entrypointsOf(s.file, fn.id) : [];
      }))].sort();
      // only scheduled by beat: the next tick runs it again
      if (!sites.length && isScheduled(model, t.file, t.fn.id, code)) continue;
      // never enqueued and reaching no datastore, cache, queue or vendor (Celery's `debug_task` boilerplate): no work to lose
      if (!sites.length && !model.edges.some((e) => e.kind !== 'consumes' && (e.from === worker.id || e.entrypoints?.includes(worker.id)) && /^(datastore|cache|queue|external):/.test(e.to))) continue;
      const q = model.edges.find((e) => e.from === worker.id && e.kind === 'consumes')?.to ?? 'queue:celery';
      const list = byQueue.get(q) ?? [];
      list.push({ t, sites, producers });
      byQueue.set(q, list);
    }
    for (const [q, list] of [...byQueue.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      // tasks enqueued from request paths first: those are the user's work being lost
      list.sort((a, b) => (b.producers.length ? 1 : 0) - (a.producers.length ? 1 : 0) || (a.t.file < b.t.file ? -1 : a.t.file > b.t.file ? 1 : a.t.line - b.t.line));
      const producers = [...new Set(list.flatMap((x) => x.producers))].sort();
      const first = list[0];
      const names = list.slice(0, 4).map((x) => x.t.name).join(', ') + (list.length > 4 ? `, and ${list.length - 4} more` : '');
      ctx.report({
        element: q,
        locations: [{ file: first.t.file, line: first.t.line, endLine: first.t.fn.endLine }, ...first.sites.slice(0, 3).map((s) => ({ file: s.file, line: s.call.line })), ...list.slice(1, 8).map((x) => ({ file: x.t.file, line: x.t.line }))],
        title: list.length === 1 ? `Celery task ${first.t.name} is never retried and its failures go nowhere` : `${list.length} Celery tasks on ${q.replace(/^queue:/, '')} are never retried and their failures go nowhere`,
        impact: `Without autoretry_for or self.retry(), Celery runs ${names} once: when the database or a vendor fails mid-run, or the worker is killed, the task ends in FAILURE and the work is lost — there is no dead-letter queue to replay it from. ${producers.length ? `Tasks come from ${routesPhrase(producers)}` : 'No enqueuing entrypoint was traced'}.`,
        recommendation: `Retry transient failures with backoff and a bound: @celery_app.task(autoretry_for=(OperationalError, ConnectionError), max_retries=5, retry_backoff=True, retry_jitter=True), and record tasks that exhaust their retries (an on_failure handler on a base Task class, or a task_failure signal writing to a dead-letter table) so they can be replayed.`,
        fingerprintKey: `celery ${q}`,
      });
    }
    for (const s of sqsWithoutRedrive(code.configs)) {
      const eps = s.consumers.map((c) => `entrypoint:function:${c}`).filter((id) => model.nodes.some((n) => n.id === id));
      ctx.report({
        element: eps[0],
        locations: [{ file: s.file, line: s.line }],
        title: `SQS queue ${s.key} has no dead-letter queue (no RedrivePolicy)`,
        impact: `A message that keeps failing in ${s.consumers.join(', ')} is received again after every visibility timeout until the retention period ends, occupying consumer capacity, and is then deleted without a trace.`,
        recommendation: `Add RedrivePolicy: { deadLetterTargetArn: !GetAtt ${s.key}Dlq.Arn, maxReceiveCount: 5 } to ${s.key} and alarm on the dead-letter queue's ApproximateNumberOfMessagesVisible.`,
        fingerprintKey: `sqs ${s.key}`,
      });
    }
  },
};
/** Is a task function the handler of a beat-scheduled entrypoint? */
function isScheduled(model: Parameters<Rule['check']>[0]['model'], file: string, fnId: string, code: NonNullable<Parameters<Rule['check']>[0]['code']>): boolean {
  return code.entrypointsOf(file, fnId).some((id) => nodeById(model, id)?.trigger === 'schedule');
}

export default rule;
