import Anthropic from '@anthropic-ai/sdk';
import CircuitBreaker from 'opossum';
import { env } from '../../lib/env';
import { logger } from '../../lib/logger';
import { withRetry } from '../../lib/retry';

export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

export interface ChatCompletionRequest {
  system: string;
  messages: ChatTurn[];
  maxTokens?: number;
}

export interface ChatCompletion {
  text: string;
  degraded: boolean;
  inputTokens: number;
  outputTokens: number;
}

export const AI_FALLBACK_REPLY =
  "I'm having trouble answering right now. Your message is saved — please try again in a minute.";

const anthropic = new Anthropic({
  apiKey: env.ANTHROPIC_API_KEY,
  maxRetries: 0,
  timeout: 20_000,
});

function isRetryable(err: unknown): boolean {
  if (err instanceof Anthropic.APIConnectionError) return true;
  if (err instanceof Anthropic.APIError) {
    return err.status === 429 || err.status === 529 || (err.status !== undefined && err.status >= 500);
  }
  return false;
}

async function createMessage(request: ChatCompletionRequest): Promise<ChatCompletion> {
  const response = await withRetry(
    () =>
      anthropic.messages.create({
        model: env.ANTHROPIC_MODEL,
        max_tokens: request.maxTokens ?? 1024,
        system: request.system,
        messages: request.messages,
      }),
    {
      retries: 2,
      baseDelayMs: 500,
      maxDelayMs: 4_000,
      shouldRetry: isRetryable,
      onRetry: (err, attempt, delayMs) => logger.warn({ err, attempt, delayMs }, 'retrying anthropic request'),
    },
  );

  const text = response.content
    .filter((block): block is Anthropic.TextBlock => block.type === 'text')
    .map((block) => block.text)
    .join('\n')
    .trim();

  return {
    text,
    degraded: false,
    inputTokens: response.usage.input_tokens,
    outputTokens: response.usage.output_tokens,
  };
}

const breaker = new CircuitBreaker(createMessage, {
  name: 'anthropic',
  timeout: 45_000,
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  resetTimeout: 60_000,
});

breaker.fallback(
  (): ChatCompletion => ({ text: AI_FALLBACK_REPLY, degraded: true, inputTokens: 0, outputTokens: 0 }),
);
breaker.on('open', () => logger.error('anthropic circuit opened'));
breaker.on('close', () => logger.info('anthropic circuit closed'));

export const anthropicClient = {
  complete: (request: ChatCompletionRequest): Promise<ChatCompletion> => breaker.fire(request),
  get circuitState(): 'open' | 'half-open' | 'closed' {
    return breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed';
  },
};

export type AnthropicClient = typeof anthropicClient;
