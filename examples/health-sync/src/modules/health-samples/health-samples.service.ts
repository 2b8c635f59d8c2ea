import type { DailyHealthRollup, HealthIngestRequest, HealthSample } from '@prisma/client';
import { DatabaseService, databaseService } from '../../lib/database.service';
import { AppError, isUniqueViolation } from '../../lib/errors';
import { logger } from '../../lib/logger';
import { prisma } from '../../lib/prisma';
import { CacheService, cacheService } from '../cache/cache.service';
import { OutboxService, outboxService } from '../outbox/outbox.service';
import { emitToUser } from '../realtime/socket.service';
import {
  type BatchUpsertResult,
  type BatchUpsertSamplesRequest,
  computeBatchPayloadHash,
  type HealthSampleInput,
  type ListSamplesQuery,
} from './health-samples.contract';
import { HealthSampleRepository, healthSampleRepository } from './health-samples.repository';

export const INGEST_STALE_AFTER_MS = 10 * 60_000;
const DAILY_SUMMARY_TTL_SECONDS = 300;
const INGEST_RETRY_AFTER_MS = 2_000;

const healthTag = (userId: string) => `health:${userId}`;

function sampleRange(samples: HealthSampleInput[]): { from: string; to: string } {
  let from = samples[0].startAt;
  let to = samples[0].endAt;
  for (const s of samples) {
    if (s.startAt < from) from = s.startAt;
    if (s.endAt > to) to = s.endAt;
  }
  return { from: from.toISOString(), to: to.toISOString() };
}

export interface SamplePage {
  items: HealthSample[];
  nextCursor: string | null;
}

export class HealthSampleService {
  constructor(
    private readonly repository: HealthSampleRepository,
    private readonly cache: CacheService,
    private readonly outbox: OutboxService,
    private readonly database: DatabaseService,
  ) {}

  /**
   * Idempotent batch ingest keyed by the client's requestId. A replay with the
   * same payload returns the stored result; a different payload is rejected.
   */
  async batchUpsertSamples(userId: string, request: BatchUpsertSamplesRequest): Promise<BatchUpsertResult> {
    const payloadHash = computeBatchPayloadHash(request.samples);
    if (payloadHash !== request.payloadHash) {
      throw new AppError(422, 'PAYLOAD_HASH_MISMATCH', 'payloadHash does not match the samples');
    }

    const existing = await this.repository.findIngestRequest(userId, request.requestId);
    if (existing) {
      return this.resolveExistingRequest(existing, payloadHash);
    }

    let ingest: HealthIngestRequest;
    try {
      ingest = await this.repository.createIngestRequest({
        userId,
        requestId: request.requestId,
        payloadHash,
        sampleCount: request.samples.length,
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw AppError.conflict('INGEST_IN_PROGRESS', 'This batch is already being processed', INGEST_RETRY_AFTER_MS);
      }
      throw err;
    }

    let result: BatchUpsertResult;
    try {
      result = await this.database.executeWithRetry(
        () =>
          prisma.$transaction(
            async (tx) => {
              const upserted = await this.repository.batchUpsertWithIdempotency(tx, userId, request.samples);
              const summary: BatchUpsertResult = {
                requestId: request.requestId,
                accepted: request.samples.length,
                upserted,
                duplicate: false,
              };

              await this.outbox.addEvent(tx, {
                aggregateType: 'HealthSample',
                aggregateId: userId,
                eventType: 'health.samples.changed',
                payload: { userId, ...sampleRange(request.samples), requestId: request.requestId },
                dedupeKey: `health-ingest:${ingest.id}`,
              });

              await this.repository.completeIngestRequest(tx, ingest.id, summary);
              return summary;
            },
            { maxWait: 5_000, timeout: 20_000 },
          ),
        'health.batchUpsertSamples',
      );
    } catch (err) {
      await this.repository
        .markIngestRequestFailed(ingest.id, err instanceof AppError ? err.code : 'INTERNAL_ERROR')
        .catch((markErr) => logger.error({ err: markErr, ingestId: ingest.id }, 'could not mark ingest request failed'));
      throw err;
    }

    await this.cache.invalidateTags([healthTag(userId)]);
    emitToUser(userId, 'health:samples-synced', { requestId: request.requestId, upserted: result.upserted });

    return result;
  }

  async listSamples(userId: string, query: ListSamplesQuery): Promise<SamplePage> {
    const rows = await this.repository.listSamples(userId, query);
    const hasMore = rows.length > query.limit;
    const items = hasMore ? rows.slice(0, query.limit) : rows;
    return { items, nextCursor: hasMore ? items[items.length - 1].id : null };
  }

  async getDailySummary(userId: string, from: Date, to: Date): Promise<DailyHealthRollup[]> {
    const key = `health:daily:${userId}:${from.toISOString().slice(0, 10)}:${to.toISOString().slice(0, 10)}`;
    return this.cache.getOrSet(
      key,
      DAILY_SUMMARY_TTL_SECONDS,
      () => this.repository.findDailyRollups(userId, from, to),
      [healthTag(userId)],
    );
  }

  /** Projection handler: rebuilds daily rollups for the affected range. */
  async refreshDailyRollups(userId: string, from: Date, to: Date): Promise<void> {
    const rows = await this.database.executeWithRetry(
      () => this.repository.recomputeDailyRollups(userId, from, to),
      'health.recomputeDailyRollups',
    );
    await this.cache.invalidateTags([healthTag(userId)]);
    logger.debug({ userId, rows }, 'daily rollups refreshed');
  }

  /** Resets ingest requests left PROCESSING by a crashed instance. */
  async reapStaleIngestRequests(): Promise<number> {
    const count = await this.repository.reapStaleProcessingIngestRequests(new Date(Date.now() - INGEST_STALE_AFTER_MS));
    if (count > 0) {
      logger.warn({ count }, 'reaped stale ingest requests');
    }
    return count;
  }

  private resolveExistingRequest(existing: HealthIngestRequest, payloadHash: string): BatchUpsertResult {
    if (existing.payloadHash !== payloadHash) {
      throw new AppError(422, 'PAYLOAD_HASH_MISMATCH', 'requestId was already used with a different payload');
    }
    switch (existing.status) {
      case 'COMPLETED':
        return { ...(existing.resultPayload as unknown as BatchUpsertResult), duplicate: true };
      case 'PROCESSING':
        throw AppError.conflict('INGEST_IN_PROGRESS', 'This batch is already being processed', INGEST_RETRY_AFTER_MS);
      case 'FAILED':
        throw new AppError(409, 'CONFLICT', 'A previous attempt with this requestId failed; use a new requestId', true);
    }
  }
}

export const healthSampleService = new HealthSampleService(
  healthSampleRepository,
  cacheService,
  outboxService,
  databaseService,
);
