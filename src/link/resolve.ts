// Resolves names, values and call sites to what they denote: a project function, an
// instance of a package class (new PrismaClient(), axios.create()), or a package
// export. Types come from constructor parameters, property types and initializers,
// so `this.prisma.user.create()` resolves through NestJS constructor injection.
import type { CallFact, ClassFact, FileFacts, FunctionFact, Val, VarFact } from '../extract/facts.js';
import type { Instance } from '../packs/types.js';
import { moduleProviders } from './nest-providers.js';
import type { Program } from './program.js';

export type Resolved =
  | { kind: 'inst'; inst: Instance }
  | { kind: 'export'; pkg: string; exportName: string }
  | { kind: 'classInst'; file: string; cls: ClassFact }
  | { kind: 'class'; file: string; cls: ClassFact }
  | { kind: 'fn'; file: string; fn: FunctionFact }
  /** `scope`: the function whose locals the object's values name (an object a factory returns). */
  | { kind: 'obj'; file: string; obj: Record<string, Val>; scope?: FunctionFact }
  | { kind: 'nsFile'; file: string };

export type CallTarget =
  | { kind: 'fn'; file: string; fn: FunctionFact }
  | { kind: 'dep'; pkg: string; instance?: Instance; exportName?: string; member: string[] }
  | { kind: 'unresolved'; reason: string };

const GLOBAL_EXPORTS: Record<string, { pkg: string; exportName: string }> = {
  fetch: { pkg: 'fetch', exportName: 'fetch' },
  setTimeout: { pkg: 'node:timers', exportName: 'setTimeout' },
  setInterval: { pkg: 'node:timers', exportName: 'setInterval' },
};

const GLOBAL_OBJECTS = new Set(['globalThis', 'global', 'window', 'self']);
/** Calls whose callback's first parameter is a client of the receiver: `prisma.$transaction(async (tx) => ...)`, pg-promise `db.tx(async (t) => ...)`. */
const TRANSACTION_CALLBACK = /(^|\.)(\$transaction|transaction|tx|txIf|task|taskIf)$/;
/**
 * Methods whose result is the object they are called on: an EventEmitter's listener methods
 * return the emitter (`createClient({ url }).on('error', log)`), and a client's `connect()`
 * resolves to the client in node-redis and the MongoDB driver (`await new MongoClient(url).connect()`).
 */
const RETURNS_RECEIVER = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'off', 'removeListener', 'removeAllListeners', 'setMaxListeners', 'connect']);

export class Resolver {
  private depth = 0;
  constructor(readonly program: Program) {}

  private facts(file: string): FileFacts | undefined {
    return this.program.files.get(file);
  }

  private classIn(file: string, name: string | undefined): ClassFact | undefined {
    if (!name) return undefined;
    return this.facts(file)?.classes.find((c) => c.name === name);
  }

  /** What `name` means inside function `fn` of `file` (locals, params, closures, module scope, globals). */
  private readonly pyNaming = new Set<string>();

  resolveName(file: string, fn: FunctionFact | undefined, name: string): Resolved | undefined {
    if (this.depth > 40) return undefined;
    // Python rebinds names (`x = wrap(x)`): a name already being resolved in this scope is a cycle
    const pyKey = file.endsWith('.py') ? `${file}#${fn?.id ?? ''}#${name}` : undefined;
    if (pyKey) {
      if (this.pyNaming.has(pyKey)) return undefined;
      this.pyNaming.add(pyKey);
    }
    this.depth++;
    try {
      if (name === 'this') {
        const cls = this.classIn(file, fn?.thisClass);
        return cls ? { kind: 'classInst', file, cls } : undefined;
      }
      // `super.add(data)` in a subclass: the base class's method (what a subclass does not override runs there too)
      if (name === 'super' && !file.endsWith('.py')) {
        const cls = this.classIn(file, fn?.thisClass);
        const base = cls ? this.program.classChain(file, cls).classes[1] : undefined;
        return base ? { kind: 'classInst', file: base.file, cls: base.cls } : undefined;
      }
      for (let cur = fn; cur; cur = cur.parent ? this.program.fn(file, cur.parent) : undefined) {
        if (name in cur.locals) {
          const r = this.resolveValue(file, cur, cur.locals[name]);
          if (r) return r;
        }
        const pi = cur.params.findIndex((p) => p.name === name);
        if (pi >= 0) {
          const p = cur.params[pi];
          if (p.type) {
            const t = this.resolveType(file, p.type, p.decorators, { file, line: cur.line });
            if (t) return t;
          }
          // Python: `db = Depends(get_db)` / `Annotated[Session, Depends(get_db)]` / a `SessionDep` alias — what the dependency returns or yields
          if (file.endsWith('.py')) {
            const dep = this.pyParam(file, cur, p);
            if (dep) return dep;
          }
          // a transaction callback's first parameter is the transaction client of its receiver
          if (cur.inlineOf && pi === 0 && TRANSACTION_CALLBACK.test(cur.inlineOf.call)) {
            const parent = cur.parent ? this.program.fn(file, cur.parent) : undefined;
            const recv = cur.inlineOf.call.split('.').slice(0, -1);
            const db = recv.length ? this.resolveChainValue(file, parent, recv) : undefined;
            // pg-promise's tx/task hand their callback a connection of the database they are called on; elsewhere the names mean other things
            if (db && (/(transaction)$/.test(cur.inlineOf.call) || (db.kind === 'inst' && db.inst.pkg === 'pg-promise'))) return db;
          }
          return undefined;
        }
      }
      const sym = this.program.lookup(file, name);
      if (sym) {
        switch (sym.kind) {
          case 'class':
            return { kind: 'class', file: sym.file, cls: sym.cls };
          case 'fn':
            return { kind: 'fn', file: sym.file, fn: sym.fn };
          case 'var':
            return this.varValue(sym.file, sym.v);
          case 'pkg':
            if (sym.pkg.startsWith('file:')) return { kind: 'nsFile', file: sym.pkg.slice(5) };
            return { kind: 'export', pkg: sym.pkg, exportName: sym.name };
        }
      }
      const g = GLOBAL_EXPORTS[name];
      if (g && !file.endsWith('.py')) return { kind: 'export', ...g };
      return undefined;
    } finally {
      this.depth--;
      if (pyKey) this.pyNaming.delete(pyKey);
    }
  }

  private readonly returning = new Set<string>();

  /** Python: the package object a function's decorator makes of it (`@celery_app.task(...)`, `@shared_task`, `@dramatiq.actor`): typeName is the function id. */
  decoratedInstance(file: string, fn: FunctionFact): Instance | undefined {
    for (const d of fn.decorators) {
      const chain = d.callee ?? [d.name];
      if (!chain.length) continue;
      const base = this.resolveChainValue(file, undefined, chain.length > 1 ? chain.slice(0, -1) : chain);
      const pkg = base?.kind === 'inst' ? base.inst.pkg : base?.kind === 'export' ? base.pkg : undefined;
      if (!pkg) continue;
      return { pkg, ctor: `@${chain.length > 1 ? chain[chain.length - 1] : base?.kind === 'export' ? base.exportName : d.name}`, args: d.args, evidence: { file, line: fn.line }, typeName: fn.id, decorators: [{ name: d.name, args: d.args }] };
    }
    return undefined;
  }

  /** Python: what a function returns or yields (a FastAPI dependency's session, a factory's client). */
  private readonly returnsMemo = new Map<string, Resolved | undefined>();

  returnsOf(file: string, fn: FunctionFact): Resolved | undefined {
    const key = `${file}#${fn.id}`;
    if (this.returnsMemo.has(key)) return this.returnsMemo.get(key);
    if (this.returning.has(key) || (!fn.returns?.length && !fn.returnType)) return undefined;
    this.returning.add(key);
    let out: Resolved | undefined;
    try {
      for (const v of fn.returns ?? []) {
        const r = this.resolveValue(file, fn, v, { file, line: fn.line });
        if (r && (r.kind === 'inst' || r.kind === 'classInst')) {
          out = r;
          break;
        }
        out ??= r;
      }
      // `def get_settings() -> AppSettings: return environments[env]()`: the declared project class
      if (!out && fn.returnType) {
        const t = this.resolveType(file, fn.returnType, [], { file, line: fn.line });
        // TypeScript: a package's class too (`getInstance(): PrismaClient`)
        if (t?.kind === 'classInst' || (t?.kind === 'inst' && !file.endsWith('.py'))) out = t;
      }
      return out;
    } finally {
      this.returning.delete(key);
      this.returnsMemo.set(key, out);
    }
  }

  /** Python parameter: its `Depends(dep)` default, an `Annotated[T, Depends(dep)]` alias, or `Depends()` on its type. */
  private pyParam(file: string, fn: FunctionFact, p: { name: string; type?: string; default?: Val }): Resolved | undefined {
    const dependsOf = (v: Val | undefined): { dep?: Val; bare: boolean } | undefined =>
      v && typeof v === 'object' && 'call' in v && /(^|\.)(Depends|Security)$/.test(v.call) ? { dep: v.args.find((a) => !(a && typeof a === 'object' && 'kwargs' in a)), bare: !v.args.some((a) => !(a && typeof a === 'object' && 'kwargs' in a)) } : undefined;
    let d = dependsOf(p.default);
    let typeName = p.type;
    let typeFile = file;
    if (!d && p.type) {
      // SessionDep = Annotated[Session, Depends(get_db)]
      const sym = this.program.lookup(file, p.type.split('.')[0]);
      const init = sym?.kind === 'var' ? sym.v.init : undefined;
      if (sym?.kind === 'var' && init && typeof init === 'object' && 'call' in init && init.call === 'Annotated') {
        typeFile = sym.file;
        const t = init.args[0];
        typeName = t && typeof t === 'object' && 'ref' in t ? t.ref : undefined;
        d = init.args.slice(1).map(dependsOf).find(Boolean);
        if (!d && typeName) return this.resolveType(typeFile, typeName, [], { file: typeFile, line: sym.v.line });
      }
    }
    if (!d) return undefined;
    if (d.dep) {
      const target = this.resolveValue(typeFile, typeFile === file ? fn : undefined, d.dep);
      if (target?.kind === 'fn') return this.returnsOf(target.file, target.fn);
      if (target?.kind === 'class') return { kind: 'classInst', file: target.file, cls: target.cls };
      return target;
    }
    return typeName ? this.resolveType(typeFile, typeName, [], { file: typeFile, line: fn.line }) : undefined;
  }

  resolveType(file: string, typeName: string, decorators: { name: string; args: Val[] }[], evidence: { file: string; line: number }): Resolved | undefined {
    const head = typeName.split('.')[0];
    const sym = this.program.lookup(file, head);
    // `@Inject('AuthRepository') repo: AuthRepository` typed by an interface: the class a module provides for that token
    if (sym?.kind !== 'class') {
      const provided = this.providedFor(file, decorators);
      if (provided) return provided;
    }
    if (!sym) return undefined;
    if (sym.kind === 'class') return this.instanceOfClass(sym.file, sym.cls, [], evidence);
    if (sym.kind === 'pkg' && sym.pkg.startsWith('file:') && file.endsWith('.py')) {
      // `db: models.Session` / `user: schemas.User` through a module import
      const inner = this.program.lookupExport(sym.pkg.slice(5), typeName.split('.')[1] ?? '');
      if (inner?.kind === 'class') return this.instanceOfClass(inner.file, inner.cls, [], evidence);
      if (inner?.kind === 'pkg' && !inner.pkg.startsWith('file:')) return { kind: 'inst', inst: { pkg: inner.pkg, ctor: inner.name, args: [], evidence, decorators, typeName } };
      return undefined;
    }
    if (sym.kind === 'pkg') {
      const ctor = sym.name === '*' || sym.name === 'default' ? typeName : [sym.name, ...typeName.split('.').slice(1)].join('.');
      return { kind: 'inst', inst: { pkg: sym.pkg, ctor, args: [], evidence, decorators: this.withConstantArgs(file, decorators), typeName } };
    }
    return undefined;
  }

  private providerIndex?: Map<string, { file: string; cls: ClassFact }[]>;

  /**
   * NestJS custom providers: `{ provide: 'AuthRepository', useClass: AuthMongoDBRepository }` in a
   * module's providers, by token (a string, or a constant's value). An `@Inject(token)` parameter
   * gets that class's instance when exactly one class is provided for the token.
   */
  private providedFor(file: string, decorators: { name: string; args: Val[] }[]): Resolved | undefined {
    const inject = decorators.find((d) => d.name === 'Inject');
    if (!inject || file.endsWith('.py')) return undefined;
    const token = tokenKey(this.substitute(file, undefined, inject.args[0] ?? null));
    if (token === undefined) return undefined;
    if (!this.providerIndex) {
      this.providerIndex = new Map();
      for (const f of this.program.files.values()) {
        if (f.file.endsWith('.py')) continue;
        for (const p of moduleProviders(f)) {
          const provide = tokenKey(this.substitute(f.file, undefined, p.provide ?? null));
          if (provide === undefined || !p.useClass) continue;
          const sym = this.program.lookup(f.file, p.useClass);
          if (sym?.kind !== 'class') continue;
          const list = this.providerIndex.get(provide) ?? [];
          if (!list.some((x) => x.file === sym.file && x.cls.name === sym.cls.name)) list.push({ file: sym.file, cls: sym.cls });
          this.providerIndex.set(provide, list);
        }
      }
    }
    const classes = this.providerIndex.get(token);
    return classes?.length === 1 ? { kind: 'classInst', file: classes[0].file, cls: classes[0].cls } : undefined;
  }

  /** `@InjectQueue(DATA_GATHERING_QUEUE)`: a decorator argument naming a constant is read as its value, as packs name resources by it. */
  private withConstantArgs(file: string, decorators: { name: string; args: Val[] }[]): { name: string; args: Val[] }[] {
    if (!decorators.some((d) => d.args.some((a) => a && typeof a === 'object' && 'ref' in a))) return decorators;
    return decorators.map((d) => ({ name: d.name, args: d.args.map((a) => (a && typeof a === 'object' && 'ref' in a ? this.substitute(file, undefined, a) : a)) }));
  }

  /** An instance of a project class; a class extending a package class (PrismaService extends PrismaClient) is that package's instance too. */
  private instanceOfClass(file: string, cls: ClassFact, args: Val[], evidence: { file: string; line: number }): Resolved {
    return { kind: 'classInst', file, cls };
  }

  /** What a module binding holds: its initializer, or the one write that fills an empty `let` (see VarFact.fill). */
  private varValue(file: string, v: VarFact): Resolved | undefined {
    if (v.init) return this.resolveValue(file, undefined, v.init, { file, line: v.line });
    if (!v.fill) return undefined;
    const writer = v.fill.fn === '<module>' ? undefined : this.program.fn(file, v.fill.fn);
    return this.resolveValue(file, writer, v.fill.value, { file, line: v.fill.line });
  }

  /** Thunks whose returns are being resolved (see the memoizing-wrapper case in resolveValue). */
  private readonly thunking = new Set<string>();

  resolveValue(file: string, fn: FunctionFact | undefined, v: Val | undefined, evidence?: { file: string; line: number }): Resolved | undefined {
    if (!v || typeof v !== 'object') return undefined;
    const ev = evidence ?? { file, line: fn?.line ?? 1 };
    if ('new' in v) {
      const chain = v.new.split('.');
      const base = this.resolveName(file, fn, chain[0]);
      if (!base) return undefined;
      if (base.kind === 'export') {
        const ctor = base.exportName === 'default' || base.exportName === '*' ? chain.slice(base.exportName === '*' ? 1 : 0).join('.') : [base.exportName, ...chain.slice(1)].join('.');
        return { kind: 'inst', inst: { pkg: base.pkg, ctor: ctor || base.exportName, args: v.args, evidence: ev } };
      }
      if (base.kind === 'class') return { kind: 'classInst', file: base.file, cls: base.cls };
      if (base.kind === 'nsFile') {
        const sym = this.program.lookupExport(base.file, chain[1] ?? 'default');
        if (sym?.kind === 'class') return { kind: 'classInst', file: sym.file, cls: sym.cls };
      }
      return this.newOfInstance(file, fn, chain, v.args, ev);
    }
    if ('call' in v) {
      // `const { sendMessage } = kafka` with kafka a project object or module: that member
      if (v.call === '.destructure') {
        const base = this.resolveValue(file, fn, v.args[0], evidence);
        return base && typeof v.args[1] === 'string' && (base.kind === 'obj' || base.kind === 'nsFile' || base.kind === 'classInst') ? this.member(base, v.args[1]) : undefined;
      }
      const chain = v.call.split('.');
      // Python: a call on a package value's call result (`Tag.query.filter_by(x=1).first()`) stays that package's value
      if (chain[0] === '()' && v.recv && chain.length > 1 && file.endsWith('.py')) {
        const r = this.resolveValue(file, fn, v.recv, evidence);
        return r?.kind === 'inst' ? { kind: 'inst', inst: { ...r.inst, ctor: `${r.inst.ctor}.${chain.slice(1).join('.')}()`, args: v.args, evidence: ev } } : undefined;
      }
      if (chain[0] === '()' && chain.length === 2 && v.recv && !file.endsWith('.py')) {
        const r = this.resolveValue(file, fn, v.recv, evidence);
        if (RETURNS_RECEIVER.has(chain[1])) return r?.kind === 'inst' || r?.kind === 'classInst' ? r : undefined;
        // `new Kafka(config).producer()`: a factory on the instance just made, as `kafka.producer()` is on a named one
        if (r?.kind === 'inst') return { kind: 'inst', inst: { ...r.inst, ctor: `${r.inst.ctor}.${chain[1]}`, args: v.args, evidence: ev } };
        // `ClickHouseClientManager.getInstance().getClient(opts)`: what the project method makes
        if (r?.kind === 'classInst') {
          const method = this.member(r, chain[1]);
          const made = method?.kind === 'fn' ? this.madeBy(method, v.args, evidence) : undefined;
          return made?.kind === 'inst' || made?.kind === 'classInst' ? made : undefined;
        }
        return undefined;
      }
      // `require('pg-promise')(options)`: what calling the package (or the instance) makes
      if (chain[0] === '()' && chain.length === 1 && v.recv && !file.endsWith('.py')) {
        const r = this.resolveValue(file, fn, v.recv, evidence);
        if (r?.kind === 'export') return { kind: 'inst', inst: { pkg: r.pkg, ctor: r.exportName, args: v.args, evidence: ev } };
        if (r?.kind === 'inst') return { kind: 'inst', inst: { ...r.inst, ctor: `${r.inst.ctor}()`, args: v.args, evidence: ev } };
        return undefined;
      }
      if (chain[0] === '()' || chain[0] === '') return undefined;
      // `require('pg-promise')` as a value: the package's default export (a file's module stays with the linker's imports)
      if (v.call === 'require' && typeof v.args[0] === 'string' && !file.endsWith('.py') && !this.resolveName(file, fn, 'require')) {
        const target = this.program.resolveModule(file, v.args[0]);
        return 'pkg' in target ? { kind: 'export', pkg: target.pkg, exportName: 'default' } : { kind: 'nsFile', file: target.file };
      }
      const base = this.resolveChainValue(file, fn, chain.slice(0, 1));
      if (file.endsWith('.py') && base && base.kind !== 'export') {
        // Python has no `new`: calling a class makes an instance, calling an instance (sessionmaker()) makes what it makes, calling a function gives what it returns
        const target = chain.length > 1 && base.kind !== 'inst' ? this.resolveChainValue(file, fn, chain) : base;
        if (target?.kind === 'class') return { kind: 'classInst', file: target.file, cls: target.cls };
        if (target?.kind === 'inst' && chain.length === 1) return { kind: 'inst', inst: { ...target.inst, ctor: `${target.inst.ctor}()`, args: v.args.length ? v.args : target.inst.args, evidence: ev } };
        if (target?.kind === 'export' && chain.length > 1) return { kind: 'inst', inst: { pkg: target.pkg, ctor: target.exportName, args: v.args, evidence: ev } };
        if (target?.kind === 'inst' && chain.length > 1 && base.kind === 'class') return { kind: 'inst', inst: { ...target.inst, ctor: `${target.inst.ctor}()`, args: v.args, evidence: ev } };
        if (target?.kind === 'fn') return this.returnsOf(target.file, target.fn);
        // `self.r.pipeline()`: a factory on an instance reached through the chain
        if (!target && chain.length > 2) {
          for (let i = chain.length - 1; i >= 2; i--) {
            const prefix = this.resolveChainValue(file, fn, chain.slice(0, i));
            if (prefix?.kind === 'inst') return { kind: 'inst', inst: { ...prefix.inst, ctor: `${prefix.inst.ctor}.${chain.slice(i).join('.')}`, args: v.args, evidence: ev } };
            if (prefix) break;
          }
        }
        // `self.model(...)` in a Django manager, `self.get_queryset()` in a DRF view: what the package base class makes
        if (!target && (base.kind === 'classInst' || base.kind === 'class') && chain.length > 1) {
          const pkgBase = this.program.classChain(base.file, base.cls).pkgBase;
          if (pkgBase) return { kind: 'inst', inst: { pkg: pkgBase.pkg, ctor: `${pkgBase.name}.${chain.slice(1).join('.')}()`, args: v.args, evidence: ev, typeName: base.cls.name } };
        }
      }
      if (base?.kind === 'export') {
        const rest = chain.slice(1);
        const ctor = [base.exportName, ...rest].join('.');
        return { kind: 'inst', inst: { pkg: base.pkg, ctor, args: v.args, evidence: ev } };
      }
      // `const db = pgp(connection)`: an instance that is a function makes what calling it makes
      if (base?.kind === 'inst' && chain.length === 1 && !file.endsWith('.py')) return { kind: 'inst', inst: { ...base.inst, ctor: `${base.inst.ctor}()`, args: v.args, evidence: ev } };
      if (base?.kind === 'inst' && chain.length > 1) {
        // a factory on an instance: axiosInstance.create(...) — keep the package, extend the ctor
        return { kind: 'inst', inst: { ...base.inst, ctor: `${base.inst.ctor}.${chain.slice(1).join('.')}`, args: v.args, evidence: ev } };
      }
      if (base?.kind === 'classInst' && chain.length > 2 && !file.endsWith('.py')) {
        const made = this.callOnMemberInstance(file, fn, chain, v.args, ev);
        if (made) return made;
      }
      if (chain[chain.length - 1] === 'bind' && chain.length > 1) return this.resolveChainValue(file, fn, chain.slice(0, -1));
      // `PrismaClientSingleton.getInstance()`: what a static method makes, or what it declares it returns
      if ((base?.kind === 'class' || base?.kind === 'classInst') && chain.length === 2 && !file.endsWith('.py')) {
        const method = this.member(base, chain[1]);
        if (method?.kind === 'fn' && base.kind === 'class') return this.madeBy(method, v.args, evidence);
        // `this.scope('withDrafts')` in a Sequelize model: a method its package base provides makes that package's value
        if (!method) {
          const pkgBase = this.program.classChain(base.file, base.cls).pkgBase;
          if (pkgBase) return { kind: 'inst', inst: { pkg: pkgBase.pkg, ctor: `${pkgBase.name}.${chain[1]}`, args: v.args, evidence: ev, typeName: base.cls.name } };
        }
      }
      // `remember('prisma', () => new PrismaClient())`: a project helper handed a thunk that makes an
      // instance (a memoizing or global-caching wrapper) gives that instance
      if (base?.kind === 'fn' && !file.endsWith('.py')) {
        // `export const redis = makeRedis()` with `function makeRedis() { return new Redis(url) }`: what the factory makes
        if (chain.length === 1) {
          const made = this.factoryMade(base.file, base.fn, v.args, evidence);
          if (made) return made;
          const wrapped = this.wrappedArgument(base.file, base.fn, v.args);
          if (wrapped) return this.resolveValue(file, fn, wrapped, evidence);
          // `const users = createUserQueries(pool)` with `return { findUserById, insertUser }`: that object, its values read in the factory
          const objects = (base.fn.returns ?? []).filter((r) => r && typeof r === 'object' && 'obj' in r);
          if (objects.length === 1 && base.fn.returns!.length === 1) return { kind: 'obj', file: base.file, obj: (objects[0] as { obj: Record<string, Val> }).obj, scope: base.fn };
        }
        for (const a of v.args) {
          const thunk = a && typeof a === 'object' && 'fn' in a ? this.program.fn(file, a.fn) : undefined;
          if (!thunk || thunk.params.length || !thunk.returns?.length) continue;
          const key = `${file}#${thunk.id}`;
          // `return prisma` inside the thunk that defines it: stop instead of recursing
          if (this.thunking.has(key)) continue;
          this.thunking.add(key);
          try {
            for (const r of thunk.returns) {
              // a call on an instance (`() => anthropic.messages.create(...)` in a retry helper) returns a response, not a client
              if (r && typeof r === 'object' && 'call' in r && this.resolveChainValue(file, thunk, r.call.split('.').slice(0, 1))?.kind !== 'export') continue;
              const made = this.resolveValue(file, thunk, r, evidence);
              if (made?.kind === 'inst' || made?.kind === 'classInst') return made;
            }
          } finally {
            this.thunking.delete(key);
          }
        }
      }
      return undefined;
    }
    if ('ref' in v) return this.resolveChainValue(file, fn, v.ref.split('.'));
    if ('fn' in v) {
      const target = this.program.fn(file, v.fn);
      return target ? { kind: 'fn', file, fn: target } : undefined;
    }
    if ('obj' in v) return { kind: 'obj', file, obj: v.obj, ...(fn ? { scope: fn } : {}) };
    // `globalThis.prisma ?? new PrismaClient()`, `cached || createClient()`, `userId ? this.scope(...) : this`: the operand that makes an instance
    if ('unknown' in v && (v.unknown === 'logical' || v.unknown === 'ConditionalExpression') && v.of) {
      for (const o of v.of) {
        const r = this.resolveValue(file, fn, o, evidence);
        if (r && (r.kind === 'inst' || r.kind === 'classInst')) return r;
      }
    }
    return undefined;
  }

  /**
   * `new this.usersModel(doc)`, `new Order(doc)` with `Order = mongoose.model(...)`: a package
   * instance that is itself a constructor (a Mongoose model) makes one of its own objects (a
   * document). The ctor reads `new <ctor>()`: its pack tells it from the instance it came from,
   * and tests on the end of a ctor (`/(^|\.)model$/`) do not take it for that instance.
   */
  private newOfInstance(file: string, fn: FunctionFact | undefined, chain: string[], args: Val[], ev: { file: string; line: number }): Resolved | undefined {
    const made = this.resolveChainValue(file, fn, chain);
    if (made?.kind !== 'inst') return undefined;
    return { kind: 'inst', inst: { ...made.inst, ctor: `new ${made.inst.ctor}()`, args, evidence: ev } };
  }

  /**
   * `this.usersModel.findOne(...)`: the same factory-on-an-instance value as `Order.findOne(...)`
   * on a module-level instance, reached through a member of a project class (NestJS injection).
   * Marked memberResult: most such results are plain data, and only packs that say so read them.
   */
  private callOnMemberInstance(file: string, fn: FunctionFact | undefined, chain: string[], args: Val[], ev: { file: string; line: number }): Resolved | undefined {
    for (let i = 2; i < chain.length; i++) {
      const prefix = this.resolveChainValue(file, fn, chain.slice(0, i));
      if (prefix?.kind === 'inst') return { kind: 'inst', inst: { ...prefix.inst, ctor: `${prefix.inst.ctor}.${chain.slice(i).join('.')}`, args, evidence: ev, memberResult: true } };
      if (prefix?.kind !== 'classInst') return undefined;
    }
    return undefined;
  }

  /** Factories whose instance is being worked out: `function f() { const x = f(); return x; }` stops. */
  private readonly making = new Set<string>();

  /**
   * The instance a project factory makes: a returned `new X(...)`, or what fills a binding it returns
   * (extract keeps only a `new` or a call of a plain name there). That call must be another project
   * factory (`cached = createQueue('events')`): a package call may give a response (`fetch(url)`).
   */
  private factoryMade(file: string, fn: FunctionFact, callArgs: Val[], evidence: { file: string; line: number } | undefined): Resolved | undefined {
    const key = `${file}#${fn.id}`;
    if (this.making.has(key)) return undefined;
    this.making.add(key);
    try {
      for (const r of fn.returns ?? []) {
        // a returned call is a package factory (`const client = createClient({ url }); return client`), a factory on a
        // client (`kafka.producer()`: the extractor keeps only unawaited ones) or another project factory; what a
        // package call gave once awaited is its result (`const page = await got(url); return page`), not a client
        if (!r || typeof r !== 'object' || !('new' in r || 'call' in r)) continue;
        if ('call' in r && r.awaited && !this.isProjectFunction(file, fn, r.call)) continue;
        const made = this.resolveValue(file, fn, r, evidence);
        if (made?.kind === 'inst') return { kind: 'inst', inst: { ...made.inst, args: withCallerArgs(made.inst.args, fn, callArgs) } };
        if (made?.kind === 'classInst') return made;
      }
      return undefined;
    } finally {
      this.making.delete(key);
    }
  }

  /**
   * `catchAsync(async (req, res) => ...)` with `const catchAsync = (fn) => (req, res, next) => { fn(req, res, next).catch(next) }`:
   * a project wrapper returns a closure that calls the function it was given, so what the call makes
   * runs that function. The argument at the parameter the closure calls, when there is one such
   * closure; otherwise (the parameter is stored, passed on, or never called) undefined.
   */
  private wrappedArgument(file: string, wrapper: FunctionFact, callArgs: Val[]): Val | undefined {
    const key = `${file}#${wrapper.id}`;
    let index = this.wrappedParamMemo.get(key);
    if (index === undefined) this.wrappedParamMemo.set(key, (index = this.wrappedParam(file, wrapper)));
    const arg = index >= 0 ? callArgs[index] : undefined;
    return arg && typeof arg === 'object' && ('fn' in arg || 'ref' in arg) ? arg : undefined;
  }

  private readonly wrappedParamMemo = new Map<string, number>();

  /** The index of the parameter a wrapper's one returned closure calls, or -1. */
  private wrappedParam(file: string, wrapper: FunctionFact): number {
    const facts = this.facts(file);
    if (!facts || !wrapper.params.length) return -1;
    const closures = facts.functions.filter((f) => f.parent === wrapper.id && !f.inlineOf && !f.carriedBy);
    if (closures.length !== 1) return -1;
    const closure = closures[0];
    const names = new Set(closure.params.map((p) => p.name));
    const called = new Set<number>();
    for (const c of facts.calls) {
      if (c.fn !== closure.id || c.root) continue;
      const name = c.callee.length === 1 || (c.callee.length === 2 && (c.callee[1] === 'call' || c.callee[1] === 'apply')) ? c.callee[0] : undefined;
      const index = name && !names.has(name) && !(name in closure.locals) ? wrapper.params.findIndex((p) => p.name === name) : -1;
      if (index >= 0) called.add(index);
    }
    return called.size === 1 ? [...called][0] : -1;
  }

  /** What a project method makes (a factory's instance) or, failing that, returns or declares it returns. */
  private madeBy(method: { file: string; fn: FunctionFact }, args: Val[], evidence: { file: string; line: number } | undefined): Resolved | undefined {
    return this.factoryMade(method.file, method.fn, args, evidence) ?? this.returnsOf(method.file, method.fn);
  }

  private isProjectFunction(file: string, fn: FunctionFact, name: string): boolean {
    return /^[\w$]+$/.test(name) && this.resolveName(file, fn, name)?.kind === 'fn';
  }

  /**
   * `getQueue().add(job)`: what the project factory `getQueue` makes, when it makes an instance;
   * `getAuth().verifyIdToken(token)`: what a package function returns, an instance of that package
   * (firebase-admin's modular API, `getFirestore()`, `axios.create()`-style factories called inline).
   */
  private callResult(file: string, fn: FunctionFact | undefined, name: string, line: number): Resolved | undefined {
    if (name.includes('.')) {
      // `TraceUpsertQueue.getInstance()`: a project class's static factory — what it makes, or declares it returns
      const chain = name.split('.');
      const owner = this.resolveName(file, fn, chain[0]);
      const method = owner?.kind === 'class' ? this.member(owner, chain[1]) : undefined;
      if (method?.kind !== 'fn') return undefined;
      const made = this.madeBy(method, [], { file: method.file, line: method.fn.line });
      return made?.kind === 'inst' || made?.kind === 'classInst' ? made : undefined;
    }
    const base = this.resolveName(file, fn, name);
    if (base?.kind === 'export') return { kind: 'inst', inst: { pkg: base.pkg, ctor: base.exportName, args: [], evidence: { file, line } } };
    return base?.kind === 'fn' ? this.factoryMade(base.file, base.fn, [], { file: base.file, line: base.fn.line }) : undefined;
  }

  /** Resolves a member chain used as a value: this.prisma, config.db.pool, svc.method. */
  resolveChainValue(file: string, fn: FunctionFact | undefined, chain: string[]): Resolved | undefined {
    let cur = this.resolveName(file, fn, chain[0]);
    for (let i = 1; i < chain.length && cur; i++) {
      const next = this.member(cur, chain[i]);
      // Python: a class attribute its package base provides (`res = Article.query`, `qs = Order.objects`) is a package value, as in a call on it
      if (!next && cur.kind === 'class' && file.endsWith('.py')) {
        const pkgBase = this.program.classChain(cur.file, cur.cls).pkgBase;
        if (pkgBase) return { kind: 'inst', inst: { pkg: pkgBase.pkg, ctor: [pkgBase.name, ...chain.slice(i)].join('.'), args: [], evidence: { file: cur.file, line: cur.cls.line }, typeName: cur.cls.name } };
      }
      cur = next;
    }
    return cur;
  }

  private member(base: Resolved, name: string): Resolved | undefined {
    switch (base.kind) {
      case 'classInst': {
        const { classes, pkgBase } = this.program.classChain(base.file, base.cls);
        for (const { file, cls } of classes) {
          const fact = this.facts(file);
          const method = fact?.functions.find((f) => f.className === cls.name && f.name === name);
          // Python: reading a @property runs it — `self.connection.fetch(...)` is a call on what it returns
          if (method && file.endsWith('.py') && method.decorators.some((d) => d.name === 'property' || d.name === 'cached_property')) return this.returnsOf(file, method) ?? (method.returnType ? this.resolveType(file, method.returnType, [], { file, line: method.line }) : undefined);
          // `get pool() { return this._pool }`: reading the accessor gives what it returns
          if (method?.getter) return this.returnsOf(file, method);
          if (method) return { kind: 'fn', file, fn: method };
          const ctorFn = fact?.functions.find((f) => f.className === cls.name && f.name === 'constructor');
          const paramIndex = cls.ctorParams.findIndex((p) => p.name === name);
          const param = cls.ctorParams[paramIndex];
          if (param?.type) {
            const typed = this.resolveType(file, param.type, param.decorators, { file, line: ctorFn?.line ?? cls.line });
            if (typed) return typed;
          }
          if (param) {
            // manual DI: `new AiChatService(repo, anthropicClient)` — the argument at that position
            const fromNew = this.constructorArg(file, cls, paramIndex);
            if (fromNew) return fromNew;
            return undefined;
          }
          const prop = cls.props.find((p) => p.name === name && p.init !== undefined) ?? cls.props.find((p) => p.name === name);
          if (prop) {
            const fromInit = prop.init !== undefined ? this.resolveValue(file, ctorFn ?? ({ thisClass: cls.name, locals: {}, params: [] } as unknown as FunctionFact), prop.init, { file, line: prop.line }) : undefined;
            // `private _provider: BaseJobProvider` filled in the constructor from something unresolvable, or from a
            // package's value (`match(env(...)).with(...)`, ts-pattern): the declared project type says more
            const typed = prop.type ? prop : cls.props.find((p) => p.name === name && p.type);
            if (fromInit && (fromInit.kind !== 'inst' || !typed?.type)) return fromInit;
            const declared = typed?.type ? this.resolveType(file, typed.type, typed.decorators, { file, line: typed.line }) : undefined;
            if (fromInit && declared?.kind !== 'classInst') return fromInit;
            return declared;
          }
        }
        if (pkgBase) {
          const evidence = { file: base.file, line: base.cls.line };
          return this.member({ kind: 'inst', inst: { pkg: pkgBase.pkg, ctor: pkgBase.name, args: [], evidence } }, name);
        }
        return undefined;
      }
      case 'obj': {
        const v = base.obj[name];
        return v === undefined ? undefined : this.resolveValue(base.file, base.scope, v);
      }
      case 'nsFile': {
        const sym = this.program.lookupExport(base.file, name);
        if (!sym) return undefined;
        if (sym.kind === 'fn') return { kind: 'fn', file: sym.file, fn: sym.fn };
        if (sym.kind === 'class') return { kind: 'class', file: sym.file, cls: sym.cls };
        if (sym.kind === 'var') return this.varValue(sym.file, sym.v);
        if (sym.kind === 'pkg' && sym.pkg.startsWith('file:')) return { kind: 'nsFile', file: sym.pkg.slice(5) };
        if (sym.kind === 'pkg') return { kind: 'export', pkg: sym.pkg, exportName: sym.name };
        return undefined;
      }
      case 'class':
        // Python: class attributes and classmethods are read on the class itself (`User.objects`, `Settings.model_config`);
        // TypeScript: static methods and properties (`UserService.find(id)`, `PrismaClientSingleton.instance`) — the
        // compiler allows only static members there, so a member of that name is the static one
        return this.member({ kind: 'classInst', file: base.file, cls: base.cls }, name);
      case 'export':
      case 'inst':
      case 'fn':
        // members of package values stay symbolic: the call classifier sees the path
        return undefined;
    }
  }

  /**
   * The literal-ish value a reference holds (a string, an env read, a template), so
   * that `${this.issuer}/token` names its host. Undefined when not statically known.
   */
  evalRef(file: string, fn: FunctionFact | undefined, chain: string[], depth = 0): Val | undefined {
    if (depth > 4 || chain.length === 0) return undefined;
    const [head, ...rest] = chain;
    let v: Val | undefined;
    let vFile = file;
    if (head === 'this' && rest.length) {
      const cls = this.classIn(file, fn?.thisClass);
      const prop = cls?.props.find((p) => p.name === rest[0] && p.init !== undefined);
      if (!prop) return undefined;
      return this.navigate(file, prop.init, rest.slice(1), depth);
    }
    for (let cur = fn; cur; cur = cur.parent ? this.program.fn(file, cur.parent) : undefined) {
      if (head in cur.locals) return this.navigate(file, cur.locals[head], rest, depth);
    }
    const sym = this.program.lookup(file, head);
    if (sym?.kind === 'var') {
      v = sym.v.init;
      vFile = sym.file;
    }
    return v === undefined ? undefined : this.navigate(vFile, v, rest, depth);
  }

  private navigate(file: string, v: Val | undefined, rest: string[], depth: number): Val | undefined {
    let cur = v;
    for (const k of rest) {
      if (cur && typeof cur === 'object' && 'obj' in cur) cur = cur.obj[k];
      else if (cur && typeof cur === 'object' && ('call' in cur || 'ref' in cur) && file.endsWith('.py')) {
        // Python: `settings.API_V1_STR` with `settings = Settings()` — the class attribute's default
        const inst = this.resolveValue(file, undefined, cur);
        const prop = inst?.kind === 'classInst' ? inst.cls.props.find((p) => p.name === k && p.init !== undefined) : undefined;
        if (!prop || inst?.kind !== 'classInst') return undefined;
        cur = prop.init;
        file = inst.file;
      } else return undefined;
    }
    if (cur && typeof cur === 'object' && 'ref' in cur) return this.evalRef(file, undefined, cur.ref.split('.'), depth + 1);
    // `delete: \`/${usersRoot}/:id\``: its parts name bindings of the module that defines it, read there
    if (cur && typeof cur === 'object' && ('tpl' in cur || 'concat' in cur) && depth < 3) return this.substitute(file, undefined, cur, 1);
    return cur;
  }

  /** Replaces references inside a value by what they hold, where known (two levels deep). */
  substitute(file: string, fn: FunctionFact | undefined, v: Val, depth = 0): Val {
    if (!v || typeof v !== 'object' || depth > 2) return v;
    if ('ref' in v) return this.evalRef(file, fn, v.ref.split('.')) ?? v;
    if ('tpl' in v) return { tpl: v.tpl, parts: v.parts.map((p) => this.substitute(file, fn, p, depth + 1)) };
    if ('concat' in v) return { concat: v.concat.map((p) => this.substitute(file, fn, p, depth + 1)) };
    if ('obj' in v) {
      const obj: Record<string, Val> = {};
      for (const [k, x] of Object.entries(v.obj)) obj[k] = this.substitute(file, fn, x, depth + 1);
      return { ...v, obj };
    }
    return v;
  }

  private newSites?: Map<string, { file: string; call: CallFact }[]>;

  /** What the only (or every, when they agree) `new C(...)` in the project passes at a position. */
  private readonly ctorArgMemo = new Map<string, Resolved | undefined>();
  private readonly ctorArgBusy = new Set<string>();

  private constructorArg(file: string, cls: ClassFact, index: number): Resolved | undefined {
    // memoized: the same constructor parameter is asked for at every use of the member
    const key = `${file}#${cls.name}#${cls.line}#${index}`;
    if (this.ctorArgMemo.has(key)) return this.ctorArgMemo.get(key);
    if (this.ctorArgBusy.has(key)) return undefined;
    this.ctorArgBusy.add(key);
    try {
      const r = this.constructorArgUncached(file, cls, index);
      this.ctorArgMemo.set(key, r);
      return r;
    } finally {
      this.ctorArgBusy.delete(key);
    }
  }

  private constructorArgUncached(file: string, cls: ClassFact, index: number): Resolved | undefined {
    if (!this.newSites) {
      this.newSites = new Map();
      for (const f of this.program.files.values()) for (const c of f.calls) {
        if ((!c.isNew && !f.file.endsWith('.py')) || !c.callee.length || c.root) continue;
        const last = c.callee[c.callee.length - 1];
        let list = this.newSites.get(last);
        if (!list) this.newSites.set(last, (list = []));
        list.push({ file: f.file, call: c });
      }
    }
    let found: Resolved | undefined;
    for (const site of this.newSites.get(cls.name) ?? []) {
      const target = this.resolveName(site.file, site.call.fn === '<module>' ? undefined : this.program.fn(site.file, site.call.fn), site.call.callee[0]);
      if (target?.kind !== 'class' || target.cls !== cls) continue;
      const arg = site.call.args[index];
      const r = arg === undefined ? undefined : this.resolveValue(site.file, site.call.fn === '<module>' ? undefined : this.program.fn(site.file, site.call.fn), arg);
      if (!r) continue;
      if (found && JSON.stringify(kindKey(found)) !== JSON.stringify(kindKey(r))) return undefined; // sites disagree: unknown
      found = r;
    }
    void file;
    return found;
  }

  /** The target of a call site. */
  resolveCall(file: string, call: CallFact): CallTarget {
    const fn = call.fn === '<module>' ? undefined : this.program.fn(file, call.fn);
    const chain = call.callee;
    // `getQueue().add(job)` on what a project factory makes; any other call on a call result stays dynamic
    const made = call.root === 'call' && call.recv && chain.length > 1 && !file.endsWith('.py') ? this.callResult(file, fn, call.recv, call.line) : undefined;
    if (!made && (call.root === 'call' || call.root === 'other' || chain.length === 0)) return { kind: 'unresolved', reason: 'dynamic callee' };
    // `globalThis.fetch(url)`, `global.setInterval(...)`: the global itself, unless the project names its own `globalThis`
    const viaGlobal = !made && chain.length > 1 && GLOBAL_OBJECTS.has(chain[0]) && GLOBAL_EXPORTS[chain[1]] && !file.endsWith('.py') && !this.resolveName(file, fn, chain[0]);
    let cur = made ?? (viaGlobal ? { kind: 'export' as const, ...GLOBAL_EXPORTS[chain[1]] } : this.resolveName(file, fn, chain[0]));
    if (!cur) return { kind: 'unresolved', reason: `unknown name ${chain[0]}` };
    for (let i = viaGlobal ? 2 : 1; i < chain.length; i++) {
      if (cur.kind === 'inst') return { kind: 'dep', pkg: cur.inst.pkg, instance: cur.inst, member: chain.slice(i) };
      if (cur.kind === 'export') return { kind: 'dep', pkg: cur.pkg, exportName: cur.exportName, member: chain.slice(i) };
      if (cur.kind === 'fn' && file.endsWith('.py')) {
        // Python: an attribute of a decorated function is the decorator's object — `send_email.delay(...)` on a Celery task
        const task = this.decoratedInstance(cur.file, cur.fn);
        if (task) return { kind: 'dep', pkg: task.pkg, instance: task, member: chain.slice(i) };
      }
      const next: Resolved | undefined = this.member(cur, chain[i]);
      if (!next) {
        if (cur.kind === 'classInst' || cur.kind === 'class') {
          // a class attribute of a model class (`Order.objects.filter`) and a static method a package base provides
          // (Sequelize `Document.findAll()` on `class Document extends Model`) go to its package base too
          const pkgBase = this.program.classChain(cur.file, cur.cls).pkgBase;
          if (pkgBase) return { kind: 'dep', pkg: pkgBase.pkg, instance: { pkg: pkgBase.pkg, ctor: pkgBase.name, args: [], evidence: { file: cur.file, line: cur.cls.line }, ...(file.endsWith('.py') ? { typeName: cur.cls.name } : {}) }, member: chain.slice(i) };
        }
        return { kind: 'unresolved', reason: `unknown member ${chain.slice(0, i + 1).join('.')}` };
      }
      cur = next;
    }
    switch (cur.kind) {
      case 'fn':
        return { kind: 'fn', file: cur.file, fn: cur.fn };
      case 'inst':
        return { kind: 'dep', pkg: cur.inst.pkg, instance: cur.inst, member: [] };
      case 'export':
        return { kind: 'dep', pkg: cur.pkg, exportName: cur.exportName, member: [] };
      case 'class': {
        const ctor = this.facts(cur.file)?.functions.find((f) => f.className === cur.cls.name && f.name === 'constructor');
        return ctor ? { kind: 'fn', file: cur.file, fn: ctor } : { kind: 'unresolved', reason: 'constructor' };
      }
      case 'classInst': {
        // `super(topic, client)`: the base class's constructor
        const ctor = chain.length === 1 && chain[0] === 'super' ? this.facts(cur.file)?.functions.find((f) => f.className === cur.cls.name && f.name === 'constructor') : undefined;
        return ctor ? { kind: 'fn', file: cur.file, fn: ctor } : { kind: 'unresolved', reason: 'not callable' };
      }
      default:
        return { kind: 'unresolved', reason: 'not callable' };
    }
  }
}

/**
 * A factory's instance with the caller's literal arguments in place of the factory's parameters it
 * names (`createQueue('emails')` making `new Queue(name, opts)` is the 'emails' queue). Only
 * literals: a reference in the caller's scope would be read in the factory's.
 */
function withCallerArgs(args: Val[], fn: FunctionFact, callArgs: Val[]): Val[] {
  return args.map((a) => {
    if (!a || typeof a !== 'object' || !('ref' in a) || a.ref in fn.locals) return a;
    const given = callArgs[fn.params.findIndex((p) => p.name === a.ref)];
    return typeof given === 'string' || typeof given === 'number' || typeof given === 'boolean' ? given : a;
  });
}

/**
 * A NestJS injection token as a key: a string, or `Symbol('USER_REPOSITORY')` by its description
 * (two symbols of one description are distinct at run time; providedFor takes a token only when
 * one class is provided for it).
 */
function tokenKey(v: Val): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && 'call' in v && v.call === 'Symbol' && typeof v.args[0] === 'string') return `Symbol(${v.args[0]})`;
  return undefined;
}

function kindKey(r: Resolved): string {
  switch (r.kind) {
    case 'inst':
      return `inst:${r.inst.pkg}:${r.inst.ctor}`;
    case 'export':
      return `export:${r.pkg}:${r.exportName}`;
    case 'fn':
      return `fn:${r.file}#${r.fn.id}`;
    case 'obj':
      return `obj:${r.file}:${Object.keys(r.obj).join(',')}`;
    case 'nsFile':
      return `ns:${r.file}`;
    default:
      return `${r.kind}:${r.file}:${r.cls.name}`;
  }
}
