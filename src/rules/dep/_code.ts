// Fact-level helpers shared by the dependency-guardrail rules (http/no-timeout,
// dep/no-circuit-breaker, timeout/inversion, retry/*, strength/*): which function
// a call sits in, which client construction a call goes through, what a reference
// evaluates to, which files are front end, what time budget a runtime has.
import { isObj, objGet, type CallFact, type FactIndex, type FileFacts, type FunctionFact, type Val, type VarFact } from '../../extract/facts.js';
import type { Location, Model, ModelNode } from '../../model/types.js';
import type { CodeIndex } from '../types.js';
import { importOf as importOfFile } from '../config/_code.js';

// Rules look up the function of nearly every call site: each file's functions are indexed by id once.
const fnsById = new WeakMap<FileFacts, Map<string, FunctionFact>>();

export function fnOf(f: FileFacts, id: string): FunctionFact | undefined {
  if (id === '<module>') return undefined;
  let m = fnsById.get(f);
  if (!m) {
    m = new Map();
    for (const fn of f.functions) if (!m.has(fn.id)) m.set(fn.id, fn);
    fnsById.set(f, m);
  }
  return m.get(id);
}

/** The entrypoints a call runs for: those of its function, else of the functions it is nested in. */
export function entrypointsOfCall(code: CodeIndex, f: FileFacts, call: CallFact): string[] {
  let fn = fnOf(f, call.fn);
  for (let i = 0; fn && i < 8; i++) {
    const eps = code.entrypointsOf(f.file, fn.id);
    if (eps.length) return eps;
    fn = fn.parent ? fnOf(f, fn.parent) : undefined;
  }
  return [];
}

/** The named function (method or top-level function) a call sits in, skipping inline callbacks. */
export function namedFnOf(f: FileFacts, fnId: string): FunctionFact | undefined {
  let fn = fnOf(f, fnId);
  for (let i = 0; fn && fn.inlineOf && fn.parent && i < 8; i++) fn = fnOf(f, fn.parent);
  return fn;
}

/** Inline functions nested (transitively) in a function, the function itself included. */
export function withInlineKids(f: FileFacts, fnId: string): Set<string> {
  const out = new Set([fnId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const fn of f.functions) if (fn.parent && out.has(fn.parent) && fn.inlineOf && !out.has(fn.id)) {
      out.add(fn.id);
      grew = true;
    }
  }
  return out;
}

const EXTS = ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.mts', '.cts', '/index.ts', '/index.js'];

/** A relative import → the repository file it names, when parsed. */
export function resolveImport(facts: FactIndex, from: string, source: string): string | undefined {
  if (!source.startsWith('.')) return undefined;
  const dir = from.includes('/') ? from.slice(0, from.lastIndexOf('/')) : '';
  const parts = (dir ? dir.split('/') : []).concat(source.split('/'));
  const out: string[] = [];
  for (const p of parts) {
    if (p === '.' || p === '') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  const base = out.join('/').replace(/\.(js|mjs|cjs)$/, '');
  if (facts.has(base)) return base;
  for (const e of EXTS) if (facts.has(base + e)) return base + e;
  return undefined;
}

export function importOf(f: FileFacts, local: string): { source: string; imported: string } | undefined {
  return importOfFile(f, local);
}

// Asked for the receiver of nearly every call site: each file's package imports are indexed once
// (local name → source of the first import binding it; with and without type-only imports).
const pkgImports = new WeakMap<FileFacts, { values: Map<string, string>; all: Map<string, string> }>();

/** The package a local name is imported from (not relative imports). Type-only imports count (a parameter type names its package). */
export function pkgOfLocal(f: FileFacts, local: string, allowTypeOnly = false): string | undefined {
  let ix = pkgImports.get(f);
  if (!ix) {
    ix = { values: new Map(), all: new Map() };
    for (const i of f.imports) {
      if (i.source.startsWith('.') || i.source.startsWith('@/') || i.source.startsWith('~/')) continue;
      for (const x of i.names) {
        if (!ix.all.has(x.local)) ix.all.set(x.local, i.source);
        if (!i.typeOnly && !ix.values.has(x.local)) ix.values.set(x.local, i.source);
      }
    }
    pkgImports.set(f, ix);
  }
  return (allowTypeOnly ? ix.all : ix.values).get(local);
}

/** A module-level variable, followed through relative imports. */
export function varDef(facts: FactIndex, file: string, name: string, depth = 0): { file: string; v: VarFact } | undefined {
  const f = facts.get(file);
  if (!f || depth > 4) return undefined;
  const v = f.vars.find((x) => x.name === name);
  if (v) return { file, v };
  const imp = importOf(f, name);
  if (!imp) return undefined;
  const target = resolveImport(facts, file, imp.source);
  if (!target) return undefined;
  const tf = facts.get(target);
  const local = imp.imported === 'default' ? tf?.exports.default ?? 'default' : tf?.exports[imp.imported] ?? imp.imported;
  return varDef(facts, target, local, depth + 1);
}

const GLOBALS: Record<string, Val> = { 'Number.MAX_SAFE_INTEGER': Number.MAX_SAFE_INTEGER, 'Number.POSITIVE_INFINITY': Infinity, Infinity: Infinity, 'Number.MAX_VALUE': Number.MAX_VALUE };

/**
 * A value with references replaced by what they hold, where statically known:
 * module constants (also imported ones), `this.x` fields and constructor-parameter
 * defaults, locals of the function. Anything else stays as it is.
 */
export function evaluate(facts: FactIndex, file: string, v: Val | undefined, fn?: FunctionFact, depth = 0): Val | undefined {
  if (v === undefined || depth > 6 || !v || typeof v !== 'object' || !('ref' in v)) return v;
  const ref = v.ref;
  if (ref in GLOBALS) return GLOBALS[ref];
  const path = ref.split('.');
  const f = facts.get(file);
  if (!f) return v;
  let base: Val | undefined;
  let rest: string[];
  let baseFile = file;
  if (path[0] === 'this' && path.length > 1) {
    const cls = f.classes.find((c) => c.name === fn?.thisClass);
    const prop = cls?.props.find((p) => p.name === path[1]);
    const param = cls?.ctorParams.find((p) => p.name === path[1]);
    base = prop?.init ?? param?.default;
    rest = path.slice(2);
    if (base === undefined) return v;
  } else if (fn && path[0] in fn.locals) {
    base = fn.locals[path[0]];
    rest = path.slice(1);
  } else {
    const def = varDef(facts, file, path[0]);
    if (!def || def.v.kind !== 'const' || def.v.init === undefined) return v;
    base = def.v.init;
    baseFile = def.file;
    rest = path.slice(1);
  }
  let cur = evaluate(facts, baseFile, base, baseFile === file ? fn : undefined, depth + 1);
  for (const k of rest) {
    if (!isObj(cur)) return v;
    cur = evaluate(facts, baseFile, objGet(cur, k), undefined, depth + 1);
  }
  return cur;
}

/** Reads a key path through an object value, evaluating references on the way. */
export function getPath(facts: FactIndex, file: string, v: Val | undefined, keys: string[], fn?: FunctionFact): Val | undefined {
  let cur = evaluate(facts, file, v, fn);
  for (const k of keys) {
    if (!isObj(cur)) return undefined;
    cur = evaluate(facts, file, objGet(cur, k), fn);
  }
  return cur;
}

export function numberOf(facts: FactIndex, file: string, v: Val | undefined, fn?: FunctionFact): number | undefined {
  const e = evaluate(facts, file, v, fn);
  return typeof e === 'number' ? e : undefined;
}

/** A construction of a package's client: `new Resend(...)`, `new S3Client({...})`, `axios.create({...})`. */
export interface Construction {
  file: string;
  line: number;
  endLine: number;
  pkg: string;
  /** Local constructor or factory: 'Resend', 'CircuitBreaker', 'axios.create'. */
  ctor: string;
  /** The imported name the constructor is ('default', 'S3Client'...). */
  imported: string;
  args: Val[];
  call: CallFact;
  /** The variable or property the instance is stored in, when simple. */
  name?: string;
}

const FACTORY = /^(create|extend|defaults)$/;
const memoCons = new WeakMap<FactIndex, Construction[]>();

export function constructions(facts: FactIndex): Construction[] {
  const hit = memoCons.get(facts);
  if (hit) return hit;
  const out: Construction[] = [];
  for (const f of facts.values()) {
    for (const c of f.calls) {
      if (c.root || !c.callee.length) continue;
      const local = c.callee[0];
      const pkg = pkgOfLocal(f, local);
      if (!pkg) continue;
      const imp = importOf(f, local)!;
      let imported = imp.imported;
      if (c.isNew) {
        if (c.callee.length === 2 && imp.imported === '*') imported = c.callee[1];
        else if (c.callee.length !== 1) continue;
      } else if (!(c.callee.length === 2 && FACTORY.test(c.callee[1]))) continue;
      const name = f.vars.find((v) => v.line === c.line)?.name ?? f.classes.flatMap((k) => k.props).find((p) => p.line === c.line)?.name;
      out.push({ file: f.file, line: c.line, endLine: c.endLine, pkg, ctor: c.callee.join('.'), imported, args: c.args, call: c, ...(name ? { name } : {}) });
    }
  }
  memoCons.set(facts, out);
  return out;
}

/** The construction a call on an instance goes through: `this.resend.emails.send` → `new Resend(...)`. */
export function receiverConstruction(facts: FactIndex, file: string, call: CallFact): Construction | undefined {
  const f = facts.get(file);
  if (!f || call.root || call.callee.length < 2) return undefined;
  const all = constructions(facts);
  const fn = fnOf(f, call.fn);
  const head = call.callee[0];
  if (head === 'this') {
    const cls = f.classes.find((c) => c.name === fn?.thisClass);
    const name = call.callee[1];
    const prop = cls?.props.find((p) => p.name === name);
    if (prop) {
      const hit = all.find((c) => c.file === file && c.line === prop.line);
      if (hit) return hit;
    }
    const param = cls?.ctorParams.find((p) => p.name === name);
    const typePkg = param?.type ? pkgOfLocal(f, param.type.split('.')[0], true) : undefined;
    if (typePkg) return uniqueOf(all.filter((c) => c.pkg === typePkg));
    return undefined;
  }
  if (fn && head in fn.locals) {
    const inFn = all.filter((c) => c.file === file && c.line >= fn.line && c.line <= call.line && c.name === undefined);
    const init = fn.locals[head];
    if (init && typeof init === 'object' && ('new' in init || 'call' in init)) return inFn[inFn.length - 1];
    return undefined;
  }
  const def = varDef(facts, file, head);
  if (def) return all.find((c) => c.file === def.file && c.line === def.v.line);
  return undefined;
}

function uniqueOf<T>(list: T[]): T | undefined {
  return list.length === 1 ? list[0] : undefined;
}

/** An options object the rule can read: absent, or a literal object without spread. */
export function readableOptions(v: Val | undefined): boolean {
  if (v === undefined || v === null) return true;
  return isObj(v) && !(v as { spread?: boolean }).spread;
}

/** How long a runtime lets one request or invocation run: a Lambda's timeout, capped by API Gateway's 29 s for HTTP. */
export interface Budget {
  runtime: string;
  ms: number;
  /** "the Lambda's 29 s timeout", "API Gateway's 29 s integration limit". */
  what: string;
  evidence: Location;
}

export function runtimeBudgets(model: Model, code: CodeIndex): Map<string, Budget> {
  const out = new Map<string, Budget>();
  for (const r of code.infra.runtimes ?? []) {
    if (r.timeoutSec === undefined || !(r.timeoutSec > 0)) continue;
    const id = `runtime:${r.name}`;
    if (!model.nodes.some((n) => n.id === id)) continue;
    const ev = r.evidence[0];
    const cfg = ev ? code.configs.find((c) => c.rel === ev.file) : undefined;
    const tLine = cfg ? cfg.lineOf(`timeout: ${r.timeoutSec}`) : 0;
    const evidence: Location = ev ? { file: ev.file, line: tLine > 0 ? tLine : ev.line } : { file: '', line: 1 };
    const sec = r.tech === 'aws-lambda' && r.proxiesHttp && r.timeoutSec > 29 ? 29 : r.timeoutSec;
    const what = sec < r.timeoutSec ? "API Gateway's 29 s integration limit" : r.tech === 'aws-lambda' ? `the Lambda's ${sec} s timeout` : `the runtime's ${sec} s timeout`;
    out.set(id, { runtime: id, ms: sec * 1000, what, evidence });
  }
  return out;
}

export function secs(ms: number): string {
  if (ms >= 60000 && ms % 60000 === 0) return `${ms / 60000} min`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

// asked per finding by several rules: the request entrypoints of a model are collected once
const requestIds = new WeakMap<readonly ModelNode[], Set<string>>();

/** HTTP/WebSocket entrypoints: the request path. */
export function requestEntrypoints(model: Model, eps: string[]): string[] {
  let http = requestIds.get(model.nodes);
  if (!http) {
    http = new Set(model.nodes.filter((n) => n.kind === 'entrypoint' && (n.trigger === 'http' || n.trigger === 'websocket')).map((n) => n.id));
    requestIds.set(model.nodes, http);
  }
  return eps.filter((e) => http.has(e));
}

export function sortLocations(list: Location[]): Location[] {
  const seen = new Map<string, Location>();
  for (const l of list) if (!seen.has(`${l.file}:${l.line}`)) seen.set(`${l.file}:${l.line}`, l);
  return [...seen.values()].sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
}

/** A function label without line numbers, for fingerprints: inline callbacks are named after the function they sit in. */
export function stableLabel(f: FileFacts | undefined, fn: FunctionFact): string {
  if (fn.name !== '<anon>') return fn.className ? `${fn.className}.${fn.name}` : fn.name;
  const named = f ? namedFnOf(f, fn.id) : undefined;
  return named && named !== fn && named.name !== '<anon>' ? `${named.className ? `${named.className}.` : ''}${named.name} callback` : `callback in ${f?.file ?? ''}`;
}
