import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import missingIndex from './missing-index.js';

const RULE = 'db/missing-index';
const rules = [missingIndex];

const schema = (questionTagBlock: string) => `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Question {
  id        String        @id @default(uuid())
  title     String
  status    String
  createdAt DateTime      @default(now())
  tags      QuestionTag[]
}

model QuestionTag {
  questionId String
  tagId      String
  assignedAt DateTime @default(now())
  question   Question @relation(fields: [questionId], references: [id])

${questionTagBlock}
}
`;

const prisma = `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`;

const service = (body: string) => `import { prisma } from './prisma';

export const questions = {
${body}
};
`;

const routes = (handlers: string[]) => `import express from 'express';
import { questions } from './questions.service';

const app = express();
${handlers.map((h, i) => `app.get('/q${i}', async (req, res) => res.json(await questions.${h}(String(req.query.id))));`).join('\n')}
export default app;
`;

const repo = (block: string, body: string, handlers: string[], extra: Record<string, string> = {}) => ({
  'package.json': JSON.stringify({ name: 'qbank', dependencies: { '@prisma/client': '^5.14.0', express: '^4.19.0' } }),
  'prisma/schema.prisma': schema(block),
  'src/prisma.ts': prisma,
  'src/questions.service.ts': service(body),
  'src/app.ts': routes(handlers),
  ...extra,
});

const byTag = `  async byTag(tagId: string) {
    return prisma.questionTag.findMany({
      where: { tagId },
      orderBy: { assignedAt: 'desc' },
      take: 20,
    });
  },`;

test(`${RULE}: fires on seed 001's question_tags(tag_id) — a composite key that leads with question_id`, async () => {
  const model = await scanModel(repo('  @@id([questionId, tagId])', byTag, ['byTag']), { rules });
  assert.deepEqual(hits(model, RULE), ['src/questions.service.ts:5']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.deepEqual(f.locations.map((l) => `${l.file}:${l.line}`), ['src/questions.service.ts:5', 'prisma/schema.prisma:20']);
  assert.equal(f.locations[0].endLine, 9);
  assert.match(f.impact, /primary key \(questionId, tagId\) leads with questionId/);
  assert.match(f.impact, /GET \/q0/);
  assert.match(f.recommendation, /@@index\(\[tagId, assignedAt\]\)/);
});

test(`${RULE}: fires when neither schema.prisma nor the SQL migrations index the filtered column`, async () => {
  const model = await scanModel(repo('  @@id([questionId, tagId])', `  async open(_: string) {
    return prisma.question.count({ where: { status: 'open' } });
  },`, ['open'], {
    'prisma/migrations/20240101000000_init/migration.sql': `CREATE TABLE "Question" ("id" TEXT NOT NULL, "title" TEXT NOT NULL, "status" TEXT NOT NULL, "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, CONSTRAINT "Question_pkey" PRIMARY KEY ("id"));
CREATE INDEX "Question_createdAt_idx" ON "Question"("createdAt");
`,
  }), { rules });
  assert.deepEqual(hits(model, RULE), ['src/questions.service.ts:5']);
  assert.match(model.findings[0].title, /question\.count filters Question by status/);
});

test(`${RULE}: fires on a full-table sort by a column no index leads with`, async () => {
  const model = await scanModel(repo('  @@id([questionId, tagId])', `  async latest(_: string) {
    return prisma.question.findMany({ orderBy: { createdAt: 'desc' }, take: 50 });
  },`, ['latest']), { rules });
  assert.deepEqual(hits(model, RULE), ['src/questions.service.ts:5']);
  assert.match(model.findings[0].title, /sorts Question by createdAt/);
});

test(`${RULE}: silent when the filter is the leading column of the composite key, or an @@index leads with it`, async () => {
  const leading = await scanModel(repo('  @@id([questionId, tagId])', `  async ofQuestion(questionId: string) {
    return prisma.questionTag.findMany({ where: { questionId } });
  },`, ['ofQuestion']), { rules });
  assert.deepEqual(hits(leading, RULE), []);
  const indexed = await scanModel(repo('  @@id([questionId, tagId])\n  @@index([tagId, assignedAt])', byTag, ['byTag']), { rules });
  assert.deepEqual(hits(indexed, RULE), []);
});

test(`${RULE}: silent when a SQL migration adds the index the Prisma schema does not show (trap)`, async () => {
  const model = await scanModel(repo('  @@id([questionId, tagId])', byTag, ['byTag'], {
    'prisma/migrations/20240301000000_tag_lookup/migration.sql': 'CREATE INDEX CONCURRENTLY "QuestionTag_tagId_questionId_idx" ON "QuestionTag" ("tagId", "questionId");\n',
  }), { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent for relation filters, computed where objects, one indexed column among several, and queries off the request path`, async () => {
  const model = await scanModel(repo('  @@id([questionId, tagId])', `  async related(title: string) {
    return prisma.questionTag.findMany({ where: { question: { title } } });
  },
  async filtered(tagId: string) {
    const where = buildWhere(tagId);
    return prisma.questionTag.findMany({ where });
  },
  async both(tagId: string) {
    return prisma.questionTag.findFirst({ where: { questionId: tagId, tagId } });
  },`, ['related', 'filtered', 'both'], {
    'src/where.ts': 'export function buildWhere(tagId: string) { return { tagId }; }\n',
    'scripts/backfill.ts': `import { prisma } from '../src/prisma';

export async function backfill() {
  const rows = await prisma.questionTag.findMany({ where: { tagId: 'legacy' } });
  return rows.length;
}
`,
  }), { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent when the filter goes through a relation whose key on the model leads an index; fires when that key has none (trap both ways)`, async () => {
  const body = `  async recentOfOpen(_: string) {
    return prisma.questionTag.findMany({ where: { question: { status: 'open' }, assignedAt: { gte: new Date(Date.now() - 86_400_000) } }, take: 50 });
  },`;
  const indexed = await scanModel(repo('  @@id([tagId, questionId])\n  @@index([questionId])', body, ['recentOfOpen']), { rules });
  assert.deepEqual(hits(indexed, RULE), []);
  const unindexed = await scanModel(repo('  @@id([tagId, questionId])', body, ['recentOfOpen']), { rules });
  assert.deepEqual(hits(unindexed, RULE), ['src/questions.service.ts:5']);
  assert.match(unindexed.findings[0].title, /filters QuestionTag by assignedAt/);
});
