import type { JournalEntry, PrismaClient } from '@prisma/client';
import { prisma } from '../../lib/prisma';

export interface NewJournalEntry {
  userId: string;
  body: string;
  mood?: number;
  entryDate: Date;
  photoKey?: string;
  photoContentType?: string;
}

export class JournalRepository {
  constructor(private readonly db: PrismaClient) {}

  create(entry: NewJournalEntry): Promise<JournalEntry> {
    return this.db.journalEntry.create({ data: entry });
  }

  listForUser(userId: string, before: Date | undefined, limit: number): Promise<JournalEntry[]> {
    return this.db.journalEntry.findMany({
      where: { userId, ...(before ? { entryDate: { lt: before } } : {}) },
      orderBy: { entryDate: 'desc' },
      take: limit,
    });
  }

  findForUser(userId: string, id: string): Promise<JournalEntry | null> {
    return this.db.journalEntry.findFirst({ where: { id, userId } });
  }

  delete(id: string): Promise<JournalEntry> {
    return this.db.journalEntry.delete({ where: { id } });
  }
}

export const journalRepository = new JournalRepository(prisma);
