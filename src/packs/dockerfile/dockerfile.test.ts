import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanTree } from '../../../test/helpers/fixture.js';

const scan = (files: Record<string, string>) => scanTree(files, { rules: [] });

const dockerfile = (cmd: string) => `FROM node:20-alpine AS build
WORKDIR /app
COPY package*.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM node:20-alpine
WORKDIR /app
COPY --from=build /app/dist ./dist
COPY --from=build /app/node_modules ./node_modules
COPY package.json ./
USER node
${cmd}
`;

const app = {
  'src/app.ts': `import express from 'express';
import { Queue } from 'bullmq';
const exports = new Queue('exports', { connection: { host: 'redis' } });
const app = express();
app.post('/exports', async (req, res) => res.json(await exports.add('csv', req.body)));
app.listen(3000);
`,
  'src/worker.ts': `import { Worker } from 'bullmq';
import { buildExport } from './exports/build';
new Worker('exports', async (job) => buildExport(job.data), { connection: { host: 'redis' } });
`,
  'src/exports/build.ts': `export async function buildExport(data: unknown) {
  return JSON.stringify(data);
}
`,
};

test('dockerfile: compose services built without a command run the Dockerfile CMD, which maps the worker to its service', async () => {
  const { model, scan: s } = await scan({
    'package.json': JSON.stringify({ name: '@acme/exports', scripts: { start: 'node dist/app.js', 'start:worker': 'node dist/worker.js' }, dependencies: { bullmq: '^5.12.0', express: '^4.19.0' } }),
    Dockerfile: dockerfile('CMD ["node", "dist/app.js"]'),
    'Dockerfile.worker': dockerfile('ENTRYPOINT ["dumb-init", "--"]\nCMD ["npm", "run", "start:worker"]'),
    'docker-compose.yml': `services:
  web:
    build: .
    deploy:
      replicas: 2
  background:
    build:
      context: .
      dockerfile: Dockerfile.worker
  redis:
    image: redis:7-alpine
`,
    ...app,
  });
  assert.deepEqual(s.infra.runtimes!.map((r) => [r.name, r.tech, r.command]), [['web', 'container', 'node dist/app.js'], ['background', 'container', 'dumb-init -- node dist/worker.js']]);
  const runtimeOf = Object.fromEntries(model.nodes.filter((n) => n.kind === 'entrypoint').map((n) => [n.id, n.runtime]));
  assert.deepEqual(runtimeOf, { 'entrypoint:POST /exports': 'runtime:web', 'entrypoint:worker:exports': 'runtime:background' });
});

test('dockerfile: without an orchestrator each Dockerfile is a runtime named after its package, with no replica count', async () => {
  const { model, scan: s } = await scan({
    'package.json': JSON.stringify({ name: '@acme/exports', scripts: { start: 'node dist/app.js', 'start:worker': 'node dist/worker.js' }, dependencies: { bullmq: '^5.12.0', express: '^4.19.0' } }),
    Dockerfile: dockerfile('CMD ["npm", "start"]'),
    'Dockerfile.worker': dockerfile('CMD node dist/worker.js'),
    ...app,
  });
  assert.deepEqual(s.infra.runtimes!.filter((r) => r.tech === 'docker'), [
    { name: 'exports', tech: 'docker', evidence: [{ file: 'Dockerfile', line: 14 }], sourceDirs: [''], command: 'node dist/app.js' },
    { name: 'exports-worker', tech: 'docker', evidence: [{ file: 'Dockerfile.worker', line: 14 }], sourceDirs: [''], command: 'node dist/worker.js' },
  ]);
  const runtime = model.nodes.find((n) => n.id === 'runtime:exports')!;
  assert.deepEqual({ tech: runtime.tech, redundancy: runtime.redundancy, evidence: runtime.evidence }, { tech: 'docker', redundancy: undefined, evidence: [{ file: 'Dockerfile', line: 14 }] });
});

test('dockerfile: no runtime of its own when compose declares the services, nor for a Dockerfile without CMD (trap)', async () => {
  const withCompose = await scan({
    'package.json': JSON.stringify({ name: 'exports', dependencies: { bullmq: '^5.12.0', express: '^4.19.0' } }),
    Dockerfile: dockerfile('CMD ["node", "dist/app.js"]'),
    'docker-compose.yml': `services:
  api:
    build: .
    command: node dist/app.js
`,
    ...app,
  });
  assert.deepEqual(withCompose.scan.infra.runtimes!.map((r) => `${r.name} ${r.tech}`), ['api container']);
  const baseImage = await scan({
    'package.json': JSON.stringify({ name: 'exports', dependencies: { express: '^4.19.0' } }),
    'Dockerfile.base': 'FROM node:20-alpine\nRUN apk add --no-cache tini\n',
    ...app,
  });
  assert.deepEqual(baseImage.scan.infra.runtimes!.filter((r) => r.tech === 'docker'), []);
});
