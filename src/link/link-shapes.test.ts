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
