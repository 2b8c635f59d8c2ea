import { isObj, objGet, type Val } from '../../extract/facts.js';
import { callChain, execution, firstOp, rawText } from '../_lib/chain.js';
import { decoratorCalls, projectValue, remember } from '../_lib/project.js';
import { dialectDatastore, rawQuery, sqlText, stringOption, UNKNOWN_SQL, urlDatastore } from '../_lib/sql.js';
import type { CallMeaning, EntrypointLink, PackContext, ResourceRef, TechPack } from '../types.js';

type Kind = 'read' | 'write' | 'raw' | 'connect' | 'ignore';

/** Model and instance methods (https://sequelize.org/api/v6/class/src/model.js~model). */
const OPS: Record<string, Kind> = {
  findAll: 'read', findOne: 'read', findByPk: 'read', findAndCountAll: 'read', count: 'read', max: 'read', min: 'read', sum: 'read', aggregate: 'read', reload: 'read', describe: 'read',
  create: 'write', bulkCreate: 'write', update: 'write', destroy: 'write', upsert: 'write', increment: 'write', decrement: 'write', findOrCreate: 'write', findCreateFind: 'write',
  truncate: 'write', restore: 'write', save: 'write', sync: 'write', drop: 'write',
  query: 'raw',
  authenticate: 'connect',
  // local: build instances, declare associations and scopes, run a callback
  build: 'ignore', bulkBuild: 'ignore', init: 'ignore', define: 'ignore', hasMany: 'ignore', hasOne: 'ignore', belongsTo: 'ignore', belongsToMany: 'ignore',
  addScope: 'ignore', addHook: 'ignore', beforeCreate: 'ignore', afterCreate: 'ignore', beforeUpdate: 'ignore', afterUpdate: 'ignore', hook: 'ignore',
  transaction: 'ignore', close: 'ignore', getTableName: 'ignore', getAttributes: 'ignore', rawAttributes: 'ignore', get: 'ignore', set: 'ignore', toJSON: 'ignore',
  changed: 'ignore', previous: 'ignore', isNewRecord: 'ignore', validate: 'ignore', literal: 'ignore', fn: 'ignore', col: 'ignore', where: 'ignore', model: 'ignore',
  isDefined: 'ignore', commit: 'ignore', rollback: 'ignore', afterCommit: 'ignore',
};
/** Members that lead to a model without running anything: the path continues after them. */
const PASS = new Set(['scope', 'unscoped', 'schema', 'models', 'sequelize']);

/** `new Sequelize(url)`, `new Sequelize(db, user, pass, { dialect })`, `new Sequelize({ dialect })` → the datastore. */
function dialectOf(args: Val[], ctx: PackContext): ResourceRef | undefined {
  for (const a of [...args].reverse()) {
    if (isObj(a)) {
      const d = dialectDatastore(stringOption(a.obj.dialect, ctx));
      if (d) return d;
      const u = urlDatastore(stringOption(a.obj.url, ctx));
      if (u) return u;
    }
  }
  return args.length === 1 || args.length === 2 ? urlDatastore(stringOption(args[0], ctx)) : undefined;
}

/** Every `new Sequelize(...)` and SequelizeModule.forRoot({...}) in the project, with its arguments. */
function declaredInstances(link: EntrypointLink): Val[][] {
  const out: Val[][] = [];
  for (const f of link.allFiles()) {
    if (!f.imports.some((i) => /^(sequelize|sequelize-typescript|@nestjs\/sequelize)$/.test(i.source))) continue;
    for (const c of f.calls) {
      if (c.root || !c.callee.length) continue;
      const inst = link.instanceOf(f.file, c.callee[0], c.fn);
      if (!inst || !('exportName' in inst)) continue;
      const isCtor = c.isNew && c.callee.length === 1 && inst.exportName !== 'Model' && (inst.exportName === 'Sequelize' || inst.exportName === 'default');
      const isModule = inst.pkg === '@nestjs/sequelize' && inst.exportName === 'SequelizeModule' && c.callee[1] === 'forRoot';
      if (isCtor || isModule) out.push(c.args.map((a) => link.evaluate(f.file, a, c.fn)));
    }
    for (const d of decoratorCalls(f)) {
      if (d.callee.length !== 2 || d.callee[1] !== 'forRoot') continue;
      const ref = link.instanceOf(f.file, d.callee[0]);
      if (ref && 'exportName' in ref && ref.pkg === '@nestjs/sequelize' && ref.exportName === 'SequelizeModule') out.push(d.args.map((a) => link.evaluate(f.file, a)));
    }
  }
  return out;
}

function target(call: Parameters<NonNullable<TechPack['classifyCall']>>[0], ctx: PackContext): ResourceRef {
  const inst = call.instance!;
  if (/^(Sequelize|default)$/.test(inst.ctor)) {
    const own = dialectOf(inst.args, ctx);
    if (own) return own;
  }
  const all = projectValue(call.facts, 'sequelize:instances', declaredInstances) ?? [];
  const found = [...new Map(all.map((a) => dialectOf(a, ctx)).filter((r): r is ResourceRef => !!r).map((r) => [r.name, r])).values()];
  return found.length === 1 ? found[0] : UNKNOWN_SQL;
}

/** Sequelize: models from sequelize.define(...) or classes extending Model; sequelize.query. */
const pack: TechPack = {
  id: 'sequelize',
  title: 'Sequelize',
  upstreamDocs: ['https://sequelize.org/docs/v6/core-concepts/model-querying-basics/', 'https://sequelize.org/docs/v6/core-concepts/raw-queries/', 'https://sequelize.org/docs/v6/other-topics/transactions/', 'https://sequelize.org/docs/v6/getting-started/'],
  packages: ['sequelize', 'sequelize-typescript', '@nestjs/sequelize'],
  entrypoints(files, link) {
    remember(files, link);
    return [];
  },
  classifyCall(call, ctx): CallMeaning | undefined {
    if (!call.instance || call.call.isNew || call.pkg === '@nestjs/sequelize') return { use: 'ignore' }; // DataTypes, Op, literal(), decorators
    const chain = callChain(call.facts, call.call);
    // the instance is the sequelize object or a model (define(...), a class extending Model);
    // sequelize.models.User.findAll(): the model name sits between 'models' and the method
    const path = [...call.member, ...chain.members].filter((m) => !PASS.has(m));
    const hit = firstOp(path, OPS);
    if (!hit) return undefined;
    if (hit.kind === 'ignore') return { use: 'ignore' };
    const ds = target(call, ctx);
    if (hit.kind === 'connect') return { use: 'dependency', target: ds, edge: 'uses', op: 'connect' };
    if (execution(call.facts, call.call, chain) === 'fragment') return { use: 'ignore' };
    if (hit.kind === 'raw') {
      const raw = rawQuery(rawText(call, sqlText));
      const type = objGet(call.call.args[1], 'type');
      const typed = type && typeof type === 'object' && 'ref' in type ? /QueryTypes\.(SELECT|SHOWTABLES|DESCRIBE)$/.test(type.ref) : false;
      return typed && raw.edge === 'reads' ? { use: 'dependency', target: ds, edge: 'reads', readOnly: true, op: 'raw-query' } : { use: 'dependency', target: ds, edge: raw.edge, readOnly: raw.readOnly, op: raw.op };
    }
    if (hit.kind === 'write') return { use: 'dependency', target: ds, edge: 'writes', op: 'write' };
    const locks = [call.call, ...chain.links].some((c) => c.args.some((a) => objGet(a, 'lock') !== undefined));
    return { use: 'dependency', target: ds, edge: 'reads', readOnly: !locks, op: 'query' };
  },
};
export default pack;
