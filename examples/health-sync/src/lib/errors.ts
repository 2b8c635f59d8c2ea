export type ErrorCode =
  | 'VALIDATION_ERROR'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INGEST_IN_PROGRESS'
  | 'SYNC_IN_PROGRESS'
  | 'PAYLOAD_HASH_MISMATCH'
  | 'RATE_LIMIT_EXCEEDED'
  | 'AUTH_UNAVAILABLE'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_ERROR';

export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: ErrorCode,
    message: string,
    public readonly retryable = false,
    public readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }

  static badRequest(message: string): AppError {
    return new AppError(400, 'VALIDATION_ERROR', message);
  }

  static unauthorized(message = 'Authentication required'): AppError {
    return new AppError(401, 'UNAUTHORIZED', message);
  }

  static notFound(what: string): AppError {
    return new AppError(404, 'NOT_FOUND', `${what} not found`);
  }

  static conflict(code: ErrorCode, message: string, retryAfterMs?: number): AppError {
    return new AppError(409, code, message, retryAfterMs !== undefined, retryAfterMs);
  }

  static tooManyRequests(message: string, retryAfterMs: number): AppError {
    return new AppError(429, 'RATE_LIMIT_EXCEEDED', message, true, retryAfterMs);
  }

  static serviceUnavailable(code: ErrorCode, message: string, retryAfterMs: number): AppError {
    return new AppError(503, code, message, true, retryAfterMs);
  }
}

/** Prisma unique-constraint violation (P2002). */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'P2002';
}
