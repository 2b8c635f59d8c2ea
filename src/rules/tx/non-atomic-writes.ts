import type { Rule } from '../types.js';
import { entrypointsOf, functionLabel, isNonProductionFile, namedFunctions, nodeName, routesPhrase } from '../util.js';
import type { Use } from '../../link/trace.js';
import { exclusiveBranches } from '../../extract/facts.js';

/** Writes made once per loop iteration are separate items (n+1 territory), not one step. */
function topSiteInLoop(u: Use, file: string, fnId: string, facts: Map<string, { calls: { fn: string; order: number; inLoop: boolean; inPromiseAllMap: boolean }[] }>): boolean {
  if (u.call.inLoop && u.frames.length === 1) return true;
  const site = facts.get(file)?.calls.find((c) => c.fn === fnId && c.order === u.order);
  return !!site && (site.inLoop || site.inPromiseAllMap) && u.frames.length > 1;
}

/** Package calls that run their callback before they return (iterating, chaining a promise): its writes are the caller's. */
const INLINE_NOW = /(^|\.)(forEach|map|flatMap|filter|reduce|some|every|find|findIndex|sort|then|catch|finally|all|allSettled|race|any)$/;

function firstHop(u: Use): string {
  return u.frames.length > 1 ? `${u.frames[1].file}#${u.frames[1].fn}` : 'self';
}

function djangoAtomicRequests(facts: Parameters<Rule['check']>[0]['facts']): boolean {
  for (const f of facts.values()) {
    if (!f.file.endsWith('.py')) continue;
    for (const v of f.vars) {
      if (/^DATABASES\..*ATOMIC_REQUESTS$/.test(v.name) && v.init === true) return true;
      if (v.name !== 'DATABASES' || !v.init || typeof v.init !== 'object' || !('obj' in v.init)) continue;
      const d = v.init.obj.default;
      if (d && typeof d === 'object' && 'obj' in d && d.obj.ATOMIC_REQUESTS === true) return true;
    }
  }
  return false;
}

const rule: Rule = {
  meta: {
    id: 'tx/non-atomic-writes',
    title: 'Several writes to one datastore outside a transaction',
    category: 'data-integrity',
    polarity: 'risk',
    defaultSeverity: 'high',
    effort: 'S',
    priority: 'P1',
    docs: {
      what: 'A handler or service method performs two or more writes to the same datastore (directly or through the functions it calls) and none of them runs inside a transaction.',
      why: 'When a later write fails — a constraint violation, a timeout, a deploy that kills the process — the earlier writes stay committed. Users end up half-provisioned (an organisation with no member, a subscription with no deployment) and later steps that assume the whole step happened break in ways that are hard to trace.',
      fix: 'Run the writes of one step in one transaction: Prisma `await prisma.$transaction(async (tx) => { await tx.a.create(...); await tx.b.create(...); })`, TypeORM `dataSource.transaction(...)`, Knex `knex.transaction(...)`, SQLAlchemy one `session.commit()` at the end of the unit of work.',
      falsePositiveGuard: 'Only functions on an HTTP or WebSocket entrypoint path (job and cron batches are independent work). SQLAlchemy: a session is a unit of work — add/delete/flush and DML executed on the session are pending until commit(), so several of them before one commit() count as one write; each commit() is a write, and work started with asyncio.create_task or BackgroundTasks is not counted with its caller. Django views are skipped when DATABASES["default"]["ATOMIC_REQUESTS"] is True (each request is one transaction), as are writes inside `with transaction.atomic()` / `@transaction.atomic`. Writes made once per loop iteration are not counted together. Writes in the try body and in its catch, and writes before and after an early return, never run together. Writes in different arms of one if/switch/ternary are never counted together, nor writes in different callbacks handed to a call that is neither awaited nor returned (`server.registerTool(name, schema, handler)`, `emitter.on(...)`: each runs as its own work). Writes inside a transaction callback (`$transaction`, `transaction`, `withTransaction`, `runInTransaction`) or the array form `$transaction([...])` never count. A single `upsert`/`createMany` is one write. Writes that all come from one callee are reported once, at that callee, not again at each caller. Test, seed and script files are skipped.',
      references: ['https://www.prisma.io/docs/orm/prisma-client/queries/transactions', 'https://typeorm.io/transactions'],
    },
  },
  check({ facts, code, model }, ctx) {
    if (!code) return;
    const requestEntrypoints = new Set(model.nodes.filter((n) => n.kind === 'entrypoint' && (n.trigger === 'http' || n.trigger === 'websocket')).map((n) => n.id));
    // Django DATABASES["default"]["ATOMIC_REQUESTS"] = True: every view runs in one transaction
    const atomicRequests = djangoAtomicRequests(facts);
    if (atomicRequests) for (const n of model.nodes) if (n.kind === 'entrypoint' && n.trigger === 'http' && n.evidence.some((e) => /(^|\/)urls\.py$/.test(e.file))) requestEntrypoints.delete(n.id);
    /**
     * The callback a write runs in when it was handed to a call that is neither awaited nor returned
     * (`server.registerTool(name, schema, withTracing(name, async () => ...))`, `emitter.on(...)`):
     * each such callback is its own piece of work, run when it is called. Iterators and promise
     * chains run theirs at once. '' for none.
     */
    const callbackMemo = new Map<string, string>();
    const callbackOf = (u: Use): string => {
      const key = u.frames.map((x, k) => `${x.file}#${x.fn}@${u.siteFns[k] ?? ''}`).join('>');
      let hit = callbackMemo.get(key);
      if (hit !== undefined) return hit;
      hit = '';
      for (let k = 0; k < u.frames.length && !hit; k++) {
        const ff = facts.get(u.frames[k].file);
        // from the function the call is written in up to the frame's own: a callback on the way is separate work
        for (let id: string | undefined = u.siteFns[k]; ff && id && id !== u.frames[k].fn && !hit; ) {
          const cur = ff.functions.find((x) => x.id === id);
          const inline = cur?.inlineOf;
          const host = inline && inline.call !== '()' ? ff.calls.find((c) => c.line === inline.line && c.callee.join('.') === inline.call) : undefined;
          // awaited or returned, the call runs its callback as part of this step (`await withRetry(() => ...)`)
          if (host && !host.awaited && !host.returned && !INLINE_NOW.test(inline!.call)) hit = `${u.frames[k].file}#${id}`;
          id = cur?.parent;
        }
      }
      callbackMemo.set(key, hit);
      return hit;
    };
    for (const f of facts.values()) {
      if (isNonProductionFile(f.file)) continue;
      for (const fn of namedFunctions(f)) {
        // request paths only: a job or cron tick doing several independent writes is batch work, not one step
        const eps = entrypointsOf(code, f.file, fn);
        if (!eps.some((e) => requestEntrypoints.has(e))) continue;
        // Python: a coroutine started with asyncio.create_task or a BackgroundTasks job is separate work with its own session
        const py = f.file.endsWith('.py');
        const writes = code.usesOf(f.file, fn.id).filter((u) => u.edge === 'writes' && u.target.kind === 'datastore' && !u.guards.transaction && !topSiteInLoop(u, f.file, fn.id, facts) && !(py && u.mode === 'fire_and_forget'));
        const byTarget = new Map<string, Use[]>();
        for (const u of writes) {
          const key = `${u.target.kind}:${u.target.name}`;
          const list = byTarget.get(key) ?? [];
          if (!list.some((x) => x.evidence.file === u.evidence.file && x.evidence.line === u.evidence.line)) list.push(u);
          byTarget.set(key, list);
        }
        for (const [target, list] of byTarget) {
          if (list.length < 2) continue;
          // writes in different arms of one if/switch, or in different callbacks handed to a package, never run together
          const apart = (a: Use, b: Use) => exclusiveBranches(a.siteBranch, b.siteBranch) || callbackOf(a) !== callbackOf(b);
          if (!list.some((a, i) => list.some((b, j) => j > i && !apart(a, b)))) continue;
          // writes that can run together all from one callee: that callee is where they are reported (or not)
          const group = mostTogether(list, apart);
          const hops = new Set(group.map(firstHop));
          if (hops.size === 1 && !hops.has('self')) continue;
          const together = group.length;
          const django = py && [f.file, ...list.map((u) => u.evidence.file)].some((file) => facts.get(file)?.imports.some((i) => i.source === 'django' || i.source.startsWith('django.')));
          ctx.report({
            element: code.componentOf(f.file),
            locations: [{ file: f.file, line: fn.line, endLine: fn.endLine }, ...list.map((u) => ({ file: u.evidence.file, line: u.evidence.line }))],
            title: `${functionLabel(fn)} makes ${together} writes to ${nodeName(model, target)} without a transaction`,
            impact: `If a later write fails, the earlier ones stay committed and the data is left half-done.${together < list.length ? ` (${list.length} write sites, of which at most ${together} run in one call: the others are in alternative branches.)` : ''} Runs for ${routesPhrase(eps)}.`,
            recommendation: django
              ? `Make ${functionLabel(fn)} one unit of work: wrap it in \`with transaction.atomic():\` (or decorate the view with \`@transaction.atomic\`), so a failure rolls the whole step back.`
              : py
                ? `Make ${functionLabel(fn)} one unit of work: add everything to the session and call commit() once at the end (or wrap the step in \`with session.begin():\`), so a failure rolls the whole step back.`
                : `Wrap the ${together} writes of ${functionLabel(fn)} in one transaction (e.g. prisma.$transaction(async (tx) => { ... })) so a failure rolls the whole step back.`,
            fingerprintKey: `${functionLabel(fn)} ${target}`,
          });
        }
      }
    }
  },
};
/** A largest set of writes that can run in one call: no two in different arms of one if/switch or in different callbacks (greedy from each write; the lists are short). */
function mostTogether(list: Use[], apart: (a: Use, b: Use) => boolean): Use[] {
  let best = [list[0]];
  for (let i = 0; i < list.length; i++) {
    const set = [list[i]];
    for (let j = 0; j < list.length; j++) if (j !== i && set.every((x) => !apart(x, list[j]))) set.push(list[j]);
    if (set.length > best.length) best = set;
  }
  return best;
}

export default rule;
