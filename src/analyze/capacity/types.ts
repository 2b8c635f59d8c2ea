// The `capacity` section of faultline.json: database connection budgets, per datastore.
// Every number says where it comes from; a number faultline cannot read is `unknown`
// with a note saying what would make it known — never a guess. See docs/model.md.
import type { Evidence } from '../../model/types.js';

/** A number with its provenance. `value` is absent when unknown. */
export interface Known {
  value?: number;
  /** explicit: written in code/config; default: the library's or server's documented default; formula: derived by a documented formula; unknown. */
  source: 'explicit' | 'default' | 'formula' | 'unknown';
  /** What it is and where it comes from, or (unknown) what would make it known. */
  note: string;
  evidence?: Evidence;
}

export type ClientLibrary = 'prisma' | 'pg' | 'pg-client' | 'postgres' | 'typeorm' | 'knex' | 'sequelize' | 'drizzle' | 'mysql2' | 'mysql2-connection' | 'prisma-adapter-pg' | 'sqlalchemy' | 'asyncpg' | 'psycopg-pool' | 'psycopg2-pool' | 'django';

/** A value of a connection URL as one source gives it. */
export interface UrlValue {
  /** The URL with its password replaced by ***, or the placeholder as written (`${ssm:...}`). */
  value: string;
  /** runtime-env: the runtime's own environment; dotenv: a committed .env/.env.example; code: a literal in code. */
  source: 'runtime-env' | 'dotenv' | 'code';
  /** false when the value is a placeholder faultline cannot resolve (SSM, Secrets Manager, secretKeyRef, ${VAR}). */
  resolved: boolean;
  evidence: Evidence;
  host?: string;
  port?: number;
  /** server: the database itself; pooler: PgBouncer/Supavisor/RDS Proxy/...; unknown. */
  via: 'server' | 'pooler' | 'unknown';
  pooler?: string;
  params: Record<string, string>;
}

export interface ClientFacts {
  /** `library@file:line`, stable within a scan. */
  id: string;
  library: ClientLibrary;
  /** Human label: "PrismaClient (PrismaService)", "pg Pool". */
  label: string;
  file: string;
  line: number;
  datastore: string;
  /** The env var the connection URL comes from (DATABASE_URL), when known. */
  envVar?: string;
  /** Prisma's directUrl env var (DIRECT_URL): used by migrations, not by the running client. */
  directEnvVar?: string;
  /** An explicit pool size in code (options), when present. */
  codePool?: Known;
  /** The pool size the library uses when nothing sets it. */
  defaultPool: Known;
  /** Name of the URL parameter that sets the pool size for this library (connection_limit), if any. */
  urlPoolParam?: string;
  /** Statement/query timeout set in the client's options. */
  codeTimeout?: Known;
  /** Every value of the URL seen in the repository, across runtimes and .env files. */
  urlValues: UrlValue[];
  /** The client is created inside a function that is not a constructor: one pool per call, unbounded. */
  perCall?: boolean;
}

export interface RuntimeDemand {
  runtime: string;
  tech: string;
  origin?: string;
  client: string;
  /** The URL this runtime's processes use (its own env first, then .env files). */
  url?: UrlValue;
  /** When `url` is a placeholder: the committed example (.env.example) that shows its shape (host, port, parameters). */
  urlExample?: UrlValue;
  pool: Known;
  statementTimeout: Known;
  replicas: Known;
  /** Peak instances: HPA/KEDA maximum, Lambda reserved concurrency; unbounded for a Lambda without one. */
  peak: Known & { unbounded?: boolean };
  /** Processes per replica (faultline.config.yml runtimes.<name>.workers; gunicorn/uvicorn --workers, WEB_CONCURRENCY, Celery --concurrency), default 1. */
  processes: number;
  /** Where the process count comes from, when read from the command (`--workers 4`), or why it is not known. */
  processesNote?: string;
  /** replicas × processes × pool, when all are known. */
  connections?: number;
  peakConnections?: number;
  /** How the runtime was matched to the client: its entry file imports the client's file, or the client is under its source folder. */
  matchedBy: 'imports' | 'source-folder' | 'only-runtime';
}

export interface PoolerFacts {
  kind: string;
  name?: string;
  origin: string;
  evidence: Evidence;
  poolMode: { value?: string; source: 'explicit' | 'default' | 'unknown'; evidence?: Evidence };
  defaultPoolSize: Known;
  reservePoolSize: Known;
  maxClientConn: Known;
  maxDbConnections?: Known;
  port?: number;
  replicas: number;
  /** PgBouncer query_timeout: cancels queries running longer (a statement timeout through the pooler). */
  queryTimeout?: { value: string; evidence?: Evidence };
}

export interface BudgetLine {
  /** Σ of the known terms. */
  total?: number;
  /** Some terms are unknown: the total is at least this. */
  atLeast?: number;
  unbounded?: boolean;
  limit?: number;
  exceeded: boolean;
  /** "api 3 replicas × 30 + worker 2 replicas × 10 = 110 > 57 usable of max_connections 60" */
  arithmetic: string;
}

export interface Budget {
  status: 'fits' | 'exceeded' | 'exceeded-at-peak' | 'unbounded-at-peak' | 'unknown' | 'no-clients';
  /** Server connections at normal replica counts. */
  normal: BudgetLine;
  /** At peak (autoscaling maximum, Lambda concurrency); absent when no runtime scales. */
  peak?: BudgetLine;
  /** Client connections into a pooler against its max_client_conn. */
  poolerClients?: BudgetLine & { pooler: string };
  /** Why the budget is not fully known, and what would make it known. */
  unknowns: string[];
}

export interface ServerFacts {
  /** Where the server is declared: 'config', 'terraform', 'kubernetes', 'helm', 'postgresql.conf', 'docker-compose'; absent when nowhere. */
  origin?: string;
  evidence?: Evidence;
  maxConnections: Known;
  reservedConnections: Known;
  usable?: number;
  instanceClass?: string;
  statementTimeout?: { value: string; evidence: Evidence; source: string };
  /** A replica or standby is declared (compose/k8s/helm/terraform/config). */
  replica: { present: boolean; note: string; evidence?: Evidence[] };
  /** The declaration is a local (docker-compose) one while the runtimes that connect are deployed elsewhere. */
  localOnly?: boolean;
}

export interface DatastoreCapacity {
  datastore: string;
  tech: string;
  server: ServerFacts;
  poolers: PoolerFacts[];
  clients: ClientFacts[];
  runtimes: RuntimeDemand[];
  budget: Budget;
  /** statement_timeout set in SQL (ALTER ROLE/DATABASE) or in code (SET statement_timeout). */
  timeoutsInSql: { scope: string; value: string; evidence: Evidence }[];
}

export interface Capacity {
  datastores: DatastoreCapacity[];
}
