import { Router } from 'express';
import { aiChatController } from './ai-chat.controller';

export const aiChatRouter = Router();

aiChatRouter.post('/chat', aiChatController.chat);
aiChatRouter.get('/conversations/:conversationId/messages', aiChatController.messages);
