import type { Request, Response } from 'express';
import { z } from 'zod';
import { principalOf } from '../auth/auth.middleware';
import { JournalService, journalService } from './journal.service';

const CreateEntrySchema = z.object({
  body: z.string().min(1).max(10_000),
  mood: z.coerce.number().int().min(1).max(5).optional(),
  entryDate: z.coerce.date(),
});

const ListEntriesQuerySchema = z.object({
  before: z.coerce.date().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});

const EntryParamsSchema = z.object({ entryId: z.string().uuid() });

export class JournalController {
  constructor(private readonly service: JournalService) {}

  create = async (req: Request, res: Response) => {
    const { userId } = principalOf(req);
    const input = CreateEntrySchema.parse(req.body);
    const photo = req.file ? { buffer: req.file.buffer, mimetype: req.file.mimetype } : undefined;
    res.status(201).json(await this.service.createEntry(userId, input, photo));
  };

  list = async (req: Request, res: Response) => {
    const { userId } = principalOf(req);
    const { before, limit } = ListEntriesQuerySchema.parse(req.query);
    res.json({ items: await this.service.listEntries(userId, before, limit) });
  };

  photo = async (req: Request, res: Response) => {
    const { userId } = principalOf(req);
    const { entryId } = EntryParamsSchema.parse(req.params);
    const object = await this.service.getPhoto(userId, entryId);
    res.setHeader('Content-Type', object.contentType ?? 'application/octet-stream');
    res.setHeader('Cache-Control', 'private, max-age=3600');
    if (object.contentLength !== undefined) res.setHeader('Content-Length', object.contentLength);
    object.body.pipe(res);
  };

  remove = async (req: Request, res: Response) => {
    const { userId } = principalOf(req);
    const { entryId } = EntryParamsSchema.parse(req.params);
    await this.service.deleteEntry(userId, entryId);
    res.status(204).end();
  };
}

export const journalController = new JournalController(journalService);
