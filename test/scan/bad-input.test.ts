import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scan } from '../../src/scan.js';
import { UserError } from '../../src/shared/errors.js';
import { writeTree } from '../helpers/fixture.js';

const okService = `export function total(items: number[]) { return items.reduce((a, b) => a + b, 0); }\n`;

function codes(diags: { file: string; code?: string }[]): string[] {
  return diags.map((d) => `${d.file}:${d.code}`).sort();
}

test('a syntax error is a diagnostic and the rest of the scan goes on', async () => {
  const dir = writeTree({ 'src/ok.ts': okService, 'src/broken.ts': 'export function (\n  const = ;\n' });
  const r = await scan(dir);
  assert.ok(r.facts.has('src/ok.ts'));
  assert.ok(r.model.diagnostics.some((d) => d.file === 'src/broken.ts' && d.code === 'parse' && /parse error/.test(d.message)));
});

test('binary and non-UTF-8 files: binary skipped, invalid UTF-8 read with a diagnostic', async () => {
  const dir = writeTree({ 'src/ok.ts': okService });
  fs.writeFileSync(path.join(dir, 'src/blob.js'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x02]));
  fs.writeFileSync(path.join(dir, 'src/latin1.ts'), Buffer.concat([Buffer.from('export const name = "caf'), Buffer.from([0xe9]), Buffer.from('";\n')]));
  const r = await scan(dir);
  assert.deepEqual(codes(r.model.diagnostics), ['src/blob.js:skipped-binary', 'src/latin1.ts:encoding']);
  assert.ok(r.facts.has('src/latin1.ts'));
});

test('a 50 MB file is skipped with a diagnostic, not read', async () => {
  const dir = writeTree({ 'src/ok.ts': okService });
  const big = path.join(dir, 'src/huge.ts');
  const fd = fs.openSync(big, 'w');
  fs.ftruncateSync(fd, 50 * 1024 * 1024);
  fs.closeSync(fd);
  const r = await scan(dir);
  assert.deepEqual(codes(r.model.diagnostics), ['src/huge.ts:skipped-large']);
  assert.equal(r.model.stats?.skipped, 1);
});

test('a symlink loop and a symlink out of the root are survived', async () => {
  const dir = writeTree({ 'src/ok.ts': okService });
  fs.symlinkSync('..', path.join(dir, 'src/loop'));
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-outside-'));
  fs.writeFileSync(path.join(outside, 'secret.ts'), okService);
  fs.symlinkSync(outside, path.join(dir, 'src/outside'));
  const r = await scan(dir);
  assert.deepEqual([...r.facts.keys()], ['src/ok.ts']);
  assert.deepEqual(codes(r.model.diagnostics), ['src/outside:symlink-outside-root']);
});

test('an unreadable file is a diagnostic', { skip: process.getuid?.() === 0 ? 'root can read any file' : false }, async () => {
  const dir = writeTree({ 'src/ok.ts': okService, 'src/locked.ts': okService });
  fs.chmodSync(path.join(dir, 'src/locked.ts'), 0o000);
  const r = await scan(dir);
  assert.ok(r.model.diagnostics.some((d) => d.file === 'src/locked.ts' && d.code === 'unreadable'));
});

test('an unreadable file (simulated for root) is a diagnostic: a directory entry that vanishes', async () => {
  const dir = writeTree({ 'src/ok.ts': okService });
  fs.symlinkSync(path.join(dir, 'src/missing-target.ts'), path.join(dir, 'src/dangling.ts'));
  const r = await scan(dir);
  assert.deepEqual(codes(r.model.diagnostics), ['src/dangling.ts:broken-symlink']);
});

test('bad paths and empty repositories are one-line user errors', async () => {
  const empty = writeTree({ 'README.md': '# nothing here\n' });
  await assert.rejects(scan(empty), (e: unknown) => e instanceof UserError && /no source files/.test(e.message));
  await assert.rejects(scan(path.join(empty, 'does-not-exist')), (e: unknown) => e instanceof UserError && /path not found/.test(e.message));
  await assert.rejects(scan(path.join(empty, 'README.md')), (e: unknown) => e instanceof UserError && /not a directory/.test(e.message));
});

test('gitignored, vendored and minified files are not read', async () => {
  const dir = writeTree({
    'src/ok.ts': okService,
    '.gitignore': 'generated-client/\n',
    'src/.gitignore': 'local-*.ts\n',
    'src/local-scratch.ts': okService,
    'generated-client/index.ts': okService,
    'node_modules/pkg/index.js': okService,
    'dist/main.js': okService,
    'public/app.min.js': okService,
    'src/bundle.js': 'var a=1;'.repeat(2000) + '\n',
  });
  const r = await scan(dir);
  assert.deepEqual([...r.facts.keys()], ['src/ok.ts']);
  assert.deepEqual(codes(r.model.diagnostics), ['public/app.min.js:skipped-generated', 'src/bundle.js:skipped-minified']);
});

test('a file that cannot be read (EISDIR, as root cannot be denied) becomes an unreadable diagnostic', async () => {
  const { parseFile } = await import('../../src/parse/parse-file.js');
  const dir = writeTree({ 'src/ok.ts': okService });
  const out = parseFile(path.join(dir, 'src'), 'src');
  assert.equal(out.facts, undefined);
  assert.deepEqual(out.diagnostics.map((d) => d.code), ['unreadable']);
});

test('test files are counted as skipped, not parsed; a folder or file merely named like a test is read', async () => {
  const route = `import express from 'express';\nconst app = express();\napp.get('/ping', (_req, res) => res.send('ok'));\nexport default app;\n`;
  const dir = writeTree({
    'src/ok.ts': okService,
    'src/users.spec.ts': route,
    'src/users.test.tsx': route,
    'test/app.e2e-spec.ts': route,
    'src/__tests__/flow.ts': route,
    'src/__mocks__/stripe.js': route,
    // a test suite's folder beside src/: its fixtures and setup helpers are not named like tests
    'tests/fixtures/user.fixture.js': route,
    'packages/api/test/utils/setupTestDB.js': route,
    // traps: a domain folder called test, a module whose name contains "test", a file called tests.ts
    'src/modules/test/attempts.ts': okService,
    'src/latest.ts': okService,
    'src/contest.spec-helpers.ts': okService,
    'packages/api/src/tests.ts': okService,
  });
  const r = await scan(dir);
  assert.deepEqual([...r.facts.keys()].sort(), ['packages/api/src/tests.ts', 'src/contest.spec-helpers.ts', 'src/latest.ts', 'src/modules/test/attempts.ts', 'src/ok.ts']);
  assert.equal(r.model.stats?.skipped, 7);
  assert.deepEqual(r.model.stats?.skippedBy, { 'skipped-test': 7 });
  assert.deepEqual(r.model.diagnostics, []);
  assert.ok(!r.model.nodes.some((n) => n.kind === 'entrypoint'), 'a route declared in a test is no entrypoint');
});

test('a repository of test files only is told so, not scanned empty', async () => {
  const dir = writeTree({ 'src/users.spec.ts': okService, 'src/orders.test.ts': okService });
  await assert.rejects(scan(dir), (e: unknown) => e instanceof UserError && /only 2 test files, which faultline does not analyse/.test(e.message));
});

test('a root reached through a symlink gives the same model as its real path', async () => {
  const { runPipeline } = await import('../../src/pipeline.js');
  const { stableJson } = await import('../../src/shared/json.js');
  const real = path.resolve('examples/portal');
  const link = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-link-')), 'portal');
  fs.symlinkSync(real, link);
  const direct = await runPipeline(real);
  const viaLink = await runPipeline(link);
  assert.ok(direct.model.findings.length > 10 && direct.model.edges.length > 10);
  assert.equal(stableJson(viaLink.model), stableJson(direct.model));
});
