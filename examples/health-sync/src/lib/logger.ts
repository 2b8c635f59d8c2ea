import pino from 'pino';
import { env } from './env';

export const logger = pino({
  level: env.NODE_ENV === 'production' ? 'info' : 'debug',
  redact: {
    paths: ['req.headers.authorization', 'req.body.password', 'req.body.samples', '*.accessToken', '*.refreshToken'],
    censor: '[redacted]',
  },
  base: { service: 'health-sync' },
});
