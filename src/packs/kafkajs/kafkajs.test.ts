import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model } from '../../model/types.js';
import { scanModel } from '../../../test/helpers/fixture.js';

const scan = (files: Record<string, string>) => scanModel(files, { rules: [] });
const queueEdges = (model: Model) => model.edges.filter((e) => e.to.startsWith('queue:') || e.from.startsWith('queue:')).map((e) => `${e.from} -${e.kind}/${e.mode}-> ${e.to} ${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`).sort();
const ids = (model: Model, kind: string) => model.nodes.filter((n) => n.kind === kind).map((n) => `${n.id}${n.tech ? ' ' + n.tech : ''}`);

test('kafkajs: producer.send publishes to its literal topic; subscribe + run is a worker per topic', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'billing', dependencies: { kafkajs: '^2.2.4', '@prisma/client': '^5.19.0', express: '^4.19.0' } }),
    'src/kafka.ts': `import { Kafka } from 'kafkajs';
export const TOPICS = { created: 'orders.created', paid: 'orders.paid' } as const;
export const kafka = new Kafka({ clientId: 'billing', brokers: [process.env.KAFKA_BROKER!] });
`,
    'src/orders/orders.events.ts': `import { kafka, TOPICS } from '../kafka';
const producer = kafka.producer({ idempotent: true });
export async function orderCreated(id: string) {
  await producer.connect();
  await producer.send({ topic: TOPICS.created, messages: [{ key: id, value: JSON.stringify({ id }) }] });
}
`,
    'src/invoices/invoices.consumer.ts': `import { PrismaClient } from '@prisma/client';
import { kafka } from '../kafka';
const prisma = new PrismaClient();
const consumer = kafka.consumer({ groupId: 'invoices' });
async function invoice({ message }: { message: { value: Buffer | null } }) {
  await prisma.invoice.create({ data: { orderId: String(message.value) } });
}
export async function startInvoicing() {
  await consumer.connect();
  await consumer.subscribe({ topics: ['orders.created', 'orders.paid'], fromBeginning: false });
  await consumer.run({ eachMessage: invoice });
}
`,
    'src/app.ts': `import express from 'express';
import { orderCreated } from './orders/orders.events';
const app = express();
app.post('/orders/:id', async (req, res) => res.json(await orderCreated(req.params.id)));
app.listen(3000);
`,
  });
  assert.deepEqual(ids(model, 'queue'), ['queue:kafka-orders.created kafka', 'queue:kafka-orders.paid kafka']);
  assert.deepEqual(ids(model, 'entrypoint'), ['entrypoint:POST /orders/:id', 'entrypoint:worker:kafka-orders.created', 'entrypoint:worker:kafka-orders.paid']);
  assert.deepEqual(queueEdges(model), [
    'component:orders -publishes/sync-> queue:kafka-orders.created src/orders/orders.events.ts:5',
    'entrypoint:worker:kafka-orders.created -consumes/async-> queue:kafka-orders.created src/invoices/invoices.consumer.ts:11',
    'entrypoint:worker:kafka-orders.paid -consumes/async-> queue:kafka-orders.paid src/invoices/invoices.consumer.ts:11',
  ]);
  const worker = model.edges.filter((e) => e.to === 'datastore:postgres').map((e) => e.entrypoints);
  assert.deepEqual(worker, [['entrypoint:worker:kafka-orders.created', 'entrypoint:worker:kafka-orders.paid']]);
});

test('kafkajs: a topic that is not literal is the cluster; a local producer object is nothing (trap)', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'audit', dependencies: { kafkajs: '^2.2.4', express: '^4.19.0' } }),
    'src/audit/audit.ts': `import { Kafka } from 'kafkajs';
const kafka = new Kafka({ clientId: 'audit', brokers: ['kafka:9092'] });
const producer = kafka.producer();
export async function audit(topic: string, entry: string) {
  await producer.send({ topic, messages: [{ value: entry }] });
}
`,
    'src/audit/outbox.ts': `const sent: string[] = [];
export const outbox = { send: async (m: { topic: string }) => sent.push(m.topic) };
`,
    'src/app.ts': `import express from 'express';
import { audit } from './audit/audit';
import { outbox } from './audit/outbox';
const app = express();
app.post('/audit/:topic', async (req, res) => res.json(await audit(req.params.topic, req.body.entry)));
app.post('/outbox', async (_req, res) => res.json(await outbox.send({ topic: 'orders.created' })));
app.listen(3000);
`,
  });
  assert.deepEqual(ids(model, 'queue'), ['queue:kafka kafka']);
  assert.deepEqual(queueEdges(model), ['component:audit -publishes/sync-> queue:kafka src/audit/audit.ts:5']);
});
