import type { NextFunction, Request, Response } from 'express';
import { pool } from '../db/pool';

export interface Tenant {
  id: string;
  code: string;
  status: 'active' | 'suspended';
  ordersPerDay: number;
}

declare global {
  namespace Express {
    interface Request {
      tenant?: Tenant;
    }
  }
}

export async function resolveTenant(req: Request, res: Response, next: NextFunction): Promise<void> {
  const code = req.header('x-tenant-id');
  if (!code) {
    res.status(400).json({ error: 'missing_tenant' });
    return;
  }
  try {
    const { rows } = await pool.query<Tenant>(
      'SELECT id, code, status, quota_orders_per_day AS "ordersPerDay" FROM tenants WHERE code = $1',
      [code],
    );
    const tenant = rows[0];
    if (!tenant || tenant.status !== 'active') {
      res.status(404).json({ error: 'unknown_tenant' });
      return;
    }
    req.tenant = tenant;
    next();
  } catch (err) {
    next(err);
  }
}
