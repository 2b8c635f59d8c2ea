import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigFile } from '../../walk/config-files.js';
import { cliDataSources } from './cli.js';

function pkg(rel: string, scripts: Record<string, string>): ConfigFile {
  const text = JSON.stringify({ name: 'api', scripts }, null, 2);
  return { rel, text, json: JSON.parse(text), lineOf: (needle) => text.slice(0, text.indexOf(needle)).split('\n').length };
}

const found = (configs: ConfigFile[]) => cliDataSources(configs).map((d) => `${d.dir}|${d.path} ${d.evidence.file}:${d.evidence.line}`).sort();

test('typeorm cli: the data source a script hands to the CLI, directly or through `npm run typeorm --`', () => {
  const configs = [
    pkg('package.json', {
      typeorm: 'env-cmd -- ts-node -r tsconfig-paths/register ./node_modules/typeorm/cli.js',
      'migration:run': 'npm run typeorm -- --dataSource=src/database/data-source.ts migration:run',
      'migration:revert': 'npm run typeorm -- --dataSource src/database/data-source.ts migration:revert',
    }),
    pkg('apps/billing/package.json', {
      'db:migrate': 'npm run build && typeorm-ts-node-commonjs -d ./src/billing-data-source.ts migration:run',
      'db:migrate:prod': 'typeorm migration:run -d dist/billing-data-source.js',
      'db:sync': 'yarn typeorm-ts-node-esm schema:sync -d=src/sync.ts',
    }),
  ];
  assert.deepEqual(found(configs), [
    'apps/billing|./src/billing-data-source.ts apps/billing/package.json:4',
    'apps/billing|dist/billing-data-source.js apps/billing/package.json:5',
    'apps/billing|src/sync.ts apps/billing/package.json:6',
    '|src/database/data-source.ts package.json:5',
    '|src/database/data-source.ts package.json:6',
  ]);
});

test('typeorm cli: `-d` given to other tools, and TypeORM paths that are not the CLI, are not data sources (trap)', () => {
  const configs = [
    pkg('package.json', {
      'db:up': 'docker compose up -d',
      dump: 'node tools/dump.js -d src/database/data-source.ts',
      seed: 'ts-node src/typeorm/seed.ts -d src/database/data-source.ts',
      // `typeorm` here is a script of this package that runs something else
      typeorm: 'node tools/report.js',
      report: 'npm run typeorm -- --dataSource=src/database/data-source.ts',
      'migration:run': 'typeorm migration:run',
    }),
  ];
  assert.deepEqual(found(configs), []);
});
