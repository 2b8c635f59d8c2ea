import Redis from 'ioredis';
import { env } from './env';
import { logger } from './logger';

/**
 * Shared Redis connection. BullMQ requires `maxRetriesPerRequest: null` on the
 * connections it uses for workers.
 */
export const redis = new Redis(env.REDIS_URL, {
  maxRetriesPerRequest: null,
  enableReadyCheck: true,
  retryStrategy: (times) => Math.min(times * 200, 5_000),
});

redis.on('error', (err) => logger.error({ err }, 'redis connection error'));
redis.on('reconnecting', () => logger.warn('redis reconnecting'));
