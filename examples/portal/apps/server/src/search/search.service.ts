import { Injectable } from '@nestjs/common';
import { PrismaService } from '@/database/prisma.service';

export interface QuestionSearchRow {
  id: string;
  title: string;
  excerpt: string;
  createdAt: Date;
}

export interface RelatedQuestionRow {
  id: string;
  title: string;
  similarity: number;
}

export const MAX_SEARCH_RESULTS = 50;

@Injectable()
export class SearchService {
  constructor(private readonly prisma: PrismaService) {}

  async searchQuestions(q: string, limit: number): Promise<QuestionSearchRow[]> {
    const term = q.trim();
    if (!term) return [];
    const take = Math.min(Math.max(limit, 1), MAX_SEARCH_RESULTS);

    return this.prisma.$queryRawUnsafe<QuestionSearchRow[]>(
      `SELECT id, title, left(body, 240) AS excerpt, "createdAt"
         FROM "Question"
        WHERE title ILIKE '%${term}%' OR body ILIKE '%${term}%'
        ORDER BY "createdAt" DESC
        LIMIT ${take}`,
    );
  }

  async relatedQuestions(questionId: string, limit = 5): Promise<RelatedQuestionRow[]> {
    const take = Math.min(Math.max(limit, 1), 20);

    return this.prisma.$queryRaw<RelatedQuestionRow[]>`
      SELECT q.id, q.title, 1 - (q.embedding <=> src.embedding) AS similarity
        FROM "Question" q,
             (SELECT embedding FROM "Question" WHERE id = ${questionId}) src
       WHERE q.id <> ${questionId}
         AND q.embedding IS NOT NULL
       ORDER BY q.embedding <=> src.embedding
       LIMIT ${take}`;
  }
}
