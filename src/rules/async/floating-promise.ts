import type { Rule } from '../types.js';
import { entrypointsOf, functionLabel, isNonProductionFile, routesPhrase } from '../util.js';
import { asyncCallee, cap, fnLabel, stableLabel, enclosingFn, namedAncestor, neverRejects, runtimeBlast } from './_promise.js';

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
      what: 'A call that returns a promise — an async project function, or a datastore, cache, queue or HTTP/SDK call — is made as a bare statement (or discarded with `void`): it is not awaited, not returned, not assigned and has no `.catch(...)` / `.then(_, onRejected)`.',
      why: 'When that promise rejects (a timeout, a refused connection, a 5xx from a vendor), nothing handles it. Since Node 15 an unhandled rejection terminates the process by default (`--unhandled-rejections=throw`): every request in flight on that process fails and every entrypoint of the runtime is down until it restarts — a side effect nobody waited for takes the whole API with it. A surrounding try/catch does not help: the rejection happens after the try block has finished. `void promise` only silences linters; the rejection is still unhandled. A bare Prisma query fails differently: Prisma queries are lazy, so without await or .then it is never sent and the write silently never happens.',
      fix: 'Await it when the caller needs the result or must fail with it: `await this.audit.record(event);`. When it is meant to run in the background, contain its failure where it is started: `this.email.sendWelcome(user).catch((err) => this.logger.error({ err, userId: user.id }, "welcome email failed"));` — or make it durable (enqueue a job with retries) if losing it matters.',
      falsePositiveGuard: 'Only calls known to return a promise fire: async project functions (or functions returning a dependency call), and dependency calls recognised by the technology packs. Not reported: a `.catch(...)`ed or `.then(ok, onErr)` fire-and-forget, `Promise.allSettled`, returned or assigned promises, constructors, Redis `multi()`/`pipeline()` builders, event emitters (`emitter.emit()`), `res.json()`, array methods, module-level start-up code (`bootstrap()`), and async functions whose whole body is wrapped in a try/catch that does not rethrow (they cannot reject). Test, seed and script files are skipped.',
      references: ['https://nodejs.org/api/cli.html#--unhandled-rejectionsmode', 'https://typescript-eslint.io/rules/no-floating-promises/', 'https://nodejs.org/api/process.html#event-unhandledrejection'],
    },
  },
  check({ facts, code, model }, ctx) {
    if (!code) return;
    for (const f of facts.values()) {
      if (isNonProductionFile(f.file)) continue;
      for (const c of f.calls) {
        if (!c.floating || c.caught || c.fn === '<module>') continue;
        const target = asyncCallee(code, facts, f.file, c);
        if (!target) continue;
        if (target.kind === 'project' && neverRejects(facts, target.file, target.fn)) continue;
        const inFn = enclosingFn(f, c);
        if (!inFn) continue;
        const owner = namedAncestor(f, inFn);
        const eps = entrypointsOf(code, f.file, inFn);
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
          ? `${what} returns a Prisma query, and Prisma queries are lazy: without await or .then it is never sent, so the ${target.kind === 'dependency' && target.meaning.edge === 'writes' ? 'write' : 'query'} silently never happens.${runsFor}`
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
export default rule;
