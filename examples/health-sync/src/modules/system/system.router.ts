import { Router } from 'express';
import { prisma } from '../../lib/prisma';
import { redis } from '../../lib/redis';
import { withTimeout } from '../../lib/retry';

export const systemRouter = Router();

/** Liveness: the process is up and the event loop is responsive. */
systemRouter.get('/healthz', (_req, res) => {
  res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
});

/** Readiness: dependencies required to serve traffic are reachable. */
systemRouter.get('/ready', async (_req, res) => {
  const [postgres, cache] = await Promise.allSettled([
    withTimeout(prisma.$queryRaw`SELECT 1`, 2_000, 'postgres ping'),
    withTimeout(redis.ping(), 1_000, 'redis ping'),
  ]);

  const checks = {
    postgres: postgres.status === 'fulfilled' ? 'up' : 'down',
    redis: cache.status === 'fulfilled' ? 'up' : 'down',
  };
  const ready = Object.values(checks).every((s) => s === 'up');

  res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
});
