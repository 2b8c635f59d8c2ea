// Circuit breakers in the scanned code: opossum and cockatiel breakers and
// hand-rolled CLOSED/OPEN/HALF_OPEN state machines, with the dependency call sites
// each one protects. The tracer already marks calls made through `breaker.fire(fn)`
// (guards.circuitBreaker); this also sees the wrapper shape
// `send(() => client.call())` where `send` fires a breaker around its callback.
import type { FactIndex, FileFacts, FunctionFact, Val } from '../../extract/facts.js';
import type { Guards, Location } from '../../model/types.js';
import type { CodeIndex } from '../types.js';
import { constructions, evaluate, fnOf, getPath, importOf, pkgOfLocal, varDef } from './_code.js';

export interface BreakerSite {
  file: string;
  line: number;
  target: string;
  guards: Guards;
}

export interface Breaker {
  lib: 'opossum' | 'cockatiel' | 'hand-rolled';
  file: string;
  line: number;
  endLine: number;
  /** options.name, else the variable/property/class it lives in. */
  label: string;
  /** opossum: the breaker's own call timeout (explicit, or the 10 s default); undefined when disabled or unknown. */
  timeoutMs?: number;
  timeoutExplicit: boolean;
  /** `.fallback(...)` on it, or a fallback in its options. */
  fallback?: Location;
  /** Dependency call sites that run behind it. */
  sites: BreakerSite[];
}

const OPOSSUM_DEFAULT_TIMEOUT_MS = 10000;
const memo = new WeakMap<FactIndex, Breaker[]>();

function fnFromVal(facts: FactIndex, file: string, v: Val | undefined, from?: FunctionFact): { file: string; fn: FunctionFact } | undefined {
  const f = facts.get(file);
  if (!f || !v || typeof v !== 'object') return undefined;
  if ('fn' in v) {
    const fn = fnOf(f, v.fn);
    return fn ? { file, fn } : undefined;
  }
  if ('ref' in v) {
    const parts = v.ref.split('.');
    if (parts[0] === 'this' && parts.length === 2) {
      const fn = f.functions.find((x) => x.className === from?.thisClass && x.name === parts[1]);
      return fn ? { file, fn } : undefined;
    }
    if (parts.length === 1) {
      const fn = f.functions.find((x) => x.name === parts[0] && !x.className && !x.inlineOf);
      if (fn) return { file, fn };
      const def = varDef(facts, file, parts[0]);
      if (def?.v.init && typeof def.v.init === 'object' && 'fn' in def.v.init) return fnFromVal(facts, def.file, def.v.init);
    }
  }
  return undefined;
}

function usesAsSites(code: CodeIndex, file: string, fnId: string): BreakerSite[] {
  return code.usesOf(file, fnId).map((u) => ({ file: u.evidence.file, line: u.evidence.line, target: `${u.target.kind}:${u.target.name}`, guards: u.guards }));
}

/** Sites behind `fire`/`execute` calls on a breaker variable: inline callbacks, and callbacks handed to a function that fires it. */
function sitesThroughCalls(facts: FactIndex, code: CodeIndex, f: FileFacts, isFire: (callee: string[]) => boolean): BreakerSite[] {
  const out: BreakerSite[] = [];
  for (const c of f.calls) {
    if (!isFire(c.callee)) continue;
    const host = fnOf(f, c.fn);
    for (const a of c.args) {
      if (a && typeof a === 'object' && 'fn' in a) out.push(...usesAsSites(code, f.file, a.fn));
      // send(call) { return breaker.fire(call) }: the callers' callbacks run behind the breaker
      if (a && typeof a === 'object' && 'ref' in a && host) {
        const idx = host.params.findIndex((p) => p.name === a.ref);
        if (idx < 0) continue;
        const named = host.inlineOf ? undefined : host;
        if (!named) continue;
        for (const g of facts.values()) {
          for (const c2 of g.calls) {
            if (c2.callee[c2.callee.length - 1] !== named.name) continue;
            const target = code.callee(g.file, c2);
            if (!target || target.file !== f.file || target.fn.id !== named.id) continue;
            const cb = c2.args[idx];
            if (cb && typeof cb === 'object' && 'fn' in cb) out.push(...usesAsSites(code, g.file, cb.fn));
          }
        }
      }
    }
  }
  return out;
}

function dedupe(sites: BreakerSite[]): BreakerSite[] {
  const seen = new Map<string, BreakerSite>();
  for (const s of sites) if (!seen.has(`${s.file}:${s.line}:${s.target}`)) seen.set(`${s.file}:${s.line}:${s.target}`, s);
  return [...seen.values()].sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
}

const GATE = /^(should|can|is)\w*(Attempt|Allow|Call|Request|Execute|Proceed|Available|Closed)\w*$|^allow(Request|Call)?$|^isOpen$/i;
const RECORD_FAILURE = /^(record|on|mark|register|note|report)(Failure|Error)s?$|^trip$/i;

export function breakers(facts: FactIndex, code: CodeIndex): Breaker[] {
  const hit = memo.get(facts);
  if (hit) return hit;
  const out: Breaker[] = [];

  // opossum: new CircuitBreaker(fn, options)
  for (const c of constructions(facts)) {
    if (c.pkg !== 'opossum' || !c.call.isNew) continue;
    const f = facts.get(c.file)!;
    const host = fnOf(f, c.call.fn);
    const varName = c.name ?? (host ? Object.entries(host.locals).find(([, v]) => v && typeof v === 'object' && 'new' in v && v.new === c.ctor)?.[0] : undefined);
    const opts = c.args[1];
    const t = getPath(facts, c.file, opts, ['timeout'], host);
    const timeoutMs = t === false ? undefined : typeof t === 'number' ? t : OPOSSUM_DEFAULT_TIMEOUT_MS;
    const name = getPath(facts, c.file, opts, ['name'], host);
    const isOwn = (callee: string[], op: string) => !!varName && callee.length >= 2 && callee[callee.length - 1] === op && callee[callee.length - 2] === varName;
    const fb = f.calls.find((x) => isOwn(x.callee, 'fallback'));
    const fallback = fb ? { file: c.file, line: fb.line } : getPath(facts, c.file, opts, ['fallback'], host) !== undefined ? { file: c.file, line: c.line } : undefined;
    const wrapped = fnFromVal(facts, c.file, c.args[0], host);
    const sites = [...(wrapped ? usesAsSites(code, wrapped.file, wrapped.fn.id) : []), ...(varName ? sitesThroughCalls(facts, code, f, (callee) => isOwn(callee, 'fire') || isOwn(callee, 'call')) : [])];
    out.push({
      lib: 'opossum', file: c.file, line: c.line, endLine: c.endLine, label: typeof name === 'string' ? name : varName ?? 'breaker',
      timeoutMs, timeoutExplicit: typeof t === 'number' || t === false, fallback, sites: dedupe(sites),
    });
  }

  // cockatiel: const breaker = circuitBreaker(handleAll, {...}); breaker.execute(() => ...)
  for (const f of facts.values()) {
    for (const c of f.calls) {
      if (c.root || c.callee.length !== 1 || pkgOfLocal(f, c.callee[0]) !== 'cockatiel' || importOf(f, c.callee[0])?.imported !== 'circuitBreaker') continue;
      const varName = f.vars.find((v) => v.line === c.line)?.name ?? f.classes.flatMap((k) => k.props).find((p) => p.line === c.line)?.name;
      const names = new Set(varName ? [varName] : []);
      for (const v of f.vars) if (v.init && typeof v.init === 'object' && 'call' in v.init && /(^|\.)wrap$/.test(v.init.call) && v.init.args.some((a) => a && typeof a === 'object' && 'ref' in a && names.has(a.ref))) names.add(v.name);
      const sites = sitesThroughCalls(facts, code, f, (callee) => callee.length >= 2 && callee[callee.length - 1] === 'execute' && names.has(callee[callee.length - 2]));
      out.push({ lib: 'cockatiel', file: f.file, line: c.line, endLine: c.endLine, label: varName ?? 'circuitBreaker', timeoutExplicit: false, sites: dedupe(sites) });
    }
  }

  // hand-rolled: a class holding a CLOSED/OPEN state, recording failures, gating calls
  for (const f of facts.values()) {
    for (const cls of f.classes) {
      const stateProp = cls.props.find((p) => {
        const v = evaluate(facts, f.file, p.init);
        return (typeof v === 'string' && /^closed$/i.test(v)) || (!!p.init && typeof p.init === 'object' && 'ref' in p.init && /\.(CLOSED|Closed)$/.test(p.init.ref));
      });
      if (!stateProp) continue;
      const methods = f.functions.filter((fn) => fn.className === cls.name && !fn.inlineOf);
      if (!methods.some((m) => RECORD_FAILURE.test(m.name))) continue;
      const gate = methods.find((m) => GATE.test(m.name) && f.calls.some((c) => c.callee.length === 2 && c.callee[0] === 'this' && c.callee[1] === m.name));
      const sites = methods.filter((m) => m !== gate && !RECORD_FAILURE.test(m.name)).flatMap((m) => usesAsSites(code, f.file, m.id)).filter((s) => s.file === f.file);
      if (!sites.length) continue;
      const at = gate ?? cls;
      out.push({ lib: 'hand-rolled', file: f.file, line: at.line, endLine: at.endLine, label: cls.name, timeoutExplicit: false, sites: dedupe(sites) });
    }
  }

  out.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
  memo.set(facts, out);
  return out;
}

/** The breakers a dependency call site runs behind. */
export function breakersAt(facts: FactIndex, code: CodeIndex, file: string, line: number): Breaker[] {
  return breakers(facts, code).filter((b) => b.sites.some((s) => s.file === file && s.line === line));
}

const FACTORY_NAME = /breaker|circuit/i;

/**
 * A call inside a callback handed to a breaker factory: `protect(() => client.call())` where
 * `protect` is named like a breaker or builds an opossum breaker around its parameter.
 */
export function inBreakerFactory(facts: FactIndex, code: CodeIndex, file: string, line: number): boolean {
  const f = facts.get(file);
  const onLine = f ? f.calls.filter((c) => c.line === line) : [];
  const call = onLine.find((c) => code.meaning(file, c)?.use === 'dependency') ?? onLine[onLine.length - 1];
  if (!f || !call) return false;
  let fn = fnOf(f, call.fn);
  for (let i = 0; fn && i < 6; i++) {
    if (fn.inlineOf) {
      if (FACTORY_NAME.test(fn.inlineOf.call)) return true;
      const host = f.calls.find((c) => c.line === fn!.inlineOf!.line && c.callee.join('.') === fn!.inlineOf!.call);
      const target = host ? code.callee(file, host) : undefined;
      if (target) {
        const param = target.fn.params[fn.inlineOf.argIndex]?.name;
        if (param && constructions(facts).some((c) => c.pkg === 'opossum' && c.file === target.file && c.line >= target.fn.line && c.line <= target.fn.endLine && c.args[0] && typeof c.args[0] === 'object' && 'ref' in c.args[0] && c.args[0].ref === param)) return true;
      }
    }
    fn = fn.parent ? fnOf(f, fn.parent) : undefined;
  }
  return false;
}
