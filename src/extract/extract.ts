// One pass over an oxc ESTree AST → FileFacts. Generic on purpose: it records
// what the code says (imports, classes, functions, call sites with their context)
// and leaves the meaning of a call to the technology packs at link time, so a new
// technology never needs a new AST walk.
import type { CallFact, CatchInfo, ClassFact, DecoratorFact, FileFacts, FunctionFact, LoopInfo, ParamFact, RejectionHandler, Val } from './facts.js';
import { backoffMathOf, retryLoopOf } from './retry-loop.js';

type AstNode = { type: string; start: number; end: number; [k: string]: any };

type Usage = 'await' | 'return' | 'statement' | 'void' | 'assign' | 'arg' | 'other';

interface Ctx {
  fn: string;
  fnFact?: FunctionFact;
  className?: string;
  inLoop: boolean;
  inPromiseAllMap: boolean;
  inTransaction: boolean;
  tryCatch?: CatchInfo;
  /** Branch path: "start:arm" segments of the if/switch/ternary arms enclosing the code. */
  branch?: string;
  /** The innermost enclosing loop. */
  loop?: LoopInfo;
  /** Inside a try whose catch tests for a unique-constraint violation. */
  uniqueCaught?: boolean;
}

const LOOP_CALLBACKS = new Set(['forEach', 'map', 'flatMap', 'reduce', 'filter', 'some', 'every']);
const TX_CALLEES = new Set(['$transaction', 'transaction', 'withTransaction', 'runInTransaction', 'tx', 'txIf']);
const LOG_NAMES = /^(log|error|warn|warning|info|debug|trace|fatal|exception|captureException|captureError|report|notify)$/i;
const SQL_START = /^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|WITH|DROP)\b/i;
/** Names and codes a catch uses to recognise a unique-constraint violation. */
const UNIQUE_MARKERS = /unique|duplicate|^P2002$|^23505$|^ER_DUP_ENTRY$|^SQLITE_CONSTRAINT|^11000$/i;
const SUPPRESS = /faultline-ignore-next-line\s+([\w/-]+)(?:\s+--\s*(.*))?/;

export function lineIndex(src: string): number[] {
  const starts = [0];
  for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

export function extractFacts(file: string, src: string, program: AstNode, comments: { value: string; start: number }[], errors: string[]): FileFacts {
  const starts = lineIndex(src);
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };

  const facts: FileFacts = {
    file, lines: starts.length, imports: [], reexports: [], exports: {}, classes: [], functions: [], vars: [], calls: [],
    catches: [], envReads: [], sqlStrings: [], suppressions: [], parseErrors: errors,
  };
  const orderByFn = new Map<string, number>();
  const visitedFns = new WeakMap<AstNode, string>();
  /** Names a function returns (`return queue`), checked once its whole body is seen (see noteMadeReturns). */
  const returnedNames = new WeakMap<FunctionFact, Set<string>>();
  /** Every write to a plain name (`producer = kafka.producer()`), for the module bindings filled later (see noteModuleFills). */
  const nameWrites: { name: string; operator: string; right: AstNode; ctx: Ctx; line: number }[] = [];
  const fnIds = new Set<string>();

  for (const c of comments) {
    const m = SUPPRESS.exec(c.value);
    if (m) facts.suppressions.push({ line: lineOf(c.start) + 1, rule: m[1], reason: (m[2] ?? '').trim() });
  }

  const uniqueFnId = (base: string, node: AstNode): string => {
    if (!fnIds.has(base)) {
      fnIds.add(base);
      return base;
    }
    const id = `${base}@${lineOf(node.start)}:${node.start}`;
    fnIds.add(id);
    return id;
  };

  // ---------- value summaries ----------
  const chainOf = (node: AstNode): { chain: string[]; root?: CallFact['root'] } => {
    const parts: string[] = [];
    let cur: AstNode | undefined = node;
    while (cur) {
      if (cur.type === 'MemberExpression') {
        const p = cur.property;
        if (!cur.computed && p.type === 'Identifier') parts.unshift(p.name);
        else if (p.type === 'Literal' && typeof p.value === 'string') parts.unshift(p.value);
        else if (p.type === 'PrivateIdentifier') parts.unshift('#' + p.name);
        else parts.unshift('[]');
        cur = cur.object;
      } else if (cur.type === 'Identifier') {
        parts.unshift(cur.name);
        return { chain: parts };
      } else if (cur.type === 'ThisExpression') {
        parts.unshift('this');
        return { chain: parts };
      } else if (cur.type === 'Super') {
        parts.unshift('super');
        return { chain: parts };
      } else if (cur.type === 'TSNonNullExpression' || cur.type === 'ParenthesizedExpression' || cur.type === 'TSAsExpression' || cur.type === 'ChainExpression') {
        cur = cur.expression;
      } else if (cur.type === 'CallExpression') {
        parts.unshift('()');
        return { chain: parts, root: 'call' };
      } else if (cur.type === 'NewExpression') {
        return { chain: parts, root: 'new' };
      } else if (cur.type === 'AwaitExpression') {
        cur = cur.argument;
      } else {
        return { chain: parts, root: 'other' };
      }
    }
    return { chain: parts, root: 'other' };
  };

  const envName = (node: AstNode): string | undefined => {
    if (node.type !== 'MemberExpression') return undefined;
    const obj = node.object;
    if (obj.type === 'MemberExpression' && !obj.computed && obj.object.type === 'Identifier' && obj.object.name === 'process' && obj.property.name === 'env') {
      if (!node.computed && node.property.type === 'Identifier') return node.property.name;
      if (node.property.type === 'Literal' && typeof node.property.value === 'string') return node.property.value;
    }
    return undefined;
  };

  const summarize = (node: AstNode | null | undefined, ctx: Ctx, depth = 0): Val => {
    if (!node) return null;
    if (depth > 5) return { unknown: 'deep' };
    switch (node.type) {
      case 'Literal':
        if (node.regex) return { unknown: 'regex' };
        if (typeof node.value === 'bigint') return { unknown: 'bigint' };
        return node.value as Val;
      case 'TemplateLiteral': {
        if (node.expressions.length === 0) return node.quasis.map((q: AstNode) => q.value.cooked ?? q.value.raw).join('');
        let text = '';
        node.quasis.forEach((q: AstNode, i: number) => {
          text += q.value.cooked ?? q.value.raw;
          if (i < node.expressions.length) text += '${}';
        });
        return { tpl: text, parts: node.expressions.map((e: AstNode) => summarize(e, ctx, depth + 1)) };
      }
      case 'ObjectExpression': {
        const obj: Record<string, Val> = {};
        let spread = false;
        for (const p of node.properties) {
          if (p.type === 'SpreadElement') {
            spread = true;
            continue;
          }
          const key = propKey(p);
          if (key === undefined) continue;
          if (p.value && (p.value.type === 'FunctionExpression' || p.value.type === 'ArrowFunctionExpression')) {
            obj[key] = { fn: visitFunction(p.value, ctx, key, undefined) };
          } else obj[key] = summarize(p.value, ctx, depth + 1);
        }
        return spread ? { obj, spread } : { obj };
      }
      case 'ArrayExpression':
        // a spread keeps what it spreads (`[...repositories, Logger]`), for readers that can expand it
        return { arr: node.elements.map((e: AstNode | null) => (!e ? { unknown: 'hole' } : e.type !== 'SpreadElement' ? summarize(e, ctx, depth + 1) : { unknown: 'spread', of: [summarize(e.argument, ctx, depth + 1)] })) };
      case 'Identifier':
        return { ref: node.name };
      case 'ThisExpression':
        return { ref: 'this' };
      case 'MemberExpression': {
        const env = envName(node);
        if (env) return { env };
        const { chain, root } = chainOf(node);
        return root ? { unknown: 'member' } : { ref: chain.join('.') };
      }
      case 'LogicalExpression': {
        const left = summarize(node.left, ctx, depth + 1);
        if (left && typeof left === 'object' && 'env' in left && !left.default) return { env: left.env, default: summarize(node.right, ctx, depth + 1) };
        if (node.operator === '??' || node.operator === '||') {
          const right = summarize(node.right, ctx, depth + 1);
          if (left && typeof left === 'object' && 'call' in left) return { call: left.call, args: [...left.args, { unknown: 'fallback' }, right] };
          return { unknown: 'logical', of: [left, right] };
        }
        return { unknown: 'logical' };
      }
      case 'CallExpression': {
        const { chain, root } = chainOf(node.callee);
        // Visiting the call records it (and its inline callbacks); the summary keeps its shape.
        const args = node.arguments.map((a: AstNode) => summarize(a, ctx, depth + 1));
        // receivers of a chain (`new Hono().get(..).post(..)…`) cost 1/16 of a level: long route chains keep their arguments
        if (root === 'new') {
          // `new Hono().get(...)`: a call on the new instance, kept with its receiver like a call on a call result
          let ne: AstNode | undefined = node.callee;
          while (ne && ne.type !== 'NewExpression') ne = ne.type === 'MemberExpression' ? ne.object : ne.expression;
          return { call: `().${chain.join('.')}`, args, ...(ne ? { recv: summarize(ne, ctx, depth + 0.0625) } : {}) };
        }
        if (root !== 'call') return { call: chain.join('.'), args };
        let inner: AstNode | undefined = node.callee;
        while (inner && inner.type !== 'CallExpression') inner = inner.type === 'MemberExpression' ? inner.object : inner.type === 'AwaitExpression' ? inner.argument : inner.expression;
        return { call: `()${chain.slice(1).length ? '.' + chain.slice(1).join('.') : ''}`, args, ...(inner ? { recv: summarize(inner, ctx, depth + 0.0625) } : {}) };
      }
      case 'NewExpression': {
        const { chain } = chainOf(node.callee);
        return { new: chain.join('.'), args: node.arguments.map((a: AstNode) => summarize(a, ctx, depth + 1)) };
      }
      case 'BinaryExpression':
        if (node.operator === '+') {
          const l = summarize(node.left, ctx, depth + 1);
          const r = summarize(node.right, ctx, depth + 1);
          if (typeof l === 'string' && typeof r === 'string') return l + r;
          if (typeof l === 'number' && typeof r === 'number') return l + r;
          const parts: Val[] = [];
          for (const v of [l, r]) if (v && typeof v === 'object' && 'concat' in v) parts.push(...v.concat); else parts.push(v);
          return { concat: parts };
        }
        if (node.operator === '*') {
          const l = summarize(node.left, ctx, depth + 1);
          const r = summarize(node.right, ctx, depth + 1);
          if (typeof l === 'number' && typeof r === 'number') return l * r;
        }
        return { unknown: 'binary' };
      case 'UnaryExpression':
        if (node.operator === '-' && node.argument.type === 'Literal' && typeof node.argument.value === 'number') return -node.argument.value;
        if (node.operator === '!' && node.argument.type === 'Literal' && typeof node.argument.value === 'number') return !node.argument.value;
        return { unknown: 'unary' };
      case 'ArrowFunctionExpression':
      case 'FunctionExpression':
        return { fn: visitFunction(node, ctx, undefined, undefined) };
      case 'ConditionalExpression': {
        // `dir === 'asc' ? 'ASC' : 'DESC'`: one of two literals, never caller text
        const lit = (n: AstNode) => unwrap(n).type === 'Literal' && !unwrap(n).regex && typeof unwrap(n).value !== 'bigint';
        if (lit(node.consequent) && lit(node.alternate)) return { unknown: 'literal-choice' };
        return { unknown: 'ConditionalExpression', of: [summarize(node.consequent, ctx, depth + 1), summarize(node.alternate, ctx, depth + 1)] };
      }
      case 'AwaitExpression':
      case 'TSAsExpression':
      case 'TSSatisfiesExpression':
      case 'TSNonNullExpression':
      case 'ParenthesizedExpression':
      case 'TSTypeAssertion':
        return summarize(node.expression ?? node.argument, ctx, depth);
      default:
        return { unknown: node.type };
    }
  };

  // ---------- decorators, params ----------
  const decoratorsOf = (node: AstNode, ctx: Ctx): DecoratorFact[] =>
    (node.decorators ?? []).map((d: AstNode) => {
      const e = d.expression;
      if (e.type === 'CallExpression') {
        const { chain } = chainOf(e.callee);
        return { name: chain[chain.length - 1] ?? '?', args: e.arguments.map((a: AstNode) => summarize(a, ctx)), line: lineOf(d.start) };
      }
      const { chain } = chainOf(e);
      return { name: chain[chain.length - 1] ?? '?', args: [], line: lineOf(d.start) };
    });

  const typeName = (ann: AstNode | null | undefined): string | undefined => {
    const t = ann?.typeAnnotation;
    if (!t) return undefined;
    if (t.type === 'TSTypeReference') return qualified(t.typeName);
    // `Queue<Job> | null`, `PrismaClient | undefined`: the one type besides the absent value
    if (t.type === 'TSUnionType') {
      const refs = t.types.filter((x: AstNode) => x.type !== 'TSNullKeyword' && x.type !== 'TSUndefinedKeyword');
      if (refs.length === 1 && refs[0].type === 'TSTypeReference') return qualified(refs[0].typeName);
    }
    return undefined;
  };

  const paramsOf = (params: AstNode[], ctx: Ctx): ParamFact[] =>
    // `(...[router, tenant]: RouterInitArgs)` takes its arguments by position, as `(router, tenant)` would
    params.flatMap((p) => (p.type === 'RestElement' && p.argument?.type === 'ArrayPattern' ? p.argument.elements.map((e: AstNode | null) => e ?? { type: 'Hole' }) : [p])).map((p) => {
      const inner = p.type === 'TSParameterProperty' ? p.parameter : p;
      const id = inner.type === 'AssignmentPattern' ? inner.left : inner;
      const param: ParamFact = { name: id.type === 'Identifier' ? id.name : '?', type: typeName(id.typeAnnotation), decorators: decoratorsOf(p, ctx) };
      const dflt = inner.type === 'AssignmentPattern' ? unwrap(inner.right) : undefined;
      if (dflt && (dflt.type === 'Literal' || dflt.type === 'Identifier' || dflt.type === 'MemberExpression' || dflt.type === 'UnaryExpression')) param.default = summarize(dflt, ctx);
      return param;
    });

  // ---------- functions ----------
  function visitFunction(node: AstNode, outer: Ctx, name: string | undefined, className: string | undefined, decorators: DecoratorFact[] = [], inlineOf?: FunctionFact['inlineOf'], carriedBy?: FunctionFact['carriedBy'], getter?: boolean): string {
    const seen = visitedFns.get(node);
    if (seen) return seen;
    const base = className ? `${className}.${name ?? '<anon>'}` : name ?? `<anon>@${lineOf(node.start)}:${node.start}`;
    const id = uniqueFnId(base, node);
    visitedFns.set(node, id);
    const fact: FunctionFact = {
      id, name: name ?? '<anon>', className, thisClass: className ?? outer.className, parent: outer.fn === '<module>' ? undefined : outer.fn, line: lineOf(node.start), endLine: lineOf(node.end), async: !!node.async,
      decorators, params: paramsOf(node.params ?? [], outer), stats: { calls: 0, awaits: 0, thisRefs: 0, statements: 0, assignsOuter: false },
      locals: {}, inlineOf, ...(carriedBy ? { carriedBy } : {}), ...(getter ? { getter: true as const } : {}),
    };
    // `getInstance(): PrismaClient`: a declared return type names what a call gives, where its returns do not show it
    const declaredReturn = typeName(node.returnType);
    if (declaredReturn) fact.returnType = declaredReturn;
    facts.functions.push(fact);
    const ctx: Ctx = { fn: id, fnFact: fact, className: className ?? outer.className, inLoop: false, inPromiseAllMap: outer.inPromiseAllMap && !!inlineOf, inTransaction: outer.inTransaction, tryCatch: undefined };
    if (inlineOf || carriedBy) {
      ctx.inLoop = outer.inLoop;
      ctx.tryCatch = outer.tryCatch;
      if (outer.loop) ctx.loop = outer.loop;
      if (outer.uniqueCaught) ctx.uniqueCaught = true;
    }
    const body = node.body;
    if (body?.type === 'BlockStatement') visitAll(body.body, ctx);
    else if (body) {
      visitExpr(body, ctx, 'return');
      noteObjectReturn(body, ctx);
    }
    noteMadeReturns(node, ctx);
    if (className && body?.type === 'BlockStatement' && body.body.length === 1 && body.body[0].type === 'ThrowStatement') fact.stub = true;
    const math = body ? backoffMathOf(node, src) : undefined;
    if (math) fact.backoffMath = math;
    return id;
  }

  /**
   * An object literal or a `new` a function returns (`registerAs('app', () => ({ apiPrefix: ... }))`,
   * `remember('prisma', () => new PrismaClient())`), and any value an argument-less inline callback
   * returns: kept so that packs can read settings a value comes from and the linker can see what a
   * factory thunk makes. Only these, and the first three: every other return would grow each
   * file's facts.
   */
  const noteObjectReturn = (arg: AstNode, ctx: Ctx) => {
    let cur = arg;
    while (cur.type === 'ParenthesizedExpression' || cur.type === 'TSAsExpression' || cur.type === 'TSSatisfiesExpression') cur = cur.expression;
    if (!ctx.fnFact) return;
    // a thunk handed to a call (`remember('prisma', () => { ...; return prisma; })`): any returned name or call too
    // a getter too (`get pool() { return this._pool }`): reading it is what it returns
    const thunk = (!!ctx.fnFact.inlineOf && ctx.fnFact.params.length === 0) || !!ctx.fnFact.getter;
    const name = thunk ? undefined : returnedName(cur);
    if (name) {
      let names = returnedNames.get(ctx.fnFact);
      if (!names) returnedNames.set(ctx.fnFact, (names = new Set()));
      if (names.size < 3) names.add(name);
      return;
    }
    const getterValue = !!ctx.fnFact.getter && (cur.type === 'LogicalExpression' || cur.type === 'ConditionalExpression');
    if (cur.type !== 'ObjectExpression' && cur.type !== 'NewExpression' && !getterValue && !(thunk && (cur.type === 'Identifier' || cur.type === 'CallExpression' || cur.type === 'MemberExpression'))) return;
    const returns = (ctx.fnFact.returns ??= []);
    if (returns.length < 3) returns.push(summarize(cur, ctx));
  };

  /**
   * A factory returning a binding it fills (`const queue = new Queue(name, opts); queue.on(...); return queue`,
   * a lazy singleton's `if (!client) client = new Redis(url); return client`): the one `new` or call that
   * fills it, kept with the returned literals so the linker sees what the factory makes. Only then: a
   * returned response or parameter is not recorded, and facts do not grow with every return.
   */
  const noteMadeReturns = (fnNode: AstNode, ctx: Ctx) => {
    const fact = ctx.fnFact;
    const names = fact ? returnedNames.get(fact) : undefined;
    if (!fact || !names) return;
    for (const name of names) {
      const made = mayBeMade(fact, name) ? madeInto(fnNode, name) : undefined;
      if (!made || (fact.returns?.length ?? 0) >= 3) continue;
      const value = summarize(made.node, { ...ctx, fnFact: undefined }, 3);
      if (made.awaited && value && typeof value === 'object' && 'call' in value) value.awaited = true;
      (fact.returns ??= []).push(value);
    }
  };

  // ---------- statements ----------
  const visitAll = (stmts: AstNode[], ctx: Ctx) => {
    let cur = ctx;
    for (const s of stmts) {
      visitStmt(s, cur);
      // `if (x) { ...; return; }` with no else: what follows is the implicit else arm
      if (s.type === 'IfStatement' && !s.alternate && alwaysExits(s.consequent)) cur = { ...cur, branch: `${cur.branch ?? ''}/${s.start}:f` };
    }
  };

  const catchInfo = (handler: AstNode): CatchInfo => {
    let rethrows = false;
    let returns = false;
    let logs = false;
    const scan = (n: any) => {
      if (!n || typeof n !== 'object') return;
      if (Array.isArray(n)) return n.forEach(scan);
      if (typeof n.type !== 'string') return;
      if (n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression' || n.type === 'FunctionDeclaration') return;
      if (n.type === 'ThrowStatement') rethrows = true;
      if (n.type === 'ReturnStatement' && n.argument) returns = true;
      if (n.type === 'CallExpression') {
        const { chain } = chainOf(n.callee);
        const last = chain[chain.length - 1] ?? '';
        if (LOG_NAMES.test(last) || chain.includes('console') || chain.some((c) => /logger|log$/i.test(c))) logs = true;
        if (last === 'next' && n.arguments.length > 0) rethrows = true; // express next(err)
        if (/^reject$/.test(last)) rethrows = true;
      }
      for (const k in n) if (k !== 'type' && k !== 'start' && k !== 'end') scan(n[k]);
    };
    scan(handler.body);
    const empty = handler.body.body.length === 0;
    return { line: lineOf(handler.start), rethrows, returns, logs, empty, contains: !rethrows };
  };

  /** What a loop statement iterates: `for (x of items)` → items; `for (...; i < items.length; ...)` → items. */
  const loopInfo = (s: AstNode, ctx: Ctx): LoopInfo => {
    if (s.type === 'ForOfStatement') return { kind: 'for-of', over: summarize(s.right, ctx, 3), line: lineOf(s.start) };
    if (s.type === 'ForInStatement') return { kind: 'for-in', over: summarize(s.right, ctx, 3), line: lineOf(s.start) };
    if (s.type === 'ForStatement') {
      const t = s.test ? unwrap(s.test) : undefined;
      const bound = t?.type === 'BinaryExpression' && (t.operator === '<' || t.operator === '<=') ? unwrap(t.right) : undefined;
      if (bound?.type === 'MemberExpression' && !bound.computed && bound.property.type === 'Identifier' && bound.property.name === 'length') return { kind: 'for', over: summarize(bound.object, ctx, 3), line: lineOf(s.start) };
      return { kind: 'for', line: lineOf(s.start) };
    }
    return { kind: 'while', line: lineOf(s.start) };
  };

  /** A catch body that tests for a unique-constraint violation (P2002, 23505, isUniqueViolation, UniqueConstraintError...). */
  const mentionsUnique = (body: AstNode): boolean => {
    let found = false;
    const scan = (n: any) => {
      if (found || !n || typeof n !== 'object') return;
      if (Array.isArray(n)) return n.forEach(scan);
      if (typeof n.type !== 'string') return;
      if ((n.type === 'Identifier' && UNIQUE_MARKERS.test(n.name)) || (n.type === 'Literal' && (typeof n.value === 'string' || typeof n.value === 'number') && UNIQUE_MARKERS.test(String(n.value)))) {
        found = true;
        return;
      }
      for (const k in n) if (k !== 'type' && k !== 'start' && k !== 'end') scan(n[k]);
    };
    scan(body);
    return found;
  };

  /** The rejection handler given to .catch(h) / .then(_, h). */
  const rejectionInfo = (h: AstNode | undefined): RejectionHandler | undefined => {
    const fnNode = h ? unwrap(h) : undefined;
    if (!fnNode) return undefined;
    if (fnNode.type === 'Identifier' || fnNode.type === 'MemberExpression') {
      const { chain } = chainOf(fnNode);
      const last = chain[chain.length - 1] ?? '';
      const logs = LOG_NAMES.test(last) || chain.includes('console') || chain.some((c) => /logger|log$/i.test(c));
      return { logs, rethrows: false, returns: false, empty: !logs && /^(noop|ignore|swallow|ignoreError|doNothing)$/i.test(last) };
    }
    if (fnNode.type !== 'ArrowFunctionExpression' && fnNode.type !== 'FunctionExpression') return undefined;
    if (fnNode.body?.type === 'BlockStatement') {
      const info = catchInfo({ type: 'CatchClause', start: fnNode.start, end: fnNode.end, body: fnNode.body });
      return { logs: info.logs, rethrows: info.rethrows, returns: info.returns, empty: info.empty };
    }
    const body = unwrap(fnNode.body);
    if ((body.type === 'Identifier' && body.name === 'undefined') || (body.type === 'UnaryExpression' && body.operator === 'void')) return { logs: false, rethrows: false, returns: false, empty: true };
    const info = catchInfo({ type: 'CatchClause', start: fnNode.start, end: fnNode.end, body: { type: 'BlockStatement', start: body.start, end: body.end, body: [{ type: 'ExpressionStatement', start: body.start, end: body.end, expression: body }] } });
    const isLogCall = body.type === 'CallExpression' && info.logs;
    return { logs: info.logs, rethrows: info.rethrows, returns: !isLogCall && !info.rethrows, empty: false };
  };

  const visitStmt = (s: AstNode | null, ctx: Ctx): void => {
    if (!s) return;
    if (ctx.fnFact) ctx.fnFact.stats.statements++;
    switch (s.type) {
      case 'ExpressionStatement':
        visitExpr(s.expression, ctx, 'statement');
        return;
      case 'ReturnStatement':
        if (s.argument) {
          visitExpr(s.argument, ctx, 'return');
          noteObjectReturn(s.argument, ctx);
        }
        return;
      case 'VariableDeclaration':
        for (const d of s.declarations) {
          if (d.init) {
            const name = d.id.type === 'Identifier' ? d.id.name : undefined;
            if (name && (d.init.type === 'ArrowFunctionExpression' || d.init.type === 'FunctionExpression') && ctx.fn === '<module>') {
              // top-level handled in visitTopVar
              visitFunction(d.init, ctx, name, undefined);
              continue;
            }
            visitExpr(d.init, ctx, 'assign');
            if (ctx.fnFact && name) ctx.fnFact.locals[name] = summarize(d.init, { ...ctx, fnFact: undefined }, 3);
            if (ctx.fnFact && d.id.type === 'ObjectPattern') {
              const src = summarize(d.init, { ...ctx, fnFact: undefined }, 3);
              for (const p of d.id.properties) {
                const k = p.type === 'Property' ? propKey(p) : undefined;
                const local = p.type === 'Property' && p.value.type === 'Identifier' ? p.value.name : undefined;
                if (k && local) ctx.fnFact.locals[local] = { call: '.destructure', args: [src, k] };
              }
            }
          } else if (ctx.fnFact && d.id.type === 'Identifier' && !(d.id.name in ctx.fnFact.locals)) {
            // `let client;`: the name is this function's own, whatever the module binds to it
            ctx.fnFact.locals[d.id.name] = null;
          }
        }
        return;
      case 'IfStatement':
        visitExpr(s.test, ctx, 'other');
        visitStmt(s.consequent, { ...ctx, branch: `${ctx.branch ?? ''}/${s.start}:t` });
        visitStmt(s.alternate, { ...ctx, branch: `${ctx.branch ?? ''}/${s.start}:f` });
        return;
      case 'BlockStatement':
        visitAll(s.body, ctx);
        return;
      case 'TryStatement': {
        const info = s.handler ? catchInfo(s.handler) : undefined;
        if (info) facts.catches.push({ ...info, fn: ctx.fn, endLine: lineOf(s.handler.end) });
        // the catch body runs when the try body failed: its calls and the try body's are never both complete
        const blockCtx = info?.contains ? { ...ctx, tryCatch: info, branch: `${ctx.branch ?? ''}/${s.start}:try` } : { ...ctx, branch: `${ctx.branch ?? ''}/${s.start}:try` };
        visitAll(s.block.body, s.handler && !ctx.uniqueCaught && mentionsUnique(s.handler.body) ? { ...blockCtx, uniqueCaught: true } : blockCtx);
        if (s.handler) visitAll(s.handler.body.body, { ...ctx, branch: `${ctx.branch ?? ''}/${s.start}:catch` });
        if (s.finalizer) visitAll(s.finalizer.body, ctx);
        return;
      }
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement':
      case 'WhileStatement':
      case 'DoWhileStatement': {
        const retry = ctx.fnFact ? retryLoopOf(s, lineOf) : undefined;
        if (retry) (ctx.fnFact!.retryLoops ??= []).push(retry);
        const loopCtx: Ctx = { ...ctx, inLoop: true, loop: loopInfo(s, ctx) };
        if (s.init) s.init.type === 'VariableDeclaration' ? visitStmt(s.init, ctx) : visitExpr(s.init, ctx, 'other');
        if (s.test) visitExpr(s.test, loopCtx, 'other');
        if (s.update) visitExpr(s.update, loopCtx, 'other');
        if (s.right) visitExpr(s.right, ctx, 'other');
        visitStmt(s.body, loopCtx);
        return;
      }
      case 'SwitchStatement':
        visitExpr(s.discriminant, ctx, 'other');
        s.cases.forEach((c: AstNode, i: number) => visitAll(c.consequent, { ...ctx, branch: `${ctx.branch ?? ''}/${s.start}:c${i}` }));
        return;
      case 'ThrowStatement':
        visitExpr(s.argument, ctx, 'other');
        return;
      case 'LabeledStatement':
        visitStmt(s.body, ctx);
        return;
      case 'FunctionDeclaration':
        visitFunction(s, ctx, s.id?.name, undefined);
        return;
      case 'ClassDeclaration':
        visitClass(s, ctx, false);
        return;
      default:
        return;
    }
  };

  // ---------- expressions ----------
  const visitCall = (node: AstNode, ctx: Ctx, usage: Usage, caught: boolean, rejection?: RejectionHandler, chained?: boolean): void => {
    const { chain, root } = chainOf(node.callee);
    const last = chain[chain.length - 1];
    // promise chains: x().then(f).catch(g) — the inner call inherits the outer usage
    if (node.type === 'CallExpression' && node.callee.type === 'MemberExpression' && (last === 'catch' || last === 'then' || last === 'finally')) {
      const inner = unwrap(node.callee.object);
      const catches = last === 'catch' || (last === 'then' && node.arguments.length >= 2);
      for (const a of node.arguments) visitExpr(a, ctx, 'arg');
      if (inner.type === 'CallExpression' || inner.type === 'NewExpression') {
        visitCall(inner, ctx, usage, caught || catches, rejection ?? (catches ? rejectionInfo(node.arguments[last === 'catch' ? 0 : 1]) : undefined), true);
        return;
      }
      visitExpr(inner, ctx, 'other');
      return;
    }
    if (ctx.fnFact) {
      ctx.fnFact.stats.calls++;
      if (chain[0] === 'this') ctx.fnFact.stats.thisRefs++;
    }
    const order = (orderByFn.get(ctx.fn) ?? 0) + 1;
    orderByFn.set(ctx.fn, order);
    const calleeStr = root === 'call' ? '()' : chain.join('.');
    // built property by property, in this order (spreads of conditional literals are slow for the commonest fact)
    const call = {
      fn: ctx.fn, callee: chain, root, line: lineOf(node.start), endLine: lineOf(node.end), args: [], isNew: node.type === 'NewExpression',
      awaited: usage === 'await', returned: usage === 'return', floating: usage === 'statement' || usage === 'void', caught,
    } as unknown as CallFact;
    if (caught && rejection) call.rejection = rejection;
    if (usage === 'void') call.voided = true;
    if (chained) call.chained = true;
    call.tryCatch = ctx.tryCatch;
    call.inLoop = ctx.inLoop;
    call.inPromiseAllMap = ctx.inPromiseAllMap;
    call.inTransaction = ctx.inTransaction;
    call.order = order;
    if (ctx.branch) call.branch = ctx.branch;
    if ((ctx.inLoop || ctx.inPromiseAllMap) && ctx.loop) call.loop = ctx.loop;
    if (ctx.uniqueCaught) call.uniqueCaught = true;
    if (root === 'call') {
      const recv = receiverCallName(node.callee);
      if (recv) call.recv = recv;
    }
    facts.calls.push(call);
    // the callee object may itself contain calls: a.b().c(), new CronJob(spec, tick).start()
    if (root === 'call' || root === 'other' || root === 'new') visitCalleeObject(node.callee, ctx);
    const isPromiseAll = chain[0] === 'Promise' && (last === 'all' || last === 'allSettled' || last === 'race' || last === 'any');
    const isTx = last !== undefined && TX_CALLEES.has(last);
    const isLoopCb = last !== undefined && LOOP_CALLBACKS.has(last) && chain.length > 1;
    call.args = node.arguments.map((a: AstNode) => {
      const inner = unwrap(a);
      if (inner.type === 'ArrowFunctionExpression' || inner.type === 'FunctionExpression') {
        const cbCtx: Ctx = { ...ctx, inLoop: ctx.inLoop || isLoopCb, inTransaction: ctx.inTransaction || isTx };
        if (isLoopCb || (last !== undefined && LOOP_CALLBACKS.has(last) && node.callee.type === 'MemberExpression')) cbCtx.loop = { kind: 'callback', over: summarize(node.callee.object, ctx, 3), line: call.line };
        return { fn: visitFunction(inner, cbCtx, undefined, undefined, [], { call: calleeStr, line: call.line, argIndex: node.arguments.indexOf(a) }) } as Val;
      }
      if (inner.type === 'ObjectExpression' && ctx.fnFact) {
        // `runQuery({ [PRISMA]: () => relational(args), [CLICKHOUSE]: () => clickhouse(args) })`, `withRetry({ task: () => send() })`:
        // the callee may run any function the object carries, as it would a callback argument
        const cbCtx: Ctx = { ...ctx, inTransaction: ctx.inTransaction || isTx };
        const argIndex = node.arguments.indexOf(a);
        for (const p of inner.properties) {
          if (p.type !== 'Property' || (p.value?.type !== 'ArrowFunctionExpression' && p.value?.type !== 'FunctionExpression')) continue;
          visitFunction(p.value, cbCtx, propKey(p), undefined, [], undefined, { call: calleeStr, line: call.line, argIndex, prop: propKey(p) ?? '?' });
        }
      }
      if (isPromiseAll && inner.type === 'CallExpression') {
        const ic = chainOf(inner.callee).chain;
        if (ic[ic.length - 1] === 'map') {
          visitCall(inner, { ...ctx, inPromiseAllMap: true }, 'arg', false);
          return summarizeShallow(inner);
        }
      }
      if (isPromiseAll && last === 'race' && inner.type === 'ArrayExpression') {
        // `Promise.race([fetch(url), new Promise((r) => setTimeout(r, 150))])`: the caller waits no longer than the timer
        const delay = inner.elements.map((e: AstNode | null) => (e ? timerDelay(e) : undefined)).find((d: AstNode | undefined) => d !== undefined);
        if (delay) {
          const limit = summarize(delay, ctx);
          for (const e of inner.elements) {
            if (!e) continue;
            const from = facts.calls.length;
            visitExpr(e, ctx, 'other');
            if (timerDelay(e) === undefined) for (let i = from; i < facts.calls.length; i++) facts.calls[i].racedTimeout = limit;
          }
          return { unknown: 'array' } as Val;
        }
      }
      if (isTx && inner.type === 'ArrayExpression') {
        for (const e of inner.elements) if (e) visitExpr(e, { ...ctx, inTransaction: true }, 'arg');
        return { unknown: 'array' } as Val;
      }
      visitExpr(a, ctx, usage === 'await' && isPromiseAll ? 'await' : 'arg');
      return summarize(a, ctx);
    });
  };

  const summarizeShallow = (node: AstNode): Val => {
    const { chain } = chainOf(node.callee);
    return { call: chain.join('.'), args: [] };
  };

  const visitCalleeObject = (callee: AstNode, ctx: Ctx) => {
    let cur = callee;
    while (cur && (cur.type === 'MemberExpression' || cur.type === 'TSNonNullExpression' || cur.type === 'ChainExpression' || cur.type === 'ParenthesizedExpression')) {
      cur = cur.type === 'MemberExpression' ? cur.object : cur.expression;
    }
    if (cur && cur.type !== 'Identifier' && cur.type !== 'ThisExpression') visitExpr(cur, ctx, 'other');
  };

  const visitExpr = (node: AstNode | null | undefined, ctx: Ctx, usage: Usage): void => {
    if (!node) return;
    switch (node.type) {
      case 'CallExpression':
      case 'NewExpression':
        visitCall(node, ctx, usage, false);
        return;
      case 'AwaitExpression':
        if (ctx.fnFact) ctx.fnFact.stats.awaits++;
        visitExpr(node.argument, ctx, 'await');
        return;
      case 'UnaryExpression':
        visitExpr(node.argument, ctx, node.operator === 'void' && usage === 'statement' ? 'void' : 'other');
        return;
      case 'ChainExpression':
      case 'ParenthesizedExpression':
      case 'TSAsExpression':
      case 'TSSatisfiesExpression':
      case 'TSNonNullExpression':
      case 'TSTypeAssertion':
        visitExpr(node.expression, ctx, usage);
        return;
      case 'ArrowFunctionExpression':
      case 'FunctionExpression':
        visitFunction(node, ctx, undefined, undefined);
        return;
      case 'ClassExpression':
        visitClass(node, ctx, false);
        return;
      case 'AssignmentExpression':
        if (ctx.fnFact && node.left.type === 'MemberExpression') ctx.fnFact.stats.assignsOuter = true;
        if (node.left.type === 'Identifier') nameWrites.push({ name: node.left.name, operator: node.operator, right: node.right, ctx, line: lineOf(node.start) });
        visitExpr(node.right, ctx, 'assign');
        return;
      case 'ThisExpression':
        if (ctx.fnFact) ctx.fnFact.stats.thisRefs++;
        return;
      case 'ConditionalExpression':
        visitExpr(node.test, ctx, 'other');
        visitExpr(node.consequent, { ...ctx, branch: `${ctx.branch ?? ''}/${node.start}:t` }, usage);
        visitExpr(node.alternate, { ...ctx, branch: `${ctx.branch ?? ''}/${node.start}:f` }, usage);
        return;
      case 'MemberExpression': {
        const env = envName(node);
        if (env) {
          facts.envReads.push({ name: env, line: lineOf(node.start) });
          return;
        }
        visitExpr(node.object, ctx, 'other');
        if (node.computed) visitExpr(node.property, ctx, 'other');
        return;
      }
      case 'LogicalExpression': {
        const env = envName(unwrap(node.left));
        if (env) {
          facts.envReads.push({ name: env, line: lineOf(node.start), default: summarize(node.right, ctx) });
          visitExpr(node.right, ctx, 'other');
          return;
        }
        visitExpr(node.left, ctx, usage === 'return' ? 'return' : 'other');
        visitExpr(node.right, ctx, usage === 'return' ? 'return' : 'other');
        return;
      }
      case 'TemplateLiteral':
        recordSql(node);
        for (const e of node.expressions) visitExpr(e, ctx, 'other');
        return;
      case 'Literal':
        if (typeof node.value === 'string') recordSql(node);
        return;
      case 'TaggedTemplateExpression':
        visitExpr(node.tag, ctx, 'other');
        // a tagged template is a call of the tag: record it so $queryRaw`...` is visible
        {
          const { chain } = chainOf(node.tag);
          const order = (orderByFn.get(ctx.fn) ?? 0) + 1;
          orderByFn.set(ctx.fn, order);
          if (ctx.fnFact) ctx.fnFact.stats.calls++;
          facts.calls.push({
            fn: ctx.fn, callee: chain, line: lineOf(node.start), endLine: lineOf(node.end), args: [{ unknown: 'tagged-template' }], isNew: false,
            awaited: usage === 'await', returned: usage === 'return', floating: usage === 'statement', caught: false, tryCatch: ctx.tryCatch,
            inLoop: ctx.inLoop, inPromiseAllMap: ctx.inPromiseAllMap, inTransaction: ctx.inTransaction, order,
            ...((ctx.inLoop || ctx.inPromiseAllMap) && ctx.loop ? { loop: ctx.loop } : {}), ...(ctx.uniqueCaught ? { uniqueCaught: true } : {}),
            template: node.quasi.quasis.map((q: AstNode) => q.value.cooked ?? q.value.raw).join('${}').slice(0, 20_000),
          });
        }
        for (const e of node.quasi.expressions) visitExpr(e, ctx, 'other');
        return;
      default:
        for (const key in node) {
          if (key === 'type' || key === 'start' || key === 'end' || key === 'typeAnnotation' || key === 'typeArguments') continue;
          const v = node[key];
          if (Array.isArray(v)) {
            for (const item of v) if (item && typeof item.type === 'string') visitExprOrProp(item, ctx);
          } else if (v && typeof v.type === 'string') visitExprOrProp(v, ctx);
        }
    }
  };

  const visitExprOrProp = (n: AstNode, ctx: Ctx) => {
    if (n.type === 'Property') {
      if (n.value?.type === 'FunctionExpression' || n.value?.type === 'ArrowFunctionExpression') {
        visitFunction(n.value, ctx, propKey(n), undefined);
        return;
      }
      visitExpr(n.value, ctx, 'other');
      return;
    }
    if (n.type === 'SpreadElement') return visitExpr(n.argument, ctx, 'other');
    if (n.type === 'TemplateElement') return;
    visitExpr(n, ctx, 'other');
  };

  const recordSql = (node: AstNode) => {
    const text = node.type === 'Literal' ? String(node.value) : node.quasis.map((q: AstNode) => q.value.cooked ?? q.value.raw).join('${}');
    if (text.length >= 20 && SQL_START.test(text)) facts.sqlStrings.push({ line: lineOf(node.start), text: text.slice(0, 200_000) });
  };

  // ---------- classes ----------
  function visitClass(node: AstNode, ctx: Ctx, exported: boolean): void {
    const name = node.id?.name ?? `<class>@${lineOf(node.start)}`;
    const cls: ClassFact = {
      name, line: lineOf(node.start), endLine: lineOf(node.end), exported, superClass: node.superClass ? chainOf(node.superClass).chain.join('.') : undefined,
      implements: (node.implements ?? []).map((i: AstNode) => qualified(i.expression ?? i.id) ?? '?'),
      decorators: decoratorsOf(node, ctx), ctorParams: [], props: [], methods: [],
    };
    const sup = node.superClass ? unwrap(node.superClass) : undefined;
    if (sup?.type === 'CallExpression') {
      const callee = chainOf(sup.callee);
      if (!callee.root) cls.superCall = { callee: callee.chain.join('.'), args: sup.arguments.map((a: AstNode) => summarize(a, ctx, 3)) };
    }
    facts.classes.push(cls);
    const classCtx: Ctx = { ...ctx, className: name };
    for (const m of node.body.body) {
      // an overload signature (`static findByPk(id): Promise<Document>;` before the implementation) has no code
      if (m.type === 'MethodDefinition' && !m.value?.body) continue;
      if (m.type === 'MethodDefinition' || m.type === 'TSAbstractMethodDefinition') {
        const key = propKey(m) ?? '?';
        if (key === 'constructor') {
          cls.ctorParams = paramsOf(m.value.params, ctx);
          const id = visitFunction(m.value, classCtx, 'constructor', name);
          cls.methods.push(id);
          // this.x = new Foo() in constructors: record as props
          for (const st of m.value.body?.body ?? []) {
            const e = st.type === 'ExpressionStatement' ? st.expression : undefined;
            if (e?.type === 'AssignmentExpression' && e.left.type === 'MemberExpression' && e.left.object.type === 'ThisExpression' && e.left.property.type === 'Identifier') {
              cls.props.push({ name: e.left.property.name, init: summarize(e.right, classCtx), line: lineOf(st.start), decorators: [] });
            }
          }
          continue;
        }
        const id = visitFunction(m.value, classCtx, key, name, decoratorsOf(m, ctx), undefined, undefined, m.kind === 'get');
        cls.methods.push(id);
      } else if (m.type === 'PropertyDefinition' || m.type === 'AccessorProperty') {
        const key = propKey(m) ?? '?';
        const v = m.value ? unwrap(m.value) : undefined;
        if (v && (v.type === 'ArrowFunctionExpression' || v.type === 'FunctionExpression')) {
          const id = visitFunction(v, classCtx, key, name, decoratorsOf(m, ctx));
          cls.methods.push(id);
          continue;
        }
        if (v) visitExpr(v, classCtx, 'assign');
        cls.props.push({ name: key, type: typeName(m.typeAnnotation), init: v ? summarize(v, classCtx) : undefined, line: lineOf(m.start), decorators: decoratorsOf(m, ctx) });
      } else if (m.type === 'StaticBlock') {
        visitAll(m.body, classCtx);
      }
    }
  }

  // ---------- module level ----------
  const moduleCtx: Ctx = { fn: '<module>', inLoop: false, inPromiseAllMap: false, inTransaction: false };

  const visitTopVar = (decl: AstNode, exported: boolean) => {
    for (const d of decl.declarations) {
      if (d.id.type === 'ObjectPattern' && d.init) {
        const init = unwrap(d.init);
        if (init.type === 'CallExpression' && init.callee.type === 'Identifier' && init.callee.name === 'require' && init.arguments[0]?.type === 'Literal') {
          facts.imports.push({
            source: String(init.arguments[0].value), line: lineOf(d.start), typeOnly: false, require: true,
            names: d.id.properties.filter((p: AstNode) => p.type === 'Property').map((p: AstNode) => ({ imported: propKey(p) ?? '?', local: p.value.type === 'Identifier' ? p.value.name : '?' })),
          });
          continue;
        }
        visitExpr(d.init, moduleCtx, 'assign');
        // `export const { GET, POST } = handlers`: the names are exports (Next.js route handlers, next-auth)
        if (exported) {
          const src = summarize(d.init, moduleCtx);
          for (const p of d.id.properties) {
            const k = p.type === 'Property' ? propKey(p) : undefined;
            const local = p.type === 'Property' && p.value.type === 'Identifier' ? p.value.name : undefined;
            if (!k || !local) continue;
            facts.vars.push({ name: local, line: lineOf(p.start), exported: true, kind: decl.kind, init: { call: '.destructure', args: [src, k] } });
            facts.exports[local] = local;
          }
        }
        continue;
      }
      if (d.id.type !== 'Identifier') {
        if (d.init) visitExpr(d.init, moduleCtx, 'assign');
        continue;
      }
      const name = d.id.name;
      const init = d.init ? unwrap(d.init) : undefined;
      if (init && init.type === 'CallExpression' && init.callee.type === 'Identifier' && init.callee.name === 'require' && init.arguments[0]?.type === 'Literal') {
        facts.imports.push({ source: String(init.arguments[0].value), line: lineOf(d.start), typeOnly: false, require: true, names: [{ imported: 'default', local: name }] });
        continue;
      }
      const v: VarFactInit = { name, line: lineOf(d.start), exported, kind: decl.kind, init: undefined };
      if (init && (init.type === 'ArrowFunctionExpression' || init.type === 'FunctionExpression')) {
        v.init = { fn: visitFunction(init, moduleCtx, name, undefined) };
      } else if (init) {
        if (init.type === 'ObjectExpression') {
          // object of methods: `export const userController = { async list() {} }`
          const obj: Record<string, Val> = {};
          for (const p of init.properties) {
            const k = p.type === 'Property' ? propKey(p) : undefined;
            if (!k) continue;
            const pv = unwrap(p.value);
            if (pv.type === 'FunctionExpression' || pv.type === 'ArrowFunctionExpression') obj[k] = { fn: visitFunction(pv, moduleCtx, `${name}.${k}`, undefined) };
            else {
              visitExpr(p.value, moduleCtx, 'assign');
              obj[k] = summarize(p.value, moduleCtx);
            }
          }
          v.init = { obj };
        } else {
          visitExpr(init, moduleCtx, 'assign');
          v.init = summarize(init, moduleCtx);
        }
      }
      facts.vars.push(v);
      if (exported) facts.exports[name] = name;
    }
  };

  type VarFactInit = FileFacts['vars'][number];

  /**
   * `enum KAFKA_EVENTS { user_created = 'user_created' }`: a constant object of its members, so
   * `@EventPattern(KAFKA_EVENTS.user_created)` or `new Queue(Queues.Emails)` reads the value. Members
   * without an initializer count up from the previous number, as TypeScript numbers them; a
   * computed member leaves the rest unknown.
   */
  const visitEnum = (e: AstNode, exported: boolean) => {
    const name = e.id?.name;
    if (!name || e.declare) return;
    const members: Record<string, Val> = {};
    let next: number | undefined = 0;
    for (const m of e.body?.members ?? e.members ?? []) {
      const key = m.id?.type === 'Identifier' ? m.id.name : typeof m.id?.value === 'string' ? m.id.value : undefined;
      if (key === undefined) continue;
      const init = m.initializer ? unwrap(m.initializer) : undefined;
      let value: Val;
      if (!init) value = next ?? { unknown: 'enum' };
      else if (init.type === 'Literal' && (typeof init.value === 'string' || typeof init.value === 'number')) value = init.value;
      else value = { unknown: 'enum' };
      members[key] = value;
      next = typeof value === 'number' ? value + 1 : undefined;
    }
    facts.vars.push({ name, line: lineOf(e.start), exported, kind: 'const', init: { obj: members } });
    if (exported) facts.exports[name] = name;
  };

  /**
   * `module.exports = { db, pgp, list() {...} }`: each key is a named export (what
   * `const { db } = require('./db')` imports) and the object is the default (`require('./db').db`).
   */
  const visitExportsObject = (obj: AstNode, line: number) => {
    const members: Record<string, Val> = {};
    for (const p of obj.properties) {
      const k = p.type === 'Property' ? propKey(p) : undefined;
      if (!k) {
        if (p.type === 'SpreadElement') visitExpr(p.argument, moduleCtx, 'other');
        continue;
      }
      const value = unwrap(p.value);
      if (value.type === 'Identifier') {
        members[k] = { ref: value.name };
        facts.exports[k] ??= value.name;
      } else if (value.type === 'ArrowFunctionExpression' || value.type === 'FunctionExpression') {
        const id = visitFunction(value, moduleCtx, k, undefined);
        members[k] = { fn: id };
        facts.exports[k] ??= id;
      } else {
        visitExpr(p.value, moduleCtx, 'assign');
        members[k] = summarize(p.value, moduleCtx);
      }
    }
    if (facts.vars.some((v) => v.name === 'default')) return;
    facts.vars.push({ name: 'default', line, exported: true, kind: 'const', init: { obj: members } });
    facts.exports.default = 'default';
  };

  /**
   * `exports.db = new Pool()`, `module.exports.queue = createQueue()`: kept like `export const db = ...`,
   * a var of that name holding the value (a required module is re-exported). Not when the module
   * has a binding of that name already (it would shadow it) or exports the name otherwise.
   */
  const exportValue = (name: string, value: AstNode, s: AstNode) => {
    if (facts.vars.some((v) => v.name === name) || Object.prototype.hasOwnProperty.call(facts.exports, name)) return;
    // `module.exports.User = require('./user.model')` is `export { default as User } from './user.model'`
    if (value.type === 'CallExpression' && value.callee.type === 'Identifier' && value.callee.name === 'require' && value.arguments.length === 1 && value.arguments[0].type === 'Literal' && typeof value.arguments[0].value === 'string') {
      facts.reexports.push({ source: value.arguments[0].value, line: lineOf(s.start), names: [{ imported: 'default', exported: name }] });
      return;
    }
    facts.vars.push({ name, line: lineOf(s.start), exported: true, kind: 'const', init: summarize(value, moduleCtx) });
    facts.exports[name] = name;
  };

  const visitTop = (s: AstNode) => {
    switch (s.type) {
      case 'ImportDeclaration': {
        const names = (s.specifiers ?? []).map((sp: AstNode) => ({
          imported: sp.type === 'ImportDefaultSpecifier' ? 'default' : sp.type === 'ImportNamespaceSpecifier' ? '*' : sp.imported.name ?? sp.imported.value,
          local: sp.local.name,
        }));
        facts.imports.push({ source: s.source.value, line: lineOf(s.start), typeOnly: s.importKind === 'type', names });
        return;
      }
      case 'ExportNamedDeclaration': {
        if (s.source) {
          facts.reexports.push({ source: s.source.value, line: lineOf(s.start), names: s.specifiers.map((sp: AstNode) => ({ imported: sp.local.name ?? sp.local.value, exported: sp.exported.name ?? sp.exported.value })) });
          return;
        }
        const d = s.declaration;
        if (d) {
          if (d.type === 'ClassDeclaration') {
            visitClass(d, moduleCtx, true);
            facts.exports[d.id.name] = d.id.name;
          } else if (d.type === 'FunctionDeclaration') {
            const id = visitFunction(d, moduleCtx, d.id?.name, undefined);
            const f = facts.functions.find((x) => x.id === id);
            if (f) f.exported = true;
            facts.exports[d.id.name] = d.id.name;
          } else if (d.type === 'VariableDeclaration') visitTopVar(d, true);
          else if (d.type === 'TSEnumDeclaration') visitEnum(d, true);
        }
        for (const sp of s.specifiers ?? []) facts.exports[sp.exported.name ?? sp.exported.value] = sp.local.name ?? sp.local.value;
        return;
      }
      case 'ExportDefaultDeclaration': {
        const d = s.declaration;
        // `export default interface AuthRepository {}`: a type, no value to link
        if (d.type === 'TSInterfaceDeclaration') return;
        if (d.type === 'ClassDeclaration' || d.type === 'ClassExpression') {
          visitClass(d, moduleCtx, true);
          facts.exports.default = d.id?.name ?? `<class>@${lineOf(d.start)}`;
        } else if (d.type === 'FunctionDeclaration' || d.type === 'FunctionExpression' || d.type === 'ArrowFunctionExpression') {
          const id = visitFunction(d, moduleCtx, d.id?.name ?? 'default', undefined);
          facts.exports.default = id;
        } else if (d.type === 'Identifier') {
          facts.exports.default = d.name;
        } else {
          facts.vars.push({ name: 'default', line: lineOf(s.start), exported: true, kind: 'const', init: summarize(d, moduleCtx) });
          visitExpr(d, moduleCtx, 'assign');
          facts.exports.default = 'default';
        }
        return;
      }
      case 'ExportAllDeclaration':
        facts.reexports.push({ source: s.source.value, line: lineOf(s.start), names: s.exported ? [{ imported: '*', exported: s.exported.name }] : undefined });
        return;
      case 'TSExportAssignment':
        if (s.expression.type === 'Identifier') facts.exports.default = s.expression.name;
        return;
      case 'ClassDeclaration':
        visitClass(s, moduleCtx, false);
        return;
      case 'FunctionDeclaration':
        visitFunction(s, moduleCtx, s.id?.name, undefined);
        return;
      case 'VariableDeclaration':
        visitTopVar(s, false);
        return;
      case 'TSEnumDeclaration':
        visitEnum(s, false);
        return;
      case 'ExpressionStatement': {
        // module.exports = x / module.exports.y = z
        const e = s.expression;
        if (e.type === 'AssignmentExpression' && e.left.type === 'MemberExpression') {
          const { chain } = chainOf(e.left);
          if (chain[0] === 'module' && chain[1] === 'exports') {
            const r = unwrap(e.right);
            const exportedName = chain[2] ?? 'default';
            if (r.type === 'Identifier') facts.exports[exportedName] = r.name;
            else if (r.type === 'ArrowFunctionExpression' || r.type === 'FunctionExpression') facts.exports[exportedName] = visitFunction(r, moduleCtx, exportedName, undefined);
            else if (exportedName === 'default' && r.type === 'ObjectExpression') visitExportsObject(r, lineOf(s.start));
            else {
              visitExpr(r, moduleCtx, 'assign');
              // `module.exports = fp(plugin)`: kept like `export default fp(plugin)`, a 'default' var holding the call
              if (exportedName === 'default' && r.type === 'CallExpression') exportValue('default', r, s);
              else if (exportedName !== 'default' && chain.length === 3) exportValue(exportedName, r, s);
            }
            return;
          }
          if (chain[0] === 'exports' && chain[1]) {
            const r = unwrap(e.right);
            if (r.type === 'Identifier') facts.exports[chain[1]] = r.name;
            else if (r.type === 'ArrowFunctionExpression' || r.type === 'FunctionExpression') facts.exports[chain[1]] = visitFunction(r, moduleCtx, chain[1], undefined);
            else if (chain.length === 2) {
              visitExpr(r, moduleCtx, 'assign');
              exportValue(chain[1], r, s);
            }
            return;
          }
        }
        visitStmt(s, moduleCtx);
        return;
      }
      default:
        visitStmt(s, moduleCtx);
    }
  };

  /**
   * A module binding declared empty and filled once elsewhere in the module, a lazy client
   * (`let producer; async function connect() { producer = kafka.producer() }`): the write is kept
   * as the binding's fill, summarized where it happens so the linker reads `kafka` in connect's
   * scope. Two writes, a compound write (`+=`), or a write that makes nothing leaves it unknown; a
   * write in a function with its own binding of the name is not to the module's; clearing writes
   * (`producer = undefined` on disconnect) do not count.
   */
  const noteModuleFills = () => {
    const empty = facts.vars.filter((v) => v.kind !== 'const' && (v.init === undefined || v.init === null || (typeof v.init === 'object' && v.init && 'ref' in v.init && v.init.ref === 'undefined')));
    if (!empty.length || !nameWrites.length) return;
    const fnById = new Map(facts.functions.map((f) => [f.id, f]));
    const shadows = (fact: FunctionFact | undefined, name: string): boolean => {
      for (let cur = fact; cur; cur = cur.parent ? fnById.get(cur.parent) : undefined) if (name in cur.locals || cur.params.some((p) => p.name === name)) return true;
      return false;
    };
    for (const v of empty) {
      let fill: (typeof nameWrites)[number] | undefined;
      let made: AstNode | undefined;
      let unknown = false;
      for (const w of nameWrites) {
        if (w.name !== v.name || shadows(w.ctx.fnFact, v.name)) continue;
        const value = FILLING.has(w.operator) ? valueOf(w.right) : undefined;
        if (value && isNullish(value)) continue;
        const maker = value ? madeBy(value) : undefined;
        if (!maker || fill) unknown = true;
        else [fill, made] = [w, maker];
      }
      if (fill && made && !unknown) v.fill = { fn: fill.ctx.fn, line: fill.line, value: summarize(made, { ...fill.ctx, fnFact: undefined }, 3) };
    }
  };

  for (const s of program.body) visitTop(s);
  noteModuleFills();
  return facts;
}

/**
 * The expression that makes what a write stores: `new X()` or a call, also as the operand a
 * `&&`/`||`/`??` yields when it makes something (`kafka = enabled && (globalThis[KEY] || getClient())`,
 * where the cache holds what the call made).
 */
function madeBy(n: AstNode): AstNode | undefined {
  const u = valueOf(n);
  if (u.type === 'NewExpression' || u.type === 'CallExpression') return u;
  if (u.type === 'LogicalExpression') return madeBy(u.right) ?? (u.operator === '&&' ? undefined : madeBy(u.left));
  return undefined;
}

/**
 * The delay of a timer promise, as raced against a call: `new Promise((resolve) => setTimeout(resolve, 150))`,
 * `new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), ms))`, `sleep(5000)` /
 * `delay(ms)` / `timeout(ms)`, or `setTimeout(ms)` from node:timers/promises. Undefined for anything else.
 */
function timerDelay(n: AstNode): AstNode | undefined {
  const u = unwrap(n);
  if (u.type === 'NewExpression' && unwrap(u.callee).type === 'Identifier' && unwrap(u.callee).name === 'Promise') {
    const executor = u.arguments[0] ? unwrap(u.arguments[0]) : undefined;
    if (!executor || (executor.type !== 'ArrowFunctionExpression' && executor.type !== 'FunctionExpression')) return undefined;
    const body = executor.body.type === 'BlockStatement' ? executor.body.body : [{ type: 'ExpressionStatement', expression: executor.body }];
    if (body.length !== 1 || body[0].type !== 'ExpressionStatement') return undefined;
    const call = unwrap(body[0].expression);
    const timer = call.type === 'CallExpression' ? unwrap(call.callee) : undefined;
    const isSetTimeout = timer?.type === 'Identifier' ? timer.name === 'setTimeout' : timer?.type === 'MemberExpression' && !timer.computed && timer.property.name === 'setTimeout';
    return isSetTimeout && call.arguments.length >= 2 ? call.arguments[1] : undefined;
  }
  if (u.type === 'CallExpression' && unwrap(u.callee).type === 'Identifier' && u.arguments.length >= 1) {
    const name = unwrap(u.callee).name;
    const first = unwrap(u.arguments[0]);
    if (/^(sleep|delay|wait|timeout|timeoutAfter|rejectAfter)$/i.test(name)) return u.arguments[0];
    if (name === 'setTimeout' && first.type !== 'ArrowFunctionExpression' && first.type !== 'FunctionExpression' && first.type !== 'Identifier') return u.arguments[0];
  }
  return undefined;
}

/** A statement that always leaves the enclosing block: return, throw, or a block ending in one. */
function alwaysExits(s: AstNode | null | undefined): boolean {
  if (!s) return false;
  if (s.type === 'ReturnStatement' || s.type === 'ThrowStatement') return true;
  if (s.type === 'BlockStatement') return s.body.length > 0 && alwaysExits(s.body[s.body.length - 1]);
  if (s.type === 'IfStatement') return !!s.alternate && alwaysExits(s.consequent) && alwaysExits(s.alternate);
  return false;
}

/** `getQueue().add(job)`: the plain name whose call result the call is made on. */
function receiverCallName(callee: AstNode): string | undefined {
  let cur: AstNode | undefined = callee;
  while (cur && cur.type !== 'CallExpression') cur = cur.type === 'MemberExpression' ? cur.object : cur.type === 'AwaitExpression' ? cur.argument : cur.expression;
  const fn = cur ? unwrap(cur.callee) : undefined;
  if (fn?.type === 'Identifier') return fn.name;
  // `TraceUpsertQueue.getInstance()?.add(job)`: a static factory of a class (one member of a name)
  if (fn?.type === 'MemberExpression' && !fn.computed && fn.object.type === 'Identifier' && fn.property.type === 'Identifier') return `${fn.object.name}.${fn.property.name}`;
  return undefined;
}

/** Assignments that put their right side into the name: `client = new Redis()`, `client ??= new Redis()`. */
const FILLING = new Set(['=', '??=', '||=']);

/** `return queue`, `return (client ??= new Redis())`: the name a return statement hands back. */
function returnedName(arg: AstNode): string | undefined {
  const n = unwrap(arg);
  if (n.type === 'Identifier') return n.name;
  if (n.type === 'AssignmentExpression' && n.left.type === 'Identifier' && FILLING.has(n.operator)) return n.left.name;
  return undefined;
}

/** Cheap pre-check before madeInto walks the body: a local whose initializer is a literal, a computed call or anything but `new` or a call is not made here. */
function mayBeMade(fact: FunctionFact, name: string): boolean {
  if (fact.params.some((p) => p.name === name)) return false;
  if (!(name in fact.locals)) return true;
  const init = fact.locals[name];
  return init === null || (typeof init === 'object' && ('new' in init || ('call' in init && /^[\w$]+(\.[\w$]+)*$/.test(init.call)) || ('ref' in init && init.ref === 'undefined')));
}

/**
 * The one `new X(...)`, call of a plain name (`createQueue(...)`, checked by the linker) or unawaited
 * member call (`kafka.producer()`, see isMemberCall) that function `fnNode` writes into `name` in its
 * own body, when nothing else is: a parameter, a second write, a write from anything else (`res = await axios.get(...)`),
 * a loop or catch binding, or a write from a nested function leaves it unknown. Null and undefined
 * writes (`client = null` on close, `let client;`) do not count.
 */
function madeInto(fnNode: AstNode, name: string): { node: AstNode; awaited: boolean } | undefined {
  if ((fnNode.params ?? []).some((p: AstNode) => bindsName(p, name))) return undefined;
  let made: { node: AstNode; awaited: boolean } | undefined;
  let unknown = false;
  const fill = (v: AstNode | null | undefined) => {
    const u = v ? valueOf(v) : undefined;
    if (!u || isNullish(u)) return;
    const awaited = unwrap(v!).type === 'AwaitExpression';
    if (made || !(makes(u) || (isMemberCall(u) && !awaited))) unknown = true;
    else made = { node: u, awaited };
  };
  const scan = (n: any, nested: boolean): void => {
    if (unknown || !n || typeof n !== 'object') return;
    if (Array.isArray(n)) {
      for (const x of n) scan(x, nested);
      return;
    }
    if (typeof n.type !== 'string') return;
    const inner = nested || (n !== fnNode && (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression'));
    if (n.type === 'VariableDeclarator' && !inner) {
      if (n.id.type === 'Identifier' && n.id.name === name) fill(n.init);
      else if (bindsName(n.id, name)) unknown = true;
    } else if (n.type === 'AssignmentExpression') {
      if (n.left.type === 'Identifier' && n.left.name === name) {
        if (inner || !FILLING.has(n.operator)) unknown = true;
        else fill(n.right);
      } else if (bindsName(n.left, name)) unknown = true;
    } else if (n.type === 'UpdateExpression' && n.argument.type === 'Identifier' && n.argument.name === name) unknown = true;
    else if ((n.type === 'ForOfStatement' || n.type === 'ForInStatement') && (bindsName(n.left, name) || n.left.declarations?.some((d: AstNode) => bindsName(d.id, name)))) unknown = true;
    else if (n.type === 'CatchClause' && !inner && bindsName(n.param, name)) unknown = true;
    else if ((n.type === 'FunctionDeclaration' || n.type === 'ClassDeclaration') && n !== fnNode && !nested && n.id?.name === name) unknown = true;
    for (const k in n) if (k !== 'type' && k !== 'start' && k !== 'end') scan(n[k], inner);
  };
  scan(fnNode.body, false);
  return unknown ? undefined : made;
}

/** A value that makes something: `new X(...)`, or a call of a plain name (a factory, if the linker finds one). */
function makes(n: AstNode): boolean {
  return n.type === 'NewExpression' || (n.type === 'CallExpression' && unwrap(n.callee).type === 'Identifier');
}

/**
 * `kafka.producer()`, `axios.create(opts)`, `client.duplicate()`: a call on a named object made without
 * waiting, which is how a client makes a client. An awaited one (`await db.query(sql)`,
 * `await axios.get(url)`) gives data, which a factory returning it does not make.
 */
function isMemberCall(n: AstNode): boolean {
  if (n.type !== 'CallExpression') return false;
  let cur = unwrap(n.callee);
  if (cur.type !== 'MemberExpression' || cur.computed) return false;
  while (cur.type === 'MemberExpression' && !cur.computed) cur = unwrap(cur.object);
  return cur.type === 'Identifier' || cur.type === 'ThisExpression';
}

function isNullish(n: AstNode): boolean {
  return (n.type === 'Literal' && n.value === null && !n.regex) || (n.type === 'Identifier' && n.name === 'undefined') || (n.type === 'UnaryExpression' && n.operator === 'void');
}

function valueOf(n: AstNode): AstNode {
  let cur = unwrap(n);
  while (cur.type === 'AwaitExpression') cur = unwrap(cur.argument);
  return cur;
}

/** Does a binding pattern (a parameter, a declarator or an assignment target) bind `name`? */
function bindsName(p: AstNode | null | undefined, name: string): boolean {
  if (!p) return false;
  switch (p.type) {
    case 'Identifier':
      return p.name === name;
    case 'TSParameterProperty':
      return bindsName(p.parameter, name);
    case 'AssignmentPattern':
      return bindsName(p.left, name);
    case 'RestElement':
      return bindsName(p.argument, name);
    case 'ArrayPattern':
      return p.elements.some((e: AstNode | null) => bindsName(e, name));
    case 'ObjectPattern':
      return p.properties.some((q: AstNode) => bindsName(q.type === 'RestElement' ? q : q.value, name));
    default:
      return false;
  }
}

function unwrap(n: AstNode): AstNode {
  while (n && (n.type === 'TSAsExpression' || n.type === 'TSSatisfiesExpression' || n.type === 'TSNonNullExpression' || n.type === 'ParenthesizedExpression' || n.type === 'TSTypeAssertion')) n = n.expression;
  return n;
}

function propKey(p: AstNode): string | undefined {
  if (p.computed) return p.key?.type === 'Literal' ? String(p.key.value) : undefined;
  if (!p.key) return undefined;
  if (p.key.type === 'Identifier' || p.key.type === 'PrivateIdentifier') return p.key.name;
  if (p.key.type === 'Literal') return String(p.key.value);
  return undefined;
}

function qualified(n: AstNode | undefined): string | undefined {
  if (!n) return undefined;
  if (n.type === 'Identifier') return n.name;
  if (n.type === 'TSQualifiedName') return `${qualified(n.left)}.${n.right.name}`;
  if (n.type === 'MemberExpression') return `${qualified(n.object)}.${n.property.name}`;
  return undefined;
}
