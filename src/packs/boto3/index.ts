// AWS from Python: boto3 / aioboto3 clients and resources (`boto3.client("s3", config=Config(...))`,
// `session.client("sqs")`, `boto3.resource("dynamodb").Table(...)`). Node names follow
// docs/model.md (datastore:s3, datastore:dynamodb, queue:sqs-<queue>, external:ses/sns...).
// botocore Config(connect_timeout=, read_timeout=, retries={"max_attempts": n}) are the guards;
// without a Config, botocore's defaults apply (60 s connect and read timeouts, legacy retries).
import type { Val } from '../../extract/facts.js';
import type { Guards } from '../../model/types.js';
import { arg, positional, secondsToMs } from '../_lib/python.js';
import type { CallMeaning, DepCall, ResourceRef, TechPack } from '../types.js';

const READS: Record<string, RegExp> = {
  s3: /^(get_object|head_object|list_objects|list_objects_v2|download_file|download_fileobj|generate_presigned_url|head_bucket)$/,
  dynamodb: /^(get_item|query|scan|batch_get_item|describe_table)$/,
};

function serviceOf(call: DepCall): { service?: string; config?: Val; resource: boolean } {
  const inst = call.instance;
  if (!inst) return { resource: false };
  // ctor: '*.client' / 'client' / 'Session().client' / '*.resource(...).Table'
  const m = /(^|\.)(client|resource)(\(\))?(\.|$)/.exec(inst.ctor);
  if (!m) return { resource: false };
  const service = positional(inst.args)[0] ?? arg(inst.args, 'service_name');
  return { service: typeof service === 'string' ? service : undefined, config: arg(inst.args, 'config'), resource: m[2] === 'resource' };
}

function configGuards(config: Val | undefined): Guards {
  const g: Guards = {};
  if (!config || typeof config !== 'object' || !('call' in config) || !/(^|\.)Config$/.test(config.call)) return g;
  const read = secondsToMs(arg(config.args, 'read_timeout'));
  const connect = secondsToMs(arg(config.args, 'connect_timeout'));
  if (read !== undefined || connect !== undefined) Object.assign(g, { timeout: true, timeoutMs: Math.max(read ?? 60000, connect ?? 60000) });
  const retries = arg(config.args, 'retries');
  const max = retries && typeof retries === 'object' && 'obj' in retries ? retries.obj.max_attempts ?? retries.obj.total_max_attempts : undefined;
  if (typeof max === 'number') g.retries = max;
  return g;
}

function target(service: string, call: DepCall): ResourceRef | undefined {
  switch (service) {
    case 's3':
      return { kind: 'datastore', name: 's3', tech: 'aws-s3' };
    case 'dynamodb':
      return { kind: 'datastore', name: 'dynamodb', tech: 'aws-dynamodb' };
    case 'sqs': {
      const url = arg(call.call.args, 'QueueUrl');
      const name = typeof url === 'string' ? url.split('/').pop() : url && typeof url === 'object' && 'env' in url ? url.env.toLowerCase().replace(/_(queue_)?url$/, '').replace(/_/g, '-') : undefined;
      return { kind: 'queue', name: `sqs-${name ?? 'queue'}`, tech: 'aws-sqs' };
    }
    case 'ses':
    case 'sesv2':
      return { kind: 'external', name: 'ses', tech: 'aws-ses' };
    case 'sns':
      return { kind: 'external', name: 'sns', tech: 'aws-sns' };
    case 'secretsmanager':
    case 'ssm':
    case 'kms':
    case 'lambda':
    case 'events':
    case 'kinesis':
    case 'firehose':
    case 'cognito-idp':
      return { kind: 'external', name: service === 'cognito-idp' ? 'cognito' : service, tech: `aws-${service}` };
    default:
      return { kind: 'external', name: `aws-${service}`, tech: `aws-${service}` };
  }
}

function classify(call: DepCall): CallMeaning | undefined {
  const op = call.member[call.member.length - 1];
  if (!op) return { use: 'ignore' };
  const { service, config, resource } = serviceOf(call);
  if (!service) return call.instance ? { use: 'ignore' } : undefined;
  if (/^(get_paginator|get_waiter|meta|exceptions|close|can_paginate)$/.test(op) || (resource && /^(Table|Bucket|Object|Queue)$/.test(call.member[0] ?? '') && call.member.length === 1)) return { use: 'ignore' };
  const t = target(service, call);
  if (!t) return undefined;
  const guards = configGuards(config);
  const isRead = READS[service]?.test(op) ?? false;
  if (service === 'sqs') return op === 'send_message' || op === 'send_message_batch' ? { use: 'dependency', target: t, edge: 'enqueues', op: 'enqueue', guards } : { use: 'ignore' };
  if (t.kind === 'datastore') return { use: 'dependency', target: t, edge: isRead ? 'reads' : 'writes', readOnly: isRead, op: isRead ? 'query' : 'write', guards };
  return { use: 'dependency', target: t, edge: 'calls', op: 'sdk', guards };
}

const pack: TechPack = {
  id: 'boto3',
  title: 'AWS SDK for Python (boto3, aioboto3)',
  lang: 'python',
  upstreamDocs: ['https://boto3.amazonaws.com/v1/documentation/api/latest/guide/clients.html', 'https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html', 'https://boto3.amazonaws.com/v1/documentation/api/latest/guide/retries.html'],
  packages: ['boto3', 'aioboto3', 'botocore'],
  classifyCall: classify,
};
export default pack;
