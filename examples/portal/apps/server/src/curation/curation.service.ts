import { Injectable, Logger } from '@nestjs/common';
import CircuitBreaker from 'opossum';
import OpenAI from 'openai';
import { PrismaService } from '@/database/prisma.service';
import type { AuthUser } from '../auth/auth.types';
import { CurationSuggestion, SuggestCurationDto } from './curation.dto';

interface CompletionRequest {
  prompt: string;
  userId: string;
}

export const FALLBACK_SUGGESTION =
  'Suggestions are temporarily unavailable. Try narrowing the question to a single system and adding the constraints you already know.';

const SYSTEM_PROMPT =
  'You are an editor for an architecture Q&A knowledge base. Rewrite the draft question so it is specific, ' +
  'self-contained and answerable. Point out any closely related existing questions by title.';

@Injectable()
export class CurationService {
  private readonly logger = new Logger(CurationService.name);
  private readonly model = process.env.OPENAI_MODEL ?? 'gpt-4o-mini';
  private readonly openai = new OpenAI({
    apiKey: process.env.OPENAI_API_KEY,
    timeout: 20_000,
    maxRetries: 1,
  });
  private readonly breaker: CircuitBreaker<[CompletionRequest], string>;

  constructor(private readonly prisma: PrismaService) {
    this.breaker = new CircuitBreaker((request: CompletionRequest) => this.complete(request), {
      name: 'openai-curation',
      timeout: 15_000,
      errorThresholdPercentage: 50,
      resetTimeout: 30_000,
      volumeThreshold: 5,
    });
    this.breaker.fallback(() => FALLBACK_SUGGESTION);
    this.breaker.on('open', () => this.logger.warn('OpenAI circuit opened; serving fallback suggestions'));
    this.breaker.on('close', () => this.logger.log('OpenAI circuit closed'));
  }

  async suggest(user: AuthUser, dto: SuggestCurationDto): Promise<CurationSuggestion> {
    const tagged = await this.prisma.questionTag.findMany({
      where: { tagId: { in: dto.tagIds } },
      include: { question: { select: { id: true, title: true } } },
      orderBy: { assignedAt: 'desc' },
      take: 20,
    });

    const related = new Map(tagged.map((t) => [t.question.id, t.question.title]));
    const prompt = this.buildPrompt(dto.draft, [...related.values()]);

    const suggestion = await this.breaker.fire({ prompt, userId: user.id });

    return {
      suggestion,
      relatedQuestionIds: [...related.keys()],
      degraded: suggestion === FALLBACK_SUGGESTION,
    };
  }

  private async complete(request: CompletionRequest): Promise<string> {
    const completion = await this.openai.chat.completions.create({
      model: this.model,
      temperature: 0.3,
      max_tokens: 600,
      user: request.userId,
      messages: [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: request.prompt },
      ],
    });

    const content = completion.choices[0]?.message?.content?.trim();
    if (!content) {
      throw new Error('OpenAI returned an empty completion');
    }
    return content;
  }

  private buildPrompt(draft: string, relatedTitles: string[]): string {
    const related = relatedTitles.length
      ? relatedTitles.map((t, i) => `${i + 1}. ${t}`).join('\n')
      : '(none)';
    return `Draft question:\n${draft}\n\nExisting questions with the same tags:\n${related}`;
  }
}
