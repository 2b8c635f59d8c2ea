import type { Request, Response } from 'express';
import { z } from 'zod';
import { principalOf } from '../auth/auth.middleware';
import { AiChatService, aiChatService } from './ai-chat.service';

const SendMessageSchema = z.object({
  conversationId: z.string().uuid().optional(),
  message: z.string().min(1).max(4_000),
});

const ListMessagesQuerySchema = z.object({
  before: z.coerce.date().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export class AiChatController {
  constructor(private readonly service: AiChatService) {}

  chat = async (req: Request, res: Response) => {
    const { userId } = principalOf(req);
    const { conversationId, message } = SendMessageSchema.parse(req.body);
    res.json(await this.service.sendMessage(userId, message, conversationId));
  };

  messages = async (req: Request, res: Response) => {
    const { userId } = principalOf(req);
    const conversationId = z.string().uuid().parse(req.params.conversationId);
    const { before, limit } = ListMessagesQuerySchema.parse(req.query);
    res.json({ items: await this.service.listMessages(userId, conversationId, before, limit) });
  };
}

export const aiChatController = new AiChatController(aiChatService);
