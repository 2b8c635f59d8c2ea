import type { TechPack } from '../types.js';

const READ_CMDS = new Set(['get', 'mget', 'hget', 'hgetall', 'hmget', 'exists', 'ttl', 'smembers', 'sismember', 'zrange', 'zrangebyscore', 'lrange', 'scan', 'keys', 'ping',
  'hexists', 'hkeys', 'hvals', 'hlen', 'scard', 'zscore', 'zcard', 'zcount', 'zrank', 'zrevrank', 'zrevrange', 'zrevrangebyscore', 'llen', 'lindex', 'strlen', 'pttl', 'getrange', 'xrange', 'xrevrange', 'xlen']);
/** Commands whose reply is data: a call on a binding that holds it (`const raw = await redis.get(k); raw.split(',')`) sends nothing. */
const REPLIES = new Set([...READ_CMDS, 'exec', 'incr', 'incrby', 'decr', 'decrby', 'hincrby', 'lpop', 'rpop', 'spop', 'blpop', 'brpop', 'getdel', 'getex', 'eval', 'evalsha', 'info', 'time']);
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
    // what made the instance: new Redis(), createClient(), client.duplicate(), client.multi() — or a command, whose reply is data
    const made = call.instance.ctor.split('.');
    if (made.length > 1 && REPLIES.has(made[made.length - 1].toLowerCase())) return { use: 'ignore' };
    const op = call.member[call.member.length - 1];
    if (!op || IGNORED.has(op)) return { use: 'ignore' };
    return { use: 'dependency', target: { kind: 'cache', name: 'redis', tech: 'redis' }, edge: 'uses', readOnly: READ_CMDS.has(op.toLowerCase()), op: 'cache' };
  },
};
export default pack;
