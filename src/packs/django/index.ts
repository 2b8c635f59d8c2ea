// Django and Django REST framework: routes from the URLconf (ROOT_URLCONF, or every
// urls.py nobody includes) through path()/re_path()/url() and include() — module strings,
// (patterns, app_name) tuples, inline lists, DRF routers — to function views (methods from
// @api_view / @require_http_methods, else ALL), class-based views (their get/post/... methods,
// DRF generic views and viewsets with their actions and @action extras). ORM calls
// (`Model.objects.filter(...)`, `obj.save()`), `connection.cursor()` raw SQL, the cache API
// and `send_mail` are classified against settings DATABASES / CACHES.
import type { FileFacts, FunctionFact, Val } from '../../extract/facts.js';
import { callChain } from '../_lib/chain.js';
import { projectValue, remember } from '../_lib/project.js';
import { arg, kwargs, normalizeRoutePath, positional } from '../_lib/python.js';
import type { CallMeaning, DepCall, EntrypointDef, EntrypointLink, ResourceRef, TechPack } from '../types.js';

const ROUTE_FNS = new Set(['path', 're_path', 'url']);
const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];
const VIEWSET_ACTIONS: Record<string, { method: string; detail: boolean }> = {
  list: { method: 'GET', detail: false }, create: { method: 'POST', detail: false }, retrieve: { method: 'GET', detail: true },
  update: { method: 'PUT', detail: true }, partial_update: { method: 'PATCH', detail: true }, destroy: { method: 'DELETE', detail: true },
};
/** DRF generic views and viewsets: the methods (or actions) their base class provides. */
const GENERIC_METHODS: Record<string, string[]> = {
  ListAPIView: ['get'], CreateAPIView: ['post'], RetrieveAPIView: ['get'], DestroyAPIView: ['delete'], UpdateAPIView: ['put', 'patch'],
  ListCreateAPIView: ['get', 'post'], RetrieveUpdateAPIView: ['get', 'put', 'patch'], RetrieveDestroyAPIView: ['get', 'delete'], RetrieveUpdateDestroyAPIView: ['get', 'put', 'patch', 'delete'],
  TemplateView: ['get'], ListView: ['get'], DetailView: ['get'], RedirectView: ['get'], FormView: ['get', 'post'], CreateView: ['get', 'post'], UpdateView: ['get', 'post'], DeleteView: ['get', 'post'],
};
const GENERIC_ACTIONS: Record<string, string[]> = {
  ModelViewSet: ['list', 'create', 'retrieve', 'update', 'partial_update', 'destroy'], ReadOnlyModelViewSet: ['list', 'retrieve'],
  ListModelMixin: ['list'], CreateModelMixin: ['create'], RetrieveModelMixin: ['retrieve'], UpdateModelMixin: ['update', 'partial_update'], DestroyModelMixin: ['destroy'],
};

const ORM_READS = new Set(['all', 'filter', 'exclude', 'get', 'first', 'last', 'exists', 'count', 'aggregate', 'values', 'values_list', 'order_by', 'select_related', 'prefetch_related', 'annotate', 'iterator', 'in_bulk', 'distinct', 'only', 'defer', 'latest', 'earliest', 'refresh_from_db', 'raw', 'dates', 'datetimes', 'union', 'none', 'select_for_update', 'using', 'contains', 'explain', 'aget', 'afirst', 'acount', 'aexists']);
const ORM_EVALUATES = new Set(['get', 'first', 'last', 'exists', 'count', 'aggregate', 'in_bulk', 'latest', 'earliest', 'refresh_from_db', 'iterator', 'contains', 'explain', 'aget', 'afirst', 'acount', 'aexists', 'alast', 'aaggregate', 'values_list', 'get_or_create', 'update_or_create']);
const ORM_WRITES = new Set(['create', 'bulk_create', 'update', 'delete', 'get_or_create', 'update_or_create', 'bulk_update', 'save', 'acreate', 'asave', 'adelete', 'aupdate', 'abulk_create', 'aget_or_create', 'aupdate_or_create', 'add', 'remove', 'set', 'clear', 'create_user', 'create_superuser']);

/** Attributes of a view (or serializer) that hold request data, never a queryset. */
const REQUEST_DATA = new Set(['request', 'kwargs', 'args', 'data', 'query_params', 'headers', 'META', 'GET', 'POST', 'FILES', 'COOKIES', 'validated_data', 'initial_data', 'context', 'format_kwarg', 'action']);

interface Route {
  method: string;
  path: string;
  handler?: { file: string; fn: string };
  file: string;
  line: number;
  /** The class-based view or viewset that serves it; `apiView`: a DRF @api_view function. */
  view?: ClassInfo;
  apiView?: boolean;
}

function str(link: EntrypointLink, file: string, v: Val | undefined): string | undefined {
  if (v === undefined) return undefined;
  const e = link.evaluate(file, v);
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object' && 'concat' in e && e.concat.every((x) => typeof x === 'string')) return e.concat.join('');
  // f"{prefix}admin/login/" with every part known
  if (e && typeof e === 'object' && 'tpl' in e && e.parts.every((x) => typeof x === 'string')) {
    let i = 0;
    return e.tpl.replace(/\$\{\}/g, () => e.parts[i++] as string);
  }
  return undefined;
}

/** `^users/(?P<pk>[0-9]+)/$` → users/:pk/ */
export function regexRoute(r: string): string {
  let s = r.replace(/^\^/, '').replace(/\$$/, '').replace(/\\Z$/, '');
  // (?:(?P<format>[a-z]+)/)? and other optional groups: dropped
  for (let i = 0; i < 4; i++) s = s.replace(/\(\?:[^()]*(\([^()]*\)[^()]*)*\)\?/g, '');
  s = s.replace(/\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)/g, ':$1');
  s = s.replace(/\((?:[^()]|\([^()]*\))*\)/g, ':param');
  s = s.replace(/\\([./-])/g, '$1').replace(/[?+*]$/g, '');
  return s;
}

function routeText(fnName: string, route: string): string {
  if (fnName === 'path') return route.replace(/<(?:\w+:)?(\w+)>/g, ':$1');
  return regexRoute(route);
}

function djangoPath(prefix: string, piece: string): string {
  const joined = `${prefix}/${piece}`;
  return joined;
}

interface ClassInfo {
  file: string;
  name: string;
  bases: string[];
  methods: Map<string, FunctionFact>;
  /** The file each method is written in (an inherited one may live in another module). */
  fileOf: Map<FunctionFact, string>;
  /** Class attributes, nearest class first (`lookup_field = "slug"`), with the file they are written in. */
  props: Map<string, { v: Val; file: string }>;
}

function classInfo(link: EntrypointLink, file: string, clsName: string, depth = 0): ClassInfo | undefined {
  const f = link.facts(file);
  const cls = f?.classes.find((c) => c.name === clsName);
  if (!f || !cls || depth > 6) return undefined;
  const info: ClassInfo = { file, name: clsName, bases: [], methods: new Map(), fileOf: new Map(), props: new Map() };
  for (const fn of f.functions) if (fn.className === clsName) {
    info.methods.set(fn.name, fn);
    info.fileOf.set(fn, file);
  }
  for (const p of cls.props) if (p.init !== undefined) info.props.set(p.name, { v: p.init, file });
  for (const b of [cls.superClass, ...cls.implements].filter((x): x is string => !!x)) {
    const last = b.split('.').pop()!;
    info.bases.push(last);
    const def = link.definitionOf(file, b.split('.')[0]);
    if (def && link.facts(def.file)?.classes.some((c) => c.name === def.name)) {
      const parent = classInfo(link, def.file, def.name, depth + 1);
      if (parent) {
        info.bases.push(...parent.bases);
        for (const [k, v] of parent.methods) if (!info.methods.has(k)) info.methods.set(k, v);
        for (const [k, v] of parent.fileOf) if (!info.fileOf.has(k)) info.fileOf.set(k, v);
        for (const [k, v] of parent.props) if (!info.props.has(k)) info.props.set(k, v);
      }
    }
  }
  return info;
}

function viewRoutes(link: EntrypointLink, file: string, view: Val | undefined, path: string, line: number, routerPrefix?: boolean): Route[] {
  if (!view || typeof view !== 'object') return [];
  // csrf_exempt(view), login_required(view), cache_page(60)(view)
  if ('call' in view && !/(^|\.)as_view$/.test(view.call) && !/(^|\.)include$/.test(view.call)) {
    const inner = positional(view.args).find((a) => a && typeof a === 'object' && ('ref' in a || 'call' in a));
    return inner ? viewRoutes(link, file, inner, path, line) : [];
  }
  // ViewClass.as_view() / ViewSet.as_view({"get": "list"})
  if ('call' in view && /(^|\.)as_view$/.test(view.call)) {
    const clsRef = view.call.replace(/\.as_view$/, '');
    const r = link.resolve?.(file, { ref: clsRef });
    if (r?.kind !== 'class') return [];
    const info = classInfo(link, r.file, r.cls.name);
    if (!info) return [];
    const mapping = positional(view.args)[0];
    if (mapping && typeof mapping === 'object' && 'obj' in mapping) {
      return Object.entries(mapping.obj).map(([m, action]) => {
        const fn = typeof action === 'string' ? info.methods.get(action) : undefined;
        return { method: m.toUpperCase(), path, file, line, view: info, ...(fn ? { handler: { file: info.fileOf.get(fn) ?? info.file, fn: fn.id } } : {}) };
      });
    }
    return classMethods(info, path, file, line).map((r) => ({ ...r, view: info }));
  }
  if ('ref' in view) {
    const r = link.resolve?.(file, view);
    if (r?.kind === 'fn') return fnRoutes(r.file, r.fn, path, file, line);
    void routerPrefix;
  }
  return [];
}

function fnRoutes(fnFile: string, fn: FunctionFact, path: string, file: string, line: number): Route[] {
  const ms = methodsOfFn(fn);
  const apiView = fn.decorators.some((d) => d.name === 'api_view');
  return ms.map((method) => ({ method, path, file, line, handler: { file: fnFile, fn: fn.id }, ...(apiView ? { apiView } : {}) }));
}

function methodsOfFn(fn: FunctionFact): string[] {
  for (const d of fn.decorators) {
    if (d.name === 'api_view' || d.name === 'require_http_methods') {
      const list = positional(d.args)[0] ?? arg(d.args, 'http_method_names');
      const ms = list && typeof list === 'object' && 'arr' in list ? list.arr.filter((x): x is string => typeof x === 'string').map((x) => x.toUpperCase()) : [];
      if (ms.length) return ms;
      if (d.name === 'api_view') return ['GET'];
    }
    if (d.name === 'require_GET' || d.name === 'require_safe') return ['GET'];
    if (d.name === 'require_POST') return ['POST'];
  }
  return ['ALL'];
}

function classMethods(info: ClassInfo, path: string, file: string, line: number): Route[] {
  const out: Route[] = [];
  const handlerFor = (...names: string[]) => names.map((n) => info.methods.get(n)).find(Boolean);
  const seen = new Set<string>();
  for (const m of HTTP_METHODS) {
    const fn = info.methods.get(m);
    if (fn) {
      seen.add(m);
      out.push({ method: m.toUpperCase(), path, file, line, handler: { file: info.fileOf.get(fn) ?? info.file, fn: fn.id } });
    }
  }
  for (const b of info.bases) {
    for (const m of GENERIC_METHODS[b] ?? []) {
      if (seen.has(m)) continue;
      seen.add(m);
      const fn = m === 'get' ? handlerFor('get_queryset', 'get_object', 'list', 'retrieve', 'filter_queryset') : m === 'post' ? handlerFor('perform_create', 'create', 'form_valid') : m === 'delete' ? handlerFor('perform_destroy', 'destroy', 'get_object') : handlerFor('perform_update', 'update', 'get_object');
      out.push({ method: m.toUpperCase(), path, file, line, ...(fn ? { handler: { file: info.fileOf.get(fn) ?? info.file, fn: fn.id } } : {}) });
    }
  }
  return out;
}

/** A DRF viewset registered on a router: list/create on the prefix, the detail actions on prefix/:pk, and @action extras. */
function viewsetRoutes(link: EntrypointLink, file: string, prefix: string, viewset: Val | undefined, line: number): Route[] {
  if (!viewset || typeof viewset !== 'object' || !('ref' in viewset)) return [];
  const r = link.resolve?.(file, viewset);
  if (r?.kind !== 'class') return [];
  const info = classInfo(link, r.file, r.cls.name);
  if (!info) return [];
  const actions = new Set<string>();
  for (const [name] of info.methods) if (name in VIEWSET_ACTIONS) actions.add(name);
  for (const b of info.bases) for (const a of GENERIC_ACTIONS[b] ?? []) actions.add(a);
  const out: Route[] = [];
  // the detail segment is named by lookup_url_kwarg, else lookup_field, else pk
  const lookupOf = (k: string) => {
    const p = info.props.get(k);
    const e = p === undefined ? undefined : link.evaluate(p.file, p.v);
    return typeof e === 'string' && /^\w+$/.test(e) ? e : undefined;
  };
  const detail = `${prefix}/:${lookupOf('lookup_url_kwarg') ?? lookupOf('lookup_field') ?? 'pk'}`;
  for (const a of [...actions].sort((x, y) => Object.keys(VIEWSET_ACTIONS).indexOf(x) - Object.keys(VIEWSET_ACTIONS).indexOf(y))) {
    const spec = VIEWSET_ACTIONS[a];
    const fn = info.methods.get(a) ?? (a === 'create' ? info.methods.get('perform_create') : a === 'destroy' ? info.methods.get('perform_destroy') : a === 'update' || a === 'partial_update' ? info.methods.get('perform_update') : info.methods.get('get_queryset'));
    out.push({ method: spec.method, path: spec.detail ? detail : prefix, file, line, view: info, ...(fn ? { handler: { file: info.fileOf.get(fn) ?? info.file, fn: fn.id } } : {}) });
  }
  // @action(detail=True, methods=["post"], url_path="publish")
  for (const [, fn] of info.methods) {
    const d = fn.decorators.find((x) => x.name === 'action');
    if (!d) continue;
    const k = kwargs(d.args);
    const methods = k.methods && typeof k.methods === 'object' && 'arr' in k.methods ? k.methods.arr.filter((x): x is string => typeof x === 'string') : ['get'];
    const urlPath = typeof k.url_path === 'string' ? k.url_path : fn.name;
    for (const m of methods) out.push({ method: m.toUpperCase(), path: k.detail === true ? `${detail}/${urlPath}` : `${prefix}/${urlPath}`, file, line: d.line, view: info, handler: { file: info.fileOf.get(fn) ?? info.file, fn: fn.id } });
  }
  return out;
}

interface Ctx {
  link: EntrypointLink;
  /** DRF router registrations by router; `root`: a DefaultRouter that serves its API root view. */
  routers: Map<string, { file: string; prefix: string; viewset: Val | undefined; line: number; root?: boolean }[]>;
  visited: Set<string>;
}

/** The Val of `urlpatterns` (and its `urlpatterns += [...]` pieces) as a flat list of pattern calls. */
function patternsOf(f: FileFacts, name = 'urlpatterns'): { items: Val[]; line: number } {
  const items: Val[] = [];
  const flat = (v: Val | undefined) => {
    if (!v || typeof v !== 'object') return;
    if ('arr' in v) items.push(...v.arr);
    else if ('concat' in v) v.concat.forEach(flat);
    else if ('ref' in v) {
      const other = f.vars.find((x) => x.name === v.ref);
      if (other && other.name !== name) flat(other.init);
      else if (/\.urls$/.test(v.ref)) items.push({ call: '<router>', args: [v] });
    }
  };
  const main = f.vars.find((v) => v.name === name);
  flat(main?.init);
  for (const v of f.vars) if (v.name === `${name}.+=`) flat(v.init);
  return { items, line: main?.line ?? 1 };
}

function walkPatterns(ctx: Ctx, file: string, items: Val[], prefix: string, out: Route[], lines: number[], depth: number): void {
  if (depth > 12) return;
  for (const it of items) {
    if (!it || typeof it !== 'object' || !('call' in it)) continue;
    const fname = it.call.split('.').pop() ?? '';
    const line = lines.shift() ?? 1;
    if (fname === '<router>') {
      const ref = (it.args[0] as { ref: string }).ref;
      routerRoutes(ctx, file, ref.replace(/\.urls$/, ''), prefix, out);
      continue;
    }
    if (!ROUTE_FNS.has(fname)) continue;
    const route = str(ctx.link, file, positional(it.args)[0] ?? arg(it.args, 'route'));
    if (route === undefined) continue;
    const piece = routeText(fname, route);
    const p = djangoPath(prefix, piece);
    const view = positional(it.args)[1] ?? arg(it.args, 'view');
    if (view && typeof view === 'object' && 'call' in view && /(^|\.)include$/.test(view.call)) {
      let target = positional(view.args)[0];
      if (target && typeof target === 'object' && 'arr' in target && target.arr.length === 2 && typeof target.arr[1] === 'string' && !(target.arr[0] && typeof target.arr[0] === 'object' && 'call' in target.arr[0])) target = target.arr[0];
      const tv = target && typeof target === 'object' && 'ref' in target ? ctx.link.evaluate(file, target) : target;
      if (typeof tv === 'string') {
        includeModule(ctx, file, tv, p, out, depth);
      } else if (tv && typeof tv === 'object' && 'arr' in tv) {
        // an inline list of patterns: its calls follow in source order; a list held in a variable
        // (`include(api_urls)`): from the variable's own line, or at the include when it is imported
        const facts = ctx.link.facts(file);
        const local = target && typeof target === 'object' && 'ref' in target ? facts?.vars.find((v) => v.name === target.ref) : undefined;
        const own = !(target && typeof target === 'object' && 'ref' in target);
        walkPatterns(ctx, file, tv.arr, p, out, own ? lines : local ? routeCallLines(facts!, local.line) : tv.arr.map(() => line), depth + 1);
      } else if (target && typeof target === 'object' && 'ref' in target) {
        if (/\.urls$/.test(target.ref) && !/admin\.site\.urls$/.test(target.ref)) {
          const routerName = target.ref.replace(/\.urls$/, '');
          if (!routerRoutes(ctx, file, routerName, p, out)) {
            const mod = ctx.link.resolve?.(file, { ref: routerName });
            if (mod?.kind === 'nsFile') includeFile(ctx, mod.file, p, out, depth);
          }
        } else {
          const mod = ctx.link.resolve?.(file, target);
          if (mod?.kind === 'nsFile') includeFile(ctx, mod.file, p, out, depth);
          else {
            const facts = ctx.link.facts(file);
            const local = facts?.vars.find((v) => v.name === target.ref);
            if (local) {
              // a list held in a variable (`api_urls = [...]`): its calls follow in source order from its line
              const at = patternsOf(facts!, local.name);
              walkPatterns(ctx, file, at.items, p, out, routeCallLines(facts!, at.line), depth + 1);
            }
          }
        }
      }
      continue;
    }
    for (const r of viewRoutes(ctx.link, file, view, p, line)) out.push(r);
  }
}

function routerRoutes(ctx: Ctx, file: string, routerName: string, prefix: string, out: Route[]): boolean {
  const def = ctx.link.definitionOf(file, routerName.split('.')[0]);
  const key = def ? `${def.file}#${def.name}` : `${file}#${routerName}`;
  const regs = ctx.routers.get(key);
  if (!regs) return false;
  for (const r of regs) for (const route of viewsetRoutes(ctx.link, r.file, djangoPath(prefix, r.prefix), r.viewset, r.line)) out.push(route);
  // DefaultRouter: GET on the mount lists the registered viewsets (DRF's api-root view)
  const root = regs.find((r) => r.root);
  if (root) out.push({ method: 'GET', path: prefix, file: root.file, line: root.line });
  return true;
}

function includeModule(ctx: Ctx, _fromFile: string, module: string, prefix: string, out: Route[], depth: number): void {
  const files = ctx.link.allFiles();
  const rel = module.split('.').join('/');
  const file = files.find((f) => f.file.endsWith(`${rel}.py`) && (f.file === `${rel}.py` || f.file.endsWith(`/${rel}.py`)))?.file ?? files.find((f) => f.file.endsWith(`${rel}/__init__.py`))?.file;
  if (file) includeFile(ctx, file, prefix, out, depth);
}

function includeFile(ctx: Ctx, file: string, prefix: string, out: Route[], depth: number): void {
  const key = `${file}@${prefix}`;
  if (ctx.visited.has(key)) return;
  ctx.visited.add(key);
  const f = ctx.link.facts(file);
  if (!f) return;
  const { items, line } = patternsOf(f);
  walkPatterns(ctx, file, items, prefix, out, routeCallLines(f, line), depth + 1);
}

/** Lines of the module-level path()/re_path()/url() calls from a line on, in source order. */
function routeCallLines(f: FileFacts, from: number): number[] {
  return f.calls.filter((c) => c.fn === '<module>' && ROUTE_FNS.has(c.callee[c.callee.length - 1] ?? '') && c.line >= from).map((c) => c.line);
}

/** A DRF view or viewset: APIView.initial() authenticates every request before the handler runs. */
function isDrfView(info: ClassInfo): boolean {
  return info.bases.some((b) => /APIView$|ViewSet$/.test(b));
}

/**
 * What authenticates a DRF request: the view's `authentication_classes`, else settings
 * REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] (dotted paths) — the `authenticate` method of
 * each project class among them (a JWT backend that loads the user from the database).
 */
function drfAuthentication(link: EntrypointLink, files: FileFacts[]): (view: ClassInfo | undefined) => { file: string; fn: string; guard: string }[] {
  const methodOf = (file: string, cls: string) => {
    const info = classInfo(link, file, cls);
    const fn = info?.methods.get('authenticate');
    return info && fn ? [{ file: info.fileOf.get(fn) ?? file, fn: fn.id, guard: cls }] : [];
  };
  const defaults: { file: string; fn: string; guard: string }[] = [];
  for (const f of djangoSettings(files)) {
    const rf = f.vars.find((v) => v.name === 'REST_FRAMEWORK')?.init;
    const list = rf && typeof rf === 'object' && 'obj' in rf ? rf.obj.DEFAULT_AUTHENTICATION_CLASSES : undefined;
    if (!list || typeof list !== 'object' || !('arr' in list)) continue;
    for (const dotted of list.arr) {
      if (typeof dotted !== 'string' || !dotted.includes('.')) continue;
      const mod = dotted.slice(0, dotted.lastIndexOf('.'));
      const file = moduleFile(link, mod);
      if (file) defaults.push(...methodOf(file, dotted.slice(dotted.lastIndexOf('.') + 1)));
    }
    break;
  }
  return (view) => {
    const own = view?.props.get('authentication_classes');
    if (!own || typeof own.v !== 'object' || !own.v || !('arr' in own.v)) return defaults;
    const out: { file: string; fn: string; guard: string }[] = [];
    for (const c of own.v.arr) {
      const r = c && typeof c === 'object' && 'ref' in c ? link.resolve?.(own.file, c) : undefined;
      if (r?.kind === 'class') out.push(...methodOf(r.file, r.cls.name));
    }
    return out;
  };
}

/** A dotted module → its scanned file (`conduit.apps.authentication.backends`). */
function moduleFile(link: EntrypointLink, module: string): string | undefined {
  const files = link.allFiles();
  const rel = module.split('.').join('/');
  return files.find((f) => f.file === `${rel}.py` || f.file.endsWith(`/${rel}.py`))?.file ?? files.find((f) => f.file === `${rel}/__init__.py` || f.file.endsWith(`/${rel}/__init__.py`))?.file;
}

export function djangoSettings(files: FileFacts[]): FileFacts[] {
  return files.filter((f) => f.vars.some((v) => v.name === 'INSTALLED_APPS' || v.name === 'ROOT_URLCONF' || v.name === 'DATABASES'));
}

function discover(files: FileFacts[], link: EntrypointLink): EntrypointDef[] {
  const urlFiles = files.filter((f) => f.vars.some((v) => v.name === 'urlpatterns'));
  if (!urlFiles.length) return [];
  const ctx: Ctx = { link, routers: new Map(), visited: new Set() };
  // router.register(r"users", UserViewSet)
  for (const f of files) for (const c of f.calls) {
    if (c.callee.length !== 2 || c.callee[1] !== 'register' || c.fn !== '<module>') continue;
    const r = link.resolve?.(f.file, { ref: c.callee[0] });
    if (r?.kind !== 'inst' || (r.inst.pkg !== 'rest_framework' && r.inst.pkg !== 'rest_framework_nested')) continue;
    const prefix = str(link, f.file, positional(c.args)[0] ?? arg(c.args, 'prefix'));
    if (prefix === undefined) continue;
    const key = `${f.file}#${c.callee[0]}`;
    const list = ctx.routers.get(key) ?? [];
    const isDefault = /(^|\.)DefaultRouter$/.test(r.inst.ctor) && kwargs(r.inst.args).include_root_view !== false;
    list.push({ file: f.file, prefix: regexRoute(prefix), viewset: positional(c.args)[1] ?? arg(c.args, 'viewset'), line: c.line, ...(isDefault && !list.length ? { root: true } : {}) });
    ctx.routers.set(key, list);
  }
  const out: Route[] = [];
  const rootConf = djangoSettings(files).flatMap((f) => f.vars.filter((v) => v.name === 'ROOT_URLCONF').map((v) => v.init)).find((v): v is string => typeof v === 'string');
  if (rootConf) includeModule(ctx, '', rootConf, '', out, 0);
  if (!out.length) {
    // no settings module: the urls.py files nobody includes are roots
    const included = new Set<string>();
    for (const f of urlFiles) for (const c of f.calls) if (c.callee[c.callee.length - 1] === 'include') for (const a of c.args) if (typeof a === 'string') included.add(a.split('.').join('/'));
    for (const f of urlFiles) if (![...included].some((m) => f.file.endsWith(`${m}.py`))) includeFile(ctx, f.file, '', out, 0);
  }
  const auth = drfAuthentication(link, files);
  const defs = new Map<string, EntrypointDef>();
  for (const r of out) {
    const path = normalizeRoutePath(r.path);
    const name = `${r.method} ${path}`;
    if (defs.has(name)) continue;
    const before = r.view && isDrfView(r.view) ? auth(r.view) : r.apiView ? auth(undefined) : [];
    defs.set(name, { name, trigger: 'http', route: { method: r.method, path }, ...(r.handler ? { handler: r.handler } : {}), ...(before.length ? { before } : {}), evidence: { file: r.file, line: r.line } });
  }
  return [...defs.values()];
}

// ---------------------------------------------------------------- ORM, cache, mail

interface DjangoProject {
  db?: { name: string; tech: string };
  cache?: ResourceRef | 'local';
}

function settingsOf(call: DepCall, env: (n: string) => string | undefined): DjangoProject {
  return projectValue(call.facts, 'django:settings', (link) => {
    const out: DjangoProject = {};
    for (const f of djangoSettings(link.allFiles().filter((x) => x.file.endsWith('.py')))) {
      const dbs = f.vars.find((v) => v.name === 'DATABASES')?.init;
      const def = dbs && typeof dbs === 'object' && 'obj' in dbs ? dbs.obj.default : undefined;
      const engine = def && typeof def === 'object' && 'obj' in def ? link.evaluate(f.file, def.obj.ENGINE ?? null) : undefined;
      const url = def && typeof def === 'object' && 'call' in def ? link.evaluate(f.file, positional(def.args)[0] ?? arg(def.args, 'default') ?? null) : undefined;
      const urlText = typeof url === 'string' ? url : url && typeof url === 'object' && 'env' in url ? env(url.env) ?? (typeof url.default === 'string' ? url.default : undefined) : undefined;
      const e = typeof engine === 'string' ? engine : urlText ?? '';
      if (!out.db && e) {
        if (/postgres|postgis|psycopg/.test(e)) out.db = { name: 'postgres', tech: 'postgresql' };
        else if (/mysql/.test(e)) out.db = { name: 'mysql', tech: 'mysql' };
        else if (/sqlite/.test(e)) out.db = { name: 'sqlite', tech: 'sqlite' };
      }
      const caches = f.vars.find((v) => v.name === 'CACHES')?.init;
      const cdef = caches && typeof caches === 'object' && 'obj' in caches ? caches.obj.default : undefined;
      const backend = cdef && typeof cdef === 'object' && 'obj' in cdef ? link.evaluate(f.file, cdef.obj.BACKEND ?? null) : undefined;
      if (!out.cache && typeof backend === 'string') {
        if (/redis/i.test(backend)) out.cache = { kind: 'cache', name: 'redis', tech: 'redis' };
        else if (/memcache/i.test(backend)) out.cache = { kind: 'cache', name: 'memcached', tech: 'memcached' };
        else if (/locmem|dummy|filebased/i.test(backend)) out.cache = 'local';
        else if (/db\.DatabaseCache/.test(backend)) out.cache = 'local';
      }
    }
    return out;
  }) ?? {};
}

function classify(call: DepCall, env: (n: string) => string | undefined): CallMeaning | undefined {
  const m = call.member;
  const op = m[m.length - 1];
  const settings = settingsOf(call, env);
  const db = settings.db ?? { name: 'postgres', tech: 'postgresql' };
  const target: ResourceRef = { kind: 'datastore', name: db.name, tech: db.tech };
  const inst = call.instance;
  // from django.core.cache import cache: cache.get/set
  if ((call.exportName === 'cache' || call.exportName === 'caches') && op) {
    if (settings.cache === 'local' || !settings.cache) return { use: 'ignore' };
    return { use: 'dependency', target: settings.cache, edge: 'uses', readOnly: /^(get|get_many|has_key|get_or_set)$/.test(op), op: 'cache' };
  }
  // django.shortcuts get_object_or_404 / get_list_or_404; django.contrib.auth authenticate (a user lookup) and login/logout (the session row)
  if (/^(get_object_or_404|get_list_or_404|aget_object_or_404|aget_list_or_404)$/.test(call.exportName ?? '') && m.length === 0) return { use: 'dependency', target, edge: 'reads', readOnly: true, op: 'query' };
  if (/^(authenticate|aauthenticate|get_user)$/.test(call.exportName ?? '') && m.length === 0) return { use: 'dependency', target, edge: 'reads', readOnly: true, op: 'query' };
  if (/^(login|logout|alogin|alogout|update_session_auth_hash)$/.test(call.exportName ?? '') && m.length === 0) return { use: 'dependency', target, edge: 'writes', op: 'write' };
  if (/^(send_mail|send_mass_mail|mail_admins|mail_managers)$/.test(call.exportName ?? '') && m.length === 0) return { use: 'dependency', target: { kind: 'external', name: 'smtp', tech: 'smtp' }, edge: 'calls', op: 'email' };
  if (inst && /^EmailMessage|^EmailMultiAlternatives/.test(inst.ctor) && op === 'send') return { use: 'dependency', target: { kind: 'external', name: 'smtp', tech: 'smtp' }, edge: 'calls', op: 'email' };
  // connection.cursor() ... cursor.execute(sql)
  if (inst && /^(connection|connections)(\.|\[)/.test(inst.ctor) && /cursor/.test(inst.ctor)) {
    if (op === 'execute' || op === 'executemany' || op === 'callproc') {
      const sql = positional(call.call.args)[0];
      const text = typeof sql === 'string' ? sql : sql && typeof sql === 'object' && 'tpl' in sql ? sql.tpl : '';
      const read = /^\s*(\$\{\}\s*)?(SELECT|WITH|SHOW|EXPLAIN)\b/i.test(text);
      return read ? { use: 'dependency', target, edge: 'reads', readOnly: true, op: 'raw-query' } : { use: 'dependency', target, edge: 'writes', op: 'raw-write' };
    }
    if (op === 'fetchall' || op === 'fetchone' || op === 'fetchmany' || op === 'close') return { use: 'ignore' };
  }
  if (call.exportName === 'connection' && op === 'cursor') return { use: 'ignore' };
  if (call.exportName === 'transaction' || call.exportName === 'models' && !inst) return { use: 'ignore' };
  // Model.objects.filter(...).first() / order.save(): a model class (typeName) on a django.db.models base
  if (inst && inst.typeName && !/^@/.test(inst.ctor)) {
    const chain = callChain(call.facts, call.call);
    const path = [...m, ...chain.members];
    // `self.request.query_params.get("author")` in a view: the request's data, a dict — not the ORM
    if (REQUEST_DATA.has(path[0] ?? '')) return { use: 'ignore' };
    const write = path.find((x) => ORM_WRITES.has(x));
    const read = path.find((x) => ORM_READS.has(x));
    // an ORM manager or a model instance method: `objects`, a custom manager, save/delete on the instance
    if (write && (path[0] !== write || m.length === 1)) return { use: 'dependency', target, edge: 'writes', op: 'write' };
    // querysets are lazy: filter()/order_by()/... run nothing until evaluated (get/first/count/exists/aggregate/iteration elsewhere)
    if (read) return { use: 'dependency', target, edge: 'reads', readOnly: true, op: path.some((x) => ORM_EVALUATES.has(x)) ? 'query' : 'lazy-query' };
    return undefined;
  }
  return undefined;
}

const pack: TechPack = {
  id: 'django',
  title: 'Django and Django REST framework (URLconf, views, ORM, cache)',
  lang: 'python',
  upstreamDocs: ['https://docs.djangoproject.com/en/stable/topics/http/urls/', 'https://www.django-rest-framework.org/api-guide/routers/', 'https://docs.djangoproject.com/en/stable/topics/db/queries/', 'https://docs.djangoproject.com/en/stable/topics/cache/'],
  packages: ['django', 'rest_framework'],
  classifyCall(call, ctx) {
    return classify(call, (n) => ctx.env(n));
  },
  entrypoints(files, link) {
    remember(files, link);
    return discover(files, link);
  },
};
export default pack;
