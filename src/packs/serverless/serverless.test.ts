import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel, scanTree } from '../../../test/helpers/fixture.js';
import type { Model } from '../../model/types.js';

const entrypoints = (m: Model) => m.nodes.filter((n) => n.kind === 'entrypoint').map((n) => `${n.id} on ${n.runtime}`).sort();
const runtimes = (m: Model) => m.nodes.filter((n) => n.kind === 'runtime').map((n) => n.id).sort();

const pkg = JSON.stringify({ name: 'shop-service', dependencies: { express: '^4.19.0', 'serverless-http': '^3.2.0', pg: '^8.11.0' } });

/** An Express app wrapped by serverless-http, and one job module per triggered function. */
const code = {
  'package.json': pkg,
  'src/db.ts': `import { Pool } from 'pg';
export const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
`,
  'src/app.ts': `import express from 'express';
import { pool } from './db';
export const app = express();
app.get('/products', async (req, res) => { res.json((await pool.query('SELECT id FROM products')).rows); });
app.post('/orders', async (req, res) => { res.json((await pool.query('INSERT INTO orders DEFAULT VALUES RETURNING id')).rows[0]); });
`,
  'src/lambda.ts': `import serverless from 'serverless-http';
import { app } from './app';
export const handler = serverless(app);
`,
  'src/jobs/orders.ts': `import { pool } from '../db';
export const handler = async (event: { Records: { body: string }[] }) => {
  for (const r of event.Records) await pool.query('UPDATE orders SET status = $1 WHERE id = $2', ['paid', JSON.parse(r.body).id]);
};
`,
  'src/jobs/nightly.ts': `import { pool } from '../db';
export async function handler() {
  await pool.query('DELETE FROM carts WHERE updated_at < now() - interval \\'30 days\\'');
}
`,
  'src/jobs/thumbnail.ts': `import { pool } from '../db';
export const main = async (event: { Records: { s3: { object: { key: string } } }[] }) => {
  for (const r of event.Records) await pool.query('INSERT INTO images (key) VALUES ($1)', [r.s3.object.key]);
};
`,
};

const serverlessYml = `service: shop
frameworkVersion: '3'
plugins:
  - serverless-esbuild
  - serverless-offline
custom:
  esbuild:
    bundle: true
  serverless-offline:
    httpPort: 4000
provider:
  name: aws
  runtime: nodejs20.x
  timeout: 20
  environment:
    STAGE: prod
    DATABASE_URL: \${ssm:/shop/database-url}
functions:
  api:
    handler: src/lambda.handler
    timeout: 28
    reservedConcurrency: 50
    provisionedConcurrency: 5
    environment:
      STAGE: api
    events:
      - httpApi: 'ANY /{proxy+}'
  orders:
    handler: src/jobs/orders.handler
    reservedConcurrency: 4
    events:
      - sqs:
          arn: arn:aws:sqs:eu-west-1:123456789012:orders
          batchSize: 10
  nightly:
    handler: src/jobs/nightly.handler
    timeout: 300
    events:
      - schedule: rate(1 day)
  thumbnail:
    handler: src/jobs/thumbnail.main
    events:
      - s3:
          bucket: shop-uploads
          event: s3:ObjectCreated:*
`;

test('serverless: functions with their own trigger (sqs, schedule, s3) are function entrypoints on their own runtime; the ANY /{proxy+} function is a runtime only, serving the app\'s routes', async () => {
  const m = await scanModel({ ...code, 'serverless.yml': serverlessYml }, { rules: [] });
  assert.deepEqual(entrypoints(m), [
    'entrypoint:GET /products on runtime:api',
    'entrypoint:POST /orders on runtime:api',
    'entrypoint:function:nightly on runtime:nightly',
    'entrypoint:function:orders on runtime:orders',
    'entrypoint:function:thumbnail on runtime:thumbnail',
  ]);
  assert.deepEqual(runtimes(m), ['runtime:api', 'runtime:nightly', 'runtime:orders', 'runtime:thumbnail']);
  assert.equal(m.nodes.some((n) => n.id === 'entrypoint:function:api'), false);
  // each function's evidence is its key under functions:
  assert.deepEqual(
    m.nodes.filter((n) => n.kind === 'runtime').map((n) => `${n.id} ${n.tech} ${n.evidence.map((e) => `${e.file}:${e.line}`).join(',')}`),
    ['runtime:api aws-lambda serverless.yml:19', 'runtime:nightly aws-lambda serverless.yml:35', 'runtime:orders aws-lambda serverless.yml:28', 'runtime:thumbnail aws-lambda serverless.yml:40'],
  );
});

test('serverless: the handler\'s export is the name after the last dot (src/jobs/thumbnail.main runs `main`, not a `handler` export)', async () => {
  const m = await scanModel({
    ...code,
    'src/jobs/thumbnail.ts': `import { pool } from '../db';
export const main = async (event: { Records: { s3: { object: { key: string } } }[] }) => {
  for (const r of event.Records) await pool.query('INSERT INTO images (key) VALUES ($1)', [r.s3.object.key]);
};
export const handler = async () => 'a leftover that the function does not run';
`,
    'serverless.yml': serverlessYml,
  }, { rules: [] });
  const ep = 'entrypoint:function:thumbnail';
  assert.deepEqual(m.edges.filter((e) => e.entrypoints?.includes(ep)).map((e) => `${e.from} -${e.kind}-> ${e.to}`).sort(), ['component:jobs -writes-> datastore:postgres', `${ep} -calls-> component:jobs`]);
});

test('serverless: timeout per function, else the provider\'s, else the framework default of 6 s; reserved and provisioned concurrency; reserved concurrency bounds the runtime', async () => {
  const { model, scan } = await scanTree({
    ...code,
    'serverless.yml': serverlessYml,
  }, { rules: [] });
  const declared = scan.infra.runtimes!.filter((r) => r.origin === 'serverless').map((r) => ({ name: r.name, proxiesHttp: r.proxiesHttp, timeoutSec: r.timeoutSec, reservedConcurrency: r.reservedConcurrency, provisionedConcurrency: r.provisionedConcurrency }));
  assert.deepEqual(declared, [
    { name: 'api', proxiesHttp: true, timeoutSec: 28, reservedConcurrency: 50, provisionedConcurrency: 5 },
    { name: 'orders', proxiesHttp: undefined, timeoutSec: 20, reservedConcurrency: 4, provisionedConcurrency: undefined },
    { name: 'nightly', proxiesHttp: undefined, timeoutSec: 300, reservedConcurrency: undefined, provisionedConcurrency: undefined },
    { name: 'thumbnail', proxiesHttp: undefined, timeoutSec: 20, reservedConcurrency: undefined, provisionedConcurrency: undefined },
  ]);
  assert.deepEqual(model.nodes.find((n) => n.id === 'runtime:api')?.redundancy, { replicas: 50 });
  assert.deepEqual(model.nodes.find((n) => n.id === 'runtime:orders')?.redundancy, { replicas: 4 });
  assert.equal(model.nodes.find((n) => n.id === 'runtime:nightly')?.redundancy, undefined);

  const noProvider = await scanTree({
    ...code,
    'serverless.yml': `service: shop
provider:
  name: aws
functions:
  orders:
    handler: src/jobs/orders.handler
    events:
      - sqs: arn:aws:sqs:eu-west-1:123456789012:orders
`,
  }, { rules: [] });
  assert.deepEqual(noProvider.scan.infra.runtimes!.map((r) => `${r.name} ${r.timeoutSec}`), ['orders 6']);
});

test('serverless: provider and function environments merge (the function wins); an ${ssm:} value is kept as written; each value cites its own line', async () => {
  const { scan } = await scanTree({ ...code, 'serverless.yml': serverlessYml }, { rules: [] });
  const env = (name: string) => Object.entries(scan.infra.runtimes!.find((r) => r.name === name)!.env ?? {}).map(([k, v]) => `${k}=${v.value} @${v.evidence.file}:${v.evidence.line}`).sort();
  assert.deepEqual(env('api'), ['DATABASE_URL=${ssm:/shop/database-url} @serverless.yml:17', 'STAGE=api @serverless.yml:25']);
  assert.deepEqual(env('orders'), ['DATABASE_URL=${ssm:/shop/database-url} @serverless.yml:17', 'STAGE=prod @serverless.yml:16']);
});

test('serverless: an http event on its own path is the function\'s own trigger; `http: { path: "{proxy+}", method: any }` and `httpApi: "*"` proxy into the app', async () => {
  const m = await scanModel({
    ...code,
    'src/jobs/report.ts': `import { pool } from '../db';
export const handler = async () => ({ statusCode: 200, body: JSON.stringify((await pool.query('SELECT count(*) FROM orders')).rows) });
`,
    'serverless.yml': `service: shop
provider:
  name: aws
functions:
  rest:
    handler: src/lambda.handler
    events:
      - http:
          path: '{proxy+}'
          method: any
  report:
    handler: src/jobs/report.handler
    events:
      - http:
          path: reports/daily
          method: get
`,
  }, { rules: [] });
  assert.deepEqual(entrypoints(m), ['entrypoint:GET /products on runtime:rest', 'entrypoint:POST /orders on runtime:rest', 'entrypoint:function:report on runtime:report']);

  const star = await scanModel({
    ...code,
    'serverless.yml': `service: shop
provider:
  name: aws
functions:
  web:
    handler: src/lambda.handler
    events:
      - httpApi: '*'
`,
  }, { rules: [] });
  assert.deepEqual(entrypoints(star), ['entrypoint:GET /products on runtime:web', 'entrypoint:POST /orders on runtime:web']);
});

test('serverless: a templated or commented-out timeout or concurrency stays unknown, not the default (trap)', async () => {
  const { model, scan } = await scanTree({
    ...code,
    'serverless.yml': `service: shop
custom:
  ordersTimeout:
    prod: 60
    dev: 10
provider:
  name: aws
  timeout: \${param:timeout}
functions:
  orders:
    handler: src/jobs/orders.handler
    timeout: \${self:custom.ordersTimeout.\${sls:stage}}
    reservedConcurrency: \${param:ordersConcurrency}
    events:
      - sqs: arn:aws:sqs:eu-west-1:123456789012:orders
  nightly:
    handler: src/jobs/nightly.handler
    # reservedConcurrency: 1
    events:
      - schedule: cron(0 3 * * ? *)
`,
  }, { rules: [] });
  assert.deepEqual(scan.infra.runtimes!.map((r) => ({ name: r.name, timeoutSec: r.timeoutSec, reservedConcurrency: r.reservedConcurrency })), [
    { name: 'orders', timeoutSec: undefined, reservedConcurrency: undefined },
    { name: 'nightly', timeoutSec: undefined, reservedConcurrency: undefined },
  ]);
  // (the Express routes, with no proxy function, run on the runtime inferred from package.json)
  assert.deepEqual(model.nodes.filter((n) => n.kind === 'runtime').map((n) => `${n.id} ${JSON.stringify(n.redundancy)}`), ['runtime:nightly undefined', 'runtime:orders undefined', 'runtime:shop-service undefined']);
});

test('serverless: plugins, custom sections and CloudFormation resources declare no function, and a custom key named like a function is not its evidence; a YAML file not named serverless.yml is not read (trap)', async () => {
  const { model, scan } = await scanTree({
    ...code,
    'serverless.yml': `service: shop
plugins:
  - serverless-offline
  - serverless-plugin-warmup
custom:
  queues:
    orders: shop-orders-prod
  warmup:
    default:
      enabled: true
  serverless-offline:
    functions:
      fake:
        handler: src/jobs/orders.handler
provider:
  name: aws
functions:
  api:
    handler: src/lambda.handler
    events:
      - httpApi: 'ANY /{proxy+}'
  orders:
    handler: src/jobs/orders.handler
    events:
      - sqs: arn:aws:sqs:eu-west-1:123456789012:\${self:custom.queues.orders}
resources:
  Resources:
    LegacyFunction:
      Type: AWS::Lambda::Function
      Properties:
        Handler: src/jobs/nightly.handler
`,
    'config/functions.yml': `functions:
  orders:
    handler: src/jobs/orders.handler
    events:
      - sqs: arn:aws:sqs:eu-west-1:123456789012:orders
`,
  }, { rules: [] });
  assert.deepEqual(scan.infra.runtimes!.map((r) => `${r.name} ${r.evidence.map((e) => `${e.file}:${e.line}`).join(',')}`), ['api serverless.yml:18', 'orders serverless.yml:22']);
  assert.deepEqual(runtimes(model), ['runtime:api', 'runtime:orders']);
  assert.deepEqual(entrypoints(model), ['entrypoint:GET /products on runtime:api', 'entrypoint:POST /orders on runtime:api', 'entrypoint:function:orders on runtime:orders']);
});

test('serverless: in a service folder, handler paths are relative to it and its proxy serves only the routes under it', async () => {
  const m = await scanModel({
    'package.json': pkg,
    'services/catalog/src/app.ts': `import express from 'express';
export const app = express();
app.get('/products', async (req, res) => { res.json([]); });
`,
    'services/catalog/src/lambda.ts': `import serverless from 'serverless-http';
import { app } from './app';
export const handler = serverless(app);
`,
    'services/catalog/serverless.yml': `service: catalog
provider:
  name: aws
functions:
  catalog:
    handler: src/lambda.handler
    events:
      - httpApi: 'ANY /{proxy+}'
`,
    'services/billing/src/app.ts': `import express from 'express';
export const app = express();
app.post('/invoices', async (req, res) => { res.json({}); });
`,
    'services/billing/src/lambda.ts': `import serverless from 'serverless-http';
import { app } from './app';
export const handler = serverless(app);
`,
    'services/billing/src/reminders.ts': `export const handler = async () => { await fetch('https://api.mailer.example/send', { method: 'POST' }); };
`,
    'services/billing/serverless.yml': `service: billing
provider:
  name: aws
functions:
  billing:
    handler: src/lambda.handler
    events:
      - httpApi: 'ANY /{proxy+}'
  reminders:
    handler: src/reminders.handler
    events:
      - schedule: rate(1 hour)
`,
  }, { rules: [] });
  assert.deepEqual(entrypoints(m), ['entrypoint:GET /products on runtime:catalog', 'entrypoint:POST /invoices on runtime:billing', 'entrypoint:function:reminders on runtime:reminders']);
});

test('serverless: two services that each name a function `api` are two runtimes, `<service>-api`, each serving its own routes; a name used once stays as it is', async () => {
  const service = (name: string, route: string, extraFunctions = '') => ({
    [`services/${name}/src/app.ts`]: `import express from 'express';
export const app = express();
app.get('${route}', async (req, res) => { res.json([]); });
`,
    [`services/${name}/src/lambda.ts`]: `import serverless from 'serverless-http';
import { app } from './app';
export const handler = serverless(app);
`,
    [`services/${name}/serverless.yml`]: `service: ${name}
provider:
  name: aws
  timeout: ${name === 'catalog' ? 10 : 20}
functions:
  api:
    handler: src/lambda.handler
    events:
      - httpApi: 'ANY /{proxy+}'
${extraFunctions}`,
  });
  const reminders = `  reminders:
    handler: src/reminders.handler
    events:
      - schedule: rate(1 hour)
`;
  const { model, scan } = await scanTree({
    'package.json': pkg,
    ...service('catalog', '/products'),
    ...service('billing', '/invoices', reminders),
    'services/billing/src/reminders.ts': `export const handler = async () => { await fetch('https://api.mailer.example/send', { method: 'POST' }); };
`,
  }, { rules: [] });
  assert.deepEqual(entrypoints(model), ['entrypoint:GET /invoices on runtime:billing-api', 'entrypoint:GET /products on runtime:catalog-api', 'entrypoint:function:reminders on runtime:reminders']);
  assert.deepEqual(scan.infra.runtimes!.filter((r) => r.origin === 'serverless').map((r) => `${r.name} ${r.timeoutSec}`).sort(), ['billing-api 20', 'catalog-api 10', 'reminders 20']);
});
