// Recognises retry loops and backoff arithmetic in one AST node, for extract.ts.
// A retry loop is a for/while/do loop whose body has a try block that makes an
// awaited (or returned) call and leaves the loop on success (return/break); the
// catch lets the loop go round again, usually after a sleep. Pure: no facts are
// written here, the caller stores what these functions return.
import type { RetryLoopFact, Val } from './facts.js';

type AstNode = { type: string; start: number; end: number; [k: string]: any };

const SLEEP_NAMES = /^(sleep|delay|wait|pause|timeout|setTimeout|waitFor|(sleep|delay|wait|pause)[A-Z]\w*)$/;
const FUNCTION_TYPES = new Set(['FunctionExpression', 'ArrowFunctionExpression', 'FunctionDeclaration', 'ClassDeclaration', 'ClassExpression']);
const LOOP_TYPES = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);
const COMPARE = new Set(['<', '<=', '>', '>=', '===', '==']);

function unwrap(n: AstNode): AstNode {
  while (n && (n.type === 'TSAsExpression' || n.type === 'TSSatisfiesExpression' || n.type === 'TSNonNullExpression' || n.type === 'ParenthesizedExpression' || n.type === 'TSTypeAssertion' || n.type === 'ChainExpression')) n = n.expression;
  return n;
}

/** Visits every node under `node` except the bodies of nested functions (and, optionally, nested loops/switches). */
function walk(node: any, visit: (n: AstNode) => void, skip?: (n: AstNode) => boolean): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const x of node) walk(x, visit, skip);
    return;
  }
  if (typeof node.type !== 'string') return;
  visit(node);
  if (FUNCTION_TYPES.has(node.type) || skip?.(node)) return;
  for (const k in node) {
    if (k === 'type' || k === 'start' || k === 'end' || k === 'typeAnnotation' || k === 'typeArguments' || k === 'returnType') continue;
    const v = node[k];
    if (v && typeof v === 'object') walk(v, visit, skip);
  }
}

function chain(n: AstNode): string[] {
  const parts: string[] = [];
  let cur: AstNode | undefined = unwrap(n);
  while (cur) {
    if (cur.type === 'MemberExpression') {
      parts.unshift(!cur.computed && cur.property.type === 'Identifier' ? cur.property.name : '[]');
      cur = unwrap(cur.object);
    } else if (cur.type === 'Identifier') {
      parts.unshift(cur.name);
      return parts;
    } else if (cur.type === 'ThisExpression') {
      parts.unshift('this');
      return parts;
    } else return parts;
  }
  return parts;
}

/** A side-effect-free summary: literals, references, simple arithmetic on literals. */
function valOf(n: AstNode | null | undefined): Val {
  if (!n) return null;
  n = unwrap(n);
  if (n.type === 'Literal') return typeof n.value === 'bigint' || n.regex ? { unknown: 'literal' } : (n.value as Val);
  if (n.type === 'Identifier') return n.name === 'undefined' ? null : n.name === 'Infinity' ? Infinity : { ref: n.name };
  if (n.type === 'MemberExpression' || n.type === 'ThisExpression') {
    const c = chain(n);
    return c.length && !c.includes('[]') ? { ref: c.join('.') } : { unknown: 'member' };
  }
  if (n.type === 'UnaryExpression' && n.operator === '-') {
    const v = valOf(n.argument);
    return typeof v === 'number' ? -v : { unknown: 'unary' };
  }
  if (n.type === 'BinaryExpression') {
    const l = valOf(n.left);
    const r = valOf(n.right);
    if (typeof l === 'number' && typeof r === 'number') {
      if (n.operator === '*') return l * r;
      if (n.operator === '+') return l + r;
      if (n.operator === '-') return l - r;
    }
    return { unknown: 'binary' };
  }
  if (n.type === 'CallExpression') return { call: chain(n.callee).join('.'), args: n.arguments.map((a: AstNode) => valOf(a)) };
  return { unknown: n.type };
}

const isCall = (n: AstNode | undefined): boolean => !!n && (n.type === 'CallExpression' || n.type === 'NewExpression');

/** Identifiers assigned or updated inside `node` (the loop's counters and accumulators), with the operators used. */
function updatedNames(nodes: any[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (name: string, op: string) => {
    let s = out.get(name);
    if (!s) out.set(name, (s = new Set()));
    s.add(op);
  };
  for (const node of nodes) {
    walk(node, (n) => {
      if (n.type === 'UpdateExpression' && n.argument.type === 'Identifier') add(n.argument.name, '++');
      if (n.type === 'AssignmentExpression' && n.left.type === 'Identifier') {
        if (n.operator === '=') {
          // x = x * 2, x = Math.min(x * 2, max): multiplicative growth
          let grows = false;
          walk(n.right, (m) => {
            if (m.type === 'BinaryExpression' && (m.operator === '*' || m.operator === '**' || m.operator === '<<') && [m.left, m.right].some((s: AstNode) => unwrap(s).type === 'Identifier' && unwrap(s).name === n.left.name)) grows = true;
          });
          add(n.left.name, grows ? '*=' : '=');
        } else add(n.left.name, n.operator);
      }
    });
  }
  return out;
}

/** `const x = ...` declarations in a subtree (no nested functions): name → initializer. */
function declarations(nodes: any[]): Map<string, AstNode> {
  const out = new Map<string, AstNode>();
  for (const node of nodes) {
    walk(node, (n) => {
      if (n.type === 'VariableDeclarator' && n.id.type === 'Identifier' && n.init) out.set(n.id.name, n.init);
    });
  }
  return out;
}

interface DelayShape {
  exponential: boolean;
  jitter: boolean;
  counter: boolean;
  multipliesCounter: boolean;
  indexed: boolean;
  call?: { callee: string; line: number };
}

function delayShape(node: AstNode, decls: Map<string, AstNode>, updates: Map<string, Set<string>>, counters: Set<string>, lineOf: (o: number) => number): DelayShape {
  const shape: DelayShape = { exponential: false, jitter: false, counter: false, multipliesCounter: false, indexed: false };
  const seen = new Set<string>();
  const dependsOnCounter = (n: AstNode): boolean => {
    let dep = false;
    walk(n, (m) => {
      if (m.type === 'Identifier' && counters.has(m.name)) dep = true;
    });
    return dep;
  };
  const visit = (root: AstNode, depth: number) => {
    walk(root, (n) => {
      if (n.type === 'Identifier') {
        if (counters.has(n.name)) shape.counter = true;
        const ops = updates.get(n.name);
        if (ops && !counters.has(n.name)) {
          if (ops.has('*=') || ops.has('**=') || ops.has('<<=')) shape.exponential = true;
          else if (ops.has('+=') || ops.has('++')) shape.counter = true;
        }
        const d = decls.get(n.name);
        if (d && depth < 4 && !seen.has(n.name)) {
          seen.add(n.name);
          visit(d, depth + 1);
        }
      } else if (n.type === 'BinaryExpression') {
        if (n.operator === '**' || n.operator === '<<') shape.exponential = true;
        if (n.operator === '*' && (dependsOnCounter(n.left) || dependsOnCounter(n.right))) shape.multipliesCounter = true;
      } else if (n.type === 'MemberExpression' && n.computed) {
        if (dependsOnCounter(n.property)) shape.indexed = true;
      } else if (n.type === 'CallExpression') {
        const c = chain(n.callee);
        const name = c.join('.');
        if (name === 'Math.random' || /(^|\.)(random|randomInt|jitter|withJitter|addJitter)$/i.test(name)) shape.jitter = true;
        else if (name === 'Math.pow') shape.exponential = true;
        else if (c[0] !== 'Math' && c.length && !shape.call) shape.call = { callee: name, line: lineOf(n.start) };
      }
    });
  };
  visit(node, 0);
  return shape;
}

/** The sleep between attempts: `await sleep(ms)`, `await setTimeout(ms)`, `await new Promise((r) => setTimeout(r, ms))`. */
function findSleep(nodes: any[]): { delay: AstNode | undefined; offset: number } | undefined {
  let found: { delay: AstNode | undefined; start: number } | undefined;
  for (const node of nodes) {
    walk(node, (n) => {
      if (found || n.type !== 'AwaitExpression') return;
      const a = unwrap(n.argument);
      if (a.type === 'CallExpression') {
        const c = chain(a.callee);
        if (SLEEP_NAMES.test(c[c.length - 1] ?? '')) found = { delay: a.arguments[0], start: a.start };
      } else if (a.type === 'NewExpression' && chain(a.callee).join('.') === 'Promise') {
        const cb = a.arguments[0] ? unwrap(a.arguments[0]) : undefined;
        if (!cb || (cb.type !== 'ArrowFunctionExpression' && cb.type !== 'FunctionExpression')) return;
        const scan = (m: any) => {
          if (!m || typeof m !== 'object') return;
          if (Array.isArray(m)) return m.forEach(scan);
          if (typeof m.type !== 'string') return;
          if (m.type === 'CallExpression' && chain(m.callee).pop() === 'setTimeout' && !found) found = { delay: m.arguments[1], start: a.start };
          for (const k in m) if (k !== 'type' && k !== 'start' && k !== 'end') scan(m[k]);
        };
        scan(cb.body);
      }
    });
  }
  return found ? { delay: found.delay, offset: found.start } : undefined;
}

/** Something that changes from one iteration to the next: the clock, or a name the loop assigns. */
function varies(n: AstNode, updates: Map<string, Set<string>>): boolean {
  let yes = false;
  walk(n, (m) => {
    if (m.type === 'Identifier' && updates.has(m.name)) yes = true;
    if (m.type === 'CallExpression' && /^(Date\.now|performance\.now|process\.hrtime|process\.uptime)/.test(chain(m.callee).join('.'))) yes = true;
    if (m.type === 'NewExpression' && chain(m.callee).join('.') === 'Date') yes = true;
  });
  return yes;
}

/**
 * Counter comparison in an expression: `attempt < max`, `attempt >= options.retries || ...` → the bound;
 * 'other' for a comparison against something else that varies (a deadline: `Date.now() > deadline`).
 * A comparison of values that do not change between attempts (`err.status === 400`) is no bound.
 */
function counterCompare(test: AstNode, counters: Set<string>, updates: Map<string, Set<string>> = new Map()): { max: AstNode; op: string } | 'other' | undefined {
  let out: { max: AstNode; op: string } | 'other' | undefined;
  const mentionsCounter = (n: AstNode) => {
    let dep = false;
    walk(n, (m) => {
      if (m.type === 'Identifier' && counters.has(m.name)) dep = true;
    });
    return dep;
  };
  const flip: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '===': '===', '==': '==' };
  walk(test, (n) => {
    if (n.type !== 'BinaryExpression' || !COMPARE.has(n.operator) || (out && out !== 'other')) return;
    if (mentionsCounter(n.left) && !mentionsCounter(n.right)) out = { max: n.right, op: n.operator };
    else if (mentionsCounter(n.right) && !mentionsCounter(n.left)) out = { max: n.left, op: flip[n.operator] };
    else if (varies(n, updates)) out ??= 'other';
  });
  return out;
}

/** Does the statement leave the loop or the function (throw/return/break) outside nested functions? */
function exits(n: AstNode): boolean {
  let yes = false;
  walk(n, (m) => {
    if (m.type === 'ThrowStatement' || m.type === 'ReturnStatement' || (m.type === 'BreakStatement' && !m.label)) yes = true;
  }, (m) => LOOP_TYPES.has(m.type) || m.type === 'SwitchStatement');
  return yes;
}

export function retryLoopOf(s: AstNode, lineOf: (offset: number) => number): RetryLoopFact | undefined {
  if (s.type !== 'ForStatement' && s.type !== 'WhileStatement' && s.type !== 'DoWhileStatement') return undefined;
  const stmts: AstNode[] = s.body?.type === 'BlockStatement' ? s.body.body : s.body ? [s.body] : [];
  const tryStmt = stmts.find((x) => x.type === 'TryStatement' && x.handler);
  if (!tryStmt) return undefined;

  // the attempt: an awaited or returned call in the try block, and success leaves the loop
  let attempts = false;
  let successExit = false;
  const assignedInTry = new Set<string>();
  walk(tryStmt.block, (n) => {
    if (n.type === 'AwaitExpression' && isCall(unwrap(n.argument))) attempts = true;
    if (n.type === 'ReturnStatement' && n.argument) {
      successExit = true;
      const a = unwrap(n.argument);
      if (isCall(a) || a.type === 'AwaitExpression') attempts = true;
    }
    if (n.type === 'BreakStatement' && !n.label) successExit = true;
    if (n.type === 'AssignmentExpression' && n.left.type === 'Identifier') assignedInTry.add(n.left.name);
  }, (m) => LOOP_TYPES.has(m.type) || m.type === 'SwitchStatement');
  // success leaves the loop unconditionally (`return await call()`, `await call(); break;`), or the loop condition reads a flag the try sets
  const topExit = tryStmt.block.body.some((x: AstNode) => (x.type === 'ReturnStatement' && x.argument) || (x.type === 'BreakStatement' && !x.label));
  const test = s.test && !(s.test.type === 'Literal' && s.test.value === true) ? s.test : undefined;
  let flagExit = false;
  if (test) walk(test, (n) => {
    if (n.type === 'Identifier' && assignedInTry.has(n.name)) flagExit = true;
  });
  if (!attempts || !(successExit || flagExit)) return undefined;
  // a catch that always leaves (rethrows, returns) does not go round again: not a retry
  const handlerStmts: AstNode[] = tryStmt.handler.body.body;
  if (handlerStmts.some((x) => x.type === 'ThrowStatement' || x.type === 'ReturnStatement' || (x.type === 'BreakStatement' && !x.label))) return undefined;

  const rest = [tryStmt.handler.body, ...stmts.filter((x) => x !== tryStmt)];
  const updates = updatedNames([s.update, s.body]);
  const counters = new Set<string>();
  if (s.init?.type === 'VariableDeclaration') for (const d of s.init.declarations) if (d.id.type === 'Identifier') counters.add(d.id.name);
  for (const [name, ops] of updates) if (ops.has('++') || ops.has('+=') || ops.has('-=')) counters.add(name);
  // a counter declared in the loop header is a counter even if the update is `attempt++` in s.update (already covered)
  let start: number | undefined;
  if (s.init?.type === 'VariableDeclaration') {
    const d = s.init.declarations.find((x: AstNode) => x.id.type === 'Identifier' && counters.has(x.id.name));
    const v = d?.init ? valOf(d.init) : undefined;
    if (typeof v === 'number') start = v;
  }

  // bound: the loop condition, or a guarded exit in the catch / the rest of the body
  let bounded: RetryLoopFact['bounded'] = 'unknown';
  let bound: { max: AstNode; op: string; via: 'test' | 'exit' } | undefined;
  if (test) {
    const c = counterCompare(test, counters, updates);
    if (c && c !== 'other') bound = { ...c, via: 'test' };
    if (c) bounded = 'yes';
  }
  if (!bound) {
    let guardedExit: 'counter' | 'compare' | 'other' | undefined;
    for (const r of rest) {
      walk(r, (n) => {
        if (n.type !== 'IfStatement' && n.type !== 'ConditionalExpression') return;
        if (!exits(n.consequent)) return;
        const c = counterCompare(n.test, counters, updates);
        if (c && c !== 'other') {
          if (guardedExit !== 'counter') bound = { ...c, via: 'exit' };
          guardedExit = 'counter';
        } else if (c === 'other') guardedExit ??= 'compare';
        else {
          // an exit decided by a call that sees the counter (shouldRetry(err, attempt)) is a bound we cannot read
          let seesCounter = false;
          walk(n.test, (m) => {
            if (m.type === 'Identifier' && counters.has(m.name)) seesCounter = true;
          });
          if (seesCounter) guardedExit ??= 'compare';
          else guardedExit ??= 'other';
        }
      }, (m) => LOOP_TYPES.has(m.type));
    }
    if (guardedExit === 'counter' || guardedExit === 'compare') bounded = 'yes';
    else if (!test) bounded = 'no';
  }

  let offset: number | undefined;
  if (bound) {
    const s0 = start ?? 0;
    if (bound.via === 'test') offset = bound.op === '<' ? -s0 : bound.op === '<=' ? 1 - s0 : undefined;
    else offset = bound.op === '>=' || bound.op === '===' || bound.op === '==' ? 1 - s0 : bound.op === '>' ? 2 - s0 : undefined;
  }

  const sleep = findSleep(rest);
  // a conditional exit (`if (res.ok) return res`) is a retry only when the loop waits between rounds;
  // otherwise it is more likely a read/poll loop that goes on after a normal iteration
  if (!topExit && !flagExit && !sleep) return undefined;
  let backoff: RetryLoopFact['backoff'] = 'none';
  let jitter = false;
  let delayCall: RetryLoopFact['delayCall'];
  if (sleep) {
    if (!sleep.delay) backoff = 'fixed';
    else {
      const decls = declarations([s.body]);
      const shape = delayShape(sleep.delay, decls, updates, counters, lineOf);
      jitter = shape.jitter;
      if (shape.exponential) backoff = 'exponential';
      else if (shape.call || shape.indexed) {
        backoff = 'unknown';
        delayCall = shape.call;
      } else if (shape.multipliesCounter || shape.counter) backoff = 'linear';
      else backoff = 'fixed';
    }
  }

  const fact: RetryLoopFact = {
    line: lineOf(s.start), endLine: lineOf(s.end), tryLine: lineOf(tryStmt.block.start), tryEndLine: lineOf(tryStmt.block.end),
    bounded, backoff, jitter,
  };
  if (bound) fact.attempts = offset === undefined ? { max: valOf(bound.max) } : { max: valOf(bound.max), offset };
  if (sleep) {
    fact.delayLine = lineOf(sleep.offset);
    if (sleep.delay) fact.delay = valOf(sleep.delay);
  }
  if (delayCall) fact.delayCall = delayCall;
  const counter = [...counters][0];
  if (counter) fact.counter = counter;
  return fact;
}

/** Exponent (`**`, Math.pow, `<<`) and randomness (Math.random) in a function body, nested functions excluded. */
export function backoffMathOf(fnNode: AstNode, src: string): { exponential: boolean; jitter: boolean } | undefined {
  const text = src.slice(fnNode.start, fnNode.end);
  if (!/Math\.random|\*\*|Math\.pow|<</.test(text)) return undefined;
  let exponential = false;
  let jitter = false;
  walk(fnNode.body, (n) => {
    if (n.type === 'BinaryExpression' && (n.operator === '**' || n.operator === '<<')) exponential = true;
    if (n.type === 'AssignmentExpression' && n.operator === '**=') exponential = true;
    if (n.type === 'CallExpression') {
      const name = chain(n.callee).join('.');
      if (name === 'Math.pow') exponential = true;
      if (name === 'Math.random') jitter = true;
    }
  });
  return exponential || jitter ? { exponential, jitter } : undefined;
}
