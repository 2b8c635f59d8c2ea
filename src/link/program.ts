// Cross-file knowledge: module resolution (oxc-resolver, as the TypeScript compiler
// would, without the scanned repo's node_modules) and symbol lookup through imports,
// re-exports and module-level instances.
import fs from 'node:fs';
import path from 'node:path';
import { ResolverFactory } from 'oxc-resolver';
import type { ClassFact, FactIndex, FileFacts, FunctionFact, Val, VarFact } from '../extract/facts.js';
import { toRel } from '../shared/paths.js';
import { stripJsonComments } from '../walk/config-files.js';
import { importedTopNames, PyModules, pyPackageName } from './python-modules.js';

export type Sym =
  | { kind: 'class'; file: string; cls: ClassFact }
  | { kind: 'fn'; file: string; fn: FunctionFact }
  | { kind: 'var'; file: string; v: VarFact }
  | { kind: 'pkg'; pkg: string; name: string }
  | { kind: 'global'; name: string };

const GENERATED_PRISMA = /(^|\/)(generated\/prisma|prisma\/generated|\.prisma\/client)(\/(client|index|edge|default))?(\.[cm]?[jt]s)?$/;
const RESOLVE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.json'];
/** As the TypeScript compiler resolves: `.js` specifiers find their `.ts` sources, import/require conditions, no symlinks out of the tree. */
const RESOLVER_OPTIONS = {
  extensions: RESOLVE_EXTENSIONS,
  extensionAlias: { '.js': ['.ts', '.tsx', '.js'], '.mjs': ['.mts', '.mjs'], '.cjs': ['.cts', '.cjs'] },
  conditionNames: ['import', 'require', 'node', 'default', 'types'],
  mainFields: ['module', 'main', 'types'],
  symlinks: false,
};

export interface WorkspacePackage {
  name: string;
  dir: string; // rel
}

export class Program {
  private readonly fnByFile = new Map<string, Map<string, FunctionFact>>();
  private readonly resolvers = new Map<string, ResolverFactory>();
  private readonly resolveCache = new Map<string, string | null>();
  private readonly workspaceByName = new Map<string, WorkspacePackage>();
  readonly unresolved: { file: string; line: number; what: string }[] = [];
  /** Python module resolution (dotted and relative modules → .py files). */
  readonly py: PyModules;

  constructor(readonly root: string, readonly files: FactIndex, readonly tsconfigDirs: string[], workspaces: WorkspacePackage[]) {
    for (const f of files.values()) this.fnByFile.set(f.file, new Map(f.functions.map((fn) => [fn.id, fn])));
    for (const w of workspaces) this.workspaceByName.set(w.name, w);
    this.py = new PyModules(files.keys(), importedTopNames(files.values()));
  }

  fn(file: string, id: string): FunctionFact | undefined {
    return this.fnByFile.get(file)?.get(id);
  }

  /** The nearest tsconfig.json directory above a file ('' for the root, also when there is none): it decides paths/baseUrl. */
  private tsconfigDirOf(fileRel: string): string {
    let dir = path.posix.dirname(fileRel);
    for (;;) {
      if (this.tsconfigDirs.includes(dir === '.' ? '' : dir)) return dir === '.' ? '' : dir;
      if (dir === '.' || dir === '' || dir === '/') return '';
      dir = path.posix.dirname(dir);
    }
  }

  private resolverFor(fileRel: string): ResolverFactory {
    const chosen = this.tsconfigDirOf(fileRel);
    let r = this.resolvers.get(chosen);
    if (!r) {
      const configFile = path.join(this.root, chosen, 'tsconfig.json');
      r = new ResolverFactory({ ...RESOLVER_OPTIONS, tsconfig: fs.existsSync(configFile) ? { configFile, references: 'auto' } : undefined } as any);
      this.resolvers.set(chosen, r);
    }
    return r;
  }

  private readonly aliasResolvers = new Map<string, ResolverFactory>();

  /**
   * A resolver for the files under a tsconfig that oxc-resolver cannot load (its `extends` names a
   * workspace package that is not installed): the config's own `compilerOptions.paths` become
   * aliases (`"@/*": ["./*"]` → `@` → the config's baseUrl). oxc-resolver has no option to resolve
   * an `extends` through the workspace, so the file is read here (as text, never run). Paths with
   * a `*` inside a segment (`"*.css"`) and whatever the extended config declares are left out.
   */
  private aliasResolverFor(fileRel: string): ResolverFactory {
    const chosen = this.tsconfigDirOf(fileRel);
    let r = this.aliasResolvers.get(chosen);
    if (r) return r;
    const alias: Record<string, string[]> = {};
    try {
      const json = JSON.parse(stripJsonComments(fs.readFileSync(path.join(this.root, chosen, 'tsconfig.json'), 'utf8'))) as { compilerOptions?: { baseUrl?: unknown; paths?: Record<string, unknown> } };
      const opts = json.compilerOptions ?? {};
      const base = path.join(this.root, chosen, typeof opts.baseUrl === 'string' ? opts.baseUrl : '.');
      for (const [key, targets] of Object.entries(opts.paths ?? {})) {
        if (!Array.isArray(targets)) continue;
        const star = key.endsWith('/*');
        const name = star ? key.slice(0, -2) : key;
        if (!name || name.includes('*')) continue;
        const dirs = targets.filter((t): t is string => typeof t === 'string' && (star ? t.endsWith('/*') || t === '*' : !t.includes('*'))).map((t) => path.join(base, star ? t.replace(/\*$/, '') : t));
        if (dirs.length) alias[star ? name : `${name}$`] = dirs;
      }
    } catch {
      /* unreadable or not JSON: no aliases */
    }
    r = new ResolverFactory({ ...RESOLVER_OPTIONS, alias } as any);
    this.aliasResolvers.set(chosen, r);
    return r;
  }

  /** A source specifier → a scanned file (rel) or a package name. */
  resolveModule(fromRel: string, source: string): { file: string } | { pkg: string } {
    if (fromRel.endsWith('.py')) {
      const file = this.py.resolve(fromRel, source);
      return file ? { file } : { pkg: pyPackageName(source) || source };
    }
    const key = `${fromRel}\0${source}`;
    let hit = this.resolveCache.get(key);
    if (hit === undefined) {
      hit = this.resolveUncached(fromRel, source);
      this.resolveCache.set(key, hit);
    }
    if (hit) return { file: hit };
    // a Prisma client generated into the project (`output = "../src/generated/prisma"`) is not in the tree: it is @prisma/client
    if (GENERATED_PRISMA.test(source)) return { pkg: '@prisma/client' };
    return { pkg: packageName(source) };
  }

  private resolveUncached(fromRel: string, source: string): string | null {
    if (source.startsWith('node:')) return null;
    const dirAbs = path.join(this.root, path.posix.dirname(fromRel));
    const tryResolve = (dir: string, spec: string): string | null => {
      try {
        let r = this.resolverFor(fromRel).sync(dir, spec);
        // a tsconfig whose `extends` names an uninstalled package (a workspace's shared config) fails every lookup:
        // resolve with its own `paths` as aliases instead
        if (!r.path && /tsconfig/i.test(r.error ?? '')) r = this.aliasResolverFor(fromRel).sync(dir, spec);
        if (r.path && !r.path.includes(`${path.sep}node_modules${path.sep}`)) {
          const rel = toRel(this.root, r.path);
          if (!rel.startsWith('..') && this.files.has(rel)) return rel;
        }
      } catch {
        /* unresolvable: treated as a package */
      }
      return null;
    };
    const direct = tryResolve(dirAbs, source);
    if (direct) return direct;
    // workspace packages are not installed in the scanned repo: map names to folders
    const pkg = packageName(source);
    const ws = this.workspaceByName.get(pkg);
    if (ws) {
      const sub = source.slice(pkg.length).replace(/^\//, '');
      const base = path.join(this.root, ws.dir);
      for (const cand of sub ? [`./${sub}`, `./src/${sub}`] : ['.', './src/index', './src', './index']) {
        const r = tryResolve(base, cand);
        if (r) return r;
      }
    }
    return null;
  }

  // packs, the resolver and the tracer ask this for the receiver of nearly every call site;
  // a top-level answer depends only on (file, name) (nested lookups are bounded by depth).
  // By file, then name: no key string to build per question.
  private readonly lookupMemo = new Map<string, Map<string, Sym | undefined>>();

  /** What a name means at module level of a file. */
  lookup(file: string, name: string, depth = 0): Sym | undefined {
    if (depth > 0) return this.lookupUncached(file, name, depth);
    let names = this.lookupMemo.get(file);
    if (!names) this.lookupMemo.set(file, (names = new Map()));
    let hit = names.get(name);
    if (hit === undefined && !names.has(name)) {
      hit = this.lookupUncached(file, name, 0);
      names.set(name, hit);
    }
    return hit;
  }

  private lookupUncached(file: string, name: string, depth: number): Sym | undefined {
    const f = this.files.get(file);
    if (!f || depth > 12) return undefined;
    const cls = f.classes.find((c) => c.name === name);
    if (cls) return { kind: 'class', file, cls };
    const fn = f.functions.find((x) => x.id === name && !x.className);
    if (fn) return { kind: 'fn', file, fn };
    const v = f.vars.find((x) => x.name === name);
    if (v) {
      if (v.init && typeof v.init === 'object' && 'fn' in v.init) {
        const target = this.fn(file, v.init.fn);
        if (target) return { kind: 'fn', file, fn: target };
      }
      return { kind: 'var', file, v };
    }
    if (file.endsWith('.py')) return this.lookupPython(f, name, depth);
    for (const imp of f.imports) {
      const spec = imp.names.find((n) => n.local === name);
      if (!spec) continue;
      const target = this.resolveModule(file, imp.source);
      if ('pkg' in target && imp.source.startsWith('.') && target.pkg !== '@prisma/client') return this.noteUnresolved(file, imp.line, `import ${imp.source}: no such file in the scanned tree`);
      if ('pkg' in target) return { kind: 'pkg', pkg: target.pkg, name: spec.imported === '*' ? '*' : spec.imported };
      if (spec.imported === '*') return { kind: 'pkg', pkg: `file:${target.file}`, name: '*' };
      // a name that is no value there is a type or interface: nothing to link
      return this.lookupExport(target.file, spec.imported, depth + 1);
    }
    return undefined;
  }

  /** Python imports: `import m as x` / `from m import name`, where name may be a submodule; `from m import *`. */
  private readonly pyMemo = new Map<string, Sym | undefined>();
  private readonly pyBusy = new Set<string>();

  /** Memoized per file and name: package __init__ re-export chains are walked once. */
  private lookupPython(f: FileFacts, name: string, depth: number): Sym | undefined {
    const key = `${f.file}\0${name}`;
    if (this.pyMemo.has(key)) return this.pyMemo.get(key);
    if (this.pyBusy.has(key)) return undefined;
    this.pyBusy.add(key);
    try {
      const r = this.lookupPythonUncached(f, name, depth);
      this.pyMemo.set(key, r);
      return r;
    } finally {
      this.pyBusy.delete(key);
    }
  }

  private lookupPythonUncached(f: FileFacts, name: string, depth: number): Sym | undefined {
    const file = f.file;
    for (let i = f.imports.length - 1; i >= 0; i--) {
      const imp = f.imports[i];
      const spec = imp.names.find((n) => n.local === name);
      if (!spec) continue;
      if (spec.imported === '*') {
        const target = this.py.resolve(file, imp.source);
        if (target) return { kind: 'pkg', pkg: `file:${target}`, name: '*' };
        if (imp.source.startsWith('.')) return this.noteUnresolved(file, imp.line, `import ${imp.source}: no such file in the scanned tree`);
        return { kind: 'pkg', pkg: pyPackageName(imp.source), name: '*' };
      }
      const sub = this.py.submodule(file, imp.source, spec.imported);
      if (sub && sub !== file) return { kind: 'pkg', pkg: `file:${sub}`, name: '*' };
      const target = this.py.resolve(file, imp.source);
      if (target) return target === file ? undefined : this.lookupExport(target, spec.imported, depth + 1);
      if (imp.source.startsWith('.')) return this.noteUnresolved(file, imp.line, `from ${imp.source} import ${spec.imported}: no such file in the scanned tree`);
      return { kind: 'pkg', pkg: pyPackageName(imp.source), name: spec.imported };
    }
    // from .models import *
    for (const re of f.reexports) {
      if (re.names) continue;
      const t = this.py.resolve(file, re.source);
      if (!t || t === file) continue;
      const s = this.lookupExport(t, name, depth + 1);
      if (s) return s;
    }
    return undefined;
  }

  private readonly pyExportMemo = new Map<string, Sym | undefined>();

  lookupExport(file: string, exported: string, depth = 0): Sym | undefined {
    if (!file.endsWith('.py')) return this.lookupExportUncached(file, exported, depth);
    const key = `${file}\0${exported}`;
    if (this.pyExportMemo.has(key)) return this.pyExportMemo.get(key);
    if (this.pyBusy.has(`export\0${key}`)) return undefined;
    this.pyBusy.add(`export\0${key}`);
    try {
      const r = this.lookupExportUncached(file, exported, depth);
      this.pyExportMemo.set(key, r);
      return r;
    } finally {
      this.pyBusy.delete(`export\0${key}`);
    }
  }

  private lookupExportUncached(file: string, exported: string, depth = 0): Sym | undefined {
    const f = this.files.get(file);
    if (!f || depth > 12) return undefined;
    const local = f.exports[exported];
    if (local !== undefined) {
      const fn = f.functions.find((x) => x.id === local);
      if (fn) return { kind: 'fn', file, fn };
      return this.lookup(file, local, depth + 1);
    }
    for (const re of f.reexports) {
      if (re.names) {
        const n = re.names.find((x) => x.exported === exported);
        if (!n) continue;
        const t = this.resolveModule(file, re.source);
        if ('pkg' in t) return { kind: 'pkg', pkg: t.pkg, name: n.imported };
        return this.lookupExport(t.file, n.imported, depth + 1);
      }
    }
    for (const re of f.reexports) {
      if (re.names) continue;
      const t = this.resolveModule(file, re.source);
      if ('file' in t) {
        const s = this.lookupExport(t.file, exported, depth + 1);
        if (s) return s;
      }
    }
    // a package's submodule: `from app import models` with app/models.py
    if (file.endsWith('__init__.py')) {
      const sub = this.py.resolve(file, `.${exported}`);
      if (sub) return { kind: 'pkg', pkg: `file:${sub}`, name: '*' };
    }
    return undefined;
  }

  private readonly unresolvedKeys = new Set<string>();
  private noteUnresolved(file: string, line: number, what: string): undefined {
    const key = `${file}:${line}:${what}`;
    if (this.unresolvedKeys.has(key)) return undefined;
    this.unresolvedKeys.add(key);
    this.unresolved.push({ file, line, what });
    return undefined;
  }

  private readonly pyChainMemo = new Map<ClassFact, { classes: { file: string; cls: ClassFact }[]; pkgBase?: { pkg: string; name: string } }>();

  /**
   * Python: every base counts (`class Order(TimestampMixin, models.Model)`), in MRO-like order
   * (depth first, left to right); a base may be a module attribute (`models.Model` from a
   * project module) or an attribute of an instance (`db.Model` with `db = SQLAlchemy()`).
   */
  private pyClassChain(file: string, cls: ClassFact): { classes: { file: string; cls: ClassFact }[]; pkgBase?: { pkg: string; name: string } } {
    const hit = this.pyChainMemo.get(cls);
    if (hit) return hit;
    const classes: { file: string; cls: ClassFact }[] = [];
    let pkgBase: { pkg: string; name: string } | undefined;
    const seen = new Set<ClassFact>();
    const visit = (f: string, c: ClassFact, depth: number) => {
      if (seen.has(c) || depth > 8) return;
      seen.add(c);
      classes.push({ file: f, cls: c });
      const visitBase = (bf: string, base: string, aliasDepth: number) => {
        const [head, ...rest] = base.split('.');
        let sym = this.lookup(bf, head);
        for (const part of rest) {
          if (sym?.kind === 'pkg' && sym.pkg.startsWith('file:')) sym = this.lookupExport(sym.pkg.slice(5), part);
          else break;
        }
        if (!sym) return;
        if (sym.kind === 'class') visit(sym.file, sym.cls, depth + 1);
        else if (sym.kind === 'pkg' && !sym.pkg.startsWith('file:')) pkgBase ??= { pkg: sym.pkg, name: sym.name === 'default' || sym.name === '*' ? base : [sym.name, ...rest].join('.') };
        else if (sym.kind === 'var' && sym.v.init && typeof sym.v.init === 'object' && 'call' in sym.v.init) {
          // db.Model with db = SQLAlchemy(): the package the instance comes from
          const inner = this.lookup(sym.file, sym.v.init.call.split('.')[0]);
          if (inner?.kind === 'pkg' && !inner.pkg.startsWith('file:')) pkgBase ??= { pkg: inner.pkg, name: `${sym.v.init.call}.${rest.join('.')}` };
          // Flask-SQLAlchemy: SQLAlchemy(model_class=CRUDMixin) makes db.Model a subclass of CRUDMixin
          const mc = sym.v.init.args.find((a): a is { obj: Record<string, Val>; kwargs?: boolean } => !!a && typeof a === 'object' && 'kwargs' in a);
          const mcRef = mc?.obj.model_class;
          if (rest.join('.') === 'Model' && mcRef && typeof mcRef === 'object' && 'ref' in mcRef) visitBase(sym.file, mcRef.ref, aliasDepth + 1);
        } else if (sym.kind === 'var' && !rest.length && aliasDepth < 4 && sym.v.init && typeof sym.v.init === 'object' && 'ref' in sym.v.init) {
          // an alias: `Model = db.Model` in a database module, `Base = declarative_base()` re-exported
          visitBase(sym.file, sym.v.init.ref, aliasDepth + 1);
        }
      };
      for (const base of [c.superClass, ...c.implements].filter((b): b is string => !!b)) visitBase(f, base, 0);
    };
    visit(file, cls, 0);
    const out = { classes, ...(pkgBase ? { pkgBase } : {}) };
    this.pyChainMemo.set(cls, out);
    return out;
  }

  /** The class and its project superclasses, nearest first; ends at a package class if any. */
  classChain(file: string, cls: ClassFact): { classes: { file: string; cls: ClassFact }[]; pkgBase?: { pkg: string; name: string } } {
    if (file.endsWith('.py')) return this.pyClassChain(file, cls);
    const classes = [{ file, cls }];
    let cur = { file, cls };
    for (let i = 0; i < 8 && cur.cls.superClass; i++) {
      const sym = this.lookup(cur.file, cur.cls.superClass.split('.')[0]);
      if (!sym) break;
      if (sym.kind === 'pkg') return { classes, pkgBase: { pkg: sym.pkg, name: sym.name === 'default' || sym.name === '*' ? cur.cls.superClass : sym.name } };
      if (sym.kind !== 'class') break;
      cur = { file: sym.file, cls: sym.cls };
      classes.push(cur);
    }
    return { classes };
  }
}

export function packageName(source: string): string {
  if (source.startsWith('@')) return source.split('/').slice(0, 2).join('/');
  return source.split('/')[0];
}

export type { FileFacts };
