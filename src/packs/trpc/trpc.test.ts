import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';
import type { Model } from '../../model/types.js';

const entrypoints = (m: Model) => m.nodes.filter((n) => n.kind === 'entrypoint').map((n) => n.id).sort();
const evidenceOf = (m: Model, id: string) => m.nodes.find((n) => n.id === id)?.evidence.map((e) => `${e.file}:${e.line}`);

const trpcBase = `import { initTRPC, TRPCError } from '@trpc/server';
import { prisma } from './db';
const t = initTRPC.context<{ userId?: string }>().create();
export const router = t.router;
export const publicProcedure = t.procedure;
const isAuthed = t.middleware(async ({ ctx, next }) => {
  const session = await prisma.session.findFirst({ where: { userId: ctx.userId } });
  if (!session) throw new TRPCError({ code: 'UNAUTHORIZED' });
  return next();
});
export const authedProcedure = t.procedure.use(isAuthed);
`;

const files = {
  'src/server/db.ts': `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`,
  'src/server/trpc.ts': trpcBase,
  'src/server/routers/invoice/get-invoice.ts': `import { z } from 'zod';
import { authedProcedure } from '../../trpc';
import { prisma } from '../../db';
export const getInvoiceRoute = authedProcedure
  .input(z.object({ id: z.string() }))
  .query(async ({ input }) => prisma.invoice.findUnique({ where: { id: input.id } }));
`,
  'src/server/routers/invoice/router.ts': `import { z } from 'zod';
import { router, authedProcedure } from '../../trpc';
import { getInvoiceRoute } from './get-invoice';
import { prisma } from '../../db';
export const invoiceRouter = router({
  get: getInvoiceRoute,
  send: authedProcedure.input(z.object({ id: z.string() })).mutation(async ({ input }) => prisma.invoice.update({ where: { id: input.id }, data: { sentAt: new Date() } })),
  reminders: router({
    list: authedProcedure.query(async () => prisma.reminder.findMany({ take: 20 })),
  }),
});
`,
  'src/server/routers/_app.ts': `import { router, publicProcedure } from '../trpc';
import { invoiceRouter } from './invoice/router';
export const appRouter = router({
  health: publicProcedure.query(() => 'ok'),
  invoice: invoiceRouter,
});
export type AppRouter = typeof appRouter;
`,
};

test('trpc: procedures of nested routers under the fetch adapter endpoint, queries GET, mutations POST', async () => {
  const model = await scanModel({
    ...files,
    'src/app/api/trpc/[trpc]/handler.ts': `import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from '../../../../server/routers/_app';
export const handler = (req: Request) => fetchRequestHandler({ endpoint: '/api/trpc', req, router: appRouter, createContext: () => ({}) });
`,
  });
  assert.deepEqual(entrypoints(model), [
    'entrypoint:GET /api/trpc/health',
    'entrypoint:GET /api/trpc/invoice.get',
    'entrypoint:GET /api/trpc/invoice.reminders.list',
    'entrypoint:POST /api/trpc/invoice.send',
  ]);
  assert.deepEqual(evidenceOf(model, 'entrypoint:GET /api/trpc/invoice.get'), ['src/server/routers/invoice/get-invoice.ts:4']);
  // the auth middleware of the base procedure runs before the handler: its session read is on the route's path
  const reads = model.edges.filter((e) => e.to === 'datastore:postgres').flatMap((e) => e.entrypoints ?? []);
  assert.ok(reads.includes('entrypoint:GET /api/trpc/invoice.get'));
});

test('trpc: the Next.js pages adapter gives the endpoint from its file path', async () => {
  const model = await scanModel({
    ...files,
    'package.json': JSON.stringify({ name: 'billing', dependencies: { next: '14.2.0', '@trpc/server': '10.45.0' } }),
    'next.config.js': `module.exports = { reactStrictMode: true };
`,
    'src/pages/api/trpc/[trpc].ts': `import { createNextApiHandler } from '@trpc/server/adapters/next';
import { appRouter } from '../../../server/routers/_app';
export default createNextApiHandler({ router: appRouter, createContext: () => ({}) });
`,
  });
  assert.deepEqual(entrypoints(model), [
    'entrypoint:ALL /api/trpc/:trpc',
    'entrypoint:GET /api/trpc/health',
    'entrypoint:GET /api/trpc/invoice.get',
    'entrypoint:GET /api/trpc/invoice.reminders.list',
    'entrypoint:POST /api/trpc/invoice.send',
  ]);
});

test('trpc: without a known endpoint, procedures are named by kind and path; non-procedure chains are ignored (trap)', async () => {
  const model = await scanModel({
    ...files,
    'src/server/search.ts': `import { router } from './trpc';
const db = { selectFrom: (t: string) => ({ query: (sql: string) => sql }) };
export const reportRouter = router({ totals: db.selectFrom('invoices').query('select 1') as never });
export const cache = new Map<string, unknown>();
`,
  });
  assert.deepEqual(entrypoints(model), ['entrypoint:MUTATION invoice.send', 'entrypoint:QUERY health', 'entrypoint:QUERY invoice.get', 'entrypoint:QUERY invoice.reminders.list']);
});

test('trpc: a Next.js app below the repository root (a monorepo’s web/) keeps its procedures and what they reach; its browser code stays out', async () => {
  const nested = Object.fromEntries(Object.entries(files).map(([k, v]) => [`web/${k}`, v]));
  const model = await scanModel({
    ...nested,
    'package.json': JSON.stringify({ name: 'mono', private: true, workspaces: ['web'] }),
    'web/package.json': JSON.stringify({ name: 'web', dependencies: { next: '14.2.0', react: '18.2.0', '@trpc/server': '10.45.0', '@prisma/client': '5.0.0' } }),
    'web/next.config.js': `module.exports = { reactStrictMode: true };
`,
    'web/src/pages/api/trpc/[trpc].ts': `import { createNextApiHandler } from '@trpc/server/adapters/next';
import { appRouter } from '../../../server/routers/_app';
export default createNextApiHandler({ router: appRouter, createContext: () => ({}) });
`,
    'web/src/components/Invoices.tsx': `import { useEffect, useState } from 'react';
export function Invoices() {
  const [rows, setRows] = useState([]);
  useEffect(() => { fetch('https://api.example-analytics.io/v1/track').then(() => setRows([])); }, []);
  return rows.length;
}
`,
  });
  assert.deepEqual(entrypoints(model), [
    'entrypoint:ALL /api/trpc/:trpc',
    'entrypoint:GET /api/trpc/health',
    'entrypoint:GET /api/trpc/invoice.get',
    'entrypoint:GET /api/trpc/invoice.reminders.list',
    'entrypoint:POST /api/trpc/invoice.send',
  ]);
  const reach = [...new Set(model.edges.filter((e) => e.to === 'datastore:postgres').flatMap((e) => e.entrypoints ?? []))].sort();
  assert.deepEqual(reach, ['entrypoint:GET /api/trpc/invoice.get', 'entrypoint:GET /api/trpc/invoice.reminders.list', 'entrypoint:POST /api/trpc/invoice.send']);
  assert.ok(!model.nodes.some((n) => n.id.includes('example-analytics')), 'the component’s fetch is browser code');
});
