import type { Consumption, Prisma } from '@prisma/client';
import { AppError, isUniqueViolation } from '../../lib/errors';
import { prisma } from '../../lib/prisma';
import { OutboxService, outboxService } from '../outbox/outbox.service';
import { type EntityCursor, type SyncChange, SyncRepository, syncRepository } from './sync.repository';

export interface PushSyncRequest {
  clientSyncOperationId: string;
  changes: SyncChange[];
}

export interface PushSyncResult {
  clientSyncOperationId: string;
  applied: number;
  serverIds: Record<string, string>;
}

export interface PullSyncResult {
  consumptions: Consumption[];
  nextCursor: string | null;
}

export class InvalidCursorError extends AppError {
  constructor() {
    super(400, 'VALIDATION_ERROR', 'Sync cursor is malformed');
  }
}

export function encodeCursor(cursor: EntityCursor): string {
  return Buffer.from(JSON.stringify({ t: cursor.lastUpdatedAt.toISOString(), id: cursor.lastId })).toString('base64url');
}

export function decodeCursor(raw: string | undefined): EntityCursor | null {
  if (!raw) return null;
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { t: string; id: string };
    const lastUpdatedAt = new Date(parsed.t);
    if (Number.isNaN(lastUpdatedAt.getTime()) || typeof parsed.id !== 'string') throw new InvalidCursorError();
    return { lastUpdatedAt, lastId: parsed.id };
  } catch {
    throw new InvalidCursorError();
  }
}

export class SyncService {
  constructor(
    private readonly repository: SyncRepository,
    private readonly outbox: OutboxService,
  ) {}

  /**
   * Applies a batch of client changes once per clientSyncOperationId. Replays
   * return the stored result.
   */
  async processPushSync(userId: string, request: PushSyncRequest): Promise<PushSyncResult> {
    const existing = await this.repository.findOperation(userId, request.clientSyncOperationId);
    if (existing?.status === 'APPLIED') {
      return existing.resultPayload as unknown as PushSyncResult;
    }
    if (existing) {
      throw AppError.conflict('SYNC_IN_PROGRESS', 'This sync operation is already being applied', 2_000);
    }

    try {
      return await prisma.$transaction(
        async (tx) => {
          const operation = await this.repository.createOperation(
            tx,
            userId,
            request.clientSyncOperationId,
            request.changes.length,
          );

          const serverIds: Record<string, string> = {};
          for (const change of request.changes) {
            if (change.entity === 'consumption') {
              const row = await this.repository.upsertConsumption(tx, userId, change);
              serverIds[change.clientConsumptionId] = row.id;
            } else {
              const row = await this.repository.upsertPurchase(tx, userId, change);
              serverIds[change.clientPurchaseId] = row.id;
            }
          }

          const result: PushSyncResult = {
            clientSyncOperationId: request.clientSyncOperationId,
            applied: request.changes.length,
            serverIds,
          };

          await this.outbox.addEvent(tx, {
            aggregateType: 'SyncOperation',
            aggregateId: operation.id,
            eventType: 'sync.push.applied',
            payload: { userId, applied: result.applied },
            dedupeKey: `sync-push:${operation.id}`,
          });

          await this.repository.completeOperation(tx, operation.id, result as unknown as Prisma.InputJsonValue);
          return result;
        },
        { maxWait: 5_000, timeout: 15_000 },
      );
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw AppError.conflict('SYNC_IN_PROGRESS', 'This sync operation is already being applied', 2_000);
      }
      throw err;
    }
  }

  async processPullSync(userId: string, rawCursor: string | undefined, limit: number): Promise<PullSyncResult> {
    const cursor = decodeCursor(rawCursor);
    const consumptions = await this.repository.consumptionsSince(userId, cursor, limit);
    const last = consumptions[consumptions.length - 1];
    return {
      consumptions,
      nextCursor: last ? encodeCursor({ lastUpdatedAt: last.updatedAt, lastId: last.id }) : rawCursor ?? null,
    };
  }

  /** Projection handler for sync.push.applied. */
  async refreshConsumptionTotals(userId: string): Promise<void> {
    await this.repository.recomputeConsumptionTotals(userId);
  }
}

export const syncService = new SyncService(syncRepository, outboxService);
