import type { CallFact, FactIndex, FileFacts } from '../../extract/facts.js';
import type { Location, Model } from '../../model/types.js';
import type { CodeIndex, Rule } from '../types.js';
import { functionLabel, isNonProductionFile, nodeName, routesPhrase } from '../util.js';
import { entrypointsOfCall, fnOf, namedFnOf, stableLabel, withInlineKids } from '../dep/_code.js';
import { jobRetries, loopAttempts, queueAttempts, retryLoops, wrapperAt, type JobRetry } from './_retries.js';

interface Layer {
  attempts: number;
  label: string;
  at: Location;
}

/** Retries the callee adds below a call: SDK-level retries of a client, or a retry wrapper further down. */
function innerLayer(facts: FactIndex, code: CodeIndex, model: Model, file: string, call: CallFact, depth = 0): { layer: Layer; targets: string[] } | undefined {
  const m = code.meaning(file, call);
  if (m?.use === 'dependency') {
    const r = m.guards?.retries ?? 0;
    const name = nodeName(model, `${m.target.kind}:${m.target.name}`);
    return r > 0 ? { layer: { attempts: r + 1, label: `the ${name} client's own ${r} retr${r === 1 ? 'y' : 'ies'} (${r + 1} attempts)`, at: { file, line: call.line } }, targets: [name] } : undefined;
  }
  const target = code.callee(file, call);
  if (!target || depth > 2) return undefined;
  const f = facts.get(file);
  const w = wrapperAt(facts, code, file, call);
  if (w && f) {
    const n = loopAttempts(facts, w.file, w.fn, w.loop, { file, call, fn: fnOf(f, call.fn) });
    if (n && n > 1) return { layer: { attempts: n, label: `${functionLabel(w.fn)} (${n} attempts)`, at: { file, line: call.line } }, targets: [] };
  }
  let best: { layer: Layer; targets: string[] } | undefined;
  for (const u of code.usesOf(target.file, target.fn.id)) {
    const r = u.guards.retries ?? 0;
    if (r <= 0) continue;
    const name = nodeName(model, `${u.target.kind}:${u.target.name}`);
    if (!best || r + 1 > best.layer.attempts) best = { layer: { attempts: r + 1, label: `the ${name} client's own ${r} retr${r === 1 ? 'y' : 'ies'} (${r + 1} attempts)`, at: u.evidence }, targets: [name] };
  }
  return best;
}

/** Calls a retried callback makes: an inline function's body (with its own inline callbacks), or a named function. */
function callbackCalls(facts: FactIndex, file: string, cb: unknown): { file: string; calls: CallFact[] } | undefined {
  const f = facts.get(file);
  if (!f || !cb || typeof cb !== 'object' || !('fn' in cb)) return undefined;
  const scope = withInlineKids(f, (cb as { fn: string }).fn);
  return { file, calls: f.calls.filter((c) => scope.has(c.fn)) };
}

function jobLayer(jobs: JobRetry[], eps: string[]): Layer | undefined {
  let best: Layer | undefined;
  for (const ep of eps) {
    const m = /^entrypoint:worker:(.+)$/.exec(ep);
    if (!m) continue;
    const q = queueAttempts(jobs, m[1]);
    if (q && q.attempts > 1 && (!best || q.attempts > best.attempts)) best = { attempts: q.attempts, label: `queue "${m[1]}" job attempts (${q.attempts})`, at: { file: q.at.file, line: q.at.line } };
  }
  return best;
}

function depsOf(code: CodeIndex, model: Model, file: string, calls: CallFact[]): string[] {
  const out = new Set<string>();
  for (const c of calls) {
    const m = code.meaning(file, c);
    if (m?.use === 'dependency') out.add(nodeName(model, `${m.target.kind}:${m.target.name}`));
    const t = code.callee(file, c);
    if (t) for (const u of code.usesOf(t.file, t.fn.id)) out.add(nodeName(model, `${u.target.kind}:${u.target.name}`));
  }
  return [...out].sort();
}

const rule: Rule = {
  meta: {
    id: 'retry/amplification',
    title: 'Retries nested across layers multiply',
    category: 'availability',
    polarity: 'risk',
    defaultSeverity: 'medium',
    effort: 'M',
    priority: 'P2',
    docs: {
      what: 'Two retry layers wrap the same operation, so their attempts multiply: a hand-written retry loop or retry wrapper (`withRetry`, `executeWithRetry`) around a client that retries by itself (OpenAI/Anthropic `maxRetries` 2 by default, Stripe `maxNetworkRetries`, AWS SDK `maxAttempts` 3), a retry wrapper around another retry wrapper, or a retry wrapper inside a queue job that has `attempts` of its own.',
      why: 'Each layer was sized on its own ("3 attempts is reasonable"), but during an outage they compose: 3 × 3 = 9 calls per request, 5 job attempts × 4 = 20 executions per job. The dependency that is already failing receives several times the normal load, recovery takes longer, and the caller waits through every nested backoff before it finally sees the error.',
      fix: 'Retry in one layer only, as close to the failing call as possible, and make the others pass errors through: disable the client\'s retries when you wrap it (`new OpenAI({ maxRetries: 0 })`, `maxAttempts: 1`), or drop the inner wrapper inside queue jobs and let the job\'s `attempts`/`backoff` do the retrying. Keep the product of attempts within a budget (e.g. ≤ 3–5).',
      falsePositiveGuard: 'Only multiplications the rule can count are reported: both layers need a readable attempt count above 1 (a client configured with `maxRetries: 0` under a wrapper is a single layer, and fine). SDK-level retries inside queue jobs are not reported, since SDK retries are short and, for AWS, limited by the retry quota; a job retrying a code-level retry loop is. Test, seed and script files are skipped.',
      references: ['https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/', 'https://sre.google/sre-book/addressing-cascading-failures/', 'https://github.com/openai/openai-node#retries', 'https://docs.bullmq.io/guide/retrying-failing-jobs'],
    },
  },
  check({ facts, code, model }, ctx) {
    if (!code) return;
    const jobs = jobRetries(facts, code);
    const reported = new Set<string>();
    const report = (f: FileFacts, call: CallFact | undefined, at: Location, layers: Layer[], deps: string[], eps: string[], key: string) => {
      const product = layers.reduce((a, l) => a * l.attempts, 1);
      const k = `${at.file}:${at.line}`;
      if (reported.has(k)) return;
      reported.add(k);
      const what = deps.length ? deps.join(', ') : 'the dependency';
      const locations: Location[] = [at, ...layers.map((l) => l.at).filter((l) => !(l.file === at.file && l.line === at.line))];
      ctx.report({
        element: code.componentOf(f.file),
        locations,
        title: `Nested retries: ${layers.map((l) => l.attempts).join(' × ')} = up to ${product} attempts against ${what}`,
        impact: `${layers.map((l) => l.label).join(' × ')}: when ${what} fails, one ${eps.some((e) => e.startsWith('entrypoint:worker:')) ? 'job' : 'call'} makes up to ${product} attempts${eps.length ? ` (${routesPhrase(eps)})` : ''}, multiplying the load on a dependency that is already failing and delaying the error by every nested backoff.`,
        recommendation: `Retry in one layer only: ${layers.some((l) => /client's own/.test(l.label)) ? 'turn the client\'s retries off when you wrap it (e.g. `maxRetries: 0`, AWS `maxAttempts: 1`), or drop the outer loop' : 'let the outer layer (the job\'s attempts/backoff) do the retrying and call the operation directly, or keep the inner retry and give the job attempts: 1'}, so that ${what} sees at most ${Math.max(...layers.map((l) => l.attempts))} attempts per operation.`,
        fingerprintKey: key,
      });
      void call;
    };

    // (1) a retry loop around a call whose client retries too
    for (const l of retryLoops(facts, code)) {
      if (isNonProductionFile(l.file) || !l.attempts || l.attempts < 2) continue;
      const f = facts.get(l.file)!;
      const paramNames = l.fn.params.map((p) => p.name);
      for (const c of l.attempted) {
        if (c.callee.length === 1 && paramNames.includes(c.callee[0])) continue;
        const inner = innerLayer(facts, code, model, l.file, c);
        if (!inner) continue;
        const eps = code.entrypointsOf(l.file, l.fn.id);
        report(f, c, { file: l.file, line: c.line }, [{ attempts: l.attempts, label: `the retry loop in ${functionLabel(l.fn)} (${l.attempts} attempts)`, at: { file: l.file, line: l.loop.line } }, inner.layer], inner.targets, eps, `loop ${stableLabel(f, l.fn)} ${inner.targets.join(',')}`);
      }
    }

    // (2) a call to a retry wrapper: its callback's client retries, or the job around it retries
    for (const f of facts.values()) {
      if (isNonProductionFile(f.file)) continue;
      for (const c of f.calls) {
        const w = wrapperAt(facts, code, f.file, c);
        if (!w) continue;
        const n = loopAttempts(facts, w.file, w.fn, w.loop, { file: f.file, call: c, fn: fnOf(f, c.fn) });
        if (!n || n < 2) continue;
        const layers: Layer[] = [];
        const eps = entrypointsOfCall(code, f, c);
        const job = jobLayer(jobs, eps);
        if (job) layers.push(job);
        layers.push({ attempts: n, label: `${functionLabel(w.fn)} (${n} attempts)`, at: { file: f.file, line: c.line } });
        const cb = callbackCalls(facts, f.file, c.args[w.wrapperParam!]);
        let deps: string[] = cb ? depsOf(code, model, cb.file, cb.calls) : [];
        if (cb) {
          let best: { layer: Layer; targets: string[] } | undefined;
          for (const inner of cb.calls.map((x) => innerLayer(facts, code, model, cb.file, x)).filter((x) => !!x)) if (!best || inner!.layer.attempts > best.layer.attempts) best = inner;
          if (best) {
            layers.push(best.layer);
            if (best.targets.length) deps = best.targets;
          }
        }
        if (layers.length < 2) continue;
        const named = namedFnOf(f, c.fn);
        report(f, c, { file: f.file, line: c.line }, layers, deps, eps, `wrapper ${named ? stableLabel(f, named) : ''} ${stableLabel(facts.get(w.file), w.fn)}`);
      }
    }

    // (3) a hand-written retry loop inside a queue job that has attempts of its own
    for (const l of retryLoops(facts, code)) {
      if (isNonProductionFile(l.file) || l.wrapperParam !== undefined || !l.attempts || l.attempts < 2) continue;
      const job = jobLayer(jobs, code.entrypointsOf(l.file, l.fn.id));
      if (!job) continue;
      const f = facts.get(l.file)!;
      report(f, undefined, { file: l.file, line: l.loop.line, endLine: l.loop.endLine }, [job, { attempts: l.attempts, label: `the retry loop in ${functionLabel(l.fn)} (${l.attempts} attempts)`, at: { file: l.file, line: l.loop.line } }], depsOf(code, model, l.file, l.attempted), code.entrypointsOf(l.file, l.fn.id), `job-loop ${stableLabel(f, l.fn)}`);
    }
  },
};
export default rule;
