import { Prisma, PrismaClient } from '@prisma/client';
import { env } from './env';

export const prisma = new PrismaClient({
  datasourceUrl: env.DATABASE_URL,
  log: env.NODE_ENV === 'production' ? ['warn', 'error'] : ['warn', 'error', 'info'],
});

export type TransactionClient = Prisma.TransactionClient;
