import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Capacity } from '../../analyze/capacity/types.js';
import type { Model } from '../../model/types.js';
import { scanModel } from '../../../test/helpers/fixture.js';

const scan = (files: Record<string, string>) => scanModel(files, { rules: [] });
const datastores = (model: Model) => model.nodes.filter((n) => n.kind === 'datastore').map((n) => `${n.id} ${n.tech}`).sort();
/** Edges into datastores: `entrypoints kind[+ro][+tx] -> datastore @ evidence lines`. */
const dataEdges = (model: Model) =>
  model.edges
    .filter((e) => e.to.startsWith('datastore:'))
    .map((e) => `${(e.entrypoints ?? []).join(',') || e.from} ${e.kind}${e.readOnly ? '+ro' : ''}${e.guards.transaction ? '+tx' : ''} -> ${e.to} @ ${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`)
    .sort();
const capacityStores = (model: Model) => (model.capacity as Capacity).datastores.map((d) => `${d.datastore} ${d.tech} ${d.clients.map((c) => `${c.id} ${c.envVar ?? '-'}`).join(' ')}`);

const pkg = JSON.stringify({ name: 'shop', dependencies: { '@prisma/client': '^6.2.0', express: '^4.19.0' } });
const schema = (provider: string) => `generator client {
  provider = "prisma-client-js"
}

datasource db {
  provider = "${provider}"
  url      = env("DATABASE_URL")
}

model User {
  id    Int    @id @default(autoincrement())
  email String @unique
  name  String?
}
`;

test('prisma: model reads and writes, raw queries, both $transaction forms, $connect; an $extends client is still Prisma', async () => {
  const model = await scan({
    'package.json': pkg,
    'prisma/schema.prisma': schema('postgresql'),
    '.env': 'DATABASE_URL=postgresql://shop:pw@db:5432/shop?connection_limit=5\n',
    'src/db.ts': `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
prisma.$on('query', (e) => console.debug(e.query));
export const xprisma = prisma.$extends({
  result: { user: { label: { needs: { email: true, name: true }, compute: (u) => u.name ?? u.email } } },
});
export async function ready() {
  await prisma.$connect();
  return { ok: true };
}
`,
    'src/server.ts': `import express from 'express';
import { prisma, ready, xprisma } from './db';
const app = express();
app.get('/users', async (req, res) => res.json(await prisma.user.findMany({ take: 50 })));
app.get('/users/count', async (req, res) => res.json(await prisma.user.count()));
app.get('/users/raw-count', async (req, res) => res.json(await prisma.$queryRaw\`SELECT count(*) FROM "User"\`));
app.get('/users/:id', async (req, res) => res.json(await xprisma.user.findUniqueOrThrow({ where: { id: Number(req.params.id) } })));
app.post('/users', async (req, res) => {
  const user = await prisma.$transaction(async (tx) => {
    const u = await tx.user.create({ data: { email: req.body.email } });
    return tx.user.update({ where: { id: u.id }, data: { name: req.body.name } });
  });
  res.status(201).json(user);
});
app.post('/users/rename', async (req, res) => res.json(await prisma.user.updateManyAndReturn({ where: { name: null }, data: { name: 'anonymous' } })));
app.post('/users/purge', async (req, res) => res.json(await prisma.$transaction([prisma.user.deleteMany({ where: { email: { endsWith: '@spam.test' } } }), prisma.$executeRaw\`VACUUM "User"\`])));
app.get('/ready', async (req, res) => res.json(await ready()));
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), ['datastore:postgres postgresql']);
  assert.deepEqual(dataEdges(model), [
    'entrypoint:GET /ready uses -> datastore:postgres @ src/db.ts:8',
    'entrypoint:GET /users reads+ro -> datastore:postgres @ src/server.ts:4',
    'entrypoint:GET /users/:id reads+ro -> datastore:postgres @ src/server.ts:7',
    'entrypoint:GET /users/count reads+ro -> datastore:postgres @ src/server.ts:5',
    'entrypoint:GET /users/raw-count reads+ro -> datastore:postgres @ src/server.ts:6',
    'entrypoint:POST /users writes+tx -> datastore:postgres @ src/server.ts:10 src/server.ts:11',
    'entrypoint:POST /users/purge writes+tx -> datastore:postgres @ src/server.ts:16',
    'entrypoint:POST /users/rename writes -> datastore:postgres @ src/server.ts:15',
  ]);
  // capacity: the client's URL comes from the schema's env("DATABASE_URL"), its pool from connection_limit in .env
  assert.deepEqual(capacityStores(model), ['datastore:postgres postgresql prisma@src/db.ts:2 DATABASE_URL']);
  const d = (model.capacity as Capacity).datastores[0];
  assert.deepEqual(d.runtimes.map((r) => [r.runtime, r.pool.value, r.pool.source, r.pool.evidence]), [['runtime:shop', 5, 'explicit', { file: '.env', line: 1 }]]);
});

test('prisma: the schema provider names the datastore; only SQL servers are budgeted; no schema means postgres', async () => {
  const app = {
    'package.json': pkg,
    'src/db.ts': `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`,
    'src/server.ts': `import express from 'express';
import { prisma } from './db';
const app = express();
app.get('/users', async (req, res) => res.json(await prisma.user.findMany()));
app.post('/users', async (req, res) => res.json(await prisma.user.create({ data: req.body })));
app.listen(3000);
`,
  };
  const cases: [string | undefined, string, string[]][] = [
    ['mysql', 'datastore:mysql mysql', ['datastore:mysql mysql prisma@src/db.ts:2 DATABASE_URL']],
    ['mongodb', 'datastore:mongodb mongodb', []],
    ['sqlite', 'datastore:sqlite sqlite', []],
    ['cockroachdb', 'datastore:cockroachdb cockroachdb', []],
    [undefined, 'datastore:postgres postgresql', ['datastore:postgres postgresql prisma@src/db.ts:2 -']],
  ];
  for (const [provider, node, capacity] of cases) {
    const model = await scan(provider ? { ...app, 'prisma/schema.prisma': schema(provider) } : app);
    const id = node.split(' ')[0];
    assert.deepEqual(datastores(model), [node], `provider ${provider}`);
    assert.deepEqual(dataEdges(model), [`entrypoint:GET /users reads+ro -> ${id} @ src/server.ts:4`, `entrypoint:POST /users writes -> ${id} @ src/server.ts:5`], `provider ${provider}`);
    assert.deepEqual(capacityStores(model), capacity, `provider ${provider}`);
  }
});

test('prisma: MongoDB raw reads (findRaw, aggregateRaw) are reads of datastore:mongodb', async () => {
  const model = await scan({
    'package.json': pkg,
    'prisma/schema.prisma': schema('mongodb'),
    'src/db.ts': `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`,
    'src/server.ts': `import express from 'express';
import { prisma } from './db';
const app = express();
app.get('/users/raw', async (req, res) => res.json(await prisma.user.findRaw({ filter: { name: { $exists: false } } })));
app.get('/users/by-domain', async (req, res) => res.json(await prisma.user.aggregateRaw({ pipeline: [{ $group: { _id: '$domain', n: { $sum: 1 } } }] })));
app.listen(3000);
`,
  });
  assert.deepEqual(dataEdges(model), [
    'entrypoint:GET /users/by-domain reads+ro -> datastore:mongodb @ src/server.ts:5',
    'entrypoint:GET /users/raw reads+ro -> datastore:mongodb @ src/server.ts:4',
  ]);
});

test('prisma: a project repository with Prisma-like methods and an extension\'s own model method are no queries; $disconnect is nothing (trap)', async () => {
  const model = await scan({
    'package.json': pkg,
    'prisma/schema.prisma': schema('postgresql'),
    'src/db.ts': `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
export const xprisma = prisma.$extends({
  model: { user: { label(u: { email: string; name: string | null }) { return u.name ?? u.email; } } },
});
export async function stop() {
  await prisma.$disconnect();
}
`,
    'src/cache/users.ts': `const rows = new Map<number, { id: number; email: string }>();
export class UserCache {
  findMany() { return [...rows.values()]; }
  create(u: { id: number; email: string }) { rows.set(u.id, u); return u; }
}
export const userCache = new UserCache();
`,
    'src/server.ts': `import express from 'express';
import { stop, xprisma } from './db';
import { userCache } from './cache/users';
const app = express();
app.get('/cached', (req, res) => res.json(userCache.findMany()));
app.post('/cached', (req, res) => res.json(userCache.create(req.body)));
app.get('/label', (req, res) => res.json(xprisma.user.label({ email: String(req.query.email), name: null })));
app.post('/admin/drain', async (req, res) => res.json(await stop()));
app.listen(3000);
`,
  });
  assert.deepEqual(dataEdges(model), []);
  // the schema still declares the database, and the client's pool is still counted
  assert.deepEqual(capacityStores(model), ['datastore:postgres postgresql prisma@src/db.ts:2 DATABASE_URL']);
  assert.equal((model.capacity as Capacity).datastores[0].clients[0].defaultPool.source, 'unknown', "Prisma's default pool depends on the machine: never guessed");
});

test('prisma: a commented-out provider line in the datasource does not name the engine (trap)', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'api', dependencies: { express: '^4', '@prisma/client': '^6' } }),
    'prisma/schema.prisma': `datasource db {
  // provider = "sqlite"
  provider = "mysql"
  url      = env("DATABASE_URL")
}
`,
    'src/db.ts': `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`,
    'src/server.ts': `import express from 'express';
import { prisma } from './db';
const app = express();
app.get('/users/count', async (_req, res) => res.json(await prisma.user.count()));
app.listen(3000);
`,
  });
  assert.deepEqual(model.nodes.filter((n) => n.kind === 'datastore').map((n) => n.id), ['datastore:mysql']);
});
