import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Capacity } from '../../analyze/capacity/types.js';
import type { Model } from '../../model/types.js';
import { edgesTo, scanModel } from '../../../test/helpers/fixture.js';

const scan = (files: Record<string, string>) => scanModel(files, { rules: [] });
const evidence = (model: Model, to: string) => model.edges.filter((e) => e.to === to).map((e) => `${e.kind}${e.guards.transaction ? '+tx' : ''} ${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`).sort();
const datastores = (model: Model) => model.nodes.filter((n) => n.kind === 'datastore').map((n) => `${n.id} ${n.tech}`);

test('typeorm: DataSource repositories read and write the database its options name; transaction callbacks are transactional', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'shop', dependencies: { typeorm: '^0.3.20', express: '^4.19.0' } }),
    'src/data-source.ts': `import { DataSource } from 'typeorm';
import { Order } from './orders/order.entity';
export const AppDataSource = new DataSource({ type: 'mysql', url: process.env.DATABASE_URL, entities: [Order] });
`,
    'src/orders/order.entity.ts': `import { Entity, PrimaryGeneratedColumn, Column } from 'typeorm';
@Entity()
export class Order {
  @PrimaryGeneratedColumn() id!: number;
  @Column() status!: string;
}
`,
    'src/orders/orders.repository.ts': `import { AppDataSource } from '../data-source';
import { Order } from './order.entity';

const orders = AppDataSource.getRepository(Order);

export async function listOrders(status: string) {
  const statusColumn = orders.metadata.columns.find((c) => c.propertyName === 'status');
  const rows = await orders.find({ where: { status } });
  const total = await AppDataSource.getRepository(Order).count();
  return { rows, total, column: statusColumn?.databaseName };
}

export async function placeOrder(status: string) {
  const order = orders.create({ status });
  return orders.save(order);
}

export async function closeOrder(id: number) {
  await AppDataSource.transaction(async (manager) => {
    await manager.update(Order, { id }, { status: 'closed' });
    await manager.query('INSERT INTO order_events(order_id, kind) VALUES (?, ?)', [id, 'closed']);
  });
}
`,
    'src/app.ts': `import express from 'express';
import { closeOrder, listOrders, placeOrder } from './orders/orders.repository';
const app = express();
app.get('/orders', async (req, res) => res.json(await listOrders(String(req.query.status))));
app.post('/orders', async (req, res) => res.json(await placeOrder(req.body.status)));
app.post('/orders/:id/close', async (req, res) => res.json(await closeOrder(Number(req.params.id))));
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), ['datastore:mysql mysql']);
  assert.deepEqual(edgesTo(model, 'datastore:mysql'), [
    'component:orders -reads/sync-> datastore:mysql',
    'component:orders -writes/sync-> datastore:mysql',
    'component:orders -writes/sync-> datastore:mysql',
  ]);
  // create() builds an entity and metadata.columns.find is Array#find: neither is a query
  assert.deepEqual(evidence(model, 'datastore:mysql'), [
    'reads src/orders/orders.repository.ts:8 src/orders/orders.repository.ts:9',
    'writes src/orders/orders.repository.ts:15',
    'writes+tx src/orders/orders.repository.ts:20 src/orders/orders.repository.ts:21',
  ]);
  const reads = model.edges.find((e) => e.to === 'datastore:mysql' && e.kind === 'reads')!;
  assert.equal(reads.readOnly, true);
  assert.deepEqual(reads.entrypoints, ['entrypoint:GET /orders']);
});

test('typeorm: NestJS @InjectRepository and query builders, provider from TypeOrmModule.forRoot', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'billing', dependencies: { typeorm: '^0.3.20', '@nestjs/typeorm': '^10.0.2', '@nestjs/common': '^10.4.0' } }),
    'src/app.module.ts': `import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InvoicesModule } from './invoices/invoices.module';
@Module({
  imports: [TypeOrmModule.forRoot({ type: 'postgres', url: process.env.DATABASE_URL, autoLoadEntities: true }), InvoicesModule],
})
export class AppModule {}
`,
    'src/invoices/invoices.module.ts': `import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Invoice } from './invoice.entity';
import { InvoicesController } from './invoices.controller';
import { InvoicesService } from './invoices.service';
@Module({ imports: [TypeOrmModule.forFeature([Invoice])], controllers: [InvoicesController], providers: [InvoicesService] })
export class InvoicesModule {}
`,
    'src/invoices/invoice.entity.ts': `import { Entity, PrimaryGeneratedColumn, Column } from 'typeorm';
@Entity()
export class Invoice {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column() customerId!: string;
  @Column() paidAt?: Date;
}
`,
    'src/invoices/invoices.service.ts': `import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Invoice } from './invoice.entity';

@Injectable()
export class InvoicesService {
  constructor(@InjectRepository(Invoice) private readonly invoices: Repository<Invoice>) {}

  async unpaid(customerId: string) {
    return this.invoices.createQueryBuilder('i').where('i.customerId = :customerId', { customerId }).andWhere('i.paidAt IS NULL').getMany();
  }

  async markPaid(id: string) {
    await this.invoices.createQueryBuilder().update(Invoice).set({ paidAt: new Date() }).where('id = :id', { id }).execute();
  }
}
`,
    'src/invoices/invoices.controller.ts': `import { Controller, Get, Param, Post } from '@nestjs/common';
import { InvoicesService } from './invoices.service';

@Controller('invoices')
export class InvoicesController {
  constructor(private readonly service: InvoicesService) {}

  @Get(':customerId/unpaid')
  unpaid(@Param('customerId') customerId: string) {
    return this.service.unpaid(customerId);
  }

  @Post(':id/paid')
  markPaid(@Param('id') id: string) {
    return this.service.markPaid(id);
  }
}
`,
  });
  assert.deepEqual(datastores(model), ['datastore:postgres postgresql']);
  assert.deepEqual(evidence(model, 'datastore:postgres'), ['reads src/invoices/invoices.service.ts:11', 'writes src/invoices/invoices.service.ts:15']);
  assert.deepEqual(edgesTo(model, 'datastore:postgres'), ['component:invoices -reads/sync-> datastore:postgres', 'component:invoices -writes/sync-> datastore:postgres']);
});

test('typeorm: no datastore when the package is only listed, or a local method is named like a query (trap)', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'catalog', dependencies: { typeorm: '^0.3.20', express: '^4.19.0' } }),
    'src/catalog/catalog.store.ts': `export class CatalogStore {
  private readonly items = [{ id: 'sku-1', name: 'Lamp' }];
  find(id: string) {
    return this.items.find((i) => i.id === id);
  }
  async save(item: { id: string; name: string }) {
    this.items.push(item);
  }
}
export const store = new CatalogStore();
`,
    'src/app.ts': `import express from 'express';
import { store } from './catalog/catalog.store';
const app = express();
app.get('/items/:id', async (req, res) => res.json(store.find(req.params.id)));
app.post('/items', async (req, res) => res.json(await store.save(req.body)));
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), []);
  assert.deepEqual(model.edges.filter((e) => e.kind === 'reads' || e.kind === 'writes'), []);
});

/** A NestJS app whose TypeORM `type` comes from ConfigService: `registerAs('database', () => ({ type: process.env.DATABASE_TYPE }))`. */
function configuredApp(extra: Record<string, string>): Record<string, string> {
  return {
    'package.json': JSON.stringify({ name: 'accounts', dependencies: { typeorm: '^0.3.20', '@nestjs/typeorm': '^10.0.2', '@nestjs/common': '^10.4.0', '@nestjs/config': '^3.2.0' } }),
    'src/config/database.config.ts': `import { registerAs } from '@nestjs/config';
export default registerAs('database', () => ({ type: process.env.DATABASE_TYPE, url: process.env.DATABASE_URL }));
`,
    'src/database/typeorm-config.service.ts': `import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModuleOptions, TypeOrmOptionsFactory } from '@nestjs/typeorm';
@Injectable()
export class TypeOrmConfigService implements TypeOrmOptionsFactory {
  constructor(private readonly configService: ConfigService) {}
  createTypeOrmOptions(): TypeOrmModuleOptions {
    return { type: this.configService.get('database.type', { infer: true }), url: this.configService.get('database.url', { infer: true }), entities: [__dirname + '/../**/*.entity{.ts,.js}'] } as TypeOrmModuleOptions;
  }
}
`,
    'src/app.module.ts': `import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import databaseConfig from './config/database.config';
import { TypeOrmConfigService } from './database/typeorm-config.service';
import { UsersModule } from './users/users.module';
const database = TypeOrmModule.forRootAsync({ useClass: TypeOrmConfigService, dataSourceFactory: async (options: DataSourceOptions) => new DataSource(options).initialize() });
@Module({ imports: [ConfigModule.forRoot({ load: [databaseConfig] }), database, UsersModule] })
export class AppModule {}
`,
    'src/users/users.module.ts': `import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { User } from './user.entity';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';
@Module({ imports: [TypeOrmModule.forFeature([User])], controllers: [UsersController], providers: [UsersService] })
export class UsersModule {}
`,
    'src/users/user.entity.ts': `import { Entity, PrimaryGeneratedColumn, Column } from 'typeorm';
@Entity()
export class User {
  @PrimaryGeneratedColumn() id!: number;
  @Column() email!: string;
}
`,
    'src/users/users.service.ts': `import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { User } from './user.entity';
@Injectable()
export class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}
  byId(id: number) {
    return this.users.findOne({ where: { id } });
  }
}
`,
    'src/users/users.controller.ts': `import { Controller, Get, Param } from '@nestjs/common';
import { UsersService } from './users.service';
@Controller('users')
export class UsersController {
  constructor(private readonly service: UsersService) {}
  @Get(':id')
  byId(@Param('id') id: string) {
    return this.service.byId(Number(id));
  }
}
`,
    ...extra,
  };
}

const capacityStores = (model: Model) => (model.capacity as Capacity).datastores.map((d) => `${d.datastore} ${d.tech} ${d.clients.map((c) => c.id).join(' ')}`);
const nodeEvidence = (model: Model, id: string) => model.nodes.find((n) => n.id === id)?.evidence.map((e) => `${e.file}:${e.line}`);

test('typeorm: a type read through ConfigService names the engine its .env.example value gives, citing that line', async () => {
  const model = await scan(configuredApp({ '.env.example': 'DATABASE_URL=\nDATABASE_TYPE=postgres\n' }));
  assert.deepEqual(datastores(model), ['datastore:postgres postgresql']);
  assert.deepEqual(nodeEvidence(model, 'datastore:postgres'), ['.env.example:2', 'src/users/users.service.ts:9']);
  assert.deepEqual(capacityStores(model), ['datastore:postgres postgresql typeorm@src/app.module.ts:8']);
});

test('typeorm: an env-driven type with no value takes the one SQL server docker-compose declares (a mongo service does not count)', async () => {
  const compose = 'services:\n  mongo:\n    image: mongo:7\n  db:\n    image: postgres:16\n  api:\n    build: .\n';
  const model = await scan(configuredApp({ 'docker-compose.yml': compose }));
  assert.deepEqual(datastores(model), ['datastore:postgres postgresql']);
  assert.deepEqual(nodeEvidence(model, 'datastore:postgres'), ['docker-compose.yml:5', 'src/users/users.service.ts:9']);
  assert.deepEqual(capacityStores(model), ['datastore:postgres postgresql typeorm@src/app.module.ts:8']);
});

test('typeorm: an env-driven type with no value anywhere stays a generic sql datastore, in the model and in capacity (trap)', async () => {
  for (const extra of [{}, { 'docker-compose.yml': 'services:\n  pg:\n    image: postgres:16\n  my:\n    image: mysql:8\n' }]) {
    const model = await scan(configuredApp(extra));
    assert.deepEqual(datastores(model), ['datastore:sql sql']);
    assert.deepEqual(nodeEvidence(model, 'datastore:sql'), ['src/users/users.service.ts:9']);
    // capacity keeps the pool under the same generic datastore, and assumes no engine's defaults
    assert.deepEqual(capacityStores(model), ['datastore:sql sql typeorm@src/app.module.ts:8']);
    const d = (model.capacity as Capacity).datastores[0];
    assert.equal(d.server.maxConnections.source, 'unknown');
    assert.match(d.server.maxConnections.note, /which SQL engine datastore:sql runs is not in the code or config/);
    assert.equal(d.server.reservedConnections.value, undefined);
    assert.deepEqual(d.runtimes.map((r) => [r.statementTimeout.source, r.statementTimeout.value]), [['unknown', undefined]]);
  }
});
