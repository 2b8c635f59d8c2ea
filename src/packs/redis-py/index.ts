// redis-py (sync and redis.asyncio) and aioredis: every command on a client is a use of
// the Redis instance; pipelines and pub/sub objects count when they execute. The client's
// socket_timeout is its timeout guard.
import { arg, ctorPath, secondsToMs } from '../_lib/python.js';
import type { Guards } from '../../model/types.js';
import type { TechPack } from '../types.js';

const READ_CMDS = new Set(['get', 'mget', 'hget', 'hgetall', 'hmget', 'hkeys', 'hvals', 'hexists', 'exists', 'ttl', 'pttl', 'smembers', 'sismember', 'scard', 'zrange', 'zrevrange', 'zrangebyscore', 'zscore', 'zcard', 'lrange', 'llen', 'scan', 'scan_iter', 'keys', 'ping', 'type', 'strlen', 'xrange', 'xread', 'info', 'dbsize']);
const IGNORED = new Set(['close', 'aclose', 'quit', 'connection_pool', 'pipeline', 'pubsub', 'lock', 'register_script', 'from_url', 'from_pool', 'get_connection', 'monitor', 'client', 'transaction', 'set_response_callback', 'initialize']);
const PIPELINE_QUEUED = /\.(pipeline|pubsub)\b/;

const pack: TechPack = {
  id: 'redis-py',
  title: 'Redis for Python (redis-py, redis.asyncio, aioredis)',
  lang: 'python',
  upstreamDocs: ['https://redis-py.readthedocs.io/en/stable/connections.html', 'https://redis-py.readthedocs.io/en/stable/examples/asyncio_examples.html'],
  packages: ['redis', 'aioredis', 'coredis', 'valkey'],
  classifyCall(call) {
    const inst = call.instance;
    if (!inst) return { use: 'ignore' };
    const path = ctorPath(inst);
    if (/(^|\.)(ConnectionPool|BlockingConnectionPool|exceptions|RedisError|ConnectionError|TimeoutError)$/.test(path) || /Error$/.test(path)) return { use: 'ignore' };
    const op = call.member[call.member.length - 1];
    if (!op || IGNORED.has(op)) return { use: 'ignore' };
    // commands queued on a pipeline run at execute(); a pub/sub object talks to Redis on subscribe/get_message/listen
    if (PIPELINE_QUEUED.test(path) && !/\.pubsub\b/.test(path) && op !== 'execute') return { use: 'ignore' };
    const root = inst.args;
    const guards: Guards = {};
    const t = secondsToMs(arg(root, 'socket_timeout'));
    if (t !== undefined && t > 0) Object.assign(guards, { timeoutMs: t, timeout: true });
    return { use: 'dependency', target: { kind: 'cache', name: 'redis', tech: 'redis' }, edge: 'uses', readOnly: READ_CMDS.has(op.toLowerCase()), op: 'cache', ...(Object.keys(guards).length ? { guards } : {}) };
  },
};
export default pack;
