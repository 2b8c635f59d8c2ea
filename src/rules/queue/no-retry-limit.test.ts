import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import noRetryLimit from './no-retry-limit.js';

const RULE = 'queue/no-retry-limit';
const rules = [noRetryLimit];

const pkg = { 'package.json': JSON.stringify({ name: 'mailer', dependencies: { express: '^4.19.0', bullmq: '^5.0.0', ioredis: '^5.4.0' } }) };
const redis = { 'src/redis.ts': `import Redis from 'ioredis';
export const connection = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379', { maxRetriesPerRequest: null });
` };

test(`${RULE}: fires on a BullMQ queue with no attempts and a worker without a failed handler`, async () => {
  const model = await scanModel({
    ...pkg, ...redis,
    'src/queues.ts': `import { Queue } from 'bullmq';
import { connection } from './redis';
export const emailQueue = new Queue('emails', { connection });
`,
    'src/app.ts': `import express from 'express';
import { emailQueue } from './queues';
const app = express();
app.post('/invitations', async (req, res) => {
  await emailQueue.add('invitation', { to: req.body.email });
  res.status(202).json({ queued: true });
});
export default app;
`,
    'src/worker.ts': `import { Worker } from 'bullmq';
import { connection } from './redis';
export const emailWorker = new Worker('emails', async (job) => {
  console.log('sending', job.data.to);
}, { connection, concurrency: 5 });
emailWorker.on('completed', (job) => console.log('sent', job.id));
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/queues.ts:3']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.match(f.impact, /POST \/invitations/);
  assert.match(f.impact, /worker:emails/);
  assert.deepEqual(f.locations.map((l) => `${l.file}:${l.line}`), ['src/queues.ts:3', 'src/app.ts:5']);
});

test(`${RULE}: fires on an SQS queue consumed by a function without a RedrivePolicy`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'thumbnails', dependencies: { '@aws-sdk/client-s3': '^3.600.0' } }),
    'serverless.yml': `service: thumbnails
provider:
  name: aws
  runtime: nodejs20.x
functions:
  resize:
    handler: src/resize.handler
    events:
      - sqs:
          arn:
            Fn::GetAtt: [ResizeQueue, Arn]
resources:
  Resources:
    ResizeQueue:
      Type: AWS::SQS::Queue
      Properties:
        VisibilityTimeout: 120
`,
    'src/resize.ts': `export const handler = async (event: { Records: { body: string }[] }) => {
  for (const record of event.Records) console.log(JSON.parse(record.body).key);
};
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['serverless.yml:14']);
});

test(`${RULE}: silent when attempts come from defaults, from every add(), or from non-literal options (traps)`, async () => {
  const model = await scanModel({
    ...pkg, ...redis,
    'src/queues.ts': `import { Queue, type JobsOptions } from 'bullmq';
import { connection } from './redis';
const sharedDefaults: JobsOptions = { attempts: 4, backoff: { type: 'exponential', delay: 5000 } };
export const emailQueue = new Queue('emails', {
  connection,
  defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 10_000, jitter: 0.5 } },
});
export const reportQueue = new Queue('reports', { connection });
export const webhookQueue = new Queue('webhooks', { connection, defaultJobOptions: { ...sharedDefaults } });
export async function queueReport(accountId: string) {
  await reportQueue.add('monthly', { accountId }, { attempts: 3, backoff: { type: 'exponential', delay: 60_000 } });
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent when failed jobs are handled, and for an SQS queue with a dead-letter queue (traps)`, async () => {
  const model = await scanModel({
    ...pkg, ...redis,
    'src/queues.ts': `import { Queue, Worker } from 'bullmq';
import { connection } from './redis';
export const auditQueue = new Queue('audit', { connection });
const auditWorker = new Worker('audit', async (job) => console.log(job.id), { connection });
auditWorker.on('failed', (job, err) => console.error('audit job failed', job?.id, err));
`,
    'serverless.yml': `service: thumbnails
provider:
  name: aws
functions:
  resize:
    handler: src/resize.handler
    events:
      - sqs:
          arn:
            Fn::GetAtt: [ResizeQueue, Arn]
resources:
  Resources:
    ResizeQueue:
      Type: AWS::SQS::Queue
      Properties:
        RedrivePolicy:
          deadLetterTargetArn:
            Fn::GetAtt: [ResizeDlq, Arn]
          maxReceiveCount: 5
    ResizeDlq:
      Type: AWS::SQS::Queue
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: fires on a NestJS BullModule.registerQueue without attempts, silent once the processor handles failures`, async () => {
  const files = (onFailed: string) => ({
    'package.json': JSON.stringify({ name: 'notifier', dependencies: { '@nestjs/common': '^10.0.0', '@nestjs/core': '^10.0.0', '@nestjs/bullmq': '^10.0.0', bullmq: '^5.0.0' } }),
    'src/email.module.ts': `import { Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { EmailProcessor } from './email.processor';
@Module({
  imports: [BullModule.registerQueue({ name: 'emails' })],
  providers: [EmailProcessor],
})
export class EmailModule {}
`,
    'src/email.processor.ts': `import { Processor, WorkerHost, OnWorkerEvent } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
@Processor('emails')
export class EmailProcessor extends WorkerHost {
  async process(job: Job<{ to: string }>): Promise<void> {
    console.log('send', job.data.to);
  }
${onFailed}
}
`,
  });
  const bare = await scanModel(files(''), { rules });
  assert.deepEqual(hits(bare, RULE), ['src/email.module.ts:4']);
  const handled = await scanModel(files(`  @OnWorkerEvent('failed')
  onFailed(job: Job, err: Error) {
    console.error('email failed', job.id, err.message);
  }`), { rules });
  assert.deepEqual(hits(handled, RULE), []);
});

// ---- Python: Celery ----

const celery = (tasks: string) => ({
  'app/worker.py': `from celery import Celery

celery_app = Celery("app", broker="redis://redis:6379/0")
`,
  'app/tasks.py': tasks,
  'app/main.py': `from fastapi import FastAPI
from app.tasks import process_batch

app = FastAPI()


@app.post("/batches")
def create_batch(items: list[dict]):
    process_batch.delay(items)
    return {"accepted": len(items)}
`,
});

test(`${RULE}: Python — fires on a Celery task without autoretry_for/max_retries enqueued from a route`, async () => {
  const model = await scanModel(celery(`from app.worker import celery_app


@celery_app.task(name="batches.process")
def process_batch(items):
    return len(items)
`), { rules });
  assert.deepEqual(hits(model, RULE), ['app/tasks.py:4']);
  assert.match(model.findings[0].impact, /POST \/batches/);
});

test(`${RULE}: Python — fires once per queue for several tasks (shared_task too)`, async () => {
  const model = await scanModel(celery(`import requests
from celery import shared_task
from app.worker import celery_app


@celery_app.task
def process_batch(items):
    return len(items)


@shared_task
def reindex(doc_id):
    requests.post("https://search.example.com/reindex", json={"id": doc_id}, timeout=5)
`), { rules });
  assert.equal(model.findings.filter((f) => f.rule === RULE).length, 1);
  assert.match(model.findings[0].title, /2 Celery tasks on celery/);
});

test(`${RULE}: Python — silent with autoretry_for and max_retries, or with self.retry() in a bound task`, async () => {
  const model = await scanModel(celery(`from app.worker import celery_app


@celery_app.task(autoretry_for=(ConnectionError,), max_retries=5, retry_backoff=True)
def process_batch(items):
    return len(items)


@celery_app.task(bind=True)
def resend(self, msg_id):
    try:
        return msg_id
    except ConnectionError as exc:
        raise self.retry(exc=exc, countdown=30)
`), { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: Python — silent for a task only run by beat (the next tick re-runs it)`, async () => {
  const model = await scanModel({
    'app/worker.py': `from celery import Celery

celery_app = Celery("app", broker="redis://redis:6379/0")
celery_app.conf.beat_schedule = {"cleanup": {"task": "cleanup", "schedule": 3600.0}}
`,
    'app/tasks.py': `from app.worker import celery_app


@celery_app.task(name="cleanup")
def cleanup():
    return 0
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: Python — silent for a task nothing enqueues that reaches no dependency (a debug_task that prints its request)`, async () => {
  const model = await scanModel({
    'app/worker.py': `from celery import Celery

celery_app = Celery("app", broker="redis://redis:6379/0")
`,
    'app/tasks.py': `from celery import shared_task


@shared_task(bind=True)
def debug_task(self):
    print("Request: {0!r}".format(self.request))
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});
