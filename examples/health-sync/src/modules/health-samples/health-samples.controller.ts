import type { Request, Response } from 'express';
import { AppError } from '../../lib/errors';
import { principalOf } from '../auth/auth.middleware';
import {
  BatchUpsertSamplesRequestSchema,
  DailySummaryQuerySchema,
  ListSamplesQuerySchema,
} from './health-samples.contract';
import { HealthSampleService, healthSampleService } from './health-samples.service';

const MAX_SUMMARY_DAYS = 400;

export class HealthSamplesController {
  constructor(private readonly service: HealthSampleService) {}

  batchUpsert = async (req: Request, res: Response) => {
    const { userId } = principalOf(req);
    const body = BatchUpsertSamplesRequestSchema.parse(req.body);
    const result = await this.service.batchUpsertSamples(userId, body);
    res.status(result.duplicate ? 200 : 201).json(result);
  };

  list = async (req: Request, res: Response) => {
    const { userId } = principalOf(req);
    const query = ListSamplesQuerySchema.parse(req.query);
    res.json(await this.service.listSamples(userId, query));
  };

  dailySummary = async (req: Request, res: Response) => {
    const { userId } = principalOf(req);
    const { from, to } = DailySummaryQuerySchema.parse(req.query);
    if ((to.getTime() - from.getTime()) / 86_400_000 > MAX_SUMMARY_DAYS) {
      throw AppError.badRequest(`Range must not exceed ${MAX_SUMMARY_DAYS} days`);
    }
    res.json({ items: await this.service.getDailySummary(userId, from, to) });
  };
}

export const healthSamplesController = new HealthSamplesController(healthSampleService);
