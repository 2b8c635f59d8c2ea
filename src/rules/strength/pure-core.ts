import type { CallFact, FileFacts, FunctionFact } from '../../extract/facts.js';
import type { CodeIndex, Rule } from '../types.js';
import { isNonProductionFile, routesPhrase } from '../util.js';

/** Names that read as domain logic, not plumbing. */
const DOMAIN_NAME = /^(compute|calculate|calc|score|price|quote|estimate|rank|classify|evaluate|assess|derive|determine|decide|plan|allocate|apportion|prorate|reconcile|validate|build|apply|match|tier|grade|rate)[A-Z_]/;
/** Calls that make a function impure (clock, randomness, I/O, process state, logging). */
const IMPURE_ROOTS = new Set(['console', 'process', 'fs', 'fetch', 'setTimeout', 'setInterval', 'setImmediate', 'require', 'crypto', 'localStorage', 'document', 'window', 'logger', 'log']);

function impureCall(c: CallFact): boolean {
  const chain = c.callee;
  if (!chain.length) return false;
  const [root] = chain;
  const last = chain[chain.length - 1];
  if (IMPURE_ROOTS.has(root)) return true;
  if (root === 'Math' && last === 'random') return true;
  if (root === 'Date' && last === 'now') return true;
  if (c.isNew && chain.length === 1 && chain[0] === 'Date' && c.args.length === 0) return true;
  if (/^(randomUUID|randomBytes|randomInt|uuid|v4|nanoid|cuid)$/.test(last)) return true;
  if (/^(emit|send|write|publish|dispatch|log|warn|error|info|debug)$/.test(last)) return true;
  return false;
}

/** The function and the inline callbacks defined inside it. */
function family(f: FileFacts, fn: FunctionFact): FunctionFact[] {
  const ids = new Set([fn.id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const x of f.functions) if (x.parent && ids.has(x.parent) && !ids.has(x.id)) {
      ids.add(x.id);
      grew = true;
    }
  }
  return f.functions.filter((x) => ids.has(x.id));
}

/** Not trivial: five statements or more, or at least two statements doing real work (five calls or more, callbacks included). */
function substantial(f: FileFacts, fn: FunctionFact): boolean {
  if (fn.stats.statements >= 5) return true;
  const calls = family(f, fn).reduce((n, x) => n + x.stats.calls, 0);
  return fn.stats.statements >= 2 && calls >= 5;
}

function isPure(code: CodeIndex, facts: ReadonlyMap<string, FileFacts>, f: FileFacts, fn: FunctionFact, depth = 0, seen = new Set<string>()): boolean {
  const key = `${f.file}#${fn.id}`;
  if (seen.has(key)) return true;
  seen.add(key);
  if (fn.async || (depth === 0 && (fn.thisClass || fn.className))) return false;
  const fam = family(f, fn);
  if (fam.some((x) => x.async || x.stats.awaits > 0 || x.stats.thisRefs > 0 || x.stats.assignsOuter)) return false;
  // reading the environment is reading outer state
  if (f.envReads.some((r) => r.line >= fn.line && r.line <= fn.endLine)) return false;
  const ids = new Set(fam.map((x) => x.id));
  for (const c of f.calls) {
    if (!ids.has(c.fn)) continue;
    if (impureCall(c)) return false;
    const m = code.meaning(f.file, c);
    if (m && m.use !== 'ignore') return false;
    const t = code.callee(f.file, c);
    if (!t) continue;
    if (t.fn.async || t.fn.stats.awaits > 0) return false;
    // project helpers it calls must be pure too (a few levels deep; unknown depth counts as impure)
    const tf = facts.get(t.file);
    if (!tf || depth >= 3 || !isPure(code, facts, tf, t.fn, depth + 1, seen)) return false;
  }
  return true;
}

const rule: Rule = {
  meta: {
    id: 'strength/pure-core',
    title: 'Pure, side-effect-free domain function',
    category: 'data-integrity',
    polarity: 'strength',
    defaultSeverity: 'info',
    effort: 'S',
    priority: 'P2',
    docs: {
      what: 'An exported domain function (a name like compute…, calculate…, score…, price…, validate…, derive…) of some substance (five statements or more, or two or more doing real work: five calls or more) that does no I/O: no await, no datastore/cache/queue/HTTP call, no `this`, no writes to outer state, no environment reads, no clock, randomness or logging — and the project helpers it calls are pure too — and that a service on an entrypoint path calls.',
      why: 'Business rules that are pure can be unit-tested exhaustively without mocks, re-run safely (retries, replays, backfills) and reasoned about in incidents: when a dependency fails, they are not part of the blast radius. Keeping the decision logic separate from the code that loads and saves data is what makes the surrounding transaction and retry logic simple.',
      fix: 'Keep it that way: pass in the data it needs rather than letting it fetch, return results instead of writing them, and cover it with table-driven unit tests.',
      falsePositiveGuard: 'Only exported top-level functions whose name reads as domain logic, with at least five statements (or two statements and five calls), reached from an entrypoint; getters, DTO mappers, trivial helpers, class methods and anything that awaits, calls a dependency, reads the clock or randomness, logs, or assigns to a property are excluded. At most five per repository (the largest). Test, seed and script files are skipped.',
      references: ['https://blog.ploeh.dk/2020/03/02/impureim-sandwich/', 'https://www.destroyallsoftware.com/screencasts/catalog/functional-core-imperative-shell'],
    },
  },
  check({ facts, code }, ctx) {
    if (!code) return;
    const found: { f: FileFacts; fn: FunctionFact; eps: string[] }[] = [];
    for (const f of facts.values()) {
      if (isNonProductionFile(f.file)) continue;
      const exported = new Set(Object.values(f.exports));
      for (const fn of f.functions) {
        if (fn.inlineOf || fn.parent || fn.name === '<anon>') continue;
        if (!fn.exported && !exported.has(fn.id)) continue;
        if (!DOMAIN_NAME.test(fn.name) || !substantial(f, fn)) continue;
        const eps = code.entrypointsOf(f.file, fn.id);
        if (!eps.length) continue;
        if (!isPure(code, facts, f, fn)) continue;
        found.push({ f, fn, eps });
      }
    }
    found.sort((a, b) => b.fn.stats.statements - a.fn.stats.statements || (a.f.file < b.f.file ? -1 : a.f.file > b.f.file ? 1 : a.fn.line - b.fn.line));
    for (const { f, fn, eps } of found.slice(0, 5)) {
      ctx.report({
        element: code.componentOf(f.file),
        locations: [{ file: f.file, line: fn.line, endLine: fn.endLine }],
        title: `${fn.name} is a pure domain function`,
        impact: `${fn.name} computes its result from its inputs alone — no I/O, no shared state — so it stays correct and testable when any dependency fails, and is safe to re-run on retries. Used by ${routesPhrase(eps)}.`,
        recommendation: `Keep ${fn.name} free of I/O and cover its rules with table-driven unit tests; keep loading and saving in the calling service.`,
        fingerprintKey: `pure ${fn.name}`,
      });
    }
  },
};
export default rule;
