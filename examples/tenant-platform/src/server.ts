import express from 'express';
import { healthRouter } from './health/health.router';
import { logger } from './logger';
import { ordersRouter } from './orders/orders.router';
import { resolveTenant } from './tenancy/tenant-context';
import { usageRouter } from './usage/usage.router';

const app = express();
app.use(express.json({ limit: '256kb' }));

app.use(healthRouter);
app.use('/api/v2/orders', resolveTenant, ordersRouter);
app.use('/api/v2/usage', resolveTenant, usageRouter);

app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
  logger.error({ err }, 'request failed');
  res.status(500).json({ error: 'internal_error' });
});

const port = Number(process.env.PORT ?? 8080);
app.listen(port, () => logger.info({ port }, 'order-api listening'));
