import { isObj, valToString, type CallFact, type FileFacts, type Val } from '../../extract/facts.js';
import type { EntrypointDef, EntrypointLink, TechPack } from '../types.js';
import { posix } from 'node:path';
import { joinPath } from '../nestjs/index.js';

const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'options', 'head', 'all']);

/** koa-router's `register(path, methods, ...middleware)`: a path and a list of HTTP methods (Fastify's register takes a plugin). */
function koaRegister(args: Val[], evaluate: (v: Val) => string | undefined): { path: string; methods: string[] } | undefined {
  const [p, m] = args;
  if (p === undefined || !m || typeof m !== 'object' || !('arr' in m) || !m.arr.length) return undefined;
  const methods = m.arr.map((x) => (typeof x === 'string' ? x.toLowerCase() : ''));
  if (!methods.every((x) => VERBS.has(x) || x === 'del')) return undefined;
  const path = typeof p === 'string' ? p : evaluate(p);
  if (path === undefined) return undefined;
  return { path, methods: methods.map((x) => (x === 'all' ? 'ALL' : x === 'del' ? 'DELETE' : x.toUpperCase())) };
}
const ROUTER_PKGS = new Set(['express', 'koa', 'koa-router', '@koa/router', 'fastify', 'hono']);
/** Calls on a router that return the router (or a route of it), so a chain goes on. */
const CHAIN_OPS = new Set([...VERBS, 'del', 'use', 'route', 'on', 'basePath', 'register']);

const AUTOLOAD_PKGS = new Set(['@fastify/autoload', 'fastify-autoload']);

type Kind = 'app' | 'router';

interface Op {
  name: string;
  args: Val[];
  line: number;
  /** The function the call is made in ('<module>' at top level). */
  fn: string;
  /** Made on the result of another call (a chain): evidence is better taken from the handler. */
  chained: boolean;
}

interface RouterNode {
  key: string; // file#name
  isApp: boolean;
  /** A prefix every route of this router gets: koa-router `new Router({ prefix })`, Hono `.basePath()`. */
  prefix?: string;
  routes: { method: string; path: string; handlers: Val[]; op: Op; file: string }[];
  /** Routers mounted below a prefix: a router name, or a key for a plugin function's instance parameter. */
  mounts: { prefix: string; target: { ref: string } | { key: string }; op: Op; file: string; middleware: Val[] }[];
  middleware: { handler: Val; op: Op; file: string; prefix?: string }[];
}

function ctorKind(pkg: string, ctor: string): Kind | undefined {
  if (!ROUTER_PKGS.has(pkg)) return undefined;
  if (/Router$/.test(ctor) || pkg === 'koa-router' || pkg === '@koa/router') return 'router';
  if (!/^(default|Express|Application|express|Koa|default\.default|fastify|Fastify|FastifyInstance|Hono)$/.test(ctor) && !/(^|\.)(Express|Application|FastifyInstance)$/.test(ctor)) return undefined;
  return 'app';
}

/** Express matches mount paths by whole segments: '/api/health' does not cover '/api/healthz'. A trailing `*` (Hono, Express 5 `/*splat`) covers everything below. */
function segmentPrefix(prefix: string, path: string): boolean {
  const a = prefix.split('/').filter(Boolean);
  if (a.length && /^\*/.test(a[a.length - 1])) a.pop();
  const b = path.split('/').filter(Boolean);
  return a.length <= b.length && a.every((seg, i) => seg === b[i]);
}

/** Hono `:id{[0-9]+}` and Express `:id(\\d+)` constraints are not part of the parameter name. */
function cleanPath(p: string): string {
  return p.replace(/:(\w+)\{[^}]*\}/g, ':$1').replace(/:(\w+)\([^)]*\)/g, ':$1');
}

/** A chain summarized as a value (`Router().use(a).get('/x', h)`): the head that makes the router, then the calls on it, innermost first. */
function unwindChain(v: Val): { head: { name: string; args: Val[]; isNew: boolean }; ops: { name: string; args: Val[] }[] } | undefined {
  const ops: { name: string; args: Val[] }[] = [];
  let cur: Val = v;
  for (let i = 0; i < 64; i++) {
    if (!cur || typeof cur !== 'object') return undefined;
    if ('call' in cur && cur.call.startsWith('().')) {
      const name = cur.call.slice(3);
      if (!CHAIN_OPS.has(name) || !cur.recv) return undefined;
      ops.unshift({ name, args: cur.args });
      cur = cur.recv;
      continue;
    }
    if ('call' in cur && !cur.call.startsWith('()')) return ops.length ? { head: { name: cur.call, args: cur.args, isNew: false }, ops } : undefined;
    if ('new' in cur) return ops.length ? { head: { name: cur.new, args: cur.args, isNew: true }, ops } : undefined;
    return undefined;
  }
  return undefined;
}

/** Express / Koa router / Fastify / Hono: routes, routers mounted across files, chains and plugins. */
const pack: TechPack = {
  id: 'express',
  title: 'Express / Koa router / Fastify / Hono',
  upstreamDocs: [
    'https://expressjs.com/en/guide/routing.html',
    'https://expressjs.com/en/4x/api.html#app.use',
    'https://fastify.dev/docs/latest/Reference/Routes/',
    'https://fastify.dev/docs/latest/Reference/Plugins/',
    'https://github.com/fastify/fastify-autoload#readme',
    'https://github.com/koajs/router',
    'https://hono.dev/docs/api/routing',
    'https://hono.dev/docs/api/hono#route',
  ],
  packages: [...ROUTER_PKGS],
  entrypoints(files, link) {
    const fnOf = (fn: string) => (fn === '<module>' ? undefined : fn);
    const keyOf = (file: string, name: string, fromFn?: string, depth = 0): string => {
      const local = fromFn && fromFn !== '<module>' ? link.facts(file)?.functions.find((x) => x.id === fromFn) : undefined;
      // a parameter or local of the function (registerRoutes(app: Express), a fastify plugin's instance) is one node per function
      const own = local && (local.params.some((p) => p.name === name) || name in local.locals);
      const def = own ? undefined : link.definitionOf(file, name);
      if (def && depth < 4) {
        // koa-router `export const tagsRoutes = router.routes()`: the router itself
        const init = link.facts(def.file)?.vars.find((x) => x.name === def.name)?.init;
        const m = init && typeof init === 'object' && 'call' in init && init.args.length === 0 ? /^([A-Za-z_$][\w$]*)\.(routes|middleware)$/.exec(init.call) : null;
        if (m) return keyOf(def.file, m[1], undefined, depth + 1);
      }
      return def ? `${def.file}#${def.name}` : `${file}#${fromFn && fromFn !== '<module>' ? `${fromFn}:${name}` : name}`;
    };
    /** Routers whose kind is known without an instance: made by a chain (`export default Router().use(...)`), or a plugin function's instance parameter. */
    const known = new Map<string, Kind>();
    const kindOf = (file: string, name: string, fromFn?: string): Kind | undefined => {
      const k = known.get(keyOf(file, name, fromFn));
      if (k) return k;
      const inst = link.instanceOf(file, name, fnOf(fromFn ?? '<module>'));
      if (!inst || !('pkg' in inst)) return undefined;
      return ctorKind(inst.pkg, 'ctor' in inst ? inst.ctor : inst.exportName);
    };
    const headKind = (file: string, fromFn: string, head: { name: string }): Kind | undefined => {
      const [base, ...rest] = head.name.split('.');
      const inst = link.instanceOf(file, base, fnOf(fromFn));
      if (!inst || !('pkg' in inst) || 'ctor' in inst) return undefined;
      return ctorKind(inst.pkg, [inst.exportName, ...rest].join('.'));
    };

    const nodes = new Map<string, RouterNode>();
    const nodeByKey = (key: string, isApp: boolean): RouterNode => {
      let n = nodes.get(key);
      if (!n) nodes.set(key, (n = { key, isApp, routes: [], mounts: [], middleware: [] }));
      return n;
    };
    const nodeFor = (file: string, name: string, isApp: boolean, fromFn?: string): RouterNode => nodeByKey(keyOf(file, name, fromFn), isApp);

    /** A plugin function given to `register` (Fastify): its first parameter is the instance its routes go on. */
    const pluginKey = (file: string, v: Val, fromFn: string): string | undefined => {
      let h = link.handlerOf(file, v, fnOf(fromFn));
      // an imported `module.exports = fp(plugin)`: the wrapper call is in the defining file
      if (!h && v && typeof v === 'object' && 'ref' in v && !v.ref.includes('.')) {
        const def = link.definitionOf(file, v.ref);
        const init = def && link.facts(def.file)?.vars.find((x) => x.name === def.name)?.init;
        if (def && init && typeof init === 'object' && 'call' in init) h = link.handlerOf(def.file, init);
      }
      const fn = h && link.facts(h.file)?.functions.find((x) => x.id === h.fn);
      const p = fn?.params[0]?.name;
      return h && p ? `${h.file}#${h.fn}:${p}` : undefined;
    };

    const routerRef = (file: string, v: Val, fromFn: string): string | undefined => {
      const name = v && typeof v === 'object' && 'ref' in v ? v.ref : v && typeof v === 'object' && 'call' in v && /\.routes$/.test(v.call) ? v.call.split('.')[0] : undefined;
      return name && !name.includes('.') && kindOf(file, name, fromFn) ? name : undefined;
    };

    /** koa-mount `mount('/prefix', app)` / `mount(app)` on a known Koa app or router. */
    const koaMount = (file: string, v: Val, fromFn: string): { prefix: string; ref: string } | undefined => {
      if (!v || typeof v !== 'object' || !('call' in v) || v.call.includes('.') || v.call.startsWith('(')) return undefined;
      const inst = link.instanceOf(file, v.call, fnOf(fromFn));
      if (!inst || !('pkg' in inst) || inst.pkg !== 'koa-mount' || 'ctor' in inst) return undefined;
      const prefix = v.args.length >= 2 ? valToString(v.args[0]) ?? valToString(link.evaluate(file, v.args[0], fnOf(fromFn))) : '';
      if (prefix === undefined) return undefined;
      const ref = routerRef(file, v.args[v.args.length - 1], fromFn);
      return ref ? { prefix, ref } : undefined;
    };

    /** fastify-plugin breaks encapsulation: a wrapped plugin's routes get no prefix. */
    const fpWrapped = (file: string, v: Val): boolean => {
      let init: Val | undefined = v;
      let at = file;
      if (v && typeof v === 'object' && 'ref' in v && !v.ref.includes('.')) {
        const def = link.definitionOf(file, v.ref);
        init = def ? link.facts(def.file)?.vars.find((x) => x.name === def.name)?.init : undefined;
        at = def?.file ?? file;
      }
      if (!init || typeof init !== 'object' || !('call' in init)) return false;
      const i = link.instanceOf(at, init.call.split('.')[0]);
      return !!i && 'pkg' in i && i.pkg === 'fastify-plugin';
    };

    /** @fastify/autoload `register(AutoLoad, { dir: path.join(__dirname, 'routes'), options: { prefix } })`: every plugin file below the folder, prefixed by its folder names. Undefined: not an autoload. */
    const autoloadPlugins = (file: string, args: Val[], fromFn: string): { key: string; prefix: string }[] | undefined => {
      const a0 = args[0];
      const name = a0 && typeof a0 === 'object' && 'ref' in a0 ? a0.ref : undefined;
      const inst = name ? link.instanceOf(file, name, fnOf(fromFn)) : undefined;
      if (!inst || !('pkg' in inst) || !AUTOLOAD_PKGS.has(inst.pkg)) return undefined;
      const opts = args[1];
      const dirV = isObj(opts) ? opts.obj.dir : undefined;
      if (!isObj(opts) || !dirV || typeof dirV !== 'object' || !('call' in dirV) || !/(^|\.)(join|resolve)$/.test(dirV.call)) return [];
      const parts = dirV.args.filter((x): x is string => typeof x === 'string');
      if (!parts.length || parts.some((x) => x.startsWith('/'))) return [];
      const base = posix.normalize(posix.join(posix.dirname(file), ...parts)).replace(/\/$/, '');
      const dirPrefix = opts.obj.dirNameRoutePrefix !== false;
      const optPrefix = isObj(opts.obj.options) ? valToString(opts.obj.options.obj.prefix) : undefined;
      const inBase = link.allFiles().filter((x) => x.file.startsWith(base + '/') && /\.(js|ts|mjs|cjs|mts|cts)$/.test(x.file) && !x.file.endsWith('.d.ts') && !/\.(test|spec)\.[^.]+$/.test(x.file) && !/(^|\/)[._][^/]*$/.test(x.file));
      const dirs = new Set(inBase.filter((x) => /\/index\.[^/]+$/.test(x.file)).map((x) => posix.dirname(x.file)).filter((d) => d !== base));
      const out: { key: string; prefix: string }[] = [];
      for (const pf of inBase) {
        const dir = posix.dirname(pf.file);
        // a folder with an index file is one plugin: its other files and subfolders are not loaded
        let covered = false;
        for (let d = dir; d.length > base.length; d = posix.dirname(d)) if (dirs.has(d) && !(d === dir && /\/index\.[^/]+$/.test(pf.file))) covered = true;
        if (covered) continue;
        const local = pf.exports.default;
        if (local === undefined) continue;
        const v = pf.vars.find((x) => x.name === local)?.init ?? { ref: local };
        const key = pluginKey(pf.file, v, '<module>');
        if (!key) continue;
        const wrapped = fpWrapped(pf.file, v);
        const rel = dir.slice(base.length);
        out.push({ key, prefix: wrapped ? '' : joinPath(optPrefix, dirPrefix ? rel : '') });
      }
      return out;
    };

    /**
     * `defaultRoutes.forEach((route) => router.use(route.path, route.route))` over an array of object
     * literals in the same module (or the enclosing function): one call per element, the callback's
     * parameter read from it. Any other call comes back as it is.
     */
    const unrolled = (file: string, op: Op): Op[] => {
      const facts = link.facts(file);
      const fn = op.fn === '<module>' ? undefined : facts?.functions.find((x) => x.id === op.fn);
      const loop = fn?.inlineOf;
      const param = fn?.params[0]?.name;
      if (!facts || !fn || !loop || loop.argIndex !== 0 || !param || !/^[\w$]+\.(forEach|map)$/.test(loop.call)) return [op];
      const readsParam = (v: Val) => !!v && typeof v === 'object' && 'ref' in v && (v.ref === param || v.ref.startsWith(`${param}.`));
      if (!op.args.some(readsParam)) return [op];
      const listName = loop.call.split('.')[0];
      const parent = fn.parent ? facts.functions.find((x) => x.id === fn.parent) : undefined;
      const def = parent && listName in parent.locals ? undefined : link.definitionOf(file, listName);
      const list = parent && listName in parent.locals ? parent.locals[listName] : def?.file === file ? facts.vars.find((v) => v.name === def.name)?.init : undefined;
      if (!list || typeof list !== 'object' || !('arr' in list)) return [op];
      const bind = (v: Val, element: Val): Val => {
        if (!readsParam(v)) return v;
        const path = (v as { ref: string }).ref.split('.').slice(1);
        let out: Val | undefined = element;
        for (const k of path) out = isObj(out) ? out.obj[k] : undefined;
        return out ?? { unknown: 'loop element' };
      };
      return list.arr.map((element) => ({ ...op, args: op.args.map((a) => bind(a, element)) }));
    };

    const applyOps = (node: RouterNode, file: string, ops: Op[]) => {
      let routePath: string | undefined; // after `.route('/x')` (Express, koa-router): the verbs below are on that path
      for (const op of ops.flatMap((o) => unrolled(file, o))) {
        const verb = op.name;
        const evaluate = (v: Val) => valToString(v) ?? valToString(link.evaluate(file, v, fnOf(op.fn)));
        if (VERBS.has(verb) || verb === 'del') {
          const method = verb === 'all' ? 'ALL' : verb === 'del' ? 'DELETE' : verb.toUpperCase();
          if (routePath !== undefined) {
            node.routes.push({ method, path: routePath, handlers: op.args, op, file });
            continue;
          }
          const p = evaluate(op.args[0]);
          if (p === undefined) continue;
          // Fastify `get('/x', { preHandler, handler })`: the handler may sit in the options
          const handlers = op.args.slice(1).flatMap((a) => (isObj(a) ? [a.obj.preHandler, a.obj.onRequest, a.obj.handler].flatMap((x) => (x === undefined ? [] : x && typeof x === 'object' && 'arr' in x ? x.arr : [x])) : [a]));
          node.routes.push({ method, path: cleanPath(p), handlers, op, file });
        } else if (verb === 'use') {
          const p = evaluate(op.args[0]);
          const rest = p !== undefined ? op.args.slice(1) : op.args;
          const before: Val[] = [];
          let mountedRouter = false;
          for (const target of rest) {
            // Koa `app.use(mount('/api', api))` (koa-mount): the Koa app or router below that prefix
            const km = koaMount(file, target, op.fn);
            if (km) {
              node.mounts.push({ prefix: joinPath(p ?? '', km.prefix), target: { ref: km.ref }, op, file, middleware: [...before] });
              mountedRouter = true;
              continue;
            }
            const tname = routerRef(file, target, op.fn);
            if (tname) {
              node.mounts.push({ prefix: p ?? '', target: { ref: tname }, op, file, middleware: [...before] });
              mountedRouter = true;
            } else before.push(target);
          }
          // app.use(mw) or app.use('/x', mw): middleware for every route below that path
          if (!mountedRouter) for (const mw of before) node.middleware.push({ handler: mw, op, file, prefix: p });
        } else if (verb === 'route') {
          const p = evaluate(op.args[0]);
          if (p === undefined) return;
          if (op.args.length >= 2) {
            // Hono app.route('/api/files', filesApp): a mount
            const tname = routerRef(file, op.args[1], op.fn);
            if (tname) node.mounts.push({ prefix: p, target: { ref: tname }, op, file, middleware: [] });
            continue;
          }
          routePath = cleanPath(p);
        } else if (verb === 'on') {
          // Hono app.on('GET', '/x', h) / app.on(['GET', 'POST'], '/x', h)
          const m = op.args[0];
          const methods = typeof m === 'string' ? [m] : m && typeof m === 'object' && 'arr' in m ? m.arr.map((x) => valToString(x)) : [];
          const p = evaluate(op.args[1]);
          if (p === undefined) continue;
          for (const method of methods) if (method && /^[a-z]+$/i.test(method)) node.routes.push({ method: method.toUpperCase(), path: cleanPath(p), handlers: op.args.slice(2), op, file });
        } else if (verb === 'register' && koaRegister(op.args, evaluate)) {
          // koa-router router.register('/cron.:period', ['get', 'post'], handler): one route per method
          const { path: p, methods } = koaRegister(op.args, evaluate)!;
          for (const method of methods) node.routes.push({ method, path: cleanPath(p), handlers: op.args.slice(2), op, file });
        } else if (verb === 'register') {
          const auto = autoloadPlugins(file, op.args, op.fn);
          if (auto) {
            for (const a of auto) node.mounts.push({ prefix: a.prefix, target: { key: a.key }, op, file, middleware: [] });
            continue;
          }
          // Fastify app.register(plugin, { prefix: '/v1' }): the plugin's routes below that prefix
          const key = pluginKey(file, op.args[0], op.fn);
          if (!key) continue;
          const opts = op.args[1];
          const prefix = isObj(opts) && !fpWrapped(file, op.args[0]) ? evaluate(opts.obj.prefix) ?? '' : '';
          node.mounts.push({ prefix, target: { key }, op, file, middleware: [] });
        } else if (verb === 'basePath') {
          const p = evaluate(op.args[0]);
          if (p !== undefined) node.prefix = joinPath(node.prefix, p);
        }
      }
    };

    // Fastify route({ method, url, handler }): one route per method
    const routeObject = (node: RouterNode, file: string, op: Op) => {
      const o = op.args[0];
      if (!isObj(o)) return;
      const url = valToString(o.obj.url) ?? valToString(o.obj.path);
      const m = o.obj.method;
      const methods = typeof m === 'string' ? [m] : m && typeof m === 'object' && 'arr' in m ? m.arr.map((x) => valToString(x)) : [];
      if (url === undefined) return;
      const handlers = [o.obj.preHandler, o.obj.onRequest, o.obj.handler].flatMap((x) => (x === undefined ? [] : x && typeof x === 'object' && 'arr' in x ? x.arr : [x]));
      for (const method of methods) if (method && /^[a-z]+$/i.test(method)) node.routes.push({ method: method.toUpperCase(), path: cleanPath(url), handlers, op, file });
    };

    /** The innermost call of the chain a chained call belongs to: same function, same start line, made before it. */
    const chainHead = (f: FileFacts, c: CallFact): CallFact | undefined => {
      let best: CallFact | undefined;
      for (const x of f.calls) if (x.fn === c.fn && x.line === c.line && x.root !== 'call' && x.order > c.order && x.endLine <= c.endLine && (!best || x.order > best.order)) best = x;
      return best;
    };
    const opOf = (c: CallFact): Op => ({ name: c.callee[c.callee.length - 1], args: c.args, line: c.line, fn: c.fn, chained: c.root === 'call' });

    // Pass 1: routers known without an instance — chains assigned to a name, plugin functions given to register().
    const chainVars: { file: string; name: string; fn: string; kind: Kind; chain: NonNullable<ReturnType<typeof unwindChain>>; line: number }[] = [];
    for (const f of files) {
      const scopes: { fn: string; vars: [string, Val | undefined, number][] }[] = [{ fn: '<module>', vars: f.vars.map((v) => [v.name, v.init, v.line]) }];
      for (const fn of f.functions) scopes.push({ fn: fn.id, vars: Object.entries(fn.locals).map(([k, v]) => [k, v, fn.line]) });
      for (const s of scopes) for (const [name, init, line] of s.vars) {
        // `const app = require('fastify')({ logger: true })`
        if (init && typeof init === 'object' && 'call' in init && init.call === '()' && init.recv && typeof init.recv === 'object' && 'call' in init.recv && init.recv.call === 'require') {
          const pkg = valToString(init.recv.args[0]);
          const kind = pkg ? ctorKind(pkg, 'default') : undefined;
          if (kind) known.set(keyOf(f.file, name, s.fn), kind);
          continue;
        }
        if (!init || typeof init !== 'object' || !('call' in init) || !init.call.startsWith('().')) continue;
        const chain = unwindChain(init);
        const kind = chain && headKind(f.file, s.fn, chain.head);
        if (!chain || !kind) continue;
        known.set(keyOf(f.file, name, s.fn), kind);
        chainVars.push({ file: f.file, name, fn: s.fn, kind, chain, line });
      }
    }
    /**
     * `userRoutes(router, deps)`, `registerRoutes(app)`, `require('./routes/users')(app)`: a project
     * function given a known app or router puts the routes it declares on that parameter onto it.
     * The parameter's node is mounted below the argument's (no prefix of its own): called with two
     * routers, its routes answer under both.
     */
    /** koa-router `new Router({ prefix: '/users' })` as an instance: every route of the router is below it. */
    const koaPrefix = (node: RouterNode, file: string, name: string, fromFn: string) => {
      const inst = link.instanceOf(file, name, fnOf(fromFn));
      if (!inst || !('ctor' in inst) || node.prefix !== undefined || !isObj(inst.args[0])) return;
      const p = valToString(inst.args[0].obj.prefix);
      if (p) node.prefix = joinPath(p);
    };
    const passedRouters = new Set<string>();
    /** `require('./routes/users')` as a callee: the function the module exports (`module.exports = (app) => { ... }`). */
    const moduleFunction = (file: string, v: Val, fromFn: string): { file: string; fn: string } | undefined => {
      const r = link.resolve?.(file, v, fnOf(fromFn));
      if (r?.kind !== 'nsFile') return undefined;
      const facts = link.facts(r.file);
      const id = facts?.exports.default;
      return id && facts.functions.some((x) => x.id === id) ? { file: r.file, fn: id } : undefined;
    };
    const bindPassedRouters = (f: FileFacts, c: CallFact): boolean => {
      if (c.root === 'new' || c.root === 'other' || !c.args.length) return false;
      let callee: Val | undefined;
      if (!c.root && c.callee.length && !c.callee.includes('()')) callee = { ref: c.callee.join('.') };
      else if (c.root === 'call' && c.callee.length === 1 && c.callee[0] === '()' && c.recv === 'require') {
        // `require('./routes/users')(app)`: the call of what the module exports
        const req = f.calls.find((x) => x.fn === c.fn && x.line === c.line && x.callee.length === 1 && x.callee[0] === 'require' && typeof x.args[0] === 'string');
        if (req) callee = { call: 'require', args: req.args };
      }
      if (!callee) return false;
      let grew = false;
      let target: { file: string; fn: string } | undefined | null = null;
      c.args.forEach((a, i) => {
        const name = a && typeof a === 'object' && 'ref' in a && !a.ref.includes('.') ? a.ref : undefined;
        const kind = name ? kindOf(f.file, name, c.fn) : undefined;
        if (!name || !kind) return;
        if (target === null) target = link.handlerOf(f.file, callee!, fnOf(c.fn)) ?? moduleFunction(f.file, callee!, c.fn);
        const fn = target && link.facts(target.file)?.functions.find((x) => x.id === target!.fn);
        const param = fn?.params[i]?.name;
        if (!target || !param) return;
        const key = `${target.file}#${target.fn}:${param}`;
        const mount = `${keyOf(f.file, name, c.fn)}>${key}`;
        if (passedRouters.has(mount)) return;
        passedRouters.add(mount);
        if (!known.has(key)) known.set(key, kind);
        const node = nodeFor(f.file, name, kind === 'app', c.fn);
        if (kind === 'router') koaPrefix(node, f.file, name, c.fn);
        node.mounts.push({ prefix: '', target: { key }, op: opOf(c), file: f.file, middleware: [] });
        grew = true;
      });
      return grew;
    };

    // plugins register plugins, and route functions pass their router on: go round until no new one is found
    for (let round = 0, grew = true; grew && round < 6; round++) {
      grew = false;
      for (const f of files) {
        for (const c of f.calls) {
          if (bindPassedRouters(f, c)) grew = true;
          if (c.callee[c.callee.length - 1] !== 'register') continue;
          // `app.register(a).register(b)`: the receiver is the head of the chain
          const head = c.root === 'call' ? chainHead(f, c) : c;
          if (!head || head.callee.length !== 2 || head.root === 'call') continue;
          const auto = autoloadPlugins(f.file, c.args, c.fn);
          if (!kindOf(f.file, head.callee[0], head.fn)) {
            // the root plugin `fastify start app.js` loads (fastify-cli): its instance parameter registers AutoLoad
            const fn = f.functions.find((x) => x.id === head.fn);
            if (!auto || fn?.params[0]?.name !== head.callee[0]) continue;
            known.set(keyOf(f.file, head.callee[0], head.fn), 'app');
            grew = true;
          }
          const keys = auto?.map((a) => a.key) ?? [pluginKey(f.file, c.args[0], c.fn)];
          for (const key of keys) {
            if (key && !known.has(key)) {
              known.set(key, 'app');
              grew = true;
            }
          }
        }
      }
    }

    // Pass 2: the calls.
    for (const cv of chainVars) {
      const node = nodeFor(cv.file, cv.name, cv.kind === 'app', cv.fn);
      const f = link.facts(cv.file)!;
      const used = new Set<CallFact>();
      const ops: Op[] = cv.chain.ops.map((o) => {
        const argsKey = JSON.stringify(o.args);
        const c = f.calls.find((x) => !used.has(x) && x.root === 'call' && x.fn === cv.fn && x.callee[x.callee.length - 1] === o.name && JSON.stringify(x.args) === argsKey);
        if (c) used.add(c);
        return { name: o.name, args: o.args, line: c?.line ?? cv.line, fn: cv.fn, chained: true };
      });
      // koa-router `new Router({ prefix: '/users' })`
      if (isObj(cv.chain.head.args[0]) && cv.kind === 'router') {
        const p = valToString(cv.chain.head.args[0].obj.prefix);
        if (p) node.prefix = joinPath(node.prefix, p);
      }
      applyOps(node, cv.file, ops);
    }
    for (const f of files) {
      for (const c of f.calls) {
        if (c.root === 'call' || c.callee.length !== 2) continue;
        const name = c.callee[1];
        if (!CHAIN_OPS.has(name) && name !== 'route') continue;
        const kind = kindOf(f.file, c.callee[0], c.fn);
        if (!kind) continue;
        const node = nodeFor(f.file, c.callee[0], kind === 'app', c.fn);
        if (kind === 'router') koaPrefix(node, f.file, c.callee[0], c.fn);
        if (name === 'route' && c.args.length === 1 && isObj(c.args[0])) {
          routeObject(node, f.file, opOf(c));
          continue;
        }
        // the calls chained on this one: they enclose it, start where it starts, and come before it in visiting order
        const chained = f.calls
          .filter((x) => x !== c && x.root === 'call' && x.fn === c.fn && x.line === c.line && x.endLine >= c.endLine && x.order < c.order && CHAIN_OPS.has(x.callee[x.callee.length - 1]))
          .sort((a, b) => b.order - a.order);
        applyOps(node, f.file, [opOf(c), ...chained.map(opOf)]);
      }
    }

    const out: EntrypointDef[] = [];
    const targetKey = (m: RouterNode['mounts'][number]) => ('key' in m.target ? m.target.key : keyOf(m.file, m.target.ref, m.op.fn));
    const mounted = new Set<string>();
    for (const n of nodes.values()) for (const m of n.mounts) mounted.add(targetKey(m));
    const handlerOf = (file: string, h: Val, op: Op) => link.handlerOf(file, h, fnOf(op.fn));
    const emit = (n: RouterNode, prefix: string, middleware: { handler: Val; op: Op; file: string }[], seen: Set<string>) => {
      if (seen.has(n.key)) return;
      const nextSeen = new Set(seen).add(n.key);
      const base = joinPath(prefix, n.prefix);
      for (const r of n.routes) {
        const path = joinPath(base, r.path);
        const mw = [...middleware, ...n.middleware.filter((m) => m.prefix === undefined || segmentPrefix(m.prefix, r.path))];
        const handlers = r.handlers.map((h) => handlerOf(r.file, h, r.op)).filter((h): h is { file: string; fn: string } => !!h);
        const handler = handlers[handlers.length - 1];
        const before = [...mw.map((m) => handlerOf(m.file, m.handler, m.op)).filter((h): h is { file: string; fn: string } => !!h), ...handlers.slice(0, -1)];
        // a chained call's line is where the chain starts: the inline handler's line is nearer the route
        const hf = r.op.chained && handler && handler.file === r.file ? link.facts(r.file)?.functions.find((x) => x.id === handler.fn) : undefined;
        const line = hf && hf.line >= r.op.line ? hf.line : r.op.line;
        out.push({ name: `${r.method} ${path}`, trigger: 'http', route: { method: r.method, path }, handler, before, evidence: { file: r.file, line } });
      }
      for (const m of n.mounts) {
        const mw = [...middleware, ...n.middleware.filter((x) => x.prefix === undefined || segmentPrefix(x.prefix, m.prefix)), ...m.middleware.map((h) => ({ handler: h, op: m.op, file: m.file }))];
        const target = nodes.get(targetKey(m));
        if (target) emit(target, joinPath(base, m.prefix), mw, nextSeen);
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
