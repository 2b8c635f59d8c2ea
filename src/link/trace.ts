// Follows each entrypoint's handler through the call graph to the dependency calls it
// makes, composing what each call site adds on the way: fire-and-forget (with or
// without a catch), try/catch containment, breakers, transactions, loop context.
import type { CallFact, ClassFact, FileFacts, FunctionFact, Val } from '../extract/facts.js';
import type { EdgeKind, EdgeMode, Evidence, Guards } from '../model/types.js';
import type { CallMeaning, DepCall, PackContext, ResourceRef, TechPack } from '../packs/types.js';
import type { Program } from './program.js';
import type { Resolver } from './resolve.js';

export interface Use {
  target: ResourceRef;
  edge: Extract<EdgeKind, 'reads' | 'writes' | 'uses' | 'enqueues' | 'calls' | 'publishes'>;
  mode: EdgeMode;
  guards: Guards;
  readOnly: boolean;
  op?: string;
  evidence: Evidence;
  /** Files of the functions from the traced function down to the call, outermost first. */
  frames: { file: string; fn: string }[];
  /** For each frame, the function its call site is written in: the frame's own, or an inline callback nested in it. */
  siteFns: string[];
  /** Order of the outermost call site in the traced function. */
  order: number;
  /** Branch of the outermost call site (see exclusiveBranches). */
  siteBranch?: string;
  /** Call sites up the chain that decided the mode or a guard (the fire-and-forget, the try/catch). */
  via?: Evidence[];
  /** Branch segments for the implementation a body-less method was dispatched to (see overridesOf): alternatives never run together. */
  alt?: string;
  call: CallFact;
}

export class Tracer {
  private readonly memo = new Map<string, Use[]>();
  private readonly visiting = new Set<string>();
  private readonly callsByFn = new Map<string, CallFact[]>();
  private readonly inlineChildren = new Map<string, string[]>();
  /** Functions carried by an object argument (`runQuery({ [PRISMA]: () => ... })`), by the function whose call they are passed to. */
  private readonly carriedChildren = new Map<string, string[]>();
  readonly classified = new Map<CallFact, CallMeaning | undefined>();

  constructor(private readonly program: Program, private readonly resolver: Resolver, private readonly packs: readonly TechPack[], private readonly ctx: PackContext) {
    for (const f of program.files.values()) {
      for (const c of f.calls) {
        const k = `${f.file}#${c.fn}`;
        let list = this.callsByFn.get(k);
        if (!list) this.callsByFn.set(k, (list = []));
        list.push(c);
      }
      for (const fn of f.functions) {
        if ((!fn.inlineOf && !fn.carriedBy) || !fn.parent) continue;
        const k = `${f.file}#${fn.parent}`;
        const map = fn.inlineOf ? this.inlineChildren : this.carriedChildren;
        let list = map.get(k);
        if (!list) map.set(k, (list = []));
        list.push(fn.id);
      }
    }
  }

  // every entrypoint's reachability walk and the rules ask again for the same functions
  private readonly bodyMemo = new Map<string, CallFact[]>();

  /** Calls that run as part of the function: its own and those of callbacks defined inline in it (shared: do not modify). */
  bodyCalls(file: string, fnId: string): CallFact[] {
    const key = `${file}#${fnId}`;
    // without inline callbacks the body is the function's own list: nothing to concatenate or keep
    if (!this.inlineChildren.has(key) && !this.carriedChildren.has(key)) return this.callsByFn.get(key) ?? [];
    let hit = this.bodyMemo.get(key);
    if (!hit) this.bodyMemo.set(key, (hit = this.bodyCallsOf(file, fnId, 0)));
    return hit;
  }

  private bodyCallsOf(file: string, fnId: string, depth: number): CallFact[] {
    const own = this.callsByFn.get(`${file}#${fnId}`) ?? [];
    if (depth > 6) return own;
    const kids = [...(this.inlineChildren.get(`${file}#${fnId}`) ?? []), ...this.carriedToProject(file, fnId, own)];
    return kids.length ? [...own, ...kids.flatMap((k) => this.bodyCallsOf(file, k, depth + 1))] : own;
  }

  /**
   * The functions an object argument carries, when the call it is passed to runs a project function
   * (`runQuery({ [PRISMA]: () => relational(args) })`): that function may run any of them. A package
   * takes such options (`new Queue(name, { createClient() {...} })`) to call at times of its own: not
   * part of the caller's body.
   */
  private carriedToProject(file: string, fnId: string, own: CallFact[]): string[] {
    const carried = this.carriedChildren.get(`${file}#${fnId}`);
    const facts = carried ? this.program.files.get(file) : undefined;
    if (!carried || !facts) return [];
    return carried.filter((id) => {
      const at = this.program.fn(file, id)?.carriedBy;
      const host = at && own.find((c) => c.line === at.line && c.callee.join('.') === at.call);
      return !!host && !!this.classify(file, facts, host).target;
    });
  }

  private readonly resolved = new Map<CallFact, { meaning?: CallMeaning; target?: { file: string; fn: FunctionFact } }>();

  /** What a call site is, resolved once: a project function, a dependency use, or nothing known. */
  classify(file: string, facts: FileFacts, call: CallFact): { meaning?: CallMeaning; target?: { file: string; fn: FunctionFact } } {
    let hit = this.resolved.get(call);
    if (!hit) {
      hit = this.classifyUncached(file, facts, call);
      this.resolved.set(call, hit);
    }
    return hit;
  }

  private classifyUncached(file: string, facts: FileFacts, call: CallFact): { meaning?: CallMeaning; target?: { file: string; fn: FunctionFact } } {
    const t = this.resolver.resolveCall(file, call);
    if (t.kind === 'fn') return { target: { file: t.file, fn: t.fn } };
    if (t.kind !== 'dep') return {};
    if (this.classified.has(call)) return { meaning: this.classified.get(call) };
    const fn = call.fn === '<module>' ? undefined : this.program.fn(file, call.fn);
    const args = call.args.map((a) => this.resolver.substitute(file, fn, a));
    const instance = t.instance ? { ...t.instance, args: t.instance.args.map((a) => this.resolver.substitute(t.instance!.evidence.file, undefined, a)) } : undefined;
    const dep: DepCall = { instance, pkg: t.pkg, exportName: t.exportName, member: t.member, call: { ...call, args }, file, facts };
    let meaning: CallMeaning | undefined;
    const python = file.endsWith('.py');
    for (const p of this.packs) {
      if (!p.classifyCall) continue;
      // package names are shared across ecosystems (`redis`, `stripe`): a pack reads one language's calls
      if ((p.lang === 'python') !== python) continue;
      if (p.packages && !p.packages.includes(t.pkg)) continue;
      if (t.instance?.memberResult && !p.callResults) continue;
      meaning = p.classifyCall(dep, this.ctx);
      if (meaning) break;
    }
    this.classified.set(call, meaning);
    return { meaning };
  }

  private readonly decoratorMemo = new Map<FunctionFact, Guards | undefined>();

  /** Guards the packs read from a function's decorators (pybreaker, circuitbreaker, tenacity, backoff). */
  private decoratorGuards(file: string, fn: FunctionFact): Guards | undefined {
    if (this.decoratorMemo.has(fn)) return this.decoratorMemo.get(fn);
    let out: Guards | undefined;
    for (const d of fn.decorators) {
      const chain = d.callee ?? [d.name];
      const base = this.resolver.resolveChainValue(file, undefined, chain.length > 1 && d.args.length ? chain.slice(0, -1) : chain);
      const pkg = base?.kind === 'inst' ? base.inst.pkg : base?.kind === 'export' ? base.pkg : undefined;
      if (!pkg) continue;
      for (const p of this.packs) {
        if (p.lang !== 'python' || !p.decoratorGuards || (p.packages && !p.packages.includes(pkg))) continue;
        const g = p.decoratorGuards({ pkg, decorator: d, ...(base?.kind === 'inst' ? { instance: base.inst } : {}), ...(base?.kind === 'export' ? { exportName: base.exportName } : {}) });
        if (g) out = { ...(out ?? {}), ...g };
      }
    }
    this.decoratorMemo.set(fn, out);
    return out;
  }

  private implIndex?: Map<string, { file: string; cls: ClassFact }[]>;

  /**
   * A body-less class method (an abstract method, or one of an abstract class used as a NestJS
   * DI token: `{ provide: UserRepository, useClass: UsersRelationalRepository }`) runs what its
   * project subclasses and implementors (`extends` / `implements` the class) define under the
   * same name. TypeScript/JavaScript only.
   */
  overridesOf(file: string, fn: FunctionFact): { file: string; fn: FunctionFact }[] {
    if (!fn.className || fn.name === 'constructor' || (!fn.stub && (fn.stats.statements > 0 || fn.stats.calls > 0)) || file.endsWith('.py')) return [];
    if (!this.implIndex) {
      this.implIndex = new Map();
      for (const f of this.program.files.values()) {
        if (f.file.endsWith('.py')) continue;
        for (const c of f.classes) {
          for (const base of new Set([c.superClass, ...c.implements])) {
            if (!base) continue;
            const sym = this.program.lookup(f.file, base.split('.')[0]);
            if (sym?.kind !== 'class') continue;
            const k = `${sym.file}#${sym.cls.name}`;
            let list = this.implIndex.get(k);
            if (!list) this.implIndex.set(k, (list = []));
            list.push({ file: f.file, cls: c });
          }
        }
      }
    }
    const out: { file: string; fn: FunctionFact }[] = [];
    const seen = new Set<string>();
    const visit = (clsFile: string, className: string, depth: number) => {
      for (const impl of this.implIndex!.get(`${clsFile}#${className}`) ?? []) {
        const key = `${impl.file}#${impl.cls.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const m = this.program.files.get(impl.file)?.functions.find((x) => x.className === impl.cls.name && x.name === fn.name);
        if (m && !m.stub && (m.stats.statements > 0 || m.stats.calls > 0)) out.push({ file: impl.file, fn: m });
        else if (depth < 4) visit(impl.file, impl.cls.name, depth + 1); // abstract again, or inherited from further down
      }
    };
    visit(file, fn.className, 0);
    return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.fn.line - b.fn.line));
  }

  /** Every project function a function runs, transitively, itself included (file#fn keys). */
  reachable(file: string, fnId: string, out = new Set<string>()): Set<string> {
    const key = `${file}#${fnId}`;
    if (out.has(key) || out.size > 5000) return out;
    out.add(key);
    const facts = this.program.files.get(file);
    if (!facts) return out;
    for (const call of this.bodyCalls(file, fnId)) {
      const { meaning, target } = this.classify(file, facts, call);
      if (target) {
        this.reachable(target.file, target.fn.id, out);
        for (const impl of this.overridesOf(target.file, target.fn)) this.reachable(impl.file, impl.fn.id, out);
      } else if (meaning?.use === 'invoke') {
        const inner = this.resolveFnVal(file, call, meaning.fn, meaning.scope);
        if (inner) this.reachable(inner.file, inner.fn.id, out);
      }
    }
    for (const kid of this.inlineChildren.get(key) ?? []) out.add(`${file}#${kid}`);
    return out;
  }

  usesOf(file: string, fnId: string): Use[] {
    const key = `${file}#${fnId}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    if (this.visiting.has(key) || this.visiting.size > 200) return [];
    this.visiting.add(key);
    const facts = this.program.files.get(file);
    const out: Use[] = [];
    if (facts) {
      const body = this.bodyCalls(file, fnId);
      const invoked = this.invokedInline(file, facts, body);
      for (const call of body) {
        if (invoked && this.insideAny(file, call.fn, invoked)) continue;
        const { meaning, target } = this.classify(file, facts, call);
        if (target) {
          // Python: a breaker or retry decorator on the callee (@db_breaker, @retry(...)) guards what it does
          const dg = target.file.endsWith('.py') && target.fn.decorators.length ? this.decoratorGuards(target.file, target.fn) : undefined;
          for (const u of this.usesOf(target.file, target.fn.id)) out.push(this.through(call, dg ? { ...u, guards: { ...u.guards, ...dg } } : u, file, fnId));
          // a body-less method: what its implementations do; with several, one of them runs (never two together)
          const impls = this.overridesOf(target.file, target.fn);
          const safe = (x: string) => x.replace(/[/:]/g, '_');
          for (const impl of impls) {
            // one arm per implementing class of the token: calls on the same token in one method take the same arm
            const alt = impls.length > 1 ? `/impl-${safe(`${target.file}#${target.fn.className}`)}:${safe(`${impl.file}#${impl.fn.className}`)}` : '';
            for (const u of this.usesOf(impl.file, impl.fn.id)) out.push(this.through(call, alt ? { ...u, alt: alt + (u.alt ?? '') } : u, file, fnId));
          }
          continue;
        }
        if (!meaning || meaning.use === 'ignore') continue;
        if (meaning.use === 'invoke') {
          const inner = this.resolveFnVal(file, call, meaning.fn, meaning.scope);
          if (inner) for (const u of this.usesOf(inner.file, inner.fn.id)) out.push(this.through(call, { ...u, guards: { ...u.guards, ...meaning.guards, fallback: u.guards.fallback || meaning.guards.fallback } }, file, fnId));
          continue;
        }
        out.push(directUse(file, fnId, call, meaning));
      }
    }
    this.visiting.delete(key);
    this.memo.set(key, out);
    return out;
  }

  /** The uses the function's own body makes (usesOf's one-frame uses), without following its callees. */
  directUsesOf(file: string, fnId: string): Use[] {
    const hit = this.memo.get(`${file}#${fnId}`);
    if (hit) return hit.filter((u) => u.frames.length === 1);
    const facts = this.program.files.get(file);
    if (!facts) return [];
    const out: Use[] = [];
    for (const call of this.bodyCalls(file, fnId)) {
      const { meaning, target } = this.classify(file, facts, call);
      if (target || !meaning || meaning.use === 'ignore' || meaning.use === 'invoke') continue;
      out.push(directUse(file, fnId, call, meaning));
    }
    return out;
  }

  private resolveFnVal(file: string, call: CallFact, v: Val, scope?: Evidence): { file: string; fn: FunctionFact } | undefined {
    const at = scope ?? { file, line: call.line };
    const fn = scope ? this.innermostFn(scope.file, scope.line) : call.fn === '<module>' ? undefined : this.program.fn(file, call.fn);
    const r = this.resolver.resolveValue(at.file, fn, v);
    return r?.kind === 'fn' ? { file: r.file, fn: r.fn } : undefined;
  }

  /**
   * Inline callbacks of the body that a breaker runs (`breaker.execute(() => axios.get(url))`): their
   * calls are taken once, through the breaker with its guards, not also as the body's own.
   */
  private invokedInline(file: string, facts: FileFacts, body: CallFact[]): Set<string> | undefined {
    let out: Set<string> | undefined;
    for (const call of body) {
      const { meaning } = this.classify(file, facts, call);
      if (meaning?.use !== 'invoke' || meaning.scope || !meaning.fn || typeof meaning.fn !== 'object' || !('fn' in meaning.fn)) continue;
      const inner = this.program.fn(file, meaning.fn.fn);
      if (inner?.inlineOf) (out ??= new Set()).add(inner.id);
    }
    return out;
  }

  /** Is function `fnId` one of `ids` or nested in one? */
  private insideAny(file: string, fnId: string, ids: Set<string>): boolean {
    for (let cur = this.program.fn(file, fnId), i = 0; cur && i < 20; cur = cur.parent ? this.program.fn(file, cur.parent) : undefined, i++) if (ids.has(cur.id)) return true;
    return false;
  }

  /** The innermost function whose body holds the line (undefined at module level). */
  private innermostFn(file: string, line: number): FunctionFact | undefined {
    let best: FunctionFact | undefined;
    for (const f of this.program.files.get(file)?.functions ?? []) if (f.line <= line && line <= f.endLine && (!best || f.line >= best.line)) best = f;
    return best;
  }

  /** A use of the callee, seen from the caller's call site. */
  private through(site: CallFact, u: Use, file: string, fnId: string): Use {
    const sm = siteMode(site);
    let mode = u.mode;
    const own = siteGuards(site, {});
    const guards: Guards = { ...u.guards, ...siteGuards(site, u.guards) };
    let decisive = (own.fallback && !u.guards.fallback) || (own.transaction && !u.guards.transaction);
    if (sm.mode === 'fire_and_forget') {
      if (u.mode !== 'fire_and_forget') {
        mode = 'fire_and_forget';
        guards.caught = site.caught || u.guards.fallback || undefined;
        decisive = true;
      }
    }
    const via = decisive ? [...(u.via ?? []), { file, line: site.line }] : u.via;
    const siteBranch = u.alt ? `${site.branch ?? ''}${u.alt}` : site.branch;
    return { ...u, mode, guards, frames: [{ file, fn: fnId }, ...u.frames], siteFns: [site.fn, ...u.siteFns], order: site.order, siteBranch, ...(via ? { via } : {}) };
  }
}

function directUse(file: string, fnId: string, call: CallFact, meaning: Extract<CallMeaning, { use: 'dependency' }>): Use {
  const mode = meaning.mode ?? siteMode(call).mode;
  return {
    target: meaning.target, edge: meaning.edge, mode, readOnly: !!meaning.readOnly, op: meaning.op,
    guards: { ...(meaning.guards ?? {}), ...siteGuards(call, meaning.guards), ...(mode === 'fire_and_forget' ? { caught: call.caught || meaning.guards?.caught || undefined } : {}) },
    evidence: { file, line: call.line }, frames: [{ file, fn: fnId }], siteFns: [call.fn], order: call.order, call, siteBranch: call.branch,
  };
}

function siteMode(call: CallFact): { mode: EdgeMode } {
  return { mode: call.floating && !call.awaited ? 'fire_and_forget' : 'sync' };
}

/** What a call site adds: containment by try/catch or a .catch on an awaited call, a transaction. */
function siteGuards(call: CallFact, inner: Guards = {}): Guards {
  const g: Guards = {};
  if ((call.tryCatch?.contains && !call.tryCatch.rethrows) || (call.caught && !call.floating) || inner.fallback) g.fallback = true;
  if (call.inTransaction || inner.transaction) g.transaction = true;
  // raced against a timer: the caller waits no longer than the timer, whatever the call's own timeout
  if (call.racedTimeout !== undefined) {
    g.timeout = true;
    const ms = typeof call.racedTimeout === 'number' ? call.racedTimeout : undefined;
    const own = inner.timeoutMs;
    if (ms !== undefined || own !== undefined) g.timeoutMs = Math.min(ms ?? Infinity, own ?? Infinity);
  }
  return g;
}
