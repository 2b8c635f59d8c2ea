import { exclusiveBranches, type CallFact, type Val } from '../../extract/facts.js';
import type { Rule } from '../types.js';
import { functionLabel, isNonProductionFile, namedFunctions, routesPhrase } from '../util.js';
import { access, before, firstHop, modelLabel, objOf, sqlTextOf, uniqueCovered, whereFields, type Access, type DbOp } from './_data-access.js';

const CHECKS = new Set(['findFirst', 'findUnique', 'count']);
const FILTER_OPS = new Set(['equals', 'in', 'notIn', 'lt', 'lte', 'gt', 'gte', 'not', 'contains', 'startsWith', 'endsWith', 'mode']);

function argObj(a: Access, file: string, call: CallFact): { obj: Record<string, Val>; spread?: boolean } | undefined {
  let v: Val | undefined = call.args[0];
  for (let i = 0; i < 3 && v && typeof v === 'object' && 'ref' in v && !v.ref.includes('.'); i++) {
    const name: string = v.ref;
    v = call.fn === '<module>' ? undefined : a.scopeChain(file, call.fn).find((s) => name in s.locals)?.locals[name];
  }
  return objOf(v);
}

/** Columns a raw SELECT filters on, and the table. */
function rawCheck(text: string): { table: string; cols: string[] } | undefined {
  const m = /^\s*SELECT\b[\s\S]*?\bFROM\s+(?:"?\w+"?\.)?"?(\w+)"?[\s\S]*?\bWHERE\b([\s\S]*)$/i.exec(text);
  if (!m) return undefined;
  const cols = [...m[2].matchAll(/(?:^|[\s(.])"?(\w+)"?\s*=\s*(?:\$\d+|\?|\$\{\}|:\w+)/g)].map((x) => x[1].toLowerCase());
  return cols.length ? { table: m[1].toLowerCase(), cols } : undefined;
}

function rawInsert(text: string): { table: string; cols: string[]; guarded: boolean } | undefined {
  const m = /^\s*INSERT\s+INTO\s+(?:"?\w+"?\.)?"?(\w+)"?\s*\(([^)]*)\)/i.exec(text);
  if (!m) return undefined;
  return { table: m[1].toLowerCase(), cols: m[2].split(',').map((c) => c.trim().replace(/"/g, '').toLowerCase()), guarded: /\bON\s+CONFLICT\b|\bON\s+DUPLICATE\s+KEY\b|^\s*INSERT\s+IGNORE\b|\bWHERE\s+NOT\s+EXISTS\b/i.test(text) };
}

interface Race {
  read: DbOp;
  create: DbOp;
  model: string;
  fields: string[];
  backed: boolean;
  /** The write sets the checked value on an existing row (update) instead of inserting one. */
  update?: boolean;
}

const rule: Rule = {
  meta: {
    id: 'db/insert-race',
    title: 'Check-then-insert that concurrent requests can race',
    category: 'data-integrity',
    polarity: 'risk',
    defaultSeverity: 'medium',
    effort: 'S',
    priority: 'P1',
    docs: {
      what: 'A function looks a row up (Prisma `findFirst`/`findUnique`/`count`, or a raw `SELECT ... WHERE col = $1`) and then inserts one into the same model/table with the same key fields (`create`, or a raw `INSERT` without `ON CONFLICT`) — or, after an availability check, sets the checked value on another row (`update` of a handle/e-mail) — outside a transaction and without an upsert, directly or through the functions it calls.',
      why: 'Two requests that arrive together (a double-click, a mobile retry, two tabs, a SPA firing several calls on first login) both see "no row" and both insert. Without a unique constraint on the field, the table now holds duplicates that later code assumes cannot exist; with one, the request that loses the race fails with a unique-violation error (Prisma P2002, Postgres 23505) and the user gets a 500 instead of the existing row (seed 001: a bare INSERT with no ON CONFLICT behind the daily plan; "zero 23505/500 races" was a goal of the fix).',
      fix: 'Let the database decide in one statement:\n\n```ts\n// Prisma: needs @unique / @@unique on the key\nconst user = await prisma.user.upsert({\n  where: { externalId: claims.sub },\n  create: { externalId: claims.sub, email },\n  update: {},\n});\n// SQL\nINSERT INTO daily_plan (user_id, plan_date, ...) VALUES ($1, $2, ...)\nON CONFLICT (user_id, plan_date) DO NOTHING RETURNING *;\n```\nOr keep the create but catch the unique violation (P2002) and re-read the row that won.',
      falsePositiveGuard: 'Conservative: the read and the create must target the same Prisma model (or SQL table) and the created data must include every field the read pins (a lookup by id, or by id and owner, followed by a create with a fresh id is not a race); data built from a spread it cannot read does not count. Not reported when both run inside one transaction callback, when they sit in different arms of one if/else, when the create is an upsert or `INSERT ... ON CONFLICT / ON DUPLICATE KEY / WHERE NOT EXISTS`, or when a unique constraint covers the field (a `findUnique`, or @id/@unique/@@unique in schema.prisma) and the create runs in a try/catch that handles the violation (tests P2002/23505/isUniqueViolation, or contains the error). With a unique constraint and no handler the finding is downgraded to low: no duplicate row, but the losing request fails. Reported once, at the function that makes both calls (not again at its callers). Test, seed and script files are skipped.',
      references: ['https://www.prisma.io/docs/orm/reference/prisma-client-reference#upsert', 'https://www.prisma.io/docs/orm/reference/error-reference#p2002', 'https://www.postgresql.org/docs/current/sql-insert.html#SQL-ON-CONFLICT'],
    },
  },
  check({ facts, code }, ctx) {
    if (!code) return;
    const a = access(facts, code);
    for (const f of facts.values()) {
      if (isNonProductionFile(f.file)) continue;
      for (const fn of namedFunctions(f)) {
        const ops = a.dbOps(f.file, fn.id);
        if (ops.length < 2) continue;
        const races: Race[] = [];
        for (const read of ops) {
          if (read.m.kind !== 'read') continue;
          for (const create of ops) {
            if (create.m.kind !== 'write' || create.m.target !== read.m.target) continue;
            if (create.site === read.site || !before(read.site, create.site)) continue;
            if (firstHop(read) === firstHop(create) && firstHop(read) !== 'self') continue; // reported at the callee
            if (read.inTx && create.inTx) continue;
            if (exclusiveBranches(read.site.branch, create.site.branch)) continue;
            const race = read.m.prisma && create.m.prisma ? prismaRace(a, read, create) : rawRace(a, read, create);
            if (race) races.push(race);
          }
        }
        const seen = new Set<string>();
        for (const r of races) {
          if (seen.has(r.model)) continue;
          seen.add(r.model);
          const handled = r.create.uniqueCaught || !!r.create.call.tryCatch || !!r.create.site.tryCatch;
          if (r.backed && handled) continue;
          const eps = a.entrypoints(f.file, fn.id);
          const label = functionLabel(fn);
          const fields = r.fields.map((x) => `\`${x}\``).join(', ');
          const where = eps.length ? ` Runs for ${routesPhrase(eps)}.` : '';
          ctx.report({
            element: code.componentOf(f.file),
            severity: r.backed ? 'low' : undefined,
            title: r.update
              ? `${label} checks that ${r.model} ${fields} is free and then sets it: concurrent requests race`
              : `${label} checks ${r.model} by ${fields} and then inserts it: concurrent requests race`,
            locations: [{ file: f.file, line: fn.line, endLine: fn.endLine }, { file: r.read.file, line: r.read.call.line }, { file: r.create.file, line: r.create.call.line }],
            impact: r.update
              ? r.backed
                ? `Two concurrent calls can both see ${fields} as free and both write it; the unique constraint rejects the second, which fails with a unique-violation error (a 500) instead of a clear "already taken".${where}`
                : `Two concurrent calls can both see ${fields} as free and both write it: nothing in the schema stops two ${r.model} rows from holding the same value.${where}`
              : r.backed
                ? `Two concurrent calls can both find no ${r.model} and both insert; the unique constraint on ${fields} rejects the second, which fails with a unique-violation error (a 500) instead of returning the row that won.${where}`
                : `Two concurrent calls can both find no ${r.model} with the same ${fields} and both insert it: nothing in the schema stops the duplicate, and code that expects one row per ${fields} then reads an arbitrary one.${where}`,
            recommendation: r.update
              ? `${r.backed ? '' : `Add @unique on ${r.fields.join(', ')} in the schema, then `}let the constraint decide: run the update and map a unique violation (P2002) to 409 Conflict ("already taken"); keep the availability check only as a hint for the form.`
              : r.create.m.prisma
              ? `${r.backed ? 'Replace' : `Add ${r.fields.length > 1 ? `@@unique([${r.fields.join(', ')}])` : `@unique on ${r.fields[0]}`} in the schema, then replace`} the check-then-create with prisma.${r.create.m.prisma.model}.upsert({ where: { ${r.fields.length > 1 ? `${r.fields.join('_')}: { ${r.fields.join(', ')} }` : r.fields[0]} }, create: { ... }, update: {} })${r.backed ? ', or catch P2002 around the create and re-read the row that won' : ''}.`
              : `Make the insert decide: INSERT ... ON CONFLICT (${r.fields.join(', ')}) DO NOTHING RETURNING * (with a unique index on those columns), and read the row when nothing was returned.`,
            fingerprintKey: `${label} ${r.model} ${r.fields.join(',')}`,
          });
        }
      }
    }
  },
};

function prismaRace(a: Access, read: DbOp, create: DbOp): Race | undefined {
  const rp = read.m.prisma!;
  const cp = create.m.prisma!;
  if (!CHECKS.has(rp.method) || (cp.method !== 'create' && cp.method !== 'update') || rp.model !== cp.model) return undefined;
  const w = whereFields(argObj(a, read.file, read.call)?.obj.where);
  const writeArgs = argObj(a, create.file, create.call);
  const data = objOf(writeArgs?.obj.data);
  if (!w || !data) return undefined;
  const dataKeys = new Set(Object.keys(data.obj));
  // every field the lookup pins must be written by the create: a lookup by id (or by id and
  // owner) followed by a create with a fresh id is not a check-then-insert on one key
  const checked = w.keys.filter((k) => !FILTER_OPS.has(k) && !(k.includes('_') && objOf(w.values[k])));
  if (!checked.length || w.spread || !checked.every((k) => dataKeys.has(k))) return undefined;
  const fields = checked;
  if (cp.method === 'update') {
    // an availability check, then setting that value on another row (`where` is not the checked key)
    const uw = whereFields(writeArgs?.obj.where);
    if (!uw || uw.spread || fields.some((k) => uw.keys.includes(k))) return undefined;
  }
  const model = a.schema?.models.get(rp.model);
  const backed = rp.method === 'findUnique' || !!uniqueCovered(model, fields);
  return { read, create, model: modelLabel(a, rp.model), fields, backed, update: cp.method === 'update' };
}

function rawRace(a: Access, read: DbOp, create: DbOp): Race | undefined {
  if (read.m.prisma || create.m.prisma) return undefined;
  const rt = sqlTextOf(a, read.file, read.call);
  const ct = sqlTextOf(a, create.file, create.call);
  if (!rt || !ct) return undefined;
  const check = rawCheck(rt);
  const ins = rawInsert(ct);
  if (!check || !ins || ins.guarded || check.table !== ins.table) return undefined;
  if (!check.cols.every((c) => ins.cols.includes(c))) return undefined;
  const fields = check.cols;
  const model = [...(a.schema?.models.values() ?? [])].find((m) => m.name.toLowerCase() === check.table);
  return { read, create, model: check.table, fields, backed: !!uniqueCovered(model, fields) };
}

export default rule;
