import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import rule from './single-runtime.js';
import { compose, domainService, expressApp, prismaDb } from './fixtures.js';

const RULE = 'spof/single-runtime';
const rules = [rule];
const base = {
  'src/db.ts': prismaDb,
  'src/billing/billing.service.ts': domainService('Billing', 'invoice'),
  'src/orders/orders.service.ts': domainService('Orders', 'order'),
  'src/app.ts': expressApp(['Billing', 'Orders']),
};
const lambdaHandler = `import serverlessExpress from '@codegenie/serverless-express';\nimport { app } from './app';\nexport const handler = serverlessExpress({ app });\n`;

test(`${RULE}: fires for one Lambda behind ANY /{proxy+}`, async () => {
  const model = await scanModel({
    ...base,
    'src/lambda.ts': lambdaHandler,
    'serverless.yml': `service: shop\nprovider:\n  name: aws\nfunctions:\n  api:\n    handler: src/lambda.handler\n    events:\n      - httpApi: 'ANY /{proxy+}'\n`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['serverless.yml:5']);
});

test(`${RULE}: fires for a compose service with one replica`, async () => {
  const model = await scanModel({ ...base, 'docker-compose.yml': compose(1) }, { rules });
  assert.deepEqual(hits(model, RULE), ['docker-compose.yml:2']);
});

test(`${RULE}: silent with two replicas (trap)`, async () => {
  const model = await scanModel({ ...base, 'docker-compose.yml': compose(2) }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent when no infrastructure says how it is deployed`, async () => {
  const model = await scanModel(base, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: a Kubernetes Deployment with no replicas field is one replica; templated replicas are unknown, not one (trap)`, async () => {
  const deployment = (replicas: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-api
spec:
${replicas}  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/shop-api:1.4.2
`;
  const unset = await scanModel({ ...base, 'k8s/deployment.yaml': deployment('') }, { rules });
  assert.deepEqual(hits(unset, RULE), ['k8s/deployment.yaml:4']);
  const templated = await scanModel({ ...base, 'k8s/deployment.yaml': deployment('  replicas: ${REPLICAS}\n') }, { rules });
  assert.deepEqual(hits(templated, RULE), []);
});
