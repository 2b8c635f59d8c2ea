// Python values across files for code that has the facts but not the linker (capacity,
// rules): where a name is defined (following `import`/`from ... import`, submodules,
// `from x import *`), and what a value holds when it is statically known — module
// constants, pydantic-settings fields (`settings.DB_POOL_SIZE` with `settings = Settings()`
// and `DB_POOL_SIZE: int = 10`), env reads with their defaults. Cached per scan.
import type { ClassFact, FactIndex, FileFacts, FunctionFact, Val, VarFact } from '../extract/facts.js';
import { importedTopNames, PyModules } from './python-modules.js';

export type PyDef =
  | { kind: 'var'; file: string; v: VarFact }
  | { kind: 'fn'; file: string; fn: FunctionFact }
  | { kind: 'class'; file: string; cls: ClassFact }
  | { kind: 'module'; file: string }
  | { kind: 'pkg'; pkg: string; name: string };

export class PyIndex {
  readonly mods: PyModules;
  constructor(readonly facts: FactIndex) {
    this.mods = new PyModules(facts.keys(), importedTopNames(facts.values()));
  }

  /** What a module-level name of a file is. */
  definition(file: string, name: string, depth = 0): PyDef | undefined {
    const f = this.facts.get(file);
    if (!f || depth > 10) return undefined;
    const cls = f.classes.find((c) => c.name === name);
    if (cls) return { kind: 'class', file, cls };
    const fn = f.functions.find((x) => x.id === name && !x.className);
    if (fn) return { kind: 'fn', file, fn };
    const v = f.vars.find((x) => x.name === name);
    if (v) return { kind: 'var', file, v };
    for (let i = f.imports.length - 1; i >= 0; i--) {
      const imp = f.imports[i];
      const spec = imp.names.find((n) => n.local === name);
      if (!spec) continue;
      if (spec.imported === '*') {
        const t = this.mods.resolve(file, imp.source);
        return t ? { kind: 'module', file: t } : { kind: 'pkg', pkg: imp.source.split('.')[0], name: '*' };
      }
      const sub = this.mods.submodule(file, imp.source, spec.imported);
      if (sub && sub !== file) return { kind: 'module', file: sub };
      const t = this.mods.resolve(file, imp.source);
      if (t && t !== file) return this.definition(t, spec.imported, depth + 1);
      return t ? undefined : { kind: 'pkg', pkg: imp.source.replace(/^\.+/, '').split('.')[0], name: spec.imported };
    }
    for (const re of f.reexports) {
      if (re.names) continue;
      const t = this.mods.resolve(file, re.source);
      if (t && t !== file) {
        const d = this.definition(t, name, depth + 1);
        if (d) return d;
      }
    }
    return undefined;
  }

  /** A dotted reference (`settings.DB_POOL_SIZE`, `config.TIMEOUT`) → its definition's value, when known. */
  evaluate(file: string, v: Val | undefined, fn?: FunctionFact, depth = 0): Val | undefined {
    if (v === undefined || depth > 6) return v;
    if (!v || typeof v !== 'object') return v;
    if ('ref' in v) {
      const [head, ...rest] = v.ref.split('.');
      if (fn && head in fn.locals) return this.navigate(file, this.evaluate(file, fn.locals[head], fn, depth + 1), rest, depth);
      const d = this.definition(file, head);
      if (!d) return v;
      if (d.kind === 'var') return this.navigate(d.file, this.evaluate(d.file, d.v.init, undefined, depth + 1), rest, depth) ?? v;
      if (d.kind === 'module' && rest.length) return this.evaluate(d.file, { ref: rest.join('.') }, undefined, depth + 1);
      if (d.kind === 'class' && rest.length) return this.classAttr(d.file, d.cls, rest, depth);
      return v;
    }
    if ('call' in v && /^(int|float|str|bool)$/.test(v.call) && v.args.length === 1) {
      const inner = this.evaluate(file, v.args[0], fn, depth + 1);
      if (v.call === 'int' || v.call === 'float') {
        if (typeof inner === 'string' && /^-?\d+(\.\d+)?$/.test(inner)) return Number(inner);
        if (inner && typeof inner === 'object' && 'env' in inner) return { env: inner.env, default: typeof inner.default === 'string' && /^-?\d+(\.\d+)?$/.test(inner.default) ? Number(inner.default) : inner.default };
      }
      return inner;
    }
    return v;
  }

  private classAttr(file: string, cls: ClassFact, rest: string[], depth: number): Val | undefined {
    const prop = cls.props.find((p) => p.name === rest[0]);
    if (!prop || prop.init === undefined) return undefined;
    // a pydantic-settings field: the environment overrides the default
    const f = this.facts.get(file);
    const env = f?.envReads.find((r) => r.target === `${cls.name}.${prop.name}`);
    const value = this.evaluate(file, prop.init, undefined, depth + 1);
    const out: Val | undefined = env ? { env: env.name, ...(value !== undefined ? { default: value } : {}) } : value;
    return rest.length > 1 ? this.navigate(file, out, rest.slice(1), depth) : out;
  }

  private navigate(file: string, v: Val | undefined, rest: string[], depth: number): Val | undefined {
    if (!rest.length) return v;
    if (v && typeof v === 'object' && 'obj' in v) return this.navigate(file, v.obj[rest[0]], rest.slice(1), depth);
    // settings = Settings() / get_settings(): the class's attributes
    if (v && typeof v === 'object' && 'call' in v) {
      const d = this.definition(file, v.call.split('.')[0]);
      if (d?.kind === 'class') return this.classAttr(d.file, d.cls, rest, depth);
      if (d?.kind === 'fn' && d.fn.returns?.[0]) return this.navigate(d.file, this.evaluate(d.file, d.fn.returns[0], d.fn, depth + 1), rest, depth + 1);
    }
    return undefined;
  }
}

const CACHE = new WeakMap<FactIndex, PyIndex>();

export function pyIndex(facts: FactIndex): PyIndex {
  let hit = CACHE.get(facts);
  if (!hit) CACHE.set(facts, (hit = new PyIndex(facts)));
  return hit;
}

export function isPy(f: FileFacts | string): boolean {
  return (typeof f === 'string' ? f : f.file).endsWith('.py');
}
