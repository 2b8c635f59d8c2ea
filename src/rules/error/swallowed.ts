import type { CallFact } from '../../extract/facts.js';
import type { Rule } from '../types.js';
import { entrypointsOf, functionLabel, isBrowserCode, isNonProductionFile, routesPhrase } from '../util.js';
import { asyncCallee, fnLabel, stableLabel, enclosingFn, namedAncestor, type AsyncCallee } from '../async/_promise.js';

function describe(t: AsyncCallee): string {
  if (t.kind === 'dependency') return `${t.label} (${t.meaning.target.kind}:${t.meaning.target.name})`;
  return `${t.label}()`;
}

const rule: Rule = {
  meta: {
    id: 'error/swallowed',
    title: 'Failure swallowed by an empty catch',
    category: 'observability',
    polarity: 'risk',
    defaultSeverity: 'low',
    effort: 'S',
    priority: 'P2',
    docs: {
      what: 'A `catch {}` with an empty body (comments only), or a `.catch(() => {})` / `.catch(noop)`, around a call to a datastore, cache, queue, external API or an async project function: the failure is neither rethrown, nor turned into a return value, nor logged.',
      why: 'When the dependency fails, the code carries on as if it had succeeded and nobody can tell: no log line, no metric, no error for the caller. Outages show up later as missing data or confused users instead of as alerts, and incident timelines have a hole exactly where the failure started.',
      fix: 'Log with context and decide explicitly: rethrow (`throw err`), return an explicit fallback (`return null` with a comment why it is safe), or record the failure: `catch (err) { logger.warn({ err, orderId }, "cache refresh failed; serving stale data"); }`.',
      falsePositiveGuard: 'Fires only when the try block (or the caught promise) contains a dependency call recognised by a pack, or a call to an async project function — an empty catch around `JSON.parse` of optional input or other local code is not reported. A catch that logs, rethrows, returns a value, or calls `next(err)` / `reject(err)` is not empty. Test, seed and script files are skipped. Browser code that no server entrypoint runs is skipped — component files (.tsx/.jsx/.vue/.svelte), front-end packages, the UI folder of a package that holds both, a Next.js app\'s hooks and browser scripts: a swallowed failure there is a UI matter.',
      references: ['https://eslint.org/docs/latest/rules/no-empty', 'https://cwe.mitre.org/data/definitions/390.html'],
    },
  },
  check({ facts, code }, ctx) {
    if (!code) return;
    for (const f of facts.values()) {
      if (isNonProductionFile(f.file)) continue;
      // try { ... } catch { } — calls in the try block carry the innermost containing catch
      const inline = new Map<string, string>();
      for (const fn of f.functions) if (fn.parent && fn.inlineOf) inline.set(fn.id, fn.parent);
      const within = (fnId: string, ancestor: string): boolean => {
        let cur: string | undefined = fnId;
        for (let i = 0; i < 10 && cur; i++) {
          if (cur === ancestor) return true;
          cur = inline.get(cur);
        }
        return false;
      };
      for (const k of f.catches) {
        if (!k.empty) continue;
        const body = f.calls.filter((c) => c.tryCatch?.line === k.line && c.tryCatch.empty && within(c.fn, k.fn));
        const risky: { call: CallFact; t: AsyncCallee }[] = [];
        for (const c of body) {
          const t = asyncCallee(code, facts, f.file, c);
          if (t) risky.push({ call: c, t });
        }
        if (!risky.length) continue;
        const fn = k.fn === '<module>' ? undefined : f.functions.find((x) => x.id === k.fn);
        // a swallowed failure in browser code is the UI's concern, not the backend's
        if (isBrowserCode(code, f.file, fn)) continue;
        const owner = fn ? namedAncestor(f, fn) : undefined;
        const eps = fn ? entrypointsOf(code, f.file, fn) : [];
        const names = [...new Set(risky.map((r) => describe(r.t)))];
        ctx.report({
          element: code.componentOf(f.file),
          locations: [{ file: f.file, line: k.line, endLine: k.endLine }, ...risky.map((r) => ({ file: f.file, line: r.call.line }))],
          title: `Empty catch in ${owner ? fnLabel(f, owner) : 'module code'} swallows failures of ${names[0]}${names.length > 1 ? ` and ${names.length - 1} more` : ''}`,
          impact: `When ${names.join(', ')} fails, the error disappears: no log, no metric, and the code continues as if it had succeeded.${eps.length ? ` Runs for ${routesPhrase(eps)}.` : ''}`,
          recommendation: `Log the error with context in the catch (logger.warn({ err }, '…')) and either rethrow it or return an explicit, documented fallback.`,
          fingerprintKey: `try ${owner ? stableLabel(fnLabel(f, owner)) : '<module>'} ${risky.map((r) => r.call.callee.join('.')).join(',')}`,
        });
      }
      // promise.catch(() => {})
      for (const c of f.calls) {
        if (!c.caught || !c.rejection?.empty) continue;
        const t = asyncCallee(code, facts, f.file, c);
        if (!t) continue;
        const fn = enclosingFn(f, c);
        if (isBrowserCode(code, f.file, fn)) continue;
        const owner = fn ? namedAncestor(f, fn) : undefined;
        const eps = fn ? entrypointsOf(code, f.file, fn) : [];
        ctx.report({
          element: code.componentOf(f.file),
          locations: [{ file: f.file, line: c.line, endLine: c.endLine }],
          title: `${describe(t)} has a .catch that discards the error`,
          impact: `When ${describe(t)} fails, the rejection is handled by an empty function: nothing is logged and nobody learns that the work did not happen.${eps.length ? ` Runs for ${routesPhrase(eps)}.` : ''}`,
          recommendation: `Replace the empty handler with one that logs: .catch((err) => logger.warn({ err }, '…')) — or await the call if its failure should reach the caller.`,
          fingerprintKey: `promise ${owner ? stableLabel(fnLabel(f, owner)) : '<module>'} ${c.callee.join('.')}`,
        });
      }
    }
  },
};
export default rule;
