import { type Consumption, Prisma, type PrismaClient, type Purchase, type SyncOperation } from '@prisma/client';
import { prisma, type TransactionClient } from '../../lib/prisma';

export interface ConsumptionChange {
  entity: 'consumption';
  clientConsumptionId: string;
  productId?: string;
  amount: number;
  unit: string;
  consumedAt: Date;
  deleted?: boolean;
}

export interface PurchaseChange {
  entity: 'purchase';
  clientPurchaseId: string;
  productId: string;
  quantity: number;
  purchasedAt: Date;
  isActive: boolean;
}

export type SyncChange = ConsumptionChange | PurchaseChange;

export interface EntityCursor {
  lastUpdatedAt: Date;
  lastId: string;
}

export class SyncRepository {
  constructor(private readonly db: PrismaClient) {}

  findOperation(userId: string, clientSyncOperationId: string): Promise<SyncOperation | null> {
    return this.db.syncOperation.findUnique({
      where: { userId_clientSyncOperationId: { userId, clientSyncOperationId } },
    });
  }

  createOperation(tx: TransactionClient, userId: string, clientSyncOperationId: string, changeCount: number) {
    return tx.syncOperation.create({
      data: { userId, clientSyncOperationId, changeCount, status: 'APPLYING' },
    });
  }

  completeOperation(tx: TransactionClient, id: string, resultPayload: Prisma.InputJsonValue) {
    return tx.syncOperation.update({ where: { id }, data: { status: 'APPLIED', resultPayload } });
  }

  upsertConsumption(tx: TransactionClient, userId: string, change: ConsumptionChange): Promise<Consumption> {
    const fields = {
      productId: change.productId ?? null,
      amount: change.amount,
      unit: change.unit,
      consumedAt: change.consumedAt,
      deletedAt: change.deleted ? new Date() : null,
    };
    return tx.consumption.upsert({
      where: { userId_clientConsumptionId: { userId, clientConsumptionId: change.clientConsumptionId } },
      create: { userId, clientConsumptionId: change.clientConsumptionId, ...fields },
      update: fields,
    });
  }

  upsertPurchase(tx: TransactionClient, userId: string, change: PurchaseChange): Promise<Purchase> {
    const fields = {
      productId: change.productId,
      quantity: change.quantity,
      purchasedAt: change.purchasedAt,
      isActive: change.isActive,
    };
    return tx.purchase.upsert({
      where: { userId_clientPurchaseId: { userId, clientPurchaseId: change.clientPurchaseId } },
      create: { userId, clientPurchaseId: change.clientPurchaseId, ...fields },
      update: fields,
    });
  }

  consumptionsSince(userId: string, cursor: EntityCursor | null, limit: number): Promise<Consumption[]> {
    return this.db.consumption.findMany({
      where: {
        userId,
        ...(cursor
          ? {
              OR: [
                { updatedAt: { gt: cursor.lastUpdatedAt } },
                { updatedAt: cursor.lastUpdatedAt, id: { gt: cursor.lastId } },
              ],
            }
          : {}),
      },
      orderBy: [{ updatedAt: 'asc' }, { id: 'asc' }],
      take: limit,
    });
  }

  recomputeConsumptionTotals(userId: string): Promise<number> {
    return this.db.$executeRaw`
      INSERT INTO "ConsumptionDailyTotal" ("userId", "day", "total", "updatedAt")
      SELECT "userId", date_trunc('day', "consumedAt")::date, sum("amount"), now()
        FROM "Consumption"
       WHERE "userId" = ${userId} AND "deletedAt" IS NULL
       GROUP BY "userId", date_trunc('day', "consumedAt")::date
      ON CONFLICT ("userId", "day") DO UPDATE SET "total" = EXCLUDED."total", "updatedAt" = now()`;
  }
}

export const syncRepository = new SyncRepository(prisma);
