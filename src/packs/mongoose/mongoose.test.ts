import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model } from '../../model/types.js';
import { edgesTo, scanModel } from '../../../test/helpers/fixture.js';

const scan = (files: Record<string, string>) => scanModel(files, { rules: [] });
const evidence = (model: Model, to: string) => model.edges.filter((e) => e.to === to).map((e) => `${e.kind}${e.readOnly ? ' ro' : ''} ${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`).sort();
const datastores = (model: Model) => model.nodes.filter((n) => n.kind === 'datastore').map((n) => `${n.id} ${n.tech}`);

test('mongoose: models from mongoose.model() read and write datastore:mongodb; schemas and new documents are local', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'orders', dependencies: { mongoose: '^8.6.0', express: '^4.19.0' } }),
    'src/orders/order.model.ts': `import mongoose, { Schema } from 'mongoose';
const orderSchema = new Schema({ customerId: String, status: { type: String, default: 'open' }, total: Number });
orderSchema.index({ customerId: 1 });
export const Order = mongoose.model('Order', orderSchema);
`,
    'src/orders/orders.service.ts': `import { Order } from './order.model';

export async function openOrders(customerId: string) {
  return Order.find({ customerId, status: 'open' }).sort({ createdAt: -1 }).lean();
}

export async function placeOrder(customerId: string, total: number) {
  const draft = new Order({ customerId, total });
  await draft.validate();
  return Order.create({ customerId, total });
}

export async function cancelOrder(id: string) {
  return Order.findByIdAndUpdate(id, { status: 'cancelled' }, { new: true });
}
`,
    'src/app.ts': `import express from 'express';
import { cancelOrder, openOrders, placeOrder } from './orders/orders.service';
const app = express();
app.get('/customers/:id/orders', async (req, res) => res.json(await openOrders(req.params.id)));
app.post('/orders', async (req, res) => res.json(await placeOrder(req.body.customerId, req.body.total)));
app.post('/orders/:id/cancel', async (req, res) => res.json(await cancelOrder(req.params.id)));
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), ['datastore:mongodb mongodb']);
  assert.deepEqual(evidence(model, 'datastore:mongodb'), ['reads ro src/orders/orders.service.ts:4', 'writes src/orders/orders.service.ts:10 src/orders/orders.service.ts:14']);
  assert.deepEqual(edgesTo(model, 'datastore:mongodb'), ['component:orders -reads/sync-> datastore:mongodb', 'component:orders -writes/sync-> datastore:mongodb']);
});

test('mongoose: NestJS @InjectModel(Model<T>) is a model', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'pets', dependencies: { mongoose: '^8.6.0', '@nestjs/mongoose': '^10.0.10', '@nestjs/common': '^10.4.0' } }),
    'src/cats/cats.service.ts': `import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { Cat, CatDocument } from './cat.schema';

@Injectable()
export class CatsService {
  constructor(@InjectModel(Cat.name) private readonly cats: Model<CatDocument>) {}

  findAll() {
    return this.cats.find().exec();
  }

  adopt(id: string, ownerId: string) {
    return this.cats.updateOne({ _id: id }, { ownerId }).exec();
  }
}
`,
    'src/cats/cat.schema.ts': `import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument } from 'mongoose';
export type CatDocument = HydratedDocument<Cat>;
@Schema()
export class Cat {
  @Prop() name!: string;
  @Prop() ownerId?: string;
}
export const CatSchema = SchemaFactory.createForClass(Cat);
`,
    'src/cats/cats.controller.ts': `import { Controller, Get, Param, Post } from '@nestjs/common';
import { CatsService } from './cats.service';
@Controller('cats')
export class CatsController {
  constructor(private readonly cats: CatsService) {}
  @Get()
  list() {
    return this.cats.findAll();
  }
  @Post(':id/adopt/:ownerId')
  adopt(@Param('id') id: string, @Param('ownerId') ownerId: string) {
    return this.cats.adopt(id, ownerId);
  }
}
`,
  });
  assert.deepEqual(evidence(model, 'datastore:mongodb'), ['reads ro src/cats/cats.service.ts:11', 'writes src/cats/cats.service.ts:15']);
});

test('mongoose: nothing when mongoose is only listed and a local collection has find/create (trap)', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'tags', dependencies: { mongoose: '^8.6.0', express: '^4.19.0' } }),
    'src/tags/tags.store.ts': `const all = [{ slug: 'news' }];
export const Tag = {
  find: async (slug: string) => all.filter((t) => t.slug === slug),
  create: async (slug: string) => all.push({ slug }),
};
`,
    'src/app.ts': `import express from 'express';
import { Tag } from './tags/tags.store';
const app = express();
app.get('/tags/:slug', async (req, res) => res.json(await Tag.find(req.params.slug)));
app.post('/tags', async (req, res) => res.json(await Tag.create(req.body.slug)));
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), []);
});
