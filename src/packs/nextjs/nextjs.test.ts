import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';
import type { Model } from '../../model/types.js';

const entrypoints = (m: Model) => m.nodes.filter((n) => n.kind === 'entrypoint').map((n) => n.id).sort();
const evidenceOf = (m: Model, id: string) => m.nodes.find((n) => n.id === id)?.evidence.map((e) => `${e.file}:${e.line}`);

const prismaModule = `import { PrismaClient } from '@prisma/client';
const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };
export const prisma = globalForPrisma.prisma ?? new PrismaClient();
if (process.env.NODE_ENV !== 'production') globalForPrisma.prisma = prisma;
`;

test('nextjs: app router route handlers — groups dropped, dynamic and catch-all segments, src/app, basePath', async () => {
  const model = await scanModel({
    'apps/web/package.json': JSON.stringify({ name: 'web', dependencies: { next: '15.1.0', react: '19.0.0' } }),
    'apps/web/next.config.ts': `import type { NextConfig } from 'next';
const nextConfig: NextConfig = { basePath: '/portal', reactStrictMode: true };
export default nextConfig;
`,
    'apps/web/src/lib/db.ts': prismaModule,
    'apps/web/src/app/(dashboard)/api/invoices/[invoiceId]/route.ts': `import { NextResponse, type NextRequest } from 'next/server';
import { prisma } from '@/lib/db';
export async function GET(req: NextRequest, { params }: { params: Promise<{ invoiceId: string }> }) {
  const { invoiceId } = await params;
  return NextResponse.json(await prisma.invoice.findUnique({ where: { id: invoiceId } }));
}
export async function DELETE(req: NextRequest) {
  return new NextResponse(null, { status: 204 });
}
`,
    'apps/web/src/app/api/files/[...key]/route.ts': `export const PUT = async (req: Request) => new Response('stored', { status: 201 });
export const dynamic = 'force-dynamic';
`,
    'apps/web/src/app/api/auth/[...nextauth]/route.ts': `import { handlers } from '@/auth';
export const { GET, POST } = handlers;
`,
    'apps/web/src/app/route.ts': `export function GET() { return Response.json({ status: 'ok' }); }
`,
    'apps/web/tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['./src/*'] } } }),
  });
  assert.deepEqual(entrypoints(model), [
    'entrypoint:DELETE /portal/api/invoices/:invoiceId',
    'entrypoint:GET /portal',
    'entrypoint:GET /portal/api/auth/:nextauth*',
    'entrypoint:GET /portal/api/invoices/:invoiceId',
    'entrypoint:POST /portal/api/auth/:nextauth*',
    'entrypoint:PUT /portal/api/files/:key*',
  ]);
  assert.deepEqual(evidenceOf(model, 'entrypoint:GET /portal/api/invoices/:invoiceId'), ['apps/web/src/app/(dashboard)/api/invoices/[invoiceId]/route.ts:3']);
  assert.ok(model.edges.some((e) => e.to === 'datastore:postgres'), 'the handler in a frontend package still reaches the datastore');
});

test('nextjs: pages router API routes are one entrypoint each, for every method', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'shop', dependencies: { next: '14.2.0', react: '18.3.0' } }),
    'pages/_app.tsx': `export default function App({ Component, pageProps }: any) { return <Component {...pageProps} />; }
`,
    'pages/api/orders/index.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method === 'POST') return res.status(201).json({ id: 'o_1' });
  res.status(200).json([]);
}
`,
    'pages/api/orders/[orderId].ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { withSession } from '../../../lib/session';
async function orderHandler(req: NextApiRequest, res: NextApiResponse) {
  res.json({ id: req.query.orderId });
}
export default withSession(orderHandler);
`,
    'lib/session.ts': `export function withSession(fn: any) { return fn; }
`,
    'pages/api/orders/orders.test.ts': `export default function () {}
`,
  });
  assert.deepEqual(entrypoints(model), ['entrypoint:ALL /api/orders', 'entrypoint:ALL /api/orders/:orderId']);
  assert.deepEqual(evidenceOf(model, 'entrypoint:ALL /api/orders/:orderId'), ['pages/api/orders/[orderId].ts:3']);
});

test('nextjs: Remix route modules, private folders and lowercase exports are no route handlers (trap)', async () => {
  const model = await scanModel({
    'apps/remix/package.json': JSON.stringify({ name: 'remix-app', dependencies: { '@remix-run/node': '2.0.0', react: '18.3.0' } }),
    'apps/remix/app/routes/documents/route.tsx': `export async function loader() { return { documents: [] }; }
export default function Documents() { return null; }
`,
    'apps/remix/app/api/route.ts': `export async function GET() { return new Response('remix resource'); }
`,
    'apps/web/next.config.mjs': `export default { reactStrictMode: true };
`,
    'apps/web/app/_components/route.ts': `export function GET() { return new Response('private'); }
`,
    'apps/web/app/api/helpers/route.ts': `export function get() { return 'not a handler'; }
export const POSTAL_CODES = ['10115'];
`,
  });
  assert.deepEqual(entrypoints(model), []);
});
