import { Prisma } from '@prisma/client';
import { logger } from './logger';
import { sleep } from './retry';

export interface DatabaseRetryConfig {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_CONFIG: DatabaseRetryConfig = {
  maxRetries: 3,
  baseDelayMs: 1000,
  maxDelayMs: 10000,
};

/** P1001 can't reach server, P1002 server timed out, P2024 timed out fetching a connection from the pool. */
const TRANSIENT_PRISMA_CODES = new Set(['P1001', 'P1002', 'P2024']);
const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE']);

export function isTransientDatabaseError(err: unknown): boolean {
  if (err instanceof Prisma.PrismaClientKnownRequestError) {
    return TRANSIENT_PRISMA_CODES.has(err.code);
  }
  if (err instanceof Prisma.PrismaClientInitializationError) {
    return err.errorCode !== undefined && TRANSIENT_PRISMA_CODES.has(err.errorCode);
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code);
}

export class DatabaseService {
  constructor(private readonly config: DatabaseRetryConfig = DEFAULT_RETRY_CONFIG) {}

  /**
   * Runs a database operation, retrying transient connection errors with
   * exponential backoff and jitter. Non-transient errors are rethrown immediately.
   */
  async executeWithRetry<T>(operation: () => Promise<T>, label: string): Promise<T> {
    let attempt = 0;
    for (;;) {
      try {
        return await operation();
      } catch (err) {
        if (attempt >= this.config.maxRetries || !isTransientDatabaseError(err)) {
          throw err;
        }
        const exponential = Math.min(this.config.maxDelayMs, this.config.baseDelayMs * 2 ** attempt);
        const delayMs = Math.floor(exponential / 2 + Math.random() * (exponential / 2));
        attempt += 1;
        logger.warn({ err, label, attempt, delayMs }, 'transient database error, retrying');
        await sleep(delayMs);
      }
    }
  }
}

export const databaseService = new DatabaseService();
