import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeTree } from '../helpers/fixture.js';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/faultline.js');

function run(args: string[], cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-cli-'))) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr, cwd };
}

test('bad input: one line on stderr, exit 2, no stack trace', () => {
  const empty = writeTree({ 'README.md': '# docs only\n' });
  const cases: [string[], RegExp][] = [
    [['scan', path.join(empty, 'nope')], /path not found/],
    [['scan', path.join(empty, 'README.md')], /not a directory/],
    [['scan', empty], /no source files/],
    [['scan', '--colour'], /unknown option --colour/],
    [['scan', empty, '--fail-on', 'severe'], /unknown severity/],
    [['frobnicate'], /unknown command/],
  ];
  for (const [args, re] of cases) {
    const r = run(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, re);
    assert.equal(r.err.trim().split('\n').length, 1, `one line for ${args.join(' ')}: ${r.err}`);
    assert.doesNotMatch(r.err, /\n\s+at /);
  }
});

test('scan --format json prints only the model on stdout and writes the report folder', () => {
  const r = run(['scan', path.join(root, 'examples/portal'), '--format', 'json', '--out', 'report']);
  assert.equal(r.code, 0, r.err);
  const model = JSON.parse(r.out);
  assert.equal(model.schemaVersion, 1);
  for (const f of ['faultline.json', 'report.md', 'faultline.sarif', 'index.html']) assert.ok(fs.existsSync(path.join(r.cwd, 'report', f)), f);
});

test('--fail-on high exits 1 on the portal and 0 with a baseline of the same scan', () => {
  const first = run(['scan', path.join(root, 'examples/portal'), '--quiet', '--json', 'base.json', '--fail-on', 'high']);
  assert.equal(first.code, 1);
  const again = run(['scan', path.join(root, 'examples/portal'), '--quiet', '--baseline', path.join(first.cwd, 'base.json'), '--fail-on', 'high'], first.cwd);
  assert.equal(again.code, 0, again.err);
});

test('blast: an unambiguous name works, an ambiguous one lists candidates', () => {
  const ok = run(['blast', 'postgres', path.join(root, 'examples/portal')]);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /datastore:postgres/);
  assert.ok(ok.out.split('\n').every((l) => [...l].length <= 80), 'fits 80 columns');
  const amb = run(['blast', 'POST /api/user', path.join(root, 'examples/portal')]);
  assert.equal(amb.code, 2);
  assert.match(amb.err, /candidates: /);
});

test('--what-if with a mistyped node id names the closest ids', () => {
  const dir = writeTree({
    'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`,
    'src/app.ts': `import express from 'express';\nimport { prisma } from './db';\nconst app = express();\napp.get('/orders', async (_req, res) => res.json(await prisma.order.findMany({ take: 20 })));\n`,
    'faultline.config.yml': `whatIf:\n  replica:\n    - { kind: read-replica, node: "datastore:postgress" }\n`,
  });
  const r = run(['scan', dir, '--what-if', 'replica', '--quiet']);
  assert.equal(r.code, 2);
  assert.match(r.err, /datastore:postgres/);
});

test('rules and explain print the catalogue and a rule', () => {
  const rules = run(['rules']);
  assert.equal(rules.code, 0);
  assert.match(rules.out, /tx\/non-atomic-writes/);
  const ex = run(['explain', 'tx/non-atomic-writes']);
  assert.match(ex.out, /False-positive guard/);
  assert.equal(run(['explain', 'tx/non-atomic']).code, 2);
});
