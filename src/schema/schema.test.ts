import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { scanTree } from '../../test/helpers/fixture.js';
import { ensureSqlParser, loadSchema, type Schema } from './index.js';
import { splitStatements } from './sql.js';

before(async () => {
  assert.equal(await ensureSqlParser(), true);
});

async function schemaOf(files: Record<string, string>): Promise<Schema> {
  const { scan } = await scanTree({ 'package.json': '{"name":"svc"}', 'src/index.ts': 'export const ok = true;\n', ...files }, { rules: [] });
  return loadSchema(scan.configs, scan.facts);
}

test('schema: Prisma models, @@id/@@unique/@@index, @map/@@map, relation fields are not columns', async () => {
  const s = await schemaOf({
    'prisma/schema.prisma': `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Question {
  id    String        @id @default(uuid())
  title String
  tags  QuestionTag[]
}

model QuestionTag {
  questionId String   @map("question_id")
  tagId      String   @map("tag_id")
  assignedAt DateTime @default(now()) @map("assigned_at")
  question   Question @relation(fields: [questionId], references: [id])

  @@id([questionId, tagId])
  @@index([assignedAt(sort: Desc)])
  @@map("question_tags")
}

model User {
  id         String @id
  externalId String @unique
  orgId      String
  email      String

  @@unique([orgId, email], name: "org_email")
}
`,
  });
  const qt = s.table('questionTag')!;
  assert.equal(qt.name, 'question_tags');
  assert.equal(s.table('question_tags'), qt);
  assert.deepEqual(qt.columns.map((c) => c.name), ['question_id', 'tag_id', 'assigned_at']);
  assert.equal(s.indexLeadingWith('QuestionTag', 'tagId'), undefined);
  assert.deepEqual(s.indexLeadingWith('QuestionTag', 'questionId')?.columns, ['question_id', 'tag_id']);
  assert.deepEqual(s.indexLeadingWith('QuestionTag', 'assignedAt')?.evidence, { file: 'prisma/schema.prisma', line: 19 });
  assert.equal(s.hasUnique('User', 'externalId'), true);
  assert.equal(s.hasUnique('User', 'email'), false);
  assert.equal(s.hasUnique('User', ['orgId', 'email', 'id']), true);
  assert.equal(s.hasUnique('user', ['orgId', 'email']), true);
  assert.equal(s.column('Question', 'tags'), undefined);
  assert.deepEqual(s.datasources.map((d) => [d.provider, d.url?.env]), [['postgresql', 'DATABASE_URL']]);
});

test('schema: SQL migrations through the PostgreSQL parser — tables, keys, unique and partial indexes, drops', async () => {
  const s = await schemaOf({
    'db/migrations/001_init.sql': `-- initial schema
CREATE TABLE questions (
  id uuid PRIMARY KEY,
  title text NOT NULL
);

CREATE TABLE question_tags (
  question_id uuid NOT NULL REFERENCES questions(id),
  tag_id uuid NOT NULL,
  CONSTRAINT question_tags_pkey PRIMARY KEY (question_id, tag_id)
);

CREATE TABLE flashcards (
  id bigserial PRIMARY KEY,
  owner_id uuid NOT NULL,
  slug text UNIQUE,
  validation_status text,
  deleted_at timestamptz
);
CREATE INDEX flashcards_live_owner ON flashcards (owner_id) WHERE deleted_at IS NULL;
CREATE INDEX flashcards_tmp ON flashcards (validation_status);
`,
    'db/migrations/002_tags.sql': `CREATE INDEX CONCURRENTLY question_tags_tag_id_idx ON public.question_tags USING btree (tag_id, question_id);
ALTER TABLE ONLY flashcards ADD CONSTRAINT flashcards_owner_slug_key UNIQUE (owner_id, slug);
DROP INDEX IF EXISTS flashcards_tmp;
ALTER ROLE app_user SET statement_timeout = '5s';
`,
  });
  assert.deepEqual(s.indexLeadingWith('question_tags', 'tag_id')?.evidence, { file: 'db/migrations/002_tags.sql', line: 1 });
  assert.equal(s.indexLeadingWith('question_tags', 'question_id')?.kind, 'primary');
  assert.equal(s.indexLeadingWith('flashcards', 'owner_id')?.kind, 'unique');
  assert.equal(s.table('flashcards')!.indexes.some((i) => i.partial && i.columns[0] === 'owner_id'), true);
  assert.equal(s.indexLeadingWith('flashcards', 'validation_status'), undefined);
  assert.equal(s.hasUnique('flashcards', 'slug'), true);
  assert.equal(s.hasUnique('flashcards', 'owner_id'), false);
  assert.deepEqual(s.table('question_tags')!.evidence, [{ file: 'db/migrations/001_init.sql', line: 7 }, { file: 'db/migrations/002_tags.sql', line: 1 }]);
  assert.deepEqual(s.statementTimeouts.map((t) => [t.scope, t.target, t.value, t.evidence.line]), [['role', 'app_user', '5s', 4]]);
});

test('schema: a script the parser rejects is read statement by statement; what still fails is a diagnostic', async () => {
  const s = await schemaOf({
    'db/schema.sql': `\\connect orders
CREATE TABLE orders (id uuid PRIMARY KEY, code text NOT NULL);
CREATE TABLE broken (id uuid PRIMARY KEY,, code text);
CREATE UNIQUE INDEX orders_code_key ON orders (code);
`,
  });
  assert.equal(s.hasUnique('orders', 'code'), true);
  assert.equal(s.table('broken'), undefined);
  assert.deepEqual(s.diagnostics.map((d) => [d.file, d.code]), [['db/schema.sql', 'sql-parse']]);
});

test('schema: literal SQL in TypeScript migrations (facts.sqlStrings) counts too; their down() drops do not', async () => {
  const s = await schemaOf({
    'src/migrations/1717000000000-AddTagIndex.ts': `import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddTagIndex1717000000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(\`CREATE TABLE "question_tags" ("question_id" uuid NOT NULL, "tag_id" uuid NOT NULL, PRIMARY KEY ("question_id", "tag_id"))\`);
    await queryRunner.query('CREATE INDEX "IDX_question_tags_tag" ON "question_tags" ("tag_id")');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "IDX_question_tags_tag"');
    await queryRunner.query('DROP TABLE "question_tags"');
  }
}
`,
  });
  assert.deepEqual(s.indexLeadingWith('question_tags', 'tag_id')?.evidence, { file: 'src/migrations/1717000000000-AddTagIndex.ts', line: 6 });
});

test('schema: splitStatements keeps dollar-quoted bodies and quoted semicolons whole', () => {
  const parts = splitStatements(`CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql;
INSERT INTO notes VALUES ('a;b');
SELECT 1`).map((p) => p.text.trim());
  assert.equal(parts.length, 3);
  assert.match(parts[0], /END; \$\$ LANGUAGE plpgsql$/);
  assert.equal(parts[1], "INSERT INTO notes VALUES ('a;b')");
});
