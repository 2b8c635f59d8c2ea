import { objGet, valToNumber } from '../../extract/facts.js';
import type { Guards } from '../../model/types.js';
import { sqsQueueName } from '../_lib/queues.js';
import type { ResourceRef, TechPack } from '../types.js';

/** AWS SDK v3 client class → the resource it talks to (docs/model.md naming). */
const CLIENTS: Record<string, ResourceRef> = {
  S3Client: { kind: 'datastore', name: 's3', tech: 'aws-s3' },
  S3: { kind: 'datastore', name: 's3', tech: 'aws-s3' },
  DynamoDBClient: { kind: 'datastore', name: 'dynamodb', tech: 'aws-dynamodb' },
  DynamoDBDocumentClient: { kind: 'datastore', name: 'dynamodb', tech: 'aws-dynamodb' },
  SQSClient: { kind: 'queue', name: 'sqs', tech: 'aws-sqs' },
  SNSClient: { kind: 'external', name: 'sns', tech: 'aws-sns' },
  SESClient: { kind: 'external', name: 'ses', tech: 'aws-ses' },
  SESv2Client: { kind: 'external', name: 'ses', tech: 'aws-ses' },
  CognitoIdentityProviderClient: { kind: 'external', name: 'cognito', tech: 'aws-cognito' },
  SecretsManagerClient: { kind: 'external', name: 'secrets-manager', tech: 'aws-secrets-manager' },
  LambdaClient: { kind: 'external', name: 'lambda', tech: 'aws-lambda' },
  EventBridgeClient: { kind: 'external', name: 'eventbridge', tech: 'aws-eventbridge' },
  KinesisClient: { kind: 'queue', name: 'kinesis', tech: 'aws-kinesis' },
  BedrockRuntimeClient: { kind: 'external', name: 'bedrock', tech: 'aws-bedrock' },
};

const READ_COMMAND = /^(Get|List|Describe|Head|Query|Scan|BatchGet|TransactGet|Receive)/;

const pack: TechPack = {
  id: 'aws-sdk',
  title: 'AWS SDK for JavaScript v3',
  upstreamDocs: ['https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/node-configuring-maxsockets.html', 'https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/setting-region.html'],
  packages: ['@aws-sdk/client-s3', '@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', '@aws-sdk/client-sqs', '@aws-sdk/client-sns', '@aws-sdk/client-ses', '@aws-sdk/client-sesv2', '@aws-sdk/client-cognito-identity-provider', '@aws-sdk/client-secrets-manager', '@aws-sdk/client-lambda', '@aws-sdk/client-eventbridge', '@aws-sdk/client-kinesis', '@aws-sdk/client-bedrock-runtime'],
  classifyCall(call) {
    if (!call.pkg.startsWith('@aws-sdk/')) return undefined;
    const inst = call.instance;
    if (!inst) return { use: 'ignore' };
    // 'S3Client', 'DynamoDBDocumentClient.from', '*.DynamoDBDocumentClient.from' (a namespace import)
    const made = inst.ctor.replace(/^\*\./, '').replace(/\.from$/, '').split('.');
    const cls = inst.ctor.split('.')[0] === 'from' ? 'DynamoDBDocumentClient' : made[0];
    const known = CLIENTS[cls];
    if (!known) return undefined;
    // a call on what a client call returned (`(await s3.send(cmd)).Body.transformToString()`): a response, not the client
    if (made.length > 1) return { use: 'ignore' };
    const command = call.call.args[0];
    // docs/model.md: an SQS queue is sqs-<name>, named from its queue URL as sqs-consumer names the worker's queue
    const queueUrl = command && typeof command === 'object' && 'new' in command ? objGet(command.args[0], 'QueueUrl') : undefined;
    const sqsName = known.name === 'sqs' ? sqsQueueName(queueUrl) : undefined;
    const target = sqsName ? { ...known, name: `sqs-${sqsName}` } : known;
    const op = call.member[call.member.length - 1];
    if (op === 'destroy' || call.member[0] === 'middlewareStack' || call.member[0] === 'config') return { use: 'ignore' };
    const guards: Guards = {};
    // DynamoDBDocumentClient.from(new DynamoDBClient({...})) sends through the client it wraps: that client's configuration
    const arg0 = inst.args[0];
    const cfg = cls === 'DynamoDBDocumentClient' && arg0 && typeof arg0 === 'object' && 'new' in arg0 ? arg0.args[0] : arg0;
    const handler = objGet(cfg, 'requestHandler');
    const rt = valToNumber(objGet(handler, 'requestTimeout')) ?? (handler && typeof handler === 'object' && 'new' in handler ? valToNumber(objGet(handler.args[0], 'requestTimeout')) : undefined);
    if (rt !== undefined) {
      guards.timeoutMs = rt;
      guards.timeout = true;
    }
    guards.retries = (valToNumber(objGet(cfg, 'maxAttempts')) ?? 3) - 1;
    const cmdName = command && typeof command === 'object' && 'new' in command ? command.new.split('.').pop()! : op ?? ''; // new AWS.GetObjectCommand(...)
    const readOnly = READ_COMMAND.test(cmdName.replace(/Command$/, '')) || READ_COMMAND.test(op ? op[0].toUpperCase() + op.slice(1) : '');
    const edge = target.kind === 'datastore' ? (readOnly ? 'reads' : 'writes') : target.kind === 'queue' ? (/Send/.test(cmdName) ? 'enqueues' : 'uses') : 'calls';
    return { use: 'dependency', target, edge, guards, readOnly, op: target.kind === 'datastore' ? 'query' : 'http' };
  },
};
export default pack;
