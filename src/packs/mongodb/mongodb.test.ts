import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model } from '../../model/types.js';
import { edgesTo, scanModel } from '../../../test/helpers/fixture.js';

const scan = (files: Record<string, string>) => scanModel(files, { rules: [] });
const evidence = (model: Model, to: string) => model.edges.filter((e) => e.to === to).map((e) => `${e.kind}${e.readOnly ? ' ro' : ''} ${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`).sort();
const datastores = (model: Model) => model.nodes.filter((n) => n.kind === 'datastore').map((n) => `${n.id} ${n.tech}`);

test('mongodb: MongoClient → db() → collection() calls read and write datastore:mongodb', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'carts', dependencies: { mongodb: '^6.8.0', express: '^4.19.0' } }),
    'src/db.ts': `import { MongoClient } from 'mongodb';
export const client = new MongoClient(process.env.MONGO_URL!, { maxPoolSize: 20 });
export const db = client.db('shop');
export const carts = db.collection('carts');
`,
    'src/carts/carts.repository.ts': `import { ObjectId } from 'mongodb';
import { carts, client } from '../db';

export async function cartOf(userId: string) {
  const cart = await carts.findOne({ userId });
  const recent = await client.db('shop').collection('orders').find({ userId }).limit(5).toArray();
  return { cart, recent };
}

export async function addItem(userId: string, sku: string) {
  const id = new ObjectId();
  await carts.updateOne({ userId }, { $push: { items: { id, sku } } }, { upsert: true });
}
`,
    'src/app.ts': `import express from 'express';
import { addItem, cartOf } from './carts/carts.repository';
const app = express();
app.get('/carts/:userId', async (req, res) => res.json(await cartOf(req.params.userId)));
app.post('/carts/:userId/items', async (req, res) => res.json(await addItem(req.params.userId, req.body.sku)));
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), ['datastore:mongodb mongodb']);
  assert.deepEqual(evidence(model, 'datastore:mongodb'), ['reads ro src/carts/carts.repository.ts:5 src/carts/carts.repository.ts:6', 'writes src/carts/carts.repository.ts:12']);
  assert.deepEqual(edgesTo(model, 'datastore:mongodb'), ['component:carts -reads/sync-> datastore:mongodb', 'component:carts -writes/sync-> datastore:mongodb']);
});

test('mongodb: handles and value types are not queries; a listed but unused driver adds nothing (trap)', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'wishlists', dependencies: { mongodb: '^6.8.0', express: '^4.19.0' } }),
    'src/db.ts': `import { MongoClient, ObjectId } from 'mongodb';
const client = new MongoClient(process.env.MONGO_URL!);
export function wishlists() {
  return client.db('shop').collection('wishlists');
}
export const newId = () => new ObjectId().toHexString();
`,
    'src/wishlists/memory.ts': `const items = [{ id: 'w1', sku: 'lamp' }];
export const collection = { find: (id: string) => items.filter((i) => i.id === id) };
`,
    'src/wishlists/wishlists.service.ts': `import { newId, wishlists } from '../db';
import { collection } from './memory';
export async function prepare(id: string) {
  const handle = wishlists();
  return { id: newId(), handle: handle.collectionName, cached: collection.find(id) };
}
`,
    'src/app.ts': `import express from 'express';
import { prepare } from './wishlists/wishlists.service';
const app = express();
app.get('/wishlists/:id', async (req, res) => res.json(await prepare(req.params.id)));
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), []);
});

test('mongodb: a collection handle kept in a class member (`private users = this.db.collection(\'users\')`) reads and writes; a document a query returned is data (trap)', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'accounts', dependencies: { mongodb: '^6.8.0', '@nestjs/common': '^10.4.0', '@nestjs/core': '^10.4.0' } }),
    'src/users.repository.ts': `import { Inject, Injectable } from '@nestjs/common';
import { Db } from 'mongodb';

@Injectable()
export class UsersRepository {
  constructor(@Inject('DatabaseClient') private readonly db: Db) {}
  private readonly users = this.db.collection('users');

  async findByEmail(email: string) {
    const user = await this.users.findOne({ email });
    return user?.toString();
  }

  createUser(doc: { email: string }) {
    return this.users.insertOne(doc);
  }
}
`,
    'src/users.controller.ts': `import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { UsersRepository } from './users.repository';
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersRepository) {}
  @Get(':email')
  find(@Param('email') email: string) {
    return this.users.findByEmail(email);
  }
  @Post()
  create(@Body() body: { email: string }) {
    return this.users.createUser(body);
  }
}
`,
  });
  assert.deepEqual(datastores(model), ['datastore:mongodb mongodb']);
  assert.deepEqual(evidence(model, 'datastore:mongodb'), ['reads ro src/users.repository.ts:10', 'writes src/users.repository.ts:15']);
});
