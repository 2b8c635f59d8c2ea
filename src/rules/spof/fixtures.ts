// Small repositories shared by the spof/ and lambda/ rule tests.
export const prismaDb = `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`;

export function domainService(name: string, model: string, touchesDb = true): string {
  return touchesDb
    ? `import { prisma } from '../db';\nexport async function list${name}() { return prisma.${model}.findMany({ take: 50 }); }\n`
    : `export async function list${name}() { return [{ id: 1, name: '${name}' }]; }\n`;
}

export function expressApp(domains: string[]): string {
  const imports = domains.map((d) => `import { list${d} } from './${d.toLowerCase()}/${d.toLowerCase()}.service';`).join('\n');
  const routes = domains.map((d) => `app.get('/${d.toLowerCase()}', async (_req, res) => res.json(await list${d}()));`).join('\n');
  return `import express from 'express';\n${imports}\nexport const app = express();\napp.get('/health', (_req, res) => res.json({ ok: true }));\n${routes}\n`;
}

export const compose = (replicas: number, dbExtra = '') => `services:
  api:
    build: .
    deploy:
      replicas: ${replicas}
  postgres:
    image: postgres:16
    command: postgres -c max_connections=100
${dbExtra}`;
