import type { TechPack } from '../types.js';

const READ_CMDS = new Set(['get', 'mget', 'hget', 'hgetall', 'hmget', 'exists', 'ttl', 'smembers', 'sismember', 'zrange', 'zrangebyscore', 'lrange', 'scan', 'keys', 'ping']);
const IGNORED = new Set(['on', 'once', 'quit', 'disconnect', 'duplicate', 'connect', 'off',
  // EventEmitter methods of the client: local, no command is sent
  'addListener', 'prependListener', 'prependOnceListener', 'removeListener', 'removeAllListeners', 'setMaxListeners', 'getMaxListeners', 'listeners', 'rawListeners', 'listenerCount', 'eventNames', 'emit']);

/** ioredis and node-redis: every command is a use of the Redis instance. */
const pack: TechPack = {
  id: 'redis',
  title: 'Redis (ioredis, node-redis)',
  upstreamDocs: ['https://github.com/redis/ioredis#readme', 'https://github.com/redis/node-redis#readme'],
  packages: ['ioredis', 'redis', '@redis/client'],
  classifyCall(call) {
    if (!call.instance) return undefined;
    const op = call.member[call.member.length - 1];
    if (!op || IGNORED.has(op)) return { use: 'ignore' };
    return { use: 'dependency', target: { kind: 'cache', name: 'redis', tech: 'redis' }, edge: 'uses', readOnly: READ_CMDS.has(op.toLowerCase()), op: 'cache' };
  },
};
export default pack;
