import { Worker } from 'bullmq';
import cron from 'node-cron';
import { logger } from './lib/logger';
import { prisma } from './lib/prisma';
import { redis } from './lib/redis';
import { healthSampleService } from './modules/health-samples/health-samples.service';
import { jobManager } from './modules/jobs/job-manager.service';
import { markExportFailed, processExportJob, processProjectionJob } from './modules/jobs/processors';
import { type ExportJobData, type ProjectionJobData, type ProjectionJobName, QUEUE_NAMES } from './modules/jobs/queues';
import { outboxProcessor } from './modules/outbox/outbox.processor';

const projectionsWorker = new Worker<ProjectionJobData, void, ProjectionJobName>(
  QUEUE_NAMES.projections,
  processProjectionJob,
  { connection: redis, concurrency: 4 },
);

const exportsWorker = new Worker<ExportJobData>(QUEUE_NAMES.exports, processExportJob, {
  connection: redis,
  concurrency: 2,
  lockDuration: 120_000,
});

for (const worker of [projectionsWorker, exportsWorker]) {
  worker.on('error', (err) => logger.error({ err, queue: worker.name }, 'worker error'));
}

projectionsWorker.on('failed', (job, err) => {
  logger.warn({ err, jobId: job?.id, name: job?.name, attemptsMade: job?.attemptsMade }, 'projection job failed');
});

exportsWorker.on('failed', (job, err) => {
  logger.warn({ err, jobId: job?.id, attemptsMade: job?.attemptsMade }, 'export job failed');
  if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
    markExportFailed(job.data.exportId, err.message).catch((markErr) =>
      logger.error({ err: markErr, exportId: job.data.exportId }, 'could not mark export failed'),
    );
  }
});

const outboxTask = cron.schedule('* * * * *', () => outboxProcessor.tick(), { name: 'outbox-processor' });

const reaperTask = cron.schedule(
  '*/5 * * * *',
  async () => {
    try {
      await healthSampleService.reapStaleIngestRequests();
    } catch (err) {
      logger.error({ err }, 'ingest reaper failed');
    }
  },
  { name: 'reap-stale-ingest-requests' },
);

logger.info({ queues: Object.values(QUEUE_NAMES) }, 'worker started');

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  logger.info({ signal }, 'shutting down worker');
  outboxTask.stop();
  reaperTask.stop();
  try {
    await Promise.allSettled([projectionsWorker.close(), exportsWorker.close()]);
    await jobManager.close();
    await prisma.$disconnect();
    await redis.quit();
  } catch (err) {
    logger.error({ err }, 'error during worker shutdown');
  } finally {
    process.exit(0);
  }
}

process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
