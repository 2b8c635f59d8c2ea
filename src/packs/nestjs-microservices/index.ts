import { isObj, valToString, type FileFacts, type Val } from '../../extract/facts.js';
import { decoratorCalls, projectValue, remember } from '../_lib/project.js';
import type { CallMeaning, EntrypointDef, EntrypointLink, ResourceRef, TechPack } from '../types.js';

/**
 * A transport as its options name it (`{ transport: Transport.KAFKA, options: {...} }`). Only the
 * brokers the model has nodes for are followed: Kafka (a topic per pattern), RabbitMQ (one queue,
 * named in `options.queue`) and Redis (pub/sub channels on the Redis instance). TCP (the default),
 * NATS, MQTT and gRPC serve patterns too, but name no queue of the model: they are left out.
 */
type Transport = { kind: 'kafka' } | { kind: 'rmq'; queue?: string } | { kind: 'redis' };

/** `Transport.KAFKA` or its enum value (NestJS: TCP 0, REDIS 1, NATS 2, MQTT 3, GRPC 4, RMQ 5, KAFKA 6). */
function transportName(v: Val | undefined): string | undefined {
  if (v && typeof v === 'object' && 'ref' in v) return v.ref.split('.').pop();
  if (typeof v === 'number') return ['TCP', 'REDIS', 'NATS', 'MQTT', 'GRPC', 'RMQ', 'KAFKA'][v];
  return undefined;
}

function transportOf(options: Val | undefined): Transport | undefined {
  if (!isObj(options)) return undefined;
  const name = transportName(options.obj.transport);
  if (name === 'KAFKA') return { kind: 'kafka' };
  if (name === 'REDIS') return { kind: 'redis' };
  if (name === 'RMQ') {
    const inner = options.obj.options;
    return { kind: 'rmq', queue: isObj(inner) ? valToString(inner.obj.queue) : undefined };
  }
  return undefined;
}

/** The name a pattern gives: `'orders.created'`, or `{ cmd: 'sum' }`'s value. */
function patternName(v: Val | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (isObj(v)) {
    const values = Object.values(v.obj);
    return values.length === 1 ? valToString(values[0]) : undefined;
  }
  return undefined;
}

/** The broker resource a pattern is carried by, named as docs/model.md names queues. */
function resourceOf(t: Transport, pattern: string): ResourceRef {
  if (t.kind === 'kafka') return { kind: 'queue', name: `kafka-${pattern}`, tech: 'kafka' };
  if (t.kind === 'rmq') return { kind: 'queue', name: t.queue ? `amqp-${t.queue}` : 'amqp', tech: 'rabbitmq' };
  return { kind: 'cache', name: 'redis', tech: 'redis' };
}

/** Transports the app serves: `NestFactory.createMicroservice(AppModule, options)`, `app.connectMicroservice(options)`. */
function servedTransports(files: FileFacts[], link: EntrypointLink): Transport[] {
  const out: Transport[] = [];
  for (const f of files) {
    for (const c of f.calls) {
      const last = c.callee[c.callee.length - 1];
      const arg = last === 'createMicroservice' ? c.args[1] : last === 'connectMicroservice' ? c.args[0] : undefined;
      if (arg === undefined) continue;
      const t = transportOf(link.evaluate(f.file, arg, c.fn));
      if (t && !out.some((x) => JSON.stringify(x) === JSON.stringify(t))) out.push(t);
    }
  }
  return out;
}

/**
 * Clients the app registers, by injection token: `ClientsModule.register([{ name: 'ORDERS', transport, options }])`
 * in a module's imports, and `ClientProxyFactory.create(options)`, which has no token ('' below).
 */
function registeredClients(link: EntrypointLink): Map<string, Transport> {
  const out = new Map<string, Transport>();
  for (const f of link.allFiles()) {
    if (!f.imports.some((i) => i.source === '@nestjs/microservices')) continue;
    const calls = [...f.calls.map((c) => ({ callee: c.callee, args: c.args, fn: c.fn })), ...decoratorCalls(f).map((c) => ({ ...c, fn: undefined }))];
    for (const c of calls) {
      const last = c.callee[c.callee.length - 1];
      if (c.callee[c.callee.length - 2] === 'ClientsModule' && (last === 'register' || last === 'registerAsync')) {
        const list = link.evaluate(f.file, c.args[0], c.fn);
        const entries = list && typeof list === 'object' && 'arr' in list ? list.arr : [];
        for (const e of entries) {
          const token = isObj(e) ? valToString(e.obj.name) : undefined;
          if (token === undefined || !isObj(e)) continue;
          const t = transportOf(e) ?? transportOf(factoryResult(f, link, e.obj.useFactory));
          if (t) out.set(token, t);
        }
      } else if (c.callee[c.callee.length - 2] === 'ClientProxyFactory' && last === 'create') {
        const t = transportOf(link.evaluate(f.file, c.args[0], c.fn));
        if (t) out.set('', t);
      }
    }
  }
  return out;
}

/** `registerAsync([{ name, useFactory: (config) => ({ transport, options }) }])`: the options object the factory returns. */
function factoryResult(f: FileFacts, link: EntrypointLink, v: Val | undefined): Val | undefined {
  const fn = v && typeof v === 'object' && 'fn' in v ? f.functions.find((x) => x.id === v.fn) : undefined;
  const made = fn?.returns?.find(isObj);
  return made && fn ? link.evaluate(f.file, made, fn.id) : undefined;
}

/** NestJS microservices: @MessagePattern/@EventPattern handlers on a broker transport, and ClientProxy emit/send. */
const pack: TechPack = {
  id: 'nestjs-microservices',
  title: 'NestJS microservices (Kafka, RabbitMQ, Redis transports)',
  upstreamDocs: ['https://docs.nestjs.com/microservices/basics', 'https://docs.nestjs.com/microservices/kafka', 'https://docs.nestjs.com/microservices/rabbitmq', 'https://docs.nestjs.com/microservices/redis'],
  packages: ['@nestjs/microservices'],
  entrypoints(files, link) {
    remember(files, link);
    const handlers: { file: string; fn: string; pattern: string; line: number }[] = [];
    for (const f of files) {
      for (const cls of f.classes) {
        if (!cls.decorators.some((d) => d.name === 'Controller')) continue;
        for (const fn of f.functions) {
          if (fn.className !== cls.name) continue;
          const d = fn.decorators.find((x) => x.name === 'MessagePattern' || x.name === 'EventPattern');
          const pattern = d ? patternName(link.evaluate(f.file, d.args[0] ?? null)) : undefined;
          if (d && pattern) handlers.push({ file: f.file, fn: fn.id, pattern, line: d.line });
        }
      }
    }
    if (!handlers.length) return [];
    const out: EntrypointDef[] = [];
    for (const t of servedTransports(files, link)) {
      // one RabbitMQ queue carries every pattern: one consumer per pattern, named like Bull's named jobs
      const perQueue = t.kind === 'rmq' && handlers.length > 1;
      for (const h of handlers) {
        const res = resourceOf(t, h.pattern);
        const name = t.kind === 'redis' ? `worker:redis-${h.pattern}` : perQueue ? `worker:${res.name}:${h.pattern}` : `worker:${res.name}`;
        out.push({ name, trigger: 'worker', handler: { file: h.file, fn: h.fn }, consumes: res, evidence: { file: h.file, line: h.line } });
      }
    }
    return out;
  },
  classifyCall(call): CallMeaning | undefined {
    const op = call.member[call.member.length - 1];
    if (!call.instance || call.member.length !== 1) return { use: 'ignore' };
    if (op !== 'emit' && op !== 'send' && op !== 'dispatchEvent') return { use: 'ignore' }; // connect(), close(), subscribeToResponseOf()...
    const clients = projectValue(call.facts, 'nestjs-microservices:clients', registeredClients);
    const token = valToString(call.instance.decorators?.find((d) => d.name === 'Inject')?.args[0]);
    const t = token !== undefined ? clients?.get(token) : clients?.size === 1 ? [...clients.values()][0] : undefined;
    const pattern = patternName(call.call.args[0]);
    if (!t || !pattern) return undefined;
    // send() waits for the consumer's reply; emit() hands the event over: both go through the broker, and
    // both return an RxJS Observable, not a promise: a floating emit() loses its event but rejects nothing
    return { use: 'dependency', target: resourceOf(t, pattern), edge: t.kind === 'redis' ? 'uses' : 'publishes', op: op === 'send' ? 'request' : 'publish', rejects: false };
  },
};
export default pack;
