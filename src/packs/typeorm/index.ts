import { isObj, objGet, type FileFacts, type Val } from '../../extract/facts.js';
import { callChain, execution, firstOp, opPath, rawText } from '../_lib/chain.js';
import { configSetting } from '../_lib/nest-config.js';
import { decoratorCalls, projectValue, remember } from '../_lib/project.js';
import { dialectDatastore, rawQuery, sqlText, stringOption, UNKNOWN_SQL } from '../_lib/sql.js';
import type { CallMeaning, EntrypointLink, PackContext, ResourceRef, TechPack } from '../types.js';

type Kind = 'read' | 'write' | 'raw' | 'qb' | 'connect' | 'ignore';

/** Repository / EntityManager / DataSource members (https://typeorm.io/docs/working-with-entity-manager/repository-api). */
const OPS: Record<string, Kind> = {
  find: 'read', findBy: 'read', findOne: 'read', findOneBy: 'read', findOneOrFail: 'read', findOneByOrFail: 'read',
  findAndCount: 'read', findAndCountBy: 'read', findByIds: 'read', count: 'read', countBy: 'read', exists: 'read', existsBy: 'read', exist: 'read',
  sum: 'read', average: 'read', minimum: 'read', maximum: 'read', preload: 'read', reload: 'read',
  findTrees: 'read', findRoots: 'read', findDescendants: 'read', findDescendantsTree: 'read', findAncestors: 'read', findAncestorsTree: 'read', countDescendants: 'read', countAncestors: 'read',
  save: 'write', insert: 'write', update: 'write', upsert: 'write', delete: 'write', remove: 'write', softDelete: 'write', softRemove: 'write',
  restore: 'write', recover: 'write', increment: 'write', decrement: 'write', clear: 'write', updateAll: 'write', deleteAll: 'write',
  query: 'raw', sql: 'raw',
  createQueryBuilder: 'qb',
  initialize: 'connect', connect: 'connect',
  // local: build entities, run a callback, manage a runner's transaction
  create: 'ignore', merge: 'ignore', getId: 'ignore', hasId: 'ignore', transaction: 'ignore', destroy: 'ignore', close: 'ignore',
  getMetadata: 'ignore', hasMetadata: 'ignore', setOptions: 'ignore', subscribe: 'ignore', release: 'ignore',
  startTransaction: 'ignore', commitTransaction: 'ignore', rollbackTransaction: 'ignore',
};
/** Members that hand out another repository or runner: the path continues after them. */
const FACTORIES = new Set(['getRepository', 'getTreeRepository', 'getMongoRepository', 'getCustomRepository', 'withRepository', 'extend', 'createQueryRunner', 'manager']);
/** Members that are metadata, not queries (`repo.metadata.columns.find(...)` is Array#find). */
const NOT_DB = new Set(['metadata', 'target', 'options', 'driver', 'entityMetadatas', 'queryRunner', 'connection']);

/** Query-builder members that run the query, and the verbs that make it a write. */
const QB_RUN = new Set(['getMany', 'getOne', 'getOneOrFail', 'getRawMany', 'getRawOne', 'getCount', 'getManyAndCount', 'getRawAndEntities', 'getExists', 'stream', 'execute', 'loadMany', 'loadOne', 'add', 'set', 'addAndRemove']);
const QB_WRITE = new Set(['insert', 'update', 'delete', 'softDelete', 'restore', 'add', 'set', 'addAndRemove']);
const QB_FRAGMENT = new Set(['getQuery', 'getSql', 'getQueryAndParameters', 'subQuery', 'getParameters']);

const TYPEORM_PKGS = new Set(['typeorm', '@nestjs/typeorm']);
const CONFIG_KEYS = ['entities', 'migrations', 'synchronize', 'autoLoadEntities', 'subscribers'];

/** An options object: a `type` next to keys only TypeORM options have. */
function isOptions(v: Val | undefined): v is { obj: Record<string, Val> } {
  return isObj(v) && 'type' in v.obj && CONFIG_KEYS.some((k) => k in v.obj);
}

/** `type: this.configService.get('database.type')` → what `registerAs('database', ...)` gives it (often `process.env.DATABASE_TYPE`). */
function settingOf(link: EntrypointLink, t: Val, file: string, fnId?: string): Val {
  const setting = configSetting(link.allFiles(), link, t);
  if (setting) return setting.value;
  return fnId ? link.evaluate(file, t, fnId) : t;
}

/**
 * Every `type:` a DataSource / createConnection / TypeOrmModule.forRoot / options object in the
 * project declares, including the options a NestJS factory returns (`createTypeOrmOptions()`,
 * `useFactory`), followed through ConfigService to the registered setting.
 */
function declaredTypes(link: EntrypointLink): Val[] {
  const out: Val[] = [];
  for (const f of link.allFiles()) {
    if (!f.imports.some((i) => TYPEORM_PKGS.has(i.source))) continue;
    for (const c of f.calls) {
      if (!c.callee.length || c.root) continue;
      const inst = link.instanceOf(f.file, c.callee[0], c.fn);
      if (!inst || !('pkg' in inst) || !TYPEORM_PKGS.has(inst.pkg)) continue;
      const name = 'exportName' in inst ? inst.exportName : inst.ctor;
      const last = c.callee[c.callee.length - 1];
      const isCtor = c.isNew && c.callee.length === 1 && (name === 'DataSource' || name === 'Connection');
      const isFactory = !c.isNew && c.callee.length === 1 && (name === 'createConnection' || name === 'createConnections');
      const isModule = name === 'TypeOrmModule' && last === 'forRoot';
      if (!isCtor && !isFactory && !isModule) continue;
      const opts = link.evaluate(f.file, c.args[0], c.fn);
      const list = opts && typeof opts === 'object' && 'arr' in opts ? opts.arr : [opts];
      for (const o of list) {
        const t = objGet(o, 'type');
        if (t !== undefined) out.push(t);
      }
    }
    for (const d of decoratorCalls(f)) {
      if (d.callee.length !== 2 || d.callee[1] !== 'forRoot') continue;
      const ref = link.instanceOf(f.file, d.callee[0]);
      if (!ref || !('exportName' in ref) || ref.pkg !== '@nestjs/typeorm') continue;
      const t = objGet(link.evaluate(f.file, d.args[0]), 'type');
      if (t !== undefined) out.push(t);
    }
    for (const v of f.vars) if (isOptions(v.init)) out.push(settingOf(link, v.init.obj.type, f.file));
    for (const fn of f.functions) for (const r of fn.returns ?? []) if (isOptions(r)) out.push(settingOf(link, r.obj.type, f.file, fn.id));
  }
  return out;
}

/** The datastore a `type` names; read from an env file or compose environment, that line is cited. */
function datastoreOf(type: Val | undefined, ctx: PackContext): ResourceRef | undefined {
  const ref = dialectDatastore(stringOption(type, ctx));
  if (!ref) return undefined;
  const env = type && typeof type === 'object' && 'env' in type && ctx.env(type.env) !== undefined ? ctx.envSource?.(type.env) : undefined;
  return env ? { ...ref, evidence: [env] } : ref;
}

/** TypeORM's server engines: a compose postgres service says which one an env-driven `type` is, a compose mongo does not. */
const SERVER_TECH = new Set(['postgresql', 'mysql', 'cockroachdb', 'sqlserver', 'oracle']);

/** The one SQL server the infrastructure config declares (a compose `postgres` service), when there is exactly one engine. */
function declaredServer(ctx: PackContext): ResourceRef | undefined {
  const servers = new Map<string, ResourceRef>();
  for (const r of ctx.declared ?? []) if (r.origin && r.ref.kind === 'datastore' && SERVER_TECH.has(r.ref.tech)) servers.set(r.ref.name, { kind: 'datastore', name: r.ref.name, tech: r.ref.tech });
  return servers.size === 1 ? [...servers.values()][0] : undefined;
}

/**
 * Which database: the instance's own `type`, else the one engine the project's options name
 * (literal, or its value in .env files / compose environment), else TYPEORM_CONNECTION, else
 * the one SQL server the infra declares — and `sql` (engine unknown) when none of them says.
 */
function target(facts: FileFacts, instanceArgs: Val[] | undefined, ctx: PackContext): ResourceRef {
  const own = datastoreOf(objGet(instanceArgs?.[0], 'type'), ctx);
  if (own) return own;
  const types = projectValue(facts, 'typeorm:types', declaredTypes) ?? [];
  const found = new Map<string, ResourceRef>();
  for (const r of types.map((t) => datastoreOf(t, ctx))) if (r && !found.get(r.name)?.evidence) found.set(r.name, r);
  if (found.size === 1) return [...found.values()][0];
  return datastoreOf({ env: 'TYPEORM_CONNECTION' }, ctx) ?? (found.size ? undefined : declaredServer(ctx)) ?? UNKNOWN_SQL;
}

/** TypeORM: Repository, EntityManager, DataSource and query builders → reads and writes of the configured database. */
const pack: TechPack = {
  id: 'typeorm',
  title: 'TypeORM',
  upstreamDocs: ['https://typeorm.io/docs/working-with-entity-manager/repository-api', 'https://typeorm.io/docs/working-with-entity-manager/entity-manager-api', 'https://typeorm.io/docs/data-source/data-source-options', 'https://typeorm.io/docs/advanced-topics/transactions'],
  packages: ['typeorm', '@nestjs/typeorm'],
  entrypoints(files, link) {
    remember(files, link);
    return [];
  },
  classifyCall(call, ctx): CallMeaning | undefined {
    // exports (find operators, decorators, createConnection at start-up) and `new this.repo(...)`
    if (!call.instance || call.call.isNew || call.pkg === '@nestjs/typeorm') return { use: 'ignore' };
    const chain = callChain(call.facts, call.call);
    const full = opPath(call, chain);
    const hit = firstOp(full.filter((m) => !FACTORIES.has(m)), OPS);
    if (!hit) return undefined;
    const path = full.filter((m) => !FACTORIES.has(m));
    if (path.slice(0, hit.index).some((m) => NOT_DB.has(m))) return undefined;
    if (hit.kind === 'ignore') return { use: 'ignore' };
    const ds = target(call.facts, /^(DataSource|Connection)$/.test(call.instance.ctor) ? call.instance.args : undefined, ctx);
    if (hit.kind === 'connect') return { use: 'dependency', target: ds, edge: 'uses', op: 'connect' };
    if (execution(call.facts, call.call, chain) === 'fragment') return { use: 'ignore' };
    if (hit.kind === 'raw') {
      const raw = rawQuery(rawText(call, sqlText));
      return { use: 'dependency', target: ds, edge: raw.edge, readOnly: raw.readOnly, op: raw.op };
    }
    if (hit.kind === 'qb') {
      const rest = path.slice(hit.index + 1);
      if (rest.some((m) => QB_FRAGMENT.has(m))) return { use: 'ignore' };
      if (!rest.some((m) => QB_RUN.has(m))) return { use: 'ignore' }; // still building: the run is another call
      const write = rest.some((m) => QB_WRITE.has(m));
      return { use: 'dependency', target: ds, edge: write ? 'writes' : 'reads', readOnly: !write && !rest.includes('setLock'), op: write ? 'write' : 'query' };
    }
    if (hit.kind === 'write') return { use: 'dependency', target: ds, edge: 'writes', op: 'write' };
    const locks = [call.call, ...chain.links].some((c) => c.args.some((a) => objGet(a, 'lock') !== undefined));
    return { use: 'dependency', target: ds, edge: 'reads', readOnly: !locks, op: 'query' };
  },
};
export default pack;
