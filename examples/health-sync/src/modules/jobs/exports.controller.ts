import type { Request, Response } from 'express';
import { z } from 'zod';
import { AppError } from '../../lib/errors';
import { prisma } from '../../lib/prisma';
import { principalOf } from '../auth/auth.middleware';
import { jobManager, JobManagerService } from './job-manager.service';

const CreateExportSchema = z
  .object({
    from: z.coerce.date(),
    to: z.coerce.date(),
  })
  .refine((r) => r.to > r.from, { message: 'to must be after from', path: ['to'] });

export class ExportsController {
  constructor(private readonly jobs: JobManagerService) {}

  create = async (req: Request, res: Response) => {
    const { userId } = principalOf(req);
    const { from, to } = CreateExportSchema.parse(req.body);

    const exportRequest = await prisma.exportRequest.create({
      data: { userId, from, to, status: 'PENDING' },
    });
    await this.jobs.enqueueExport({
      exportId: exportRequest.id,
      userId,
      from: from.toISOString(),
      to: to.toISOString(),
    });

    res.status(202).json({ id: exportRequest.id, status: exportRequest.status });
  };

  get = async (req: Request, res: Response) => {
    const { userId } = principalOf(req);
    const exportId = z.string().uuid().parse(req.params.exportId);
    const exportRequest = await prisma.exportRequest.findFirst({ where: { id: exportId, userId } });
    if (!exportRequest) throw AppError.notFound('Export');
    res.json({
      id: exportRequest.id,
      status: exportRequest.status,
      createdAt: exportRequest.createdAt,
      completedAt: exportRequest.completedAt,
      objectKey: exportRequest.objectKey,
    });
  };
}

export const exportsController = new ExportsController(jobManager);
