import type { OutboxEvent } from '@prisma/client';
import { logger } from '../../lib/logger';
import { jobManager, JobManagerService } from '../jobs/job-manager.service';
import { OutboxService, outboxService } from './outbox.service';

export const OUTBOX_BATCH_SIZE = 50;

interface HealthSamplesChangedPayload {
  userId: string;
  from: string;
  to: string;
}

interface SyncPushAppliedPayload {
  userId: string;
}

/**
 * Polls the outbox and hands events to BullMQ. Scheduled by the worker process.
 */
export class OutboxProcessor {
  private running = false;

  constructor(
    private readonly outbox: OutboxService,
    private readonly jobs: JobManagerService,
  ) {}

  async tick(): Promise<void> {
    if (this.running) {
      logger.debug('previous outbox cycle still running, skipping');
      return;
    }
    this.running = true;
    try {
      await this.outbox.recoverStaleProcessing();
      const events = await this.outbox.claimBatch(OUTBOX_BATCH_SIZE);
      for (const event of events) {
        await this.processEvent(event);
      }
      if (events.length) {
        logger.info({ count: events.length }, 'outbox batch dispatched');
      }
    } catch (err) {
      logger.error({ err }, 'outbox cycle failed');
    } finally {
      this.running = false;
    }
  }

  private async processEvent(event: OutboxEvent): Promise<void> {
    try {
      await this.dispatch(event);
      await this.outbox.markProcessed(event.id);
    } catch (err) {
      logger.warn({ err, eventId: event.id, eventType: event.eventType }, 'outbox event dispatch failed');
      await this.outbox.handleFailedEvent(event, err);
    }
  }

  private async dispatch(event: OutboxEvent): Promise<void> {
    switch (event.eventType) {
      case 'health.samples.changed': {
        const payload = event.payload as unknown as HealthSamplesChangedPayload;
        await this.jobs.enqueueProjection(
          'health-daily-rollup',
          { userId: payload.userId, from: payload.from, to: payload.to, sourceEventId: event.id },
          `health-daily-rollup_${event.id}`,
        );
        return;
      }
      case 'sync.push.applied': {
        const payload = event.payload as unknown as SyncPushAppliedPayload;
        await this.jobs.enqueueProjection(
          'consumption-daily-rollup',
          { userId: payload.userId, sourceEventId: event.id },
          `consumption-daily-rollup_${event.id}`,
        );
        return;
      }
      default:
        logger.warn({ eventType: event.eventType, eventId: event.id }, 'no handler for outbox event type');
    }
  }
}

export const outboxProcessor = new OutboxProcessor(outboxService, jobManager);
