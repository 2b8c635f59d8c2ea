import type { CallFact, Val } from '../../extract/facts.js';
import type { Rule } from '../types.js';
import { functionLabel, isNonProductionFile, routesPhrase } from '../util.js';
import { access, modelLabel, objOf, pinsValue, sqlTextOf, uniqueCovered, whereFields, type Access } from './_data-access.js';

/** The options object of a Prisma findMany, following a local holding it; undefined = no argument, null = not analysable. */
function findManyArgs(a: Access, file: string, call: CallFact): { obj: Record<string, Val>; spread?: boolean } | undefined | null {
  let v: Val | undefined = call.args[0];
  if (v === undefined) return undefined;
  for (let i = 0; i < 3 && v && typeof v === 'object' && 'ref' in v && !v.ref.includes('.'); i++) {
    const name: string = v.ref;
    v = call.fn === '<module>' ? undefined : a.scopeChain(file, call.fn).find((s) => name in s.locals)?.locals[name];
  }
  return objOf(v) ?? null;
}

/** A SELECT that returns an unbounded number of rows. */
export function unboundedSelect(text: string): boolean {
  const t = text.replace(/--.*$/gm, ' ');
  if (!/^\s*(SELECT\b|WITH\b)/i.test(t)) return false;
  if (/^\s*WITH\b/i.test(t) && /\b(INSERT|UPDATE|DELETE)\b/i.test(t)) return false;
  if (!/\bFROM\b/i.test(t)) return false;
  if (/\b(LIMIT|FETCH\s+(FIRST|NEXT)|TOP\s*\(?\s*(\d|\$)|OFFSET)\b/i.test(t)) return false;
  if (/^\s*SELECT\s+(DISTINCT\s+)?(count|sum|avg|min|max|exists|bool_and|bool_or|every|array_agg|json_agg|jsonb_agg|string_agg|json_build_object|coalesce\s*\(\s*(count|sum|max|min))\s*\(/i.test(t) && !/\bGROUP\s+BY\b/i.test(t)) return false;
  if (/^\s*SELECT\s+(1|true|now\s*\(|current_\w+|exists\b)/i.test(t)) return false;
  if (/\bWHERE\b[\s\S]*?(^|[\s(.,"])"?id"?\s*=\s*(\$\d+|\?|\$\{\}|:\w+)/i.test(t)) return false;
  return true;
}

const rule: Rule = {
  meta: {
    id: 'db/unbounded-query',
    title: 'A list query without a limit on an entrypoint path',
    category: 'scalability',
    polarity: 'observation',
    defaultSeverity: 'medium',
    effort: 'S',
    priority: 'P2',
    docs: {
      what: 'A query that returns a list with no bound on its size, reached from an entrypoint (route, worker, job): a Prisma `findMany` with no `take` (nor `cursor`/`skip` pagination), or a raw `SELECT ... FROM` with no `LIMIT`/`FETCH FIRST`.',
      why: 'The result grows with the table, not with the request: as a tenant accumulates rows, the response, the runtime\'s memory and the database I/O grow with it, until one request for a large account is a multi-second query that holds a pooled connection (seed 001: the /past-tests endpoint returned a 4M-row product with no LIMIT and took 27.8 s).',
      fix: 'Page it, with a server-side cap:\n\n```ts\nconst take = Math.min(query.limit ?? 50, 100);\nconst rows = await prisma.member.findMany({\n  where: { organisationId },\n  orderBy: { id: \'asc\' },\n  take: take + 1,\n  ...(query.cursor ? { cursor: { id: query.cursor }, skip: 1 } : {}),\n});\n```\nIn SQL, `ORDER BY ... LIMIT $n` with keyset pagination (`WHERE (created_at, id) < ($1, $2)`), and page before aggregating.',
      falsePositiveGuard: 'Only on entrypoint paths (a function no route, worker or job reaches is not reported). Not for `findMany` whose `where` pins an id or a unique field of the schema (a scalar, `equals` or an `in` list), nor when the options come from a spread or a variable it cannot read (they may hold `take`). Not for `count`/`aggregate`/`groupBy`, nor for SQL that aggregates without GROUP BY, selects a constant (`SELECT 1`), or filters on `id = $1`. Mongoose, knex and TypeORM list calls are not recognised yet (no pack classifies them). Test, seed and script files are skipped.',
      references: ['https://www.prisma.io/docs/orm/prisma-client/queries/pagination', 'https://use-the-index-luke.com/no-offset'],
    },
  },
  check({ facts, code }, ctx) {
    if (!code) return;
    const a = access(facts, code);
    for (const f of facts.values()) {
      if (isNonProductionFile(f.file)) continue;
      for (const call of f.calls) {
        if (call.fn === '<module>') continue;
        const m = a.db(f.file, call);
        if (!m || m.kind !== 'read') continue;
        let what: string;
        let rec: string;
        if (m.prisma) {
          if (m.prisma.method !== 'findMany') continue;
          const o = findManyArgs(a, f.file, call);
          if (o === null) continue;
          if (o) {
            if (o.spread || 'take' in o.obj || 'cursor' in o.obj || 'skip' in o.obj) continue;
            if ('where' in o.obj) {
              const w = whereFields(o.obj.where);
              if (!w || w.spread) continue;
              const pinned = w.keys.filter((k) => k in w.values ? pinsValue(w.values[k]) : true);
              if (pinned.includes('id') || uniqueCovered(a.schema?.models.get(m.prisma.model), pinned)) continue;
            }
          }
          what = `${modelLabel(a, m.prisma.model)} (${m.prisma.model}.findMany without take)`;
          rec = `Page it with a server-side cap: ${m.prisma.model}.findMany({ where, orderBy: { id: 'asc' }, take: Math.min(limit, 100), ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}) }) and return the next cursor.`;
        } else {
          const text = sqlTextOf(a, f.file, call);
          if (!text || !unboundedSelect(text)) continue;
          const table = /\bFROM\s+((?:"?\w+"?\.)?"?\w+"?)/i.exec(text)?.[1] ?? 'the table';
          what = `${table.replace(/"/g, '')} (SELECT without LIMIT)`;
          rec = `Add ORDER BY ... LIMIT $n with keyset pagination (WHERE (created_at, id) < ($1, $2)), and page before aggregating or joining one-to-many children.`;
        }
        const eps = a.entrypoints(f.file, call.fn);
        if (!eps.length) continue;
        const owner = a.namedOwner(f.file, call.fn);
        const label = owner ? functionLabel(owner) : f.file;
        ctx.report({
          element: code.componentOf(f.file),
          title: `${label} reads every matching row of ${what}`,
          locations: [{ file: f.file, line: call.line, endLine: call.endLine }],
          impact: `The result grows with the table, not the request: as ${what.split(' (')[0]} grows, the response, the process's memory and the ${m.name} I/O grow with it, and a large account turns the query into a slow one that holds a pooled connection. Runs for ${routesPhrase(eps)}.`,
          recommendation: rec,
          fingerprintKey: `${label} ${what}`,
        });
      }
    }
  },
};
export default rule;
