import { Prisma } from '@prisma/client';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { MulterError } from 'multer';
import { ZodError } from 'zod';
import { AppError } from '../lib/errors';
import { logger } from '../lib/logger';

interface ErrorBody {
  code: string;
  message: string;
  retryable: boolean;
  retryAfterMs?: number;
  requestId?: string;
  details?: unknown;
}

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return AppError.badRequest('Request validation failed');
  if (err instanceof MulterError) {
    return err.code === 'LIMIT_FILE_SIZE'
      ? new AppError(413, 'VALIDATION_ERROR', 'Uploaded file is too large')
      : AppError.badRequest(err.message);
  }
  if (err instanceof Prisma.PrismaClientKnownRequestError) {
    switch (err.code) {
      case 'P2002':
        return new AppError(409, 'CONFLICT', 'Resource already exists');
      case 'P2025':
        return AppError.notFound('Resource');
      case 'P1001':
      case 'P1002':
      case 'P2024':
        return AppError.serviceUnavailable('SERVICE_UNAVAILABLE', 'Database temporarily unavailable', 5_000);
    }
  }
  const status = (err as { status?: number; type?: string }).status;
  if (status === 400 || status === 413 || status === 415) {
    return new AppError(status, 'VALIDATION_ERROR', (err as Error).message);
  }
  return new AppError(500, 'INTERNAL_ERROR', 'Internal server error');
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(AppError.notFound(`Route ${req.method} ${req.path}`));
};

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const appError = toAppError(err);
  const requestId = String(req.id ?? '');

  if (appError.status >= 500) {
    logger.error({ err, requestId, userId: req.auth?.userId, path: req.path }, 'request failed');
  } else {
    logger.info({ code: appError.code, requestId, path: req.path }, 'request rejected');
  }

  const body: ErrorBody = {
    code: appError.code,
    message: appError.message,
    retryable: appError.retryable,
    retryAfterMs: appError.retryAfterMs,
    requestId,
  };
  if (err instanceof ZodError) {
    body.details = err.flatten();
  }
  if (appError.retryAfterMs) {
    res.setHeader('Retry-After', Math.ceil(appError.retryAfterMs / 1000));
  }
  res.status(appError.status).json({ error: body });
};
