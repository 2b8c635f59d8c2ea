// Small cross-file helpers for rules that recognise package APIs by their imports
// (express-rate-limit, cors, express-session, socket.io, bullmq...) and follow a
// module-level name to its definition. Not a rule module (leading underscore).
import path from 'node:path';
import type { CallFact, FactIndex, FileFacts, Val, VarFact } from '../../extract/facts.js';

interface ImportBinding {
  source: string;
  imported: string;
  /** packageOf(source), once asked */
  pkg?: string | null;
}

// Rules resolve the callee of nearly every call site through its file's imports, many rules
// over, so each file's value imports are indexed once: local name → the first import binding it.
const bindingsByFile = new WeakMap<FileFacts, Map<string, ImportBinding>>();

function importBindings(f: FileFacts): Map<string, ImportBinding> {
  let m = bindingsByFile.get(f);
  if (m) return m;
  m = new Map();
  for (const imp of f.imports) {
    if (imp.typeOnly) continue;
    for (const n of imp.names) if (!m.has(n.local)) m.set(n.local, { source: imp.source, imported: n.imported });
  }
  bindingsByFile.set(f, m);
  return m;
}

/** The import that binds `local` in a file: its source package/path and imported name. */
export function importOf(f: FileFacts, local: string): { source: string; imported: string } | undefined {
  const b = importBindings(f).get(local);
  return b ? { source: b.source, imported: b.imported } : undefined;
}

/** Package a source specifier names ('@scope/x/sub' → '@scope/x'), undefined for relative paths. */
export function packageOf(source: string): string | undefined {
  if (source.startsWith('.') || source.startsWith('/')) return undefined;
  const parts = source.replace(/^node:/, '').split('/');
  return source.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Whether any value import of the file comes from one of `pkgs`: when not, calleeFrom(f, c, pkgs) is undefined for every call of it. */
export function importsAnyOf(f: FileFacts, pkgs: readonly string[]): boolean {
  for (const b of importBindings(f).values()) {
    if (b.pkg === undefined) b.pkg = packageOf(b.source) ?? null;
    if (b.pkg && pkgs.includes(b.pkg)) return true;
  }
  return false;
}

/**
 * Does a call's callee come from one of `pkgs`? Returns the imported name and the member path
 * after it: `rateLimit({...})` with `import { rateLimit } from 'express-rate-limit'` → { imported: 'rateLimit', member: [] }.
 */
export function calleeFrom(f: FileFacts, call: CallFact, pkgs: readonly string[]): { pkg: string; imported: string; member: string[] } | undefined {
  if (call.root || !call.callee.length) return undefined;
  const imp = importBindings(f).get(call.callee[0]);
  if (!imp) return undefined;
  if (imp.pkg === undefined) imp.pkg = packageOf(imp.source) ?? null;
  const pkg = imp.pkg;
  if (!pkg || !pkgs.includes(pkg)) return undefined;
  return { pkg, imported: imp.imported, member: call.callee.slice(1) };
}

/** Files that import any of the packages. */
export function filesImporting(facts: FactIndex, pkgs: readonly string[]): FileFacts[] {
  return [...facts.values()].filter((f) => f.imports.some((i) => !i.typeOnly && pkgs.includes(packageOf(i.source) ?? '')));
}

const EXTS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

/** A relative import specifier → a scanned file. */
export function resolveRelative(facts: FactIndex, fromFile: string, source: string): string | undefined {
  if (!source.startsWith('.')) return undefined;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), source));
  const stem = base.replace(/\.(js|mjs|cjs|jsx)$/, '');
  for (const cand of [base, ...EXTS.map((e) => stem + e), ...EXTS.map((e) => `${stem}/index${e}`)]) if (facts.has(cand)) return cand;
  return undefined;
}

/** A module-level variable visible under `name` in a file, following relative imports (and `export { x }`). */
export function resolveVar(facts: FactIndex, file: string, name: string, depth = 0): { file: string; v: VarFact } | undefined {
  const f = facts.get(file);
  if (!f || depth > 6) return undefined;
  const v = f.vars.find((x) => x.name === name);
  if (v) return { file, v };
  const imp = importOf(f, name);
  if (!imp) return undefined;
  const target = resolveRelative(facts, file, imp.source);
  if (!target) return undefined;
  const tf = facts.get(target);
  const local = tf?.exports[imp.imported] ?? imp.imported;
  return resolveVar(facts, target, local, depth + 1);
}

/** A value with module-level refs replaced by their initializers where that is simple (`QUEUE_NAMES.exports` → 'exports'). */
export function resolveVal(facts: FactIndex, file: string, v: Val | undefined, depth = 0): Val | undefined {
  if (!v || typeof v !== 'object' || depth > 4 || !('ref' in v)) return v;
  const [head, ...rest] = v.ref.split('.');
  const def = resolveVar(facts, file, head);
  if (!def || !def.v.init) return v;
  let cur: Val | undefined = resolveVal(facts, def.file, def.v.init, depth + 1);
  for (const k of rest) {
    if (!cur || typeof cur !== 'object' || !('obj' in cur)) return v;
    cur = resolveVal(facts, def.file, cur.obj[k], depth + 1);
  }
  return cur ?? v;
}

/** The string a value stands for, following module-level constants. */
export function stringOf(facts: FactIndex, file: string, v: Val | undefined): string | undefined {
  const r = resolveVal(facts, file, v);
  return typeof r === 'string' ? r : undefined;
}

/** The object literal a value stands for (following module-level constants), or undefined. */
export function objectOf(facts: FactIndex, file: string, v: Val | undefined): { obj: Record<string, Val>; spread?: boolean } | undefined {
  const r = resolveVal(facts, file, v);
  return r && typeof r === 'object' && 'obj' in r ? r : undefined;
}

/** Directory of the nearest package.json above a file ('' = repository root). */
export function packageDirOf(pkgDirs: readonly string[], file: string): string {
  let best = '';
  for (const d of pkgDirs) if ((d === '' || file.startsWith(d + '/')) && d.length >= best.length) best = d;
  return best;
}

export function packageDirs(configs: readonly { rel: string }[]): string[] {
  return configs.filter((c) => /(^|\/)package\.json$/.test(c.rel) && !c.rel.includes('node_modules/')).map((c) => (c.rel.includes('/') ? c.rel.slice(0, c.rel.lastIndexOf('/')) : ''));
}

/** A short, stable rendering of a value for fingerprints and messages. */
export function valText(v: Val | undefined): string {
  if (v === undefined) return 'undefined';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if ('env' in v) return `process.env.${v.env}`;
  if ('ref' in v) return v.ref;
  if ('call' in v) return `${v.call}(…)`;
  if ('new' in v) return `new ${v.new}(…)`;
  if ('fn' in v) return 'function';
  if ('arr' in v) return `[${v.arr.map(valText).join(', ')}]`;
  if ('obj' in v) return `{ ${Object.keys(v.obj).join(', ')} }`;
  if ('tpl' in v) return `\`${v.tpl}\``;
  return '…';
}

/**
 * Calls written inside class decorators — `@Module({ imports: [ThrottlerModule.forRoot({...}), BullModule.registerQueue({...})] })` —
 * which the extractor summarises but does not record as call sites. Returned as call facts at the decorator's line.
 */
export function decoratorCalls(f: FileFacts): CallFact[] {
  const out: CallFact[] = [];
  const walk = (v: Val | undefined, line: number, depth: number) => {
    if (!v || typeof v !== 'object' || depth > 8) return;
    if ('call' in v) {
      if (!v.call.startsWith('()')) {
        out.push({
          fn: '<module>', callee: v.call.split('.'), line, endLine: line, args: v.args, isNew: false, awaited: false, returned: false,
          floating: false, caught: false, inLoop: false, inPromiseAllMap: false, inTransaction: false, order: 0,
        });
      }
      v.args.forEach((a) => walk(a, line, depth + 1));
    } else if ('new' in v) v.args.forEach((a) => walk(a, line, depth + 1));
    else if ('obj' in v) Object.values(v.obj).forEach((x) => walk(x, line, depth + 1));
    else if ('arr' in v) v.arr.forEach((x) => walk(x, line, depth + 1));
  };
  for (const cls of f.classes) for (const d of cls.decorators) d.args.forEach((a) => walk(a, d.line, 0));
  return out;
}
