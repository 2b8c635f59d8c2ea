import type { CallFact, LoopInfo, Val } from '../../extract/facts.js';
import type { Location } from '../../model/types.js';
import type { CodeIndex, Rule } from '../types.js';
import { functionLabel, isNonProductionFile, routesPhrase } from '../util.js';
import { access, constantSmallCollection, modelLabel, objOf, sqlTextOf, whereFields, type Access, type DbMeaning, type DbOp } from './_data-access.js';

/** A query that touches rows one at a time (not a batch: `in` filters, `= ANY($1)`, `IN (...)`, *Many writes). */
function isPerItem(a: Access, op: { file: string; call: CallFact; m: DbMeaning }): boolean {
  const m = op.m;
  if (m.name === 's3') return false;
  // a Django queryset that is only built (filter/order_by/...) runs no query until it is evaluated
  if (m.op === 'lazy-query') return false;
  if (m.kind === 'read' && !m.readOnly) return false;
  if (m.prisma) {
    if (m.kind === 'write' && !SINGLE_WRITES.has(m.prisma.method)) return false;
    const w = whereFields(objOf(op.call.args[0])?.obj.where);
    if (w && Object.values(w.values).some((v) => objOf(v) && 'in' in objOf(v)!.obj)) return false;
    return true;
  }
  const text = sqlTextOf(a, op.file, op.call);
  if (m.kind === 'write' && (!text || !/^\s*(INSERT|UPDATE|DELETE)\b/i.test(text))) return false;
  if (text && /=\s*ANY\s*\(|\bIN\s*\(\s*(\$\{\}|\$\d+|\?|UNNEST)|\bunnest\s*\(|\bVALUES\s*\$\{\}/i.test(text)) return false;
  return true;
}

const SINGLE_WRITES = new Set(['create', 'update', 'upsert', 'delete']);

/** The call (or what it runs) enqueues, publishes or calls an external service. */
function externalEffect(code: CodeIndex, file: string, call: CallFact): boolean {
  const m = code.meaning(file, call);
  if (m?.use === 'dependency') return m.edge === 'enqueues' || m.edge === 'publishes' || (m.edge === 'calls' && m.target.kind === 'external');
  const t = code.callee(file, call);
  return !!t && code.usesOf(t.file, t.fn.id).some((u) => u.edge === 'enqueues' || u.edge === 'publishes' || (u.edge === 'calls' && u.target.kind === 'external'));
}

function describe(v: Val | undefined): string {
  if (v && typeof v === 'object' && 'ref' in v) return `\`${v.ref}\``;
  if (v && typeof v === 'object' && 'call' in v && !v.call.startsWith('()')) return `\`${v.call}(...)\``;
  return 'a list';
}

/** Code of a data migration (`apps/api/migrations/expire-at/expire-at.migration.ts`, `src/migrations/1700000000-backfill.ts`). */
const DATA_MIGRATION = /(^|\/)migrations?\//;

const rule: Rule = {
  meta: {
    id: 'db/n-plus-one',
    title: 'A database query per item of a list (N+1)',
    category: 'performance',
    polarity: 'observation',
    defaultSeverity: 'medium',
    effort: 'S',
    priority: 'P1',
    docs: {
      what: 'A database query runs once per element of a collection: inside a `for...of`/`for...in` loop, a `for` loop bounded by `.length`, a `forEach`/`map`/... callback, or `Promise.all(items.map(...))` — directly, or through a project function called there. Reads (findFirst, count, SELECT ...) and single-row writes (create/update/upsert/delete, INSERT/UPDATE/DELETE) both count; one finding per loop.',
      why: 'N items mean N round trips. In series, latency grows linearly with the list while the request holds a pooled connection — inside a transaction, the transaction stays open (connection and row locks) for all N, towards its timeout; fanned out with Promise.all, one request takes every connection of the pool at once and queues the rest, so unrelated routes wait (seed 001: getDeckStats ran one RPC per deck in Promise.all and helped drain a 90-connection pool).',
      fix: 'Read or write the whole set in one statement:\n\n```ts\n// before\nconst stats = await Promise.all(decks.map((d) => prisma.card.count({ where: { deckId: d.id } })));\n// after\nconst counts = await prisma.card.groupBy({ by: [\'deckId\'], where: { deckId: { in: decks.map((d) => d.id) } }, _count: true });\n```\nIn SQL: one `WHERE deck_id = ANY($1) GROUP BY deck_id` instead of one query per id; for writes, `createMany` or one `INSERT ... VALUES (...), (...) ON CONFLICT (...) DO UPDATE`; with Prisma reads, `include`/`select` the relation on the parent query.',
      falsePositiveGuard: 'Batches are not reported: a Prisma `where` with an `in` filter, createMany/updateMany/deleteMany, SQL with `= ANY(...)`, `IN ($1, ...)` or `unnest(...)`, and raw statements whose text it cannot read. Loops over a literal list of at most 10 items (directly, through a `const`, or `Object.keys/values/entries` of a const object) are skipped, as are `while`/`do` loops and `for` loops not bounded by a collection\'s `.length` (retry loops, cursor pagination that fetches a page per iteration). `Promise.all` over `findUnique` calls is skipped: Prisma batches findUnique calls made in the same tick into one query. Object storage (S3) calls are not counted. Per-item writes in a loop that also enqueues, publishes or calls an external service per item (marking each dispatched event) are not reported: they record per-item work. Test, seed and script files, and data migrations (code under a `migrations/` folder), are skipped.',
      references: ['https://www.prisma.io/docs/orm/prisma-client/queries/query-optimization-performance#solving-the-n1-problem', 'https://www.prisma.io/docs/orm/prisma-client/queries/query-optimization-performance#solving-n1-in-graphql-with-findunique-and-prisma-clients-dataloader', 'https://www.prisma.io/docs/orm/prisma-client/queries/crud#create-multiple-records', 'https://node-postgres.com/features/queries'],
    },
  },
  check({ facts, code }, ctx) {
    if (!code) return;
    const a = access(facts, code);
    for (const f of facts.values()) {
      // a data migration runs once, at deploy or by hand: a query per row costs it minutes once, no request waits on it
      if (isNonProductionFile(f.file) || DATA_MIGRATION.test(f.file)) continue;
      // one finding per loop: every per-item query its body makes
      const loops = new Map<string, { call: CallFact; concurrent: boolean; loop?: LoopInfo; hits: { call: CallFact; ops: { file: string; call: CallFact; m: DbMeaning; inTx: boolean }[] }[] }>();
      // loops whose body also does per-item work elsewhere (enqueue, HTTP, publish)
      const sideEffects = new Set<string>();
      for (const call of f.calls) {
        if (!call.inLoop && !call.inPromiseAllMap) continue;
        const concurrent = call.inPromiseAllMap;
        const loop = call.loop;
        if (!concurrent && (!loop || loop.kind === 'while' || (loop.kind === 'for' && !loop.over))) continue;
        if (loop?.over && constantSmallCollection(a, f.file, call.fn, loop.over)) continue;
        const direct = a.db(f.file, call);
        let ops: { file: string; call: CallFact; m: DbMeaning; inTx: boolean }[];
        if (direct) ops = isPerItem(a, { file: f.file, call, m: direct }) ? [{ file: f.file, call, m: direct, inTx: call.inTransaction }] : [];
        else {
          const t = code.callee(f.file, call);
          ops = t ? a.dbOps(t.file, t.fn.id).filter((o: DbOp) => isPerItem(a, o)).map((o) => ({ ...o, inTx: o.inTx || call.inTransaction })) : [];
        }
        const key = `${call.fn}:${loop?.line ?? call.line}`;
        if (externalEffect(code, f.file, call)) sideEffects.add(key);
        if (!ops.length) continue;
        // Prisma's dataloader merges findUnique calls issued in the same tick
        if (concurrent && ops.every((r) => r.m.kind === 'read' && r.m.prisma && /^findUnique/.test(r.m.prisma.method))) continue;
        const entry = loops.get(key) ?? { call, concurrent, loop, hits: [] };
        entry.hits.push({ call, ops });
        loops.set(key, entry);
      }
      for (const [key, { call, concurrent, loop, hits }] of loops) {
        const ops = hits.flatMap((h) => h.ops);
        // per-item status writes that record per-item external work (mark each event sent) are not a batchable N+1
        if (sideEffects.has(key) && ops.every((o) => o.m.kind === 'write')) continue;
        const owner = call.fn === '<module>' ? undefined : a.namedOwner(f.file, call.fn);
        const label = owner ? functionLabel(owner) : f.file;
        const eps = call.fn === '<module>' ? [] : a.entrypoints(f.file, call.fn);
        const over = describe(loop?.over);
        const db = ops[0].m.name;
        const models = [...new Set(ops.map((r) => (r.m.prisma ? modelLabel(a, r.m.prisma.model) : db)))].slice(0, 3).join(', ');
        const writes = ops.some((o) => o.m.kind === 'write');
        const inTx = ops.some((o) => o.inTx);
        const where = eps.length ? ` Runs for ${routesPhrase(eps)}.` : '';
        const tx = inTx ? ' Inside the transaction, that keeps the transaction — its connection and row locks — open for all of them, towards its timeout.' : '';
        const endLine = Math.max(...hits.map((h) => h.call.endLine));
        const locations: Location[] = [{ file: f.file, line: loop?.line ?? call.line, endLine }];
        for (const h of hits.slice(0, 3)) {
          if (h.call.line !== locations[0].line) locations.push({ file: f.file, line: h.call.line });
          for (const r of h.ops.slice(0, 2)) if (r.file !== f.file || r.call.line !== h.call.line) locations.push({ file: r.file, line: r.call.line });
        }
        const prismaOp = ops.find((r) => r.m.prisma);
        const verb = writes ? 'writes' : 'queries';
        ctx.report({
          element: code.componentOf(f.file),
          title: `${label} ${verb} ${models} once per item of ${over}${concurrent ? ' (Promise.all)' : ''}`,
          locations,
          impact: concurrent
            ? `Promise.all starts one ${db} query per element of ${over} at once: a long list takes every connection in the pool and queues the rest, so one request can stall every route that shares the pool.${tx}${where}`
            : `One ${db} round trip per element of ${over}, in series: latency grows with the list, and the request holds a pooled connection for all of it.${tx}${where}`,
          recommendation: writes
            ? prismaOp
              ? `Write the batch in one statement: prisma.${prismaOp.m.prisma!.model}.createMany({ data, skipDuplicates: true }) for inserts, or one INSERT ... VALUES (...), (...) ON CONFLICT (...) DO UPDATE through $executeRaw for upserts; and cap the batch size the endpoint accepts.`
              : 'Write the batch in one statement: INSERT ... SELECT * FROM unnest($1::text[], $2::int[]) ON CONFLICT (...) DO UPDATE, or a multi-row VALUES list; and cap the batch size.'
            : prismaOp
              ? `Load the whole set in one query — prisma.${prismaOp.m.prisma!.model}.findMany({ where: { <key>: { in: ids } } }) (or groupBy for counts) — and match in memory, or include the relation in the parent query.`
              : 'Replace the per-item query with one set query: WHERE <key> = ANY($1) (GROUP BY for aggregates), then match the rows in memory.',
          fingerprintKey: `${label} ${over} ${[...new Set(hits.map((h) => h.call.callee.join('.')))].join(',')} ${concurrent ? 'all' : 'loop'}`,
        });
      }
    }
  },
};
export default rule;
