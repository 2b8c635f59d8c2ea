// Flask (and Quart): routes from `@app.route(...)` / `@bp.get(...)` decorators on apps and
// blueprints, their full paths through `register_blueprint(bp, url_prefix=...)` chains (also
// inside create_app() factories), `add_url_rule(...)`, MethodView classes, Flask-RESTful /
// Flask-RESTX resources (`api.add_resource(Resource, "/x")`, `@ns.route("/x")`), and the
// `before_request` hooks that run before them.
import type { FileFacts, FunctionFact, Val } from '../../extract/facts.js';
import type { Resolved } from '../../link/resolve.js';
import { remember } from '../_lib/project.js';
import { arg, ctorHead, joinPaths, positional } from '../_lib/python.js';
import type { EntrypointDef, EntrypointLink, Instance, TechPack } from '../types.js';

const ROUTE_DECORATORS: Record<string, string | undefined> = { route: undefined, get: 'GET', post: 'POST', put: 'PUT', patch: 'PATCH', delete: 'DELETE' };
const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];

interface Scope {
  key: string;
  file: string;
  kind: 'app' | 'blueprint' | 'api';
  prefix: string;
  parents: { key: string; prefix?: string }[];
  before: { file: string; fn: string; guard?: string }[];
}

function isFlask(r: Resolved | undefined): r is { kind: 'inst'; inst: Instance } {
  return r?.kind === 'inst' && /^(flask|quart|flask_restful|flask_restx|flask_smorest)$/.test(r.inst.pkg) && /^(Flask|Quart|Blueprint|Api|Namespace)$/.test(ctorHead(r.inst).replace(/\(\)$/, ''));
}

function str(link: EntrypointLink, file: string, v: Val | undefined, fromFn?: string): string | undefined {
  if (v === undefined) return undefined;
  const e = link.evaluate(file, v, fromFn);
  return typeof e === 'string' ? e : undefined;
}

function methodsOf(v: Val | undefined, fallback: string[]): string[] {
  const list = v && typeof v === 'object' && 'arr' in v ? v.arr.filter((x): x is string => typeof x === 'string').map((x) => x.toUpperCase()) : [];
  return list.length ? list : fallback;
}

function discover(files: FileFacts[], link: EntrypointLink): EntrypointDef[] {
  if (!link.resolve) return [];
  const scopes = new Map<string, Scope>();
  const scopeOf = (file: string, v: Val | undefined, fromFn?: string): Scope | undefined => {
    if (v === undefined) return undefined;
    const r = link.resolve!(file, v, fromFn);
    if (!isFlask(r)) return undefined;
    const key = `${r.inst.evidence.file}:${r.inst.evidence.line}`;
    let s = scopes.get(key);
    if (!s) {
      const head = ctorHead(r.inst);
      const kind = head === 'Blueprint' ? 'blueprint' : head === 'Api' || head === 'Namespace' ? 'api' : 'app';
      const prefixArg = kind === 'blueprint' ? arg(r.inst.args, 'url_prefix') : kind === 'api' ? arg(r.inst.args, 'prefix') ?? (head === 'Namespace' ? arg(r.inst.args, 'path') : undefined) : undefined;
      s = { key, file: r.inst.evidence.file, kind, prefix: str(link, r.inst.evidence.file, prefixArg) ?? (head === 'Namespace' ? `/${str(link, r.inst.evidence.file, positional(r.inst.args)[0]) ?? ''}` : ''), parents: [], before: [] };
      // Api(app) / Api(blueprint): the API lives on that app or blueprint
      if (kind === 'api' && head === 'Api') {
        const host = positional(r.inst.args)[0] ?? arg(r.inst.args, 'app');
        const parent = host !== undefined ? scopeOf(r.inst.evidence.file, host) : undefined;
        if (parent) s.parents.push({ key: parent.key });
      }
      scopes.set(key, s);
    }
    return s;
  };
  const fnIn = (file: string, id: string) => link.facts(file)?.functions.find((f) => f.id === id);

  interface Site {
    scope: Scope;
    methods: string[];
    path: string;
    file: string;
    fn?: FunctionFact;
    fnFile?: string;
    line: number;
  }
  const sites: Site[] = [];
  const classSites = (scope: Scope, file: string, clsRef: Val, paths: string[], line: number, fromFn?: string) => {
    const r = link.resolve!(file, clsRef, fromFn);
    if (r?.kind !== 'class') return;
    const facts = link.facts(r.file);
    for (const m of HTTP_METHODS) {
      const fn = facts?.functions.find((x) => x.className === r.cls.name && x.name === m);
      if (fn) for (const p of paths) sites.push({ scope, methods: [m.toUpperCase()], path: p, file, fn, fnFile: r.file, line });
    }
  };
  for (const f of files) {
    for (const c of f.calls) {
      const op = c.callee[c.callee.length - 1];
      if (c.root || c.callee.length < 2 || !op) continue;
      const fromFn = c.fn === '<module>' ? undefined : c.fn;
      if (op !== 'register_blueprint' && op !== 'add_url_rule' && op !== 'add_resource' && op !== 'add_namespace' && op !== 'before_request' && op !== 'register_api' && op !== 'init_app') continue;
      const scope = scopeOf(f.file, { ref: c.callee.slice(0, -1).join('.') }, fromFn);
      if (!scope) continue;
      if (op === 'register_blueprint' || op === 'add_namespace') {
        const child = scopeOf(f.file, positional(c.args)[0] ?? arg(c.args, 'blueprint') ?? arg(c.args, 'ns'), fromFn);
        if (child && child !== scope) child.parents.push({ key: scope.key, prefix: str(link, f.file, arg(c.args, op === 'add_namespace' ? 'path' : 'url_prefix') ?? (op === 'add_namespace' ? positional(c.args)[1] : undefined), fromFn) });
      } else if (op === 'init_app' && scope.kind === 'api') {
        const parent = scopeOf(f.file, positional(c.args)[0] ?? arg(c.args, 'app'), fromFn);
        if (parent) scope.parents.push({ key: parent.key });
      } else if (op === 'add_url_rule') {
        const rule = str(link, f.file, positional(c.args)[0] ?? arg(c.args, 'rule'), fromFn);
        const view = arg(c.args, 'view_func') ?? positional(c.args)[2];
        if (rule === undefined || view === undefined) continue;
        if (view && typeof view === 'object' && 'call' in view && /\.as_view$/.test(view.call)) classSites(scope, f.file, { ref: view.call.replace(/\.as_view$/, '') }, [rule], c.line, fromFn);
        else {
          const h = link.handlerOf(f.file, view, fromFn);
          const fn = h ? fnIn(h.file, h.fn) : undefined;
          if (fn && h) sites.push({ scope, methods: methodsOf(arg(c.args, 'methods'), ['GET']), path: rule, file: f.file, fn, fnFile: h.file, line: c.line });
        }
      } else if (op === 'add_resource') {
        const paths = positional(c.args).slice(1).map((p) => str(link, f.file, p, fromFn)).filter((p): p is string => p !== undefined);
        if (paths.length) classSites(scope, f.file, positional(c.args)[0] ?? null, paths, c.line, fromFn);
      } else if (op === 'before_request') {
        const h = link.handlerOf(f.file, positional(c.args)[0] ?? null, fromFn);
        if (h) scope.before.push({ ...h, guard: h.fn });
      }
    }
    for (const fn of f.functions) {
      for (const d of fn.decorators) {
        const chain = d.callee ?? [];
        const op = chain[chain.length - 1];
        if (chain.length < 2 || !op) continue;
        const scope = scopeOf(f.file, { ref: chain.slice(0, -1).join('.') }, fn.parent);
        if (!scope) continue;
        if (op === 'before_request' || op === 'before_app_request') {
          scope.before.push({ file: f.file, fn: fn.id, guard: fn.name });
          continue;
        }
        if (!(op in ROUTE_DECORATORS)) continue;
        const path = str(link, f.file, positional(d.args)[0] ?? arg(d.args, 'rule'));
        if (path === undefined) continue;
        const fixed = ROUTE_DECORATORS[op];
        sites.push({ scope, methods: fixed ? [fixed] : methodsOf(arg(d.args, 'methods'), ['GET']), path, file: f.file, fn, fnFile: f.file, line: d.line });
      }
    }
    // Flask-RESTX: @ns.route("/items/<int:id>") on a Resource class
    for (const cls of f.classes) {
      for (const d of cls.decorators) {
        const chain = d.callee ?? [];
        if (chain[chain.length - 1] !== 'route' || chain.length < 2) continue;
        const scope = scopeOf(f.file, { ref: chain.slice(0, -1).join('.') });
        const path = str(link, f.file, positional(d.args)[0]);
        if (scope && path !== undefined) classSites(scope, f.file, { ref: cls.name }, [path], d.line);
      }
    }
  }

  const mounts = (s: Scope, seen: Set<string>): { prefix: string; before: { file: string; fn: string; guard?: string }[] }[] => {
    if (seen.has(s.key) || seen.size > 16) return [];
    const next = new Set(seen).add(s.key);
    if (!s.parents.length) return [{ prefix: s.prefix, before: s.before }];
    const out: { prefix: string; before: { file: string; fn: string; guard?: string }[] }[] = [];
    for (const p of s.parents) {
      const parent = scopes.get(p.key);
      if (!parent) continue;
      for (const m of mounts(parent, next)) out.push({ prefix: joinPaths(m.prefix, p.prefix ?? s.prefix), before: [...m.before, ...s.before] });
    }
    return out.length ? out : [{ prefix: s.prefix, before: s.before }];
  };

  const defs = new Map<string, EntrypointDef>();
  for (const site of sites) {
    for (const m of mounts(site.scope, new Set())) {
      const path = joinPaths(m.prefix, site.path);
      for (const method of site.methods) {
        if (method === 'HEAD' || method === 'OPTIONS') continue;
        const name = `${method} ${path}`;
        if (defs.has(name)) continue;
        defs.set(name, {
          name, trigger: 'http', route: { method, path }, ...(site.fn && site.fnFile ? { handler: { file: site.fnFile, fn: site.fn.id } } : {}),
          ...(m.before.length ? { before: m.before } : {}), evidence: { file: site.file, line: site.line },
        });
      }
    }
  }
  return [...defs.values()];
}

const pack: TechPack = {
  id: 'flask',
  title: 'Flask (routes, blueprints, MethodView, Flask-RESTful/RESTX)',
  lang: 'python',
  upstreamDocs: ['https://flask.palletsprojects.com/en/stable/blueprints/', 'https://flask.palletsprojects.com/en/stable/api/#flask.Flask.add_url_rule', 'https://flask-restful.readthedocs.io/en/latest/quickstart.html#resourceful-routing'],
  packages: ['flask', 'quart', 'flask_restful', 'flask_restx'],
  classifyCall() {
    return { use: 'ignore' };
  },
  entrypoints(files, link) {
    remember(files, link);
    return discover(files, link);
  },
};
export default pack;
