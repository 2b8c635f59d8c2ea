import { Router } from 'express';
import { healthSamplesController } from './health-samples.controller';

export const healthDataRouter = Router();

healthDataRouter.post('/samples/batch', healthSamplesController.batchUpsert);
healthDataRouter.get('/samples', healthSamplesController.list);
healthDataRouter.get('/summary/daily', healthSamplesController.dailySummary);
