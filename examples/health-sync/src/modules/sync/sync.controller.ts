import type { Request, Response } from 'express';
import { z } from 'zod';
import { principalOf } from '../auth/auth.middleware';
import { SyncService, syncService } from './sync.service';

const ConsumptionChangeSchema = z.object({
  entity: z.literal('consumption'),
  clientConsumptionId: z.string().uuid(),
  productId: z.string().optional(),
  amount: z.number().nonnegative(),
  unit: z.string().min(1).max(16),
  consumedAt: z.coerce.date(),
  deleted: z.boolean().optional(),
});

const PurchaseChangeSchema = z.object({
  entity: z.literal('purchase'),
  clientPurchaseId: z.string().uuid(),
  productId: z.string(),
  quantity: z.number().int().positive(),
  purchasedAt: z.coerce.date(),
  isActive: z.boolean(),
});

const PushSyncSchema = z.object({
  clientSyncOperationId: z.string().uuid(),
  changes: z.array(z.discriminatedUnion('entity', [ConsumptionChangeSchema, PurchaseChangeSchema])).min(1).max(500),
});

const PullSyncQuerySchema = z.object({
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

export class SyncController {
  constructor(private readonly service: SyncService) {}

  push = async (req: Request, res: Response) => {
    const { userId } = principalOf(req);
    const body = PushSyncSchema.parse(req.body);
    res.json(await this.service.processPushSync(userId, body));
  };

  pull = async (req: Request, res: Response) => {
    const { userId } = principalOf(req);
    const { cursor, limit } = PullSyncQuerySchema.parse(req.query);
    res.json(await this.service.processPullSync(userId, cursor, limit));
  };
}

export const syncController = new SyncController(syncService);
