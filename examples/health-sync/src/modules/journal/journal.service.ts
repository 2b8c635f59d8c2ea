import type { JournalEntry } from '@prisma/client';
import { randomUUID } from 'node:crypto';
import { env } from '../../lib/env';
import { AppError } from '../../lib/errors';
import { S3StorageService, type StoredObject, storageService } from '../storage/s3.service';
import { JournalRepository, journalRepository } from './journal.repository';

export interface JournalPhoto {
  buffer: Buffer;
  mimetype: string;
}

export interface CreateJournalEntryInput {
  body: string;
  mood?: number;
  entryDate: Date;
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/heic': 'heic',
  'image/webp': 'webp',
};

export class JournalService {
  constructor(
    private readonly repository: JournalRepository,
    private readonly storage: S3StorageService,
    private readonly bucket: string,
  ) {}

  async createEntry(userId: string, input: CreateJournalEntryInput, photo?: JournalPhoto): Promise<JournalEntry> {
    let photoKey: string | undefined;
    if (photo) {
      const extension = EXTENSIONS[photo.mimetype];
      if (!extension) throw AppError.badRequest(`Unsupported image type ${photo.mimetype}`);
      photoKey = `journal/${userId}/${randomUUID()}.${extension}`;
      await this.storage.putObject(this.bucket, photoKey, photo.buffer, photo.mimetype);
    }

    return this.repository.create({
      userId,
      body: input.body,
      mood: input.mood,
      entryDate: input.entryDate,
      photoKey,
      photoContentType: photo?.mimetype,
    });
  }

  listEntries(userId: string, before: Date | undefined, limit: number): Promise<JournalEntry[]> {
    return this.repository.listForUser(userId, before, limit);
  }

  async getPhoto(userId: string, entryId: string): Promise<StoredObject> {
    const entry = await this.repository.findForUser(userId, entryId);
    if (!entry?.photoKey) throw AppError.notFound('Photo');
    return this.storage.getObject(this.bucket, entry.photoKey);
  }

  async deleteEntry(userId: string, entryId: string): Promise<void> {
    const entry = await this.repository.findForUser(userId, entryId);
    if (!entry) throw AppError.notFound('Journal entry');

    await this.repository.delete(entry.id);
    if (entry.photoKey) {
      await this.storage.deleteObject(this.bucket, entry.photoKey);
    }
  }
}

export const journalService = new JournalService(journalRepository, storageService, env.S3_JOURNAL_BUCKET);
