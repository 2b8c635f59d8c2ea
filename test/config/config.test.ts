import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { UserError } from '../../src/shared/errors.js';
import { configJsonSchema } from '../../scripts/gen-schemas.js';
import { writeTree } from '../helpers/fixture.js';

const root = path.resolve(import.meta.dirname, '../..');

function errorOf(yaml: string): string {
  const dir = writeTree({ 'faultline.config.yml': yaml });
  try {
    loadConfig(dir);
  } catch (e) {
    assert.ok(e instanceof UserError);
    return e.message;
  }
  assert.fail('expected a config error');
}

test('a valid config loads', () => {
  const dir = writeTree({
    'faultline.config.yml': `runtimes:\n  api: { replicas: 3, maxReplicas: 10 }\ndatastores:\n  "datastore:postgres": { multiAz: true, maxConnections: 200 }\ncritical: ["POST /api/checkout"]\nrules:\n  error/swallowed: off\n  http/no-timeout: high\nwhatIf:\n  replica:\n    - { kind: read-replica, node: "datastore:postgres" }\n`,
  });
  const { config } = loadConfig(dir);
  assert.equal(config.runtimes?.api.replicas, 3);
  assert.equal(config.rules?.['error/swallowed'], 'off');
  assert.equal(config.whatIf?.replica[0].kind, 'read-replica');
});

test('errors name the key and say how to fix', () => {
  assert.match(errorOf('runtimes:\n  api: { replicas: "three" }\n'), /runtimes\.api\.replicas: .*number/);
  assert.match(errorOf('colour: blue\n'), /\(top level\).*colour/);
  assert.match(errorOf('rules:\n  http/no-timeout: loud\n'), /rules\.http\/no-timeout/);
  assert.match(errorOf('runtimes: [\n'), /not valid YAML/);
});

test('the published JSON Schema is current (npm run gen)', () => {
  assert.equal(fs.readFileSync(path.join(root, 'schemas/config.schema.json'), 'utf8'), configJsonSchema());
});
