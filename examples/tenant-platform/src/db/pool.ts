import { Pool } from 'pg';
import { logger } from '../logger';

export const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_MAX ?? 5),
  idleTimeoutMillis: 10_000,
  connectionTimeoutMillis: 3_000,
  application_name: 'order-api',
});

pool.on('error', (err) => {
  logger.error({ err }, 'idle PostgreSQL client failed');
});
