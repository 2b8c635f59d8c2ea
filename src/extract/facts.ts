// Per-file facts: what one file says, with no cross-file knowledge. Produced in the
// parse workers (so they must be plain JSON data: they cross threads as JSON text, which
// drops properties whose value is undefined) and consumed by
// link, packs and rules. Values that are not literal are kept symbolic (refs, env
// reads) so that a pool size read from process.env stays "unknown", never a guess.

/** A summarized expression. */
export type Val =
  | string
  | number
  | boolean
  | null
  /** `kwargs`: Python keyword arguments of a call, gathered into one object (always the last argument). */
  | { obj: Record<string, Val>; spread?: boolean; kwargs?: boolean }
  | { arr: Val[] }
  | { ref: string }
  | { fn: string }
  /** `recv`: for a call on a call result (`q.trim().toLowerCase()`, call '().toLowerCase'), the inner call. */
  /** `awaited`: in FunctionFact.returns, a call whose result the function awaited before returning it (`const page = await got(url); return page`). */
  | { call: string; args: Val[]; recv?: Val; awaited?: true }
  | { new: string; args: Val[] }
  | { tpl: string; parts: Val[] }
  | { concat: Val[] }
  | { env: string; default?: Val }
  /** `of`: the operands of a `??`/`||`/`&&` or the arms of a `?:` whose value is one of them (for data flow). */
  | { unknown: string; of?: Val[] };

export interface ImportFact {
  source: string;
  line: number;
  typeOnly: boolean;
  /** imported: 'default', '*' (namespace) or the exported name. */
  names: { imported: string; local: string }[];
  /** require() instead of import. */
  require?: boolean;
}

export interface ReexportFact {
  source: string;
  line: number;
  /** undefined = export * from */
  names?: { imported: string; exported: string }[];
}

export interface DecoratorFact {
  name: string;
  args: Val[];
  line: number;
  /** Python: the decorator's full member chain (`@router.get(...)` → ['router', 'get']). */
  callee?: string[];
}

export interface ParamFact {
  name: string;
  type?: string;
  decorators: DecoratorFact[];
  /** Default value (`config = DEFAULT_RETRY_CONFIG`), when literal or a reference. */
  default?: Val;
}

export interface FunctionFact {
  /** Unique in file: 'name', 'Class.method', or 'name@line:col' for inline functions. */
  id: string;
  name: string;
  className?: string;
  /** The class `this` refers to inside (methods and functions nested in them). */
  thisClass?: string;
  /** The function this one is nested in (closures see its locals). */
  parent?: string;
  line: number;
  endLine: number;
  async: boolean;
  decorators: DecoratorFact[];
  params: ParamFact[];
  /** Counts that the pure-core strength and rules use. */
  stats: { calls: number; awaits: number; thisRefs: number; statements: number; assignsOuter: boolean };
  /** A method whose whole body is a `throw` (`throw new Error('Not implemented')`): a base class's placeholder that subclasses override. */
  stub?: true;
  /** Local variable → summarized initializer, for the linker (const x = this.y / new Foo()). */
  locals: Record<string, Val>;
  /** Arguments forwarded to a call, by param index, when the function is an inline callback. */
  inlineOf?: { call: string; line: number; argIndex: number };
  /**
   * The function is property `prop` of an object passed to a call at argIndex
   * (`runQuery({ [PRISMA]: () => ... })`, '?' for a computed key): the tracer runs it as part of
   * the caller when the call runs a project function (see Tracer.carriedToProject).
   */
  carriedBy?: { call: string; line: number; argIndex: number; prop: string };
  exported?: boolean;
  /** Retry loops in the body (see RetryLoopFact), in source order. */
  retryLoops?: RetryLoopFact[];
  /** The body computes with an exponent (`**`, Math.pow, `<<`) and/or Math.random: a backoff/jitter helper. */
  backoffMath?: { exponential: boolean; jitter: boolean };
  /** Python: the values of its `return` and `yield` statements (a FastAPI dependency yields its session), first few. TypeScript/JavaScript: the object literals and `new` expressions it returns, and what fills a binding it returns when that is one `new` or call of a plain name (`const queue = new Queue(name); return queue`), first few. */
  returns?: Val[];
  /** A `get` accessor: reading the member runs it and gives what it returns. */
  getter?: true;
  /** Python: a generator (`yield` in the body). */
  generator?: boolean;
  /** The declared return type when it is a plain (dotted) name (`-> AppSettings`, `(): PrismaClient`). */
  returnType?: string;
}

/**
 * A loop that retries: a for/while/do whose try block makes an awaited or returned call and
 * leaves the loop on success, while the catch lets it go round again (usually after a sleep).
 */
export interface RetryLoopFact {
  line: number;
  endLine: number;
  /** The try block whose failure triggers the next attempt. */
  tryLine: number;
  tryEndLine: number;
  /** 'yes': the loop condition or a guarded exit compares a counter/deadline; 'no': only success ends it; 'unknown': some other condition. */
  bounded: 'yes' | 'no' | 'unknown';
  /** Attempts = max + offset, when the bound compares a counter (offset absent when it cannot be read). */
  attempts?: { max: Val; offset?: number };
  /** The attempt counter's name. */
  counter?: string;
  /** The delay passed to the sleep between attempts (absent: no sleep, or a sleep without argument). */
  delay?: Val;
  delayLine?: number;
  /** How the delay grows between attempts; 'unknown' when a helper computes it (see delayCall). */
  backoff: 'none' | 'fixed' | 'linear' | 'exponential' | 'unknown';
  /** The delay uses Math.random or a jitter helper. */
  jitter: boolean;
  /** The helper call the delay comes from (`backoffDelay(attempt, ...)`), for rules to resolve. */
  delayCall?: { callee: string; line: number };
}

export interface PropFact {
  name: string;
  type?: string;
  init?: Val;
  line: number;
  decorators: DecoratorFact[];
}

export interface ClassFact {
  name: string;
  line: number;
  endLine: number;
  exported: boolean;
  superClass?: string;
  /** `extends PassportStrategy(Strategy, 'jwt')`, `extends AuthGuard('jwt')`: a superclass made by a call, with its arguments. */
  superCall?: { callee: string; args: Val[] };
  implements: string[];
  decorators: DecoratorFact[];
  ctorParams: ParamFact[];
  props: PropFact[];
  methods: string[]; // function ids
}

export interface CatchInfo {
  line: number;
  rethrows: boolean;
  returns: boolean;
  logs: boolean;
  empty: boolean;
  /** The catch handles the error locally and does not rethrow: the try body's failure is contained. */
  contains: boolean;
}

/** The function given to .catch(fn) / .then(_, fn): does it log, rethrow, return a value, or nothing at all? */
export interface RejectionHandler {
  logs: boolean;
  rethrows: boolean;
  /** Returns (or, for an expression-bodied arrow, evaluates to) a value: a fallback. */
  returns: boolean;
  /** `() => {}`, `() => undefined`, or a function named noop/ignore. */
  empty: boolean;
}

/** A loop around a call: `for-of`/`for-in` over `over`, a collection callback (`items.map(cb)`, over = items), a `for` bounded by `X.length` (over = X), or any other `for`/`while`. */
export interface LoopInfo {
  kind: 'for-of' | 'for-in' | 'for' | 'while' | 'callback';
  over?: Val;
  /** Line where the loop statement (or the `items.map(...)` call) starts. */
  line?: number;
}

export interface CallFact {
  /** Enclosing function id, or '<module>' for top-level code. */
  fn: string;
  /** Member chain of the callee: ['this','prisma','user','create'], ['axios','get'], ['fetch']. */
  callee: string[];
  /** What the chain starts with when not an identifier: a call result, a new expression... */
  root?: 'call' | 'new' | 'other';
  /** A call on the result of a call of a plain name (`getQueue().add(job)`) or of a name's member (`TraceUpsertQueue.getInstance().add(job)`): that name, so the linker can ask what the factory makes. */
  recv?: string;
  line: number;
  endLine: number;
  args: Val[];
  isNew: boolean;
  awaited: boolean;
  returned: boolean;
  /** An expression statement whose promise is neither awaited, returned, assigned nor caught. */
  floating: boolean;
  /** A .catch(...) or .then(_, onRejected) is chained on it. */
  caught: boolean;
  /** What the rejection handler of that .catch/.then does (absent when not caught or not analysable). */
  rejection?: RejectionHandler;
  /** The promise is discarded with `void` (still floating). */
  voided?: boolean;
  /** A .then/.catch/.finally is chained on it (a lazy Prisma query then runs). */
  chained?: boolean;
  /** Innermost enclosing try whose catch contains the failure, if any. */
  tryCatch?: CatchInfo;
  inLoop: boolean;
  /** Inside the callback of items.map(...) passed to Promise.all/allSettled. */
  inPromiseAllMap: boolean;
  /** Inside a callback passed to $transaction / transaction() / knex.transaction. */
  inTransaction: boolean;
  /** The innermost enclosing loop (set when inLoop or inPromiseAllMap): its kind and, when known, what it iterates. */
  loop?: LoopInfo;
  /** Inside a try whose catch tests for a unique-constraint violation (P2002, 23505, isUniqueViolation...). */
  uniqueCaught?: boolean;
  /** For a tagged-template call (`$queryRaw\`...\``): the literal text, `${}` marking each hole. */
  template?: string;
  /** Position among the calls of its function, in source order. */
  order: number;
  /** Enclosing if/switch/ternary arms as "/start:arm" segments; see exclusiveBranches. */
  branch?: string;
  /** Wrapped in a breaker: breaker.fire(...) or an opossum/cockatiel policy execute. */
  text?: string;
  /** Raced against a timer (`Promise.race([call, new Promise((r) => setTimeout(r, 150))])`): the delay after which the caller stops waiting. */
  racedTimeout?: Val;
  /** Python: an expression statement whose value is discarded (a sync call; `floating` is reserved for fire-and-forget). */
  discarded?: boolean;
  /** Python: the coroutine is started as a background task whose handle is dropped (`asyncio.create_task(...)`, `asyncio.ensure_future(...)`): the spawning callee. */
  spawned?: string;
}

export interface EnvRead {
  name: string;
  default?: Val;
  line: number;
  /** The property or variable the value is assigned to, when simple. */
  target?: string;
}

export interface VarFact {
  name: string;
  line: number;
  exported: boolean;
  init?: Val;
  kind: 'const' | 'let' | 'var';
  /** A `let`/`var` declared empty and filled by one write elsewhere in the module (`producer = kafka.producer()` in connect()): the value written, in the scope of function `fn` ('<module>' at top level). */
  fill?: { fn: string; line: number; value: Val };
}

export interface FileFacts {
  file: string;
  lines: number;
  imports: ImportFact[];
  reexports: ReexportFact[];
  /** exported name → local name ('default' for export default <local>). */
  exports: Record<string, string>;
  classes: ClassFact[];
  functions: FunctionFact[];
  vars: VarFact[];
  calls: CallFact[];
  catches: (CatchInfo & { fn: string; endLine: number })[];
  envReads: EnvRead[];
  /** Object-literal property assignments with literal values anywhere: key → values (for config scans). */
  /** String literals that look like SQL, with line (for migrations/schema in TS files). */
  sqlStrings: { line: number; text: string }[];
  /** Comments that suppress findings: `faultline-ignore-next-line RULE -- reason`. */
  suppressions: { line: number; rule: string; reason: string }[];
  parseErrors: string[];
}

/** The facts of every parsed file, by repository-relative path. */
export type FactIndex = Map<string, FileFacts>;

export function valToString(v: Val | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/**
 * The string a value certainly is: a literal, or a template or `+` concatenation whose every
 * part is one (`\`/${usersRoot}/:id\`` once `usersRoot` was substituted). Otherwise undefined.
 */
export function constantString(v: Val | undefined, depth = 0): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (!v || typeof v !== 'object' || depth > 4) return undefined;
  if ('tpl' in v) {
    const pieces = v.tpl.split('${}');
    if (pieces.length !== v.parts.length + 1) return undefined;
    let out = pieces[0];
    for (let i = 0; i < v.parts.length; i++) {
      const part = constantString(v.parts[i], depth + 1);
      if (part === undefined) return undefined;
      out += part + pieces[i + 1];
    }
    return out;
  }
  if ('concat' in v) {
    let out = '';
    for (const p of v.concat) {
      const part = constantString(p, depth + 1);
      if (part === undefined) return undefined;
      out += part;
    }
    return out;
  }
  return undefined;
}

export function valToNumber(v: Val | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

export function objGet(v: Val | undefined, ...keys: string[]): Val | undefined {
  let cur: Val | undefined = v;
  for (const k of keys) {
    if (!cur || typeof cur !== 'object' || !('obj' in cur)) return undefined;
    cur = cur.obj[k];
  }
  return cur;
}

export function isObj(v: Val | undefined): v is { obj: Record<string, Val> } {
  return !!v && typeof v === 'object' && 'obj' in v;
}

/** True when two calls sit in different arms of the same if/switch/ternary: never both run. */
export function exclusiveBranches(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const sa = a.split('/').filter(Boolean);
  const sb = b.split('/').filter(Boolean);
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    if (sa[i] === sb[i]) continue;
    const [na] = sa[i].split(':');
    const [nb] = sb[i].split(':');
    return na === nb;
  }
  return false;
}
