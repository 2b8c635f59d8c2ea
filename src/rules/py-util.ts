// Python helpers for rules: what an imported name is (`from slowapi import Limiter`,
// `import redis` then `redis.Redis(...)`), keyword arguments of a call, and values that
// live in another module (`settings.CORS_ORIGINS` → the pydantic-settings default).
import type { CallFact, DecoratorFact, FactIndex, FileFacts, Val } from '../extract/facts.js';
import { pyIndex } from '../link/python-eval.js';

export function isPy(file: string): boolean {
  return file.endsWith('.py');
}

/** The import that binds `local` in a Python file: the module and the imported name ('*' for `import m`). */
export function pyImportOf(f: FileFacts, local: string): { source: string; imported: string } | undefined {
  for (let i = f.imports.length - 1; i >= 0; i--) {
    const n = f.imports[i].names.find((x) => x.local === local);
    if (n) return { source: f.imports[i].source, imported: n.imported };
  }
  return undefined;
}

/** The top-level package of a module (`fastapi.middleware.cors` → fastapi). */
export function pyPackage(source: string): string {
  return source.replace(/^\.+/, '').split('.')[0];
}

/**
 * Does a chain name something from one of `pkgs`? `Limiter(...)` with `from slowapi import Limiter`
 * → { pkg: 'slowapi', module: 'slowapi', name: 'Limiter', member: [] }; `redis.Redis(...)` with
 * `import redis` → { pkg: 'redis', name: 'Redis' }.
 */
export function pyNameFrom(f: FileFacts, chain: string[], pkgs: readonly string[]): { pkg: string; module: string; name: string; member: string[] } | undefined {
  if (!chain.length || chain[0] === '()') return undefined;
  const imp = pyImportOf(f, chain[0]);
  if (!imp) return undefined;
  const pkg = pyPackage(imp.source);
  if (imp.source.startsWith('.') || !pkgs.includes(pkg)) return undefined;
  if (imp.imported === '*') return { pkg, module: chain.length > 2 ? `${imp.source}.${chain.slice(1, -1).join('.')}` : imp.source, name: chain[chain.length - 1] ?? '', member: chain.slice(1) };
  return { pkg, module: imp.source, name: imp.imported, member: chain.slice(1) };
}

export function pyCalleeFrom(f: FileFacts, call: CallFact, pkgs: readonly string[]): { pkg: string; module: string; name: string; member: string[] } | undefined {
  if (call.root) return undefined;
  return pyNameFrom(f, call.callee, pkgs);
}

/** Keyword arguments of a call or decorator (the trailing `{ obj, kwargs: true }`). */
export function kw(args: readonly Val[]): Record<string, Val> {
  const last = args[args.length - 1];
  return last && typeof last === 'object' && 'obj' in last && (last as { kwargs?: boolean }).kwargs ? last.obj : {};
}

export function hasKwSpread(args: readonly Val[]): boolean {
  const last = args[args.length - 1];
  return !!last && typeof last === 'object' && 'obj' in last && !!(last as { kwargs?: boolean; spread?: boolean }).kwargs && !!(last as { spread?: boolean }).spread;
}

export function pos(args: readonly Val[]): Val[] {
  const last = args[args.length - 1];
  return last && typeof last === 'object' && 'obj' in last && (last as { kwargs?: boolean }).kwargs ? args.slice(0, -1) : [...args];
}

/** A value with module-level and settings references replaced by what they hold (statically). */
export function pyEval(facts: FactIndex, file: string, v: Val | undefined, fnId?: string): Val | undefined {
  const f = facts.get(file);
  const fn = fnId && f ? f.functions.find((x) => x.id === fnId) : undefined;
  return pyIndex(facts).evaluate(file, v, fn);
}

/** The module-level definition a name of a Python file refers to (following imports). */
export function pyDefinition(facts: FactIndex, file: string, name: string) {
  return pyIndex(facts).definition(file, name);
}

/** A decorator's package (`@celery_app.task` → celery, `@retry(...)` from tenacity → tenacity). */
export function decoratorFrom(facts: FactIndex, f: FileFacts, d: DecoratorFact, pkgs: readonly string[]): { pkg: string; name: string } | undefined {
  const chain = d.callee ?? [d.name];
  const direct = pyNameFrom(f, chain, pkgs);
  if (direct) return { pkg: direct.pkg, name: chain[chain.length - 1] };
  if (chain.length < 2) return undefined;
  // @app.task where app = Celery(...) in this or another module
  const def = pyDefinition(facts, f.file, chain[0]);
  if (def?.kind !== 'var' || !def.v.init || typeof def.v.init !== 'object' || !('call' in def.v.init)) return undefined;
  const df = facts.get(def.file);
  const head = def.v.init.call.split('.');
  const src = df ? pyNameFrom(df, head, pkgs) : undefined;
  return src ? { pkg: src.pkg, name: chain[chain.length - 1] } : undefined;
}

/**
 * Django-style split settings (base.py / production.py): does another settings module assign
 * `name` a value that `safe` accepts? Then the value in `file` is a development default.
 */
export function pySettingOverridden(facts: FactIndex, file: string, name: string, safe: (v: Val | undefined) => boolean): boolean {
  for (const f of facts.values()) {
    if (f.file === file || !f.file.endsWith('.py') || /(^|\/)(tests?|testing)(\/|$)|(^|\/)(test|tests|local|dev|development)\.py$/.test(f.file)) continue;
    for (const v of f.vars) if (v.name === name && safe(v.init)) return true;
  }
  return false;
}
