import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model } from '../../model/types.js';
import { edgesTo, scanModel } from '../../../test/helpers/fixture.js';

const scan = (files: Record<string, string>) => scanModel(files, { rules: [] });
const evidence = (model: Model, to: string) => model.edges.filter((e) => e.to === to).map((e) => `${e.kind}${e.guards.transaction ? '+tx' : ''}${e.readOnly ? ' ro' : ''} ${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`).sort();
const datastores = (model: Model) => model.nodes.filter((n) => n.kind === 'datastore').map((n) => `${n.id} ${n.tech}`);

test('sequelize: define() models read and write the dialect of new Sequelize(...); build() and associations are local', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'blog', dependencies: { sequelize: '^6.37.0', pg: '^8.12.0', express: '^4.19.0' } }),
    'src/db.ts': `import { Sequelize, DataTypes } from 'sequelize';
export const sequelize = new Sequelize(process.env.DATABASE_URL!, { dialect: 'postgres', pool: { max: 10 } });
export const Author = sequelize.define('Author', { name: DataTypes.STRING });
export const Post = sequelize.define('Post', { title: DataTypes.STRING, body: DataTypes.TEXT });
Author.hasMany(Post);
`,
    'src/posts/posts.service.ts': `import { QueryTypes } from 'sequelize';
import { Post, sequelize } from '../db';

export async function listPosts() {
  const draft = Post.build({ title: 'untitled' });
  const posts = await Post.findAll({ limit: 20 });
  const [stats] = await sequelize.query('SELECT count(*) AS n FROM "Posts"', { type: QueryTypes.SELECT });
  return { posts, stats, draft: draft.get('title') };
}

export async function publish(title: string, body: string) {
  return sequelize.transaction(async (transaction) => {
    const post = await Post.create({ title, body }, { transaction });
    await Post.update({ body: body.trim() }, { where: { id: post.get('id') }, transaction });
    return post;
  });
}
`,
    'src/app.ts': `import express from 'express';
import { listPosts, publish } from './posts/posts.service';
const app = express();
app.get('/posts', async (_req, res) => res.json(await listPosts()));
app.post('/posts', async (req, res) => res.json(await publish(req.body.title, req.body.body)));
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), ['datastore:postgres postgresql']);
  assert.deepEqual(evidence(model, 'datastore:postgres'), ['reads ro src/posts/posts.service.ts:6 src/posts/posts.service.ts:7', 'writes+tx src/posts/posts.service.ts:13 src/posts/posts.service.ts:14']);
  assert.deepEqual(edgesTo(model, 'datastore:postgres'), ['component:posts -reads/sync-> datastore:postgres', 'component:posts -writes/sync-> datastore:postgres']);
});

test('sequelize: the dialect of a connection URL read from the environment comes from .env.example', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'crm', dependencies: { sequelize: '^6.37.0', mysql2: '^3.11.0', express: '^4.19.0' } }),
    '.env.example': 'DATABASE_URL=mysql://crm:crm@localhost:3306/crm\n',
    'src/db.ts': `import { Sequelize, DataTypes } from 'sequelize';
export const sequelize = new Sequelize(process.env.DATABASE_URL!);
export const Lead = sequelize.define('Lead', { email: DataTypes.STRING });
`,
    'src/leads/leads.service.ts': `import { Lead } from '../db';
export async function removeLead(id: number) {
  await Lead.destroy({ where: { id } });
}
`,
    'src/app.ts': `import express from 'express';
import { removeLead } from './leads/leads.service';
const app = express();
app.delete('/leads/:id', async (req, res) => res.json(await removeLead(Number(req.params.id))));
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), ['datastore:mysql mysql']);
  assert.deepEqual(evidence(model, 'datastore:mysql'), ['writes src/leads/leads.service.ts:3']);
});

test('sequelize: nothing when sequelize is only listed and a local repository has findAll/create (trap)', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'notes', dependencies: { sequelize: '^6.37.0', express: '^4.19.0' } }),
    'src/notes/notes.store.ts': `const rows: { id: number; text: string }[] = [];
export const Note = {
  async findAll() {
    return rows;
  },
  async create(text: string) {
    rows.push({ id: rows.length + 1, text });
  },
};
`,
    'src/app.ts': `import express from 'express';
import { Note } from './notes/notes.store';
const app = express();
app.get('/notes', async (_req, res) => res.json(await Note.findAll()));
app.post('/notes', async (req, res) => res.json(await Note.create(req.body.text)));
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), []);
});

test('sequelize: static calls on a model class (class X extends Model, through a project base class) read and write the database', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'wiki', dependencies: { 'sequelize-typescript': '^2.1.6', sequelize: '^6.37.0', express: '^4.19.0' } }),
    'src/db.ts': `import { Sequelize } from 'sequelize-typescript';
export const sequelize = new Sequelize(process.env.DATABASE_URL!, { dialect: 'postgres', pool: { max: 10 } });
`,
    'src/models/base/IdModel.ts': `import { Model } from 'sequelize-typescript';
class IdModel<A = object, C = A> extends Model<A, C> {
  static describeSelf(): string {
    return 'id model';
  }
}
export default IdModel;
`,
    'src/models/Document.ts': `import { Table } from 'sequelize-typescript';
import IdModel from './base/IdModel';
@Table({ tableName: 'documents' })
class Document extends IdModel {}
export default Document;
`,
    'src/documents/documents.service.ts': `import Document from '../models/Document';
export async function listDocuments() {
  Document.describeSelf();
  return Document.findAll({ limit: 25 });
}
export async function removeDocument(id: string) {
  await Document.destroy({ where: { id } });
}
`,
    'src/app.ts': `import express from 'express';
import { listDocuments, removeDocument } from './documents/documents.service';
const app = express();
app.get('/documents', async (_req, res) => res.json(await listDocuments()));
app.delete('/documents/:id', async (req, res) => res.json(await removeDocument(req.params.id)));
app.listen(3000);
`,
  });
  assert.deepEqual(datastores(model), ['datastore:postgres postgresql']);
  assert.deepEqual(evidence(model, 'datastore:postgres'), ['reads ro src/documents/documents.service.ts:4', 'writes src/documents/documents.service.ts:7']);
});

test('sequelize: a model’s static override of a finder (overload signatures first) runs its body — `this.scope(...)` there is the model, also through a ternary; a static helper that touches nothing reaches nothing (trap)', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'wiki', dependencies: { 'sequelize-typescript': '^2.1.6', sequelize: '^6.37.0', pg: '^8.12.0', koa: '^2', '@koa/router': '^12' } }),
    'server/storage/database.ts': `import { Sequelize } from 'sequelize-typescript';
export const sequelize = new Sequelize(process.env.DATABASE_URL!, { dialect: 'postgres' });
`,
    'server/models/FileOperation.ts': `import { Column, Model, Table } from 'sequelize-typescript';
import type { FindOptions, Identifier, NonNullFindOptions } from 'sequelize';
@Table({ tableName: 'file_operations' })
export class FileOperation extends Model {
  @Column
  state: string;

  static async findByPk(id: Identifier, options?: NonNullFindOptions<FileOperation>): Promise<FileOperation>;
  static async findByPk(id: Identifier, options?: FindOptions<FileOperation>): Promise<FileOperation | null>;
  static async findByPk(id: Identifier, options: FindOptions<FileOperation> & { userId?: string } = {}): Promise<FileOperation | null> {
    const { userId, ...rest } = options;
    const scope = userId ? this.scope({ method: ['withSource', userId] }) : this;
    return scope.findOne({ ...rest, where: { id } });
  }

  static label(state: string) {
    return state.toUpperCase();
  }
}
`,
    'server/models/Document.ts': `import { Column, Model, Table } from 'sequelize-typescript';
@Table({ tableName: 'documents' })
export class Document extends Model {
  @Column
  title: string;

  static async findByPk(id: string) {
    const scope = this.scope('withDrafts');
    return scope.findOne({ where: { id } });
  }
}
`,
    'server/routes.ts': `import Koa from 'koa';
import Router from '@koa/router';
import { Document } from './models/Document';
import { FileOperation } from './models/FileOperation';
const app = new Koa();
const router = new Router();
router.post('/api/fileOperations.info', async (ctx) => {
  ctx.body = await FileOperation.findByPk(ctx.request.body.id, { userId: ctx.state.user.id });
});
router.post('/api/documents.info', async (ctx) => {
  ctx.body = await Document.findByPk(ctx.request.body.id);
});
router.get('/api/fileOperations.label', (ctx) => {
  ctx.body = FileOperation.label('done');
});
app.use(router.routes());
app.listen(3000);
`,
  });
  const reach = [...new Set(model.edges.filter((e) => e.to === 'datastore:postgres').flatMap((e) => e.entrypoints ?? []))].sort();
  assert.deepEqual(reach, ['entrypoint:POST /api/documents.info', 'entrypoint:POST /api/fileOperations.info']);
});
