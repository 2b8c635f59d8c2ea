import cron from 'node-cron';
import { logger } from './logger';
import { rollupUsage } from './usage/rollup';

cron.schedule('*/5 * * * *', async () => {
  try {
    await rollupUsage();
  } catch (err) {
    logger.error({ err }, 'usage rollup failed');
  }
}, { name: 'usage-rollup' });

logger.info('usage-worker started');
