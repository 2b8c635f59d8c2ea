import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model } from '../../model/types.js';
import { scanModel } from '../../../test/helpers/fixture.js';

const scan = (files: Record<string, string>) => scanModel(files, { rules: [] });
const queueEdges = (model: Model) => model.edges.filter((e) => e.to.startsWith('queue:') || e.from.startsWith('queue:')).map((e) => `${e.from} -${e.kind}/${e.mode}-> ${e.to} ${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`).sort();
const ids = (model: Model, kind: string) => model.nodes.filter((n) => n.kind === kind).map((n) => `${n.id}${n.tech ? ' ' + n.tech : ''}`);

test('bull: queue.add enqueues; queue.process(...) is the worker, one per named processor', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'digest', dependencies: { bull: '^4.16.0', '@prisma/client': '^5.19.0', express: '^4.19.0' } }),
    'src/jobs/queues.ts': `import Queue from 'bull';
export const emailQueue = new Queue('emails', process.env.REDIS_URL!);
export const digestQueue = new Queue('digests', process.env.REDIS_URL!);
`,
    'src/jobs/workers.ts': `import { PrismaClient } from '@prisma/client';
import { digestQueue, emailQueue } from './queues';
const prisma = new PrismaClient();

emailQueue.process(5, async (job) => {
  await prisma.emailLog.create({ data: { to: job.data.to } });
});

digestQueue.process('daily', async () => prisma.digest.findMany({ where: { cadence: 'daily' } }));
digestQueue.process('weekly', async () => prisma.digest.findMany({ where: { cadence: 'weekly' } }));
`,
    'src/signup/signup.service.ts': `import { emailQueue } from '../jobs/queues';
export async function signUp(email: string) {
  await emailQueue.add({ to: email, template: 'welcome' }, { attempts: 3 });
}
`,
    'src/app.ts': `import express from 'express';
import { signUp } from './signup/signup.service';
const app = express();
app.post('/signup', async (req, res) => res.json(await signUp(req.body.email)));
app.listen(3000);
`,
  });
  assert.deepEqual(ids(model, 'entrypoint'), ['entrypoint:POST /signup', 'entrypoint:worker:digests:daily', 'entrypoint:worker:digests:weekly', 'entrypoint:worker:emails']);
  assert.deepEqual(ids(model, 'queue'), ['queue:digests bullmq', 'queue:emails bullmq']);
  assert.deepEqual(queueEdges(model), [
    'component:signup -enqueues/async-> queue:emails src/signup/signup.service.ts:3',
    'entrypoint:worker:digests:daily -consumes/async-> queue:digests src/jobs/workers.ts:9',
    'entrypoint:worker:digests:weekly -consumes/async-> queue:digests src/jobs/workers.ts:10',
    'entrypoint:worker:emails -consumes/async-> queue:emails src/jobs/workers.ts:5',
    'queue:digests -uses/sync-> cache:redis src/jobs/workers.ts:9 src/jobs/workers.ts:10',
    'queue:emails -uses/sync-> cache:redis src/jobs/workers.ts:5 src/signup/signup.service.ts:3',
  ]);
  const writes = model.edges.find((e) => e.to === 'datastore:postgres' && e.kind === 'writes')!;
  assert.deepEqual(writes.entrypoints, ['entrypoint:worker:emails']);
});

test('bull: a listed-only package and a local queue with process() add no worker (trap)', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'tasks', dependencies: { bull: '^4.16.0', express: '^4.19.0' } }),
    'src/tasks/local-queue.ts': `type Handler = (job: { data: unknown }) => Promise<void>;
export class Queue {
  private handler?: Handler;
  constructor(readonly name: string) {}
  process(h: Handler) {
    this.handler = h;
  }
  async add(data: unknown) {
    await this.handler?.({ data });
  }
}
export const resizeQueue = new Queue('resize');
resizeQueue.process(async () => undefined);
`,
    'src/app.ts': `import express from 'express';
import { resizeQueue } from './tasks/local-queue';
const app = express();
app.post('/resize', async (req, res) => res.json(await resizeQueue.add(req.body)));
app.listen(3000);
`,
  });
  assert.deepEqual(ids(model, 'entrypoint'), ['entrypoint:POST /resize']);
  assert.deepEqual(ids(model, 'queue'), []);
});
