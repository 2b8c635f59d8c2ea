import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import nonAtomicWrites from './non-atomic-writes.js';

const RULE = 'tx/non-atomic-writes';
const rules = [nonAtomicWrites];

const prismaModule = `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`;

const routes = (handlers: string) => `import express from 'express';
import { accounts } from './accounts.service';
const app = express();
app.post('/accounts', async (req, res) => res.json(await accounts.${handlers}(req.body)));
export default app;
`;

test(`${RULE}: fires on two awaited creates in one method`, async () => {
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/accounts.service.ts': `import { prisma } from './db';
export const accounts = {
  async open(input: { name: string }) {
    const org = await prisma.organisation.create({ data: { name: input.name } });
    await prisma.membership.create({ data: { orgId: org.id, role: 'owner' } });
    return org;
  },
};
`,
    'src/app.ts': routes('open'),
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/accounts.service.ts:3']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.match(f.impact, /POST \/accounts/);
  assert.deepEqual(f.locations.slice(1).map((l) => l.line), [4, 5]);
});

test(`${RULE}: fires on writes spread over two repository calls (reported at the service)`, async () => {
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/repo.ts': `import { prisma } from './db';
export async function insertSubscription(userId: string) { return prisma.subscription.create({ data: { userId } }); }
export async function insertDeployment(userId: string) { return prisma.deployment.create({ data: { userId } }); }
`,
    'src/accounts.service.ts': `import { insertDeployment, insertSubscription } from './repo';
export const accounts = {
  async open(input: { id: string }) {
    await insertSubscription(input.id);
    await insertDeployment(input.id);
  },
};
`,
    'src/app.ts': routes('open'),
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/accounts.service.ts:3']);
});

test(`${RULE}: silent for writes inside a $transaction callback (trap)`, async () => {
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/accounts.service.ts': `import { prisma } from './db';
export const accounts = {
  async open(input: { name: string }) {
    return prisma.$transaction(async (tx) => {
      const org = await tx.organisation.create({ data: { name: input.name } });
      await tx.membership.create({ data: { orgId: org.id, role: 'owner' } });
      return org;
    });
  },
};
`,
    'src/app.ts': routes('open'),
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent for one write plus reads, and for the array form of $transaction`, async () => {
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/accounts.service.ts': `import { prisma } from './db';
export const accounts = {
  async open(input: { name: string }) {
    const existing = await prisma.organisation.findFirst({ where: { name: input.name } });
    if (existing) return existing;
    return prisma.organisation.upsert({ where: { name: input.name }, create: { name: input.name }, update: {} });
  },
  async rename(id: string, name: string) {
    await prisma.$transaction([
      prisma.organisation.update({ where: { id }, data: { name } }),
      prisma.auditLog.create({ data: { action: 'rename', id } }),
    ]);
  },
};
`,
    'src/app.ts': routes('open'),
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent for writes split by an early return or between try and catch (trap)`, async () => {
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/accounts.service.ts': `import { prisma } from './db';
export const accounts = {
  async open(input: { id: string; attempts: number }) {
    if (input.attempts > 5) {
      await prisma.account.update({ where: { id: input.id }, data: { status: 'LOCKED' } });
      return;
    }
    try {
      await prisma.account.update({ where: { id: input.id }, data: { status: 'OPEN' } });
    } catch (err) {
      await prisma.auditLog.create({ data: { action: 'open-failed', id: input.id } });
    }
  },
};
`,
    'src/app.ts': routes('open'),
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent for a cron job's batch of independent writes`, async () => {
  const model = await scanModel({
    'src/db.ts': prismaModule,
    'src/reaper.ts': `import cron from 'node-cron';
import { prisma } from './db';
export async function reap() {
  await prisma.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  await prisma.upload.deleteMany({ where: { status: 'ABANDONED' } });
}
cron.schedule('*/5 * * * *', reap, { name: 'reaper' });
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

// ---- Python: SQLAlchemy sessions and Django ----

const pyApp = (body: string) => ({
  'app/db.py': `from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

engine = create_engine("postgresql://app@db/app", pool_size=5)
SessionLocal = sessionmaker(bind=engine)


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()
`,
  'app/models.py': `class Org:
    pass


class Member:
    pass
`,
  'app/main.py': `from fastapi import Depends, FastAPI
from sqlalchemy.orm import Session
from app.db import get_db
from app.models import Member, Org

app = FastAPI()
${body}
`,
});

test(`${RULE}: Python — fires when a route commits between two writes`, async () => {
  const model = await scanModel(pyApp(`

@app.post("/orgs")
def create_org(name: str, db: Session = Depends(get_db)):
    org = Org(name=name)
    db.add(org)
    db.commit()
    db.add(Member(org_id=org.id, role="owner"))
    db.commit()
    return {"id": org.id}
`), { rules });
  assert.deepEqual(hits(model, RULE), ['app/main.py:10']);
  assert.match(model.findings[0].recommendation, /commit\(\) once/);
});

test(`${RULE}: Python — fires when the second commit happens in a helper`, async () => {
  const model = await scanModel({
    ...pyApp(`from app.services import add_owner


@app.post("/orgs")
def create_org(name: str, db: Session = Depends(get_db)):
    org = Org(name=name)
    db.add(org)
    db.commit()
    add_owner(db, org)
    return {"id": org.id}
`),
    'app/services.py': `from sqlalchemy.orm import Session
from app.models import Member


def add_owner(db: Session, org):
    db.add(Member(org_id=org.id, role="owner"))
    db.commit()
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['app/main.py:11']);
});

test(`${RULE}: Python — a session is a unit of work: several adds and one commit never fire, nor a with session.begin() block`, async () => {
  const model = await scanModel(pyApp(`

@app.post("/orgs")
def create_org(name: str, db: Session = Depends(get_db)):
    org = Org(name=name)
    db.add(org)
    db.flush()
    db.add(Member(org_id=org.id, role="owner"))
    db.commit()
    return {"id": org.id}


@app.post("/orgs/{org_id}/members")
def add_members(org_id: int, emails: list[str], db: Session = Depends(get_db)):
    with db.begin():
        db.add(Member(org_id=org_id, role="admin"))
        db.add(Member(org_id=org_id, role="viewer"))
    return "ok"
`), { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: Python — Django views with ATOMIC_REQUESTS and @transaction.atomic services are atomic`, async () => {
  const model = await scanModel({
    'config/settings.py': `ROOT_URLCONF = "config.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop"}}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
`,
    'config/urls.py': `from django.urls import path
from shop.views import checkout

urlpatterns = [path("checkout/", checkout)]
`,
    'shop/__init__.py': '',
    'shop/models.py': `from django.db import models


class Order(models.Model):
    total = models.IntegerField()


class Payment(models.Model):
    amount = models.IntegerField()
`,
    'shop/views.py': `from django.http import JsonResponse
from shop.models import Order, Payment


def checkout(request):
    order = Order.objects.create(total=10)
    Payment.objects.create(amount=order.total)
    return JsonResponse({"id": order.id})
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: Python — a Django view: the title counts the writes that run together, the fix is transaction.atomic`, async () => {
  const model = await scanModel({
    'config/settings.py': `ROOT_URLCONF = "config.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop"}}
`,
    'config/urls.py': `from django.urls import path
from shop.views import checkout

urlpatterns = [path("checkout/", checkout)]
`,
    'shop/__init__.py': '',
    'shop/models.py': `from django.db import models


class Order(models.Model):
    total = models.IntegerField()


class Payment(models.Model):
    amount = models.IntegerField()


class Voucher(models.Model):
    code = models.CharField(max_length=20)
`,
    'shop/views.py': `from django.http import JsonResponse
from shop.models import Order, Payment, Voucher


def checkout(request):
    order = Order.objects.create(total=10)
    if request.POST.get("voucher"):
        Voucher.objects.create(code=request.POST["voucher"])
    else:
        Payment.objects.create(amount=order.total)
    return JsonResponse({"id": order.id})
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['shop/views.py:5']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.match(f.title, /makes 2 writes to postgres/);
  assert.match(f.impact, /3 write sites, of which at most 2 run in one call/);
  assert.match(f.recommendation ?? '', /transaction\.atomic/);
});

test(`${RULE}: silent for writes in different handlers a function registers (each runs on its own call), and for one callee's writes in exclusive branches; fires when an awaited helper runs its callback in the step (trap)`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'wiki', dependencies: { express: '^4', '@prisma/client': '^5', '@modelcontextprotocol/sdk': '^1' } }),
    'src/db.ts': prismaModule,
    'src/search-query.ts': `import { prisma } from './db';
export async function recordSearch(query: string) {
  const existing = await prisma.searchQuery.findFirst({ where: { query } });
  if (existing) {
    return prisma.searchQuery.update({ where: { id: existing.id }, data: { count: existing.count + 1 } });
  }
  return prisma.searchQuery.create({ data: { query, count: 1 } });
}
`,
    'src/tracing.ts': `export function withTracing<F extends (...args: any[]) => any>(name: string, handler: F): F {
  return handler;
}
export async function withRetry<T>(fn: () => Promise<T>): Promise<T> {
  return fn();
}
`,
    'src/tools.ts': `import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { prisma } from './db';
import { recordSearch } from './search-query';
import { withTracing, withRetry } from './tracing';
export function documentTools(server: McpServer) {
  server.registerTool('search', {}, withTracing('search', async ({ query }: { query: string }) => {
    await recordSearch(query);
    return { content: [] };
  }));
  server.registerTool('create_document', {}, withTracing('create_document', async ({ title }: { title: string }) => {
    await prisma.document.create({ data: { title } });
    return { content: [] };
  }));
}
export async function publish(id: string) {
  await prisma.document.update({ where: { id }, data: { publishedAt: new Date() } });
  await withRetry(async () => prisma.event.create({ data: { name: 'documents.publish', documentId: id } }));
}
`,
    'src/server.ts': `import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { documentTools, publish } from './tools';
const app = express();
app.post('/mcp', async (_req, res) => {
  const server = new McpServer({ name: 'wiki', version: '1' });
  documentTools(server);
  res.end();
});
app.post('/documents/:id/publish', async (req, res) => {
  await publish(req.params.id);
  res.end();
});
app.listen(3000);
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/tools.ts:15']);
});
