import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import rule from './no-reserved-concurrency.js';
import { domainService, expressApp, prismaDb } from '../spof/fixtures.js';

const RULE = 'lambda/no-reserved-concurrency';
const rules = [rule];
const base = {
  'src/db.ts': prismaDb,
  'src/billing/billing.service.ts': domainService('Billing', 'invoice'),
  'src/app.ts': expressApp(['Billing']),
  'src/lambda.ts': `import serverlessExpress from '@codegenie/serverless-express';\nimport { app } from './app';\nexport const handler = serverlessExpress({ app });\n`,
  'src/thumbnail.ts': `export async function handler(event: { Records: unknown[] }) { return event.Records.length; }\n`,
};
const sls = (apiExtra: string) => `service: shop\nprovider:\n  name: aws\nfunctions:\n  api:\n    handler: src/lambda.handler\n${apiExtra}    events:\n      - httpApi: 'ANY /{proxy+}'\n  thumbnail:\n    handler: src/thumbnail.handler\n    events:\n      - s3: uploads\n`;

test(`${RULE}: fires for the HTTP function without concurrency settings, not for the S3-triggered one`, async () => {
  const model = await scanModel({ ...base, 'serverless.yml': sls('') }, { rules });
  assert.deepEqual(hits(model, RULE), ['serverless.yml:5']);
});

test(`${RULE}: fires only once per function however many routes it serves`, async () => {
  const model = await scanModel({ ...base, 'src/app.ts': expressApp(['Billing']) + "app.get('/billing/export', async (_req, res) => res.json([]));\n", 'serverless.yml': sls('') }, { rules });
  assert.deepEqual(hits(model, RULE), ['serverless.yml:5']);
});

test(`${RULE}: silent with reservedConcurrency (trap)`, async () => {
  const model = await scanModel({ ...base, 'serverless.yml': sls('    reservedConcurrency: 50\n') }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent with provisionedConcurrency only`, async () => {
  const model = await scanModel({ ...base, 'serverless.yml': sls('    provisionedConcurrency: 5\n') }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});
