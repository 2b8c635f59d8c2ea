import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model } from '../../model/types.js';
import { edgesTo, hits, scanModel } from '../../../test/helpers/fixture.js';
import nonAtomicWrites from '../../rules/tx/non-atomic-writes.js';

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

const NEST_DEPS = JSON.stringify({ name: 'users', dependencies: { mongoose: '^8.6.0', '@nestjs/mongoose': '^10.0.10', '@nestjs/common': '^10.4.0' } });
const USER_SCHEMA = `import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
@Schema()
export class UserSchemaClass {
  @Prop() email!: string;
  @Prop() name!: string;
  @Prop({ type: [Object] }) addresses!: { _id: string; city: string }[];
}
export const UserSchema = SchemaFactory.createForClass(UserSchemaClass);
`;
const writesEdge = (model: Model) => model.edges.find((e) => e.to === 'datastore:mongodb' && e.kind === 'writes');

test('mongoose: documents of an injected model (`new this.usersModel(doc)`, `await this.usersModel.findOne()`) write on save()/deleteOne(), through a DI-token repository', async () => {
  const model = await scan({
    'package.json': NEST_DEPS,
    'src/users/user.schema.ts': USER_SCHEMA,
    'src/users/user.repository.ts': `export abstract class UserRepository {
  abstract create(data: { email: string }): Promise<unknown>;
  abstract rename(id: string, name: string): Promise<unknown>;
  abstract update(id: string, payload: object): Promise<unknown>;
  abstract remove(id: string): Promise<void>;
}
`,
    'src/users/users.document-repository.ts': `import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { UserSchemaClass } from './user.schema';
import { UserRepository } from './user.repository';
import { UserMapper } from './user.mapper';

@Injectable()
export class UsersDocumentRepository implements UserRepository {
  constructor(@InjectModel(UserSchemaClass.name) private readonly usersModel: Model<UserSchemaClass>) {}
  async create(data: { email: string }) {
    const persistenceModel = UserMapper.toPersistence(data);
    const createdUser = new this.usersModel(persistenceModel);
    const userObject = await createdUser.save();
    return UserMapper.toDomain(userObject);
  }
  async rename(id: string, name: string) {
    const user = await this.usersModel.findOne({ _id: id });
    if (!user) return null;
    user.name = name;
    await user.save();
    return user.toObject();
  }
  async update(id: string, payload: object) {
    return this.usersModel.findOneAndUpdate({ _id: id }, payload, { new: true });
  }
  async remove(id: string) {
    const user = await this.usersModel.findById(id);
    await user?.deleteOne();
  }
}
`,
    'src/users/user.mapper.ts': `export class UserMapper {
  static toPersistence(data: { email: string }) { return { ...data }; }
  static toDomain(raw: unknown) { return raw; }
}
`,
    'src/users/users.controller.ts': `import { Body, Controller, Delete, Param, Patch, Post, Put } from '@nestjs/common';
import { UserRepository } from './user.repository';
@Controller('users')
export class UsersController {
  constructor(private readonly users: UserRepository) {}
  @Post()
  create(@Body() dto: { email: string }) { return this.users.create(dto); }
  @Patch(':id/name')
  rename(@Param('id') id: string, @Body() dto: { name: string }) { return this.users.rename(id, dto.name); }
  @Put(':id')
  update(@Param('id') id: string, @Body() dto: object) { return this.users.update(id, dto); }
  @Delete(':id')
  remove(@Param('id') id: string) { return this.users.remove(id); }
}
`,
    'src/users/users.module.ts': `import { Module } from '@nestjs/common';
import { UsersController } from './users.controller';
import { UserRepository } from './user.repository';
import { UsersDocumentRepository } from './users.document-repository';
@Module({ controllers: [UsersController], providers: [{ provide: UserRepository, useClass: UsersDocumentRepository }] })
export class UsersModule {}
`,
  });
  const f = 'src/users/users.document-repository.ts';
  assert.deepEqual(evidence(model, 'datastore:mongodb'), [`reads ro ${f}:18 ${f}:28`, `writes ${f}:14 ${f}:21 ${f}:25 ${f}:29`]);
  assert.deepEqual(writesEdge(model)?.entrypoints?.slice().sort(), ['entrypoint:DELETE /users/:id', 'entrypoint:PATCH /users/:id/name', 'entrypoint:POST /users', 'entrypoint:PUT /users/:id']);
});

test('mongoose: documents of mongoose.model()/model() models — `new User(doc).save()`, a findById result saved, insertMany/bulkWrite/updateOne/create — write', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'blog', dependencies: { mongoose: '^8.6.0', express: '^4.19.0' } }),
    'src/blog/models.ts': `import mongoose, { Schema, model } from 'mongoose';
export const User = mongoose.model('User', new Schema({ email: String }));
export const Post = model('Post', new Schema({ title: String, views: Number }));
`,
    'src/blog/blog.service.ts': `import { Post, User } from './models';

export async function register(email: string) {
  const user = new User({ email });
  await user.save();
}
export async function publish(title: string) {
  await new Post({ title }).save();
}
export async function retitle(id: string, title: string) {
  const post = await Post.findById(id);
  post.title = title;
  await post.save();
}
export async function importPosts(rows: { title: string }[]) {
  await Post.insertMany(rows);
  await Post.bulkWrite(rows.map((r) => ({ insertOne: { document: r } })));
  await Post.updateOne({ title: 'draft' }, { $set: { views: 0 } });
  return Post.create({ title: 'imported' });
}
`,
    'src/app.ts': `import express from 'express';
import { importPosts, publish, register, retitle } from './blog/blog.service';
const app = express();
app.post('/users', async (req, res) => res.json(await register(req.body.email)));
app.post('/posts', async (req, res) => res.json(await publish(req.body.title)));
app.put('/posts/:id', async (req, res) => res.json(await retitle(req.params.id, req.body.title)));
app.post('/posts/import', async (req, res) => res.json(await importPosts(req.body)));
app.listen(3000);
`,
  });
  const f = 'src/blog/blog.service.ts';
  assert.deepEqual(evidence(model, 'datastore:mongodb'), [`reads ro ${f}:11`, `writes ${f}:5 ${f}:8 ${f}:13 ${f}:16 ${f}:17 ${f}:18 ${f}:19`]);
});

test('mongoose: local document work (validate, toObject, set, a subdocument deleteOne, a found list, an unsaved new document) is no write (trap)', async () => {
  const model = await scan({
    'package.json': NEST_DEPS,
    'src/users/user.schema.ts': USER_SCHEMA,
    'src/users/users.service.ts': `import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { UserSchemaClass } from './user.schema';

@Injectable()
export class UsersService {
  constructor(@InjectModel(UserSchemaClass.name) private readonly usersModel: Model<UserSchemaClass>) {}
  async preview(dto: { email: string }) {
    const draft = new this.usersModel(dto);
    await draft.validate();
    draft.set('name', 'preview');
    return draft.toObject();
  }
  async dropAddress(id: string, addressId: string) {
    const user = await this.usersModel.findById(id);
    user.addresses.id(addressId).deleteOne();
    return user.toJSON();
  }
  async names() {
    const users = await this.usersModel.find();
    return users.map((u) => u.name);
  }
}
`,
    'src/users/users.controller.ts': `import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { UsersService } from './users.service';
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}
  @Post('preview')
  preview(@Body() dto: { email: string }) { return this.users.preview(dto); }
  @Post(':id/addresses/:addressId/drop')
  drop(@Param('id') id: string, @Param('addressId') a: string) { return this.users.dropAddress(id, a); }
  @Get('names')
  names() { return this.users.names(); }
}
`,
  });
  const f = 'src/users/users.service.ts';
  assert.deepEqual(evidence(model, 'datastore:mongodb'), [`reads ro ${f}:16 ${f}:21`]);
});

test('mongoose: save() on a TypeORM repository or entity, a project form class and a @google-cloud/storage file is not a mongodb write; the model beside them still reads (trap)', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'mixed', dependencies: { mongoose: '^8.6.0', '@nestjs/mongoose': '^10.0.10', typeorm: '^0.3.20', '@nestjs/typeorm': '^10.0.2', '@nestjs/common': '^10.4.0', '@google-cloud/storage': '^7.12.0' } }),
    'src/files/files.service.ts': `import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { InjectRepository } from '@nestjs/typeorm';
import { Model } from 'mongoose';
import { Repository } from 'typeorm';
import { Storage } from '@google-cloud/storage';
import { Audit } from './audit.schema';
import { FileEntity } from './file.entity';
import { UploadForm } from './upload.form';

const storage = new Storage();

@Injectable()
export class FilesService {
  constructor(
    @InjectRepository(FileEntity) private readonly files: Repository<FileEntity>,
    @InjectModel(Audit.name) private readonly audits: Model<Audit>,
  ) {}
  async upload(name: string, body: Buffer) {
    const form = new UploadForm(name);
    form.save();
    const bucket = storage.bucket('uploads');
    const file = bucket.file(name);
    await file.save(body);
    const entity = this.files.create({ name });
    await entity.save();
    await this.files.save(entity);
    return this.audits.find({ name });
  }
}
`,
    'src/files/audit.schema.ts': `import { Prop, Schema } from '@nestjs/mongoose';
@Schema()
export class Audit { @Prop() name!: string; }
`,
    'src/files/file.entity.ts': `import { BaseEntity, Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
@Entity()
export class FileEntity extends BaseEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
}
`,
    'src/files/upload.form.ts': `export class UploadForm {
  saved = false;
  constructor(readonly name: string) {}
  save() { this.saved = true; }
}
`,
    'src/files/files.controller.ts': `import { Body, Controller, Post } from '@nestjs/common';
import { FilesService } from './files.service';
@Controller('files')
export class FilesController {
  constructor(private readonly files: FilesService) {}
  @Post()
  upload(@Body() dto: { name: string; body: string }) { return this.files.upload(dto.name, Buffer.from(dto.body)); }
}
`,
  });
  assert.deepEqual(evidence(model, 'datastore:mongodb'), ['reads ro src/files/files.service.ts:28']);
});

test('mongoose: tx/non-atomic-writes sees a new document saved beside another write; one found document saved alone is one write (trap)', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'shop', dependencies: { mongoose: '^8.6.0', '@nestjs/mongoose': '^10.0.10', '@nestjs/common': '^10.4.0' } }),
    'src/orders/orders.service.ts': `import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { Order, Stock } from './schemas';

@Injectable()
export class OrdersService {
  constructor(@InjectModel(Order.name) private readonly orders: Model<Order>, @InjectModel(Stock.name) private readonly stock: Model<Stock>) {}
  async place(dto: { sku: string }) {
    const order = new this.orders(dto);
    await order.save();
    await this.stock.updateOne({ sku: dto.sku }, { $inc: { count: -1 } });
    return order;
  }
  async rename(id: string, note: string) {
    const order = await this.orders.findById(id);
    order.note = note;
    await order.save();
    return order;
  }
}
`,
    'src/orders/schemas.ts': `import { Prop, Schema } from '@nestjs/mongoose';
@Schema()
export class Order { @Prop() sku!: string; @Prop() note?: string; }
@Schema()
export class Stock { @Prop() sku!: string; @Prop() count!: number; }
`,
    'src/orders/orders.controller.ts': `import { Body, Controller, Param, Patch, Post } from '@nestjs/common';
import { OrdersService } from './orders.service';
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}
  @Post()
  place(@Body() dto: { sku: string }) { return this.orders.place(dto); }
  @Patch(':id')
  rename(@Param('id') id: string, @Body() dto: { note: string }) { return this.orders.rename(id, dto.note); }
}
`,
  }, { rules: [nonAtomicWrites] });
  assert.deepEqual(hits(model, 'tx/non-atomic-writes'), ['src/orders/orders.service.ts:9']);
  assert.deepEqual(model.findings.find((f) => f.rule === 'tx/non-atomic-writes')!.locations.slice(1).map((l) => l.line), [11, 12]);
});

test('mongoose: an injected plugin model type (PaginateModel<T> from mongoose-paginate-v2) is a model; a collection name from an enum names it', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'hotels', dependencies: { mongoose: '^8.6.0', '@nestjs/mongoose': '^10.0.10', '@nestjs/common': '^10.4.0', 'mongoose-paginate-v2': '^1.8.0' } }),
    'src/collections.ts': `export enum COLLECTIONS {
  hotels = 'hotels',
  rooms = 'rooms',
}
`,
    'src/hotels.service.ts': `import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { PaginateModel } from 'mongoose';
import { COLLECTIONS } from './collections';

@Injectable()
export class HotelsService {
  constructor(@InjectModel(COLLECTIONS.hotels) private readonly hotels: PaginateModel<any>) {}

  list(page: number) {
    return this.hotels.paginate({}, { page, limit: 20 });
  }

  rename(id: string, name: string) {
    return this.hotels.updateOne({ _id: id }, { name });
  }
}
`,
    'src/hotels.controller.ts': `import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import { HotelsService } from './hotels.service';
@Controller('hotels')
export class HotelsController {
  constructor(private readonly hotels: HotelsService) {}
  @Get()
  list(@Query('page') page: string) {
    return this.hotels.list(Number(page));
  }
  @Patch(':id')
  rename(@Param('id') id: string, @Body('name') name: string) {
    return this.hotels.rename(id, name);
  }
}
`,
  });
  assert.deepEqual(datastores(model), ['datastore:mongodb mongodb']);
  assert.deepEqual(evidence(model, 'datastore:mongodb').filter((e) => e.endsWith(':15')), ['writes src/hotels.service.ts:15']);
});
