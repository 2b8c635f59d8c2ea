import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model } from '../../model/types.js';
import { scanModel } from '../../../test/helpers/fixture.js';

const scan = (files: Record<string, string>) => scanModel(files, { rules: [] });
const queueEdges = (model: Model) => model.edges.filter((e) => e.to.startsWith('queue:')).map((e) => `${e.from} -${e.kind}/${e.mode}-> ${e.to} ${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`).sort();
const ids = (model: Model, kind: string) => model.nodes.filter((n) => n.kind === kind).map((n) => `${n.id}${n.tech ? ' ' + n.tech : ''}`);

test('amqplib: sendToQueue and default-exchange publish enqueue; a named exchange is published to; consume is a worker', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'mailer', dependencies: { amqplib: '^0.10.4', '@prisma/client': '^5.19.0', express: '^4.19.0' } }),
    'src/mail/mail.queue.ts': `import amqp from 'amqplib';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();

export async function requestReceipt(orderId: string) {
  const connection = await amqp.connect(process.env.AMQP_URL!);
  const channel = await connection.createChannel();
  await channel.assertQueue('receipts', { durable: true });
  await channel.sendToQueue('receipts', Buffer.from(orderId), { persistent: true });
  await channel.publish('', 'invoices', Buffer.from(orderId));
  await channel.publish('order-events', 'order.paid', Buffer.from(orderId));
  await channel.close();
}

export async function startReceiptWorker() {
  const connection = await amqp.connect(process.env.AMQP_URL!);
  const channel = await connection.createChannel();
  await channel.prefetch(10);
  await channel.consume('receipts', async (msg) => {
    if (!msg) return;
    await prisma.receipt.create({ data: { orderId: msg.content.toString() } });
    channel.ack(msg);
  });
}
`,
    'src/app.ts': `import express from 'express';
import { requestReceipt } from './mail/mail.queue';
const app = express();
app.post('/orders/:id/receipt', async (req, res) => res.json(await requestReceipt(req.params.id)));
app.listen(3000);
`,
  });
  assert.deepEqual(ids(model, 'queue'), ['queue:amqp-invoices rabbitmq', 'queue:amqp-order-events rabbitmq', 'queue:amqp-receipts rabbitmq']);
  assert.deepEqual(ids(model, 'entrypoint'), ['entrypoint:POST /orders/:id/receipt', 'entrypoint:worker:amqp-receipts']);
  assert.deepEqual(queueEdges(model), [
    'component:mail -enqueues/async-> queue:amqp-invoices src/mail/mail.queue.ts:10',
    'component:mail -enqueues/async-> queue:amqp-receipts src/mail/mail.queue.ts:9',
    'component:mail -publishes/sync-> queue:amqp-order-events src/mail/mail.queue.ts:11',
    'entrypoint:worker:amqp-receipts -consumes/async-> queue:amqp-receipts src/mail/mail.queue.ts:19',
  ]);
  assert.deepEqual(model.edges.filter((e) => e.to === 'datastore:postgres').map((e) => e.entrypoints), [['entrypoint:worker:amqp-receipts']]);
});

test('amqplib: channel housekeeping and a local channel-like object are not queues (trap)', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'notify', dependencies: { amqplib: '^0.10.4', express: '^4.19.0' } }),
    'src/notify/bus.ts': `const handlers = new Map<string, (m: string) => void>();
export const channel = {
  sendToQueue: async (q: string, m: string) => handlers.get(q)?.(m),
  consume: (q: string, h: (m: string) => void) => handlers.set(q, h),
};
channel.consume('alerts', (m) => console.log(m));
`,
    'src/notify/setup.ts': `import amqp from 'amqplib';
export async function declareQueues() {
  const connection = await amqp.connect('amqp://rabbit');
  const ch = await connection.createChannel();
  await ch.assertExchange('alerts', 'fanout');
  await ch.bindQueue('alerts-q', 'alerts', '');
}
`,
    'src/app.ts': `import express from 'express';
import { channel } from './notify/bus';
import { declareQueues } from './notify/setup';
const app = express();
app.post('/alerts', async (req, res) => res.json(await channel.sendToQueue('alerts', req.body.text)));
app.post('/setup', async (_req, res) => res.json(await declareQueues()));
app.listen(3000);
`,
  });
  assert.deepEqual(ids(model, 'queue'), []);
  assert.deepEqual(ids(model, 'entrypoint'), ['entrypoint:POST /alerts', 'entrypoint:POST /setup']);
});
