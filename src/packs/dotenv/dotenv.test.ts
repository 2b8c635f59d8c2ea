import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model } from '../../model/types.js';
import { scanTree } from '../../../test/helpers/fixture.js';

const datastores = (model: Model) => model.nodes.filter((n) => n.kind === 'datastore').map((n) => `${n.id} ${n.tech}`).sort();
const nodeEvidence = (model: Model, id: string) => model.nodes.find((n) => n.id === id)?.evidence.map((e) => `${e.file}:${e.line}`);

/** Sequelize reads its URL from DATABASE_URL: the .env value says which database it is. */
const sequelizeApp = {
  'package.json': JSON.stringify({ name: 'catalog', dependencies: { sequelize: '^6.37.0', express: '^4.19.0' } }),
  'src/db.ts': `import { Sequelize, DataTypes } from 'sequelize';
export const sequelize = new Sequelize(process.env.DATABASE_URL as string);
export const Item = sequelize.define('Item', { name: DataTypes.STRING });
`,
  'src/server.ts': `import express from 'express';
import { Item } from './db';
const app = express();
app.get('/items', async (req, res) => res.json(await Item.findAll()));
app.post('/items', async (req, res) => res.json(await Item.create(req.body)));
app.listen(3000);
`,
};

/** TypeORM's `type` from DATABASE_TYPE: the .env line that sets it is cited on the datastore. */
const typeormApp = {
  'package.json': JSON.stringify({ name: 'accounts', dependencies: { typeorm: '^0.3.20', express: '^4.19.0' } }),
  'src/data-source.ts': `import { DataSource } from 'typeorm';
export const AppDataSource = new DataSource({ type: process.env.DATABASE_TYPE as 'postgres', url: process.env.DATABASE_URL });
`,
  'src/server.ts': `import express from 'express';
import { AppDataSource } from './data-source';
const app = express();
app.get('/accounts', async (req, res) => res.json(await AppDataSource.query('SELECT id FROM accounts')));
app.listen(3000);
`,
};

const example = 'DATABASE_URL=postgres://catalog:change-me@localhost:5432/catalog # copy to .env\nDATABASE_TYPE=postgres\n';

test('dotenv: a committed .env beats .env.example; export, quotes and comments are read as dotenv does', async () => {
  const { model, scan } = await scanTree({
    ...sequelizeApp,
    '.env': '# local overrides\n# DATABASE_URL=sqlite::memory:\nexport DATABASE_URL="mysql://catalog:pw@localhost:3306/catalog#main"\nDATABASE_TYPE = mysql   # the same server\n',
    '.env.example': example,
  }, { rules: [] });
  assert.deepEqual(scan.infra.env, {
    DATABASE_URL: { value: 'mysql://catalog:pw@localhost:3306/catalog#main', evidence: { file: '.env', line: 3 } },
    DATABASE_TYPE: { value: 'mysql', evidence: { file: '.env', line: 4 } },
  });
  assert.deepEqual(datastores(model), ['datastore:mysql mysql']);
  assert.deepEqual(model.edges.filter((e) => e.to === 'datastore:mysql').map((e) => `${e.from} ${e.kind}`).sort(), ['entrypoint:GET /items reads', 'entrypoint:POST /items writes']);
});

test('dotenv: with only .env.example, its value names the datastore; .env.local is a real file and beats it', async () => {
  const onlyExample = await scanTree({ ...sequelizeApp, '.env.example': example }, { rules: [] });
  assert.deepEqual(datastores(onlyExample.model), ['datastore:postgres postgresql']);
  assert.deepEqual(onlyExample.scan.infra.env?.DATABASE_URL?.evidence, { file: '.env.example', line: 1 });

  const withLocal = await scanTree({ ...sequelizeApp, '.env.example': example, '.env.local': 'DATABASE_URL=mysql://catalog:pw@127.0.0.1:3306/catalog\n' }, { rules: [] });
  assert.deepEqual(datastores(withLocal.model), ['datastore:mysql mysql']);
  assert.deepEqual(withLocal.scan.infra.env?.DATABASE_URL?.evidence, { file: '.env.local', line: 1 });
});

test('dotenv: an env-driven TypeORM type resolves from .env over .env.example, citing that line', async () => {
  const { model } = await scanTree({ ...typeormApp, '.env': 'DATABASE_URL=mysql://accounts:pw@db:3306/accounts\nDATABASE_TYPE=mariadb\n', '.env.example': example }, { rules: [] });
  assert.deepEqual(datastores(model), ['datastore:mysql mysql']);
  assert.deepEqual(nodeEvidence(model, 'datastore:mysql'), ['.env:2', 'src/server.ts:4']);
});

test('dotenv: a commented-out line in .env does not shadow the example; no value at all leaves the engine unknown (trap)', async () => {
  const commented = await scanTree({ ...typeormApp, '.env': '# DATABASE_TYPE=mysql\n#DATABASE_URL=mysql://accounts:pw@db:3306/accounts\n', '.env.example': example }, { rules: [] });
  assert.deepEqual(datastores(commented.model), ['datastore:postgres postgresql']);
  assert.deepEqual(nodeEvidence(commented.model, 'datastore:postgres'), ['.env.example:2', 'src/server.ts:4']);

  const none = await scanTree({ ...sequelizeApp, '.env': '# DATABASE_URL=mysql://catalog:pw@localhost:3306/catalog\nLOG_LEVEL=debug\n' }, { rules: [] });
  assert.deepEqual(none.scan.infra.env, { LOG_LEVEL: { value: 'debug', evidence: { file: '.env', line: 2 } } });
  assert.deepEqual(datastores(none.model), ['datastore:sql sql']);
});

test('dotenv: .env.dist, .env.sample and .env.*.template are templates too: a real .env.local beats them even when it sorts after', async () => {
  for (const template of ['.env.dist', '.env.sample', '.env.production.template']) {
    const r = await scanTree({ ...sequelizeApp, [template]: example, '.env.local': 'DATABASE_URL=mysql://catalog:pw@127.0.0.1:3306/catalog\n' }, { rules: [] });
    assert.deepEqual(datastores(r.model), ['datastore:mysql mysql'], template);
    assert.deepEqual(r.scan.infra.env?.DATABASE_URL?.evidence, { file: '.env.local', line: 1 }, template);
  }
});
