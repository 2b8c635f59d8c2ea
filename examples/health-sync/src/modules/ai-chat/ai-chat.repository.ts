import type { ChatMessage, Conversation, PrismaClient } from '@prisma/client';
import { prisma } from '../../lib/prisma';
import type { ChatCompletion } from './anthropic.client';

export class AiChatRepository {
  constructor(private readonly db: PrismaClient) {}

  findConversation(userId: string, conversationId: string): Promise<Conversation | null> {
    return this.db.conversation.findFirst({ where: { id: conversationId, userId } });
  }

  recentMessages(conversationId: string, limit: number): Promise<ChatMessage[]> {
    return this.db.chatMessage.findMany({
      where: { conversationId },
      orderBy: { createdAt: 'desc' },
      take: limit,
    });
  }

  listMessages(conversationId: string, before: Date | undefined, limit: number): Promise<ChatMessage[]> {
    return this.db.chatMessage.findMany({
      where: { conversationId, ...(before ? { createdAt: { lt: before } } : {}) },
      orderBy: { createdAt: 'desc' },
      take: limit,
    });
  }

  /** Stores the user's message and the reply, creating the conversation on the first exchange. */
  async saveExchange(
    userId: string,
    conversationId: string | undefined,
    userText: string,
    reply: ChatCompletion,
  ): Promise<{ conversation: Conversation; reply: ChatMessage }> {
    return this.db.$transaction(async (tx) => {
      const conversation = conversationId
        ? await tx.conversation.update({ where: { id: conversationId, userId }, data: { updatedAt: new Date() } })
        : await tx.conversation.create({ data: { userId, title: userText.slice(0, 80) } });

      await tx.chatMessage.create({
        data: { conversationId: conversation.id, role: 'USER', content: userText },
      });
      const assistantMessage = await tx.chatMessage.create({
        data: {
          conversationId: conversation.id,
          role: 'ASSISTANT',
          content: reply.text,
          degraded: reply.degraded,
          inputTokens: reply.inputTokens,
          outputTokens: reply.outputTokens,
        },
      });

      return { conversation, reply: assistantMessage };
    });
  }
}

export const aiChatRepository = new AiChatRepository(prisma);
