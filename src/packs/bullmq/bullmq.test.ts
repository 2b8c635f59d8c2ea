import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';
import type { Model } from '../../model/types.js';

const entrypoints = (m: Model) => m.nodes.filter((n) => n.kind === 'entrypoint').map((n) => n.id).sort();

const jobsProvider = `import { Queue, Worker, type Job } from 'bullmq';
import IORedis from 'ioredis';
const QUEUE_NAME = 'signing-jobs';
export class BullJobProvider {
  private readonly queue: Queue;
  private readonly worker: Worker;
  constructor() {
    const connection = new IORedis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
    this.queue = new Queue(QUEUE_NAME, { connection });
    this.worker = new Worker(QUEUE_NAME, async (job: Job) => this.process(job), { connection, concurrency: 5 });
  }
  async process(job: Job) {
    return job.data;
  }
}
`;

test('bullmq: a Worker built in a class constructor is an entrypoint, also in a library package that depends on react (email templates)', async () => {
  const model = await scanModel({
    'packages/lib/package.json': JSON.stringify({ name: '@acme/lib', dependencies: { bullmq: '^5.0.0', react: '^18.3.0' } }),
    'packages/lib/jobs/bullmq.ts': jobsProvider,
  });
  assert.deepEqual(entrypoints(model), ['entrypoint:worker:signing-jobs']);
});

test('bullmq: an HTTP route defined in a frontend package is still not a backend entrypoint (trap)', async () => {
  const model = await scanModel({
    'apps/web/package.json': JSON.stringify({ name: 'web', dependencies: { react: '^18.3.0', 'react-dom': '^18.3.0' } }),
    'apps/web/src/mock-server.ts': `import express from 'express';
const app = express();
app.get('/api/mock-users', (req, res) => res.json([]));
app.listen(4000);
`,
    'packages/lib/package.json': JSON.stringify({ name: '@acme/lib', dependencies: { bullmq: '^5.0.0', react: '^18.3.0' } }),
    'packages/lib/jobs/bullmq.ts': jobsProvider,
  });
  assert.deepEqual(entrypoints(model), ['entrypoint:worker:signing-jobs']);
});

test('@nestjs/bull: queues and processors named by constants; one consumer per @Process job when a processor has several', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'portfolio-api', dependencies: { '@nestjs/core': '^10', '@nestjs/common': '^10', '@nestjs/bull': '^10', bull: '^4', '@prisma/client': '^5' } }),
    'src/config.ts': `export const DATA_GATHERING_QUEUE = 'DATA_GATHERING_QUEUE';
export const SNAPSHOT_QUEUE = 'PORTFOLIO_SNAPSHOT_QUEUE';
export const GATHER_PROFILE_JOB = 'GATHER_ASSET_PROFILE';
`,
    'src/prisma.service.ts': `import { Injectable } from '@nestjs/common';
import { PrismaClient } from '@prisma/client';
@Injectable()
export class PrismaService extends PrismaClient {}
`,
    'src/gathering.service.ts': `import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bull';
import { DATA_GATHERING_QUEUE, SNAPSHOT_QUEUE, GATHER_PROFILE_JOB } from './config';
@Injectable()
export class GatheringService {
  constructor(
    @InjectQueue(DATA_GATHERING_QUEUE) private readonly gatheringQueue: Queue,
    @InjectQueue(SNAPSHOT_QUEUE) private readonly snapshotQueue: Queue,
  ) {}
  async gatherProfile(symbol: string) {
    await this.gatheringQueue.add(GATHER_PROFILE_JOB, { symbol });
  }
  async computeSnapshot(userId: string) {
    await this.snapshotQueue.add('compute', { userId });
  }
}
`,
    'src/symbols.controller.ts': `import { Controller, Param, Post } from '@nestjs/common';
import { GatheringService } from './gathering.service';
@Controller('symbols')
export class SymbolsController {
  constructor(private readonly gathering: GatheringService) {}
  @Post(':symbol/gather')
  gather(@Param('symbol') symbol: string) {
    return this.gathering.gatherProfile(symbol);
  }
  @Post(':userId/snapshot')
  snapshot(@Param('userId') userId: string) {
    return this.gathering.computeSnapshot(userId);
  }
}
`,
    'src/gathering.processor.ts': `import { Process, Processor } from '@nestjs/bull';
import { Job } from 'bull';
import { PrismaService } from './prisma.service';
import { DATA_GATHERING_QUEUE, GATHER_PROFILE_JOB } from './config';
@Processor(DATA_GATHERING_QUEUE)
export class GatheringProcessor {
  constructor(private readonly prisma: PrismaService) {}
  @Process({ concurrency: 1, name: GATHER_PROFILE_JOB })
  async gatherProfile(job: Job<{ symbol: string }>) {
    await this.prisma.symbolProfile.update({ where: { symbol: job.data.symbol }, data: { gatheredAt: new Date() } });
  }
  @Process('GATHER_HISTORY')
  async gatherHistory(job: Job<{ symbol: string }>) {
    await this.prisma.marketData.createMany({ data: [{ symbol: job.data.symbol }] });
  }
}
`,
    'src/snapshot.processor.ts': `import { Process, Processor } from '@nestjs/bull';
import { Job } from 'bull';
import { PrismaService } from './prisma.service';
import { SNAPSHOT_QUEUE } from './config';
@Processor(SNAPSHOT_QUEUE)
export class SnapshotProcessor {
  constructor(private readonly prisma: PrismaService) {}
  @Process('compute')
  async compute(job: Job<{ userId: string }>) {
    await this.prisma.snapshot.create({ data: { userId: job.data.userId } });
  }
}
`,
  });
  assert.deepEqual(model.nodes.filter((n) => n.kind === 'queue').map((n) => n.id).sort(), ['queue:DATA_GATHERING_QUEUE', 'queue:PORTFOLIO_SNAPSHOT_QUEUE']);
  assert.deepEqual(entrypoints(model).filter((id) => id.includes('worker:')), [
    'entrypoint:worker:DATA_GATHERING_QUEUE:GATHER_ASSET_PROFILE',
    'entrypoint:worker:DATA_GATHERING_QUEUE:GATHER_HISTORY',
    'entrypoint:worker:PORTFOLIO_SNAPSHOT_QUEUE',
  ]);
  const writers = model.edges.filter((e) => e.to === 'datastore:postgres' && e.kind === 'writes').flatMap((e) => e.entrypoints ?? []);
  assert.ok(writers.includes('entrypoint:worker:DATA_GATHERING_QUEUE:GATHER_HISTORY'), 'the second @Process method is traced too');
  // @InjectQueue(CONSTANT): each route enqueues onto its own queue, not onto one "default"
  const enqueues = model.edges.filter((e) => e.kind === 'enqueues').map((e) => `${e.to} ${(e.entrypoints ?? []).join(',')}`).sort();
  assert.deepEqual(enqueues, ['queue:DATA_GATHERING_QUEUE entrypoint:POST /symbols/:symbol/gather', 'queue:PORTFOLIO_SNAPSHOT_QUEUE entrypoint:POST /symbols/:userId/snapshot']);
});
