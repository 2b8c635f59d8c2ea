import { AppError } from '../../lib/errors';
import { logger } from '../../lib/logger';
import {
  type ExportJobData,
  exportsQueue,
  type ProjectionJobData,
  type ProjectionJobName,
  projectionsQueue,
} from './queues';

export const MAX_PENDING_EXPORTS = 200;

export class JobManagerService {
  /** Enqueues a projection; the jobId makes re-dispatch of the same outbox event a no-op. */
  async enqueueProjection(name: ProjectionJobName, data: ProjectionJobData, jobId: string): Promise<void> {
    await projectionsQueue.add(name, data, { jobId });
  }

  async enqueueExport(data: ExportJobData): Promise<void> {
    const { waiting = 0, delayed = 0 } = await exportsQueue.getJobCounts('waiting', 'delayed');
    if (waiting + delayed >= MAX_PENDING_EXPORTS) {
      logger.warn({ waiting, delayed }, 'export queue is full');
      throw AppError.tooManyRequests('Too many exports are queued, try again later', 60_000);
    }
    await exportsQueue.add('export-health-data', data, { jobId: data.exportId });
  }

  async close(): Promise<void> {
    await Promise.all([projectionsQueue.close(), exportsQueue.close()]);
  }
}

export const jobManager = new JobManagerService();
