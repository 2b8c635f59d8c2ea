import { valToString, type CallFact, type FileFacts, type Val } from '../../extract/facts.js';
import type { EntrypointDef, EntrypointLink, TechPack } from '../types.js';
import { joinPath } from '../nestjs/index.js';

const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'options', 'head', 'all']);
const ROUTER_PKGS = new Set(['express', 'koa-router', '@koa/router', 'fastify', 'hono']);

interface RouterNode {
  key: string; // file#name
  isApp: boolean;
  routes: { method: string; path: string; handlers: Val[]; call: CallFact; file: string }[];
  mounts: { prefix: string; target: Val; call: CallFact; file: string; middleware: Val[] }[];
  middleware: { handler: Val; call: CallFact; file: string; prefix?: string }[];
}

function routerKind(link: EntrypointLink, file: string, name: string, fromFn?: string): 'app' | 'router' | undefined {
  const inst = link.instanceOf(file, name, fromFn);
  if (!inst || !('pkg' in inst) || !ROUTER_PKGS.has(inst.pkg)) return undefined;
  const ctor = 'ctor' in inst ? inst.ctor : inst.exportName;
  if (/Router$/.test(ctor) || inst.pkg === 'koa-router' || inst.pkg === '@koa/router') return 'router';
  if (!/^(default|Express|Application|express|Koa|default\.default|fastify|Fastify|FastifyInstance|Hono)$/.test(ctor) && !/(^|\.)(Express|Application|FastifyInstance)$/.test(ctor)) return undefined;
  return 'app';
}

/** Express (and Koa router / Fastify / Hono in the same shape): routes, routers mounted across files. */
/** Express matches mount paths by whole segments: '/api/health' does not cover '/api/healthz'. */
function segmentPrefix(prefix: string, path: string): boolean {
  const a = prefix.split('/').filter(Boolean);
  const b = path.split('/').filter(Boolean);
  return a.length <= b.length && a.every((seg, i) => seg === b[i]);
}

const pack: TechPack = {
  id: 'express',
  title: 'Express / Koa router / Fastify / Hono',
  upstreamDocs: ['https://expressjs.com/en/guide/routing.html', 'https://expressjs.com/en/4x/api.html#app.use', 'https://fastify.dev/docs/latest/Reference/Routes/', 'https://github.com/koajs/router'],
  packages: [...ROUTER_PKGS],
  entrypoints(files, link) {
    const nodes = new Map<string, RouterNode>();
    const nodeFor = (file: string, name: string, isApp: boolean, fromFn?: string): RouterNode => {
      // a router or app passed in as a parameter (registerRoutes(app: Express)) is one node per function
      const def = link.definitionOf(file, name) ?? { file, name: fromFn && fromFn !== '<module>' ? `${fromFn}:${name}` : name };
      const key = `${def.file}#${def.name}`;
      let n = nodes.get(key);
      if (!n) nodes.set(key, (n = { key, isApp, routes: [], mounts: [], middleware: [] }));
      return n;
    };
    for (const f of files) {
      for (const c of f.calls) {
        if (c.callee.length < 2) continue;
        const verb = c.callee[c.callee.length - 1].toLowerCase();
        let recvName = c.callee[0];
        let chainPath: string | undefined;
        // router.route('/x').get(h).post(h2): the extractor records inner calls with root 'call'
        if (c.root === 'call') continue;
        if (c.callee.length !== 2) continue;
        const kind = routerKind(link, f.file, recvName, c.fn);
        if (!kind) continue;
        const node = nodeFor(f.file, recvName, kind === 'app', c.fn);
        if (VERBS.has(verb)) {
          const p = valToString(c.args[0]);
          if (p === undefined) continue;
          node.routes.push({ method: verb === 'all' ? 'ALL' : verb.toUpperCase(), path: p, handlers: c.args.slice(1), call: c, file: f.file });
        } else if (verb === 'use') {
          const p = valToString(c.args[0]);
          const rest = p !== undefined ? c.args.slice(1) : c.args;
          const before: Val[] = [];
          let mountedRouter = false;
          for (const target of rest) {
            const tname = target && typeof target === 'object' && 'ref' in target ? target.ref : target && typeof target === 'object' && 'call' in target && target.call.endsWith('routes') ? target.call.split('.')[0] : undefined;
            if (tname && routerKind(link, f.file, tname, c.fn)) {
              node.mounts.push({ prefix: p ?? '', target: { ref: tname }, call: c, file: f.file, middleware: [...before] });
              mountedRouter = true;
            } else before.push(target);
          }
          // app.use(mw) or app.use('/x', mw): middleware for every route below that path
          if (!mountedRouter) for (const mw of before) node.middleware.push({ handler: mw, call: c, file: f.file, prefix: p });
        } else if (verb === 'route' && chainPath === undefined) {
          // handled below through the chained calls
        }
      }
      // router.route('/path').get(h): find '.route' calls followed by chained verbs on the same line range
      for (const c of f.calls) {
        if (c.callee.length !== 2 || c.callee[1] !== 'route') continue;
        const kind = routerKind(link, f.file, c.callee[0], c.fn);
        const p = valToString(c.args[0]);
        if (!kind || p === undefined) continue;
        const node = nodeFor(f.file, c.callee[0], kind === 'app', c.fn);
        for (const v of f.calls) {
          if (v.root !== 'call' || v.line < c.line || v.line > c.endLine + 20 || v.fn !== c.fn) continue;
          const verb = v.callee[v.callee.length - 1];
          if (VERBS.has(verb) && v.line <= c.endLine + 20) node.routes.push({ method: verb.toUpperCase(), path: p, handlers: v.args, call: v, file: f.file });
        }
      }
    }
    const out: EntrypointDef[] = [];
    const mounted = new Set<string>();
    for (const n of nodes.values()) for (const m of n.mounts) {
      const name = (m.target as { ref: string }).ref;
      mounted.add(nodeFor(m.file, name, false, m.call.fn).key);
    }
    const emit = (n: RouterNode, prefix: string, middleware: RouterNode['middleware'], seen: Set<string>) => {
      if (seen.has(n.key)) return;
      const nextSeen = new Set(seen).add(n.key);
      for (const r of n.routes) {
        const path = joinPath(prefix, r.path);
        const mw = [...middleware, ...n.middleware.filter((m) => m.prefix === undefined || segmentPrefix(m.prefix, r.path))];
        const handlers = r.handlers.map((h) => link.handlerOf(r.file, h, r.call.fn === '<module>' ? undefined : r.call.fn)).filter((h): h is { file: string; fn: string } => !!h);
        const handler = handlers[handlers.length - 1];
        const before = [
          ...mw.map((m) => link.handlerOf(m.file, m.handler, m.call.fn === '<module>' ? undefined : m.call.fn)).filter((h): h is { file: string; fn: string } => !!h),
          ...handlers.slice(0, -1),
        ];
        out.push({ name: `${r.method} ${path}`, trigger: 'http', route: { method: r.method, path }, handler, before, evidence: { file: r.file, line: r.call.line } });
      }
      for (const m of n.mounts) {
        const mw = [...middleware, ...n.middleware.filter((x) => x.prefix === undefined || segmentPrefix(x.prefix, m.prefix)), ...m.middleware.map((h) => ({ handler: h, call: m.call, file: m.file }))];
        emit(nodeFor(m.file, (m.target as { ref: string }).ref, false, m.call.fn), joinPath(prefix, m.prefix), mw, nextSeen);
      }
    };
    for (const n of [...nodes.values()].sort((a, b) => (a.key < b.key ? -1 : 1))) {
      if (mounted.has(n.key)) continue;
      emit(n, '', [], new Set());
    }
    return out;
  },
};
export default pack;
export type { FileFacts };
