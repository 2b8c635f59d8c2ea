import type { CallFact } from '../../extract/facts.js';
import type { Rule } from '../types.js';
import { functionLabel, isNonProductionFile, nodeById, routesPhrase } from '../util.js';
import { access, sqlTextOf, tableLabel, tableOf, txSites, type Access, type DbOp } from '../db/_data-access.js';

const OUTBOX = /outbox/i;
const ADD_METHODS = new Set(['create', 'createMany', 'createManyAndReturn', 'upsert']);

interface Writer {
  file: string;
  tx: CallFact;
  label: string;
  outbox: DbOp;
  domain: DbOp[];
}

/** The function that inserts the outbox row (OutboxService.addEvent), spanning down to the insert. */
function outboxWriterLocation(a: Access, op: DbOp): { file: string; line: number; endLine?: number } {
  const owner = a.namedOwner(op.file, op.call.fn);
  return owner && owner.line < op.call.line ? { file: op.file, line: owner.line, endLine: op.call.endLine } : { file: op.file, line: op.call.line };
}

const rule: Rule = {
  meta: {
    id: 'strength/outbox',
    title: 'Transactional outbox',
    category: 'data-integrity',
    polarity: 'strength',
    defaultSeverity: 'info',
    effort: 'M',
    priority: 'P2',
    docs: {
      what: 'Events are inserted into an outbox table (a model or table whose name contains "outbox") inside the same transaction as a domain write, and a scheduled job or queue worker reads that table to dispatch them.',
      why: 'The event and the change it describes commit together, so a crash between the database commit and the publish can neither lose the event nor announce a change that rolled back; the poller retries until the broker or consumer is back. An outage downstream delays the side effects instead of dropping them (seed 004: OutboxEvent written in the same transaction by OutboxService.addEvent, drained by the worker\'s OutboxProcessor).',
      fix: 'Nothing to fix. Keep the outbox insert on the transaction client, make consumers idempotent (dedupe on the event id or a jobId derived from it), recover rows left in PROCESSING by a crashed poller, and alert on the age of the oldest pending event.',
      falsePositiveGuard: 'Needs both halves: an insert into the outbox table inside a transaction that also writes another table, and a read (or claiming UPDATE ... RETURNING) of the same table in code that a cron job or queue worker runs. An outbox written outside a transaction, or never drained by a job, is not reported. Test, seed and script files are skipped.',
      references: ['https://microservices.io/patterns/data/transactional-outbox.html', 'https://www.prisma.io/docs/orm/prisma-client/queries/transactions#interactive-transactions'],
    },
  },
  check({ facts, code, model }, ctx) {
    if (!code) return;
    const a = access(facts, code);
    const trigger = (ep: string) => nodeById(model, ep)?.trigger;

    const writers = new Map<string, Writer[]>();
    for (const site of txSites(a, isNonProductionFile)) {
      const isOutbox = (w: DbOp) => {
        const t = tableOf(a, w);
        if (!t || !OUTBOX.test(t)) return false;
        return w.m.prisma ? ADD_METHODS.has(w.m.prisma.method) : /^\s*INSERT\b/i.test(sqlTextOf(a, w.file, w.call) ?? '');
      };
      const outbox = site.writes.find(isOutbox);
      if (!outbox) continue;
      const table = tableOf(a, outbox)!;
      const domain = site.writes.filter((w) => !OUTBOX.test(tableOf(a, w) ?? '') && w.m.target === outbox.m.target);
      if (!domain.length) continue;
      const list = writers.get(table) ?? [];
      list.push({ file: site.file, tx: site.call, label: site.owner ? functionLabel(site.owner) : site.file, outbox, domain });
      writers.set(table, list);
    }
    if (!writers.size) return;

    for (const [table, list] of [...writers].sort(([x], [y]) => (x < y ? -1 : 1))) {
      // the poller: a job or worker that reads (or claims) the same table
      let poller: { file: string; call: CallFact; eps: string[] } | undefined;
      for (const f of facts.values()) {
        if (isNonProductionFile(f.file) || poller) continue;
        for (const c of f.calls) {
          if (c.fn === '<module>') continue;
          const m = a.db(f.file, c);
          if (!m) continue;
          const op: DbOp = { file: f.file, call: c, m, frames: [], inTx: false, uniqueCaught: false, site: c };
          if (tableOf(a, op) !== table && !(m.raw && new RegExp(`\\b"?${table}"?\\b`, 'i').test(sqlTextOf(a, f.file, c) ?? ''))) continue;
          const text = m.raw ? sqlTextOf(a, f.file, c) ?? '' : '';
          const reads = m.kind === 'read' || /\bRETURNING\b|^\s*SELECT\b/i.test(text);
          if (!reads) continue;
          const eps = a.entrypoints(f.file, c.fn).filter((e) => trigger(e) === 'schedule' || trigger(e) === 'worker');
          if (!eps.length) continue;
          poller = { file: f.file, call: c, eps };
          break;
        }
      }
      if (!poller) continue;
      const first = list[0];
      const name = tableLabel(a, first.outbox) ?? table;
      const domains = [...new Set(list.flatMap((w) => w.domain.map((d) => (tableLabel(a, d) ?? 'rows'))))];
      const writersText = [...new Set(list.map((w) => w.label))].slice(0, 3).join(', ');
      const producers = [...new Set(list.flatMap((w) => a.entrypoints(w.file, w.tx.fn)))];
      const owner = a.namedOwner(poller.file, poller.call.fn);
      ctx.report({
        element: code.componentOf(poller.file),
        title: `Transactional outbox: ${name} written with ${domains.slice(0, 3).join(', ')} and drained by ${routesPhrase(poller.eps, 2)}`,
        locations: [
          outboxWriterLocation(a, first.outbox),
          ...list.slice(0, 4).map((w) => ({ file: w.file, line: w.tx.line })),
          { file: poller.file, line: poller.call.line },
        ],
        impact: `${writersText} record${list.length === 1 ? 's' : ''} the event in the same transaction as the change it describes, so a crash between commit and publish can neither lose it nor announce a rolled-back change; ${owner ? functionLabel(owner) : 'the poller'} (${routesPhrase(poller.eps, 2)}) dispatches it later. When the queue or a consumer is down, ${producers.length ? routesPhrase(producers) : 'the producers'} keep working and the side effects are delayed, not dropped.`,
        recommendation: 'Keep it: write events only through the transaction client, keep consumers idempotent (dedupe on the event id), recover rows stuck in PROCESSING, and alert on the age of the oldest pending event.',
        fingerprintKey: `outbox ${table}`,
      });
    }
  },
};
export default rule;
