import { Router } from 'express';
import { pool } from '../db/pool';

export const usageRouter = Router();

usageRouter.get('/', async (req, res, next) => {
  try {
    const { rows } = await pool.query(
      'SELECT metric_date AS "date", orders_created AS "ordersCreated", orders_quota_used_pct AS "ordersQuotaUsedPct" FROM tenant_usage_metrics WHERE tenant_id = $1 ORDER BY metric_date DESC LIMIT 30',
      [req.tenant!.id],
    );
    res.json({ tenant: req.tenant!.code, days: rows });
  } catch (err) {
    next(err);
  }
});
