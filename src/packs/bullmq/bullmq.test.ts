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
