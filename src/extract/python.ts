// One pass over a tree-sitter Python tree (through ast-grep's napi binding) → the same
// FileFacts shape the TypeScript extractor produces, so the linker, packs, model and rules
// work unchanged. Python specifics are mapped onto that shape:
// - imports keep the dotted module (`app.services.users`) or the relative form (`.models`,
//   `..core.config`); the linker resolves them to files (src/link/python-modules.ts);
// - every module-level name is an export; `from .x import *` is a re-export;
// - `self`/`cls` inside methods is `this`; `__init__` is the class's `constructor`, and
//   `self.x = ...` in it is a property;
// - keyword arguments are gathered into one trailing `{ obj, kwargs: true }` argument;
// - f-strings, `%` and `.format()` are templates (`${}` marks each hole), `+` a concatenation;
// - a call statement is `discarded`, never `floating`: only a coroutine handed to
//   `asyncio.create_task`/`ensure_future` with the task dropped is fire-and-forget (`spawned`);
// - try/except is a catch (a bare `raise` or any raise in the handler rethrows); `with
//   session.begin()`/`engine.begin()`/`transaction.atomic()` and `@transaction.atomic` /
//   `@transactional` mark calls inTransaction; comprehensions and for/while are loops;
// - os.getenv/os.environ reads and pydantic BaseSettings fields with literal defaults are env reads.
import { createRequire } from 'node:module';
import type { CallFact, CatchInfo, ClassFact, DecoratorFact, FileFacts, FunctionFact, ImportFact, LoopInfo, ParamFact, Val } from './facts.js';
import { lineIndex } from './extract.js';

/** A plain copy of a tree-sitter node: named children only (anonymous tokens are read from the source). */
export interface PyNode {
  t: string;
  s: number;
  e: number;
  l: number;
  el: number;
  c: PyNode[];
}

let ready = false;
let napi: typeof import('@ast-grep/napi') | undefined;

function load(): typeof import('@ast-grep/napi') {
  if (napi && ready) return napi;
  const require = createRequire(import.meta.url);
  napi = require('@ast-grep/napi') as typeof import('@ast-grep/napi');
  if (!ready) {
    const python = require('@ast-grep/lang-python');
    try {
      napi.registerDynamicLanguage({ python } as any);
    } catch (e) {
      // registered already in this thread
      if (!/already|registered/i.test(String((e as Error).message))) throw e;
    }
    ready = true;
  }
  return napi;
}

/** Kinds whose children are never needed: their text says it all. */
const LEAVES = new Set(['identifier', 'integer', 'float', 'true', 'false', 'none', 'comment', 'string_content', 'escape_sequence', 'dotted_name', 'ellipsis', 'pass_statement', 'break_statement', 'continue_statement', 'import_prefix', 'string_start', 'string_end', 'type_conversion', 'line_continuation', 'keyword_separator', 'positional_separator', 'wildcard_import']);

/** Parses Python source into a plain tree; errors lists the lines of syntax errors. */
export function parsePython(src: string): { root: PyNode; errors: string[] } {
  const { parse } = load();
  const root = parse('python' as any, src).root();
  const errors: string[] = [];
  const conv = (n: any): PyNode => {
    const t = n.kind() as string;
    const r = n.range();
    const node: PyNode = { t, s: r.start.index, e: r.end.index, l: r.start.line + 1, el: r.end.line + 1, c: [] };
    if (t === 'ERROR' && errors.length < 20) errors.push(`syntax error at line ${node.l}`);
    if (LEAVES.has(t)) return node;
    // plain (non-f) strings: the text is enough
    if (t === 'string') {
      const q = src.slice(node.s, Math.min(node.e, node.s + 4));
      if (!/^[rRbBuU]*[fF]/.test(q) && !/^[fF]/.test(q)) return node;
    }
    node.c = n.namedChildren().map(conv);
    return node;
  };
  const tree = conv(root);
  return { root: tree, errors };
}

type Usage = 'await' | 'return' | 'statement' | 'assign' | 'arg' | 'other';

interface Ctx {
  fn: string;
  fnFact?: FunctionFact;
  className?: string;
  /** The name `self`/`cls` has in this method (mapped to `this`). */
  selfName?: string;
  inLoop: boolean;
  inTransaction: boolean;
  tryCatch?: CatchInfo;
  branch?: string;
  loop?: LoopInfo;
  uniqueCaught?: boolean;
  /** Names declared `global` in the function. */
  globals?: Set<string>;
}

const LOG_CALL = /^(debug|info|warning|warn|error|exception|critical|fatal|log|print|print_exc|capture_exception|capture_message|captureException)$/;
const LOG_RECV = /(^|_)(log|logger|logging|LOGGER|log_|structlog|sentry_sdk|traceback)$|^log/i;
const SQL_START = /^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|WITH|DROP)\b/i;
const SUPPRESS = /faultline-ignore-next-line\s+([\w/-]+)(?:\s+--\s*(.*))?/;
const UNIQUE_MARKERS = /unique|duplicate|IntegrityError|UniqueViolation|^23505$/i;
/** Exceptions a handler catches that say nothing about a dependency failing (lookups, parsing, control flow). */
const NARROW_EXC = /^(KeyError|IndexError|ValueError|TypeError|AttributeError|StopIteration|StopAsyncIteration|LookupError|NameError|ZeroDivisionError|UnicodeDecodeError|UnicodeEncodeError|JSONDecodeError|json\.JSONDecodeError|ValidationError|pydantic\.ValidationError|HTTPException|WebSocketDisconnect|NoResultFound|MultipleResultsFound|DoesNotExist|ObjectDoesNotExist|Http404|PermissionDenied|FileNotFoundError|NotImplementedError|AssertionError|KeyboardInterrupt|SystemExit|GeneratorExit|asyncio\.CancelledError|CancelledError|ImportError|ModuleNotFoundError|InvalidTokenError|ExpiredSignatureError|JWTError|jwt\.\w+|\w+\.DoesNotExist|\w+DoesNotExist)$/;
/** Context managers that open a transaction: `with session.begin()`, `engine.begin()`, `transaction.atomic()`, `db.transaction()`. */
const TX_WITH = /(^|\.)(begin|begin_nested|atomic|transaction)$/;
const TX_DECORATOR = /^(atomic|transactional|transaction|in_transaction|with_transaction|db_transaction)$/;
/** Spawners whose dropped task is fire-and-forget. */
const TASK_SPAWN = /^(asyncio\.(create_task|ensure_future)|\w*loop\w*\.create_task|ensure_future|create_task)$/;

function numberOf(text: string): number | undefined {
  const t = text.replace(/_/g, '').replace(/[lLjJ]$/, '');
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) return parseInt(t, 16);
  if (/^0[oO][0-7]+$/.test(t)) return parseInt(t.slice(2), 8);
  if (/^0[bB][01]+$/.test(t)) return parseInt(t.slice(2), 2);
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

function decodeEscapes(s: string): string {
  return s.replace(/\\(\r?\n|[\\'"abfnrtv0]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})/g, (_m, e: string) => {
    switch (e[0]) {
      case '\n':
      case '\r':
        return '';
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case '0':
        return '\0';
      case 'x':
      case 'u':
        return String.fromCharCode(parseInt(e.slice(1), 16));
      case 'a':
      case 'b':
      case 'f':
      case 'v':
        return '';
      default:
        return e;
    }
  });
}

/** The literal text of a non-f string node. */
function stringValue(raw: string): string {
  const m = /^([rRbBuU]{0,2})("""|'''|"|')/.exec(raw);
  if (!m) return raw;
  const q = m[2];
  let body = raw.slice(m[0].length);
  if (body.endsWith(q)) body = body.slice(0, body.length - q.length);
  return /[rR]/.test(m[1]) ? body : decodeEscapes(body);
}

/** `%s`, `%d`, `%(name)s` placeholders of a %-format string → holes. */
function percentHoles(text: string): { tpl: string; holes: number } {
  let holes = 0;
  const tpl = text.replace(/%(\([^)]*\))?[-#0 +]*\d*(\.\d+)?[sdifrxXeEgGcoab%]/g, (m) => {
    if (m === '%%') return '%';
    holes++;
    return '${}';
  });
  return { tpl, holes };
}

/** `{}`, `{0}`, `{name}` fields of a str.format string → holes. */
function formatHoles(text: string): string {
  return text.replace(/\{\{|\}\}|\{[^{}]*\}/g, (m) => (m === '{{' ? '{' : m === '}}' ? '}' : '${}'));
}

export function extractPython(file: string, src: string): FileFacts {
  const { root, errors } = parsePython(src);
  return extractPythonTree(file, src, root, errors);
}

export function extractPythonTree(file: string, src: string, root: PyNode, errors: string[]): FileFacts {
  const starts = lineIndex(src);
  const txt = (n: PyNode) => src.slice(n.s, n.e);
  const facts: FileFacts = {
    file, lines: starts.length, imports: [], reexports: [], exports: {}, classes: [], functions: [], vars: [], calls: [],
    catches: [], envReads: [], sqlStrings: [], suppressions: [], parseErrors: errors,
  };
  const orderByFn = new Map<string, number>();
  const fnIds = new Set<string>();
  const uniqueFnId = (base: string, n: PyNode): string => {
    if (!fnIds.has(base)) {
      fnIds.add(base);
      return base;
    }
    const id = `${base}@${n.l}:${n.s}`;
    fnIds.add(id);
    return id;
  };
  const moduleVars = new Map<string, FileFacts['vars'][number]>();

  // ---------------- chains and values ----------------
  const idName = (n: PyNode, ctx: Ctx): string => {
    const name = txt(n);
    return ctx.selfName && name === ctx.selfName ? 'this' : name;
  };

  const chainOf = (n: PyNode, ctx: Ctx): { chain: string[]; root?: CallFact['root'] } => {
    const parts: string[] = [];
    let cur: PyNode | undefined = n;
    while (cur) {
      switch (cur.t) {
        case 'identifier':
          parts.unshift(idName(cur, ctx));
          return { chain: parts };
        case 'attribute':
          parts.unshift(txt(cur.c[1]));
          cur = cur.c[0];
          continue;
        case 'subscript':
          parts.unshift('[]');
          cur = cur.c[0];
          continue;
        case 'parenthesized_expression':
        case 'await':
          cur = cur.c[0];
          continue;
        case 'call':
          parts.unshift('()');
          return { chain: parts, root: 'call' };
        default:
          return { chain: parts, root: 'other' };
      }
    }
    return { chain: parts, root: 'other' };
  };

  const chainText = (n: PyNode, ctx: Ctx): string | undefined => {
    const { chain, root } = chainOf(n, ctx);
    return root ? undefined : chain.join('.');
  };

  /** os.getenv('X', d) / os.environ.get('X', d) / environ.get / getenv / os.environ['X'] → env read. */
  const envCall = (n: PyNode, ctx: Ctx): { name: string; default?: PyNode; hasDefault: boolean } | undefined => {
    if (n.t === 'subscript') {
      const base = chainText(n.c[0], ctx);
      if ((base === 'os.environ' || base === 'environ') && n.c[1]?.t === 'string') return { name: stringValue(txt(n.c[1])), hasDefault: false };
      return undefined;
    }
    if (n.t !== 'call') return undefined;
    const callee = chainText(n.c[0], ctx);
    // django-environ `env("X", default=...)` / `env.str(...)`, python-decouple `config("X", default=...)`: UPPER_SNAKE names only
    const helper = !!callee && /^(env|environ\.Env\(\)|env\.(str|bool|int|float|list|tuple|dict|json|url|db|db_url|cache|cache_url|email|email_url|path|decimal)|config|decouple\.config)$/.test(callee);
    if (!callee || (!helper && !/^(os\.getenv|getenv|os\.environ\.get|environ\.get|os\.environ\.setdefault)$/.test(callee))) return undefined;
    const args = n.c[1]?.t === 'argument_list' ? n.c[1].c : [];
    const first = args[0];
    if (!first || first.t !== 'string' || first.c.length) return undefined;
    if (helper && !/^[A-Z][A-Z0-9_]*$/.test(stringValue(txt(first)))) return undefined;
    const pos = args.filter((a) => a.t !== 'keyword_argument');
    const kwDefault = args.find((a) => a.t === 'keyword_argument' && txt(a.c[0]) === 'default');
    const d = pos[1] ?? kwDefault?.c[1];
    return { name: stringValue(txt(first)), default: d, hasDefault: !!d };
  };

  const fstring = (n: PyNode, ctx: Ctx, depth: number): Val => {
    let text = '';
    const parts: Val[] = [];
    for (const ch of n.c) {
      if (ch.t === 'string_content') text += decodeEscapes(txt(ch));
      else if (ch.t === 'interpolation') {
        text += '${}';
        parts.push(ch.c[0] ? summarize(ch.c[0], ctx, depth + 1) : null);
      } else if (ch.t === 'escape_interpolation') text += txt(ch).charAt(0);
      else if (ch.t === 'escape_sequence') text += decodeEscapes(txt(ch));
    }
    return parts.length ? { tpl: text, parts } : text;
  };

  const stringVal = (n: PyNode, ctx: Ctx, depth: number): Val => {
    const raw = txt(n);
    if (/^[rRbBuU]*[fF]|^[fF]/.test(raw.slice(0, 3))) return fstring(n, ctx, depth);
    return stringValue(raw);
  };

  /** Arguments of a call: positional values, then one `{ obj, kwargs: true }` for keywords. */
  const argVals = (argList: PyNode | undefined, ctx: Ctx, depth: number): Val[] => {
    if (!argList) return [];
    if (argList.t === 'generator_expression') return [{ unknown: 'generator' }];
    const out: Val[] = [];
    const kw: Record<string, Val> = {};
    let hasKw = false;
    let spread = false;
    for (const a of argList.c) {
      if (a.t === 'keyword_argument') {
        kw[txt(a.c[0])] = a.c[1] ? summarize(a.c[1], ctx, depth + 1) : null;
        hasKw = true;
      } else if (a.t === 'dictionary_splat') {
        spread = true;
        hasKw = true;
      } else if (a.t === 'list_splat') out.push({ unknown: 'spread' });
      else if (a.t === 'comment') continue;
      else out.push(summarize(a, ctx, depth + 1));
    }
    if (hasKw) out.push(spread ? { obj: kw, kwargs: true, spread: true } : { obj: kw, kwargs: true });
    return out;
  };

  const summarize = (n: PyNode | undefined, ctx: Ctx, depth = 0): Val => {
    if (!n) return null;
    // URLconfs nest include((patterns, app), ...) deeply: keep ten levels
    if (depth > 10) return { unknown: 'deep' };
    switch (n.t) {
      case 'integer':
      case 'float': {
        const v = numberOf(txt(n));
        return v === undefined ? { unknown: 'number' } : v;
      }
      case 'true':
        return true;
      case 'false':
        return false;
      case 'none':
        return null;
      case 'string':
        return stringVal(n, ctx, depth);
      case 'concatenated_string': {
        const vals = n.c.filter((c) => c.t === 'string').map((c) => stringVal(c, ctx, depth));
        if (vals.every((v) => typeof v === 'string')) return vals.join('');
        let text = '';
        const parts: Val[] = [];
        for (const v of vals) {
          if (typeof v === 'string') text += v;
          else if (v && typeof v === 'object' && 'tpl' in v) {
            text += v.tpl;
            parts.push(...v.parts);
          }
        }
        return { tpl: text, parts };
      }
      case 'identifier':
        return { ref: idName(n, ctx) };
      case 'attribute': {
        const { chain, root } = chainOf(n, ctx);
        return root ? { unknown: 'member' } : { ref: chain.join('.') };
      }
      case 'subscript': {
        const env = envCall(n, ctx);
        if (env) return { env: env.name };
        const base = chainText(n.c[0], ctx);
        // Annotated[Session, Depends(get_db)]: the type and its metadata
        if (base === 'Annotated' || base === 'typing.Annotated') return { call: 'Annotated', args: n.c.slice(1).map((c) => summarize(c, ctx, depth + 1)) };
        // config["EXPORT_WEBHOOK_URL"], data["email"]: a keyed member, like obj.key
        const key = n.c[1]?.t === 'string' && !n.c[1].c.length ? stringValue(txt(n.c[1])) : undefined;
        if (base && key !== undefined && /^[A-Za-z_]\w*$/.test(key) && n.c.length === 2) return { ref: `${base}.${key}` };
        return { unknown: 'subscript' };
      }
      case 'call': {
        const env = envCall(n, ctx);
        if (env) return env.hasDefault ? { env: env.name, default: summarize(env.default, ctx, depth + 1) } : { env: env.name };
        const fnNode = n.c[0];
        const argList = n.c[1];
        // "... {} ...".format(a, b)
        if (fnNode.t === 'attribute' && txt(fnNode.c[1]) === 'format' && (fnNode.c[0].t === 'string' || fnNode.c[0].t === 'concatenated_string')) {
          const base = summarize(fnNode.c[0], ctx, depth + 1);
          if (typeof base === 'string') return { tpl: formatHoles(base), parts: argVals(argList, ctx, depth) };
          return { unknown: 'format' };
        }
        const { chain, root } = chainOf(fnNode, ctx);
        const args = argVals(argList, ctx, depth);
        if (root === 'call') {
          let inner: PyNode | undefined = fnNode;
          while (inner && inner.t !== 'call') inner = inner.c[0];
          return { call: `()${chain.slice(1).length ? '.' + chain.slice(1).join('.') : ''}`, args, ...(inner ? { recv: summarize(inner, ctx, depth + 0.0625) } : {}) };
        }
        if (root === 'other') return { unknown: 'call' };
        return { call: chain.join('.'), args };
      }
      case 'dictionary': {
        const obj: Record<string, Val> = {};
        let spread = false;
        for (const p of n.c) {
          if (p.t === 'dictionary_splat') {
            spread = true;
            continue;
          }
          if (p.t !== 'pair') continue;
          const k = p.c[0];
          const key = k.t === 'string' ? summarize(k, ctx, depth + 1) : k.t === 'integer' ? numberOf(txt(k)) : undefined;
          if (typeof key !== 'string' && typeof key !== 'number') continue;
          obj[String(key)] = summarize(p.c[1], ctx, depth + 1);
        }
        return spread ? { obj, spread } : { obj };
      }
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list':
        return { arr: n.c.filter((c) => c.t !== 'comment').map((c) => (c.t === 'list_splat' ? { unknown: 'spread' } : summarize(c, ctx, depth + 1))) };
      case 'parenthesized_expression':
      case 'await':
        return summarize(n.c[0], ctx, depth);
      case 'binary_operator': {
        const op = src.slice(n.c[0].e, n.c[1].s).trim();
        const l = summarize(n.c[0], ctx, depth + 1);
        const r = summarize(n.c[1], ctx, depth + 1);
        if (op === '+') {
          if (typeof l === 'string' && typeof r === 'string') return l + r;
          if (typeof l === 'number' && typeof r === 'number') return l + r;
          const parts: Val[] = [];
          for (const v of [l, r]) if (v && typeof v === 'object' && 'concat' in v) parts.push(...v.concat); else parts.push(v);
          return { concat: parts };
        }
        if (op === '*' && typeof l === 'number' && typeof r === 'number') return l * r;
        if (op === '-' && typeof l === 'number' && typeof r === 'number') return l - r;
        if (op === '**' && typeof l === 'number' && typeof r === 'number') return l ** r;
        if (op === '%' && typeof l === 'string') {
          const { tpl, holes } = percentHoles(l);
          if (!holes) return tpl;
          const parts = r && typeof r === 'object' && 'arr' in r ? r.arr : [r];
          return { tpl, parts };
        }
        // arithmetic: the result flows from its operands (page * 20 is as safe as page)
        if (/^(\*|-|\/|\/\/|%|\*\*)$/.test(op)) return { unknown: 'binary', of: [l, r] };
        return { unknown: 'binary' };
      }
      case 'boolean_operator': {
        const op = src.slice(n.c[0].e, n.c[1].s).trim();
        const l = summarize(n.c[0], ctx, depth + 1);
        const r = summarize(n.c[1], ctx, depth + 1);
        if (op === 'or' && l && typeof l === 'object' && 'env' in l && l.default === undefined) return { env: l.env, default: r };
        if (op === 'or') return { unknown: 'logical', of: [l, r] };
        return { unknown: 'logical' };
      }
      case 'unary_operator': {
        const op = src.slice(n.s, n.c[0].s).trim();
        const v = summarize(n.c[0], ctx, depth + 1);
        if (op === '-' && typeof v === 'number') return -v;
        if (op === '+' && typeof v === 'number') return v;
        return { unknown: 'unary' };
      }
      case 'not_operator':
        return { unknown: 'not' };
      case 'lambda':
        return { fn: visitFunction(n, ctx, undefined, undefined) };
      case 'conditional_expression': {
        const a = n.c[0];
        const b = n.c[2];
        const lit = (x: PyNode | undefined) => !!x && ['string', 'integer', 'float', 'true', 'false', 'none'].includes(x.t) && !(x.t === 'string' && x.c.length);
        if (lit(a) && lit(b)) return { unknown: 'literal-choice' };
        return { unknown: 'ConditionalExpression', of: [summarize(a, ctx, depth + 1), summarize(b, ctx, depth + 1)] };
      }
      case 'type':
        return n.c[0] ? summarize(n.c[0], ctx, depth) : { unknown: 'type' };
      case 'generic_type': {
        const base = n.c[0] ? txt(n.c[0]) : '';
        if (base === 'Annotated' && n.c[1]) return { call: 'Annotated', args: n.c[1].c.map((c) => summarize(c, ctx, depth + 1)) };
        return { unknown: 'type' };
      }
      default:
        return { unknown: n.t };
    }
  };

  // ---------------- decorators, params ----------------
  const decoratorOf = (d: PyNode, ctx: Ctx): DecoratorFact => {
    const e = d.c[0];
    if (e?.t === 'call') {
      const { chain } = chainOf(e.c[0], ctx);
      visitExpr(e, ctx, 'other', true);
      return { name: chain[chain.length - 1] ?? '?', args: argVals(e.c[1], ctx, 0), line: d.l, callee: chain };
    }
    const { chain } = e ? chainOf(e, ctx) : { chain: [] as string[] };
    return { name: chain[chain.length - 1] ?? '?', args: [], line: d.l, callee: chain };
  };

  /** `Annotated[Session, Depends(get_db)]` → type 'Session' and the Depends default. */
  const typeInfo = (t: PyNode | undefined, ctx: Ctx): { type?: string; meta?: Val } => {
    if (!t) return {};
    const inner = t.t === 'type' ? t.c[0] : t;
    if (!inner) return {};
    if (inner.t === 'generic_type' && txt(inner.c[0]) === 'Annotated' && inner.c[1]) {
      const [first, ...rest] = inner.c[1].c;
      const meta = rest.map((r) => summarize(r, ctx)).find((v) => v && typeof v === 'object' && 'call' in v);
      return { type: first ? typeText(first) : undefined, ...(meta ? { meta } : {}) };
    }
    if (inner.t === 'string') {
      // forward reference: "Session"
      const v = stringValue(txt(inner));
      return /^[\w.]+$/.test(v) ? { type: v } : {};
    }
    return { type: typeText(inner) };
  };

  const typeText = (t: PyNode): string | undefined => {
    const inner = t.t === 'type' ? t.c[0] : t;
    if (!inner) return undefined;
    if (inner.t === 'identifier' || inner.t === 'attribute') return txt(inner);
    // Optional[X] / X | None / list[X]: the first named type
    if (inner.t === 'generic_type') {
      const base = txt(inner.c[0]);
      if (base === 'Optional' && inner.c[1]?.c[0]) return typeText(inner.c[1].c[0]);
      return base;
    }
    if (inner.t === 'binary_operator') {
      const parts = [inner.c[0], inner.c[1]].filter((x) => x.t !== 'none');
      return parts.length === 1 ? typeText(parts[0]) : undefined;
    }
    if (inner.t === 'subscript') {
      const base = txt(inner.c[0]);
      if (base === 'Optional' && inner.c[1]) return typeText(inner.c[1]);
      return base;
    }
    return undefined;
  };

  const paramsOf = (params: PyNode | undefined, ctx: Ctx, dropFirst: boolean): { params: ParamFact[]; selfName?: string } => {
    const out: ParamFact[] = [];
    let selfName: string | undefined;
    const list = params?.c ?? [];
    list.forEach((p, i) => {
      let name: string | undefined;
      let typeNode: PyNode | undefined;
      let dflt: PyNode | undefined;
      switch (p.t) {
        case 'identifier':
          name = txt(p);
          break;
        case 'typed_parameter':
          if (p.c[0]?.t === 'identifier') name = txt(p.c[0]);
          typeNode = p.c.find((c) => c.t === 'type');
          break;
        case 'default_parameter':
          name = txt(p.c[0]);
          dflt = p.c[1];
          break;
        case 'typed_default_parameter':
          name = txt(p.c[0]);
          typeNode = p.c.find((c) => c.t === 'type');
          dflt = p.c[p.c.length - 1] === typeNode ? undefined : p.c[p.c.length - 1];
          break;
        default:
          return; // *args, **kwargs, /, *
      }
      if (!name) return;
      if (i === 0 && dropFirst) {
        selfName = name;
        return;
      }
      const ti = typeInfo(typeNode, ctx);
      const param: ParamFact = { name, decorators: [], ...(ti.type ? { type: ti.type } : {}) };
      if (dflt) param.default = summarize(dflt, ctx);
      else if (ti.meta) param.default = ti.meta;
      out.push(param);
    });
    return { params: out, selfName };
  };

  // ---------------- functions ----------------
  const visitedFns = new Map<number, string>();

  function visitFunction(n: PyNode, outer: Ctx, name: string | undefined, className: string | undefined, decoratorNodes: PyNode[] = [], inlineOf?: { call: string; line: number; argIndex: number }): string {
    const seen = visitedFns.get(n.s);
    if (seen) return seen;
    const isLambda = n.t === 'lambda';
    const fnName = name ?? (isLambda ? undefined : n.c[0] ? txt(n.c[0]) : undefined);
    const decorators = decoratorNodes.map((d) => decoratorOf(d, outer));
    const isStatic = decorators.some((d) => d.name === 'staticmethod');
    const idName2 = className && fnName === '__init__' ? 'constructor' : fnName;
    const base = className ? `${className}.${idName2 ?? '<anon>'}` : idName2 ?? `<anon>@${n.l}:${n.s}`;
    const id = uniqueFnId(base, n);
    visitedFns.set(n.s, id);
    const paramsNode = isLambda ? n.c.find((c) => c.t === 'lambda_parameters') : n.c.find((c) => c.t === 'parameters');
    const { params, selfName } = paramsOf(paramsNode, outer, !!className && !isStatic);
    const isAsync = !isLambda && /^async\b/.test(src.slice(n.s, n.s + 6));
    const retNode = isLambda ? undefined : n.c.find((c) => c.t === 'type')?.c[0];
    const returnType = retNode && (retNode.t === 'identifier' || retNode.t === 'attribute') && txt(retNode) !== 'None' ? txt(retNode) : undefined;
    const fact: FunctionFact = {
      id, name: idName2 ?? '<anon>', ...(className ? { className } : {}), ...(className ?? outer.className ? { thisClass: className ?? outer.className } : {}),
      ...(outer.fn !== '<module>' ? { parent: outer.fn } : {}), line: n.l, endLine: n.el, async: isAsync,
      decorators, params, stats: { calls: 0, awaits: 0, thisRefs: 0, statements: 0, assignsOuter: false }, locals: {},
      ...(inlineOf ? { inlineOf } : {}), ...(outer.fn === '<module>' && !className ? { exported: true } : {}), ...(returnType ? { returnType } : {}),
    };
    facts.functions.push(fact);
    const inTx = outer.inTransaction || decorators.some((d) => TX_DECORATOR.test(d.name));
    const ctx: Ctx = {
      fn: id, fnFact: fact, className: className ?? outer.className, selfName: className ? selfName : outer.selfName, inLoop: false, inTransaction: inTx, globals: new Set(),
      ...(inlineOf ? { inLoop: outer.inLoop, tryCatch: outer.tryCatch, ...(outer.loop ? { loop: outer.loop } : {}), ...(outer.uniqueCaught ? { uniqueCaught: true } : {}) } : {}),
    };
    if (isLambda) {
      const body = n.c.find((c) => c.t !== 'lambda_parameters');
      if (body) {
        visitExpr(body, ctx, 'return');
        addReturn(fact, body, ctx);
      }
    } else {
      const body = n.c.find((c) => c.t === 'block');
      if (body) visitBlock(body.c, ctx);
    }
    return id;
  }

  const addReturn = (fact: FunctionFact, n: PyNode, ctx: Ctx) => {
    const list = (fact.returns ??= []);
    if (list.length < 4) list.push(summarize(n, { ...ctx, fnFact: undefined }, 2));
  };

  // ---------------- classes ----------------
  function visitClass(n: PyNode, ctx: Ctx, decoratorNodes: PyNode[] = []): void {
    const nameNode = n.c.find((c) => c.t === 'identifier');
    const name = nameNode ? txt(nameNode) : `<class>@${n.l}`;
    const argList = n.c.find((c) => c.t === 'argument_list');
    const bases = (argList?.c ?? []).filter((c) => c.t === 'identifier' || c.t === 'attribute' || c.t === 'subscript').map((c) => (c.t === 'subscript' ? chainText(c.c[0], ctx) : chainText(c, ctx))).filter((b): b is string => !!b);
    const kw = (argList?.c ?? []).filter((c) => c.t === 'keyword_argument');
    const cls: ClassFact = {
      name, line: n.l, endLine: n.el, exported: ctx.fn === '<module>', ...(bases[0] ? { superClass: bases[0] } : {}),
      implements: bases.slice(1), decorators: decoratorNodes.map((d) => decoratorOf(d, ctx)), ctorParams: [], props: [], methods: [],
    };
    // class Settings(BaseSettings, env_prefix="APP_") / metaclass=...: keyword bases as a decorator-like fact
    if (kw.length) cls.decorators.push({ name: '<class-kwargs>', args: argVals(argList, ctx, 0).filter((a) => a && typeof a === 'object' && 'kwargs' in a), line: n.l });
    facts.classes.push(cls);
    const classCtx: Ctx = { fn: ctx.fn, className: name, inLoop: false, inTransaction: false };
    const body = n.c.find((c) => c.t === 'block');
    const settingsLike = bases.some((b) => /(^|\.)(BaseSettings|Settings)$/.test(b));
    let envPrefix = '';
    for (const st of body?.c ?? []) {
      let s = st;
      let decs: PyNode[] = [];
      if (s.t === 'decorated_definition') {
        decs = s.c.filter((c) => c.t === 'decorator');
        s = s.c[s.c.length - 1];
      }
      if (s.t === 'function_definition') {
        const id = visitFunction(s, classCtx, undefined, name, decs);
        cls.methods.push(id);
        if (id === `${name}.constructor`) {
          const fn = facts.functions.find((f) => f.id === id)!;
          cls.ctorParams = fn.params;
          // self.x = ... in __init__: properties
          const selfName = paramsOf(s.c.find((c) => c.t === 'parameters'), classCtx, true).selfName ?? 'self';
          const fctx: Ctx = { fn: id, fnFact: undefined, className: name, selfName, inLoop: false, inTransaction: false };
          for (const stmt of s.c.find((c) => c.t === 'block')?.c ?? []) {
            const a = stmt.t === 'expression_statement' ? stmt.c[0] : undefined;
            if (a?.t !== 'assignment') continue;
            const left = a.c[0];
            if (left.t === 'attribute' && left.c[0].t === 'identifier' && txt(left.c[0]) === selfName) {
              const typeNode = a.c.find((c, i) => i > 0 && c.t === 'type');
              const value = a.c[a.c.length - 1] !== typeNode && a.c.length > 1 ? a.c[a.c.length - 1] : undefined;
              cls.props.push({ name: txt(left.c[1]), ...(typeNode ? { type: typeText(typeNode) } : {}), ...(value ? { init: summarize(value, fctx) } : {}), line: stmt.l, decorators: [] });
            }
          }
        }
        continue;
      }
      if (s.t === 'class_definition') {
        visitClass(s, classCtx, decs);
        // class Config / model_config = SettingsConfigDict(env_prefix=...)
        continue;
      }
      if (s.t === 'expression_statement' && s.c[0]?.t === 'assignment') {
        const a = s.c[0];
        const left = a.c[0];
        if (left.t !== 'identifier') continue;
        const typeNode = a.c.find((c, i) => i > 0 && c.t === 'type');
        const value = a.c.length > 1 && a.c[a.c.length - 1] !== typeNode ? a.c[a.c.length - 1] : undefined;
        const pname = txt(left);
        if (value) visitExpr(value, classCtx, 'assign');
        const init = value ? summarize(value, classCtx) : undefined;
        const ti = typeInfo(typeNode, classCtx);
        cls.props.push({ name: pname, ...(ti.type ? { type: ti.type } : {}), ...(init !== undefined ? { init } : {}), line: s.l, decorators: [] });
        if (settingsLike && pname === 'model_config' && init && typeof init === 'object' && 'call' in init) {
          const o = init.args.find((x) => x && typeof x === 'object' && 'obj' in x);
          const p = o && typeof o === 'object' && 'obj' in o ? o.obj.env_prefix : undefined;
          if (typeof p === 'string') envPrefix = p;
        }
        continue;
      }
      if (s.t === 'expression_statement') {
        visitStmt(s, classCtx);
      }
    }
    // pydantic-settings: every field is read from the environment (field name, case-insensitive), its default the fallback
    if (settingsLike) {
      for (const p of cls.props) {
        if (p.name === 'model_config' || p.name.startsWith('_')) continue;
        let dflt: Val | undefined = p.init;
        let envName = envPrefix + p.name;
        if (dflt && typeof dflt === 'object' && 'call' in dflt && /(^|\.)Field$/.test(dflt.call)) {
          const kwObj = dflt.args.find((x) => x && typeof x === 'object' && 'kwargs' in x) as { obj: Record<string, Val> } | undefined;
          const alias = kwObj?.obj.env ?? kwObj?.obj.validation_alias ?? kwObj?.obj.alias;
          if (typeof alias === 'string') envName = alias;
          const pos = dflt.args.find((x) => !(x && typeof x === 'object' && 'kwargs' in x));
          dflt = pos !== undefined && !(pos && typeof pos === 'object' && 'ref' in pos && pos.ref === '...') ? pos : kwObj?.obj.default;
        }
        facts.envReads.push({ name: envName.toUpperCase(), line: p.line, target: `${name}.${p.name}`, ...(dflt !== undefined ? { default: dflt } : {}) });
      }
    }
  }

  // ---------------- statements ----------------
  const alwaysExits = (s: PyNode | undefined): boolean => {
    if (!s) return false;
    if (s.t === 'return_statement' || s.t === 'raise_statement') return true;
    if (s.t === 'block') return s.c.length > 0 && alwaysExits(s.c[s.c.length - 1]);
    if (s.t === 'if_statement') {
      const els = s.c.find((c) => c.t === 'else_clause');
      if (!els) return false;
      const arms = [s.c.find((c) => c.t === 'block'), ...s.c.filter((c) => c.t === 'elif_clause').map((c) => c.c.find((x) => x.t === 'block')), els.c.find((x) => x.t === 'block')];
      return arms.every((b) => alwaysExits(b));
    }
    return false;
  };

  const visitBlock = (stmts: PyNode[], ctx: Ctx) => {
    let cur = ctx;
    for (const s of stmts) {
      visitStmt(s, cur);
      if (s.t === 'if_statement' && !s.c.some((c) => c.t === 'else_clause' || c.t === 'elif_clause') && alwaysExits(s.c.find((c) => c.t === 'block'))) cur = { ...cur, branch: `${cur.branch ?? ''}/${s.s}:f` };
    }
  };

  const scanHandler = (n: PyNode, out: { rethrows: boolean; returns: boolean; logs: boolean }) => {
    switch (n.t) {
      case 'raise_statement':
        out.rethrows = true;
        break;
      case 'return_statement':
        if (n.c.length && n.c[0].t !== 'none') out.returns = true;
        break;
      case 'call': {
        const { chain } = chainOf(n.c[0], { fn: '', inLoop: false, inTransaction: false });
        const last = chain[chain.length - 1] ?? '';
        if (LOG_CALL.test(last) && (chain.length === 1 ? last === 'print' : chain.slice(0, -1).some((p) => LOG_RECV.test(p)))) out.logs = true;
        if (/^(log_exception|report_exception|capture_exception)$/.test(last)) out.logs = true;
        break;
      }
      case 'function_definition':
      case 'lambda':
      case 'class_definition':
        return;
    }
    for (const c of n.c) scanHandler(c, out);
  };

  /** Names of the exceptions an except clause catches ('' for a bare except). */
  const exceptTypes = (clause: PyNode): string[] => {
    const first = clause.c[0];
    if (!first || first.t === 'block') return [''];
    const typeNode = first.t === 'as_pattern' ? first.c[0] : first;
    const list = typeNode.t === 'tuple' || typeNode.t === 'parenthesized_expression' ? (typeNode.t === 'tuple' ? typeNode.c : typeNode.c[0]?.t === 'tuple' ? typeNode.c[0].c : typeNode.c) : [typeNode];
    return list.map((x) => txt(x));
  };

  const catchInfo = (clauses: PyNode[]): CatchInfo => {
    const out = { rethrows: false, returns: false, logs: false };
    let empty = true;
    let broad = false;
    let allRethrow = true;
    for (const cl of clauses) {
      const body = cl.c.find((c) => c.t === 'block');
      const one = { rethrows: false, returns: false, logs: false };
      if (body) scanHandler(body, one);
      if (body && body.c.some((s) => s.t !== 'pass_statement' && !(s.t === 'expression_statement' && s.c[0]?.t === 'ellipsis') && s.t !== 'comment')) empty = false;
      if (!one.rethrows) {
        allRethrow = false;
        if (exceptTypes(cl).some((t) => !NARROW_EXC.test(t))) broad = true;
      }
      out.returns ||= one.returns;
      out.logs ||= one.logs;
    }
    out.rethrows = allRethrow;
    return { line: clauses[0]?.l ?? 0, rethrows: out.rethrows, returns: out.returns, logs: out.logs, empty, contains: !out.rethrows && broad };
  };

  const mentionsUnique = (clauses: PyNode[]): boolean => clauses.some((cl) => exceptTypes(cl).some((t) => UNIQUE_MARKERS.test(t)) || UNIQUE_MARKERS.test(txt(cl).slice(0, 400)));

  const loopOver = (iter: PyNode | undefined, ctx: Ctx): Val | undefined => {
    if (!iter) return undefined;
    // range(len(items)) / enumerate(items) / zip(items, ...)
    if (iter.t === 'call') {
      const callee = chainText(iter.c[0], ctx);
      const a0 = iter.c[1]?.c[0];
      if ((callee === 'enumerate' || callee === 'zip' || callee === 'reversed' || callee === 'sorted' || callee === 'list') && a0) return summarize(a0, ctx, 3);
      if (callee === 'range' && a0?.t === 'call' && chainText(a0.c[0], ctx) === 'len' && a0.c[1]?.c[0]) return summarize(a0.c[1].c[0], ctx, 3);
    }
    return summarize(iter, ctx, 3);
  };

  const bindTarget = (target: PyNode, value: Val, ctx: Ctx) => {
    if (!ctx.fnFact) return;
    if (target.t === 'identifier') ctx.fnFact.locals[txt(target)] = value;
  };

  const visitStmt = (s: PyNode | undefined, ctx: Ctx): void => {
    if (!s) return;
    if (ctx.fnFact) ctx.fnFact.stats.statements++;
    switch (s.t) {
      case 'expression_statement': {
        const e = s.c[0];
        if (!e) return;
        if (e.t === 'assignment' || e.t === 'augmented_assignment') return visitAssign(e, s, ctx);
        if (e.t === 'yield') {
          const v = e.c[0];
          if (ctx.fnFact) {
            ctx.fnFact.generator = true;
            if (v) addReturn(ctx.fnFact, v, ctx);
          }
          if (v) visitExpr(v, ctx, 'return');
          return;
        }
        if (e.t === 'string' && !e.c.length) {
          recordSql(e);
          return;
        }
        visitExpr(e, ctx, 'statement');
        return;
      }
      case 'return_statement': {
        const v = s.c[0];
        if (v) {
          visitExpr(v, ctx, 'return');
          if (ctx.fnFact) addReturn(ctx.fnFact, v, ctx);
        }
        return;
      }
      case 'if_statement': {
        const cond = s.c[0];
        visitExpr(cond, ctx, 'other');
        // if / elif / else: each arm a branch of one chain, as nested if/else
        let base = ctx.branch ?? '';
        let start = s.s;
        const consequence = s.c.find((c, i) => i > 0 && c.t === 'block');
        visitBlock(consequence?.c ?? [], { ...ctx, branch: `${base}/${start}:t` });
        for (const arm of s.c) {
          if (arm.t === 'elif_clause') {
            base = `${base}/${start}:f`;
            start = arm.s;
            visitExpr(arm.c[0], { ...ctx, branch: base }, 'other');
            visitBlock(arm.c.find((c) => c.t === 'block')?.c ?? [], { ...ctx, branch: `${base}/${start}:t` });
          } else if (arm.t === 'else_clause') {
            visitBlock(arm.c.find((c) => c.t === 'block')?.c ?? [], { ...ctx, branch: `${base}/${start}:f` });
          }
        }
        return;
      }
      case 'for_statement':
      case 'while_statement': {
        const isFor = s.t === 'for_statement';
        const iter = isFor ? s.c[1] : s.c[0];
        const loop: LoopInfo = isFor ? { kind: 'for-of', over: loopOver(iter, ctx), line: s.l } : { kind: 'while', line: s.l };
        if (isFor) {
          visitExpr(iter, ctx, /^async\b/.test(src.slice(s.s, s.s + 6)) ? 'await' : 'other');
          const target = s.c[0];
          if (ctx.fnFact && target.t === 'identifier') ctx.fnFact.locals[txt(target)] = { unknown: 'loop-item' };
        }
        const loopCtx: Ctx = { ...ctx, inLoop: true, loop };
        if (!isFor) visitExpr(iter, loopCtx, 'other');
        visitBlock(s.c.find((c) => c.t === 'block')?.c ?? [], loopCtx);
        const els = s.c.find((c) => c.t === 'else_clause');
        if (els) visitBlock(els.c.find((c) => c.t === 'block')?.c ?? [], ctx);
        return;
      }
      case 'try_statement': {
        const body = s.c.find((c) => c.t === 'block');
        const clauses = s.c.filter((c) => c.t === 'except_clause' || c.t === 'except_group_clause');
        const info = clauses.length ? catchInfo(clauses) : undefined;
        if (info) facts.catches.push({ ...info, fn: ctx.fn, endLine: clauses[clauses.length - 1].el });
        const blockCtx: Ctx = info?.contains ? { ...ctx, tryCatch: info, branch: `${ctx.branch ?? ''}/${s.s}:try` } : { ...ctx, branch: `${ctx.branch ?? ''}/${s.s}:try` };
        visitBlock(body?.c ?? [], clauses.length && !ctx.uniqueCaught && mentionsUnique(clauses) ? { ...blockCtx, uniqueCaught: true } : blockCtx);
        for (const cl of clauses) {
          const first = cl.c[0];
          if (first?.t === 'as_pattern' && ctx.fnFact) {
            const alias = first.c[1]?.c[0];
            if (alias?.t === 'identifier') ctx.fnFact.locals[txt(alias)] = { unknown: 'exception' };
          }
          visitBlock(cl.c.find((c) => c.t === 'block')?.c ?? [], { ...ctx, branch: `${ctx.branch ?? ''}/${s.s}:catch` });
        }
        const els = s.c.find((c) => c.t === 'else_clause');
        if (els) visitBlock(els.c.find((c) => c.t === 'block')?.c ?? [], { ...blockCtx, tryCatch: ctx.tryCatch });
        const fin = s.c.find((c) => c.t === 'finally_clause');
        if (fin) visitBlock(fin.c.find((c) => c.t === 'block')?.c ?? [], ctx);
        return;
      }
      case 'with_statement': {
        const clause = s.c.find((c) => c.t === 'with_clause');
        let inner = ctx;
        for (const item of clause?.c ?? []) {
          if (item.t !== 'with_item') continue;
          const v = item.c[0];
          const expr = v?.t === 'as_pattern' ? v.c[0] : v;
          if (!expr) continue;
          visitExpr(expr, inner, /^async\b/.test(src.slice(s.s, s.s + 6)) ? 'await' : 'assign');
          if (v.t === 'as_pattern') {
            const target = v.c[1]?.c[0];
            if (target) bindTarget(target, summarize(expr, { ...inner, fnFact: undefined }, 3), inner);
          }
          const callee = expr.t === 'call' ? chainText(expr.c[0], inner) : undefined;
          if (callee && TX_WITH.test(callee)) inner = { ...inner, inTransaction: true };
        }
        visitBlock(s.c.find((c) => c.t === 'block')?.c ?? [], inner);
        return;
      }
      case 'match_statement': {
        visitExpr(s.c[0], ctx, 'other');
        const block = s.c.find((c) => c.t === 'block');
        (block?.c ?? []).filter((c) => c.t === 'case_clause').forEach((cc, i) => visitBlock(cc.c.find((c) => c.t === 'block')?.c ?? [], { ...ctx, branch: `${ctx.branch ?? ''}/${s.s}:c${i}` }));
        return;
      }
      case 'raise_statement':
        for (const c of s.c) visitExpr(c, ctx, 'other');
        return;
      case 'function_definition':
        visitFunction(s, ctx, undefined, undefined);
        return;
      case 'class_definition':
        visitClass(s, ctx);
        return;
      case 'decorated_definition': {
        const decs = s.c.filter((c) => c.t === 'decorator');
        const def = s.c[s.c.length - 1];
        if (def.t === 'function_definition') visitFunction(def, ctx, undefined, undefined, decs);
        else if (def.t === 'class_definition') visitClass(def, ctx, decs);
        return;
      }
      case 'global_statement':
      case 'nonlocal_statement':
        for (const c of s.c) if (c.t === 'identifier') (ctx.globals ??= new Set()).add(txt(c));
        if (ctx.fnFact) ctx.fnFact.stats.assignsOuter = true;
        return;
      case 'delete_statement':
        for (const c of s.c) {
          const targets = c.t === 'expression_list' ? c.c : [c];
          for (const t of targets) if (t.t === 'subscript') syntheticCall(t.c[0], '__delitem__', ctx, s);
        }
        return;
      case 'assert_statement':
      case 'print_statement':
        for (const c of s.c) visitExpr(c, ctx, 'other');
        return;
      case 'import_statement':
      case 'import_from_statement':
        visitImport(s, ctx.fn !== '<module>' || !!ctx.branch, ctx.fn !== '<module>' ? ctx.fnFact : undefined);
        return;
      case 'block':
        visitBlock(s.c, ctx);
        return;
      default:
        return;
    }
  };

  const visitAssign = (e: PyNode, stmt: PyNode, ctx: Ctx) => {
    const left = e.c[0];
    const typeNode = e.c.find((c, i) => i > 0 && c.t === 'type');
    const value = e.c.length > 1 && e.c[e.c.length - 1] !== typeNode ? e.c[e.c.length - 1] : undefined;
    if (e.t === 'augmented_assignment') {
      if (value) visitExpr(value, ctx, 'other');
      // urlpatterns += [...] / CELERY_BEAT_SCHEDULE |= {...} at module level: kept as `<name>.+=` (a second piece of the value)
      if (value && ctx.fn === '<module>' && !ctx.fnFact && !ctx.branch && left.t === 'identifier') facts.vars.push({ name: `${txt(left)}.+=`, line: stmt.l, exported: false, init: summarize(value, ctx), kind: 'let' });
      if (ctx.fnFact && left.t !== 'identifier') ctx.fnFact.stats.assignsOuter = true;
      return;
    }
    // a = b = value: the innermost assignment holds the value
    if (value?.t === 'assignment') {
      visitAssign(value, stmt, ctx);
      const inner = value.c[value.c.length - 1];
      if (inner && ctx.fnFact && left.t === 'identifier') ctx.fnFact.locals[txt(left)] = summarize(inner, { ...ctx, fnFact: undefined }, 3);
      return;
    }
    if (value) {
      if (value.t === 'lambda' && ctx.fn === '<module>' && left.t === 'identifier') {
        const id = visitFunction(value, ctx, txt(left), undefined);
        addVar(txt(left), stmt.l, { fn: id });
        return;
      }
      visitExpr(value, ctx, 'assign');
    }
    if (ctx.fnFact && left.t === 'attribute') ctx.fnFact.stats.assignsOuter = true;
    // d[k] = v is d.__setitem__(k, v): a write to the container, visible to rules as a call on it (with k and v when k is a plain string)
    if (left.t === 'subscript') {
      const key = left.c[1]?.t === 'string' && !left.c[1].c.length && left.c.length === 2 ? stringValue(txt(left.c[1])) : undefined;
      syntheticCall(left.c[0], '__setitem__', ctx, stmt, key !== undefined && value ? [key, summarize(value, ctx, 3)] : []);
      for (const c of left.c.slice(1)) visitExpr(c, ctx, 'other');
    }
    if (!value) {
      if (ctx.fn === '<module>' && left.t === 'identifier' && !ctx.fnFact) addVar(txt(left), stmt.l, undefined);
      return;
    }
    if (ctx.fn === '<module>' && !ctx.fnFact) {
      // celery_app.conf.beat_schedule = {...} / app.config["SECRET_KEY"] = "..." : module configuration, kept under its dotted name
      const dotted = left.t === 'attribute' ? chainText(left, ctx) : left.t === 'subscript' && left.c[1]?.t === 'string' && !left.c[1].c.length ? ((b) => (b ? `${b}.${stringValue(txt(left.c[1]))}` : undefined))(chainText(left.c[0], ctx)) : undefined;
      if (dotted && dotted.includes('.')) {
        facts.vars.push({ name: dotted, line: stmt.l, exported: false, init: summarize(value, ctx), kind: 'let' });
        return;
      }
      if (left.t === 'identifier') {
        if (!ctx.branch || !moduleVars.has(txt(left))) addVar(txt(left), stmt.l, summarize(value, ctx));
      } else if (left.t === 'pattern_list' || left.t === 'tuple_pattern') {
        for (const t of left.c) if (t.t === 'identifier') addVar(txt(t), stmt.l, { unknown: 'unpacked' });
      }
      return;
    }
    if (left.t === 'identifier') {
      const name = txt(left);
      const v = summarize(value, { ...ctx, fnFact: undefined }, 3);
      if (ctx.globals?.has(name)) {
        // `global redis_client; redis_client = Redis(...)` in a start-up hook: the module variable's real value
        const mv = moduleVars.get(name);
        if (mv && (mv.init === undefined || mv.init === null)) mv.init = v;
        else if (!mv) addVar(name, stmt.l, v);
        return;
      }
      // `qs = qs.filter(...)`: a rebinding that refers to itself keeps what the name held before
      if (ctx.fnFact && !mentions(v, name)) ctx.fnFact.locals[name] = v;
      else if (ctx.fnFact && !(name in ctx.fnFact.locals)) ctx.fnFact.locals[name] = { unknown: 'rebound' };
    } else if ((left.t === 'pattern_list' || left.t === 'tuple_pattern') && ctx.fnFact) {
      for (const t of left.c) if (t.t === 'identifier') ctx.fnFact.locals[txt(t)] = { unknown: 'unpacked' };
    }
  };

  /** A call the syntax implies (`d[k] = v` → d.__setitem__): recorded like any call on the container. */
  const syntheticCall = (container: PyNode, method: string, ctx: Ctx, stmt: PyNode, args: Val[] = []) => {
    const { chain, root } = chainOf(container, ctx);
    if (root || !chain.length) return;
    const order = (orderByFn.get(ctx.fn) ?? 0) + 1;
    orderByFn.set(ctx.fn, order);
    facts.calls.push({
      fn: ctx.fn, callee: [...chain, method], line: stmt.l, endLine: stmt.el, args, isNew: false, awaited: false, returned: false, floating: false, caught: false,
      discarded: true, ...(ctx.tryCatch ? { tryCatch: ctx.tryCatch } : {}), inLoop: ctx.inLoop, inPromiseAllMap: false, inTransaction: ctx.inTransaction, order,
      ...(ctx.branch ? { branch: ctx.branch } : {}), ...(ctx.inLoop && ctx.loop ? { loop: ctx.loop } : {}),
    });
  };

  /** Does a value refer to a name (`x`, `x.y`, `x.f()`)? */
  const mentions = (v: Val | undefined, name: string, depth = 0): boolean => {
    if (!v || typeof v !== 'object' || depth > 6) return false;
    if ('ref' in v) return v.ref === name || v.ref.startsWith(name + '.');
    if ('call' in v) return v.call === name || v.call.startsWith(name + '.') || v.args.some((a) => mentions(a, name, depth + 1)) || mentions(v.recv, name, depth + 1);
    if ('new' in v) return v.args.some((a) => mentions(a, name, depth + 1));
    if ('arr' in v) return v.arr.some((a) => mentions(a, name, depth + 1));
    if ('obj' in v) return Object.values(v.obj).some((a) => mentions(a, name, depth + 1));
    if ('tpl' in v) return v.parts.some((a) => mentions(a, name, depth + 1));
    if ('concat' in v) return v.concat.some((a) => mentions(a, name, depth + 1));
    if ('unknown' in v) return !!v.of?.some((a) => mentions(a, name, depth + 1));
    return false;
  };

  const addVar = (name: string, line: number, init: Val | undefined) => {
    const prev = moduleVars.get(name);
    if (prev) {
      if (prev.init === undefined || prev.init === null) prev.init = init;
      return;
    }
    const v = { name, line, exported: !name.startsWith('_') || name.startsWith('__'), init, kind: 'const' as const };
    moduleVars.set(name, v);
    facts.vars.push(v);
  };

  // ---------------- expressions ----------------
  const recordSql = (n: PyNode) => {
    if (n.t !== 'string') return;
    const raw = txt(n);
    const text = n.c.length ? n.c.filter((c) => c.t === 'string_content' || c.t === 'interpolation').map((c) => (c.t === 'interpolation' ? '${}' : txt(c))).join('') : stringValue(raw);
    if (text.length >= 20 && SQL_START.test(text)) facts.sqlStrings.push({ line: n.l, text: text.slice(0, 200_000) });
  };

  const visitCall = (n: PyNode, ctx: Ctx, usage: Usage, quiet = false): void => {
    const fnNode = n.c[0];
    const argList = n.c[1];
    // "...".format(...) is string building, not a call anyone classifies
    if (fnNode.t === 'attribute' && txt(fnNode.c[1]) === 'format' && (fnNode.c[0].t === 'string' || fnNode.c[0].t === 'concatenated_string')) {
      for (const a of argList?.c ?? []) visitExpr(a.t === 'keyword_argument' ? a.c[1] : a, ctx, 'arg');
      return;
    }
    const env = envCall(n, ctx);
    if (env) {
      facts.envReads.push({ name: env.name, line: n.l, ...(env.hasDefault ? { default: summarize(env.default, ctx) } : {}) });
      if (env.default) visitExpr(env.default, ctx, 'other');
      return;
    }
    const { chain, root } = chainOf(fnNode, ctx);
    if (ctx.fnFact) {
      ctx.fnFact.stats.calls++;
      if (chain[0] === 'this') ctx.fnFact.stats.thisRefs++;
    }
    const order = (orderByFn.get(ctx.fn) ?? 0) + 1;
    orderByFn.set(ctx.fn, order);
    const calleeStr = root === 'call' ? '()' : chain.join('.');
    const spawnsTask = root === undefined && TASK_SPAWN.test(calleeStr);
    const addTask = root === undefined && chain.length > 1 && chain[chain.length - 1] === 'add_task';
    const call: CallFact = {
      fn: ctx.fn, callee: chain, ...(root ? { root } : {}), line: n.l, endLine: n.el, args: [], isNew: false,
      awaited: usage === 'await', returned: usage === 'return', floating: addTask && usage === 'statement', caught: addTask && usage === 'statement',
      ...(usage === 'statement' ? { discarded: true } : {}),
      ...(ctx.tryCatch ? { tryCatch: ctx.tryCatch } : {}), inLoop: ctx.inLoop, inPromiseAllMap: false, inTransaction: ctx.inTransaction, order,
      ...(ctx.branch ? { branch: ctx.branch } : {}), ...(ctx.inLoop && ctx.loop ? { loop: ctx.loop } : {}), ...(ctx.uniqueCaught ? { uniqueCaught: true } : {}),
    };
    if (!quiet) facts.calls.push(call);
    // the callee object may itself contain calls: a.b().c()
    if (root === 'call' || root === 'other') {
      let cur: PyNode | undefined = fnNode;
      while (cur && (cur.t === 'attribute' || cur.t === 'subscript' || cur.t === 'parenthesized_expression')) cur = cur.c[0];
      if (cur && cur.t !== 'identifier') visitExpr(cur, ctx, usage === 'await' && cur.t === 'call' ? 'other' : 'other');
    } else if (fnNode.t === 'subscript' || fnNode.t === 'attribute') {
      // x[i].m(): the index expression
      const visitInner = (m: PyNode) => {
        if (m.t === 'subscript') {
          for (const c of m.c.slice(1)) visitExpr(c, ctx, 'other');
          visitInner(m.c[0]);
        } else if (m.t === 'attribute') visitInner(m.c[0]);
      };
      visitInner(fnNode);
    }
    const last = chain[chain.length - 1];
    const isGather = calleeStr === 'asyncio.gather' || calleeStr === 'gather';
    const args: Val[] = [];
    const kw: Record<string, Val> = {};
    let hasKw = false;
    let spread = false;
    let argIndex = 0;
    for (const a of argList?.t === 'argument_list' ? argList.c : argList ? [argList] : []) {
      if (a.t === 'comment') continue;
      const isKw = a.t === 'keyword_argument';
      const valueNode = isKw ? a.c[1] : a.t === 'list_splat' || a.t === 'dictionary_splat' ? a.c[0] : a;
      if (a.t === 'dictionary_splat') {
        spread = true;
        hasKw = true;
        if (valueNode) visitExpr(valueNode, ctx, 'arg');
        continue;
      }
      let v: Val;
      if (valueNode?.t === 'lambda') {
        v = { fn: visitFunction(valueNode, ctx, undefined, undefined, [], { call: calleeStr, line: n.l, argIndex }) };
      } else if (valueNode?.t === 'generator_expression' || valueNode?.t === 'list_comprehension') {
        visitExpr(valueNode, ctx, 'arg');
        v = { unknown: 'comprehension' };
      } else if (spawnsTask && argIndex === 0 && !isKw && valueNode?.t === 'call') {
        // asyncio.create_task(send(...)) as a statement: the coroutine runs detached, its exception only logged at GC
        if (usage === 'statement') {
          const idx = facts.calls.length;
          visitCall(valueNode, ctx, 'other');
          const inner = facts.calls[idx];
          if (inner && inner.line === valueNode.l && inner.root !== 'call') {
            inner.floating = true;
            inner.caught = true;
            inner.spawned = calleeStr;
          }
        } else visitExpr(valueNode, ctx, usage === 'await' ? 'await' : 'assign');
        v = summarize(valueNode, ctx);
      } else {
        if (valueNode) visitExpr(valueNode, ctx, isGather && usage === 'await' ? 'await' : 'arg');
        v = a.t === 'list_splat' ? { unknown: 'spread' } : summarize(valueNode, ctx);
      }
      if (isKw) {
        kw[txt(a.c[0])] = v;
        hasKw = true;
      } else args.push(v);
      argIndex++;
    }
    if (hasKw) args.push(spread ? { obj: kw, kwargs: true, spread: true } : { obj: kw, kwargs: true });
    call.args = args;
    void last;
  };

  const visitComprehension = (n: PyNode, ctx: Ctx, usage: Usage) => {
    // [body for x in items if cond]: the for_in_clause iterables run once, the body per item
    const clauses = n.c.filter((c) => c.t === 'for_in_clause');
    let loopCtx: Ctx = ctx;
    for (const fc of clauses) {
      const iter = fc.c[fc.c.length - 1];
      visitExpr(iter, loopCtx, 'other');
      loopCtx = { ...loopCtx, inLoop: true, loop: { kind: 'for-of', over: loopOver(iter, ctx), line: n.l } };
      const target = fc.c[0];
      if (ctx.fnFact && target?.t === 'identifier') ctx.fnFact.locals[txt(target)] = { unknown: 'loop-item' };
    }
    for (const c of n.c) {
      if (c.t === 'for_in_clause') continue;
      if (c.t === 'if_clause') visitExpr(c.c[0], loopCtx, 'other');
      else if (c.t === 'pair') {
        visitExpr(c.c[0], loopCtx, 'other');
        visitExpr(c.c[1], loopCtx, 'other');
      } else visitExpr(c, loopCtx, usage === 'await' ? 'await' : 'other');
    }
  };

  const visitExpr = (n: PyNode | undefined, ctx: Ctx, usage: Usage, quiet = false): void => {
    if (!n) return;
    switch (n.t) {
      case 'call':
        visitCall(n, ctx, usage, quiet);
        return;
      case 'await':
        if (ctx.fnFact) ctx.fnFact.stats.awaits++;
        visitExpr(n.c[0], ctx, 'await');
        return;
      case 'parenthesized_expression':
        visitExpr(n.c[0], ctx, usage);
        return;
      case 'lambda':
        visitFunction(n, ctx, undefined, undefined);
        return;
      case 'conditional_expression':
        visitExpr(n.c[1], ctx, 'other');
        visitExpr(n.c[0], { ...ctx, branch: `${ctx.branch ?? ''}/${n.s}:t` }, usage);
        visitExpr(n.c[2], { ...ctx, branch: `${ctx.branch ?? ''}/${n.s}:f` }, usage);
        return;
      case 'string':
        recordSql(n);
        for (const c of n.c) if (c.t === 'interpolation' && c.c[0]) visitExpr(c.c[0], ctx, 'other');
        return;
      case 'concatenated_string':
        for (const c of n.c) visitExpr(c, ctx, 'other');
        {
          const v = summarize(n, ctx);
          const text = typeof v === 'string' ? v : v && typeof v === 'object' && 'tpl' in v ? v.tpl : '';
          if (text.length >= 20 && SQL_START.test(text)) facts.sqlStrings.push({ line: n.l, text: text.slice(0, 200_000) });
        }
        return;
      case 'subscript': {
        const env = envCall(n, ctx);
        if (env) {
          facts.envReads.push({ name: env.name, line: n.l });
          return;
        }
        for (const c of n.c) visitExpr(c, ctx, 'other');
        return;
      }
      case 'attribute':
        if (n.c[0]?.t === 'identifier' && ctx.selfName && txt(n.c[0]) === ctx.selfName && ctx.fnFact) ctx.fnFact.stats.thisRefs++;
        visitExpr(n.c[0], ctx, 'other');
        return;
      case 'identifier':
        if (ctx.selfName && txt(n) === ctx.selfName && ctx.fnFact) ctx.fnFact.stats.thisRefs++;
        return;
      case 'boolean_operator': {
        const l = n.c[0];
        const env = envCall(l, ctx);
        if (env && !env.hasDefault) {
          facts.envReads.push({ name: env.name, line: n.l, default: summarize(n.c[1], ctx) });
          visitExpr(n.c[1], ctx, 'other');
          return;
        }
        visitExpr(l, ctx, usage === 'return' ? 'return' : 'other');
        visitExpr(n.c[1], ctx, usage === 'return' ? 'return' : 'other');
        return;
      }
      case 'list_comprehension':
      case 'set_comprehension':
      case 'dictionary_comprehension':
      case 'generator_expression':
        visitComprehension(n, ctx, usage);
        return;
      case 'named_expression':
        visitExpr(n.c[1], ctx, 'assign');
        if (ctx.fnFact && n.c[0]?.t === 'identifier') ctx.fnFact.locals[txt(n.c[0])] = summarize(n.c[1], { ...ctx, fnFact: undefined }, 3);
        return;
      case 'keyword_argument':
        visitExpr(n.c[1], ctx, 'arg');
        return;
      case 'yield':
        if (ctx.fnFact) {
          ctx.fnFact.generator = true;
          if (n.c[0]) addReturn(ctx.fnFact, n.c[0], ctx);
        }
        if (n.c[0]) visitExpr(n.c[0], ctx, 'return');
        return;
      case 'assignment':
      case 'augmented_assignment':
        visitAssign(n, n, ctx);
        return;
      default:
        for (const c of n.c) visitExpr(c, ctx, usage === 'await' && (n.t === 'list' || n.t === 'tuple') ? 'await' : 'other');
    }
  };

  // ---------------- imports ----------------
  /** Imports made inside a function body: their names are that function's, not the module's. */
  const fnImports: { fn: FunctionFact; imp: ImportFact }[] = [];
  const visitImport = (s: PyNode, conditional: boolean, inFn?: FunctionFact) => {
    const typeOnly = false;
    if (s.t === 'import_statement') {
      for (const c of s.c) {
        if (c.t === 'dotted_name') {
          const mod = txt(c).replace(/\s+/g, '');
          const top = mod.split('.')[0];
          facts.imports.push({ source: top, line: s.l, typeOnly, names: [{ imported: '*', local: top }] });
          if (mod !== top) facts.imports.push({ source: mod, line: s.l, typeOnly, names: [] });
          facts.exports[top] = top;
        } else if (c.t === 'aliased_import') {
          const mod = txt(c.c[0]).replace(/\s+/g, '');
          const local = txt(c.c[1]);
          facts.imports.push({ source: mod, line: s.l, typeOnly, names: [{ imported: '*', local }] });
          facts.exports[local] = local;
        }
      }
      return;
    }
    // from M import a, b as c / from . import x / from .m import *
    const modNode = s.c[0];
    if (!modNode) return;
    const mod = txt(modNode).replace(/\s+/g, '');
    if (mod === '__future__') return;
    const names: { imported: string; local: string }[] = [];
    let star = false;
    for (const c of s.c.slice(1)) {
      if (c.t === 'dotted_name') names.push({ imported: txt(c), local: txt(c) });
      else if (c.t === 'aliased_import') names.push({ imported: txt(c.c[0]), local: txt(c.c[1]) });
      else if (c.t === 'wildcard_import') star = true;
    }
    if (star) {
      facts.reexports.push({ source: mod, line: s.l });
      facts.imports.push({ source: mod, line: s.l, typeOnly, names: [] });
      return;
    }
    const imp: ImportFact = { source: mod, line: s.l, typeOnly, names };
    facts.imports.push(imp);
    if (inFn) fnImports.push({ fn: inFn, imp });
    for (const n of names) facts.exports[n.local] = n.local;
    void conditional;
  };

  // ---------------- module ----------------
  const moduleCtx: Ctx = { fn: '<module>', inLoop: false, inTransaction: false };
  const visitTop = (s: PyNode, ctx: Ctx) => {
    switch (s.t) {
      case 'comment': {
        const m = SUPPRESS.exec(txt(s));
        if (m) facts.suppressions.push({ line: s.l + 1, rule: m[1], reason: (m[2] ?? '').trim() });
        return;
      }
      case 'import_statement':
      case 'import_from_statement':
        visitImport(s, !!ctx.branch);
        return;
      case 'function_definition':
        visitFunction(s, ctx, undefined, undefined);
        return;
      case 'class_definition':
        visitClass(s, ctx);
        return;
      case 'decorated_definition': {
        const decs = s.c.filter((c) => c.t === 'decorator');
        const def = s.c[s.c.length - 1];
        if (def.t === 'function_definition') visitFunction(def, ctx, undefined, undefined, decs);
        else if (def.t === 'class_definition') visitClass(def, ctx, decs);
        return;
      }
      case 'if_statement': {
        // if TYPE_CHECKING: / if __name__ == "__main__": / try-import fallbacks: module code in an arm
        const cond = s.c[0] ? txt(s.c[0]) : '';
        const typeChecking = /TYPE_CHECKING/.test(cond);
        for (const arm of s.c) {
          const block = arm.t === 'block' ? arm : arm.c.find((c) => c.t === 'block');
          if (!block || (arm.t !== 'block' && arm.t !== 'elif_clause' && arm.t !== 'else_clause')) continue;
          for (const st of block.c) {
            if (typeChecking && (st.t === 'import_statement' || st.t === 'import_from_statement')) {
              const before = facts.imports.length;
              visitImport(st, true);
              for (let i = before; i < facts.imports.length; i++) facts.imports[i].typeOnly = true;
              continue;
            }
            visitTop(st, { ...ctx, branch: `${ctx.branch ?? ''}/${s.s}:${arm.t === 'block' ? 't' : arm.s}` });
          }
        }
        visitExpr(s.c[0], ctx, 'other');
        return;
      }
      case 'try_statement': {
        for (const part of s.c) {
          const block = part.t === 'block' ? part : part.c.find((c) => c.t === 'block');
          if (!block) continue;
          for (const st of block.c) visitTop(st, part.t === 'block' ? ctx : { ...ctx, branch: `${ctx.branch ?? ''}/${s.s}:${part.t}` });
        }
        return;
      }
      default:
        visitStmt(s, ctx);
    }
  };

  const collectComments = (n: PyNode) => {
    if (n.t === 'comment') {
      const m = SUPPRESS.exec(txt(n));
      if (m) facts.suppressions.push({ line: n.l + 1, rule: m[1], reason: (m[2] ?? '').trim() });
      return;
    }
    for (const c of n.c) collectComments(c);
  };

  for (const s of root.c) {
    if (s.t === 'comment') continue;
    visitTop(s, moduleCtx);
  }
  collectComments(root);
  // `def email_send(...): from .services import email_send; email_send(x)`: inside that function the name is the
  // import, not the module-level def it shadows — the import gets its own name and the function a local pointing at it
  for (const { fn, imp } of fnImports) {
    for (const n of imp.names) {
      const shadows = facts.functions.some((f) => f.id === n.local && !f.className) || facts.classes.some((c) => c.name === n.local) || facts.vars.some((v) => v.name === n.local);
      if (!shadows || n.local in fn.locals) continue;
      const alias = `${n.local}@${imp.line}`;
      fn.locals[n.local] = { ref: alias };
      n.local = alias;
    }
  }
  for (const fn of facts.functions) if (!fn.className && !fn.parent && !fn.inlineOf && !fn.id.includes('@')) facts.exports[fn.id] = fn.id;
  for (const c of facts.classes) if (c.exported) facts.exports[c.name] = c.name;
  for (const v of facts.vars) if (!v.name.includes('.')) facts.exports[v.name] = v.name;
  facts.suppressions.sort((a, b) => a.line - b.line);
  return facts;
}
