import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanTree } from '../../../test/helpers/fixture.js';

const scan = (files: Record<string, string>) => scanTree(files, { rules: [] });

const source = {
  'src/server.ts': `import express from 'express';
const app = express();
app.get('/health', (_req, res) => res.json({ ok: true }));
app.listen(3000);
`,
  'src/worker.ts': `import cron from 'node-cron';
cron.schedule('0 * * * *', async () => undefined);
`,
};

const pkg = JSON.stringify({
  name: '@acme/shop',
  scripts: { build: 'tsc -p .', dev: 'tsx watch src/server.ts', 'dev:worker': 'tsx watch src/worker.ts', start: 'node dist/server.js', 'start:worker': 'node --enable-source-maps dist/worker.js', 'start:dev': 'nodemon dist/server.js', migrate: 'prisma migrate deploy' },
  dependencies: { express: '^4.19.0', 'node-cron': '^3.0.3' },
}, null, 2);

test('package-scripts: start and start:worker are runtimes when nothing else declares any', async () => {
  const { model, scan: s } = await scan({ 'package.json': pkg, ...source });
  assert.deepEqual(s.infra.runtimes, [
    { name: 'shop', tech: 'node', evidence: [{ file: 'package.json', line: 7 }], sourceDirs: [''], command: 'node dist/server.js' },
    { name: 'shop-worker', tech: 'node', evidence: [{ file: 'package.json', line: 8 }], sourceDirs: [''], command: 'node --enable-source-maps dist/worker.js' },
  ]);
  const runtime = model.nodes.find((n) => n.id === 'runtime:shop')!;
  assert.deepEqual({ tech: runtime.tech, redundancy: runtime.redundancy, evidence: runtime.evidence }, { tech: 'node', redundancy: undefined, evidence: [{ file: 'package.json', line: 7 }] });
});

test('package-scripts: nothing when compose declares the services, and watchers or one-off scripts never count (trap)', async () => {
  const withCompose = await scan({
    'package.json': pkg,
    'docker-compose.yml': 'services:\n  api:\n    build: .\n    command: node dist/server.js\n',
    ...source,
  });
  assert.deepEqual(withCompose.scan.infra.runtimes!.map((r) => `${r.name} ${r.tech}`), ['api container']);
  const devOnly = await scan({
    'package.json': JSON.stringify({ name: 'tools', scripts: { dev: 'tsx watch src/server.ts', 'start:dev': 'nest start --watch', seed: 'node dist/seed.js', 'start:debug': 'node --inspect dist/server.js' } }),
    ...source,
  });
  assert.deepEqual(devOnly.scan.infra.runtimes, []);
});
