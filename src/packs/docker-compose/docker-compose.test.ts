import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';
import { imageResource } from '../_infra.js';

const app = {
  'backend/app/__init__.py': '',
  'backend/app/main.py': `
from fastapi import FastAPI
app = FastAPI()

@app.get("/health")
def health():
    return {"ok": True}
`,
};

test('docker-compose: a service built from the root with its Dockerfile in the code folder runs that code, not the proxy image listed before it', async () => {
  const m = await scanModel({
    ...app,
    'compose.yml': `
services:
  proxy:
    image: traefik:3.6
    command:
      - --providers.docker
  backend:
    image: backend:latest
    build:
      context: .
      dockerfile: backend/Dockerfile
`,
  });
  assert.equal(m.nodes.find((n) => n.id === 'entrypoint:GET /health')?.runtime, 'runtime:backend');
});

test('docker-compose: with the Dockerfile at the root, the first matching service is kept (no folder to prefer)', async () => {
  const m = await scanModel({
    ...app,
    'compose.yml': `
services:
  web:
    build: .
  admin:
    image: adminer
`,
  });
  assert.equal(m.nodes.find((n) => n.id === 'entrypoint:GET /health')?.runtime, 'runtime:web');
});

test('model: a runtime inferred for Python entrypoints (no compose, no Dockerfile) is a python runtime', async () => {
  const m = await scanModel(app);
  const rt = m.nodes.find((n) => n.kind === 'runtime');
  assert.equal(rt?.tech, 'python');
});

test('docker-compose: a dev tool built from a Dockerfile that copies no code (maildev) or pulled as an admin image (adminer, mongo-express) is not a runtime of the app (trap)', async () => {
  const m = await scanModel({
    ...app,
    'maildev.Dockerfile': `FROM node:24-alpine
RUN npm i -g maildev@2.0.5
CMD maildev
`,
    'Dockerfile': `FROM python:3.12-slim
COPY . /app
CMD ["uvicorn", "backend.app.main:app"]
`,
    'compose.yml': `
services:
  maildev:
    build:
      context: .
      dockerfile: maildev.Dockerfile
  adminer:
    image: adminer
  mongo-express:
    image: mongo-express
  api:
    build:
      context: .
      dockerfile: Dockerfile
`,
  });
  assert.equal(m.nodes.find((n) => n.id === 'entrypoint:GET /health')?.runtime, 'runtime:api');
  assert.deepEqual(m.nodes.filter((n) => n.kind === 'runtime').map((n) => n.id), ['runtime:api']);
  assert.equal(m.nodes.some((n) => n.id === 'datastore:mongodb'), false);
});

test('docker-compose: a service whose Dockerfile copies nothing but that bind-mounts the code still runs it', async () => {
  const m = await scanModel({
    ...app,
    'dev.Dockerfile': `FROM python:3.12-slim
WORKDIR /app
CMD ["uvicorn", "backend.app.main:app", "--reload"]
`,
    'compose.yml': `
services:
  api:
    build:
      context: .
      dockerfile: dev.Dockerfile
    volumes:
      - .:/app
`,
  });
  assert.equal(m.nodes.find((n) => n.id === 'entrypoint:GET /health')?.runtime, 'runtime:api');
});

test('docker-compose: an image-only service is a runtime when it mounts the code, its image is templated or named after a package; a third-party image mounting data is not (trap)', async () => {
  const runtimes = async (compose: string, extra: Record<string, string> = {}) =>
    (await scanModel({ ...app, 'compose.yml': compose, ...extra })).nodes.filter((n) => n.kind === 'runtime').map((n) => n.id).sort();
  // a local analytics server fed from a data folder: the app runs outside compose
  assert.deepEqual(await runtimes(`
services:
  tinybird:
    image: tinybirdco/tinybird-local:latest
    volumes:
      - ./tinybird:/tinybird:ro
    command: ["bash", "/scripts/tinybird-setup.sh"]
`, { 'tinybird/datasources/events.datasource': 'SCHEMA >\n' }), ['runtime:app']);
  assert.deepEqual(await runtimes(`
services:
  api:
    image: node:20-alpine
    working_dir: /app
    volumes:
      - ./:/app
    command: npm run dev
`), ['runtime:api']);
  assert.deepEqual(await runtimes(`
services:
  api:
    image: \${REGISTRY}/api:\${TAG:-latest}
`), ['runtime:api']);
  assert.deepEqual(await runtimes(`
services:
  web:
    image: ghcr.io/acme/billing-api:1.4.2
`, { 'backend/pyproject.toml': '[project]\nname = "billing-api"\nversion = "1.4.2"\n' }), ['runtime:web']);
});

test('docker-compose: the stack an end-to-end suite starts (cypress/, e2e/) is not the deployment; the root compose is (trap)', async () => {
  const stack = (replicas: number) => `
services:
  api:
    build: ..
    deploy:
      replicas: ${replicas}
    environment:
      DATABASE_URL: postgresql://app:app@db:5432/app
  db:
    image: postgres:16
  cache:
    image: redis:7
`;
  const m = await scanModel({
    ...app,
    'docker-compose.yml': `
services:
  api:
    build: .
    deploy:
      replicas: 3
  db:
    image: postgres:16
`,
    'cypress/docker-compose.yml': stack(1),
    'e2e/docker-compose.yml': stack(1),
  });
  const runtimes = m.nodes.filter((n) => n.kind === 'runtime');
  assert.deepEqual(runtimes.map((n) => [n.id, n.redundancy?.replicas, n.evidence[0].file]), [['runtime:api', 3, 'docker-compose.yml']]);
  assert.ok(!m.nodes.some((n) => n.id === 'cache:redis'), 'a cache only the test stack starts is not a node');
  assert.ok(m.nodes.every((n) => n.evidence.every((e) => !/^(cypress|e2e)\//.test(e.file))), 'no evidence from the test stacks');
});

test('docker-compose: an app image whose name starts like an infrastructure one (promotions, kafka-consumer) is still the app; prom/prometheus and confluentinc/cp-kafka are not (trap)', async () => {
  const runtimes = async (compose: string, extra: Record<string, string> = {}) =>
    (await scanModel({ ...app, 'compose.yml': compose, ...extra })).nodes.filter((n) => n.kind === 'runtime').map((n) => n.id).sort();
  const manifest = (name: string) => ({ 'backend/pyproject.toml': `[project]\nname = "${name}"\nversion = "1.0.0"\n` });
  assert.deepEqual(await runtimes(`
services:
  api:
    image: ghcr.io/acme/promotions:2.3.0
`, manifest('promotions')), ['runtime:api']);
  assert.deepEqual(await runtimes(`
services:
  consumer:
    image: acme/kafka-consumer:1.0.0
`, manifest('kafka-consumer')), ['runtime:consumer']);
  // nor is it the server it talks to: an app image's name gives no Kafka or MongoDB (whose settings would be read from it)
  assert.equal(imageResource('acme/kafka-consumer:1.0.0'), undefined);
  assert.equal(imageResource('acme/mongo-sync:3'), undefined);
  assert.equal(imageResource('ghcr.io/acme/postgres-backup:1'), undefined);
  assert.equal(imageResource('mongo-express:1'), undefined);
  assert.equal(imageResource('provectuslabs/kafka-ui'), undefined);
  assert.equal(imageResource('bitnami/kafka:3.7')?.name, 'kafka');
  assert.equal(imageResource('confluentinc/cp-kafka:7.6.1')?.name, 'kafka');
  assert.equal(imageResource('redis/redis-stack-server:7.2.0-v10')?.name, 'redis');
  assert.equal(imageResource('postgis/postgis:16-3.4')?.name, 'postgres');
  assert.equal(imageResource('localhost:5000/postgres:16')?.name, 'postgres');
  assert.equal(imageResource('mongo@sha256:abc')?.name, 'mongodb');
  // the vendors' own images stay infrastructure, even beside a package of the same name
  assert.deepEqual(await runtimes(`
services:
  metrics:
    image: prom/prometheus:v2.53.0
  broker:
    image: confluentinc/cp-kafka:7.6.1
  tracing:
    image: jaegertracing/all-in-one:1.57
`, manifest('prometheus')), ['runtime:app']);
});
