import type { TechPack } from '../types.js';

const READS = new Set(['findMany', 'findFirst', 'findUnique', 'findFirstOrThrow', 'findUniqueOrThrow', 'count', 'aggregate', 'groupBy', 'findRaw', 'aggregateRaw', '$queryRaw', '$queryRawUnsafe']);
const WRITES = new Set(['create', 'createMany', 'createManyAndReturn', 'update', 'updateMany', 'updateManyAndReturn', 'upsert', 'delete', 'deleteMany', '$executeRaw', '$executeRawUnsafe']);
const IGNORED = new Set(['$disconnect', '$on', '$use', '$extends', '$transaction']);

/** Prisma's provider → faultline datastore names (docs/model.md). */
export function prismaDatastore(provider: string | undefined): { name: string; tech: string } {
  switch (provider) {
    case 'mysql':
      return { name: 'mysql', tech: 'mysql' };
    case 'mongodb':
      return { name: 'mongodb', tech: 'mongodb' };
    case 'sqlite':
      return { name: 'sqlite', tech: 'sqlite' };
    case 'sqlserver':
      return { name: 'sqlserver', tech: 'sqlserver' };
    case 'cockroachdb':
      return { name: 'cockroachdb', tech: 'cockroachdb' };
    default:
      return { name: 'postgres', tech: 'postgresql' };
  }
}

const pack: TechPack = {
  id: 'prisma',
  title: 'Prisma ORM',
  upstreamDocs: ['https://www.prisma.io/docs/orm/reference/prisma-client-reference', 'https://www.prisma.io/docs/orm/prisma-client/setup-and-configuration/databases-connections/connection-pool'],
  packages: ['@prisma/client'],
  classifyCall(call, ctx) {
    if (!call.instance) return undefined;
    const m = call.member;
    const op = m[m.length - 1];
    if (!op || IGNORED.has(op) || (m.length === 1 && !op.startsWith('$'))) return { use: 'ignore' };
    const ds = prismaDatastore(ctx.prismaProvider);
    const target = { kind: 'datastore' as const, name: ds.name, tech: ds.tech };
    if (op === '$connect') return { use: 'dependency', target, edge: 'uses', op: 'connect' };
    // Prisma queries (and $queryRaw/$executeRaw) are PrismaPromises: sent only when awaited or then'd
    if (READS.has(op)) return { use: 'dependency', target, edge: 'reads', readOnly: true, op: op.startsWith('$') ? 'raw-query' : 'query', lazy: 'Prisma' };
    if (WRITES.has(op)) return { use: 'dependency', target, edge: 'writes', op: op.startsWith('$') ? 'raw-write' : 'write', lazy: 'Prisma' };
    return undefined;
  },
};
export default pack;
