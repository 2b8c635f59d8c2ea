import { Router } from 'express';
import { syncController } from './sync.controller';

export const syncRouter = Router();

syncRouter.post('/push', syncController.push);
syncRouter.get('/pull', syncController.pull);
