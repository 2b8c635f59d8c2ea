// Python module resolution without executing anything: a dotted module (`app.services.users`)
// or a relative one (`.models`, `..core.config`, `.`) → a scanned .py file. Absolute modules
// are looked up under the source roots — the directories a `python -m`/uvicorn/gunicorn
// process would have on sys.path: the repository root, the parent of every top-level package
// (a folder with __init__.py whose parent has none), the folder of an entry script (main.py,
// manage.py, app.py, wsgi.py, asgi.py…) outside any package, and conventional roots (src/,
// backend/, server/, api/, app/'s parent). A module found under several roots resolves to
// the root nearest the importing file. Anything else is a package: its top-level name.

const ENTRY_SCRIPT = /^(main|manage|app|application|wsgi|asgi|server|run|worker|celery_app|celery|tasks|bot|cli)\.py$/;
const CONVENTIONAL = ['src', 'backend', 'server', 'api', 'service', 'services', 'python', 'lib'];

function dirOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i < 0 ? '' : file.slice(0, i);
}

function join(dir: string, rest: string): string {
  return dir ? `${dir}/${rest}` : rest;
}

function isUnder(file: string, dir: string): boolean {
  return dir === '' || file.startsWith(dir + '/');
}

export class PyModules {
  private readonly files: Set<string>;
  private readonly dirs = new Set<string>();
  readonly roots: string[];
  private readonly cache = new Map<string, string | null>();

  /**
   * @param importedTops top-level names of the absolute imports the files make: a folder imported
   * as a package (`from app.x import y`) is not a source root even when it holds an entry script.
   */
  constructor(files: Iterable<string>, importedTops: ReadonlySet<string> = new Set()) {
    this.files = new Set([...files].filter((f) => f.endsWith('.py')));
    for (const f of this.files) for (let d = dirOf(f); ; d = dirOf(d)) {
      if (this.dirs.has(d)) break;
      this.dirs.add(d);
      if (d === '') break;
    }
    const roots = new Set<string>(['']);
    const isPkg = (d: string) => d !== '' && this.files.has(`${d}/__init__.py`);
    const inPackage = (d: string): boolean => {
      for (let up = dirOf(d); up !== ''; up = dirOf(up)) if (isPkg(up)) return true;
      return false;
    };
    for (const f of this.files) {
      const d = dirOf(f);
      if (f.endsWith('/__init__.py') || f === '__init__.py') {
        // the parent of the topmost package of this chain
        let top = d;
        while (isPkg(dirOf(top)) && dirOf(top) !== top) top = dirOf(top);
        roots.add(dirOf(top));
      } else if (ENTRY_SCRIPT.test(f.slice(d.length ? d.length + 1 : 0)) && !isPkg(d) && !inPackage(d) && !importedTops.has(d.slice(d.lastIndexOf('/') + 1))) roots.add(d);
      // (a folder without __init__.py below a package is a namespace subpackage — `config/settings/celery.py`
      // is `config.settings.celery`, not a script whose folder is on sys.path, where it would shadow the celery package)
    }
    for (const c of CONVENTIONAL) if (this.dirs.has(c) && !importedTops.has(c)) roots.add(c);
    // namespace packages (no __init__.py): `app/` used as `import app.x` from its parent
    for (const d of this.dirs) if (/(^|\/)app$/.test(d) && !isPkg(d)) roots.add(dirOf(d));
    this.roots = [...roots].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  }

  private readonly topCache = new Map<string, string[]>();
  /** Folders directly under a root that hold Python code, without tests/scripts/migrations. */
  topPackages(root: string): string[] {
    let hit = this.topCache.get(root);
    if (!hit) {
      const set = new Set<string>();
      for (const f of this.files) {
        if (!isUnder(f, root)) continue;
        const rel = root ? f.slice(root.length + 1) : f;
        const i = rel.indexOf('/');
        if (i > 0 && !NOT_CODE_TOP.test(rel.slice(0, i))) set.add(rel.slice(0, i));
      }
      hit = [...set].sort();
      this.topCache.set(root, hit);
    }
    return hit;
  }

  private readonly projectCache = new Map<string, string | undefined>();
  /** The folder under a root that holds most (≥ 60 %) of its Python code: the project package (saleor/, styleguide_example/). */
  projectPackage(root: string): string | undefined {
    if (this.projectCache.has(root)) return this.projectCache.get(root);
    const counts = new Map<string, number>();
    let total = 0;
    for (const f of this.files) {
      if (!isUnder(f, root)) continue;
      const rel = root ? f.slice(root.length + 1) : f;
      const i = rel.indexOf('/');
      if (i < 0) continue;
      const top = rel.slice(0, i);
      if (NOT_CODE_TOP.test(top)) continue;
      total++;
      counts.set(top, (counts.get(top) ?? 0) + 1);
    }
    const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
    const r = best && best[1] >= total * 0.6 ? best[0] : undefined;
    this.projectCache.set(root, r);
    return r;
  }

  has(file: string): boolean {
    return this.files.has(file);
  }

  /** The file a module path names under a directory: <dir>/<a>/<b>.py or <dir>/<a>/<b>/__init__.py. */
  private moduleAt(dir: string, dotted: string): string | undefined {
    const rel = join(dir, dotted.split('.').join('/'));
    if (this.files.has(rel + '.py')) return rel + '.py';
    if (this.files.has(rel + '/__init__.py')) return rel + '/__init__.py';
    return undefined;
  }

  /** A namespace package folder (no __init__.py) a module path names. */
  isNamespaceDir(dir: string, dotted: string): string | undefined {
    const rel = join(dir, dotted.split('.').join('/'));
    return this.dirs.has(rel) && !this.files.has(rel + '/__init__.py') ? rel : undefined;
  }

  /** The package folder a file belongs to (for relative imports): its directory. */
  private packageDir(fromFile: string, level: number): string | undefined {
    let d = dirOf(fromFile);
    for (let i = 1; i < level; i++) {
      if (d === '') return undefined;
      d = dirOf(d);
    }
    return d;
  }

  /** A module → a file, or undefined (a package, the standard library, or not in the tree). */
  resolve(fromFile: string, source: string): string | undefined {
    const key = `${fromFile}\0${source}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const r = this.resolveUncached(fromFile, source);
    this.cache.set(key, r ?? null);
    return r;
  }

  private resolveUncached(fromFile: string, source: string): string | undefined {
    const m = /^(\.*)(.*)$/.exec(source)!;
    const level = m[1].length;
    const rest = m[2];
    if (level > 0) {
      const base = this.packageDir(fromFile, level);
      if (base === undefined) return undefined;
      if (!rest) return this.files.has(join(base, '__init__.py')) ? join(base, '__init__.py') : undefined;
      return this.moduleAt(base, rest);
    }
    if (!rest) return undefined;
    // roots that contain the importing file first (deepest first), then the others when only one has it
    const own = this.roots.filter((r) => isUnder(fromFile, r));
    for (const r of own) {
      const f = this.moduleAt(r, rest);
      if (f) return f;
    }
    const others = this.roots.filter((r) => !isUnder(fromFile, r)).map((r) => this.moduleAt(r, rest)).filter((f): f is string => !!f);
    if (others.length === 1 || (others.length > 1 && others.every((o) => o === others[0]))) return others[0];
    return undefined;
  }

  /** `from pkg import name` where name is a submodule: the module file of `<source>.<name>`. */
  submodule(fromFile: string, source: string, name: string): string | undefined {
    const sep = /\.$/.test(source) || source === '' ? '' : '.';
    return this.resolve(fromFile, `${source}${sep}${name}`);
  }

  /** A module that is a folder without __init__.py (namespace package): its folder, for submodule lookups. */
  namespaceDir(fromFile: string, source: string): string | undefined {
    const m = /^(\.*)(.*)$/.exec(source)!;
    const level = m[1].length;
    if (level > 0) {
      const base = this.packageDir(fromFile, level);
      if (base === undefined) return undefined;
      return m[2] ? this.isNamespaceDir(base, m[2]) : base;
    }
    for (const r of this.roots.filter((x) => isUnder(fromFile, x))) {
      const d = this.isNamespaceDir(r, m[2]);
      if (d) return d;
    }
    return undefined;
  }
}

const NOT_CODE_TOP = /^(tests?|testing|scripts?|migrations|alembic|docs?|examples?|fixtures|conftest\.py|setup\.py|manage\.py)$/;

export interface PyComponentNamer {
  component(file: string): string | undefined;
}

/**
 * Component of a Python file: the folder under the source root, below the project's one
 * package (`backend/app/api/routes/items.py` → api; `saleor/order/models.py` → order), or the
 * top folder when the root holds several (`orders/views.py` → orders). Modules directly in
 * the root or the project package (main.py, config.py) belong to no component, like
 * src/main.ts.
 */
export function pyComponent(mods: PyModules, file: string): string | undefined {
  const root = mods.roots.find((r) => isUnder(file, r)) ?? '';
  const rel = root ? file.slice(root.length + 1) : file;
  let parts = rel.split('/');
  if (parts.length === 1) return undefined;
  const tops = mods.topPackages(root);
  if ((tops.length === 1 && parts[0] === tops[0]) || parts[0] === mods.projectPackage(root)) {
    if (parts.length === 2) return undefined;
    parts = parts.slice(1);
  }
  // migration scripts and test suites are not components of the running system
  if (/^(alembic|migrations|tests?|testing)$/.test(parts[0])) return undefined;
  if ((parts[0] === 'modules' || parts[0] === 'domains' || parts[0] === 'features' || parts[0] === 'apps') && parts.length > 2) return parts[1];
  return parts.length > 1 ? parts[0] : undefined;
}

/** The top-level name of an absolute module: the package it belongs to (`sqlalchemy.orm` → `sqlalchemy`). */
/** Top-level names of the absolute imports of a set of Python files. */
export function importedTopNames(facts: Iterable<{ file: string; imports: { source: string }[] }>): Set<string> {
  const out = new Set<string>();
  for (const f of facts) if (f.file.endsWith('.py')) for (const i of f.imports) if (!i.source.startsWith('.')) out.add(i.source.split('.')[0]);
  return out;
}

export function pyPackageName(source: string): string {
  return source.replace(/^\.+/, '').split('.')[0];
}
