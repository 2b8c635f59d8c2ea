import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';
import type { Capacity } from './types.js';

// The shape of brocoders/nestjs-boilerplate: the app's pool comes from TypeOrmModule.forRootAsync's
// dataSourceFactory; src/database/data-source.ts is for the TypeORM CLI. Compose runs the app
// from a Dockerfile whose entry faultline cannot follow, so clients match by source folder.
const compose = `services:
  postgres:
    image: postgres:16
  api:
    build: .
`;

const entity = `import { Entity, PrimaryGeneratedColumn, Column } from 'typeorm';
@Entity()
export class User {
  @PrimaryGeneratedColumn() id!: number;
  @Column() email!: string;
}
`;

const dataSource = (max: number) => `import { DataSource, DataSourceOptions } from 'typeorm';
export const AppDataSource = new DataSource({
  type: 'postgres',
  url: process.env.DATABASE_URL,
  entities: [__dirname + '/../**/*.entity{.ts,.js}'],
  migrations: [__dirname + '/migrations/**/*{.ts,.js}'],
  extra: { max: ${max} },
} as DataSourceOptions);
`;

const factoryModule = `import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { User } from './users/user.entity';
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      useFactory: () => ({ type: 'postgres', url: process.env.DATABASE_URL, entities: [User], extra: { max: 10 } }),
      dataSourceFactory: async (options: DataSourceOptions) => new DataSource(options).initialize(),
    }),
  ],
})
export class AppModule {}
`;

function pkg(scripts: Record<string, string>): string {
  return JSON.stringify({ name: 'api', scripts, dependencies: { typeorm: '^0.3.20', '@nestjs/typeorm': '^10.0.2', '@nestjs/common': '^10.4.0' } });
}

async function clientsOf(files: Record<string, string>): Promise<{ clients: string[]; arithmetic: string }> {
  const model = await scanModel(files, { rules: [] });
  const d = (model.capacity as Capacity).datastores.find((x) => x.datastore === 'datastore:postgres');
  assert.ok(d, 'datastore:postgres has a capacity entry');
  return { clients: d.clients.map((c) => c.id), arithmetic: d.budget.normal.arithmetic };
}

test('capacity: a data source that package.json scripts hand to the TypeORM CLI is not a pool of the service', async () => {
  // through `npm run typeorm --` into ts-node ./node_modules/typeorm/cli.js
  const indirect = await clientsOf({
    'package.json': pkg({
      typeorm: 'env-cmd -- ts-node -r tsconfig-paths/register ./node_modules/typeorm/cli.js',
      'migration:run': 'npm run typeorm -- --dataSource=src/database/data-source.ts migration:run',
    }),
    'docker-compose.yml': compose,
    'src/database/data-source.ts': dataSource(100),
    'src/app.module.ts': factoryModule,
    'src/users/user.entity.ts': entity,
  });
  assert.deepEqual(indirect.clients, ['typeorm@src/app.module.ts:9']);
  assert.match(indirect.arithmetic, /^api 1 replica × \?: unknown/);
  // the bin itself, pointed at the built file
  const direct = await clientsOf({
    'package.json': pkg({ 'migration:run:prod': 'typeorm-ts-node-commonjs -d dist/database/data-source.js migration:run' }),
    'docker-compose.yml': compose,
    'src/database/data-source.ts': dataSource(100),
    'src/app.module.ts': factoryModule,
    'src/users/user.entity.ts': entity,
  });
  assert.deepEqual(direct.clients, ['typeorm@src/app.module.ts:9']);
});

test('capacity: a CLI data source that the app also uses counts once, with its own pool size (trap)', async () => {
  const withModule = (appModule: string) => clientsOf({
    'package.json': pkg({ 'migration:run': 'typeorm -d src/database/data-source.ts migration:run' }),
    'docker-compose.yml': compose,
    'src/database/data-source.ts': dataSource(20),
    'src/app.module.ts': appModule,
    'src/users/user.entity.ts': entity,
  });
  // imported for its options: the pool Nest builds from them is the data source's, not a second one
  for (const appModule of [
    `import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppDataSource } from './database/data-source';
@Module({ imports: [TypeOrmModule.forRoot(AppDataSource.options)] })
export class AppModule {}
`,
    `import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppDataSource } from './database/data-source';
const database = TypeOrmModule.forRoot(AppDataSource.options);
@Module({ imports: [database] })
export class AppModule {}
`,
  ]) {
    const { clients, arithmetic } = await withModule(appModule);
    assert.deepEqual(clients, ['typeorm@src/database/data-source.ts:2']);
    assert.equal(arithmetic, 'api 1 replica × 20 = 20 ≤ 97 usable of max_connections 100');
  }
});

test('capacity: a data-source.ts that no TypeORM CLI script names still counts (trap)', async () => {
  const { clients } = await clientsOf({
    'package.json': pkg({ 'db:up': 'docker compose up -d', dump: 'node tools/dump.js -d src/database/data-source.ts' }),
    'docker-compose.yml': compose,
    'src/database/data-source.ts': dataSource(100),
    'src/app.module.ts': factoryModule,
    'src/users/user.entity.ts': entity,
  });
  assert.deepEqual(clients, ['typeorm@src/app.module.ts:9', 'typeorm@src/database/data-source.ts:2']);
});

test('capacity: a TypeORM type read from an env var takes the engine its committed value names; a file database has no budget (trap)', async () => {
  const app = (value: string) => ({
    'package.json': pkg({}),
    'docker-compose.yml': compose,
    '.env.example': `DATABASE_TYPE=${value}\n`,
    'src/database/data-source.ts': dataSource(100).replace("type: 'postgres'", 'type: process.env.DATABASE_TYPE'),
    'src/users/user.entity.ts': entity,
  });
  const mysql = await scanModel(app('mariadb'), { rules: [] });
  // the committed value wins over the postgres service compose declares
  assert.deepEqual((mysql.capacity as Capacity).datastores.map((d) => `${d.datastore} ${d.tech} ${d.clients.map((c) => c.id).join(' ')}`), ['datastore:mysql mysql typeorm@src/database/data-source.ts:2']);
  const sqlite = await scanModel(app('better-sqlite3'), { rules: [] });
  assert.deepEqual((sqlite.capacity as Capacity).datastores.flatMap((d) => d.clients.map((c) => c.id)), []);
});
