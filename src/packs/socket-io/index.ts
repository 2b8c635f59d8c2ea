import { objGet, valToString } from '../../extract/facts.js';
import { callChain } from '../_lib/chain.js';
import { projectValue, remember } from '../_lib/project.js';
import type { EntrypointDef, ResourceRef, TechPack } from '../types.js';

const REDIS: ResourceRef = { kind: 'cache', name: 'redis', tech: 'redis' };
/** Server operations that go through the adapter to every node: broadcasts and cross-node socket queries. */
const THROUGH_ADAPTER = new Set(['emit', 'serverSideEmit', 'fetchSockets', 'socketsJoin', 'socketsLeave', 'disconnectSockets']);

/**
 * Socket.IO: one WebSocket entrypoint per server (default path /socket.io); its
 * connection middleware (io.use) runs before every connection, the 'connection'
 * handler is the handler. The Redis adapter makes the server depend on Redis.
 */
const pack: TechPack = {
  id: 'socket-io',
  title: 'Socket.IO',
  upstreamDocs: ['https://socket.io/docs/v4/server-options/#path', 'https://socket.io/docs/v4/middlewares/', 'https://socket.io/docs/v4/redis-adapter/'],
  packages: ['socket.io', '@socket.io/redis-adapter', '@socket.io/redis-streams-adapter'],
  classifyCall(call) {
    if (call.pkg.startsWith('@socket.io/redis') && (call.exportName === 'createAdapter' || call.member[call.member.length - 1] === 'createAdapter')) {
      return { use: 'dependency', target: { kind: 'cache', name: 'redis', tech: 'redis' }, edge: 'uses', op: 'pubsub' };
    }
    if (call.pkg === 'socket.io') {
      // with the Redis adapter, a broadcast (`io.emit`, `io.to(room).emit`) is published through Redis to every node:
      // when Redis is down the local clients still get it and the other nodes' do not (a lost side effect)
      if (!call.instance || !/(^|\.)Server$/.test(call.instance.ctor) || call.call.isNew) return { use: 'ignore' };
      const path = [...call.member, ...callChain(call.facts, call.call).members];
      if (!path.some((m) => THROUGH_ADAPTER.has(m)) || !projectValue(call.facts, 'socket.io:redis-adapter', usesRedisAdapter)) return { use: 'ignore' };
      // emit() returns a boolean: nothing to await, nothing to reject, the broadcast is handed over
      return { use: 'dependency', target: REDIS, edge: 'uses', op: 'pubsub', guards: { caught: true }, rejects: false, mode: 'fire_and_forget' };
    }
    return undefined;
  },
  entrypoints(files, link) {
    remember(files, link);
    const out: EntrypointDef[] = [];
    for (const f of files) {
      for (const c of f.calls) {
        if (!c.isNew || !c.callee.length) continue;
        const inst = link.instanceOf(f.file, c.callee[0], c.fn);
        if (!inst || !('pkg' in inst) || inst.pkg !== 'socket.io') continue;
        const opts = c.args.find((a) => a && typeof a === 'object' && 'obj' in a);
        const path = valToString(objGet(opts, 'path')) ?? '/socket.io';
        // io.use(mw) and io.on('connection', handler) in the same function; a receiver known to be
        // another package's (Express app.use(mw), the HTTP server's own TCP 'connection' event) is not
        // this server's. An unresolved one (`let io` assigned in the function) still counts.
        const before: { file: string; fn: string }[] = [];
        let handler: { file: string; fn: string } | undefined;
        for (const d of f.calls) {
          if (d.fn !== c.fn || d.callee.length !== 2) continue;
          const recv = link.instanceOf(f.file, d.callee[0], d.fn);
          if (recv && recv.pkg !== 'socket.io') continue;
          if (d.callee[1] === 'use') {
            const h = link.handlerOf(f.file, d.args[0], d.fn);
            if (h) before.push(h);
          } else if (d.callee[1] === 'on' && (d.args[0] === 'connection' || d.args[0] === 'connect')) handler = link.handlerOf(f.file, d.args[1], d.fn);
        }
        // the adapter call lives in the constructor options: trace the enclosing function too
        const enclosing = c.fn !== '<module>' ? { file: f.file, fn: c.fn } : undefined;
        out.push({ name: `WS ${path}`, trigger: 'websocket', route: { method: 'WS', path }, handler: handler ?? enclosing, before: [...before, ...(enclosing && handler ? [enclosing] : [])], evidence: { file: f.file, line: c.line } });
      }
    }
    return out;
  },
};
/** The project sets up a Redis adapter (`io.adapter(createAdapter(pub, sub))`). */
function usesRedisAdapter(link: Parameters<NonNullable<TechPack['entrypoints']>>[1]): boolean {
  return link.allFiles().some((f) => f.imports.some((i) => /^@socket\.io\/redis(-streams)?-adapter$|^socket\.io-redis$/.test(i.source)));
}

export default pack;
