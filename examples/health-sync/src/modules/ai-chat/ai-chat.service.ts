import type { ChatMessage } from '@prisma/client';
import { AppError } from '../../lib/errors';
import { AiChatRepository, aiChatRepository } from './ai-chat.repository';
import { type AnthropicClient, anthropicClient, type ChatTurn } from './anthropic.client';

const HISTORY_LIMIT = 20;

const SYSTEM_PROMPT = [
  'You are a supportive health coach inside a personal health tracking app.',
  'You can discuss sleep, activity and heart-rate trends the user shares with you.',
  'You do not diagnose. Encourage the user to contact a clinician for medical concerns.',
].join(' ');

export interface ChatReply {
  conversationId: string;
  message: ChatMessage;
  degraded: boolean;
}

export class AiChatService {
  constructor(
    private readonly repository: AiChatRepository,
    private readonly ai: AnthropicClient,
  ) {}

  async sendMessage(userId: string, text: string, conversationId?: string): Promise<ChatReply> {
    let history: ChatMessage[] = [];
    if (conversationId) {
      const conversation = await this.repository.findConversation(userId, conversationId);
      if (!conversation) throw AppError.notFound('Conversation');
      history = await this.repository.recentMessages(conversation.id, HISTORY_LIMIT);
    }

    const turns: ChatTurn[] = history
      .reverse()
      .filter((m) => !m.degraded)
      .map((m) => ({ role: m.role === 'USER' ? 'user' : 'assistant', content: m.content }));
    turns.push({ role: 'user', content: text });

    const completion = await this.ai.complete({ system: SYSTEM_PROMPT, messages: turns });
    const saved = await this.repository.saveExchange(userId, conversationId, text, completion);

    return { conversationId: saved.conversation.id, message: saved.reply, degraded: completion.degraded };
  }

  async listMessages(userId: string, conversationId: string, before: Date | undefined, limit: number): Promise<ChatMessage[]> {
    const conversation = await this.repository.findConversation(userId, conversationId);
    if (!conversation) throw AppError.notFound('Conversation');
    return this.repository.listMessages(conversation.id, before, limit);
  }
}

export const aiChatService = new AiChatService(aiChatRepository, anthropicClient);
