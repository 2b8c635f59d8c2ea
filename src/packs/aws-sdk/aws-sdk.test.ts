import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';
import type { Model } from '../../model/types.js';

const scan = (files: Record<string, string>) => scanModel(files, { rules: [] });
const nodes = (m: Model) => m.nodes.filter((n) => !['entrypoint', 'runtime', 'component'].includes(n.kind)).map((n) => `${n.id} ${n.kind} ${n.tech}`).sort();
/** Dependency edges: entrypoint, kind, target, read-only, guards (keys sorted) and the lines of the calls. */
const depEdges = (m: Model) =>
  m.edges
    .filter((e) => e.kind !== 'runs_on')
    .map((e) => `${e.from} -${e.kind}${e.readOnly ? ' readOnly' : ''}-> ${e.to} ${JSON.stringify(e.guards, Object.keys(e.guards).sort())} ${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`)
    .sort();

const pkg = (deps: Record<string, string>) => ({ 'package.json': JSON.stringify({ name: 'files', dependencies: { express: '^4.19.0', ...deps } }) });

test('aws-sdk / S3: Get and Head commands read datastore:s3, Put writes; requestTimeout and maxAttempts are the guards, 3 attempts by default', async () => {
  const model = await scan({
    ...pkg({ '@aws-sdk/client-s3': '^3.650.0', '@smithy/node-http-handler': '^3.2.0' }),
    'src/storage.ts': `import { S3Client, GetObjectCommand, PutObjectCommand, S3 } from '@aws-sdk/client-s3';
import * as AWS from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
const s3 = new S3Client({ region: 'eu-west-1', maxAttempts: 5, requestHandler: new NodeHttpHandler({ requestTimeout: 3000 }) });
const legacy = new S3({ region: 'eu-west-1' });
export const download = (key: string) => s3.send(new GetObjectCommand({ Bucket: 'docs', Key: key }));
export async function upload(key: string, body: string) {
  const put = new PutObjectCommand({ Bucket: 'docs', Key: key, Body: body });
  await s3.send(put);
}
export const exists = (key: string) => s3.send(new AWS.HeadObjectCommand({ Bucket: 'docs', Key: key }));
export const archived = (key: string) => legacy.getObject({ Bucket: 'archive', Key: key });
export const archive = (key: string) => legacy.putObject({ Bucket: 'archive', Key: key });
`,
    'src/server.ts': `import express from 'express';
import { download, upload, exists, archived, archive } from './storage';
const app = express();
app.get('/docs/:key', async (req, res) => res.json(await download(req.params.key)));
app.put('/docs/:key', async (req, res) => res.json(await upload(req.params.key, req.body)));
app.head('/docs/:key', async (req, res) => res.json(await exists(req.params.key)));
app.get('/archive/:key', async (req, res) => res.json(await archived(req.params.key)));
app.put('/archive/:key', async (req, res) => res.json(await archive(req.params.key)));
app.listen(3000);
`,
  });
  assert.deepEqual(nodes(model), ['datastore:s3 datastore aws-s3']);
  assert.deepEqual(depEdges(model), [
    'entrypoint:GET /archive/:key -reads readOnly-> datastore:s3 {"retries":2} src/storage.ts:12',
    'entrypoint:GET /docs/:key -reads readOnly-> datastore:s3 {"retries":4,"timeout":true,"timeoutMs":3000} src/storage.ts:6',
    'entrypoint:HEAD /docs/:key -reads readOnly-> datastore:s3 {"retries":4,"timeout":true,"timeoutMs":3000} src/storage.ts:11', // new AWS.HeadObjectCommand
    'entrypoint:PUT /archive/:key -writes-> datastore:s3 {"retries":2} src/storage.ts:13',
    'entrypoint:PUT /docs/:key -writes-> datastore:s3 {"retries":4,"timeout":true,"timeoutMs":3000} src/storage.ts:9', // the command held in a variable
  ]);
});

test('aws-sdk / DynamoDB: the document client reads with Query and TransactGet, writes with Put, and keeps the guards of the client it wraps', async () => {
  const model = await scan({
    ...pkg({ '@aws-sdk/client-dynamodb': '^3.650.0', '@aws-sdk/lib-dynamodb': '^3.650.0' }),
    'src/orders.ts': `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, PutCommand, TransactGetCommand } from '@aws-sdk/lib-dynamodb';
import * as lib from '@aws-sdk/lib-dynamodb';
const docs = DynamoDBDocumentClient.from(new DynamoDBClient({ requestHandler: { requestTimeout: 1500 }, maxAttempts: 2 }));
const audit = lib.DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const list = (userId: string) => docs.send(new QueryCommand({ TableName: 'orders', KeyConditionExpression: 'userId = :u', ExpressionAttributeValues: { ':u': userId } }));
export const pair = (a: string, b: string) => docs.send(new TransactGetCommand({ TransactItems: [{ Get: { TableName: 'orders', Key: { id: a } } }, { Get: { TableName: 'orders', Key: { id: b } } }] }));
export const place = (id: string) => docs.send(new PutCommand({ TableName: 'orders', Item: { id } }));
export const log = (id: string) => audit.send(new lib.PutCommand({ TableName: 'audit', Item: { id } }));
`,
    'src/server.ts': `import express from 'express';
import { list, pair, place, log } from './orders';
const app = express();
app.get('/orders', async (req, res) => res.json(await list(String(req.query.user))));
app.get('/orders/:a/:b', async (req, res) => res.json(await pair(req.params.a, req.params.b)));
app.post('/orders/:id', async (req, res) => res.json(await place(req.params.id)));
app.post('/audit/:id', async (req, res) => res.json(await log(req.params.id)));
app.listen(3000);
`,
  });
  assert.deepEqual(nodes(model), ['datastore:dynamodb datastore aws-dynamodb']);
  assert.deepEqual(depEdges(model), [
    'entrypoint:GET /orders -reads readOnly-> datastore:dynamodb {"retries":1,"timeout":true,"timeoutMs":1500} src/orders.ts:6',
    'entrypoint:GET /orders/:a/:b -reads readOnly-> datastore:dynamodb {"retries":1,"timeout":true,"timeoutMs":1500} src/orders.ts:7',
    'entrypoint:POST /audit/:id -writes-> datastore:dynamodb {"retries":2} src/orders.ts:9', // a namespace-imported document client
    'entrypoint:POST /orders/:id -writes-> datastore:dynamodb {"retries":1,"timeout":true,"timeoutMs":1500} src/orders.ts:8',
  ]);
});

test('aws-sdk / SQS and SNS: SendMessage enqueues to sqs-<queue> named from the queue URL, ReceiveMessage uses it, Publish calls external:sns', async () => {
  const model = await scan({
    ...pkg({ '@aws-sdk/client-sqs': '^3.650.0', '@aws-sdk/client-sns': '^3.650.0' }),
    'src/jobs.ts': `import { SQSClient, SendMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
const sqs = new SQSClient({ region: 'eu-west-1' });
const sns = new SNSClient({ maxAttempts: 1 });
export const enqueue = (id: string) => sqs.send(new SendMessageCommand({ QueueUrl: process.env.THUMBNAIL_QUEUE_URL, MessageBody: id }));
export const poll = () => sqs.send(new ReceiveMessageCommand({ QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/thumbnail', MaxNumberOfMessages: 10 }));
export const notify = (msg: string) => sns.send(new PublishCommand({ TopicArn: process.env.TOPIC_ARN, Message: msg }));
`,
    'src/server.ts': `import express from 'express';
import { enqueue, poll, notify } from './jobs';
const app = express();
app.post('/thumbnails/:id', async (req, res) => res.json(await enqueue(req.params.id)));
app.get('/thumbnails/pending', async (_req, res) => res.json(await poll()));
app.post('/notify', async (req, res) => res.json(await notify(req.body.msg)));
app.listen(3000);
`,
  });
  assert.deepEqual(nodes(model), ['external:sns external aws-sns', 'queue:sqs-thumbnail queue aws-sqs']);
  assert.deepEqual(depEdges(model), [
    'entrypoint:GET /thumbnails/pending -uses readOnly-> queue:sqs-thumbnail {"retries":2} src/jobs.ts:6',
    'entrypoint:POST /notify -calls-> external:sns {"retries":0} src/jobs.ts:7',
    'entrypoint:POST /thumbnails/:id -enqueues-> queue:sqs-thumbnail {"retries":2} src/jobs.ts:5',
  ]);
});

test('aws-sdk: a response object, client housekeeping, a presigned URL and a project S3Client are no calls to AWS (traps)', async () => {
  const model = await scan({
    ...pkg({ '@aws-sdk/client-s3': '^3.650.0', '@aws-sdk/s3-request-presigner': '^3.650.0' }),
    'src/storage.ts': `import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
const s3 = new S3Client({ region: 'eu-west-1' });
export async function text(key: string) {
  const out = await s3.send(new GetObjectCommand({ Bucket: 'docs', Key: key }));
  return out.Body!.transformToString();
}
export const link = (key: string) => getSignedUrl(s3, new GetObjectCommand({ Bucket: 'docs', Key: key }), { expiresIn: 60 });
export function instrument() {
  s3.middlewareStack.add((next) => async (args) => next(args), { step: 'build' });
  return s3.config.region();
}
export const close = () => s3.destroy();
`,
    'src/local/s3.ts': `export class S3Client {
  private readonly files = new Map<string, string>();
  async send(cmd: { key: string; body?: string }) {
    if (cmd.body !== undefined) this.files.set(cmd.key, cmd.body);
    return this.files.get(cmd.key);
  }
}
export const memoryS3 = new S3Client();
`,
    'src/server.ts': `import express from 'express';
import { text, link, instrument, close } from './storage';
import { memoryS3 } from './local/s3';
const app = express();
app.get('/docs/:key', async (req, res) => res.send(await text(req.params.key)));
app.get('/docs/:key/link', async (req, res) => res.send(await link(req.params.key)));
app.post('/admin/instrument', async (_req, res) => res.json(await instrument()));
app.post('/admin/close', (_req, res) => res.json(close()));
app.get('/memory/:key', async (req, res) => res.json(await memoryS3.send({ key: req.params.key })));
app.listen(3000);
`,
  });
  assert.deepEqual(nodes(model), ['datastore:s3 datastore aws-s3']);
  // only the GetObject send: not out.Body.transformToString (line 6), the presigner, middlewareStack, config, destroy nor the local class
  assert.deepEqual(depEdges(model), ['entrypoint:GET /docs/:key -reads readOnly-> datastore:s3 {"retries":2} src/storage.ts:5']);
});
