import type { Val } from '../../extract/facts.js';
import { loadSchema, type SchemaTable } from '../../schema/index.js';
import type { Rule } from '../types.js';
import { functionLabel, isNonProductionFile, routesPhrase } from '../util.js';
import { access, objOf } from './_data-access.js';

const METHODS = new Set(['findMany', 'findFirst', 'findFirstOrThrow', 'count']);
const LOGICAL = new Set(['AND', 'OR', 'NOT']);

/** Scalar keys a `where` filters on: its own keys and those of `AND` members (OR/NOT are not required filters). */
function whereKeys(where: Val | undefined): string[] | undefined {
  const o = objOf(where);
  if (!o || o.spread) return undefined;
  const out: string[] = [];
  for (const [k, v] of Object.entries(o.obj)) {
    if (k === 'AND') {
      const items = v && typeof v === 'object' && 'arr' in v ? v.arr : [v];
      for (const it of items) out.push(...(whereKeys(it) ?? []));
    } else if (!LOGICAL.has(k)) out.push(k);
  }
  return out;
}

function orderKeys(order: Val | undefined): string[] {
  if (!order || typeof order !== 'object') return [];
  if ('arr' in order) return order.arr.flatMap((x) => orderKeys(x)).slice(0, 1);
  const o = objOf(order);
  return o ? Object.keys(o.obj).slice(0, 1) : [];
}

function describeKey(t: SchemaTable): string {
  const pk = t.indexes.find((i) => i.kind === 'primary');
  return pk ? `its primary key (${pk.columns.join(', ')}) leads with ${pk.columns[0]}` : 'it has no index on that column';
}

const rule: Rule = {
  meta: {
    id: 'db/missing-index',
    title: 'A filtered or sorted column with no index that leads with it',
    category: 'performance',
    polarity: 'risk',
    defaultSeverity: 'medium',
    effort: 'S',
    priority: 'P1',
    docs: {
      what: 'A Prisma query on an entrypoint path (findMany, findFirst, findFirstOrThrow, count) filters a model by columns none of which is the leading column of an index, a unique constraint or the primary key in the schema (schema.prisma, or the SQL migrations read with the PostgreSQL parser); or, with no filter, sorts by a column no index leads with. A composite key does not help a filter on its second column: question_tags(question_id, tag_id) cannot serve WHERE tag_id = …',
      why: 'Without a usable index PostgreSQL reads the whole table for every call. It is fast on a small development database and linear in table size in production: seed 001\'s tag filter seq-scanned 119k rows for 12 s, holding a pooled connection the whole time, which is how a missing index turns into pool exhaustion for unrelated routes.',
      fix: 'Add an index that leads with the filtered column, with the sort column after it: `@@index([tagId, assignedAt])` on the model (then `prisma migrate dev`), or `CREATE INDEX CONCURRENTLY question_tags_tag_id_idx ON question_tags (tag_id, question_id);` in a migration.',
      falsePositiveGuard: 'A query is flagged only when none of its filtered columns leads an index (the planner can use any one of them); queries filtering only by relations, or by a relation whose foreign key on the model leads an index (`where: { envelope: { … }, inserted: true }` with `@@index([envelopeId])`), OR/NOT branches, spread or computed `where` objects and unknown models are skipped; partial indexes are not counted as covering, since their predicate may not hold. Only queries reached from an entrypoint, outside test/seed/script files, and only when the schema defines the model.',
      references: ['https://www.prisma.io/docs/orm/prisma-schema/data-model/indexes', 'https://www.postgresql.org/docs/current/indexes-multicolumn.html', 'https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY'],
    },
  },
  check({ facts, code }, ctx) {
    if (!code) return;
    const schema = loadSchema(code.configs, facts);
    if (!schema.tables.length) return;
    const a = access(facts, code);
    for (const f of facts.values()) {
      if (isNonProductionFile(f.file)) continue;
      for (const c of f.calls) {
        const method = c.callee[c.callee.length - 1];
        if (!METHODS.has(method)) continue;
        const m = a.db(f.file, c);
        if (!m?.prisma || m.kind !== 'read') continue;
        const t = schema.table(m.prisma.model);
        if (!t?.model) continue;
        const fnId = c.fn === '<module>' ? undefined : c.fn;
        if (!fnId) continue;
        const eps = a.entrypoints(f.file, fnId);
        if (!eps.length) continue;
        const arg = objOf(c.args[0]);
        if (c.args[0] !== undefined && !arg) continue;
        const where = arg?.obj.where;
        const keys = where === undefined ? [] : whereKeys(where);
        if (keys === undefined) continue;
        const columns = keys.filter((k) => schema.column(t.model!, k));
        if (keys.length && !columns.length) continue; // relation filters only
        // `where: { envelope: { ... }, inserted: true }`: a relation whose key on this model leads an index narrows the rows by that index
        if (keys.some((k) => t.relationKeys?.[k]?.[0] !== undefined && schema.indexLeadingWith(t.model!, t.relationKeys[k][0]))) continue;
        let flagged: string[] = [];
        let kind: 'filter' | 'sort' = 'filter';
        if (columns.length) {
          if (columns.some((k) => schema.indexLeadingWith(t.model!, k))) continue;
          flagged = columns;
        } else {
          const order = orderKeys(arg?.obj.orderBy).filter((k) => schema.column(t.model!, k));
          if (!order.length || schema.indexLeadingWith(t.model!, order[0])) continue;
          flagged = order;
          kind = 'sort';
        }
        const owner = a.namedOwner(f.file, fnId);
        const order = orderKeys(arg?.obj.orderBy).filter((k) => schema.column(t.model!, k) && !flagged.includes(k));
        const suggested = [...flagged.slice(0, 1), ...order].map((k) => schema.column(t.model!, k)?.field ?? k);
        const colNames = flagged.map((k) => schema.column(t.model!, k)?.name ?? k);
        const tableEv = t.indexes.find((i) => i.kind === 'primary')?.evidence ?? t.evidence[0];
        ctx.report({
          element: code.componentOf(f.file),
          locations: [{ file: f.file, line: c.line, endLine: c.endLine }, ...(tableEv ? [{ file: tableEv.file, line: tableEv.line }] : [])],
          title: `${m.prisma.model}.${method} ${kind === 'filter' ? 'filters' : 'sorts'} ${t.model} by ${colNames.join(', ')} with no index that leads with ${colNames.length === 1 ? 'it' : 'any of them'}`,
          impact: `${owner ? functionLabel(owner) : 'This query'} ${kind === 'filter' ? `filters on ${colNames.join(', ')}, but ${describeKey(t)}` : `sorts the whole of ${t.name} by ${colNames[0]}`}; every call reads the table${t.name !== t.model ? ` (${t.name})` : ''} end to end, and gets slower as it grows while holding a pooled connection. Runs for ${routesPhrase(eps)}.`,
          recommendation: `Add an index that leads with ${colNames[0]}: @@index([${suggested.join(', ')}]) on model ${t.model} (or CREATE INDEX CONCURRENTLY ON "${t.name}" (${[...colNames.slice(0, 1), ...order.map((k) => schema.column(t.model!, k)?.name ?? k)].map((x) => `"${x}"`).join(', ')}) in a migration).`,
          fingerprintKey: `${owner ? functionLabel(owner) : ''} ${t.model} ${kind} ${colNames.join(',')}`,
        });
      }
    }
  },
};
export default rule;
