import { Router } from 'express';
import multer from 'multer';
import { journalController } from './journal.controller';

const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: 10 * 1024 * 1024, files: 1 },
});

export const journalRouter = Router();

journalRouter.post('/entries', upload.single('photo'), journalController.create);
journalRouter.get('/entries', journalController.list);
journalRouter.get('/entries/:entryId/photo', journalController.photo);
journalRouter.delete('/entries/:entryId', journalController.remove);
