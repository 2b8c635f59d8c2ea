import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model } from '../../model/types.js';
import { scanModel } from '../../../test/helpers/fixture.js';

const scan = (files: Record<string, string>) => scanModel(files, { rules: [] });
const queueEdges = (model: Model) => model.edges.filter((e) => e.to.startsWith('queue:')).map((e) => `${e.from} -${e.kind}/${e.mode}-> ${e.to} ${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`).sort();
const ids = (model: Model, kind: string) => model.nodes.filter((n) => n.kind === kind).map((n) => `${n.id}${n.tech ? ' ' + n.tech : ''}`);

test('sqs-consumer: Consumer.create is a worker on sqs-<queue>, the same node SendMessageCommand enqueues to', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'fulfilment', dependencies: { 'sqs-consumer': '^10.3.0', '@aws-sdk/client-sqs': '^3.650.0', '@prisma/client': '^5.19.0', express: '^4.19.0' } }),
    'src/orders/orders.service.ts': `import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
const sqs = new SQSClient({ region: 'eu-west-1' });
export async function placeOrder(id: string) {
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.ORDERS_QUEUE_URL, MessageBody: JSON.stringify({ id }) }));
}
`,
    'src/fulfilment/worker.ts': `import { Consumer } from 'sqs-consumer';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
async function fulfil(message: { Body?: string }) {
  const { id } = JSON.parse(message.Body ?? '{}');
  await prisma.shipment.create({ data: { orderId: id } });
}
export const worker = Consumer.create({ queueUrl: process.env.ORDERS_QUEUE_URL!, handleMessage: fulfil, batchSize: 5 });
worker.on('error', (err) => console.error(err));
worker.start();
`,
    'src/app.ts': `import express from 'express';
import { placeOrder } from './orders/orders.service';
const app = express();
app.post('/orders/:id', async (req, res) => res.json(await placeOrder(req.params.id)));
app.listen(3000);
`,
  });
  assert.deepEqual(ids(model, 'entrypoint'), ['entrypoint:POST /orders/:id', 'entrypoint:worker:sqs-orders']);
  assert.deepEqual(ids(model, 'queue'), ['queue:sqs-orders aws-sqs']);
  assert.deepEqual(queueEdges(model), [
    'component:orders -enqueues/async-> queue:sqs-orders src/orders/orders.service.ts:4',
    'entrypoint:worker:sqs-orders -consumes/async-> queue:sqs-orders src/fulfilment/worker.ts:8',
  ]);
  assert.deepEqual(model.edges.filter((e) => e.to === 'datastore:postgres').map((e) => e.entrypoints), [['entrypoint:worker:sqs-orders']]);
});

test('sqs-consumer: a local Consumer class and a listed-only package add no worker (trap)', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'poller', dependencies: { 'sqs-consumer': '^10.3.0', express: '^4.19.0' } }),
    'src/poller/consumer.ts': `export class Consumer {
  static create(opts: { queueUrl: string; handleMessage: (m: string) => Promise<void> }) {
    return new Consumer(opts.queueUrl);
  }
  constructor(readonly queueUrl: string) {}
}
export const local = Consumer.create({ queueUrl: 'memory://jobs', handleMessage: async () => undefined });
`,
    'src/app.ts': `import express from 'express';
import { local } from './poller/consumer';
const app = express();
app.get('/poller', (_req, res) => res.json({ queue: local.queueUrl }));
app.listen(3000);
`,
  });
  assert.deepEqual(ids(model, 'entrypoint'), ['entrypoint:GET /poller']);
  assert.deepEqual(ids(model, 'queue'), []);
});
