import { callChain, execution, firstOp } from '../_lib/chain.js';
import type { CallMeaning, ResourceRef, TechPack } from '../types.js';

type Kind = 'read' | 'write' | 'connect' | 'ignore';

/** Collection and Db methods of the MongoDB Node.js driver (https://mongodb.github.io/node-mongodb-native/6.0/classes/Collection.html). */
const OPS: Record<string, Kind> = {
  find: 'read', findOne: 'read', aggregate: 'read', countDocuments: 'read', estimatedDocumentCount: 'read', count: 'read', distinct: 'read', watch: 'read',
  listCollections: 'read', listIndexes: 'read', indexes: 'read', indexExists: 'read', stats: 'read', command: 'read',
  insertOne: 'write', insertMany: 'write', updateOne: 'write', updateMany: 'write', replaceOne: 'write', deleteOne: 'write', deleteMany: 'write', bulkWrite: 'write',
  findOneAndUpdate: 'write', findOneAndDelete: 'write', findOneAndReplace: 'write', createIndex: 'write', createIndexes: 'write', dropIndex: 'write', drop: 'write',
  createCollection: 'write', dropCollection: 'write', dropDatabase: 'write', rename: 'write', initializeOrderedBulkOp: 'ignore', initializeUnorderedBulkOp: 'ignore',
  connect: 'connect',
  close: 'ignore', on: 'ignore', once: 'ignore', startSession: 'ignore', withSession: 'ignore', removeAllListeners: 'ignore',
};
/** Members that hand out a database or collection handle: the path continues after them. */
const HANDLES = new Set(['db', 'collection']);
/** Cursor members that only shape or read out a query already named in the path. */
const FRAGMENTS = new Set(['explain']);

const MONGODB: ResourceRef = { kind: 'datastore', name: 'mongodb', tech: 'mongodb' };

/** The MongoDB driver: MongoClient → db() → collection() → queries. */
const pack: TechPack = {
  id: 'mongodb',
  title: 'MongoDB Node.js driver',
  upstreamDocs: ['https://www.mongodb.com/docs/drivers/node/current/', 'https://www.mongodb.com/docs/drivers/node/current/fundamentals/connection/connection-options/', 'https://www.mongodb.com/docs/drivers/node/current/fundamentals/transactions/'],
  packages: ['mongodb'],
  // a handle kept in a class member (`private users = this.db.collection('users')`) is the collection; other results are documents
  callResults: true,
  classifyCall(call): CallMeaning | undefined {
    if (call.instance?.memberResult && !/(^|\.)(db|collection)$/.test(call.instance.ctor)) return { use: 'ignore' };
    if (!call.instance) {
      // MongoClient.connect(uri) at start-up; ObjectId, Long and other value types are local
      if (call.exportName === 'MongoClient' && call.member[0] === 'connect') return { use: 'dependency', target: MONGODB, edge: 'uses', op: 'connect' };
      return { use: 'ignore' };
    }
    if (call.call.isNew) return { use: 'ignore' };
    const chain = callChain(call.facts, call.call);
    const path = [...call.member, ...chain.members].filter((m) => !HANDLES.has(m));
    const hit = firstOp(path, OPS);
    if (!hit) return path.length === 0 ? { use: 'ignore' } : undefined; // client.db('app') alone hands out a handle
    if (hit.kind === 'ignore') return { use: 'ignore' };
    if (hit.kind === 'connect') return { use: 'dependency', target: MONGODB, edge: 'uses', op: 'connect' };
    if (path.some((m) => FRAGMENTS.has(m)) || execution(call.facts, call.call, chain) === 'fragment') return { use: 'ignore' };
    if (hit.kind === 'write') return { use: 'dependency', target: MONGODB, edge: 'writes', op: 'write' };
    return { use: 'dependency', target: MONGODB, edge: 'reads', readOnly: true, op: 'query' };
  },
};
export default pack;
