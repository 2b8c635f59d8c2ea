import { rateLimit } from 'express-rate-limit';
import { env } from '../lib/env';

export const apiRateLimiter = rateLimit({
  windowMs: 60_000,
  limit: env.RATE_LIMIT_PER_MINUTE,
  standardHeaders: 'draft-7',
  legacyHeaders: false,
  handler: (_req, res, _next, options) => {
    res.status(options.statusCode).json({
      error: {
        code: 'RATE_LIMIT_EXCEEDED',
        message: 'Too many requests, slow down',
        retryable: true,
        retryAfterMs: options.windowMs,
      },
    });
  },
});
