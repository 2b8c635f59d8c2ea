// FastAPI (and Starlette underneath): routes declared with method decorators on FastAPI
// apps and APIRouters, their full paths through `include_router(..., prefix=...)` chains
// across files (and `app.mount()` of sub-applications), WebSocket routes, and what runs
// before each handler: the Depends(...) / Security(...) chain of the handler and of its
// router/app, `dependencies=[...]`, `@app.middleware("http")` functions and middleware
// classes added with `app.add_middleware(...)`. BackgroundTasks.add_task(fn, ...) runs fn
// after the response: a contained fire-and-forget.
import type { FileFacts, FunctionFact, Val } from '../../extract/facts.js';
import type { Resolved } from '../../link/resolve.js';
import { remember } from '../_lib/project.js';
import { arg, ctorHead, joinPaths, kwargs, positional } from '../_lib/python.js';
import type { EntrypointDef, EntrypointLink, Instance, TechPack } from '../types.js';

const ROUTE_DECORATORS: Record<string, string | undefined> = { get: 'GET', post: 'POST', put: 'PUT', patch: 'PATCH', delete: 'DELETE', options: 'OPTIONS', head: 'HEAD', trace: 'TRACE', api_route: undefined, websocket: 'WS', websocket_route: 'WS', route: undefined };
const APP_CTORS = new Set(['FastAPI', 'APIRouter', 'Starlette', 'Router']);

interface Router {
  key: string;
  file: string;
  line: number;
  isApp: boolean;
  /** undefined: given but not statically known (read at run time) — its routes' paths are unknown, so they are not reported. */
  prefix: string | undefined;
  deps: Val[];
  /** include_router/mount edges to parents: the parent key, the prefix given at mount (undefined: not statically known), its dependencies. */
  parents: { key: string; prefix: string | undefined; deps: Val[]; file: string; fromFn?: string }[];
  middleware: { file: string; fn: string; guard?: string }[];
}

function instKey(inst: Instance): string {
  return `${inst.evidence.file}:${inst.evidence.line}`;
}

function isRouterInst(r: Resolved | undefined): r is { kind: 'inst'; inst: Instance } {
  return r?.kind === 'inst' && (r.inst.pkg === 'fastapi' || r.inst.pkg === 'starlette') && APP_CTORS.has(ctorHead(r.inst).replace(/\(\)$/, ''));
}

function str(link: EntrypointLink, file: string, v: Val | undefined, fromFn?: string): string | undefined {
  if (v === undefined) return undefined;
  const e = link.evaluate(file, v, fromFn);
  if (typeof e === 'string') return e;
  // os.getenv("API_PREFIX", "/api"): the default the code declares
  if (e && typeof e === 'object' && 'env' in e && typeof e.default === 'string') return e.default;
  if (e && typeof e === 'object' && 'tpl' in e) {
    // f"{settings.API_V1_STR}/users": evaluate the holes
    let out = '';
    const pieces = e.tpl.split('${}');
    for (let i = 0; i < pieces.length; i++) {
      out += pieces[i];
      if (i < e.parts.length) {
        const p = link.evaluate(file, e.parts[i], fromFn);
        if (typeof p !== 'string') return undefined;
        out += p;
      }
    }
    return out;
  }
  if (e && typeof e === 'object' && 'concat' in e) {
    const parts = e.concat.map((p) => link.evaluate(file, p, fromFn));
    return parts.every((p) => typeof p === 'string') ? parts.join('') : undefined;
  }
  return undefined;
}

/** A prefix argument: '' when absent, its text when statically known, undefined when given but read at run time. */
function known(link: EntrypointLink, file: string, v: Val | undefined, fromFn?: string): string | undefined {
  return v === undefined ? '' : str(link, file, v, fromFn);
}

function listOf(v: Val | undefined): Val[] {
  return v && typeof v === 'object' && 'arr' in v ? v.arr : [];
}

/** The functions a `Depends(x)` / `Security(x)` runs, x's own dependencies first. */
function dependencyFns(link: EntrypointLink, file: string, v: Val | undefined, fromFn: string | undefined, seen: Set<string>, depth = 0): { file: string; fn: string; guard?: string }[] {
  if (!v || typeof v !== 'object' || !('call' in v) || !/(^|\.)(Depends|Security)$/.test(v.call) || depth > 8) return [];
  const target = positional(v.args)[0] ?? arg(v.args, 'dependency');
  if (target === undefined) return [];
  const r = link.resolve?.(file, target, fromFn);
  const out: { file: string; fn: string; guard?: string }[] = [];
  const add = (rf: string, fn: FunctionFact) => {
    const key = `${rf}#${fn.id}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(...paramDependencies(link, rf, fn, seen, depth + 1));
    out.push({ file: rf, fn: fn.id, guard: fn.name });
  };
  if (r?.kind === 'fn') add(r.file, r.fn);
  else if (!r && target && typeof target === 'object' && 'call' in target) {
    // Depends(get_current_user(required=False)): a factory returning one of several dependency functions — each may run
    const factory = link.resolve?.(file, { ref: target.call }, fromFn);
    if (factory?.kind === 'fn') {
      for (const rv of factory.fn.returns ?? []) {
        const branches = rv && typeof rv === 'object' && 'unknown' in rv && rv.unknown === 'ConditionalExpression' ? rv.of ?? [] : [rv];
        for (const b of branches) {
          const g = b && typeof b === 'object' && 'ref' in b ? link.resolve?.(factory.file, b, factory.fn.id) : undefined;
          if (g?.kind === 'fn') add(g.file, g.fn);
        }
      }
    }
  } else if (r?.kind === 'class' || r?.kind === 'classInst') {
    // Depends(SomeClass): its __init__ runs; Depends(instance): its __call__
    const facts = link.facts(r.file);
    const method = facts?.functions.find((f) => f.className === r.cls.name && f.name === (r.kind === 'class' ? 'constructor' : '__call__'));
    if (method) add(r.file, method);
  }
  return out;
}

/** Dependencies declared by a function's parameters: `db: Session = Depends(get_db)`, `user: CurrentUser`. */
function paramDependencies(link: EntrypointLink, file: string, fn: FunctionFact, seen: Set<string>, depth = 0): { file: string; fn: string; guard?: string }[] {
  const out: { file: string; fn: string; guard?: string }[] = [];
  for (const p of fn.params) {
    if (p.default && typeof p.default === 'object' && 'call' in p.default) {
      out.push(...dependencyFns(link, file, p.default, fn.id, seen, depth));
      continue;
    }
    if (!p.type) continue;
    const def = link.definitionOf(file, p.type.split('.')[0]);
    const v = def ? link.facts(def.file)?.vars.find((x) => x.name === def.name) : undefined;
    const init = v?.init;
    if (def && init && typeof init === 'object' && 'call' in init && init.call === 'Annotated') for (const a of init.args.slice(1)) out.push(...dependencyFns(link, def.file, a, undefined, seen, depth));
  }
  return out;
}

function discover(files: FileFacts[], link: EntrypointLink): EntrypointDef[] {
  if (!link.resolve) return [];
  const routers = new Map<string, Router>();
  /**
   * A router the resolver cannot type — built from a project subclass of APIRouter or a class a
   * factory returns (`APIRouter = get_api_router_class(APIRoute)`): its module-level definition
   * `router = X(prefix=...)`. Only objects FastAPI's API shows to be routers (the receiver or the
   * argument of `include_router`) are taken as such; their decorators then count as routes.
   */
  const definedRouter = (file: string, v: Val | undefined, fromFn?: string): { key: string; file: string; line: number; args: Val[] } | undefined => {
    if (!v || typeof v !== 'object' || !('ref' in v)) return undefined;
    const parts = v.ref.split('.');
    if (parts.length > 2) return undefined;
    // a name bound inside the function itself is not the module-level one
    if (fromFn && link.facts(file)?.functions.find((f) => f.id === fromFn)?.params.some((p) => p.name === parts[0])) return undefined;
    let def: { file: string; name: string } | undefined;
    if (parts.length === 1) def = link.definitionOf(file, parts[0]);
    else {
      const mod = link.resolve!(file, { ref: parts[0] }, fromFn);
      if (mod?.kind === 'nsFile') def = link.definitionOf(mod.file, parts[1]) ?? { file: mod.file, name: parts[1] };
    }
    if (!def) return undefined;
    const vf = link.facts(def.file)?.vars.find((x) => x.name === def!.name);
    const init = vf?.init;
    if (!vf || !init || typeof init !== 'object' || !('call' in init) || !/^\w+(\.\w+)?$/.test(init.call)) return undefined;
    // the constructor is a project class or something the resolver cannot follow — never a function, a module or another package's object
    const made = link.resolve!(def.file, init);
    if (made && made.kind !== 'classInst' && made.kind !== 'class') return undefined;
    const ctor = link.resolve!(def.file, { ref: init.call });
    if (ctor && ctor.kind !== 'class') return undefined;
    return { key: `${def.file}:${vf.line}#inferred`, file: def.file, line: vf.line, args: init.args };
  };
  const routerOf = (file: string, v: Val | undefined, fromFn?: string, infer = false): Router | undefined => {
    if (v === undefined) return undefined;
    const r = link.resolve!(file, v, fromFn);
    if (!isRouterInst(r)) {
      const other = r as Resolved | undefined;
      if (other && other.kind !== 'class' && other.kind !== 'classInst') return undefined;
      const d = definedRouter(file, v, fromFn);
      if (!d) return undefined;
      let router = routers.get(d.key);
      if (!router && infer) {
        router = { key: d.key, file: d.file, line: d.line, isApp: false, prefix: known(link, d.file, arg(d.args, 'prefix')), deps: listOf(arg(d.args, 'dependencies')), parents: [], middleware: [] };
        routers.set(d.key, router);
      }
      return router;
    }
    const key = instKey(r.inst);
    let router = routers.get(key);
    if (!router) {
      const head = ctorHead(r.inst);
      const a = r.inst.args;
      router = {
        key, file: r.inst.evidence.file, line: r.inst.evidence.line, isApp: head === 'FastAPI' || head === 'Starlette',
        prefix: known(link, r.inst.evidence.file, arg(a, 'prefix') ?? (head === 'FastAPI' ? arg(a, 'root_path') : undefined)),
        deps: listOf(arg(a, 'dependencies')), parents: [], middleware: [],
      };
      routers.set(key, router);
    }
    return router;
  };
  const fnIn = (file: string, id: string) => link.facts(file)?.functions.find((f) => f.id === id);

  // mounts and middleware (module-level and in app factories)
  for (const f of files) {
    for (const c of f.calls) {
      const op = c.callee[c.callee.length - 1];
      if (c.root || c.callee.length < 2 || !op) continue;
      if (op !== 'include_router' && op !== 'mount' && op !== 'add_middleware' && op !== 'middleware' && op !== 'add_api_route' && op !== 'add_api_websocket_route') continue;
      const fromFn = c.fn === '<module>' ? undefined : c.fn;
      const parent = routerOf(f.file, { ref: c.callee.slice(0, -1).join('.') }, fromFn, op === 'include_router');
      if (!parent) continue;
      if (op === 'include_router' || op === 'mount') {
        const childVal = op === 'mount' ? positional(c.args)[1] ?? arg(c.args, 'app') : positional(c.args)[0] ?? arg(c.args, 'router');
        const child = routerOf(f.file, childVal, fromFn, op === 'include_router');
        if (!child || child === parent) continue;
        const prefix = known(link, f.file, op === 'mount' ? positional(c.args)[0] ?? arg(c.args, 'path') : arg(c.args, 'prefix'), fromFn);
        child.parents.push({ key: parent.key, prefix, deps: listOf(arg(c.args, 'dependencies')), file: f.file, fromFn });
      } else if (op === 'add_middleware') {
        const cls = link.resolve!(f.file, positional(c.args)[0] ?? null, fromFn);
        if (cls?.kind === 'class') {
          const facts = link.facts(cls.file);
          const m = facts?.functions.find((x) => x.className === cls.cls.name && (x.name === 'dispatch' || x.name === '__call__'));
          if (m) parent.middleware.push({ file: cls.file, fn: m.id, guard: cls.cls.name });
        }
      }
    }
  }

  interface RouteSite {
    router: Router;
    method: string;
    path: string;
    file: string;
    fn: FunctionFact;
    line: number;
    deps: Val[];
  }
  const sites: RouteSite[] = [];
  for (const f of files) {
    for (const fn of f.functions) {
      for (const d of fn.decorators) {
        const chain = d.callee ?? [];
        const op = chain[chain.length - 1];
        if (chain.length < 2 || !op || !(op in ROUTE_DECORATORS)) continue;
        const router = routerOf(f.file, { ref: chain.slice(0, -1).join('.') }, fn.parent);
        if (!router) continue;
        if (op === 'middleware') continue;
        const path = str(link, f.file, positional(d.args)[0] ?? arg(d.args, 'path'));
        if (path === undefined) continue;
        let methods: string[];
        const fixed = ROUTE_DECORATORS[op];
        if (fixed) methods = [fixed];
        else {
          const ms = listOf(arg(d.args, 'methods')).map((m) => (typeof m === 'string' ? m.toUpperCase() : undefined)).filter((m): m is string => !!m);
          methods = ms.length ? ms : ['GET'];
        }
        for (const method of methods) sites.push({ router, method, path, file: f.file, fn, line: d.line, deps: listOf(arg(d.args, 'dependencies')) });
      }
      // @app.middleware("http")
      for (const d of fn.decorators) {
        const chain = d.callee ?? [];
        if (chain[chain.length - 1] !== 'middleware' || chain.length < 2) continue;
        const router = routerOf(f.file, { ref: chain.slice(0, -1).join('.') }, fn.parent);
        if (router) router.middleware.push({ file: f.file, fn: fn.id, guard: fn.name });
      }
    }
    // router.add_api_route("/x", endpoint, methods=["GET"])
    for (const c of f.calls) {
      const op = c.callee[c.callee.length - 1];
      if (c.root || c.callee.length < 2 || (op !== 'add_api_route' && op !== 'add_api_websocket_route')) continue;
      const fromFn = c.fn === '<module>' ? undefined : c.fn;
      const router = routerOf(f.file, { ref: c.callee.slice(0, -1).join('.') }, fromFn);
      const path = str(link, f.file, positional(c.args)[0] ?? arg(c.args, 'path'), fromFn);
      const h = link.handlerOf(f.file, positional(c.args)[1] ?? arg(c.args, 'endpoint') ?? null, fromFn);
      const fn = h ? fnIn(h.file, h.fn) : undefined;
      if (!router || path === undefined || !h || !fn) continue;
      const ms = op === 'add_api_websocket_route' ? ['WS'] : listOf(arg(c.args, 'methods')).map((m) => (typeof m === 'string' ? m.toUpperCase() : '')).filter(Boolean);
      for (const method of ms.length ? ms : ['GET']) sites.push({ router, method, path, file: h.file, fn, line: c.line, deps: listOf(arg(c.args, 'dependencies')) });
    }
  }

  // every mount path of a router: [prefix chain, dependencies on the way, middleware of the apps on the way]
  interface Mount {
    prefix: string;
    deps: { file: string; v: Val; fromFn?: string }[];
    middleware: { file: string; fn: string; guard?: string }[];
  }
  const mountsOf = (r: Router, seen: Set<string>): Mount[] => {
    if (seen.has(r.key) || seen.size > 16 || r.prefix === undefined) return [];
    const next = new Set(seen).add(r.key);
    const own: Mount = { prefix: r.prefix, deps: r.deps.map((v) => ({ file: r.file, v })), middleware: r.middleware };
    if (!r.parents.length) return [own];
    const out: Mount[] = [];
    for (const p of r.parents) {
      const parent = routers.get(p.key);
      if (!parent || p.prefix === undefined) continue;
      for (const pm of mountsOf(parent, next)) {
        out.push({
          prefix: joinPaths(pm.prefix, p.prefix, own.prefix),
          deps: [...pm.deps, ...p.deps.map((v) => ({ file: p.file, v, fromFn: p.fromFn })), ...own.deps],
          middleware: [...pm.middleware, ...own.middleware],
        });
      }
    }
    // mounted only under prefixes read at run time (here or further up): no known path
    return out;
  };

  const out: EntrypointDef[] = [];
  for (const s of sites) {
    for (const m of mountsOf(s.router, new Set())) {
      const path = joinPaths(m.prefix, s.path);
      const ws = s.method === 'WS';
      const name = `${s.method} ${path}`;
      const seen = new Set<string>();
      const before: { file: string; fn: string; guard?: string }[] = [...m.middleware];
      for (const d of m.deps) before.push(...dependencyFns(link, d.file, d.v, d.fromFn, seen));
      for (const d of s.deps) before.push(...dependencyFns(link, s.file, d, undefined, seen));
      before.push(...paramDependencies(link, s.file, s.fn, seen));
      out.push({
        name, trigger: ws ? 'websocket' : 'http', route: { method: s.method, path }, handler: { file: s.file, fn: s.fn.id },
        ...(before.length ? { before } : {}), evidence: { file: s.file, line: s.line },
      });
    }
  }
  return out;
}

const pack: TechPack = {
  id: 'fastapi',
  title: 'FastAPI (routes, routers, dependencies, middleware, background tasks)',
  lang: 'python',
  upstreamDocs: ['https://fastapi.tiangolo.com/tutorial/bigger-applications/', 'https://fastapi.tiangolo.com/tutorial/dependencies/', 'https://fastapi.tiangolo.com/tutorial/background-tasks/', 'https://fastapi.tiangolo.com/advanced/websockets/'],
  packages: ['fastapi', 'starlette'],
  classifyCall(call) {
    const op = call.member[call.member.length - 1];
    const head = call.instance ? ctorHead(call.instance) : call.exportName;
    // background_tasks.add_task(send_email, to) runs send_email after the response
    if (op === 'add_task' && (head === 'BackgroundTasks' || head === 'BackgroundTask')) {
      const fn = positional(call.call.args)[0];
      return fn !== undefined ? { use: 'invoke', fn, guards: {} } : { use: 'ignore' };
    }
    void kwargs;
    return { use: 'ignore' };
  },
  entrypoints(files, link) {
    remember(files, link);
    return discover(files, link);
  },
};
export default pack;
