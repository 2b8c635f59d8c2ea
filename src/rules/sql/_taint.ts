// Local data flow for sql/*: does a summarized value come from request input (route
// params, query, body, headers, NestJS @Query/@Param/@Body/@Headers, a DTO), from
// constants only, from a sanitizer (numbers, escaping), or from something unknown?
// Follows locals, module constants, relative imports of constants, collection callbacks,
// and function parameters back to their call sites across files (a few calls deep).
import type { FunctionFact, ParamFact, Val } from '../../extract/facts.js';
import { objOf, type Access } from '../db/_data-access.js';

export type Level = 'const' | 'safe' | 'dynamic' | 'tainted';
const RANK: Record<Level, number> = { const: 0, safe: 1, dynamic: 2, tainted: 3 };

export interface Source {
  file: string;
  line: number;
  /** `@Query('q') q in SearchController.search`, `req.query.q`. */
  what: string;
}

export interface Taint {
  level: Level;
  source?: Source;
  /** Names of the non-constant pieces, for wording ("term", "req.query.sort"). */
  names: string[];
}

const CONST: Taint = { level: 'const', names: [] };
const SAFE: Taint = { level: 'safe', names: [] };

export function worst(list: Taint[]): Taint {
  let out: Taint = CONST;
  const names: string[] = [];
  for (const t of list) {
    if (RANK[t.level] > RANK[out.level] || (t.level === out.level && !out.source && t.source)) out = { ...t };
    for (const n of t.names) if (!names.includes(n)) names.push(n);
  }
  return { ...out, names: RANK[out.level] >= RANK.dynamic ? names : [] };
}

const dyn = (name: string): Taint => ({ level: 'dynamic', names: [name] });

const REQUEST_PARTS = new Set(['params', 'query', 'body', 'headers', 'cookies', 'files', 'file', 'hostname', 'path', 'url', 'originalUrl', 'ip']);
const LAMBDA_PARTS = new Set(['body', 'queryStringParameters', 'multiValueQueryStringParameters', 'pathParameters', 'headers']);
const NEST_INPUT = new Set(['Query', 'Param', 'Body', 'Headers', 'HostParam']);
const NEST_REQUEST = new Set(['Req', 'Request']);
const PARSE_PIPE = /^Parse(Int|Float|Bool|UUID|Enum|Date)Pipe$/;
const NUMERIC = /^(Math\.\w+|Number|parseInt|parseFloat|Number\.parse(Int|Float)|Number\.isFinite|Boolean|BigInt|Date\.now)$/;
const SANITIZER = /(^|\.)(escape\w*|quote\w*|format|sanitize\w*|toFixed|getTime|valueOf|toISOString|escapeLiteral|escapeIdentifier|identifier|allowlist\w*|whitelist\w*)$/i;
const ALLOWLIST_FN = /allow|whitelist|sanitiz|escape|quote|safe|valid|assert/i;
const STRING_METHODS = new Set(['trim', 'trimStart', 'trimEnd', 'toLowerCase', 'toUpperCase', 'toLocaleLowerCase', 'toLocaleUpperCase', 'slice', 'substring', 'substr', 'replace', 'replaceAll', 'padStart', 'padEnd', 'concat', 'split', 'join', 'normalize', 'toString', 'at', 'repeat', 'map', 'filter', 'flat']);
const LOOP_METHODS = new Set(['map', 'forEach', 'flatMap', 'filter', 'some', 'every', 'find']);
const PY_REQUEST_PARTS = new Set(['args', 'form', 'values', 'json', 'headers', 'cookies', 'files', 'view_args', 'GET', 'POST', 'data', 'query_params', 'path_params', 'COOKIES', 'FILES', 'META', 'body']);
const PY_ROUTE_DECORATORS = new Set(['get', 'post', 'put', 'patch', 'delete', 'api_route', 'route', 'websocket']);
const PY_NUMERIC = /^(int|float|bool|len|abs|round|min|max|Decimal|decimal\.Decimal|UUID|uuid\.UUID|math\.\w+)$/;

interface Scope {
  file: string;
  fn?: FunctionFact;
}

export class TaintAnalysis {
  private budget = 2000;
  private readonly seen = new Map<string, Taint>();

  constructor(private readonly a: Access) {}

  /** How a value written in `fnId` of `file` can vary. */
  of(file: string, fnId: string | undefined, v: Val | undefined, depth = 0): Taint {
    const fn = fnId && fnId !== '<module>' ? this.a.fn(file, fnId) : undefined;
    return this.val({ file, fn }, v, depth);
  }

  private val(s: Scope, v: Val | undefined, depth: number): Taint {
    if (--this.budget < 0) return dyn('?');
    if (v === undefined || v === null || typeof v !== 'object') return CONST;
    if ('tpl' in v) return worst(v.parts.map((p) => this.val(s, p, depth)));
    if ('concat' in v) return worst(v.concat.map((p) => this.val(s, p, depth)));
    if ('arr' in v) return worst(v.arr.map((p) => this.val(s, p, depth)));
    if ('env' in v) return SAFE;
    if ('unknown' in v && v.of?.length) return worst(v.of.map((p) => this.val(s, p, depth)));
    if ('unknown' in v) return v.unknown === 'literal-choice' ? CONST : dyn(v.unknown === 'ConditionalExpression' ? 'a conditional expression' : 'an expression');
    if ('ref' in v) return this.ref(s, v.ref, depth);
    if ('call' in v) return this.call(s, v.call, v.args, depth, v.recv);
    if ('obj' in v) return dyn('an object');
    return dyn('an expression');
  }

  private call(s: Scope, name: string, args: Val[], depth: number, recvVal?: Val): Taint {
    if (name === '.destructure') {
      const src = args[0];
      const key = typeof args[1] === 'string' ? args[1] : undefined;
      if (src && typeof src === 'object' && 'ref' in src && key) return this.ref(s, `${src.ref}.${key}`, depth);
      const o = objOf(src);
      if (o && key && key in o.obj) return this.val(s, o.obj[key], depth);
      return this.val(s, src, depth);
    }
    if (NUMERIC.test(name) || SANITIZER.test(name)) return SAFE;
    if (s.file.endsWith('.py')) {
      if (PY_NUMERIC.test(name)) return SAFE;
      // Flask: request.args.get('q'), request.form['x'], request.get_json()
      if (/^request\.(args|form|values|json|headers|cookies|files|view_args|GET|POST|data|query_params)(\.|$)|^request\.get_json$/.test(name) && this.importsFlaskRequest(s.file)) return { level: 'tainted', names: [`${name}(...)`], source: { file: s.file, line: s.fn?.line ?? 1, what: `${name}(${typeof args[0] === 'string' ? `'${args[0]}'` : ''})` } };
      if (/^request\.(GET|POST|data|query_params|headers|COOKIES)\.get$/.test(name) && this.isParam(s, 'request')) return { level: 'tainted', names: [`${name}(...)`], source: { file: s.file, line: s.fn?.line ?? 1, what: `${name}(${typeof args[0] === 'string' ? `'${args[0]}'` : ''})` } };
      if (name === 'str' || name === 'repr') return worst(args.slice(0, 1).map((x) => this.val(s, x, depth)));
    }
    const dot = name.lastIndexOf('.');
    const last = dot >= 0 ? name.slice(dot + 1) : name;
    const recv = dot >= 0 ? name.slice(0, dot) : undefined;
    if (name === 'String' || name === 'JSON.stringify' || name === 'encodeURIComponent' || name === 'decodeURIComponent') return worst(args.slice(0, 1).map((x) => this.val(s, x, depth)));
    // express: req.get('x'), req.header('x'), req.param('x')
    if (recv && /^(req|request)$/.test(recv) && /^(get|header|param)$/.test(last) && this.isParam(s, recv)) return { level: 'tainted', names: [`${name}(...)`], source: { file: s.file, line: s.fn?.line ?? 1, what: `${name}(${typeof args[0] === 'string' ? `'${args[0]}'` : ''})` } };
    // items.map(cb): the elements are whatever cb returns, not the items
    if (recv && (last === 'map' || last === 'flatMap')) return dyn(`${recv.startsWith('()') ? '' : recv + '.'}${last}(...)`);
    if (recv && STRING_METHODS.has(last)) {
      if (recv.startsWith('()') && !recvVal) return dyn(`${last}(...)`);
      return worst([recv.startsWith('()') ? this.val(s, recvVal, depth) : this.ref(s, recv, depth), ...(last === 'filter' ? [] : args.map((x) => this.val(s, x, depth)))]);
    }
    if (ALLOWLIST_FN.test(last)) return SAFE;
    return dyn(`${name}(...)`);
  }

  private importsFlaskRequest(file: string): boolean {
    return !!this.a.facts.get(file)?.imports.some((i) => /^(flask|quart)$/.test(i.source) && i.names.some((n) => n.imported === 'request' && n.local === 'request'));
  }

  private isParam(s: Scope, name: string): boolean {
    return !!s.fn && this.a.scopeChain(s.file, s.fn.id).some((fn) => fn.params.some((p) => p.name === name));
  }

  private ref(s: Scope, ref: string, depth: number): Taint {
    const key = `${s.file}#${s.fn?.id ?? '<module>'}#${ref}#${depth}`;
    const hit = this.seen.get(key);
    if (hit) return hit;
    this.seen.set(key, dyn(ref)); // cycle guard
    const r = this.refUncached(s, ref, depth);
    this.seen.set(key, r);
    return r;
  }

  private refUncached(s: Scope, ref: string, depth: number): Taint {
    const segs = ref.split('.');
    const head = segs[0];
    const rest = segs.slice(1);
    const chain = s.fn ? this.a.scopeChain(s.file, s.fn.id) : [];

    // Flask's module-level request proxy: request.args['q'], request.json
    if (head === 'request' && s.file.endsWith('.py') && PY_REQUEST_PARTS.has(rest[0] ?? '') && this.importsFlaskRequest(s.file)) return { level: 'tainted', names: [ref], source: { file: s.file, line: s.fn?.line ?? 1, what: ref } };
    // request objects: req.query.q, ctx.request.body, event.queryStringParameters
    const owner = chain.find((fn) => fn.params.some((p) => p.name === head));
    if (owner) {
      if ((/^(req|request)$/.test(head) && REQUEST_PARTS.has(rest[0] ?? '')) || (head === 'ctx' && (rest[0] === 'request' ? REQUEST_PARTS.has(rest[1] ?? '') : rest[0] === 'params' || rest[0] === 'query')) || (head === 'event' && LAMBDA_PARTS.has(rest[0] ?? ''))) {
        return { level: 'tainted', names: [ref], source: { file: s.file, line: owner.line, what: ref } };
      }
    }
    if (head === 'this') return this.thisRef(s, rest, depth);

    // locals (closures see their parents' locals)
    for (const fn of chain) {
      if (head in fn.locals) {
        const init = fn.locals[head];
        const sc: Scope = { file: s.file, fn };
        if (rest.length) {
          const o = objOf(init);
          if (o && rest[0] in o.obj) return this.val(sc, o.obj[rest[0]], depth);
          if (init && typeof init === 'object' && 'ref' in init) return this.ref(sc, `${init.ref}.${rest.join('.')}`, depth);
        }
        return this.val(sc, init, depth);
      }
      const pi = fn.params.findIndex((p) => p.name === head);
      if (pi >= 0) return this.param({ file: s.file, fn }, fn, pi, fn.params[pi], rest, depth);
    }

    // module constants, then constants imported from a relative module
    const facts = this.a.facts.get(s.file);
    const mod = facts?.vars.find((x) => x.name === head);
    if (mod) {
      if (mod.kind !== 'const') return dyn(ref);
      const o = objOf(mod.init);
      if (rest.length && o) return rest[0] === '[]' ? (Object.values(o.obj).every((x) => typeof x !== 'object' || x === null) ? CONST : dyn(ref)) : this.val({ file: s.file }, o.obj[rest[0]], depth);
      return this.val({ file: s.file }, mod.init, depth);
    }
    const imp = facts?.imports.find((i) => i.names.some((n) => n.local === head));
    if (imp) {
      const imported = imp.names.find((n) => n.local === head)!.imported;
      const target = imp.source.startsWith('.') ? this.resolveRelative(s.file, imp.source) : undefined;
      const tv = target ? this.a.facts.get(target)?.vars.find((x) => x.name === imported && x.kind === 'const') : undefined;
      if (tv && target) {
        const o = objOf(tv.init);
        if (rest.length && o && rest[0] in o.obj) return this.val({ file: target }, o.obj[rest[0]], depth);
        if (!rest.length) return this.val({ file: target }, tv.init, depth);
      }
      // CONSTANT_CASE names and enum members (SortOrder.Asc) are constants by convention
      if (/^[A-Z][A-Z0-9_]*$/.test(head) || (/^[A-Z]/.test(head) && rest.length === 1)) return SAFE;
      return dyn(ref);
    }
    if (/^[A-Z][A-Z0-9_]*$/.test(head)) return SAFE;
    return dyn(ref);
  }

  private thisRef(s: Scope, rest: string[], depth: number): Taint {
    const name = rest[0];
    const cls = s.fn?.thisClass ? this.a.facts.get(s.file)?.classes.find((c) => c.name === s.fn!.thisClass) : undefined;
    const prop = cls?.props.find((p) => p.name === name);
    if (prop && prop.init !== undefined && rest.length === 1) {
      const t = this.val({ file: s.file }, prop.init, depth);
      return t.level === 'dynamic' ? dyn(`this.${rest.join('.')}`) : t;
    }
    return dyn(`this.${rest.join('.')}`);
  }

  /** Python web frameworks: a FastAPI route parameter (path/query/body, not a Depends), Flask's `request.args/form/json`, Django/DRF `request.GET/POST/data/query_params`. */
  private pyParam(s: Scope, fn: FunctionFact, p: ParamFact, rest: string[], label: string): Taint | undefined {
    if (!s.file.endsWith('.py')) return undefined;
    if (p.name === 'request' && PY_REQUEST_PARTS.has(rest[0] ?? '')) return { level: 'tainted', names: [label], source: { file: s.file, line: fn.line, what: `${label} in ${fnLabel(fn)}` } };
    const route = fn.decorators.find((d) => (d.callee?.length ?? 0) >= 2 && PY_ROUTE_DECORATORS.has(d.name));
    if (!route) return undefined;
    const dflt = p.default;
    if (dflt && typeof dflt === 'object' && 'call' in dflt && /(^|\.)(Depends|Security)$/.test(dflt.call)) return undefined;
    if (p.type && /^(int|float|bool|UUID|uuid\.UUID|datetime|date|Decimal|PositiveInt|conint|Request|WebSocket|BackgroundTasks|Response|Session|AsyncSession)$/.test(p.type)) return SAFE;
    // an Annotated alias of a dependency (CurrentUser, SessionDep) is not input
    if (p.type && /(Dep|User|Session|Service|Repo|Repository|Db|DB)$/.test(p.type) && !/^(str|dict|list)$/.test(p.type)) return undefined;
    return { level: 'tainted', names: [label], source: { file: s.file, line: route.line, what: `request parameter ${p.name}${p.type ? `: ${p.type}` : ''} of ${fnLabel(fn)}` } };
  }

  private param(s: Scope, fn: FunctionFact, index: number, p: ParamFact, rest: string[], depth: number): Taint {
    const label = `${p.name}${rest.length ? '.' + rest.join('.') : ''}`;
    const py = this.pyParam(s, fn, p, rest, label);
    if (py) return py;
    const input = p.decorators.find((d) => NEST_INPUT.has(d.name));
    if (input) {
      const piped = input.args.some((x) => x && typeof x === 'object' && (('ref' in x && PARSE_PIPE.test(x.ref)) || ('new' in x && PARSE_PIPE.test(x.new))));
      if (piped) return SAFE;
      const arg = typeof input.args[0] === 'string' ? `'${input.args[0]}'` : '';
      return { level: 'tainted', names: [label], source: { file: s.file, line: input.line, what: `@${input.name}(${arg}) ${p.name} in ${fnLabel(fn)}` } };
    }
    if (p.decorators.some((d) => NEST_REQUEST.has(d.name)) && REQUEST_PARTS.has(rest[0] ?? '')) {
      return { level: 'tainted', names: [label], source: { file: s.file, line: fn.line, what: `${label} in ${fnLabel(fn)}` } };
    }
    if (p.type && /Dto$/.test(p.type)) return { level: 'tainted', names: [label], source: { file: s.file, line: fn.line, what: `${p.name}: ${p.type} in ${fnLabel(fn)}` } };

    // a collection callback's element: items.map((x) => ...) → items
    if (fn.inlineOf && fn.parent) {
      const dot = fn.inlineOf.call.lastIndexOf('.');
      const method = fn.inlineOf.call.slice(dot + 1);
      const recv = dot > 0 ? fn.inlineOf.call.slice(0, dot) : '';
      if (index === 0 && LOOP_METHODS.has(method) && recv && !recv.startsWith('()')) {
        const parent = this.a.fn(s.file, fn.parent);
        return this.ref({ file: s.file, fn: parent }, recv, depth);
      }
      return dyn(label);
    }

    // back to the call sites
    if (depth >= 3) return dyn(label);
    const sites = this.a.callersOf(s.file, fn.id).filter((c) => !c.call.isNew || fn.name === 'constructor');
    const results: Taint[] = [];
    for (const site of sites.slice(0, 12)) {
      const arg = site.call.args[index];
      if (arg === undefined) continue;
      let t = this.of(site.file, site.call.fn, arg, depth + 1);
      if (rest.length && t.level === 'tainted') t = { ...t, names: [label] };
      results.push(t);
    }
    let t = results.length ? worst(results) : dyn(label);
    if (t.level === 'dynamic' && p.type && /^(number|boolean|bigint|Date)$/.test(p.type)) t = SAFE;
    if (t.level === 'dynamic') t = { ...t, names: [label] };
    return t;
  }

  private resolveRelative(from: string, spec: string): string | undefined {
    const dir = from.includes('/') ? from.slice(0, from.lastIndexOf('/')) : '';
    const parts = (dir ? dir.split('/') : []).concat(spec.split('/'));
    const out: string[] = [];
    for (const p of parts) {
      if (p === '.' || p === '') continue;
      if (p === '..') out.pop();
      else out.push(p);
    }
    const base = out.join('/').replace(/\.(js|mjs|cjs)$/, '');
    for (const c of [base, `${base}.ts`, `${base}.tsx`, `${base}.js`, `${base}.mts`, `${base}/index.ts`, `${base}/index.js`]) if (this.a.facts.has(c)) return c;
    return undefined;
  }
}

export function fnLabel(fn: FunctionFact): string {
  return fn.className ? `${fn.className}.${fn.name}` : fn.name === '<anon>' ? `the function at line ${fn.line}` : fn.name;
}
