import type { HealthSample } from '@prisma/client';
import { type Job, UnrecoverableError } from 'bullmq';
import { env } from '../../lib/env';
import { logger } from '../../lib/logger';
import { prisma } from '../../lib/prisma';
import { healthSampleService } from '../health-samples/health-samples.service';
import { storageService } from '../storage/s3.service';
import { syncService } from '../sync/sync.service';
import type { ExportJobData, ProjectionJobData, ProjectionJobName } from './queues';

export const EXPORT_PAGE_SIZE = 1_000;

const CSV_HEADER = 'type,value,unit,start_at,end_at,source_id';

const csvRow = (s: HealthSample) =>
  [s.type, s.value, s.unit, s.startAt.toISOString(), s.endAt.toISOString(), JSON.stringify(s.sourceId)].join(',');

export async function processProjectionJob(job: Job<ProjectionJobData, void, ProjectionJobName>): Promise<void> {
  const { userId, from, to } = job.data;
  switch (job.name) {
    case 'health-daily-rollup':
      if (!from || !to) throw new UnrecoverableError('health-daily-rollup requires a range');
      await healthSampleService.refreshDailyRollups(userId, new Date(from), new Date(to));
      return;
    case 'consumption-daily-rollup':
      await syncService.refreshConsumptionTotals(userId);
      return;
    default:
      throw new UnrecoverableError(`Unknown projection job ${String(job.name)}`);
  }
}

export async function processExportJob(job: Job<ExportJobData>): Promise<void> {
  const { exportId, userId } = job.data;
  const from = new Date(job.data.from);
  const to = new Date(job.data.to);

  await prisma.exportRequest.update({
    where: { id: exportId },
    data: { status: 'PROCESSING', attempts: { increment: 1 } },
  });

  const lines = [CSV_HEADER];
  let cursor: string | undefined;
  for (;;) {
    const page = await prisma.healthSample.findMany({
      where: { userId, startAt: { gte: from, lt: to } },
      orderBy: { id: 'asc' },
      take: EXPORT_PAGE_SIZE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    lines.push(...page.map(csvRow));
    if (page.length < EXPORT_PAGE_SIZE) break;
    cursor = page[page.length - 1].id;
    await job.updateProgress({ rows: lines.length - 1 });
  }

  const objectKey = `exports/${userId}/${exportId}.csv`;
  await storageService.putObject(env.S3_EXPORTS_BUCKET, objectKey, Buffer.from(lines.join('\n')), 'text/csv');

  await prisma.exportRequest.update({
    where: { id: exportId },
    data: { status: 'COMPLETED', objectKey, completedAt: new Date() },
  });
  logger.info({ exportId, rows: lines.length - 1 }, 'export completed');
}

export async function markExportFailed(exportId: string, error: string): Promise<void> {
  await prisma.exportRequest.update({
    where: { id: exportId },
    data: { status: 'FAILED', error: error.slice(0, 1_000) },
  });
}
