import { direct } from '../db/direct';
import { logger } from '../logger';

export async function rollupUsage(): Promise<void> {
  const started = Date.now();
  const { rowCount } = await direct.query(`
    INSERT INTO tenant_usage_metrics (tenant_id, metric_date, orders_created, orders_quota_used_pct)
    SELECT t.id, current_date, count(o.id), round(100.0 * count(o.id) / greatest(t.quota_orders_per_day, 1), 2)
    FROM tenants t
    LEFT JOIN orders o ON o.tenant_id = t.id AND o.created_at >= current_date
    WHERE t.status = 'active'
    GROUP BY t.id, t.quota_orders_per_day
    ON CONFLICT (tenant_id, metric_date)
    DO UPDATE SET orders_created = EXCLUDED.orders_created, orders_quota_used_pct = EXCLUDED.orders_quota_used_pct
  `);
  logger.info({ tenants: rowCount, ms: Date.now() - started }, 'usage rolled up');
}
