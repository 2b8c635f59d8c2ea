import { type DailyHealthRollup, type HealthIngestRequest, type HealthSample, Prisma, type PrismaClient } from '@prisma/client';
import { randomUUID } from 'node:crypto';
import { prisma, type TransactionClient } from '../../lib/prisma';
import type { BatchUpsertResult, HealthSampleInput, ListSamplesQuery } from './health-samples.contract';

export class HealthSampleRepository {
  constructor(private readonly db: PrismaClient) {}

  findIngestRequest(userId: string, requestId: string): Promise<HealthIngestRequest | null> {
    return this.db.healthIngestRequest.findUnique({
      where: { userId_requestId: { userId, requestId } },
    });
  }

  createIngestRequest(data: { userId: string; requestId: string; payloadHash: string; sampleCount: number }) {
    return this.db.healthIngestRequest.create({ data: { ...data, status: 'PROCESSING' } });
  }

  completeIngestRequest(tx: TransactionClient, id: string, result: BatchUpsertResult) {
    return tx.healthIngestRequest.update({
      where: { id },
      data: {
        status: 'COMPLETED',
        resultPayload: result as unknown as Prisma.InputJsonValue,
        completedAt: new Date(),
      },
    });
  }

  markIngestRequestFailed(id: string, errorCode: string) {
    return this.db.healthIngestRequest.update({
      where: { id },
      data: { status: 'FAILED', errorCode },
    });
  }

  /**
   * Inserts samples, updating non-key fields of rows that already exist on the
   * natural key (userId, sourceId, sourceRecordId, startAt).
   */
  async batchUpsertWithIdempotency(tx: TransactionClient, userId: string, samples: HealthSampleInput[]): Promise<number> {
    const rows = samples.map(
      (s) => Prisma.sql`(
        ${randomUUID()}, ${userId}, ${s.sourceId}, ${s.sourceRecordId},
        ${s.type}::"HealthSampleType", ${s.value}, ${s.unit}, ${s.startAt}, ${s.endAt},
        ${JSON.stringify(s.metadata ?? {})}::jsonb, now(), now())`,
    );

    return tx.$executeRaw`
      INSERT INTO "HealthSample"
        ("id", "userId", "sourceId", "sourceRecordId", "type", "value", "unit", "startAt", "endAt", "metadata", "createdAt", "updatedAt")
      VALUES ${Prisma.join(rows)}
      ON CONFLICT ("userId", "sourceId", "sourceRecordId", "startAt")
      DO UPDATE SET
        "value" = EXCLUDED."value",
        "unit" = EXCLUDED."unit",
        "endAt" = EXCLUDED."endAt",
        "metadata" = EXCLUDED."metadata",
        "updatedAt" = now()`;
  }

  listSamples(userId: string, query: ListSamplesQuery): Promise<HealthSample[]> {
    return this.db.healthSample.findMany({
      where: {
        userId,
        type: query.type,
        startAt: { gte: query.from, lt: query.to },
      },
      orderBy: [{ startAt: 'desc' }, { id: 'desc' }],
      take: query.limit + 1,
      ...(query.cursor ? { cursor: { id: query.cursor }, skip: 1 } : {}),
    });
  }

  findDailyRollups(userId: string, from: Date, to: Date): Promise<DailyHealthRollup[]> {
    return this.db.dailyHealthRollup.findMany({
      where: { userId, day: { gte: from, lte: to } },
      orderBy: [{ day: 'asc' }, { type: 'asc' }],
      take: 400 * 9,
    });
  }

  recomputeDailyRollups(userId: string, from: Date, to: Date): Promise<number> {
    return this.db.$executeRaw`
      INSERT INTO "DailyHealthRollup" ("id", "userId", "day", "type", "sum", "min", "max", "count", "updatedAt")
      SELECT gen_random_uuid()::text, "userId", date_trunc('day', "startAt")::date, "type",
             sum("value"), min("value"), max("value"), count(*), now()
        FROM "HealthSample"
       WHERE "userId" = ${userId}
         AND "startAt" >= date_trunc('day', ${from}::timestamptz)
         AND "startAt" < date_trunc('day', ${to}::timestamptz) + interval '1 day'
       GROUP BY "userId", date_trunc('day', "startAt")::date, "type"
      ON CONFLICT ("userId", "day", "type")
      DO UPDATE SET "sum" = EXCLUDED."sum", "min" = EXCLUDED."min", "max" = EXCLUDED."max",
                    "count" = EXCLUDED."count", "updatedAt" = now()`;
  }

  async reapStaleProcessingIngestRequests(olderThan: Date): Promise<number> {
    const { count } = await this.db.healthIngestRequest.updateMany({
      where: { status: 'PROCESSING', updatedAt: { lt: olderThan } },
      data: { status: 'FAILED', errorCode: 'STALE_PROCESSING' },
    });
    return count;
  }
}

export const healthSampleRepository = new HealthSampleRepository(prisma);
