// Which source files run in a browser, not in the backend: no component, entrypoint or
// dependency of the backend comes from them (their calls to the backend's own API become a
// `client` node instead).
import type { FileFacts } from '../extract/facts.js';
import { packageRootOf, posixDir } from '../shared/paths.js';
import type { ConfigFile } from '../walk/config-files.js';

const FRONTEND_DEPS = ['next', 'react', 'vue', 'svelte', '@angular/core', 'nuxt', 'react-dom', 'expo', 'react-native', 'solid-js', 'preact'];
const BACKEND_DEPS = ['@nestjs/core', 'express', 'fastify', 'koa', 'hono', '@hapi/hapi'];
/**
 * Frameworks that make a package an application with browser code (a library that depends on
 * react to render e-mail templates is not one): in such a package, code off every server path is
 * taken for browser code.
 */
const UI_APP_DEPS = ['next', 'nuxt', '@sveltejs/kit', '@remix-run/react', '@angular/core', 'expo', 'react-native', 'gatsby', 'astro'];
/** Below this share of files importing a UI framework, a folder is not taken for a browser bundle. */
const BROWSER_SHARE = 0.5;
/** How far a mixed folder is split into its subfolders (`src/` → `src/client`, `src/server`). */
const MAX_DEPTH = 3;

/** What a package builds on: a component library names React only as a peer (`@acme/react`, `react: >=17`). */
function depsOf(pkg: ConfigFile): Record<string, unknown> {
  const j = pkg.json as { dependencies?: Record<string, unknown>; devDependencies?: Record<string, unknown>; peerDependencies?: Record<string, unknown> };
  return { ...j.peerDependencies, ...j.dependencies, ...j.devDependencies };
}

const importsAny = (f: FileFacts, pkgs: readonly string[]) => f.imports.some((i) => pkgs.some((p) => i.source === p || i.source.startsWith(p + '/')));

/**
 * A script under a `static/` folder — Django and Flask static files, collected and served as-is
 * to browsers: front-end code, never part of the backend's own processes.
 */
export function isStaticAsset(rel: string): boolean {
  return /(^|\/)static\/(?:[^/]+\/)*[^/]+\.(?:m?js|jsx)$/.test(rel);
}

/**
 * Candidate browser folders of a package that holds both a server and a UI (outline: Koa in
 * `server/`, React in `app/`, one package.json): a folder where at least half the files import a
 * UI framework and none imports a server framework. A folder with both is split into its
 * subfolders; files written directly in it stay backend, as does anything in doubt.
 */
function browserFolders(dir: string, files: FileFacts[], depth: number): string[] {
  const bySub = new Map<string, FileFacts[]>();
  for (const f of files) {
    const rest = dir ? f.file.slice(dir.length + 1) : f.file;
    const slash = rest.indexOf('/');
    if (slash < 0) continue;
    const sub = (dir ? `${dir}/` : '') + rest.slice(0, slash);
    let list = bySub.get(sub);
    if (!list) bySub.set(sub, (list = []));
    list.push(f);
  }
  const out: string[] = [];
  for (const [sub, list] of [...bySub].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const ui = list.filter((f) => importsAny(f, FRONTEND_DEPS)).length;
    if (ui === 0) continue;
    const server = list.some((f) => importsAny(f, BACKEND_DEPS));
    if (!server && ui >= BROWSER_SHARE * list.length) out.push(sub);
    else if (server && depth < MAX_DEPTH) out.push(...browserFolders(sub, list, depth + 1));
  }
  return out;
}

export interface FrontendScope {
  /** Folders of front-end code. */
  dirs: string[];
  /** Runs in a browser: a front-end package below the root, a browser folder of a mixed package, a static asset. */
  isFrontend(file: string): boolean;
  /**
   * In an application package of a UI framework (Next.js, Nuxt, SvelteKit, Angular, Expo...) with
   * no server framework, the root included: its code runs on the server only where a server
   * entrypoint (a route handler) runs it.
   */
  inUiPackage(file: string): boolean;
}

/**
 * Front-end code: packages that depend on a UI framework and on no server framework (below the
 * repository root: a root package like that is a Next.js app, whose route handlers are the
 * backend), browser folders of packages that have both, and static assets.
 *
 * A candidate browser folder that backend code imports from runs on the server (e-mail templates
 * written in React under `server/emails/`, UI-free helpers shared by both): it is backend, and so
 * is what it imports in turn. Type-only imports run nowhere.
 */
export function frontendScope(packageJsons: ConfigFile[], files: FileFacts[], resolveImport: (from: string, source: string) => string | undefined): FrontendScope {
  const pkgDirs = packageJsons.map((c) => posixDir(c.rel));
  const dirs: string[] = [];
  const uiPackages = new Set<string>();
  const candidates: string[] = [];
  for (const pkg of packageJsons) {
    const deps = depsOf(pkg);
    if (!FRONTEND_DEPS.some((d) => d in deps)) continue;
    const dir = posixDir(pkg.rel);
    if (!BACKEND_DEPS.some((d) => d in deps)) {
      if (UI_APP_DEPS.some((d) => d in deps)) uiPackages.add(dir);
      if (dir !== '') dirs.push(dir);
      continue;
    }
    // the package's own files: not those of a package nested inside it
    const own = files.filter((f) => (dir === '' || f.file.startsWith(dir + '/')) && packageRootOf(pkgDirs, f.file) === dir && !f.file.endsWith('.py'));
    candidates.push(...browserFolders(dir, own, 1));
  }
  dirs.push(...withoutServerImported(candidates, files, resolveImport));
  const isFrontend = (file: string) => dirs.some((d) => file.startsWith(d + '/')) || isStaticAsset(file);
  const inUiPackage = (file: string) => uiPackages.size > 0 && uiPackages.has(packageRootOf(pkgDirs, file));
  return { dirs, isFrontend, inUiPackage };
}

/** The candidates no server code reaches: the closure of non-type imports from every file that imports a server framework. */
function withoutServerImported(candidates: string[], files: FileFacts[], resolveImport: (from: string, source: string) => string | undefined): string[] {
  if (!candidates.length) return [];
  const byFile = new Map(files.map((f) => [f.file, f]));
  const reached = new Set<string>();
  const queue = files.filter((f) => importsAny(f, BACKEND_DEPS));
  for (const f of queue) reached.add(f.file);
  for (let i = 0; i < queue.length; i++) {
    for (const imp of queue[i].imports) {
      if (imp.typeOnly) continue;
      const target = resolveImport(queue[i].file, imp.source);
      const g = target ? byFile.get(target) : undefined;
      if (g && !reached.has(g.file)) {
        reached.add(g.file);
        queue.push(g);
      }
    }
  }
  return candidates.filter((d) => ![...reached].some((file) => file.startsWith(d + '/')));
}
