import { exclusiveBranches } from '../../extract/facts.js';
import type { Rule } from '../types.js';
import { functionLabel, isNonProductionFile, routesPhrase } from '../util.js';
import { access, before, tableLabel, txSites, type DbOp } from '../db/_data-access.js';

/** `if (c) return write1(); return write2();` — the first returns from its branch before the second runs. */
function returnsEarly(x: DbOp, y: DbOp): boolean {
  return x.site.returned && !!x.site.branch && before(x.site, y.site) && !(y.site.branch ?? '').startsWith(x.site.branch);
}

/** Distinct write sites, and whether at least two of them can run together. */
function groupable(writes: DbOp[]): DbOp[] {
  const out: DbOp[] = [];
  for (const w of writes) if (!out.some((o) => o.file === w.file && o.call.line === w.call.line)) out.push(w);
  if (out.length < 2) return [];
  const together = out.some((x, i) => out.some((y, j) => j > i && (x.site === y.site || !(exclusiveBranches(x.site.branch, y.site.branch) || returnsEarly(x, y) || returnsEarly(y, x)))));
  return together ? out : [];
}

const rule: Rule = {
  meta: {
    id: 'strength/transaction',
    title: 'Multi-write step runs in one transaction',
    category: 'data-integrity',
    polarity: 'strength',
    defaultSeverity: 'info',
    effort: 'S',
    priority: 'P2',
    docs: {
      what: 'A transaction (`prisma.$transaction(async (tx) => ...)` or its array form, `knex.transaction`, TypeORM/Sequelize `transaction(...)`, or node-postgres `BEGIN ... COMMIT`) groups two or more writes to one datastore — the complement of tx/non-atomic-writes. Writes made through the functions called inside the callback (repositories receiving `tx`) count.',
      why: 'The step commits as a whole or not at all: a constraint violation, a timeout or a deploy that kills the process halfway rolls every write back, so no caller has to reason about half-provisioned data.',
      fix: 'Nothing to fix. Keep new writes of the step on the transaction client (`tx`, not the global client), and keep slow external calls (HTTP, e-mail, queues) outside the callback so the transaction stays short and does not hold row locks while it waits.',
      falsePositiveGuard: 'Needs at least two distinct write sites to the same datastore inside the transaction that can run together (writes in different arms of one if/else count as one). A transaction nested in another is reported once, at the outer one. Test, seed and script files are skipped.',
      references: ['https://www.prisma.io/docs/orm/prisma-client/queries/transactions#interactive-transactions', 'https://knexjs.org/guide/transactions.html', 'https://node-postgres.com/features/transactions'],
    },
  },
  check({ facts, code, model }, ctx) {
    if (!code) return;
    const a = access(facts, code);
    for (const site of txSites(a, isNonProductionFile)) {
      const byTarget = new Map<string, DbOp[]>();
      for (const w of site.writes) byTarget.set(w.m.target, [...(byTarget.get(w.m.target) ?? []), w]);
      for (const [target, list] of byTarget) {
        const writes = groupable(list);
        if (!writes.length) continue;
        const label = site.owner ? functionLabel(site.owner) : site.file;
        const tables = [...new Set(writes.map((w) => (tableLabel(a, w) ?? 'rows')))];
        const eps = a.entrypoints(site.file, site.call.fn);
        const db = model.nodes.find((n) => n.id === target)?.name ?? writes[0].m.name;
        const external = site.callback ? code.usesOf(site.file, site.callback).filter((u) => u.edge === 'calls' && u.target.kind === 'external') : [];
        const caveat = external.length ? ` Note: it also calls ${[...new Set(external.map((u) => u.target.name))].join(', ')} inside the transaction, which holds the connection and its row locks while that call waits.` : '';
        ctx.report({
          element: code.componentOf(site.file),
          title: `${label} writes ${tables.slice(0, 4).join(', ')} in one transaction`,
          locations: [{ file: site.file, line: site.call.line, endLine: site.call.endLine }, ...writes.slice(0, 6).map((w) => ({ file: w.file, line: w.call.line }))],
          impact: `The writes to ${db} (${writes.length} call sites: ${tables.slice(0, 4).join(', ')}) commit together or not at all: a failure halfway (constraint violation, timeout, a killed process) rolls the step back instead of leaving half-written data.${eps.length ? ` Protects ${routesPhrase(eps)}.` : ''}${caveat}`,
          recommendation: external.length
            ? `Keep the writes together, but move the ${[...new Set(external.map((u) => u.target.name))].join(', ')} call out of the transaction (before it, or after the commit via an outbox) so a slow dependency cannot hold the database connection.`
            : 'Keep it: add new writes of this step on the transaction client (tx), and keep slow external calls outside the callback so the transaction stays short.',
          fingerprintKey: `${label} ${target} ${tables.join(',')}`,
        });
      }
    }
  },
};
export default rule;
