// Shared by the data-access rules (sql/*, db/insert-race, db/n-plus-one, db/unbounded-query,
// strength/transaction, strength/idempotency-key, strength/outbox): what a call does to a
// database (with a fallback for Prisma transaction clients passed as parameters), the
// database operations a function performs through the functions it calls, the Prisma
// schema's unique constraints, and small value helpers. Pure; cached per scan.
import type { CallFact, FactIndex, FileFacts, FunctionFact, Val } from '../../extract/facts.js';
import { isObj } from '../../extract/facts.js';
import { posix } from 'node:path';
import { prismaDatastore } from '../../packs/prisma/index.js';
import type { CodeIndex } from '../types.js';

export const PRISMA_READS = new Set(['findMany', 'findFirst', 'findUnique', 'findFirstOrThrow', 'findUniqueOrThrow', 'count', 'aggregate', 'groupBy']);
export const PRISMA_WRITES = new Set(['create', 'createMany', 'createManyAndReturn', 'update', 'updateMany', 'upsert', 'delete', 'deleteMany']);
const PRISMA_RAW_READS = new Set(['$queryRaw', '$queryRawUnsafe']);
const PRISMA_RAW_WRITES = new Set(['$executeRaw', '$executeRawUnsafe']);
/** Parameter types that stand for a Prisma client inside a transaction or a repository. */
const PRISMA_CLIENT_TYPE = /(^|\.)(TransactionClient|PrismaClient|PrismaService|PrismaTx|PrismaTransaction|TxClient|Tx)$/;
export const TX_CALLEES = new Set(['$transaction', 'transaction', 'withTransaction', 'runInTransaction']);

// ---------------------------------------------------------------- Prisma schema

export interface PrismaModel {
  name: string;
  fields: Set<string>;
  /** Each unique constraint (@id, @unique, @@id, @@unique) as its list of fields. */
  uniques: string[][];
  file: string;
  line: number;
}

export interface PrismaSchema {
  provider?: string;
  /** By client accessor name: model OrganisationUser → organisationUser. */
  models: Map<string, PrismaModel>;
}

export function clientName(model: string): string {
  return model.charAt(0).toLowerCase() + model.slice(1);
}

export function parsePrismaSchema(files: { rel: string; text: string }[]): PrismaSchema | undefined {
  const schemaFiles = files.filter((f) => f.rel.endsWith('.prisma'));
  if (!schemaFiles.length) return undefined;
  const out: PrismaSchema = { models: new Map() };
  for (const f of schemaFiles) {
    const text = f.text.replace(/\/\/.*$/gm, '');
    const ds = /datasource\s+\w+\s*\{([^}]*)\}/.exec(text);
    const provider = ds ? /provider\s*=\s*"([a-z]+)"/.exec(ds[1])?.[1] : undefined;
    if (provider && !out.provider) out.provider = provider;
    const re = /^\s*model\s+(\w+)\s*\{([^}]*)\}/gm;
    let m: RegExpExecArray | null;
    // line numbers counted on from the previous model (slicing from the start each time is quadratic)
    let counted = 0;
    let line = 1;
    while ((m = re.exec(text))) {
      const name = m[1];
      const at = m.index + m[0].indexOf('model');
      for (let i = text.indexOf('\n', counted); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) line++;
      counted = at;
      const model: PrismaModel = { name, fields: new Set(), uniques: [], file: f.rel, line };
      for (const raw of m[2].split('\n')) {
        const l = raw.trim();
        if (!l) continue;
        const block = /^@@(unique|id)\s*\(\s*(?:fields\s*:\s*)?\[([^\]]*)\]/.exec(l);
        if (block) {
          model.uniques.push(block[2].split(',').map((s) => s.trim().replace(/\(.*$/, '')).filter(Boolean));
          continue;
        }
        const field = /^(\w+)\s+\w+/.exec(l);
        if (!field || l.startsWith('@@')) continue;
        model.fields.add(field[1]);
        if (/@(id|unique)\b/.test(l)) model.uniques.push([field[1]]);
      }
      out.models.set(clientName(name), model);
    }
  }
  return out;
}

/** Some unique constraint of the model is fully pinned by these fields. */
export function uniqueCovered(model: PrismaModel | undefined, fields: Iterable<string>): string[] | undefined {
  if (!model) return undefined;
  const set = new Set([...fields].map((f) => f.toLowerCase()));
  return model.uniques.find((u) => u.length > 0 && u.every((f) => set.has(f.toLowerCase())));
}

// ---------------------------------------------------------------- values

export function objOf(v: Val | undefined): { obj: Record<string, Val>; spread?: boolean } | undefined {
  return isObj(v) ? (v as { obj: Record<string, Val>; spread?: boolean }) : undefined;
}

/** Keys of a `where`: compound unique keys (`userId_requestId: { userId, requestId }`) contribute their inner fields too. */
export function whereFields(where: Val | undefined): { keys: string[]; spread: boolean; values: Record<string, Val> } | undefined {
  const o = objOf(where);
  if (!o) return undefined;
  const keys: string[] = [];
  for (const [k, v] of Object.entries(o.obj)) {
    if (k === 'AND' || k === 'OR' || k === 'NOT') continue;
    keys.push(k);
    const inner = objOf(v);
    if (k.includes('_') && inner && !Object.keys(inner.obj).some((ik) => PRISMA_FILTER_OPS.has(ik))) keys.push(...Object.keys(inner.obj));
  }
  return { keys, spread: !!o.spread, values: o.obj };
}

const PRISMA_FILTER_OPS = new Set(['equals', 'in', 'notIn', 'lt', 'lte', 'gt', 'gte', 'not', 'contains', 'startsWith', 'endsWith', 'mode', 'has', 'hasSome', 'hasEvery', 'some', 'every', 'none', 'is', 'isNot', 'search']);

/** `{ in: [...] }` or `{ equals: x }` or a scalar: a filter that pins the field to given values. */
export function pinsValue(v: Val | undefined): boolean {
  const o = objOf(v);
  if (!o) return true;
  const keys = Object.keys(o.obj);
  return keys.length > 0 && keys.every((k) => k === 'in' || k === 'equals');
}

// ---------------------------------------------------------------- the access object (cached per scan)

export interface DbMeaning {
  kind: 'read' | 'write';
  /** Datastore node id, e.g. datastore:postgres. */
  target: string;
  name: string;
  tech: string;
  op?: string;
  readOnly: boolean;
  /** A Prisma model call: prisma.<model>.<method>. */
  prisma?: { model: string; method: string };
  /** A raw call: `$queryRaw`, `query`, `execute`... */
  raw?: string;
}

export interface DbOp {
  /** Where the database call is. */
  file: string;
  call: CallFact;
  m: DbMeaning;
  /** From the walked function down to the function making the call, outermost first. */
  frames: { file: string; fn: string }[];
  /** Some call site on the way (or the call) runs inside a transaction callback. */
  inTx: boolean;
  /** Some call site on the way sits in a try whose catch handles unique violations. */
  uniqueCaught: boolean;
  /** The outermost call site, in the walked function's body. */
  site: CallFact;
}

export interface Access {
  code: CodeIndex;
  facts: FactIndex;
  schema?: PrismaSchema;
  fn(file: string, fnId: string): FunctionFact | undefined;
  /** The calls a function's body runs: its own and those of the callbacks written inline in it. */
  bodyCalls(file: string, fnId: string): CallFact[];
  /** The function (and its enclosing ones) a call sits in, innermost first. */
  scopeChain(file: string, fnId: string): FunctionFact[];
  /** The nearest enclosing function that is not an inline callback. */
  namedOwner(file: string, fnId: string): FunctionFact | undefined;
  db(file: string, call: CallFact): DbMeaning | undefined;
  dbOps(file: string, fnId: string): DbOp[];
  /** Call sites (anywhere in the project) that run this function. */
  callersOf(file: string, fnId: string): { file: string; call: CallFact }[];
  /** Entrypoint ids that run this function, looking through enclosing functions of inline callbacks. */
  entrypoints(file: string, fnId: string): string[];
}

const cache = new WeakMap<FactIndex, Access>();

export function access(facts: FactIndex, code: CodeIndex): Access {
  const hit = cache.get(facts);
  if (hit && hit.code === code) return hit;
  const a = buildAccess(facts, code);
  cache.set(facts, a);
  return a;
}

function buildAccess(facts: FactIndex, code: CodeIndex): Access {
  const schema = parsePrismaSchema(code.configs);
  // the linker has indexed functions and the calls of their bodies already
  const fnOf = (file: string, fnId: string) => code.fn(file, fnId);
  const bodyCalls = (file: string, fnId: string): CallFact[] => code.bodyCalls(file, fnId);
  const scopeChain = (file: string, fnId: string): FunctionFact[] => {
    const out: FunctionFact[] = [];
    let cur = fnOf(file, fnId);
    while (cur && out.length < 12) {
      out.push(cur);
      cur = cur.parent ? fnOf(file, cur.parent) : undefined;
    }
    return out;
  };
  const namedOwner = (file: string, fnId: string) => {
    const chain = scopeChain(file, fnId);
    return chain.find((fn) => !fn.inlineOf && fn.name !== '<anon>') ?? chain.find((fn) => !fn.inlineOf) ?? chain[chain.length - 1];
  };

  const dbMemo = new Map<CallFact, DbMeaning | undefined>();
  const db = (file: string, call: CallFact): DbMeaning | undefined => {
    if (dbMemo.has(call)) return dbMemo.get(call);
    const r = classify(file, call);
    dbMemo.set(call, r);
    return r;
  };
  const classify = (file: string, call: CallFact): DbMeaning | undefined => {
    const m = code.meaning(file, call);
    const last = call.callee[call.callee.length - 1] ?? '';
    const prev = call.callee[call.callee.length - 2];
    if (m) {
      if (m.use !== 'dependency' || m.target.kind !== 'datastore' || (m.edge !== 'reads' && m.edge !== 'writes')) return undefined;
      const isPrismaModel = (m.op === 'query' || m.op === 'write') && (PRISMA_READS.has(last) || PRISMA_WRITES.has(last)) && prev !== undefined && !prev.startsWith('$') && call.callee.length >= 3;
      return {
        kind: m.edge === 'reads' ? 'read' : 'write', target: `datastore:${m.target.name}`, name: m.target.name, tech: m.target.tech, op: m.op, readOnly: !!m.readOnly,
        ...(isPrismaModel ? { prisma: { model: prev!, method: last } } : {}),
        ...(m.op === 'raw-query' || m.op === 'raw-write' ? { raw: last } : {}),
      };
    }
    // A Prisma client handed in as a parameter (`tx: Prisma.TransactionClient`) is not an
    // instance the linker can see; recognise `tx.<model>.<method>` and `tx.$executeRaw`.
    if (call.root || call.callee.length < 2 || call.callee.length > 3 || file.endsWith('.py')) return undefined;
    const head = call.callee[0];
    const param = call.fn === '<module>' ? undefined : scopeChain(file, call.fn).flatMap((fn) => fn.params).find((p) => p.name === head);
    if (!param) return undefined;
    const typed = !!param.type && PRISMA_CLIENT_TYPE.test(param.type);
    const ds = prismaDatastore(schema?.provider);
    const base = { target: `datastore:${ds.name}`, name: ds.name, tech: ds.tech };
    if (call.callee.length === 2) {
      if (!typed && !/^(tx|trx|prisma|db)$/.test(head)) return undefined;
      if (PRISMA_RAW_READS.has(last)) return { ...base, kind: 'read', op: 'raw-query', readOnly: true, raw: last };
      if (PRISMA_RAW_WRITES.has(last)) return { ...base, kind: 'write', op: 'raw-write', readOnly: false, raw: last };
      return undefined;
    }
    const model = call.callee[1];
    if (!typed && !(/^(tx|trx|prisma|db)$/.test(head) && schema?.models.has(model))) return undefined;
    if (PRISMA_READS.has(last)) return { ...base, kind: 'read', op: 'query', readOnly: true, prisma: { model, method: last } };
    if (PRISMA_WRITES.has(last)) return { ...base, kind: 'write', op: 'write', readOnly: false, prisma: { model, method: last } };
    return undefined;
  };

  const opsMemo = new Map<string, DbOp[]>();
  const visiting = new Set<string>();
  const dbOps = (file: string, fnId: string): DbOp[] => {
    const key = `${file}#${fnId}`;
    const hit = opsMemo.get(key);
    if (hit) return hit;
    if (visiting.has(key) || visiting.size > 40) return [];
    visiting.add(key);
    const out: DbOp[] = [];
    for (const c of bodyCalls(file, fnId)) {
      const m = db(file, c);
      if (m) {
        out.push({ file, call: c, m, frames: [{ file, fn: fnId }], inTx: c.inTransaction, uniqueCaught: !!c.uniqueCaught, site: c });
        continue;
      }
      const t = code.callee(file, c);
      if (!t) continue;
      for (const u of dbOps(t.file, t.fn.id)) {
        out.push({ ...u, frames: [{ file, fn: fnId }, ...u.frames], inTx: u.inTx || c.inTransaction, uniqueCaught: u.uniqueCaught || !!c.uniqueCaught, site: c });
      }
    }
    visiting.delete(key);
    opsMemo.set(key, out);
    return out;
  };

  let callers: Map<string, { file: string; call: CallFact }[]> | undefined;
  const callersOf = (file: string, fnId: string) => {
    if (!callers) {
      callers = new Map();
      for (const f of facts.values()) {
        for (const c of f.calls) {
          const t = code.callee(f.file, c);
          if (!t) continue;
          const k = `${t.file}#${t.fn.id}`;
          const list = callers.get(k) ?? [];
          list.push({ file: f.file, call: c });
          callers.set(k, list);
        }
      }
    }
    return callers.get(`${file}#${fnId}`) ?? [];
  };

  const entrypoints = (file: string, fnId: string): string[] => {
    for (const fn of scopeChain(file, fnId)) {
      const eps = code.entrypointsOf(file, fn.id);
      if (eps.length) return eps;
    }
    return [];
  };

  return { code, facts, schema, fn: fnOf, bodyCalls: (f, id) => bodyCalls(f, id), scopeChain, namedOwner, db, dbOps, callersOf, entrypoints };
}

// ---------------------------------------------------------------- SQL text

/** The SQL text a raw call sends, when it is written in the call (string, template, `{ text }`, a local holding one, a tagged template). */
export function sqlTextOf(a: Access, file: string, call: CallFact): string | undefined {
  if (call.template !== undefined) return call.template;
  const fn = call.fn === '<module>' ? undefined : a.fn(file, call.fn);
  const scopes = fn ? a.scopeChain(file, fn.id) : [];
  let v: Val | undefined = call.args[0];
  for (let i = 0; i < 3 && v && typeof v === 'object' && 'ref' in v; i++) {
    const name: string = v.ref;
    v = scopes.find((s) => name in s.locals)?.locals[name] ?? a.facts.get(file)?.vars.find((x) => x.name === name && x.kind === 'const')?.init;
  }
  const o = objOf(v);
  if (o && 'text' in o.obj) v = o.obj.text;
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && 'tpl' in v) return v.tpl;
  if (v && typeof v === 'object' && 'concat' in v) return v.concat.map((p) => (typeof p === 'string' ? p : '${}')).join('');
  return undefined;
}

// ---------------------------------------------------------------- loops

/** A loop over a literal list of at most `max` items (directly, via a const, or Object.keys/values/entries of a const object). */
export function constantSmallCollection(a: Access, file: string, fnId: string, v: Val | undefined, max = 10, depth = 0): boolean {
  if (!v || depth > 4) return false;
  if (typeof v === 'object' && 'arr' in v) return v.arr.length <= max;
  if (typeof v === 'object' && 'ref' in v) {
    const name = v.ref;
    if (name.includes('.')) return false;
    const local = a.scopeChain(file, fnId).find((s) => name in s.locals)?.locals[name];
    if (local !== undefined) return constantSmallCollection(a, file, fnId, local, max, depth + 1);
    const mod = a.facts.get(file)?.vars.find((x) => x.name === name && x.kind === 'const');
    if (mod) return constantSmallCollection(a, file, fnId, mod.init, max, depth + 1);
    // a constant list imported from a sibling module (`import { TIERS } from '../constants/tiers'`)
    const imported = importedConst(a, file, name);
    return imported?.init ? constantSmallCollection(a, imported.file, '<module>', imported.init, max, depth + 1) : false;
  }
  if (typeof v === 'object' && 'call' in v && /^Object\.(keys|values|entries)$/.test(v.call)) {
    let target: Val | undefined = v.args[0];
    if (target && typeof target === 'object' && 'ref' in target) {
      const name = target.ref;
      target = a.scopeChain(file, fnId).find((s) => name in s.locals)?.locals[name] ?? a.facts.get(file)?.vars.find((x) => x.name === name && x.kind === 'const')?.init;
    }
    const o = objOf(target);
    return !!o && !o.spread && Object.keys(o.obj).length <= max;
  }
  return false;
}

/** The exported module-level const a relative import of `local` names, with the file that declares it. */
function importedConst(a: Access, file: string, local: string): { file: string; init?: Val } | undefined {
  const f = a.facts.get(file);
  for (const imp of f?.imports ?? []) {
    if (imp.typeOnly) continue;
    const spec = imp.names.find((n) => n.local === local);
    if (!spec || spec.imported === 'default' || spec.imported === '*') continue;
    for (const candidate of importTargets(a, file, imp.source)) {
      const target = a.facts.get(candidate);
      const v = target?.vars.find((x) => x.name === spec.imported && x.kind === 'const' && x.exported);
      if (target && v) return { file: target.file, init: v.init };
    }
  }
  return undefined;
}

/** The files an import may name: the linker's answer (tsconfig paths such as `@/lib/constants`), else a relative path's usual extensions. */
function importTargets(a: Access, file: string, source: string): string[] {
  const resolved = a.code.moduleOf?.(file, source);
  if (resolved) return [resolved];
  if (!source.startsWith('.')) return [];
  const base = posix.normalize(posix.join(posix.dirname(file), source)).replace(/\.[cm]?js$/, '');
  return ['.ts', '.tsx', '.mts', '.js', '.mjs', '.cjs', '/index.ts', '/index.js'].map((ext) => base + ext);
}

// ---------------------------------------------------------------- wording

export function fileOf(facts: FactIndex, file: string): FileFacts | undefined {
  return facts.get(file);
}

/** First hop of a walked operation: 'self' when the walked function makes the call itself. */
export function firstHop(op: DbOp): string {
  return op.frames.length > 1 ? `${op.frames[1].file}#${op.frames[1].fn}` : 'self';
}

/** Source order of two sites in one function body (inline callbacks included): by line, then by order. */
export function before(a: CallFact, b: CallFact): boolean {
  return a.line < b.line || (a.line === b.line && a.fn === b.fn && a.order < b.order);
}

export function modelLabel(a: Access, model: string): string {
  return a.schema?.models.get(model)?.name ?? model.charAt(0).toUpperCase() + model.slice(1);
}

// ---------------------------------------------------------------- transactions

export interface TxSite {
  file: string;
  /** The `$transaction(...)` / `transaction(...)` call, or the `BEGIN` query. */
  call: CallFact;
  owner?: FunctionFact;
  /** Database writes that run inside it (through the functions it calls too). */
  writes: DbOp[];
  /** The callback, when the transaction takes one. */
  callback?: string;
}

function opsOfCall(a: Access, file: string, c: CallFact): DbOp[] {
  const m = a.db(file, c);
  if (m) return [{ file, call: c, m, frames: [{ file, fn: c.fn }], inTx: true, uniqueCaught: !!c.uniqueCaught, site: c }];
  const t = a.code.callee(file, c);
  return t ? a.dbOps(t.file, t.fn.id).map((u) => ({ ...u, inTx: true, site: c })) : [];
}

/** Every transaction in production code with the writes it groups. */
export function txSites(a: Access, skip: (file: string) => boolean): TxSite[] {
  const out: TxSite[] = [];
  for (const f of a.facts.values()) {
    if (skip(f.file)) continue;
    for (const c of f.calls) {
      const last = c.callee[c.callee.length - 1];
      if (!last || !TX_CALLEES.has(last) || c.inTransaction || c.callee.length < 2) continue;
      const owner = c.fn === '<module>' ? undefined : a.namedOwner(f.file, c.fn);
      const cb = c.args.find((x): x is { fn: string } => !!x && typeof x === 'object' && 'fn' in x);
      let writes: DbOp[];
      if (cb) writes = a.dbOps(f.file, cb.fn).filter((o) => o.m.kind === 'write').map((o) => ({ ...o, inTx: true }));
      else writes = f.calls.filter((x) => x !== c && x.fn === c.fn && x.inTransaction && x.line >= c.line && x.endLine <= c.endLine).flatMap((x) => opsOfCall(a, f.file, x)).filter((o) => o.m.kind === 'write');
      out.push({ file: f.file, call: c, owner, writes, callback: cb?.fn });
    }
    // node-postgres style: query('BEGIN') ... query('COMMIT') in one function
    const byFn = new Map<string, CallFact[]>();
    for (const c of f.calls) {
      if (!a.db(f.file, c)) continue;
      const list = byFn.get(c.fn) ?? [];
      list.push(c);
      byFn.set(c.fn, list);
    }
    for (const [fnId, calls] of byFn) {
      const begin = calls.find((c) => /^\s*(BEGIN|START\s+TRANSACTION)\b/i.test(sqlTextOf(a, f.file, c) ?? ''));
      const commit = begin && calls.find((c) => c.line > begin.line && /^\s*COMMIT\b/i.test(sqlTextOf(a, f.file, c) ?? ''));
      if (!begin || !commit) continue;
      const writes = calls.filter((c) => c.line > begin.line && c.line < commit.line).flatMap((c) => opsOfCall(a, f.file, c)).filter((o) => o.m.kind === 'write' && !/^\s*(COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i.test(sqlTextOf(a, o.file, o.call) ?? ''));
      out.push({ file: f.file, call: begin, owner: a.namedOwner(f.file, fnId), writes });
    }
  }
  return out;
}

/** The table or Prisma model a database operation touches, lower-case ("outboxevent"). */
export function tableOf(a: Access, op: DbOp): string | undefined {
  return tableLabel(a, op)?.toLowerCase();
}

/** The table or Prisma model a database operation touches, as written (model name for Prisma). */
export function tableLabel(a: Access, op: DbOp): string | undefined {
  if (op.m.prisma) return modelLabel(a, op.m.prisma.model);
  const text = sqlTextOf(a, op.file, op.call);
  if (!text) return undefined;
  const m = /\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|FROM)\s+((?:"?\w+"?\.)?"?(\w+)"?)/i.exec(text);
  return m ? m[2] : undefined;
}

export function datastoreLabel(op: DbOp): string {
  return op.m.name;
}
