import { Pool } from 'pg';

export const direct = new Pool({
  connectionString: process.env.DIRECT_DATABASE_URL,
  application_name: 'usage-worker',
});
