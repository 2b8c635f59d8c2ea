import type Redis from 'ioredis';
import { logger } from '../../lib/logger';
import { redis } from '../../lib/redis';

export const CIRCUIT_FAILURE_THRESHOLD = 3;
export const CIRCUIT_RESET_TIMEOUT_MS = 30_000;

type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

const tagKey = (tag: string) => `cache:tag:${tag}`;

/**
 * Read-through cache on Redis. Cache failures never fail a request: reads fall
 * back to the loader and writes are dropped. After consecutive failures the
 * cache stops calling Redis until the reset timeout elapses.
 */
export class CacheService {
  private state: CircuitState = 'CLOSED';
  private consecutiveFailures = 0;
  private openedAt = 0;

  constructor(private readonly client: Redis) {}

  async get<T>(key: string): Promise<T | null> {
    if (!this.shouldAttemptOperation()) return null;
    try {
      const raw = await this.client.get(key);
      this.recordSuccess();
      return raw === null ? null : (JSON.parse(raw) as T);
    } catch (err) {
      this.recordFailure(err, 'get');
      return null;
    }
  }

  async set(key: string, value: unknown, ttlSeconds: number, tags: string[] = []): Promise<void> {
    if (!this.shouldAttemptOperation()) return;
    try {
      const tx = this.client.multi().set(key, JSON.stringify(value), 'EX', ttlSeconds);
      for (const tag of tags) {
        tx.sadd(tagKey(tag), key).expire(tagKey(tag), ttlSeconds * 2);
      }
      await tx.exec();
      this.recordSuccess();
    } catch (err) {
      this.recordFailure(err, 'set');
    }
  }

  async getOrSet<T>(key: string, ttlSeconds: number, loader: () => Promise<T>, tags: string[] = []): Promise<T> {
    const cached = await this.get<T>(key);
    if (cached !== null) return cached;
    const value = await loader();
    await this.set(key, value, ttlSeconds, tags);
    return value;
  }

  async invalidateTags(tags: string[]): Promise<void> {
    if (!this.shouldAttemptOperation()) return;
    try {
      for (const tag of tags) {
        const keys = await this.client.smembers(tagKey(tag));
        if (keys.length) {
          await this.client.del(...keys, tagKey(tag));
        }
      }
      this.recordSuccess();
    } catch (err) {
      this.recordFailure(err, 'invalidate');
    }
  }

  private shouldAttemptOperation(): boolean {
    if (this.state !== 'OPEN') return true;
    if (Date.now() - this.openedAt >= CIRCUIT_RESET_TIMEOUT_MS) {
      this.state = 'HALF_OPEN';
      return true;
    }
    return false;
  }

  private recordSuccess(): void {
    if (this.state !== 'CLOSED') {
      logger.info('cache circuit closed');
    }
    this.state = 'CLOSED';
    this.consecutiveFailures = 0;
  }

  private recordFailure(err: unknown, operation: string): void {
    this.consecutiveFailures += 1;
    logger.warn({ err, operation, consecutiveFailures: this.consecutiveFailures }, 'cache operation failed');
    if (this.state === 'HALF_OPEN' || this.consecutiveFailures >= CIRCUIT_FAILURE_THRESHOLD) {
      this.state = 'OPEN';
      this.openedAt = Date.now();
      logger.error('cache circuit opened');
    }
  }
}

export const cacheService = new CacheService(redis);
