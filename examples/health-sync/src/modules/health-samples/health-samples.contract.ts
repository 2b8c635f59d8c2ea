import { HealthSampleType } from '@prisma/client';
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const MAX_BATCH_SIZE = 2_000;
export const MAX_PAGE_SIZE = 500;

export const PayloadHashSchema = z.string().regex(/^[a-f0-9]{64}$/, 'payloadHash must be a SHA-256 hex digest');

export const HealthSampleSchema = z
  .object({
    sourceId: z.string().min(1).max(128),
    sourceRecordId: z.string().min(1).max(256),
    type: z.nativeEnum(HealthSampleType),
    value: z.number().finite(),
    unit: z.string().min(1).max(32),
    startAt: z.coerce.date(),
    endAt: z.coerce.date(),
    metadata: z.record(z.unknown()).optional(),
  })
  .refine((s) => s.endAt >= s.startAt, { message: 'endAt must not precede startAt', path: ['endAt'] });

export type HealthSampleInput = z.infer<typeof HealthSampleSchema>;

export const BatchUpsertSamplesRequestSchema = z.object({
  requestId: z.string().uuid(),
  payloadHash: PayloadHashSchema,
  samples: z.array(HealthSampleSchema).min(1).max(MAX_BATCH_SIZE),
});

export type BatchUpsertSamplesRequest = z.infer<typeof BatchUpsertSamplesRequestSchema>;

export const ListSamplesQuerySchema = z.object({
  type: z.nativeEnum(HealthSampleType).optional(),
  from: z.coerce.date(),
  to: z.coerce.date(),
  cursor: z.string().uuid().optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(100),
});

export type ListSamplesQuery = z.infer<typeof ListSamplesQuerySchema>;

export const DailySummaryQuerySchema = z.object({
  from: z.coerce.date(),
  to: z.coerce.date(),
});

export interface BatchUpsertResult {
  requestId: string;
  accepted: number;
  upserted: number;
  duplicate: boolean;
}

/**
 * SHA-256 of the canonicalised samples: keys sorted, dates as ISO strings,
 * samples ordered by (sourceId, sourceRecordId, startAt). Must match the client.
 */
export function computeBatchPayloadHash(samples: HealthSampleInput[]): string {
  const canonical = samples
    .map((s) => ({
      endAt: s.endAt.toISOString(),
      metadata: s.metadata ?? null,
      sourceId: s.sourceId,
      sourceRecordId: s.sourceRecordId,
      startAt: s.startAt.toISOString(),
      type: s.type,
      unit: s.unit,
      value: s.value,
    }))
    .sort((a, b) =>
      a.sourceId.localeCompare(b.sourceId) ||
      a.sourceRecordId.localeCompare(b.sourceRecordId) ||
      a.startAt.localeCompare(b.startAt),
    );
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
