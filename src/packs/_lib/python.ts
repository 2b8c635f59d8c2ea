// Helpers for the Python packs: keyword arguments (the extractor gathers them into one
// trailing `{ obj, kwargs: true }` argument), seconds → milliseconds, constructor names
// without the module prefix (`import redis; redis.Redis(...)` gives ctor '*.Redis').
import type { FileFacts, FunctionFact, Val } from '../../extract/facts.js';
import type { EntrypointLink, Instance } from '../types.js';

export function isKwargs(v: Val | undefined): v is { obj: Record<string, Val>; kwargs: true; spread?: boolean } {
  return !!v && typeof v === 'object' && 'obj' in v && (v as { kwargs?: boolean }).kwargs === true;
}

/** Keyword arguments of a call (empty when none). */
export function kwargs(args: readonly Val[] | undefined): Record<string, Val> {
  const last = args?.[args.length - 1];
  return isKwargs(last) ? last.obj : {};
}

/** Keyword arguments passed through `**options`: the values are not all known. */
export function kwSpread(args: readonly Val[] | undefined): boolean {
  const last = args?.[args.length - 1];
  return isKwargs(last) && !!last.spread;
}

/** Positional arguments (without the keyword object). */
export function positional(args: readonly Val[] | undefined): Val[] {
  if (!args) return [];
  return isKwargs(args[args.length - 1]) ? args.slice(0, -1) : [...args];
}

/** A keyword argument, or the positional one at `index` when given positionally. */
export function arg(args: readonly Val[] | undefined, name: string, index?: number): Val | undefined {
  const k = kwargs(args);
  if (name in k) return k[name];
  return index === undefined ? undefined : positional(args)[index];
}

/** The constructor path without the namespace marker: '*.Redis.from_url' → 'Redis.from_url'. */
export function ctorPath(inst: Instance | undefined): string {
  if (!inst) return '';
  return inst.ctor.replace(/^(\*|default)\./, '');
}

/** The first segment of the constructor: 'Redis' for 'Redis.from_url'. */
export function ctorHead(inst: Instance | undefined): string {
  return ctorPath(inst).split('.')[0];
}

/** A duration in seconds (Python convention) → milliseconds; undefined when not a literal number. */
export function secondsToMs(v: Val | undefined): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.round(v * 1000);
  return undefined;
}

export function isPythonFile(file: string): boolean {
  return file.endsWith('.py');
}

/** The module an imported local name comes from, in a Python file. */
export function pyImportOf(f: FileFacts, local: string): { source: string; imported: string } | undefined {
  for (let i = f.imports.length - 1; i >= 0; i--) {
    const n = f.imports[i].names.find((x) => x.local === local);
    if (n) return { source: f.imports[i].source, imported: n.imported };
  }
  return undefined;
}

/** Route path params: `/items/{item_id}` and `/files/{path:path}` → `/items/:item_id`, `/files/:path`; Flask `<int:id>` → `:id`. */
export function normalizeRoutePath(p: string): string {
  let out = p.replace(/\{([A-Za-z_]\w*)(?::[^}]*)?\}/g, ':$1').replace(/<(?:[\w.]+:)?([A-Za-z_]\w*)>/g, ':$1');
  out = out.replace(/\/+/g, '/');
  if (!out.startsWith('/')) out = '/' + out;
  if (out.length > 1) out = out.replace(/\/$/, '');
  return out;
}

export function joinPaths(...parts: string[]): string {
  return normalizeRoutePath(parts.filter((p) => p !== '' && p !== '/').join('/') || '/');
}

/** `https://api.stripe.com/v1` → api.stripe.com; `f"{settings.PAYMENTS_URL}/charge"` with an env read → payments; a settings attribute `settings.BILLING_API_URL` → billing-api. */
export function pyHostOf(v: Val | undefined): string | undefined {
  if (typeof v === 'string') {
    const m = /^[a-z]+:\/\/([^/:?#]+)/i.exec(v);
    return m ? m[1].toLowerCase() : undefined;
  }
  if (!v || typeof v !== 'object') return undefined;
  if ('env' in v) return (typeof v.default === 'string' ? pyHostOf(v.default) : undefined) ?? pyEnvStem(v.env);
  if ('tpl' in v) {
    if (v.tpl.startsWith('${}')) return pyHostOf(v.parts[0]);
    return pyHostOf(v.tpl.replace(/\$\{\}/g, 'x'));
  }
  if ('concat' in v) return pyHostOf(v.concat[0]);
  if ('ref' in v) {
    const last = v.ref.split('.').pop() ?? '';
    return /^[A-Z][A-Z0-9_]*(URL|URI|HOST|ENDPOINT)$/.test(last) || /_(url|uri|host|endpoint)$/.test(last) ? pyEnvStem(last.toUpperCase()) : undefined;
  }
  return undefined;
}

export function pyEnvStem(name: string): string {
  return name.replace(/_(BASE_URL|API_URL|URL|URI|HOST|ENDPOINT)$/i, '').toLowerCase().replace(/_/g, '-');
}

/**
 * A project decorator factory that applies a package's decorator inside (polar's
 * `def actor(**options): def decorator(fn): ...; dramatiq.actor(_wrapped, **options)`): the
 * factory function itself or a function nested in it calls `pkg`'s `exportName` (directly or
 * under an import alias). Two levels of nesting are looked at, as a factory needs.
 */
export function factoryApplies(link: EntrypointLink, file: string, factory: FunctionFact, pkg: string, exportName: string): boolean {
  const facts = link.facts(file);
  if (!facts) return false;
  const scope = new Set([factory.id]);
  for (let depth = 0; depth < 2; depth++) for (const x of facts.functions) if (x.parent && scope.has(x.parent)) scope.add(x.id);
  return facts.calls.some((c) => {
    if (!scope.has(c.fn) || !c.callee.length) return false;
    const r = link.resolve?.(file, { ref: c.callee.join('.') }, c.fn);
    return r?.kind === 'export' && r.pkg === pkg && (r.exportName === exportName || r.exportName.endsWith(`.${exportName}`));
  });
}
