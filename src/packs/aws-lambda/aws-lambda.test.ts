import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';
import type { Model } from '../../model/types.js';

const entrypoints = (m: Model) => m.nodes.filter((n) => n.kind === 'entrypoint').map((n) => `${n.id} on ${(n as { runtime?: string }).runtime}`).sort();

const template = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: media pipeline
Globals:
  Function:
    Runtime: nodejs20.x
    Timeout: 10
    Environment:
      Variables:
        BUCKET: media-uploads
Resources:
  UploadsBucket:
    Type: AWS::S3::Bucket
  ResizeImageFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: services/media/
      Handler: src/handlers/resize.resizeImage
      ReservedConcurrentExecutions: 5
      Events:
        Uploaded:
          Type: S3
          Properties:
            Bucket: !Ref UploadsBucket
            Events: s3:ObjectCreated:*
  ApiFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: services/api/
      Handler: dist/lambda.handler
      Events:
        Proxy:
          Type: HttpApi
          Properties:
            Path: /{proxy+}
            Method: ANY
  ReportsFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: services/reports/
      Handler: app.lambda_handler
      Runtime: python3.12
`;

test('aws-lambda: SAM functions are Lambda runtimes; an event-triggered one is a function entrypoint with its named export', async () => {
  const model = await scanModel({
    'template.yaml': template,
    'services/media/src/handlers/resize.ts': `import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';
const s3 = new S3Client({});
export const resizeImage = async (event: { Records: { s3: { object: { key: string } } }[] }) => {
  for (const r of event.Records) await s3.send(new GetObjectCommand({ Bucket: process.env.BUCKET, Key: r.s3.object.key }));
};
export const handler = async () => 'not the configured export';
`,
    'services/api/src/lambda.ts': `export const handler = async () => ({ statusCode: 200, body: 'ok' });
`,
  });
  assert.deepEqual(entrypoints(model), ['entrypoint:function:ResizeImageFunction on runtime:ResizeImageFunction']);
  const ep = model.nodes.find((n) => n.id === 'entrypoint:function:ResizeImageFunction');
  assert.deepEqual(ep?.evidence.map((e) => `${e.file}:${e.line}`), ['template.yaml:14']);
});

test('aws-lambda: a CloudFormation template without the SAM transform, and non-Node runtimes, declare nothing (trap)', async () => {
  const model = await scanModel({
    'infra/stack.yaml': `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: worker.handler
`,
    'infra/worker.ts': `export const handler = async () => 'ok';
`,
    'template.yaml': template,
    'services/reports/app.ts': `export const lambda_handler = async () => 'ok';
`,
  });
  assert.deepEqual(entrypoints(model), []);
});

test('aws-lambda: a serverless.yml function handler (module path without export) resolves to its `handler` export', async () => {
  const model = await scanModel({
    'serverless.yml': `service: thumbnails
provider:
  name: aws
  runtime: nodejs20.x
functions:
  thumbnail:
    handler: src/thumbnail.handler
    events:
      - s3: uploads
`,
    'src/thumbnail.ts': `export const handler = async (event: unknown) => ({ processed: true });
`,
  });
  assert.deepEqual(entrypoints(model), ['entrypoint:function:thumbnail on runtime:thumbnail']);
});
