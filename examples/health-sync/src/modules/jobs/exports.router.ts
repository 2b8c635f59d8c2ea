import { Router } from 'express';
import { exportsController } from './exports.controller';

export const exportsRouter = Router();

exportsRouter.post('/', exportsController.create);
exportsRouter.get('/:exportId', exportsController.get);
