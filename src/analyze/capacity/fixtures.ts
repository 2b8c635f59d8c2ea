// Small repositories for the capacity tests and the db/* rule tests: realistic code and
// deployment config, each mirroring a seed's numbers. Test-only (imported by *.test.ts).

export const ordersPackage = JSON.stringify({ name: 'order-service', version: '1.4.0', dependencies: { pg: '^8.11.0', express: '^4.19.0' } }, null, 2);

export const ordersServer = `import express from 'express';
import { pool } from './db';

const app = express();
app.use(express.json());

app.get('/orders/:id', async (req, res) => {
  const { rows } = await pool.query('SELECT id, status, total_cents FROM orders WHERE id = $1', [req.params.id]);
  if (!rows.length) return res.status(404).json({ error: 'not_found' });
  res.json(rows[0]);
});

app.post('/orders', async (req, res) => {
  const { rows } = await pool.query('INSERT INTO orders (customer_id, total_cents) VALUES ($1, $2) RETURNING id', [req.body.customerId, req.body.totalCents]);
  res.status(201).json(rows[0]);
});

app.listen(Number(process.env.PORT ?? 8080));
`;

export const ordersDb = (options: string) => `import { Pool } from 'pg';

export const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
${options}
});
`;

/** Seed 002: order workers on Kubernetes, each pod with a pool of 5, against PostgreSQL's default 100. */
export const ordersDeployment = (replicas: number, url = 'postgresql://orders_app:orders@orders-db:5432/orders') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: order-service
  labels:
    app: order-service
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: order-service
  template:
    metadata:
      labels:
        app: order-service
    spec:
      containers:
        - name: order-service
          image: ghcr.io/acme/order-service:1.4.0
          command: ["node", "dist/server.js"]
          ports:
            - containerPort: 8080
          env:
            - name: DATABASE_URL
              value: ${url}
            - name: PORT
              value: "8080"
`;

export const ordersPostgres = (maxConnections?: number) => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: orders-db
spec:
  serviceName: orders-db
  replicas: 1
  selector:
    matchLabels:
      app: orders-db
  template:
    metadata:
      labels:
        app: orders-db
    spec:
      containers:
        - name: postgres
          image: postgres:16
${maxConnections !== undefined ? `          args: ["-c", "max_connections=${maxConnections}"]\n` : ''}          ports:
            - containerPort: 5432
`;

export const ordersHpa = (max: number) => `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: order-service
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: order-service
  minReplicas: 3
  maxReplicas: ${max}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 70
`;

/** The orders service on Kubernetes: `replicas` pods, a pg Pool with `poolOptions`, a postgres StatefulSet. */
export function ordersOnKubernetes(replicas: number, poolOptions: string, maxConnections?: number): Record<string, string> {
  return {
    'package.json': ordersPackage,
    'src/db.ts': ordersDb(poolOptions),
    'src/server.ts': ordersServer,
    'k8s/deployment.yaml': ordersDeployment(replicas),
    'k8s/postgres.yaml': ordersPostgres(maxConnections),
  };
}

// ---------------------------------------------------------------- seed 001: a web tier and a worker tier on Prisma

export const studySchema = `generator client {
  provider = "prisma-client-js"
}

datasource db {
  provider  = "postgresql"
  url       = env("DATABASE_URL")
  directUrl = env("DIRECT_URL")
}

model DailyPlan {
  id        String   @id @default(uuid())
  userId    String
  planDate  DateTime @db.Date
  payload   Json
  createdAt DateTime @default(now())

  @@unique([userId, planDate])
}

model Test {
  id        String   @id @default(uuid())
  userId    String
  score     Int
  createdAt DateTime @default(now())

  @@index([userId, createdAt])
}
`;

export const studyPrisma = `import { PrismaClient } from '@prisma/client';

export const prisma = new PrismaClient();
`;

export const studyWeb = `import express from 'express';
import { prisma } from './prisma';

const app = express();

app.get('/daily-plan/today', async (req, res) => {
  const userId = String(req.headers['x-user-id']);
  const plan = await prisma.dailyPlan.findFirst({ where: { userId }, orderBy: { planDate: 'desc' } });
  if (!plan) return res.status(202).json({ status: 'generating' });
  res.json(plan.payload);
});

app.get('/past-tests', async (req, res) => {
  const userId = String(req.headers['x-user-id']);
  const tests = await prisma.test.findMany({ where: { userId }, orderBy: { createdAt: 'desc' }, take: 20 });
  res.json(tests);
});

app.listen(3000);
`;

export const studyWorker = `import { prisma } from './prisma';

async function precomputeDailyPlans(): Promise<void> {
  const users = await prisma.test.findMany({ distinct: ['userId'], select: { userId: true }, take: 500 });
  for (const u of users) {
    await prisma.dailyPlan.upsert({
      where: { userId_planDate: { userId: u.userId, planDate: new Date() } },
      create: { userId: u.userId, planDate: new Date(), payload: {} },
      update: {},
    });
  }
}

setInterval(() => void precomputeDailyPlans().catch((err) => console.error('precompute failed', err)), 60 * 60 * 1000);
`;

export const studyCompose = (web: { replicas: number; url: string }, worker: { replicas: number; url: string }) => `services:
  web:
    build: .
    command: node dist/web.js
    environment:
      DATABASE_URL: ${web.url}
      DIRECT_URL: postgresql://postgres:postgres@db.studyhub.supabase.co:5432/postgres
    deploy:
      replicas: ${web.replicas}

  worker:
    build: .
    command: node dist/worker.js
    environment:
      DATABASE_URL: ${worker.url}
      DIRECT_URL: postgresql://postgres:postgres@db.studyhub.supabase.co:5432/postgres
    deploy:
      replicas: ${worker.replicas}
`;

export function studyRepo(web: { replicas: number; url: string }, worker: { replicas: number; url: string }): Record<string, string> {
  return {
    'package.json': JSON.stringify({ name: 'studyhub', dependencies: { '@prisma/client': '^5.14.0', express: '^4.19.0' } }, null, 2),
    'prisma/schema.prisma': studySchema,
    'src/prisma.ts': studyPrisma,
    'src/web.ts': studyWeb,
    'src/worker.ts': studyWorker,
    'docker-compose.yml': studyCompose(web, worker),
  };
}

// ---------------------------------------------------------------- behind PgBouncer (seed 002's fix)

export const pgbouncerCompose = (apiReplicas: number, maxClientConn = 1000) => `services:
  api:
    build: .
    command: node dist/server.js
    environment:
      DATABASE_URL: postgresql://orders_app:orders@pgbouncer:5432/orders
    deploy:
      replicas: ${apiReplicas}
    depends_on:
      - pgbouncer

  pgbouncer:
    image: edoburu/pgbouncer:1.21.0-p2
    environment:
      DATABASE_URL: postgresql://orders_app:orders@postgres:5432/orders
      POOL_MODE: transaction
      MAX_CLIENT_CONN: ${maxClientConn}
      DEFAULT_POOL_SIZE: 25
      RESERVE_POOL_SIZE: 5
    depends_on:
      - postgres

  postgres:
    image: postgres:16-alpine
    command: postgres -c max_connections=100 -c statement_timeout=15s
    environment:
      POSTGRES_USER: orders_app
      POSTGRES_PASSWORD: orders
      POSTGRES_DB: orders
    volumes:
      - pgdata:/var/lib/postgresql/data

volumes:
  pgdata:
`;

// ---------------------------------------------------------------- serverless: a Lambda with its URL in SSM

export const lambdaServerless = (extra = '') => `service: invoices-api
provider:
  name: aws
  runtime: nodejs20.x
  environment:
    DATABASE_URL: \${ssm:/invoices/\${sls:stage}/database-url}
functions:
  api:
    handler: src/handler.main
    timeout: 20
${extra}    events:
      - httpApi: "GET /invoices/{id}"
`;

export const lambdaHandler = `import { Pool } from 'pg';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 2 });

export async function main(event: { pathParameters?: { id?: string } }) {
  const { rows } = await pool.query('SELECT id, amount_cents, status FROM invoices WHERE id = $1', [event.pathParameters?.id]);
  return { statusCode: rows.length ? 200 : 404, body: JSON.stringify(rows[0] ?? { error: 'not_found' }) };
}
`;
