import { isObj, valToString, type FileFacts, type Val } from '../../extract/facts.js';
import type { EntrypointDef, EntrypointLink, TechPack } from '../types.js';
import { joinPath } from '../nestjs/index.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const SOURCE_EXT = /\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$/;
const NEXT_CONFIG = /(^|\/)next\.config\.(js|mjs|cjs|ts|mts)$/;
const TEST_FILE = /\.(test|spec)\.[^.]+$|(^|\/)(__tests__|__mocks__)\//;

/** `[id]` → `:id`, `[...slug]` / `[[...slug]]` → `:slug*`; `(group)` and `@slot` segments are not in the URL. Undefined: not routable (`_private`, `(.)intercepted`). */
function urlSegments(segs: string[]): string[] | undefined {
  const out: string[] = [];
  for (const s of segs) {
    if (s.startsWith('_')) return undefined;
    if (/^\(\.+\)/.test(s)) return undefined;
    if (/^\(.*\)$/.test(s) || s.startsWith('@')) continue;
    const catchAll = /^\[\[?\.\.\.([^\]]+)\]\]?$/.exec(s);
    if (catchAll) {
      out.push(`:${catchAll[1]}*`);
      continue;
    }
    const dyn = /^\[([^\]]+)\]$/.exec(s);
    out.push(dyn ? `:${dyn[1]}` : s);
  }
  return out;
}

function importsNext(f: FileFacts): boolean {
  return f.imports.some((i) => i.source === 'next' || i.source.startsWith('next/'));
}

/** `basePath` from next.config (`const nextConfig = { basePath: '/docs' }; export default nextConfig`), when literal. */
function basePathOf(f: FileFacts | undefined): string | undefined {
  if (!f) return undefined;
  const local = f.exports.default;
  const v = local !== undefined ? f.vars.find((x) => x.name === local)?.init : undefined;
  const obj: Val | undefined = v && typeof v === 'object' && 'call' in v ? v.args.find(isObj) : v; // withMDX({ ... })
  return isObj(obj) ? valToString(obj.obj.basePath) : undefined;
}

/** Next.js route handlers: app router `app/**\/route.ts` exporting GET/POST/…, and pages router `pages/api/**` default handlers. */
const pack: TechPack = {
  id: 'nextjs',
  title: 'Next.js route handlers and API routes',
  upstreamDocs: [
    'https://nextjs.org/docs/app/building-your-application/routing/route-handlers',
    'https://nextjs.org/docs/app/building-your-application/routing/dynamic-routes',
    'https://nextjs.org/docs/app/building-your-application/routing/route-groups',
    'https://nextjs.org/docs/pages/building-your-application/routing/api-routes',
    'https://nextjs.org/docs/app/api-reference/next-config-js/basePath',
  ],
  packages: ['next'],
  entrypoints(files, link) {
    // Next.js app roots: a next.config, a root layout (app router), or _app/_document (pages router)
    const roots = new Map<string, string | undefined>(); // dir → basePath
    for (const f of files) {
      if (NEXT_CONFIG.test(f.file)) roots.set(f.file.replace(/(^|\/)[^/]+$/, ''), basePathOf(f));
    }
    const addRoot = (dir: string) => {
      if (!roots.has(dir)) roots.set(dir, undefined);
    };
    for (const f of files) {
      const m = /^(?:(.*)\/)?(?:src\/)?app\/layout\.[jt]sx?$/.exec(f.file) ?? /^(?:(.*)\/)?(?:src\/)?pages\/_(?:app|document)\.[jt]sx?$/.exec(f.file);
      if (m) addRoot(m[1] ?? '');
    }

    const out: EntrypointDef[] = [];
    const handlerFor = (f: FileFacts, exported: string): { file: string; fn: string } | undefined => {
      const local = f.exports[exported];
      if (local === undefined) return undefined;
      const v = f.vars.find((x) => x.name === local);
      // `export const { GET } = createHandlers(...)`: the handler is made by a package, not in the project
      if (v?.init && typeof v.init === 'object' && 'call' in v.init && v.init.call === '.destructure') return undefined;
      if (v?.init !== undefined) return link.handlerOf(f.file, v.init);
      return link.handlerOf(f.file, { ref: local });
    };
    for (const f of files) {
      if (!SOURCE_EXT.test(f.file) || TEST_FILE.test(f.file) || f.file.endsWith('.d.ts')) continue;
      const segs = f.file.split('/');
      const base = segs[segs.length - 1].replace(SOURCE_EXT, '');
      // the routing folder: the first `app` (or `pages/api`) folder whose app root is a Next.js app
      let kind: 'app' | 'pages' | undefined;
      let at = -1;
      for (let i = 0; i < segs.length - 1 && !kind; i++) {
        const isApp = segs[i] === 'app' && base === 'route';
        const isPages = segs[i] === 'pages' && segs[i + 1] === 'api';
        if (!isApp && !isPages) continue;
        const rootSegs = segs.slice(0, i);
        if (rootSegs[rootSegs.length - 1] === 'src') rootSegs.pop();
        const root = rootSegs.join('/');
        if (!roots.has(root) && !importsNext(f)) continue;
        kind = isApp ? 'app' : 'pages';
        at = i;
      }
      if (!kind) continue;
      const rootSegs = segs.slice(0, at);
      if (rootSegs[rootSegs.length - 1] === 'src') rootSegs.pop();
      const basePath = roots.get(rootSegs.join('/'));
      if (kind === 'app') {
        const url = urlSegments(segs.slice(at + 1, -1));
        if (!url) continue;
        const path = joinPath(basePath, ...url);
        for (const method of METHODS) {
          if (!(method in f.exports)) continue;
          const handler = handlerFor(f, method);
          const fnFact = handler && handler.file === f.file ? f.functions.find((x) => x.id === handler.fn) : undefined;
          const line = fnFact?.line ?? f.vars.find((x) => x.name === f.exports[method])?.line ?? 1;
          out.push({ name: `${method} ${path}`, trigger: 'http', route: { method, path }, handler, evidence: { file: f.file, line } });
        }
      } else {
        if (!('default' in f.exports)) continue;
        const rel = segs.slice(at + 1, -1); // from `api` on
        const url = urlSegments(base === 'index' ? rel : [...rel, base]);
        if (!url) continue;
        const path = joinPath(basePath, ...url);
        const handler = handlerFor(f, 'default');
        const fnFact = handler && handler.file === f.file ? f.functions.find((x) => x.id === handler.fn) : undefined;
        const line = fnFact?.line ?? f.vars.find((x) => x.name === f.exports.default)?.line ?? 1;
        // the handler branches on req.method itself: one entrypoint for every method
        out.push({ name: `ALL ${path}`, trigger: 'http', route: { method: 'ALL', path }, handler, evidence: { file: f.file, line } });
      }
    }
    return out;
  },
};
export default pack;
export type { EntrypointLink };
