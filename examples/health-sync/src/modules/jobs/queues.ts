import { Queue } from 'bullmq';
import { redis } from '../../lib/redis';

export const QUEUE_NAMES = {
  projections: 'projections',
  exports: 'exports',
} as const;

export type ProjectionJobName = 'health-daily-rollup' | 'consumption-daily-rollup';

export interface ProjectionJobData {
  userId: string;
  from?: string;
  to?: string;
  sourceEventId: string;
}

export interface ExportJobData {
  exportId: string;
  userId: string;
  from: string;
  to: string;
}

export const projectionsQueue = new Queue<ProjectionJobData, void, ProjectionJobName>(QUEUE_NAMES.projections, {
  connection: redis,
  defaultJobOptions: {
    attempts: 5,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: { age: 24 * 3600, count: 1_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
});

export const exportsQueue = new Queue<ExportJobData, void, 'export-health-data'>(QUEUE_NAMES.exports, {
  connection: redis,
  defaultJobOptions: {
    attempts: 3,
    backoff: { type: 'exponential', delay: 10_000 },
  },
});
