import { Router } from 'express';
import { z } from 'zod';
import { countOrdersToday, findOrder, insertOrder, listOrders } from './orders.repository';

const CreateOrder = z.object({ sku: z.string().min(1).max(64), quantity: z.number().int().min(1).max(1000) });

export const ordersRouter = Router();

ordersRouter.get('/', async (req, res, next) => {
  try {
    const limit = Math.min(Number(req.query.limit ?? 50), 200);
    const before = typeof req.query.before === 'string' ? req.query.before : undefined;
    res.json(await listOrders(req.tenant!.id, before, limit));
  } catch (err) {
    next(err);
  }
});

ordersRouter.get('/:orderId', async (req, res, next) => {
  try {
    const order = await findOrder(req.tenant!.id, req.params.orderId);
    if (!order) {
      res.status(404).json({ error: 'not_found' });
      return;
    }
    res.json(order);
  } catch (err) {
    next(err);
  }
});

ordersRouter.post('/', async (req, res, next) => {
  const body = CreateOrder.safeParse(req.body);
  if (!body.success) {
    res.status(422).json({ error: 'invalid_order', issues: body.error.issues });
    return;
  }
  try {
    const today = await countOrdersToday(req.tenant!.id);
    if (today >= req.tenant!.ordersPerDay) {
      res.status(429).json({ error: 'daily_order_quota_exceeded' });
      return;
    }
    res.status(201).json(await insertOrder(req.tenant!.id, body.data.sku, body.data.quantity));
  } catch (err) {
    next(err);
  }
});
