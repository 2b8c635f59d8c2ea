import type { CallFact, FunctionFact, Val } from '../../extract/facts.js';
import type { Location } from '../../model/types.js';
import type { Rule, RuleContext } from '../types.js';
import { functionLabel, isNonProductionFile, namedFunctions, routesPhrase } from '../util.js';
import { access, before, firstHop, modelLabel, objOf, sqlTextOf, whereFields, type Access, type DbOp } from '../db/_data-access.js';

/** Field names that carry a client-chosen request key. */
const KEY_FIELD = /^(idempotency_?key|idempotencyKey|request_?id|clientRequestId|dedupe_?key|dedup_?key|operation_?id|client\w*(Request|Operation|Mutation|Sync\w*|Event)Id|mutation_?id|event_?id|message_?id|delivery_?id|webhook\w*Id|stripeEventId)$/i;
const GENERIC_KEY = /idempot|dedup/i;
const HEADER = /^idempotency-key$/i;
const RANDOM = /uuid|random|nanoid|cuid|ulid|Date\.now|createId/i;
const WRITE_METHODS = new Set(['create', 'createMany', 'createManyAndReturn', 'upsert']);

function keyOf(fields: string[]): string | undefined {
  return fields.find((f) => KEY_FIELD.test(f) || GENERIC_KEY.test(f));
}

function argObj(a: Access, file: string, call: CallFact, index = 0): { obj: Record<string, Val>; spread?: boolean } | undefined {
  let v: Val | undefined = call.args[index];
  for (let i = 0; i < 3 && v && typeof v === 'object' && 'ref' in v && !v.ref.includes('.'); i++) {
    const name: string = v.ref;
    v = call.fn === '<module>' ? undefined : a.scopeChain(file, call.fn).find((s) => name in s.locals)?.locals[name];
  }
  return objOf(v);
}

/** The ON CONFLICT columns of an INSERT, when it has one. */
function onConflict(text: string): string | undefined {
  const m = /\bON\s+CONFLICT\s*(\(([^)]*)\)|ON\s+CONSTRAINT\s+"?(\w+)"?)?/i.exec(text);
  if (m) return m[2] ? m[2].replace(/"/g, '').replace(/\s+/g, ' ').trim() : m[3] ?? 'its unique key';
  if (/\bON\s+DUPLICATE\s+KEY\s+UPDATE\b/i.test(text) || /^\s*INSERT\s+IGNORE\b/i.test(text)) return 'its unique key';
  return undefined;
}

const rule: Rule = {
  meta: {
    id: 'strength/idempotency-key',
    title: 'Idempotent writes: request keys, natural-key upserts, deduplicated jobs',
    category: 'data-integrity',
    polarity: 'strength',
    defaultSeverity: 'info',
    effort: 'M',
    priority: 'P2',
    docs: {
      what: 'Mechanisms that make a retried or duplicated operation apply once: (1) request-level dedup — a client-provided key (requestId, idempotencyKey, clientSyncOperationId, an `Idempotency-Key` header...) looked up in a table before the work and recorded with it; (2) writes keyed on a natural key with a unique constraint — a Prisma `upsert` on a non-id unique key, `createMany({ skipDuplicates: true })`, `INSERT ... ON CONFLICT` / `ON DUPLICATE KEY UPDATE`; (3) an idempotency key on outbound calls (Stripe `{ idempotencyKey }`, an `Idempotency-Key` header); (4) queue jobs enqueued with a deterministic `jobId`.',
      why: 'Clients, load balancers, queues and webhooks all retry. Without these, a timeout followed by a retry charges twice, inserts duplicate rows or runs a job twice; with them, at-least-once delivery is safe (seed 004: requestId + payloadHash on batch ingest, @@unique + ON CONFLICT on samples, jobId on projections).',
      fix: 'Nothing to fix. Back request keys with a unique constraint (@@unique([userId, requestId])) so concurrent duplicates fail fast instead of both passing the lookup, store the result to replay it, expire old keys, and keep job ids derived from the triggering event.',
      falsePositiveGuard: 'A request key counts only when the lookup filters on a key-like field and the same model is written afterwards in the same flow (reported once, where both happen, not at every caller). Upserts whose `where` is only the primary `id` are not reported as natural-key idempotency. A `jobId` built from a random or time-based value (uuid, nanoid, Date.now) is not deduplication. Test, seed and script files are skipped.',
      references: ['https://stripe.com/docs/api/idempotent_requests', 'https://www.prisma.io/docs/orm/reference/prisma-client-reference#upsert', 'https://www.postgresql.org/docs/current/sql-insert.html#SQL-ON-CONFLICT', 'https://docs.bullmq.io/guide/jobs/job-ids', 'https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/'],
    },
  },
  check({ facts, code }, ctx) {
    if (!code) return;
    const a = access(facts, code);
    for (const f of facts.values()) {
      if (isNonProductionFile(f.file)) continue;
      for (const fn of namedFunctions(f)) {
        requestKey(a, f.file, fn, ctx);
        naturalKey(a, f.file, fn, ctx);
        headerKey(a, f.file, fn, ctx);
      }
      for (const call of f.calls) outbound(a, f.file, call, ctx);
    }
  },
};

function where(a: Access, file: string, fn: FunctionFact): string {
  const eps = a.entrypoints(file, fn.id);
  return eps.length ? ` Covers ${routesPhrase(eps)}.` : '';
}

/** (1) look the client's key up, then write the same model. */
function requestKey(a: Access, file: string, fn: FunctionFact, ctx: RuleContext): void {
  const ops = a.dbOps(file, fn.id);
  for (const read of ops) {
    if (read.m.kind !== 'read' || !read.m.prisma || !/^(findUnique|findFirst)/.test(read.m.prisma.method)) continue;
    const w = whereFields(argObj(a, read.file, read.call)?.obj.where);
    const key = w && keyOf(w.keys);
    if (!key) continue;
    const write = ops.find((o: DbOp) => o !== read && o.m.kind === 'write' && o.m.prisma?.model === read.m.prisma!.model && WRITE_METHODS.has(o.m.prisma.method) && before(read.site, o.site));
    if (!write) continue;
    if (firstHop(read) === firstHop(write) && firstHop(read) !== 'self') continue;
    const model = modelLabel(a, read.m.prisma.model);
    ctx.report({
      element: a.code.componentOf(file),
      title: `${functionLabel(fn)} deduplicates requests by \`${key}\` (${model})`,
      locations: [
        { file, line: read.site.line, endLine: read.site.endLine },
        { file, line: write.site.line },
        ...[read, write].filter((o) => o.file !== file || o.call.line !== o.site.line).map((o) => ({ file: o.file, line: o.call.line })),
      ],
      impact: `A retried request with the same \`${key}\` finds its earlier ${model} record and is answered from it instead of applying the change twice, so client retries, double submits and redeliveries are safe.${where(a, file, fn)}`,
      recommendation: `Keep it: back \`${key}\` with a unique constraint on ${model} so two concurrent duplicates cannot both pass the lookup, store the result to replay it, and expire old keys.`,
      fingerprintKey: `${functionLabel(fn)} request-key ${model} ${key}`,
    });
    return;
  }
}

/** (2) upsert on a natural key / INSERT ... ON CONFLICT, made by the function itself. */
function naturalKey(a: Access, file: string, fn: FunctionFact, ctx: RuleContext): void {
  const sites: { call: CallFact; key: string; what: string }[] = [];
  for (const c of a.bodyCalls(file, fn.id)) {
    const m = a.db(file, c);
    if (!m || m.kind !== 'write') continue;
    if (m.prisma?.method === 'upsert') {
      const w = whereFields(argObj(a, file, c)?.obj.where);
      if (!w || w.spread || !w.keys.length || w.keys.includes('id')) continue;
      const keys = w.keys;
      const compound = keys.find((k) => k.includes('_'));
      sites.push({ call: c, key: compound ? compound.split('_').join(', ') : keys.join(', '), what: `${modelLabel(a, m.prisma.model)} upsert` });
    } else if (m.prisma && (m.prisma.method === 'createMany' || m.prisma.method === 'createManyAndReturn')) {
      const o = argObj(a, file, c);
      if (o?.obj.skipDuplicates === true) sites.push({ call: c, key: 'its unique key', what: `${modelLabel(a, m.prisma.model)} createMany({ skipDuplicates })` });
    } else if (m.raw) {
      const text = sqlTextOf(a, file, c);
      const key = text && /^\s*(WITH\b[\s\S]*)?INSERT\b/i.test(text) ? onConflict(text) : undefined;
      if (!key) continue;
      const table = /\bINSERT\s+INTO\s+(?:"?\w+"?\.)?"?(\w+)"?/i.exec(text!)?.[1] ?? 'the table';
      sites.push({ call: c, key, what: `INSERT INTO ${table} ... ON CONFLICT` });
    }
  }
  if (!sites.length) return;
  const keys = [...new Set(sites.map((s) => s.key))];
  ctx.report({
    element: a.code.componentOf(file),
    title: `${functionLabel(fn)} writes idempotently on a natural key (${sites.map((s) => s.what).slice(0, 2).join('; ')})`,
    locations: [{ file, line: fn.line, endLine: fn.endLine }, ...sites.slice(0, 4).map((s) => ({ file, line: s.call.line }))],
    impact: `Replaying the write updates (or skips) the existing row keyed on ${keys.slice(0, 2).join(' / ')} instead of inserting a duplicate, so a retried request or a redelivered job converges on one row.${where(a, file, fn)}`,
    recommendation: 'Keep it: make sure a unique index backs the key (the statement fails without one), and keep the update side free of non-idempotent arithmetic (set values, do not increment them).',
    fingerprintKey: `${functionLabel(fn)} natural-key ${sites.map((s) => s.what).join(',')}`,
  });
}

/** Whether a local's value reads `headers['idempotency-key']` anywhere inside it (a walk, not a JSON string per function). */
function mentionsHeaderRef(v: unknown): boolean {
  if (typeof v === 'string') return v.length >= 23 && v.toLowerCase().includes('headers.idempotency-key');
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some(mentionsHeaderRef);
  for (const k in v) if (mentionsHeaderRef((v as Record<string, unknown>)[k])) return true;
  return false;
}

/** (1b) an Idempotency-Key header read by a handler that then uses a datastore or cache. */
function headerKey(a: Access, file: string, fn: FunctionFact, ctx: RuleContext): void {
  const decorated = fn.params.some((p) => p.decorators.some((d) => d.name === 'Headers' && typeof d.args[0] === 'string' && HEADER.test(d.args[0])));
  const viaCall = a.bodyCalls(file, fn.id).find((c) => /^(header|get)$/.test(c.callee[c.callee.length - 1] ?? '') && typeof c.args[0] === 'string' && HEADER.test(c.args[0]));
  // (serializing every local is the costly test: only when the cheaper ones found nothing)
  const viaRef = !decorated && !viaCall && Object.values(fn.locals).some(mentionsHeaderRef);
  if (!decorated && !viaCall && !viaRef) return;
  const stores = a.code.usesOf(file, fn.id).filter((u) => u.target.kind === 'datastore' || u.target.kind === 'cache');
  if (!stores.length) return;
  const store = stores[0];
  ctx.report({
    element: a.code.componentOf(file),
    title: `${functionLabel(fn)} honours the Idempotency-Key header`,
    locations: [{ file, line: viaCall?.line ?? fn.line }, { file: store.evidence.file, line: store.evidence.line }],
    impact: `Clients can retry safely: the key is checked against ${store.target.name} before the work is done again.${where(a, file, fn)}`,
    recommendation: 'Keep it: scope keys per client, store the response with the key, reject a reused key with a different payload, and expire keys after the retry window.',
    fingerprintKey: `${functionLabel(fn)} idempotency-header`,
  });
}

/** (3) idempotency keys on outbound writes, (4) deterministic job ids. */
function outbound(a: Access, file: string, call: CallFact, ctx: RuleContext): void {
  const m = a.code.meaning(file, call);
  if (!m || m.use !== 'dependency') return;
  // what a report says, worked out only for the calls that get one
  const described = () => {
    const owner = call.fn === '<module>' ? undefined : a.namedOwner(file, call.fn);
    const at: Location[] = [{ file, line: call.line, endLine: call.endLine }];
    return { label: owner ? functionLabel(owner) : file, eps: call.fn === '<module>' ? [] : a.entrypoints(file, call.fn), at };
  };
  if (m.edge === 'calls' && m.target.kind === 'external') {
    const withKey = call.args.some((v) => {
      const o = objOf(v);
      if (!o) return false;
      if ('idempotencyKey' in o.obj || 'idempotency_key' in o.obj) return true;
      const headers = objOf(o.obj.headers);
      return !!headers && Object.keys(headers.obj).some((k) => HEADER.test(k));
    });
    if (!withKey) return;
    const { label, eps, at } = described();
    ctx.report({
      element: a.code.componentOf(file),
      title: `${label} sends an idempotency key to ${m.target.name}`,
      locations: at,
      impact: `${m.target.name} deduplicates a retried request carrying the same key, so a timeout followed by a retry cannot charge or create twice.${eps.length ? ` Covers ${routesPhrase(eps)}.` : ''}`,
      recommendation: 'Keep it: derive the key from the business operation (order id, request id), not a fresh random value per attempt, so retries reuse it.',
      fingerprintKey: `${label} outbound-key ${m.target.name} ${call.callee.join('.')}`,
    });
    return;
  }
  if (m.edge === 'enqueues') {
    const opts = call.args.map((v) => objOf(v)).find((o) => o && 'jobId' in o.obj);
    if (!opts) return;
    const id = opts.obj.jobId;
    if (JSON.stringify(id ?? null).match(RANDOM)) return;
    const { label, eps, at } = described();
    ctx.report({
      element: a.code.componentOf(file),
      title: `${label} enqueues ${m.target.name} jobs with a deterministic jobId`,
      locations: at,
      impact: `Enqueuing the same job twice (a re-dispatched event, a retried request) is a no-op: the queue keeps one job per jobId, so ${m.target.name} work runs once.${eps.length ? ` Covers ${routesPhrase(eps)}.` : ''}`,
      recommendation: 'Keep it: the dedup only lasts while the job is retained — with removeOnComplete the id can be reused, so keep completed jobs for the redelivery window (e.g. removeOnComplete: { age: 86400 }).',
      fingerprintKey: `${label} job-id ${m.target.name}`,
    });
  }
}

export default rule;
