import type { Rule } from '../types.js';
import { entrypointsOf, functionLabel, isBrowserCode, isNonProductionFile, routesPhrase } from '../util.js';
import { asyncCallee, cap, fnLabel, stableLabel, enclosingFn, namedAncestor, neverRejects, runtimeBlast, targetsOf } from './_promise.js';
import type { CallFact, FactIndex, FileFacts } from '../../extract/facts.js';
import type { Model } from '../../model/types.js';
import type { CodeIndex, RuleContext } from '../types.js';
import { isPy } from '../py-util.js';


/** "returns a Prisma query, and Prisma queries are lazy", "is a Knex query builder, and builders are lazy". */
function lazyPhrase(target: { library?: string }, chain: boolean): string {
  const lib = target.library;
  if (chain) return `is a${lib ? ` ${lib}` : ''} query builder, and builders are lazy`;
  return lib ? `returns a ${lib} query, and ${lib} queries are lazy` : 'returns a lazy query';
}

/** Chain members that run the lazy query they end: Kysely's execute*(), Mongoose's exec(), Drizzle's run/all/get, a stream, a .then. */
const EXECUTORS = /^(execute\w*|exec|run|all|get|stream|pipe|asCallback|then)$/;

/**
 * The head of the builder chain a floating call ends (`db('visits')` for `db('visits').where(...).insert(row);`):
 * the extractor records each chained member as a call on a call result, just before the next one in order.
 */
function builderHead(f: FileFacts, c: CallFact): CallFact | undefined {
  if (c.root !== 'call' || c.callee[0] !== '()') return undefined;
  const sameLine = f.calls.filter((x) => x.fn === c.fn && x.line === c.line);
  let cur = c;
  for (let i = 0; i < 64; i++) {
    const next = sameLine.find((x) => x.order === cur.order + 1);
    if (!next || next.isNew) return undefined;
    if (next.root !== 'call' || next.callee[0] !== '()') return next;
    cur = next;
  }
  return undefined;
}

const rule: Rule = {
  meta: {
    id: 'async/floating-promise',
    title: 'Promise neither awaited nor given a .catch',
    category: 'availability',
    polarity: 'risk',
    defaultSeverity: 'high',
    effort: 'S',
    priority: 'P1',
    docs: {
      what: 'A call that returns a promise — an async project function, or a datastore, cache, queue or HTTP/SDK call — is made as a bare statement (or discarded with `void`): it is not awaited, not returned, not assigned and has no `.catch(...)` / `.then(_, onRejected)`. A bare query-builder chain counts too: a Knex chain (`db(\'visits\').insert(row);`) is lazy and never runs, a Kysely `...execute();` runs and may reject. In Python: a coroutine started with `asyncio.create_task(...)` / `ensure_future(...)` whose task is dropped (its exception is never retrieved), or an `async def` called as a statement without `await` (it never runs).',
      why: 'When that promise rejects (a timeout, a refused connection, a 5xx from a vendor), nothing handles it. Since Node 15 an unhandled rejection terminates the process by default (`--unhandled-rejections=throw`): every request in flight on that process fails and every entrypoint of the runtime is down until it restarts — a side effect nobody waited for takes the whole API with it. A surrounding try/catch does not help: the rejection happens after the try block has finished. `void promise` only silences linters; the rejection is still unhandled. A bare Prisma query fails differently: Prisma queries are lazy, so without await or .then it is never sent and the write silently never happens.',
      fix: 'Await it when the caller needs the result or must fail with it: `await this.audit.record(event);`. When it is meant to run in the background, contain its failure where it is started: `this.email.sendWelcome(user).catch((err) => this.logger.error({ err, userId: user.id }, "welcome email failed"));` — or make it durable (enqueue a job with retries) if losing it matters.',
      falsePositiveGuard: 'Only calls known to return a promise fire: async project functions (or functions returning a dependency call), and dependency calls recognised by the technology packs. Not reported: a `.catch(...)`ed or `.then(ok, onErr)` fire-and-forget, `Promise.allSettled`, returned or assigned promises, constructors, Redis `multi()`/`pipeline()` builders, event emitters (`emitter.emit()`), `res.json()`, array methods, module-level start-up code (`bootstrap()`), and async functions whose whole body is wrapped in a try/catch that does not rethrow (they cannot reject); nor anything in a package whose code registers a `process.on(\'unhandledRejection\', handler)` that does not exit (the rejection is handled there; a bare lazy Prisma query is still reported). Python: a kept task (assigned, added to a set, awaited, gathered), FastAPI BackgroundTasks, and background coroutines whose whole body is inside an `except` that does not re-raise are not reported. Front-end code — component files (.tsx/.jsx/.vue/.svelte), files of front-end packages (a package.json with next/react/vue and no backend framework, the repository root included: a Next.js app\'s hooks and browser scripts), the UI folder of a package that holds both, and scripts under a `static/` folder (Django/Flask static files) — is skipped unless a traced server entrypoint reaches the call: in a browser an unhandled rejection is a console error, not a dead process. Test, seed and script files are skipped.',
      references: ['https://docs.python.org/3/library/asyncio-task.html#asyncio.create_task', 'https://nodejs.org/api/cli.html#--unhandled-rejectionsmode', 'https://typescript-eslint.io/rules/no-floating-promises/', 'https://nodejs.org/api/process.html#event-unhandledrejection'],
    },
  },
  check({ facts, code, model }, ctx) {
    if (!code) return;
    for (const f of facts.values()) {
      if (isNonProductionFile(f.file)) continue;
      if (isPy(f.file)) {
        pyFloating(f, facts, code, model, ctx);
        continue;
      }
      for (const c of f.calls) {
        if (!c.floating || c.caught || c.fn === '<module>') continue;
        const own = asyncCallee(code, facts, f.file, c);
        const head = own ? undefined : builderHead(f, c);
        const found = own ?? (head ? asyncCallee(code, facts, f.file, head) : undefined);
        // a floating chain: `db('visits').insert(row);` never runs (a lazy Knex query); `db.insertInto('t').values(v).execute();`
        // and `db.collection('users').createIndex(spec);` (an eager driver) run and may reject
        const executed = !!head && EXECUTORS.test(c.callee[c.callee.length - 1] ?? '');
        const target = found && head ? { ...found, lazy: found.lazy && !executed, label: `${found.label}(…).${c.callee.slice(1).join('.')}` } : found;
        if (!target) continue;
        if (target.kind === 'project' && neverRejects(facts, target.file, target.fn)) continue;
        const inFn = enclosingFn(f, c);
        if (!inFn) continue;
        // the package installs a process-wide unhandledRejection handler that does not exit: a rejection is logged, the process lives on
        if (!(target.lazy && !c.chained) && code.rejectionHandler?.(f.file)) continue;
        const owner = namedAncestor(f, inFn);
        const eps = entrypointsOf(code, f.file, inFn);
        // browser code: an unhandled rejection there is a console error, not a dead process
        if (isBrowserCode(code, f.file, inFn)) continue;
        const blast = runtimeBlast(model, eps);
        const what = target.kind === 'dependency'
          ? `${target.label} (${target.meaning.target.kind}:${target.meaning.target.name})`
          : target.kind === 'project' ? `${target.label}() (${target.fn.async ? 'async ' : ''}${functionLabel(target.fn)})` : `${target.label}()`;
        const runtimeText = blast.runtimes.length
          ? blast.tech === 'aws-lambda'
            ? `In Node an unhandled rejection terminates the process: the Lambda execution environment of ${blast.runtimes.join(', ')} is torn down, failing the requests in flight on it, and the ${blast.entrypoints.length} entrypoints it serves pay cold starts.`
            : `In Node an unhandled rejection terminates the process: ${blast.runtimes.join(', ')} goes down with all ${blast.entrypoints.length} of its entrypoints (requests in flight fail) until it restarts.`
          : 'In Node an unhandled rejection terminates the process that runs it, with every request in flight on it.';
        const voidNote = c.voided ? ' The `void` operator discards the promise but does not handle its rejection.' : '';
        const runsFor = eps.length ? ` Runs for ${routesPhrase(eps)}.` : '';
        const impact = target.lazy && !c.chained
          ? `${what} ${lazyPhrase(target, !!head)}: without await or .then it is never sent, so the ${target.kind === 'dependency' && target.meaning.edge === 'writes' ? 'write' : 'query'} silently never happens.${runsFor}`
          : `If ${what} rejects, nothing handles it. ${runtimeText}${runsFor}${voidNote}`;
        ctx.report({
          element: code.componentOf(f.file),
          locations: [{ file: f.file, line: c.line, endLine: c.endLine }],
          title: `${cap(fnLabel(f, owner))} starts ${target.label}${target.kind === 'dependency' ? '' : '()'} without await or .catch${c.voided ? ' (void)' : ''}`,
          impact,
          recommendation: `Await it if ${fnLabel(f, owner)} depends on it; if it is background work, attach a handler where it starts — \`${target.label}(…).catch((err) => logger.error({ err }, '…'))\` — or move it to a durable queue if it must not be lost.`,
          fingerprintKey: `${stableLabel(fnLabel(f, owner))} ${c.callee.join('.')}`,
        });
      }
    }
  },
};
/**
 * Python: a coroutine handed to asyncio.create_task / ensure_future whose task is dropped
 * (weakly referenced by the loop, its exception never retrieved), or an `async def` called
 * as a statement without await (the coroutine never runs at all).
 */
function pyFloating(f: FileFacts, facts: FactIndex, code: CodeIndex, model: Model, ctx: RuleContext): void {
  for (const c of f.calls) {
    if (c.fn === '<module>' || c.root) continue;
    const spawned = !!c.spawned;
    if (!spawned && !(c.discarded && !c.awaited)) continue;
    const t = code.callee(f.file, c);
    if (!t || !t.fn.async) continue;
    // a background coroutine whose whole body is guarded by an except that does not re-raise has no exception to lose
    if (spawned && pyNeverRaises(facts, t.file, t.fn.id)) continue;
    const inFn = enclosingFn(f, c);
    if (!inFn) continue;
    const owner = namedAncestor(f, inFn);
    const eps = entrypointsOf(code, f.file, inFn);
    const label = calleeText(c);
    const reach = targetsOf(code, t.file, t.fn.id);
    const what = reach.length ? ` (${reach.join(', ')})` : '';
    const runsFor = eps.length ? ` Runs for ${routesPhrase(eps)}.` : '';
    void model;
    if (spawned) {
      ctx.report({
        element: code.componentOf(f.file),
        locations: [{ file: f.file, line: c.line, endLine: c.endLine }],
        title: `${cap(fnLabel(f, owner))} starts ${label}() with ${c.spawned}() and drops the task`,
        impact: `The event loop keeps only a weak reference to the task: it can be garbage-collected before it finishes, and when ${label}()${what} raises, nobody awaits it — the error surfaces only as "Task exception was never retrieved" in the log and the work is silently lost.${runsFor}`,
        recommendation: `Keep a reference and handle the result: \`task = asyncio.create_task(${label}(...)); background_tasks.add(task); task.add_done_callback(lambda t: (background_tasks.discard(t), t.exception() and logger.error("${label} failed", exc_info=t.exception())))\` — or use FastAPI BackgroundTasks / a durable queue (Celery) if the work must not be lost.`,
        fingerprintKey: `${stableLabel(fnLabel(f, owner))} spawn ${c.callee.join('.')}`,
      });
    } else {
      ctx.report({
        element: code.componentOf(f.file),
        locations: [{ file: f.file, line: c.line, endLine: c.endLine }],
        title: `${cap(fnLabel(f, owner))} calls async ${label}() without await`,
        impact: `Calling an async def without await only creates a coroutine object: ${label}()${what} never runs (Python warns "coroutine was never awaited"), so its side effect silently never happens.${runsFor}`,
        recommendation: `Await it (\`await ${label}(...)\`), or schedule it deliberately with a kept task / BackgroundTasks if it should run in the background.`,
        fingerprintKey: `${stableLabel(fnLabel(f, owner))} unawaited ${c.callee.join('.')}`,
      });
    }
  }
}

function pyNeverRaises(facts: FactIndex, file: string, fnId: string): boolean {
  const own = facts.get(file)?.calls.filter((c) => c.fn === fnId) ?? [];
  return own.length > 0 && own.every((c) => c.tryCatch?.contains);
}

function calleeText(c: CallFact): string {
  const chain = c.callee.filter((p) => p !== 'this');
  return chain.join('.') || 'the coroutine';
}

export default rule;
