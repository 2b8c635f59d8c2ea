import { constantString, isObj, valToString, type CallFact, type ClassFact, type FileFacts, type Val } from '../../extract/facts.js';
import { moduleProviders } from '../../link/nest-providers.js';
import { configSetting } from '../_lib/nest-config.js';
import type { EntrypointDef, EntrypointLink, TechPack } from '../types.js';

const METHOD_DECORATORS: Record<string, string> = { Get: 'GET', Post: 'POST', Put: 'PUT', Patch: 'PATCH', Delete: 'DELETE', Options: 'OPTIONS', Head: 'HEAD', All: 'ALL' };
const GRAPHQL_OPERATIONS: Record<string, string> = { Query: 'QUERY', Mutation: 'MUTATION', Subscription: 'SUBSCRIPTION' };
const PUBLIC_DECORATORS = /^(Public|SkipAuth|AllowAnonymous|IsPublic|NoAuth|Anonymous|SkipJwt)$/;

export function joinPath(...parts: (string | undefined)[]): string {
  const joined = parts.filter((p) => p !== undefined && p !== '').map((p) => p!.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/');
  // `{id}` → `:id`; a named wildcard segment (`*path`, Express 5 / path-to-regexp 8) → `:path*`
  return '/' + joined.replace(/\{([^}]+)\}/g, ':$1').replace(/(^|\/)\*([A-Za-z_]\w*)(?=\/|$)/g, '$1:$2*');
}

/**
 * A controller's or a route's path: a literal, `{ path }`, the first of a list, or a constant the
 * module imports (`@Controller(routesV1.version)`, `@Delete(routesV1.user.delete)` with
 * `delete: \`/${usersRoot}/:id\``).
 */
function pathArg(v: Val | undefined, evaluate: (v: Val) => Val = (x) => x): string | undefined {
  if (typeof v === 'string') return v;
  if (isObj(v)) return pathArg(v.obj.path, evaluate);
  if (v && typeof v === 'object' && 'arr' in v) return pathArg(v.arr[0], evaluate);
  if (v && typeof v === 'object' && ('ref' in v || 'tpl' in v || 'concat' in v)) {
    const value = evaluate(v);
    return constantString(value);
  }
  return undefined;
}

/** NestJS modules name components: OrgMembersModule → org-members. */
export function moduleComponentName(className: string): string {
  return className.replace(/Module$/, '').replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase() || 'app';
}

type Guard = { file: string; fn: string; guard: string };

function guardsOf(decorators: { name: string; args: Val[] }[], f: FileFacts, link: EntrypointLink): Guard[] {
  const out: Guard[] = [];
  for (const d of decorators) {
    if (d.name !== 'UseGuards') continue;
    for (const a of d.args) {
      // `@UseGuards(AuthGuard('jwt'))`: @nestjs/passport's guard runs the strategy registered under that name
      if (a && typeof a === 'object' && 'call' in a && a.call === 'AuthGuard') {
        out.push(...strategyGuard(link, valToString(a.args[0]) ?? 'default'));
        continue;
      }
      const name = a && typeof a === 'object' && 'ref' in a ? a.ref : a && typeof a === 'object' && 'new' in a ? a.new : undefined;
      if (name) out.push(...guardClass(link, f.file, name));
    }
  }
  return out;
}

/** A guard class: its canActivate, and for `class JwtAuthGuard extends AuthGuard('jwt')` the passport strategy it runs. */
function guardClass(link: EntrypointLink, file: string, name: string): Guard[] {
  const def = link.definitionOf(file, name);
  const gf = def && link.facts(def.file);
  if (!def || !gf) return [];
  const out: Guard[] = [];
  const fn = gf.functions.find((x) => x.className === def.name && x.name === 'canActivate');
  if (fn) out.push({ file: def.file, fn: fn.id, guard: def.name });
  const sup = gf.classes.find((c) => c.name === def.name)?.superCall;
  if (sup?.callee === 'AuthGuard') out.push(...strategyGuard(link, valToString(sup.args[0]) ?? 'default'));
  return out;
}

/** The name a passport strategy registers without one of its own (`PassportStrategy(Strategy)`), by the package of its Strategy. */
const STRATEGY_NAMES: Record<string, string> = {
  'passport-jwt': 'jwt', 'passport-local': 'local', 'passport-http-bearer': 'bearer', 'passport-headerapikey': 'headerapikey', 'passport-google-oauth20': 'google',
  'passport-github2': 'github', 'passport-github': 'github', 'passport-facebook': 'facebook', 'passport-anonymous': 'anonymous', 'passport-custom': 'custom',
};

/**
 * `class JwtStrategy extends PassportStrategy(Strategy, 'jwt') { validate(payload) {...} }`: what an
 * AuthGuard('jwt') runs before the handler — its validate() (a user lookup there is on every guarded route).
 */
function strategyGuard(link: EntrypointLink, name: string): Guard[] {
  const out: Guard[] = [];
  for (const f of link.allFiles()) {
    for (const cls of f.classes) {
      if (cls.superCall?.callee !== 'PassportStrategy') continue;
      const strategy = cls.superCall.args[0];
      const ref = strategy && typeof strategy === 'object' && 'ref' in strategy ? strategy.ref.split('.')[0] : undefined;
      const pkg = ref ? f.imports.find((i) => i.names.some((n) => n.local === ref))?.source : undefined;
      const own = valToString(cls.superCall.args[1]) ?? (pkg ? STRATEGY_NAMES[pkg] : undefined);
      if (own !== name) continue;
      const validate = f.functions.find((x) => x.className === cls.name && x.name === 'validate');
      if (validate) out.push({ file: f.file, fn: validate.id, guard: cls.name });
    }
  }
  return out;
}

/** Global guards: { provide: APP_GUARD, useClass: X } in a module, or app.useGlobalGuards(new X()). */
function globalGuards(files: FileFacts[], link: EntrypointLink): { file: string; fn: string; guard: string }[] {
  const out: { file: string; fn: string; guard: string }[] = [];
  const add = (file: string, name: string | undefined) => {
    if (!name) return;
    for (const g of guardClass(link, file, name)) if (!out.some((o) => o.guard === g.guard)) out.push(g);
  };
  for (const f of files) {
    for (const p of moduleProviders(f)) if (p.provide && typeof p.provide === 'object' && 'ref' in p.provide && p.provide.ref === 'APP_GUARD') add(f.file, p.useClass);
    for (const c of f.calls) {
      if (c.callee[c.callee.length - 1] !== 'useGlobalGuards') continue;
      for (const a of c.args) add(f.file, a && typeof a === 'object' && 'new' in a ? a.new : undefined);
    }
  }
  return out;
}

interface GlobalPrefix {
  prefix?: string;
  /** Controller paths the prefix is not applied to (`setGlobalPrefix('api', { exclude: ['/', 'health'] })`). */
  exclude: Set<string>;
}

const trimSlashes = (p: string) => p.replace(/^\/+|\/+$/g, '');

/**
 * `app.setGlobalPrefix(...)`: a literal, an environment variable with its fallback
 * (`process.env.API_PREFIX || 'api'`, read from the repository's .env files), or a ConfigService
 * key (`configService.get('app.apiPrefix')`) whose namespace a `registerAs('app', () => ({ ... }))`
 * factory returns. A prefix that cannot be worked out is left out (the routes keep their own path).
 */
function globalPrefix(f: FileFacts, c: CallFact, files: FileFacts[], link: EntrypointLink): GlobalPrefix | undefined {
  if (c.callee[c.callee.length - 1] !== 'setGlobalPrefix') return undefined;
  const fromFn = c.fn === '<module>' ? undefined : c.fn;
  const prefix = settingValue(files, link, f.file, link.evaluate(f.file, c.args[0], fromFn), 0);
  const opts = c.args[1];
  const exclude = new Set<string>();
  const list = isObj(opts) ? opts.obj.exclude : undefined;
  for (const e of list && typeof list === 'object' && 'arr' in list ? list.arr : []) {
    const path = isObj(e) ? valToString(e.obj.path) : valToString(e);
    if (path !== undefined) exclude.add(trimSlashes(path));
  }
  return { prefix, exclude };
}

interface AppSettings {
  global: GlobalPrefix;
  versioning: Versioning;
}

/**
 * What an app's bootstrap sets (`app.setGlobalPrefix`, `app.enableVersioning`) holds for that app
 * only: in a monorepo of several Nest apps (an API, a webhook receiver, a worker) each package
 * has its own. The first call of each kind in a package counts. A package that makes no app of
 * its own (`NestFactory.create`), a library of shared controllers, takes the settings of the one
 * package that sets any; with several, they stay unknown and its routes keep their own paths.
 */
function appSettings(files: FileFacts[], link: EntrypointLink): (file: string) => AppSettings {
  const packageOf = link.packageOf ?? (() => '');
  const none: AppSettings = { global: { exclude: new Set() }, versioning: { paths: 'none' } };
  const byPackage = new Map<string, Partial<AppSettings>>();
  const apps = new Set<string>();
  for (const f of files) {
    const root = packageOf(f.file);
    for (const c of f.calls) {
      if (c.callee.length >= 2 && c.callee[c.callee.length - 2] === 'NestFactory' && c.callee[c.callee.length - 1] === 'create') apps.add(root);
      const global = globalPrefix(f, c, files, link);
      const versioning = global ? undefined : versioningOf(f, c, link);
      if (!global && !versioning) continue;
      const set = byPackage.get(root) ?? {};
      if (global) set.global ??= global;
      if (versioning) set.versioning ??= versioning;
      byPackage.set(root, set);
    }
  }
  const full = (set: Partial<AppSettings>): AppSettings => ({ global: set.global ?? none.global, versioning: set.versioning ?? none.versioning });
  const only = byPackage.size === 1 ? full([...byPackage.values()][0]) : none;
  return (file) => {
    const root = packageOf(file);
    const own = byPackage.get(root);
    return own ? full(own) : apps.has(root) ? none : only;
  };
}

const NEUTRAL = 'neutral';

/** A version as written: `'2'`, `['1', '2']` (the first: the route answers on each), or VERSION_NEUTRAL. */
function versionOf(v: Val | undefined): string | undefined {
  if (v && typeof v === 'object' && 'ref' in v && /(^|\.)VERSION_NEUTRAL$/.test(v.ref)) return NEUTRAL;
  if (v && typeof v === 'object' && 'arr' in v) return versionOf(v.arr[0]);
  return valToString(v);
}

/** How versions reach paths: `uri` puts them there, `none` keeps them out, `unknown` (options the scan cannot read) keeps declared ones. */
interface Versioning {
  paths: 'uri' | 'none' | 'unknown';
  defaultVersion?: string;
}

/**
 * `app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' })`: every route without a
 * version of its own answers under `/v1`. Header and media-type versioning leave paths alone, and
 * without enableVersioning Nest ignores @Version altogether.
 */
function versioningOf(f: FileFacts, c: CallFact, link: EntrypointLink): Versioning | undefined {
  if (c.callee[c.callee.length - 1] !== 'enableVersioning') return undefined;
  const opts = c.args[0];
  // enableVersioning() with no options is URI versioning
  if (opts === undefined) return { paths: 'uri' };
  if (!isObj(opts)) return { paths: 'unknown' };
  const type = opts.obj.type;
  if (!(type && typeof type === 'object' && 'ref' in type)) return { paths: 'unknown' };
  if (!/(^|\.)URI$/.test(type.ref)) return { paths: 'none' };
  const v = versionOf(link.evaluate(f.file, opts.obj.defaultVersion ?? null, c.fn === '<module>' ? undefined : c.fn));
  return { paths: 'uri', ...(v && v !== NEUTRAL ? { defaultVersion: v } : {}) };
}

function settingValue(files: FileFacts[], link: EntrypointLink, file: string, v: Val, depth: number): string | undefined {
  if (typeof v === 'string') return v;
  if (depth > 2 || !v || typeof v !== 'object') return undefined;
  if ('env' in v) return link.env?.(v.env) ?? (typeof v.default === 'string' ? v.default : undefined);
  const found = configSetting(files, link, v);
  if (!found) return undefined;
  // a bare key is the environment variable itself: no hop to count
  return found.file ? settingValue(files, link, found.file, found.value, depth + 1) : settingValue(files, link, file, found.value, depth);
}

function isPublic(cls: ClassFact, methodDecorators: { name: string }[]): boolean {
  return [...cls.decorators, ...methodDecorators].some((d) => PUBLIC_DECORATORS.test(d.name));
}

const pack: TechPack = {
  id: 'nestjs',
  title: 'NestJS',
  upstreamDocs: ['https://docs.nestjs.com/controllers', 'https://docs.nestjs.com/guards', 'https://docs.nestjs.com/faq/global-prefix', 'https://docs.nestjs.com/techniques/versioning', 'https://docs.nestjs.com/graphql/resolvers', 'https://docs.nestjs.com/graphql/subscriptions'],
  packages: ['@nestjs/common', '@nestjs/core', '@nestjs/graphql'],
  entrypoints(files, link) {
    const settingsOf = appSettings(files, link);
    const globals = globalGuards(files, link);
    const out: EntrypointDef[] = [];
    for (const f of files) {
      const { global, versioning } = settingsOf(f.file);
      for (const cls of f.classes) {
        const ctrl = cls.decorators.find((d) => d.name === 'Controller');
        if (!ctrl) continue;
        const evaluate = (v: Val) => link.evaluate(f.file, v);
        const base = pathArg(ctrl.args[0], evaluate);
        const ctrlVersion = (isObj(ctrl.args[0]) ? versionOf(ctrl.args[0].obj.version) : undefined) ?? versioning.defaultVersion;
        for (const fn of f.functions) {
          if (fn.className !== cls.name) continue;
          for (const d of fn.decorators) {
            const method = METHOD_DECORATORS[d.name];
            if (!method) continue;
            const declared = versionOf(fn.decorators.find((x) => x.name === 'Version')?.args[0]) ?? ctrlVersion;
            const version = declared === NEUTRAL || versioning.paths === 'none' ? undefined : declared;
            const own = joinPath(base, pathArg(d.args[0], evaluate));
            const prefix = global.exclude.has(trimSlashes(own)) ? undefined : global.prefix;
            const path = joinPath(prefix, version ? `v${version}` : undefined, base, pathArg(d.args[0], evaluate));
            const before = [...(isPublic(cls, fn.decorators) ? [] : globals), ...guardsOf(cls.decorators, f, link), ...guardsOf(fn.decorators, f, link)];
            out.push({ name: `${method} ${path}`, trigger: 'http', route: { method, path }, handler: { file: f.file, fn: fn.id }, before, evidence: { file: f.file, line: d.line } });
          }
          const gw = fn.decorators.find((d) => d.name === 'SubscribeMessage');
          if (gw) {
            const event = valToString(gw.args[0]) ?? fn.name;
            out.push({ name: `WS ${event}`, trigger: 'websocket', route: { method: 'WS', path: event }, handler: { file: f.file, fn: fn.id }, evidence: { file: f.file, line: gw.line } });
          }
        }
      }
      // @nestjs/graphql: operations of a @Resolver class (field resolvers run inside another operation)
      for (const cls of f.classes) {
        if (!cls.decorators.some((d) => d.name === 'Resolver')) continue;
        for (const fn of f.functions) {
          if (fn.className !== cls.name) continue;
          const d = fn.decorators.find((x) => Object.hasOwn(GRAPHQL_OPERATIONS, x.name));
          if (!d) continue;
          const kind = GRAPHQL_OPERATIONS[d.name];
          // @Query(() => User, { name: 'me' }) code-first; @Query('me') schema-first; else the method name
          const opts = d.args.find(isObj);
          const field = valToString(d.args[0]) ?? (opts && valToString(opts.obj.name)) ?? fn.name;
          const before = [...(isPublic(cls, fn.decorators) ? [] : globals), ...guardsOf(cls.decorators, f, link), ...guardsOf(fn.decorators, f, link)];
          out.push({ name: `${kind} ${field}`, trigger: kind === 'SUBSCRIPTION' ? 'websocket' : 'http', route: { method: kind, path: field }, handler: { file: f.file, fn: fn.id }, before, evidence: { file: f.file, line: d.line } });
        }
      }
      // @nestjs/schedule
      for (const fn of f.functions) {
        const cron = fn.decorators.find((d) => d.name === 'Cron' || d.name === 'Interval' || d.name === 'Timeout');
        if (!cron) continue;
        const opts = cron.args.find(isObj);
        const name = (opts && valToString(opts.obj.name)) ?? fn.name;
        out.push({ name: `cron:${name}`, trigger: 'schedule', handler: { file: f.file, fn: fn.id }, evidence: { file: f.file, line: cron.line } });
      }
    }
    return out;
  },
};
export default pack;
