// Module and instance shapes met in real repositories that the linker must follow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../test/helpers/fixture.js';

const reachesFrom = (m: Awaited<ReturnType<typeof scanModel>>, to: string) => m.edges.filter((e) => e.to === to).map((e) => `${e.from} -${e.kind}-> ${e.to}`).sort();

test('link: a tsconfig extending an uninstalled workspace config does not break relative imports', async () => {
  const model = await scanModel({
    'packages/lib/package.json': JSON.stringify({ name: '@acme/lib' }),
    'packages/lib/tsconfig.json': JSON.stringify({ extends: '@acme/tsconfig/library.json', compilerOptions: { strict: true } }),
    'packages/lib/db.ts': `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`,
    'packages/lib/documents/find-document.ts': `import { prisma } from '../db';
export const findDocument = (id: number) => prisma.document.findUnique({ where: { id } });
`,
    'packages/lib/server.ts': `import express from 'express';
import { findDocument } from './documents/find-document';
const app = express();
app.get('/documents/:id', async (req, res) => res.json(await findDocument(Number(req.params.id))));
app.listen(3000);
`,
  });
  assert.deepEqual(model.unresolved, []);
  assert.deepEqual(reachesFrom(model, 'datastore:postgres'), ['component:documents -reads-> datastore:postgres']);
});

test('link: a Prisma client generated into the project (custom output) is @prisma/client', async () => {
  const model = await scanModel({
    'prisma/schema.prisma': `generator client {
  provider = "prisma-client"
  output   = "../src/generated/prisma"
}
datasource db {
  provider = "postgresql"
}
model Team {
  id   String @id
  name String
}
`,
    'src/prisma/prisma.service.ts': `import { Injectable, OnModuleInit } from '@nestjs/common';
import { PrismaClient } from '../generated/prisma/client';
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleInit {
  async onModuleInit() { await this.$connect(); }
}
`,
    'src/team/team.controller.ts': `import { Controller, Get } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service';
@Controller('teams')
export class TeamController {
  constructor(private readonly prisma: PrismaService) {}
  @Get()
  list() { return this.prisma.team.findMany(); }
}
`,
  });
  assert.deepEqual(model.unresolved, []);
  assert.deepEqual(reachesFrom(model, 'datastore:postgres'), ['component:prisma -uses-> datastore:postgres', 'component:team -reads-> datastore:postgres']);
});

test('link: an unresolved relative import that is not a generated client stays unresolved (trap)', async () => {
  const model = await scanModel({
    'src/team/team.service.ts': `import { TeamClient } from '../generated/teams-client';
const client = new TeamClient();
export const listTeams = () => client.team.findMany();
`,
  });
  assert.deepEqual(model.unresolved.map((u) => `${u.file}:${u.line}`), ['src/team/team.service.ts:1']);
  assert.deepEqual(reachesFrom(model, 'datastore:postgres'), []);
});

test('link: `cached ?? new Client()` is the client; `cached ?? defaults` is nothing (trap)', async () => {
  const model = await scanModel({
    'src/db.ts': `import { PrismaClient } from '@prisma/client';
const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };
export const prisma = globalForPrisma.prisma || new PrismaClient();
const defaults = { findMany: async () => [] };
export const fallbackStore = (globalThis as any).store ?? defaults;
`,
    'src/routes.ts': `import express from 'express';
import { prisma, fallbackStore } from './db';
const app = express();
app.get('/projects', async (req, res) => res.json(await prisma.project.findMany()));
app.get('/drafts', async (req, res) => res.json(await fallbackStore.findMany()));
app.listen(3000);
`,
  });
  const eps = model.edges.filter((e) => e.to === 'datastore:postgres').flatMap((e) => e.entrypoints ?? []);
  assert.deepEqual([...new Set(eps)].sort(), ['entrypoint:GET /projects']);
});

test('link: a call through an abstract class used as a DI token reaches what its implementations do; alternative implementations never count as writes together (trap)', async () => {
  const { hits } = await import('../../test/helpers/fixture.js');
  const { default: nonAtomic } = await import('../rules/tx/non-atomic-writes.js');
  const files = (serviceBody: string) => ({
    'package.json': JSON.stringify({ name: 'api', dependencies: { '@nestjs/common': '10.0.0', '@prisma/client': '5.0.0' } }),
    'src/prisma.service.ts': `import { Injectable } from '@nestjs/common';
import { PrismaClient } from '@prisma/client';
@Injectable()
export class PrismaService extends PrismaClient {}
`,
    'src/users/user.repository.ts': `export abstract class UserRepository {
  abstract save(name: string): Promise<void>;
  abstract audit(name: string): Promise<void>;
}
`,
    'src/users/relational/user.repository.ts': `import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../prisma.service';
import { UserRepository } from '../user.repository';
@Injectable()
export class RelationalUserRepository implements UserRepository {
  constructor(private readonly prisma: PrismaService) {}
  async save(name: string): Promise<void> {
    await this.prisma.user.create({ data: { name } });
  }
  async audit(name: string): Promise<void> {
    await this.prisma.audit.create({ data: { name } });
  }
}
`,
    'src/users/legacy/user.repository.ts': `import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../prisma.service';
import { UserRepository } from '../user.repository';
@Injectable()
export class LegacyUserRepository extends UserRepository {
  constructor(private readonly prisma: PrismaService) { super(); }
  async save(name: string): Promise<void> {
    await this.prisma.legacyUser.create({ data: { name } });
  }
  async audit(name: string): Promise<void> {
    await this.prisma.legacyAudit.create({ data: { name } });
  }
}
`,
    'src/users/users.service.ts': `import { Injectable } from '@nestjs/common';
import { UserRepository } from './user.repository';
@Injectable()
export class UsersService {
  constructor(private readonly users: UserRepository) {}
  async create(name: string): Promise<void> {
${serviceBody}
  }
}
`,
    'src/users/users.controller.ts': `import { Body, Controller, Post } from '@nestjs/common';
import { UsersService } from './users.service';
@Controller('users')
export class UsersController {
  constructor(private readonly service: UsersService) {}
  @Post()
  create(@Body() body: { name: string }) {
    return this.service.create(body.name);
  }
}
`,
  });
  // one write through the token: the route reaches the database, and the two implementations are alternatives
  const one = await scanModel(files('    await this.users.save(name);'), { rules: [nonAtomic] });
  assert.ok(one.edges.some((e) => e.to === 'datastore:postgres' && e.kind === 'writes'), 'the write of an implementation is an edge');
  assert.ok(one.edges.some((e) => e.to === 'datastore:postgres' && e.entrypoints?.includes('entrypoint:POST /users')), 'the route reaches the database');
  assert.deepEqual(hits(one, 'tx/non-atomic-writes'), []);
  // two writes through the token in one method: fires (once per implementation's pair, never across them)
  const two = await scanModel(files('    await this.users.save(name);\n    await this.users.audit(name);'), { rules: [nonAtomic] });
  assert.deepEqual(hits(two, 'tx/non-atomic-writes'), ['src/users/users.service.ts:6']);
  assert.equal(two.findings.filter((x) => x.rule === 'tx/non-atomic-writes').length, 1);
});

test('link: a client made inside a memoizing helper’s thunk (`remember("prisma", () => new PrismaClient())`, or a thunk returning another such client) is that client; a thunk with a parameter is not followed (trap)', async () => {
  const files = (dbModule: string) => ({
    'src/utils/remember.ts': `export function remember<T>(name: string, getValue: () => T): T {
  const g = globalThis as unknown as Record<string, T>;
  g[name] ??= getValue();
  return g[name];
}
`,
    'src/db.ts': dbModule,
    'src/app.ts': `import express from 'express';
import { prisma } from './db';
const app = express();
app.get('/users', async (_req, res) => res.json(await prisma.user.findMany({ take: 20 })));
app.get('/health', (_req, res) => res.json({ ok: true }));
export default app;
`,
  });
  const reads = async (dbModule: string) => (await scanModel(files(dbModule))).edges.filter((e) => e.to === 'datastore:postgres').flatMap((e) => e.entrypoints ?? []);
  assert.deepEqual(await reads(`import { PrismaClient } from '@prisma/client';
import { remember } from './utils/remember';
export const prisma = remember('prisma', () => new PrismaClient());
`), ['entrypoint:GET /users']);
  assert.deepEqual(await reads(`import { PrismaClient } from '@prisma/client';
import { remember } from './utils/remember';
const base = remember('prisma', () => new PrismaClient());
const withReplicas = remember('prismaWithReplicas', () => {
  if (!process.env.REPLICA_URLS) {
    return base;
  }
  return base;
});
export { withReplicas as prisma };
`), ['entrypoint:GET /users']);
  assert.deepEqual(await reads(`import { PrismaClient } from '@prisma/client';
import { remember } from './utils/remember';
export const prisma = remember('prisma', (url: string) => new PrismaClient({ datasourceUrl: url }));
`), []);
});

test('link: what a retry helper’s thunk returns from a call on a client is a response, not the client: reading it makes no calls (trap)', async () => {
  const m = await scanModel({
    'src/retry.ts': `export async function withRetry<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts) throw err;
    }
  }
}
`,
    'src/ai.ts': `import Anthropic from '@anthropic-ai/sdk';
import { withRetry } from './retry';
const anthropic = new Anthropic({ timeout: 20_000, maxRetries: 0 });
export async function summarize(text: string): Promise<string> {
  const response = await withRetry(() => anthropic.messages.create({ model: 'claude-x', max_tokens: 200, messages: [{ role: 'user', content: text }] }));
  return response.content.filter((b) => b.type === 'text').map((b) => (b as { text: string }).text).join('\\n');
}
`,
    'src/app.ts': `import express from 'express';
import { summarize } from './ai';
const app = express();
app.post('/summaries', async (req, res) => res.json({ summary: await summarize(req.body.text) }));
export default app;
`,
  });
  assert.deepEqual(m.edges.filter((e) => e.to === 'external:anthropic').flatMap((e) => e.evidence.map((ev) => `${ev.file}:${ev.line}`)), ['src/ai.ts:5']);
});

test('link: a project factory that returns `new Client(...)` gives that client to what it initialises; one returning something else gives nothing (trap)', async () => {
  const m = await scanModel({
    'src/redis.ts': `import Redis from 'ioredis';
export function makeRedis() {
  return new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379', { commandTimeout: 500 });
}
export function makeCounter() {
  return new Map<string, number>();
}
export const redis = makeRedis();
export const counter = makeCounter();
`,
    'src/app.ts': `import express from 'express';
import { counter, redis } from './redis';
const app = express();
app.get('/sessions/:id', async (req, res) => res.json({ session: await redis.get(\`session:\${req.params.id}\`) }));
app.get('/hits', (_req, res) => res.json({ hits: counter.get('hits') ?? 0 }));
export default app;
`,
  });
  const uses = m.edges.filter((e) => e.to === 'cache:redis').flatMap((e) => e.entrypoints ?? []).sort();
  assert.deepEqual(uses, ['entrypoint:GET /sessions/:id']);
});

test('link: functions an object argument carries (`runQuery({ [PRISMA]: () => ..., [KAFKA]: () => ... })`) run as part of the caller; an object only kept in a local does not', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ dependencies: { express: '^4', '@prisma/client': '^5', kafkajs: '^2' } }),
    'src/db.ts': `import { PrismaClient } from '@prisma/client';
import { Kafka } from 'kafkajs';
export const prisma = new PrismaClient();
export const producer = new Kafka({ brokers: [process.env.KAFKA_BROKER!] }).producer();
export const PRISMA = 'prisma';
export const KAFKA = 'kafka';
export async function runQuery(queries: Record<string, () => Promise<unknown>>) {
  return process.env.KAFKA_BROKER ? queries[KAFKA]() : queries[PRISMA]();
}
`,
    'src/events.ts': `import { prisma, producer, runQuery, PRISMA, KAFKA } from './db';
export function saveEvent(name: string) {
  return runQuery({
    [PRISMA]: () => prisma.event.create({ data: { name } }),
    [KAFKA]: () => producer.send({ topic: 'events', messages: [{ value: name }] }),
  });
}
export function describeEvent(name: string) {
  const exporters = { csv: () => prisma.event.findMany({ where: { name } }) };
  return { name, formats: Object.keys(exporters) };
}
`,
    'src/server.ts': `import express from 'express';
import { saveEvent, describeEvent } from './events';
const app = express();
app.post('/events', async (req, res) => res.json(await saveEvent(req.body.name)));
app.get('/events/:name', (req, res) => res.json(describeEvent(req.params.name)));
app.listen(3000);
`,
  });
  const reach = (to: string) => [...new Set(model.edges.filter((e) => e.to === to).flatMap((e) => e.entrypoints ?? [e.from]))].sort();
  assert.deepEqual(reach('datastore:postgres'), ['entrypoint:POST /events']);
  assert.deepEqual(reach('queue:kafka-events'), ['entrypoint:POST /events']);
});

test('link: `module.exports = { ... }` exports each key, to `const { x } = require()` and to `require().x` alike', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ dependencies: { express: '^4', pg: '^8' } }),
    'src/db.js': `const { Pool } = require('pg');
const pool = new Pool({ connectionString: process.env.DATABASE_URL });
module.exports = { pool };
`,
    'src/users.js': `const { pool } = require('./db');
async function findUser(id) {
  const { rows } = await pool.query('SELECT id, email FROM users WHERE id = $1', [id]);
  return rows[0];
}
module.exports = {
  findUser,
  createUser: async (email) => pool.query('INSERT INTO users(email) VALUES($1)', [email]),
  countUsers() { return pool.query('SELECT count(*) FROM users'); },
};
`,
    'src/server.js': `const express = require('express');
const users = require('./users');
const { createUser } = require('./users');
const app = express();
app.get('/users/:id', async (req, res) => res.json(await users.findUser(req.params.id)));
app.post('/users', async (req, res) => res.status(201).json(await createUser(req.body.email)));
app.get('/users', async (_req, res) => res.json(await users.countUsers()));
app.get('/health', (_req, res) => res.send('ok'));
app.listen(3000);
`,
  });
  const reach = [...new Set(model.edges.filter((e) => e.to === 'datastore:postgres').flatMap((e) => (e.entrypoints ?? [e.from]).map((x) => `${x} ${e.kind}`)))].sort();
  assert.deepEqual(reach, ['entrypoint:GET /users reads', 'entrypoint:GET /users/:id reads', 'entrypoint:POST /users writes']);
});

test('link: a member typed by a base class whose methods only throw is dispatched to its subclasses, also when a package value (ts-pattern) fills it', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ dependencies: { express: '^4', bullmq: '^5', ioredis: '^5', 'ts-pattern': '^5' } }),
    'src/jobs/base.ts': `export abstract class BaseJobProvider {
  public async triggerJob(_options: { name: string; payload: unknown }): Promise<void> {
    throw new Error('Not implemented');
  }
}
`,
    'src/jobs/bullmq.ts': `import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { BaseJobProvider } from './base';
export class BullMQJobProvider extends BaseJobProvider {
  private static _instance: BullMQJobProvider;
  private _queue: Queue;
  private constructor() {
    super();
    this._queue = new Queue('jobs', { connection: new IORedis(process.env.REDIS_URL!, { maxRetriesPerRequest: null }) });
  }
  static getInstance() {
    if (!this._instance) this._instance = new BullMQJobProvider();
    return this._instance;
  }
  public async triggerJob(options: { name: string; payload: unknown }) {
    await this._queue.add(options.name, options.payload);
  }
}
`,
    'src/jobs/local.ts': `import { BaseJobProvider } from './base';
export class LocalJobProvider extends BaseJobProvider {
  public async triggerJob(options: { name: string; payload: unknown }) {
    console.log('running inline', options.name);
  }
}
`,
    'src/jobs/client.ts': `import { match } from 'ts-pattern';
import type { BaseJobProvider as JobClientProvider } from './base';
import { BullMQJobProvider } from './bullmq';
import { LocalJobProvider } from './local';
export class JobClient {
  private _provider: JobClientProvider;
  public constructor() {
    this._provider = match(process.env.JOBS_PROVIDER)
      .with('bullmq', () => BullMQJobProvider.getInstance())
      .otherwise(() => new LocalJobProvider());
  }
  public async triggerJob(options: { name: string; payload: unknown }) {
    return this._provider.triggerJob(options);
  }
}
export const jobs = new JobClient();
`,
    'src/server.ts': `import express from 'express';
import { jobs } from './jobs/client';
const app = express();
app.post('/documents/:id/send', async (req, res) => {
  await jobs.triggerJob({ name: 'send.document', payload: { id: req.params.id } });
  res.sendStatus(202);
});
app.listen(3000);
`,
  });
  assert.deepEqual([...new Set(model.edges.filter((e) => e.to === 'queue:jobs').flatMap((e) => e.entrypoints ?? [e.from]))], ['entrypoint:POST /documents/:id/send']);
});

test('link: a TypeScript enum member is its value — a queue named `Queues.Emails`, numeric members counting up', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ dependencies: { express: '^4', bullmq: '^5', ioredis: '^5' } }),
    'src/queues.ts': `import { Queue } from 'bullmq';
import IORedis from 'ioredis';
export enum Queues {
  Emails = 'emails',
  Reports = 'reports',
}
export enum Priority { Low, Normal, High }
const connection = new IORedis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
export const emails = new Queue(Queues.Emails, { connection });
`,
    'src/server.ts': `import express from 'express';
import { emails, Priority } from './queues';
const app = express();
app.post('/invites', async (req, res) => {
  await emails.add('invite', { to: req.body.email }, { priority: Priority.High });
  res.sendStatus(202);
});
app.listen(3000);
`,
  });
  assert.deepEqual(model.nodes.filter((n) => n.kind === 'queue').map((n) => n.id), ['queue:emails']);
  assert.deepEqual([...new Set(model.edges.filter((e) => e.to === 'queue:emails').flatMap((e) => e.entrypoints ?? [e.from]))], ['entrypoint:POST /invites']);
});

test('link: NestJS `@Inject(\'UserRepository\') repo: UserRepository` (an interface) gets the class a module provides for that token; two classes for one token stay unknown (trap)', async () => {
  const files = (second: boolean) => ({
    'package.json': JSON.stringify({ dependencies: { '@nestjs/common': '^10', '@nestjs/core': '^10', '@prisma/client': '^5' } }),
    'src/users/contracts/user.repository.ts': `export default interface UserRepository {
  findByEmail(email: string): Promise<unknown>;
}
`,
    'src/users/contracts/index.ts': `export { default as UserRepository } from './user.repository';
`,
    'src/users/prisma-user.repository.ts': `import { Injectable } from '@nestjs/common';
import { PrismaClient } from '@prisma/client';
import { UserRepository } from './contracts';
const prisma = new PrismaClient();
@Injectable()
export default class PrismaUserRepository implements UserRepository {
  findByEmail(email: string) {
    return prisma.user.findUnique({ where: { email } });
  }
}
`,
    'src/users/memory-user.repository.ts': `import { UserRepository } from './contracts';
export class MemoryUserRepository implements UserRepository {
  private readonly users = new Map<string, unknown>();
  async findByEmail(email: string) {
    return this.users.get(email);
  }
}
`,
    'src/users/users.service.ts': `import { Inject, Injectable } from '@nestjs/common';
import { UserRepository } from './contracts';
@Injectable()
export class UsersService {
  constructor(@Inject('UserRepository') private readonly users: UserRepository) {}
  lookup(email: string) {
    return this.users.findByEmail(email);
  }
}
`,
    'src/users/users.controller.ts': `import { Controller, Get, Param } from '@nestjs/common';
import { UsersService } from './users.service';
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}
  @Get(':email')
  find(@Param('email') email: string) {
    return this.users.lookup(email);
  }
}
`,
    'src/users/users.module.ts': `import { Module } from '@nestjs/common';
import PrismaUserRepository from './prisma-user.repository';
import { MemoryUserRepository } from './memory-user.repository';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';
@Module({
  controllers: [UsersController],
  providers: [UsersService, { provide: 'UserRepository', useClass: PrismaUserRepository }],
})
export class UsersModule {}
${second ? `@Module({ providers: [{ provide: 'UserRepository', useClass: MemoryUserRepository }] })
export class UsersMemoryModule {}
` : ''}`,
  });
  const reach = (m: Awaited<ReturnType<typeof scanModel>>) => [...new Set(m.edges.filter((e) => e.to.startsWith('datastore:')).flatMap((e) => e.entrypoints ?? [e.from]))];
  assert.deepEqual(reach(await scanModel(files(false))), ['entrypoint:GET /users/:email']);
  assert.deepEqual(reach(await scanModel(files(true))), []);
});

test('link: `module.exports.x = require(...)` and `exports.x = value` export x, to `const { x } = require()` alike', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ dependencies: { express: '^4', mongoose: '^7', pg: '^8' } }),
    'src/models/user.model.js': `const mongoose = require('mongoose');
const User = mongoose.model('User', new mongoose.Schema({ email: String }));
module.exports = User;
`,
    'src/models/index.js': `module.exports.User = require('./user.model');
`,
    'src/db.js': `const { Pool } = require('pg');
exports.pool = new Pool({ connectionString: process.env.DATABASE_URL });
`,
    'src/services/user.service.js': `const { User } = require('../models');
const getUserById = async (id) => User.findById(id);
module.exports = { getUserById };
`,
    'src/services/index.js': `module.exports.userService = require('./user.service');
`,
    'src/server.js': `const express = require('express');
const { userService } = require('./services');
const { pool } = require('./db');
const app = express();
app.get('/users/:id', async (req, res) => res.json(await userService.getUserById(req.params.id)));
app.get('/count', async (_req, res) => res.json(await pool.query('SELECT count(*) FROM users')));
app.get('/health', (_req, res) => res.send('ok'));
app.listen(3000);
`,
  });
  const reach = (to: string) => [...new Set(model.edges.filter((e) => e.to === to).flatMap((e) => e.entrypoints ?? [e.from]))].sort();
  assert.deepEqual(reach('datastore:mongodb'), ['entrypoint:GET /users/:id']);
  assert.deepEqual(reach('datastore:postgres'), ['entrypoint:GET /count']);
});

test('link: a project wrapper that returns a closure calling the function it was given (`catchAsync(fn)`) runs that function; one that only stores it does not (trap)', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ dependencies: { express: '^4', pg: '^8' } }),
    'src/db.js': `const { Pool } = require('pg');
const pool = new Pool();
module.exports = { pool };
`,
    'src/utils/catchAsync.js': `const catchAsync = (fn) => (req, res, next) => {
  Promise.resolve(fn(req, res, next)).catch((err) => next(err));
};
module.exports = catchAsync;
`,
    'src/utils/later.js': `const queued = [];
const later = (fn) => (req, res) => {
  queued.push(fn);
  res.status(202).end();
};
module.exports = later;
`,
    'src/users.controller.js': `const catchAsync = require('./utils/catchAsync');
const later = require('./utils/later');
const { pool } = require('./db');
const getUser = catchAsync(async (req, res) => {
  const { rows } = await pool.query('SELECT * FROM users WHERE id = $1', [req.params.id]);
  res.send(rows[0]);
});
const purge = later(async () => pool.query('DELETE FROM sessions'));
module.exports = { getUser, purge };
`,
    'src/server.js': `const express = require('express');
const users = require('./users.controller');
const app = express();
app.get('/users/:id', users.getUser);
app.post('/purge', users.purge);
app.listen(3000);
`,
  });
  const reach = [...new Set(model.edges.filter((e) => e.to === 'datastore:postgres').flatMap((e) => e.entrypoints ?? [e.from]))].sort();
  assert.deepEqual(reach, ['entrypoint:GET /users/:id']);
});

test('link: `super.add(data)` runs the base class method and `super(...)` its constructor; the base method reaches what its typed member does', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ dependencies: { '@nestjs/common': '^10', '@nestjs/core': '^10', bullmq: '^5' } }),
    'src/bull.service.ts': `import { Queue } from 'bullmq';
export class BullMqService {
  private _queue = new Queue('web-sockets', { connection: { host: 'redis' } });
  public async add(name: string, data: unknown) {
    await this._queue.add(name, data);
  }
}
`,
    'src/queue-base.service.ts': `import { BullMqService } from './bull.service';
export class QueueBaseService {
  private instance: BullMqService;
  constructor(public readonly topic: string, bullMqService: BullMqService) {
    this.instance = bullMqService;
  }
  public async add(params: { name: string; data: unknown }) {
    await this.instance.add(params.name, params.data);
  }
  public describe() {
    return this.topic;
  }
}
`,
    'src/ws-queue.service.ts': `import { Injectable } from '@nestjs/common';
import { QueueBaseService } from './queue-base.service';
import { BullMqService } from './bull.service';
@Injectable()
export class WebSocketsQueueService extends QueueBaseService {
  constructor() {
    super('web-sockets', new BullMqService());
  }
  public async add(data: { name: string; data: unknown }) {
    return await super.add(data);
  }
  public describe() {
    return \`queue \${super.describe()}\`;
  }
}
`,
    'src/app.controller.ts': `import { Controller, Get, Post } from '@nestjs/common';
import { WebSocketsQueueService } from './ws-queue.service';
@Controller('messages')
export class AppController {
  constructor(private readonly ws: WebSocketsQueueService) {}
  @Post()
  async mark() {
    await this.ws.add({ name: 'x', data: {} });
  }
  @Get('queue')
  queue() {
    return this.ws.describe();
  }
}
`,
  });
  const reach = [...new Set(model.edges.filter((e) => e.to === 'queue:web-sockets').flatMap((e) => e.entrypoints ?? [e.from]))].sort();
  assert.deepEqual(reach, ['entrypoint:POST /messages']);
});

test('link: the object a factory returns (`createUserQueries(pool)` → `{ findUser, ... }`) holds the functions it defines; a factory returning one of two objects is not guessed (trap)', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ dependencies: { express: '^4', pg: '^8' } }),
    'src/queries.js': `const { Pool } = require('pg');
const pool = new Pool();
function createUserQueries(table) {
  const findUser = (id) => pool.query(\`SELECT * FROM \${table} WHERE id = $1\`, [id]);
  return { findUser };
}
function pickQueries(fast) {
  const readReplica = () => pool.query('SELECT 1');
  const primary = () => pool.query('SELECT 2');
  if (fast) return { run: readReplica };
  return { run: primary };
}
module.exports = { createUserQueries, pickQueries, pool };
`,
    'src/server.js': `const express = require('express');
const { createUserQueries, pickQueries, pool } = require('./queries');
const users = createUserQueries('users');
const picked = pickQueries(true);
const app = express();
app.get('/users/:id', async (req, res) => res.json(await users.findUser(req.params.id)));
app.get('/picked', async (_req, res) => res.json(await picked.run()));
app.listen(3000);
`,
  });
  const reach = [...new Set(model.edges.filter((e) => e.to === 'datastore:postgres').flatMap((e) => e.entrypoints ?? []))].sort();
  assert.deepEqual(reach, ['entrypoint:GET /users/:id']);
});

test('link: NestJS `@Inject(USER_REPOSITORY)` with a Symbol token and providers spread from a list; a getter (`get pool() { return context.transaction ?? this._pool }`) gives what it returns', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ dependencies: { '@nestjs/common': '^10', '@nestjs/core': '^10', slonik: '^37', 'nestjs-slonik': '^9' } }),
    'src/tokens.ts': `export const USER_REPOSITORY = Symbol('USER_REPOSITORY');
`,
    'src/repo.base.ts': `import { DatabasePool, sql } from 'slonik';
export abstract class SqlRepositoryBase {
  protected constructor(private readonly _pool: DatabasePool) {}
  async findOneById(id: string) {
    return this.pool.maybeOne(sql.unsafe\`select * from users where id = \${id}\`);
  }
  protected get pool(): DatabasePool {
    return RequestContext.current().transactionConnection ?? this._pool;
  }
}
class RequestContext {
  transactionConnection?: DatabasePool;
  static current(): RequestContext {
    return new RequestContext();
  }
}
`,
    'src/user.repository.ts': `import { Injectable } from '@nestjs/common';
import { InjectPool } from 'nestjs-slonik';
import { DatabasePool } from 'slonik';
import { SqlRepositoryBase } from './repo.base';
export interface UserRepositoryPort { findOneById(id: string): Promise<unknown>; }
@Injectable()
export class UserRepository extends SqlRepositoryBase implements UserRepositoryPort {
  constructor(@InjectPool() pool: DatabasePool) {
    super(pool);
  }
}
`,
    'src/user.module.ts': `import { Logger, Module, Provider } from '@nestjs/common';
import { USER_REPOSITORY } from './tokens';
import { UserRepository } from './user.repository';
import { AppController } from './app.controller';
const repositories: Provider[] = [{ provide: USER_REPOSITORY, useClass: UserRepository }];
@Module({ controllers: [AppController], providers: [Logger, ...repositories] })
export class UserModule {}
`,
    'src/app.controller.ts': `import { Controller, Get, Inject, Param } from '@nestjs/common';
import { USER_REPOSITORY } from './tokens';
import type { UserRepositoryPort } from './user.repository';
@Controller('users')
export class AppController {
  constructor(@Inject(USER_REPOSITORY) private readonly repo: UserRepositoryPort) {}
  @Get(':id')
  get(@Param('id') id: string) { return this.repo.findOneById(id); }
}
`,
  });
  const reach = [...new Set(model.edges.filter((e) => e.to === 'datastore:postgres').flatMap((e) => e.entrypoints ?? []))].sort();
  assert.deepEqual(reach, ['entrypoint:GET /users/:id']);
});

test('link: static methods (`UserService.find(id)`), a singleton whose static factory declares what it returns (`getInstance(): PrismaClient`), and a call on a static factory’s result (`TraceUpsertQueue.getInstance()?.add(job)`, `Queue | null`)', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ dependencies: { express: '^4', '@prisma/client': '^5', bullmq: '^5' } }),
    'src/db.ts': `import { PrismaClient } from '@prisma/client';
export class PrismaClientSingleton {
  private static instance: PrismaClient;
  public static getInstance(): PrismaClient {
    if (PrismaClientSingleton.instance) return PrismaClientSingleton.instance;
    PrismaClientSingleton.instance = createPrismaInstance();
    return PrismaClientSingleton.instance;
  }
}
const createPrismaInstance = () => new PrismaClient({ log: [] });
declare const globalThis: { prismaGlobal: PrismaClient | undefined } & typeof global;
export const prisma = globalThis.prismaGlobal ?? PrismaClientSingleton.getInstance();
`,
    'src/users.ts': `import { prisma } from './db';
export class UserService {
  static async find(id: string) {
    return prisma.user.findUnique({ where: { id } });
  }
  static describe() {
    return 'users';
  }
}
`,
    'src/queue.ts': `import { Queue } from 'bullmq';
export class TraceUpsertQueue {
  private static instance: Queue | null = null;
  public static getInstance(): Queue | null {
    if (!TraceUpsertQueue.instance) TraceUpsertQueue.instance = new Queue('trace-upsert', { connection: { host: 'redis' } });
    return TraceUpsertQueue.instance;
  }
}
`,
    'src/app.ts': `import express from 'express';
import { UserService } from './users';
import { TraceUpsertQueue } from './queue';
const app = express();
app.get('/users/:id', async (req, res) => res.json(await UserService.find(req.params.id)));
app.get('/about', (_req, res) => res.send(UserService.describe()));
app.post('/traces', async (req, res) => {
  await TraceUpsertQueue.getInstance()?.add('upsert', req.body);
  res.status(202).end();
});
app.listen(3000);
`,
  });
  const reach = (kind: string) => [...new Set(model.edges.filter((e) => e.to.startsWith(kind)).flatMap((e) => e.entrypoints ?? []))].sort();
  assert.deepEqual(reach('datastore:'), ['entrypoint:GET /users/:id']);
  assert.deepEqual(reach('queue:'), ['entrypoint:POST /traces']);
});

test('link: a tsconfig extending an uninstalled workspace config keeps its own `paths` (`"@/*": ["./*"]`); an alias it does not declare stays a package (trap)', async () => {
  const model = await scanModel({
    'packages/config-typescript/package.json': JSON.stringify({ name: '@repo/typescript-config' }),
    'packages/config-typescript/nextjs.json': JSON.stringify({ compilerOptions: { strict: true } }),
    'web/package.json': JSON.stringify({ name: 'web', dependencies: { express: '^4', '@prisma/client': '^5' } }),
    'web/tsconfig.json': `{
  // comments are allowed here
  "extends": "@repo/typescript-config/nextjs.json",
  "compilerOptions": { "paths": { "@/*": ["./*"], "~lib": ["./src/lib/index.ts"] } }
}
`,
    'web/src/lib/index.ts': `export const VERSION = '1';
`,
    'web/src/server/db.ts': `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`,
    'web/src/server/server.ts': `import express from 'express';
import { prisma } from '@/src/server/db';
import { VERSION } from '~lib';
import { helper } from '@acme/helpers';
const app = express();
app.get('/documents/:id', async (req, res) => res.json(await prisma.document.findUnique({ where: { id: req.params.id } })));
app.get('/version', (_req, res) => res.send(VERSION + helper()));
app.listen(3000);
`,
  });
  const reach = [...new Set(model.edges.filter((e) => e.to === 'datastore:postgres').flatMap((e) => e.entrypoints ?? []))].sort();
  assert.deepEqual(reach, ['entrypoint:GET /documents/:id']);
  assert.ok(!model.unresolved.some((u) => /@\/src\/server\/db|~lib/.test(u.what)), JSON.stringify(model.unresolved));
});

test('link: a client from a project singleton’s factory method (`const ch = ClickHouseClientManager.getInstance().getClient()`) is what that method makes', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ dependencies: { express: '^4', '@clickhouse/client': '^1' } }),
    'src/clickhouse.ts': `import { createClient } from '@clickhouse/client';
export class ClickHouseClientManager {
  private static instance: ClickHouseClientManager;
  public static getInstance(): ClickHouseClientManager {
    if (!ClickHouseClientManager.instance) ClickHouseClientManager.instance = new ClickHouseClientManager();
    return ClickHouseClientManager.instance;
  }
  public getClient() {
    const client = createClient({ url: process.env.CLICKHOUSE_URL });
    return client;
  }
}
`,
    'src/app.ts': `import express from 'express';
import { ClickHouseClientManager } from './clickhouse';
const app = express();
app.get('/traces', async (_req, res) => {
  const ch = ClickHouseClientManager.getInstance().getClient();
  const rows = await ch.query({ query: 'SELECT id FROM traces LIMIT 10' });
  res.json(await rows.json());
});
app.listen(3000);
`,
  });
  const reach = [...new Set(model.edges.filter((e) => e.to === 'datastore:clickhouse').flatMap((e) => e.entrypoints ?? []))].sort();
  assert.deepEqual(reach, ['entrypoint:GET /traces']);
});
