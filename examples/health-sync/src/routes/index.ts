import type { Express } from 'express';
import { aiChatRouter } from '../modules/ai-chat/ai-chat.router';
import { requireAuth } from '../modules/auth/auth.middleware';
import { authRouter } from '../modules/auth/auth.router';
import { healthDataRouter } from '../modules/health-samples/health-samples.router';
import { exportsRouter } from '../modules/jobs/exports.router';
import { journalRouter } from '../modules/journal/journal.router';
import { syncRouter } from '../modules/sync/sync.router';
import { systemRouter } from '../modules/system/system.router';

export function registerRoutes(app: Express): void {
  app.use('/api', systemRouter);
  app.use('/api/auth', authRouter);

  app.use('/api/health', requireAuth, healthDataRouter);
  app.use('/api/sync', requireAuth, syncRouter);
  app.use('/api/journal', requireAuth, journalRouter);
  app.use('/api/ai', requireAuth, aiChatRouter);
  app.use('/api/exports', requireAuth, exportsRouter);
}
