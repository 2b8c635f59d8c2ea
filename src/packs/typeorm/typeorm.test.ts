import { test } from 'node:test';
import assert from 'node:assert/strict';
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
