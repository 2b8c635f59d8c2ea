import { callChain, execution, firstOp } from '../_lib/chain.js';
import type { CallFact, FileFacts } from '../../extract/facts.js';
import type { CallMeaning, ResourceRef, TechPack } from '../types.js';

type Kind = 'read' | 'write' | 'connect' | 'ignore';

/** Model statics and document methods (https://mongoosejs.com/docs/api/model.html). */
const OPS: Record<string, Kind> = {
  find: 'read', findOne: 'read', findById: 'read', countDocuments: 'read', estimatedDocumentCount: 'read', count: 'read', exists: 'read', distinct: 'read',
  aggregate: 'read', populate: 'read', watch: 'read', where: 'read', $where: 'read',
  create: 'write', insertMany: 'write', updateOne: 'write', updateMany: 'write', deleteOne: 'write', deleteMany: 'write', replaceOne: 'write', bulkWrite: 'write', bulkSave: 'write',
  findOneAndUpdate: 'write', findByIdAndUpdate: 'write', findOneAndDelete: 'write', findByIdAndDelete: 'write', findOneAndReplace: 'write', findOneAndRemove: 'write', findByIdAndRemove: 'write',
  save: 'write', remove: 'write', syncIndexes: 'write', createIndexes: 'write', ensureIndexes: 'write', createCollection: 'write',
  // local: build documents, validate, inspect the schema
  hydrate: 'ignore', validate: 'ignore', castObject: 'ignore', translateAliases: 'ignore', discriminator: 'ignore', init: 'ignore', schema: 'ignore', modelName: 'ignore',
  on: 'ignore', once: 'ignore', emit: 'ignore', startSession: 'ignore', db: 'ignore', collection: 'ignore', base: 'ignore',
};
/** Members of the mongoose module / a connection that are not queries. */
const MODULE_LOCAL = new Set(['model', 'Schema', 'Types', 'set', 'get', 'plugin', 'isValidObjectId', 'isObjectIdOrHexString', 'disconnect', 'connection', 'startSession', 'models', 'deleteModel', 'modelNames', 'SchemaTypes', 'trusted', 'sanitizeFilter', 'close', 'useDb', 'on', 'once']);
const FRAGMENTS = new Set(['getFilter', 'getQuery', 'getUpdate', 'getOptions', 'cast', 'toConstructor']);

const MONGODB: ResourceRef = { kind: 'datastore', name: 'mongodb', tech: 'mongodb' };
/** Model statics that return a Query (or an Aggregate): sent only on exec(), then or await (https://mongoosejs.com/docs/queries.html). create/insertMany/bulkWrite return promises. */
const QUERY_STATICS = new Set(['find', 'findOne', 'findById', 'countDocuments', 'estimatedDocumentCount', 'count', 'exists', 'distinct', 'where', '$where', 'aggregate',
  'updateOne', 'updateMany', 'deleteOne', 'deleteMany', 'replaceOne', 'findOneAndUpdate', 'findByIdAndUpdate', 'findOneAndDelete', 'findByIdAndDelete', 'findOneAndReplace', 'findOneAndRemove', 'findByIdAndRemove']);

/** Document methods that talk to the server (https://mongoosejs.com/docs/api/document.html); the rest (set, toObject, validate, markModified...) are local. */
const DOC_OPS: Record<string, 'read' | 'write'> = { save: 'write', deleteOne: 'write', updateOne: 'write', replaceOne: 'write', remove: 'write', populate: 'read' };
/** Model statics whose awaited result is one hydrated document (`.lean()` results are chained calls the linker does not resolve, so never reach here). */
const ONE_DOC = new Set(['findOne', 'findById', 'findOneAndUpdate', 'findByIdAndUpdate', 'findOneAndReplace', 'create']);

/** A model: mongoose.model(...), connection.model(...), an injected Model<T> (or a plugin's model type: PaginateModel<T>, SoftDeleteModel<T>). */
function isModel(ctor: string): boolean {
  return /(^|\.)model$/.test(ctor) || /^([A-Z]\w*)?Model$/.test(ctor);
}

/** A document: `new <model>(...)` (the linker's `new <ctor>()`), or what a single-document query on a model gave. */
function isDocument(ctor: string): boolean {
  const made = /^new (.+)\(\)$/.exec(ctor);
  if (made) return isModel(made[1]);
  const dot = ctor.lastIndexOf('.');
  return dot > 0 && ONE_DOC.has(ctor.slice(dot + 1)) && isModel(ctor.slice(0, dot));
}

function documentCall(member: string[]): CallMeaning {
  const op = member.length === 1 ? DOC_OPS[member[0]] : undefined;
  if (op === 'write') return { use: 'dependency', target: MONGODB, edge: 'writes', op: 'write' };
  if (op === 'read') return { use: 'dependency', target: MONGODB, edge: 'reads', readOnly: true, op: 'query' };
  // `doc.items.push(x)`, `doc.toObject()`, `doc.comments.id(c).deleteOne()` (a subdocument): local until save()
  return { use: 'ignore' };
}

/** `await new User(doc).save()`: the method called on the new expression itself, recorded just before it with root 'new'. */
function methodOnNew(facts: FileFacts, head: CallFact): string | undefined {
  const outer = facts.calls.find((c) => c.fn === head.fn && c.order === head.order - 1);
  if (!outer || outer.root !== 'new' || outer.callee.length !== 1 || outer.line !== head.line || outer.endLine < head.endLine) return undefined;
  return outer.callee[0];
}

/** Mongoose: models from mongoose.model(...) / connection.model(...) / @InjectModel → datastore:mongodb. */
const pack: TechPack = {
  id: 'mongoose',
  title: 'Mongoose',
  upstreamDocs: ['https://mongoosejs.com/docs/queries.html', 'https://mongoosejs.com/docs/api/model.html', 'https://mongoosejs.com/docs/connections.html', 'https://docs.nestjs.com/techniques/mongodb'],
  packages: ['mongoose', '@nestjs/mongoose'],
  // `const user = await this.usersModel.findOne(...)` holds a document whose save() writes
  callResults: true,
  classifyCall(call): CallMeaning | undefined {
    if (call.pkg === '@nestjs/mongoose') return { use: 'ignore' };
    const m = call.member;
    if (!call.instance) {
      if (m[0] === 'connect' || (m.length === 0 && call.exportName === 'connect')) return { use: 'dependency', target: MONGODB, edge: 'uses', op: 'connect' };
      return { use: 'ignore' };
    }
    if (isDocument(call.instance.ctor)) return documentCall(m);
    // `new this.userModel(dto)` builds a document; nothing is sent until save()
    if (call.call.isNew) {
      const method = isModel(call.instance.ctor) ? methodOnNew(call.facts, call.call) : undefined;
      return method ? documentCall([method]) : { use: 'ignore' };
    }
    if (!isModel(call.instance.ctor)) {
      if (m[0] === 'asPromise' || m[0] === 'openUri') return { use: 'dependency', target: MONGODB, edge: 'uses', op: 'connect' };
      if (m.length === 0 || MODULE_LOCAL.has(m[0]) || /(^|\.)(Schema|createConnection)$/.test(call.instance.ctor)) return { use: 'ignore' };
      return undefined;
    }
    const chain = callChain(call.facts, call.call);
    const path = [...m, ...chain.members];
    const hit = firstOp(path, OPS);
    if (!hit) return undefined;
    if (hit.kind === 'ignore') return { use: 'ignore' };
    if (path.some((x) => FRAGMENTS.has(x))) return { use: 'ignore' };
    if (execution(call.facts, call.call, chain) === 'fragment') return { use: 'ignore' };
    const lazy = QUERY_STATICS.has(hit.op) ? { lazy: 'Mongoose' } : {};
    if (hit.kind === 'write') return { use: 'dependency', target: MONGODB, edge: 'writes', op: 'write', ...lazy };
    return { use: 'dependency', target: MONGODB, edge: 'reads', readOnly: true, op: 'query', ...lazy };
  },
};
export default pack;
