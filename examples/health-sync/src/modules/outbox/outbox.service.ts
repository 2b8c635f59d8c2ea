import { type OutboxEvent, Prisma } from '@prisma/client';
import { createHash } from 'node:crypto';
import { logger } from '../../lib/logger';
import { prisma, type TransactionClient } from '../../lib/prisma';

export const OUTBOX_BASE_DELAY_MS = 5_000;
export const OUTBOX_MAX_DELAY_MS = 300_000;
export const OUTBOX_MAX_RETRIES = 8;
export const OUTBOX_STALE_PROCESSING_MS = 5 * 60_000;

export interface NewOutboxEvent {
  aggregateType: string;
  aggregateId: string;
  eventType: string;
  payload: Record<string, unknown>;
  /** Prevents two in-flight events for the same originating request. */
  dedupeKey?: string;
}

export function generateEventHash(event: NewOutboxEvent): string {
  return createHash('sha256')
    .update(JSON.stringify([event.eventType, event.aggregateType, event.aggregateId, event.payload]))
    .digest('hex');
}

/**
 * Transactional outbox. Events are written with the domain change, in the same
 * transaction, and dispatched later by the worker's outbox processor.
 */
export class OutboxService {
  async addEvent(tx: TransactionClient, event: NewOutboxEvent): Promise<OutboxEvent> {
    return tx.outboxEvent.create({
      data: {
        aggregateType: event.aggregateType,
        aggregateId: event.aggregateId,
        eventType: event.eventType,
        payload: event.payload as Prisma.InputJsonValue,
        eventHash: generateEventHash(event),
        dedupeKey: event.dedupeKey,
      },
    });
  }

  /** Claims due events; concurrent processors skip each other's rows. */
  async claimBatch(limit: number): Promise<OutboxEvent[]> {
    return prisma.$queryRaw<OutboxEvent[]>`
      UPDATE "OutboxEvent"
         SET "status" = 'PROCESSING', "lockedAt" = now(), "updatedAt" = now()
       WHERE "id" IN (
             SELECT "id" FROM "OutboxEvent"
              WHERE "status" = 'PENDING' AND "nextAttemptAt" <= now()
              ORDER BY "createdAt"
              LIMIT ${limit}
              FOR UPDATE SKIP LOCKED)
   RETURNING *`;
  }

  async markProcessed(id: string): Promise<void> {
    await prisma.outboxEvent.update({
      where: { id },
      data: { status: 'PROCESSED', processedAt: new Date(), lockedAt: null },
    });
  }

  async handleFailedEvent(event: OutboxEvent, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    const retryCount = event.retryCount + 1;

    if (retryCount >= OUTBOX_MAX_RETRIES) {
      await prisma.outboxEvent.update({
        where: { id: event.id },
        data: { status: 'DEAD_LETTER', retryCount, lastError: message, lockedAt: null },
      });
      logger.error({ eventId: event.id, eventType: event.eventType, retryCount }, 'outbox event dead-lettered');
      return;
    }

    await this.incrementRetryCount(event.id, retryCount, message);
  }

  async incrementRetryCount(id: string, retryCount: number, lastError: string): Promise<void> {
    const exponential = Math.min(OUTBOX_MAX_DELAY_MS, OUTBOX_BASE_DELAY_MS * 2 ** (retryCount - 1));
    const delayMs = exponential / 2 + Math.random() * (exponential / 2);
    await prisma.outboxEvent.update({
      where: { id },
      data: {
        status: 'PENDING',
        retryCount,
        lastError,
        lockedAt: null,
        nextAttemptAt: new Date(Date.now() + delayMs),
      },
    });
  }

  /** Returns events abandoned by a crashed processor to the queue. */
  async recoverStaleProcessing(): Promise<number> {
    const { count } = await prisma.outboxEvent.updateMany({
      where: { status: 'PROCESSING', lockedAt: { lt: new Date(Date.now() - OUTBOX_STALE_PROCESSING_MS) } },
      data: { status: 'PENDING', lockedAt: null },
    });
    if (count > 0) {
      logger.warn({ count }, 'recovered stale outbox events');
    }
    return count;
  }
}

export const outboxService = new OutboxService();
