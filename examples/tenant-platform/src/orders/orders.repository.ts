import { pool } from '../db/pool';

export interface Order {
  id: string;
  tenantId: string;
  sku: string;
  quantity: number;
  status: 'pending' | 'paid' | 'cancelled';
  createdAt: string;
}

const COLUMNS = 'id, tenant_id AS "tenantId", sku, quantity, status, created_at AS "createdAt"';

export async function findOrder(tenantId: string, orderId: string): Promise<Order | undefined> {
  const { rows } = await pool.query<Order>(`SELECT ${COLUMNS} FROM orders WHERE tenant_id = $1 AND id = $2`, [tenantId, orderId]);
  return rows[0];
}

export async function listOrders(tenantId: string, before: string | undefined, limit: number): Promise<Order[]> {
  const { rows } = await pool.query<Order>(
    `SELECT ${COLUMNS} FROM orders WHERE tenant_id = $1 AND ($2::timestamptz IS NULL OR created_at < $2) ORDER BY created_at DESC LIMIT $3`,
    [tenantId, before ?? null, limit],
  );
  return rows;
}

export async function insertOrder(tenantId: string, sku: string, quantity: number): Promise<Order> {
  const { rows } = await pool.query<Order>(
    `INSERT INTO orders (tenant_id, sku, quantity, status) VALUES ($1, $2, $3, 'pending') RETURNING ${COLUMNS}`,
    [tenantId, sku, quantity],
  );
  return rows[0];
}

export async function countOrdersToday(tenantId: string): Promise<number> {
  const { rows } = await pool.query<{ count: string }>(
    "SELECT count(*) FROM orders WHERE tenant_id = $1 AND created_at >= date_trunc('day', now())",
    [tenantId],
  );
  return Number(rows[0]?.count ?? 0);
}
