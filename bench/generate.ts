// Synthetic backend for `npm run bench`: a NestJS-style monorepo of ~5,000 TypeScript
// files (controllers, services, Prisma repositories, DTOs, entities, utils, tests,
// migrations with large SQL strings, schema.prisma), shaped like the real ones in
// seeds/. Fully deterministic: a seeded PRNG, no network, no clock.
//
//   node --import tsx bench/generate.ts [--out DIR] [--seed N] [--force]

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng, hashSeed } from './prng.ts';

/** Bump when the shape of the output changes on purpose (the source hash catches the rest). */
export const GENERATOR_VERSION = 3;
export const DEFAULT_SEED = 20240611;
export const DEFAULT_MODULES = 60;
export const DEFAULT_TARGET_FILES = 5000;

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '..');
export const DEFAULT_OUT = join(REPO_ROOT, '.bench', 'synthetic');

export interface GenerateOptions {
  out?: string;
  seed?: number;
  modules?: number;
  targetFiles?: number;
}

export interface GenerateStats {
  dir: string;
  files: number;
  bytes: number;
  lines: number;
  /** files by extension, e.g. { ts: 4900, sql: 20 } */
  byExt: Record<string, number>;
  largest: { file: string; lines: number }[];
  generated: boolean;
  generatorVersion: number;
  sourceHash: string;
  seed: number;
}

// ---------------------------------------------------------------------------------------
// Names

const DOMAINS = [
  'users', 'auth', 'billing', 'invoices', 'payments', 'subscriptions', 'orders', 'carts',
  'catalog', 'products', 'inventory', 'warehouses', 'shipping', 'returns', 'reviews',
  'notifications', 'emails', 'sms', 'webhooks', 'integrations', 'analytics', 'reports',
  'dashboards', 'audit', 'compliance', 'kyc', 'onboarding', 'profiles', 'organizations',
  'teams', 'roles', 'permissions', 'sessions', 'tokens', 'files', 'media', 'search',
  'recommendations', 'pricing', 'discounts', 'coupons', 'loyalty', 'referrals', 'tenants',
  'settings', 'feature-flags', 'experiments', 'support', 'tickets', 'chat', 'messaging',
  'calendar', 'bookings', 'scheduling', 'locations', 'geocoding', 'currencies', 'tax',
  'ledger', 'payouts', 'fraud', 'risk', 'contracts', 'quotes', 'vendors', 'assets',
];

const ENTITY_SUFFIXES = ['', 'Item', 'Event', 'History', 'Setting', 'Link', 'Snapshot', 'Record', 'Batch', 'Rule', 'Note', 'Attempt'];
const SERVICE_SUFFIXES = ['Query', 'Command', 'Sync', 'Export', 'Import', 'Pricing', 'Notification', 'Reconciliation', 'Validation', 'Scheduler', 'Integration', 'Reporting', 'Cleanup', 'Audit'];
const ACTION_VERBS = ['approve', 'reject', 'archive', 'restore', 'publish', 'sync', 'recalculate', 'export', 'resend', 'verify', 'lock', 'unlock', 'assign', 'close', 'reopen', 'refresh'];

const EXTERNALS = [
  { env: 'PARTNER_API_URL', path: '/v2/partners' },
  { env: 'IDP_ISSUER_URL', path: '/oauth/introspect' },
  { env: 'GEOCODER_BASE_URL', path: '/geocode' },
  { env: 'TAX_SERVICE_URL', path: '/v1/quotes' },
  { env: 'SHIPPING_API_BASE_URL', path: '/rates' },
  { env: 'FRAUD_SCORE_URL', path: '/score' },
  { env: 'CRM_API_URL', path: '/contacts' },
  { env: 'LEDGER_SERVICE_URL', path: '/entries' },
  { env: 'SEARCH_CLUSTER_URL', path: '/_search' },
  { env: 'FX_RATES_URL', path: '/latest' },
  { literal: 'https://api.github.com', path: '/repos' },
  { literal: 'https://hooks.slack.com', path: '/services' },
  { literal: 'https://api.mailgun.net', path: '/v3/messages' },
] as const;

interface Field {
  name: string;
  ts: string;
  prisma: string;
  sql: string;
  validators: string[];
  optional?: boolean;
  sample: string;
}

const FIELD_POOL: Field[] = [
  { name: 'name', ts: 'string', prisma: 'String', sql: 'TEXT NOT NULL', validators: ['@IsString()', '@MaxLength(120)'], sample: "'Acme'" },
  { name: 'email', ts: 'string', prisma: 'String', sql: 'VARCHAR(320) NOT NULL', validators: ['@IsEmail()'], sample: "'ops@example.com'" },
  { name: 'status', ts: 'string', prisma: 'String', sql: "VARCHAR(32) NOT NULL DEFAULT 'pending'", validators: ["@IsIn(['pending', 'active', 'archived'])"], sample: "'active'" },
  { name: 'amount', ts: 'number', prisma: 'Decimal', sql: 'NUMERIC(12, 2) NOT NULL', validators: ['@IsNumber()', '@Min(0)'], sample: '1999' },
  { name: 'currency', ts: 'string', prisma: 'String', sql: "CHAR(3) NOT NULL DEFAULT 'USD'", validators: ['@IsString()', '@Length(3, 3)'], sample: "'EUR'" },
  { name: 'quantity', ts: 'number', prisma: 'Int', sql: 'INTEGER NOT NULL DEFAULT 1', validators: ['@IsInt()', '@Min(1)', '@Max(10000)'], sample: '3' },
  { name: 'description', ts: 'string', prisma: 'String?', sql: 'TEXT', validators: ['@IsOptional()', '@IsString()', '@MaxLength(2000)'], optional: true, sample: "'Quarterly plan'" },
  { name: 'externalId', ts: 'string', prisma: 'String?', sql: 'VARCHAR(64)', validators: ['@IsOptional()', '@IsString()'], optional: true, sample: "'ext_42'" },
  { name: 'metadata', ts: 'Record<string, unknown>', prisma: 'Json?', sql: 'JSONB', validators: ['@IsOptional()', '@IsObject()'], optional: true, sample: '{ source: "import" }' },
  { name: 'isActive', ts: 'boolean', prisma: 'Boolean', sql: 'BOOLEAN NOT NULL DEFAULT TRUE', validators: ['@IsBoolean()'], sample: 'true' },
  { name: 'priority', ts: 'number', prisma: 'Int', sql: 'SMALLINT NOT NULL DEFAULT 5', validators: ['@IsInt()', '@Min(1)', '@Max(10)'], sample: '2' },
  { name: 'code', ts: 'string', prisma: 'String', sql: 'VARCHAR(40) NOT NULL', validators: ['@IsString()', '@Matches(/^[A-Z0-9_-]+$/)'], sample: "'PLAN_BASIC'" },
  { name: 'slug', ts: 'string', prisma: 'String', sql: 'VARCHAR(160) NOT NULL', validators: ['@IsString()', '@Matches(/^[a-z0-9-]+$/)'], sample: "'basic-plan'" },
  { name: 'startsAt', ts: 'Date', prisma: 'DateTime', sql: 'TIMESTAMPTZ NOT NULL', validators: ['@IsDateString()'], sample: "new Date('2024-01-01')" },
  { name: 'endsAt', ts: 'Date', prisma: 'DateTime?', sql: 'TIMESTAMPTZ', validators: ['@IsOptional()', '@IsDateString()'], optional: true, sample: "new Date('2024-12-31')" },
  { name: 'notes', ts: 'string', prisma: 'String?', sql: 'TEXT', validators: ['@IsOptional()', '@IsString()'], optional: true, sample: "'call back'" },
  { name: 'score', ts: 'number', prisma: 'Float', sql: 'DOUBLE PRECISION NOT NULL DEFAULT 0', validators: ['@IsNumber()'], sample: '0.75' },
  { name: 'version', ts: 'number', prisma: 'Int', sql: 'INTEGER NOT NULL DEFAULT 1', validators: ['@IsInt()'], sample: '1' },
  { name: 'url', ts: 'string', prisma: 'String?', sql: 'TEXT', validators: ['@IsOptional()', '@IsUrl()'], optional: true, sample: "'https://example.com'" },
  { name: 'phone', ts: 'string', prisma: 'String?', sql: 'VARCHAR(32)', validators: ['@IsOptional()', "@IsPhoneNumber('US')"], optional: true, sample: "'+15555550100'" },
  { name: 'tags', ts: 'string[]', prisma: 'String[]', sql: "TEXT[] NOT NULL DEFAULT '{}'", validators: ['@IsArray()', '@IsString({ each: true })', '@ArrayMaxSize(20)'], sample: "['vip']" },
  { name: 'ownerId', ts: 'string', prisma: 'String', sql: 'UUID NOT NULL', validators: ['@IsUUID()'], sample: "'3f1c'" },
  { name: 'organizationId', ts: 'string', prisma: 'String', sql: 'UUID NOT NULL', validators: ['@IsUUID()'], sample: "'org_1'" },
  { name: 'userId', ts: 'string', prisma: 'String', sql: 'UUID NOT NULL', validators: ['@IsUUID()'], sample: "'usr_1'" },
  { name: 'expiresAt', ts: 'Date', prisma: 'DateTime?', sql: 'TIMESTAMPTZ', validators: ['@IsOptional()', '@IsDateString()'], optional: true, sample: 'new Date()' },
  { name: 'reference', ts: 'string', prisma: 'String', sql: 'VARCHAR(80) NOT NULL', validators: ['@IsString()', '@MaxLength(80)'], sample: "'REF-1'" },
  { name: 'country', ts: 'string', prisma: 'String', sql: 'CHAR(2) NOT NULL', validators: ['@IsISO31661Alpha2()'], sample: "'DE'" },
  { name: 'retryCount', ts: 'number', prisma: 'Int', sql: 'INTEGER NOT NULL DEFAULT 0', validators: ['@IsInt()', '@Min(0)'], sample: '0' },
];

const pascal = (s: string) => s.split(/[-_\s]/).filter(Boolean).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
const camel = (s: string) => {
  const p = pascal(s);
  return p[0].toLowerCase() + p.slice(1);
};
const kebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/[_\s]+/g, '-').toLowerCase();
const snake = (s: string) => kebab(s).replace(/-/g, '_');
const singular = (s: string) => (s.endsWith('ies') ? s.slice(0, -3) + 'y' : s.endsWith('sses') ? s.slice(0, -2) : s.endsWith('s') && !s.endsWith('ss') ? s.slice(0, -1) : s);
const plural = (s: string) => (s.endsWith('y') ? s.slice(0, -1) + 'ies' : s.endsWith('s') ? s + 'es' : s + 's');

// ---------------------------------------------------------------------------------------
// Plans: decided first, so files can refer to each other's classes and methods.

interface EntityPlan {
  name: string; // BillingAccount
  kebab: string; // billing-account
  camel: string; // billingAccount
  table: string; // billing_account
  delegate: string; // prisma delegate: billingAccount
  fields: Field[];
}

type MethodKind =
  | 'list' | 'get' | 'create' | 'update' | 'remove'
  | 'createNonAtomic' | 'createTx' | 'external' | 'fireAndForget' | 'loopQuery'
  | 'promiseAll' | 'retryFixed' | 'retryBackoff' | 'pure' | 'cache' | 'enqueue' | 'swallow' | 'raw';

interface MethodPlan {
  name: string;
  kind: MethodKind;
  entity: EntityPlan;
}

interface ServicePlan {
  className: string;
  file: string; // services/billing.service.ts (module-relative)
  prop: string;
  entities: EntityPlan[];
  methods: MethodPlan[];
  external?: (typeof EXTERNALS)[number];
  usesCache: boolean;
  queue?: string;
  /** other modules' main services it injects */
  crossDeps: ModulePlan[];
  /** sibling services it injects */
  siblings: ServicePlan[];
  god: boolean;
}

interface ModulePlan {
  index: number;
  domain: string;
  pascal: string;
  kebab: string;
  dir: string; // apps/api/src/modules/<kebab>
  rng: Rng;
  entities: EntityPlan[];
  services: ServicePlan[];
  main: ServicePlan;
  queue?: string;
  hasCron: boolean;
}

function planEntities(rng: Rng, domain: string, count: number): EntityPlan[] {
  const base = pascal(singular(domain));
  const suffixes = ['', ...rng.sample(ENTITY_SUFFIXES.slice(1), count - 1)];
  return suffixes.map((suffix) => {
    const name = base + suffix;
    const extra = rng.sample(FIELD_POOL, rng.longTail(4, 8, 22));
    return { name, kebab: kebab(name), camel: camel(name), table: snake(name), delegate: camel(name), fields: extra };
  });
}

const METHOD_KINDS: [MethodKind, number][] = [
  ['list', 6], ['get', 6], ['create', 4], ['update', 4], ['remove', 2],
  ['createNonAtomic', 3], ['createTx', 3], ['external', 5], ['fireAndForget', 3], ['loopQuery', 2],
  ['promiseAll', 2], ['retryFixed', 1], ['retryBackoff', 1], ['pure', 5], ['cache', 2],
  ['enqueue', 2], ['swallow', 2], ['raw', 2],
];

const VERB: Record<MethodKind, string[]> = {
  list: ['list', 'search', 'findAll'], get: ['get', 'find', 'load'], create: ['create', 'register', 'add'],
  update: ['update', 'patch', 'rename'], remove: ['remove', 'delete', 'purge'],
  createNonAtomic: ['createWithAudit', 'provision', 'open'], createTx: ['transfer', 'settle', 'merge'],
  external: ['syncRemote', 'fetchRemote', 'pushRemote', 'verifyRemote'], fireAndForget: ['touch', 'announce', 'track'],
  loopQuery: ['bulkUpdate', 'reindex', 'backfill'], promiseAll: ['hydrate', 'enrich', 'expand'],
  retryFixed: ['deliver', 'dispatch'], retryBackoff: ['replicate', 'forward'], pure: ['calculate', 'summarize', 'normalize', 'score'],
  cache: ['getCached', 'warm'], enqueue: ['schedule', 'queue'], swallow: ['tryRefresh', 'bestEffortSync'],
  raw: ['statsFor', 'aggregate'],
};

function planModules(seed: number, moduleCount: number): ModulePlan[] {
  const domains = DOMAINS.slice(0, Math.min(moduleCount, DOMAINS.length));
  while (domains.length < moduleCount) domains.push(`${DOMAINS[domains.length % DOMAINS.length]}-${Math.floor(domains.length / DOMAINS.length) + 1}`);
  const modules: ModulePlan[] = domains.map((domain, index) => {
    const rng = new Rng(hashSeed(`${seed}:${domain}`));
    const entities = planEntities(rng, domain, rng.int(4, 9));
    const p = pascal(domain);
    const queue = rng.chance(0.35) ? `${kebab(domain)}-jobs` : undefined;
    return { index, domain, pascal: p, kebab: kebab(domain), dir: `apps/api/src/modules/${kebab(domain)}`, rng, entities, services: [], main: undefined as unknown as ServicePlan, queue, hasCron: rng.chance(0.3) };
  });

  modules.forEach((mod, index) => {
    const { rng } = mod;
    const serviceCount = rng.int(5, 11);
    const suffixes = ['', ...rng.sample(SERVICE_SUFFIXES, serviceCount - 1)];
    for (const suffix of suffixes) {
      const className = `${mod.pascal}${suffix}Service`;
      const god = suffix !== '' && rng.chance(0.006);
      const methodCount = god ? rng.int(120, 160) : rng.longTail(3, 8, 26);
      const entities = rng.sample(mod.entities, rng.int(1, Math.min(3, mod.entities.length)));
      const used = new Set<string>();
      const methods: MethodPlan[] = [];
      // every main service exposes CRUD for its first entity so the controllers have targets
      const forced: MethodKind[] = suffix === '' ? ['list', 'get', 'create', 'update', 'remove'] : [];
      for (let m = 0; m < methodCount; m++) {
        const kind = forced[m] ?? rng.weighted(METHOD_KINDS);
        const entity = rng.pick(entities);
        let name = `${rng.pick(VERB[kind])}${kind === 'list' ? plural(entity.name) : entity.name}`;
        for (let n = 2; used.has(name); n++) name = `${name.replace(/\d+$/, '')}${n}`;
        used.add(name);
        methods.push({ name, kind, entity });
      }
      const hasExternal = methods.some((m) => m.kind === 'external' || m.kind === 'retryFixed' || m.kind === 'retryBackoff' || m.kind === 'swallow');
      mod.services.push({
        className, file: `services/${kebab(mod.domain)}${suffix ? '-' + kebab(suffix) : ''}.service.ts`, prop: camel(className),
        entities, methods, external: hasExternal ? rng.pick(EXTERNALS) : undefined, usesCache: methods.some((m) => m.kind === 'cache'),
        queue: methods.some((m) => m.kind === 'enqueue') ? mod.queue ?? 'default-jobs' : undefined,
        crossDeps: [], siblings: [], god,
      });
    }
    mod.main = mod.services[0];
    // cross-module dependencies point "forward" (a DAG) with an occasional back edge (a cycle, as in real code)
    for (const svc of mod.services) {
      const forward = modules.slice(index + 1);
      const k = forward.length ? rng.int(0, 2) : 0;
      svc.crossDeps = rng.sample(forward, k);
      if (index > 0 && rng.chance(0.04)) svc.crossDeps.push(modules[rng.int(0, index - 1)]);
      if (svc !== mod.main && rng.chance(0.4)) svc.siblings = [mod.main];
    }
  });
  return modules;
}

// ---------------------------------------------------------------------------------------
// Emitters. Each returns the file text.

const HEADER_COMMENTS = [
  '',
  '',
  '',
  '/**\n * Owned by the platform team. See docs/architecture.md before changing behaviour here.\n */\n',
  '// eslint-disable-next-line @typescript-eslint/no-explicit-any -- legacy payloads\n',
];

function dtoName(kind: 'Create' | 'Update' | 'List' | 'Response', e: EntityPlan): string {
  return kind === 'List' ? `List${plural(e.name)}QueryDto` : `${kind}${e.name}Dto`;
}
function dtoFile(kind: 'Create' | 'Update' | 'List' | 'Response', e: EntityPlan): string {
  return kind === 'List' ? `dto/list-${kebab(plural(e.name))}-query.dto` : `dto/${kind.toLowerCase()}-${e.kebab}.dto`;
}

function methodBody(rng: Rng, svc: ServicePlan, m: MethodPlan, mod: ModulePlan): string[] {
  const e = m.entity;
  const repo = `this.${e.camel}Repository`;
  const sample = e.fields.slice(0, 3).map((f) => `${f.name}: ${f.sample}`).join(', ');
  const ext = svc.external;
  const urlExpr = ext ? ('literal' in ext ? `'${ext.literal}${ext.path}'` : `\`\${this.baseUrl}${ext.path}\``) : `'http://localhost'`;
  const timeoutMs = rng.chance(0.55) ? rng.pick([2000, 3000, 5000, 10000, 30000]) : 0;
  const timeout = timeoutMs ? `, { timeout: ${timeoutMs} }` : '';
  const logErr = `this.logger.error(\`${m.name} failed: \${(error as Error).message}\`);`;
  switch (m.kind) {
    case 'list':
      return [
        `  async ${m.name}(query: ${dtoName('List', e)}) {`,
        `    const page = Math.max(1, query.page ?? 1);`,
        `    const pageSize = Math.min(100, query.pageSize ?? 20);`,
        ...(rng.chance(0.3)
          ? [`    const rows = await ${repo}.findMany({ where: { status: query.status } });`, `    return rows.slice((page - 1) * pageSize, page * pageSize);`]
          : [`    const [items, total] = await Promise.all([`, `      ${repo}.findMany({ where: { status: query.status }, skip: (page - 1) * pageSize, take: pageSize }),`, `      ${repo}.count({ status: query.status }),`, `    ]);`, `    return { items, total, page, pageSize };`]),
        `  }`,
      ];
    case 'get':
      return [
        `  async ${m.name}(id: string) {`,
        `    const found = await ${repo}.findById(id);`,
        `    if (!found) {`,
        `      throw new NotFoundException(\`${e.name} \${id} not found\`);`,
        `    }`,
        `    return found;`,
        `  }`,
      ];
    case 'create':
      return [
        `  async ${m.name}(dto: ${dtoName('Create', e)}) {`,
        `    this.logger.log(\`creating ${e.kebab}\`);`,
        `    return ${repo}.create({ ...dto });`,
        `  }`,
      ];
    case 'update':
      return [
        `  async ${m.name}(id: string, dto: ${dtoName('Update', e)}) {`,
        `    await this.${svc.methods.find((x) => x.kind === 'get')?.name ?? 'assertExists'}(id);`,
        `    return ${repo}.update(id, dto);`,
        `  }`,
      ];
    case 'remove':
      return [
        `  async ${m.name}(id: string) {`,
        `    await ${repo}.delete(id);`,
        `    return { id, deleted: true };`,
        `  }`,
      ];
    case 'createNonAtomic':
      return [
        `  async ${m.name}(id: string, payload: Record<string, unknown> = {}) {`,
        `    const created = await ${repo}.create({ ${sample}, ...payload });`,
        `    await ${repo}.update(created.id, { version: 2 });`,
        ...(rng.chance(0.5) ? [`    await this.${svc.entities[0].camel}Repository.create({ ${svc.entities[0].fields.slice(0, 2).map((f) => `${f.name}: ${f.sample}`).join(', ')} });`] : []),
        `    return created;`,
        `  }`,
      ];
    case 'createTx':
      return rng.chance(0.5)
        ? [
            `  async ${m.name}(id: string, payload: Record<string, unknown> = {}) {`,
            `    return this.prisma.$transaction(async (tx) => {`,
            `      const source = await tx.${e.delegate}.findUniqueOrThrow({ where: { id } });`,
            `      await tx.${e.delegate}.update({ where: { id }, data: { version: { increment: 1 } } });`,
            `      return tx.${e.delegate}.create({ data: { ...source, id: undefined, ...payload } as never });`,
            `    });`,
            `  }`,
          ]
        : [
            `  async ${m.name}(id: string, payload: Record<string, unknown> = {}) {`,
            `    const [updated] = await this.prisma.$transaction([`,
            `      this.prisma.${e.delegate}.update({ where: { id }, data: payload }),`,
            `      this.prisma.${e.delegate}.updateMany({ where: { id: { not: id } }, data: { version: 1 } }),`,
            `    ]);`,
            `    return updated;`,
            `  }`,
          ];
    case 'external': {
      const verb = rng.pick(['get', 'post', 'put']);
      const call = verb === 'get' ? `axios.get(${urlExpr}, { params: { id }${timeoutMs ? `, timeout: ${timeoutMs}` : ''} })` : `axios.${verb}(${urlExpr}, { id, ...payload }${timeout})`;
      const style = rng.weighted([['rethrow', 4], ['fallback', 3], ['bare', 3]] as const);
      if (style === 'bare') return [`  async ${m.name}(id: string, payload: Record<string, unknown> = {}) {`, `    const { data } = await ${call};`, `    return data;`, `  }`];
      return [
        `  async ${m.name}(id: string, payload: Record<string, unknown> = {}) {`,
        `    try {`,
        `      const { data } = await ${call};`,
        `      return data;`,
        `    } catch (error) {`,
        `      ${logErr}`,
        style === 'rethrow' ? `      throw new ServiceUnavailableException('${mod.kebab} upstream unavailable');` : `      return { id, status: 'unknown', stale: true };`,
        `    }`,
        `  }`,
      ];
    }
    case 'fireAndForget': {
      const target = svc.siblings[0] ?? svc.crossDeps[0]?.main;
      const callee = target ? `this.${target.prop}.${target.methods[0].name}` : `${repo}.update`;
      const args = target ? (target.methods[0].kind === 'list' ? '{}' : 'id') : `id, { version: 3 }`;
      return [
        `  ${m.name}(id: string, payload: Record<string, unknown> = {}) {`,
        rng.chance(0.5) ? `    ${callee}(${args as string}).catch((err) => this.logger.warn(\`${m.name}: \${err}\`));` : `    ${callee}(${args as string});`,
        `    return { accepted: true, id, keys: Object.keys(payload).length };`,
        `  }`,
      ];
    }
    case 'loopQuery':
      return [
        `  async ${m.name}(id: string, payload: Record<string, unknown> = {}) {`,
        `    const ids = (payload.ids as string[] | undefined) ?? [id];`,
        `    const results = [];`,
        `    for (const itemId of ids) {`,
        `      const row = await ${repo}.findById(itemId);`,
        `      if (row) results.push(await ${repo}.update(itemId, { version: (row.version ?? 0) + 1 }));`,
        `    }`,
        `    return results;`,
        `  }`,
      ];
    case 'promiseAll':
      return [
        `  async ${m.name}(id: string, payload: Record<string, unknown> = {}) {`,
        `    const ids = (payload.ids as string[] | undefined) ?? [id];`,
        `    return Promise.all(ids.map(async (itemId) => ${repo}.findById(itemId)));`,
        `  }`,
      ];
    case 'retryFixed':
      return [
        `  async ${m.name}(id: string, payload: Record<string, unknown> = {}) {`,
        `    for (let attempt = 0; attempt < ${rng.pick([3, 5])}; attempt++) {`,
        `      try {`,
        `        return (await axios.post(${urlExpr}, { id, ...payload }${timeout})).data;`,
        `      } catch (error) {`,
        `        this.logger.warn(\`attempt \${attempt} failed\`);`,
        `        await sleep(${rng.pick([500, 1000, 2000])});`,
        `      }`,
        `    }`,
        `    throw new ServiceUnavailableException('gave up');`,
        `  }`,
      ];
    case 'retryBackoff':
      return [
        `  async ${m.name}(id: string, payload: Record<string, unknown> = {}) {`,
        `    return retryWithBackoff(`,
        `      () => axios.post(${urlExpr}, { id, ...payload }, { timeout: ${rng.pick([1500, 3000, 8000])} }),`,
        `      { retries: ${rng.pick([2, 3, 4])}, baseDelayMs: 200, jitter: true },`,
        `    );`,
        `  }`,
      ];
    case 'pure': {
      const f = e.fields.find((x) => x.ts === 'number')?.name ?? 'version';
      return [
        `  ${m.name}(id: string, payload: Record<string, unknown> = {}) {`,
        `    const values = Object.values(payload).filter((v): v is number => typeof v === 'number');`,
        `    const total = values.reduce((sum, v) => sum + v, 0);`,
        `    const mean = values.length ? total / values.length : 0;`,
        `    const spread = values.length ? Math.max(...values) - Math.min(...values) : 0;`,
        `    return { id, ${f}: Math.round(total * 100) / 100, mean, spread, count: values.length };`,
        `  }`,
      ];
    }
    case 'cache':
      return [
        `  async ${m.name}(id: string) {`,
        `    const key = \`${mod.kebab}:${e.kebab}:\${id}\`;`,
        `    const hit = await this.cache.get(key);`,
        `    if (hit) return JSON.parse(hit);`,
        `    const fresh = await ${repo}.findById(id);`,
        `    await this.cache.set(key, JSON.stringify(fresh), 'EX', ${rng.pick([30, 60, 300, 3600])});`,
        `    return fresh;`,
        `  }`,
      ];
    case 'enqueue':
      return [
        `  async ${m.name}(id: string, payload: Record<string, unknown> = {}) {`,
        rng.chance(0.5)
          ? `    await this.queue.add('${kebab(m.name)}', { id, ...payload }, { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: 1000 });`
          : `    await this.queue.add('${kebab(m.name)}', { id, ...payload });`,
        `    return { queued: true };`,
        `  }`,
      ];
    case 'swallow':
      return [
        `  async ${m.name}(id: string, payload: Record<string, unknown> = {}) {`,
        `    try {`,
        `      await axios.put(${urlExpr}, { id, ...payload }${timeout});`,
        `    } catch {`,
        `      // best effort: the nightly reconciliation catches up`,
        `    }`,
        `  }`,
      ];
    case 'raw':
      return [
        `  async ${m.name}(id: string) {`,
        `    return ${repo}.statsFor(id);`,
        `  }`,
      ];
  }
}

function emitService(rng: Rng, mod: ModulePlan, svc: ServicePlan): string {
  const needsAxios = svc.methods.some((m) => ['external', 'retryFixed', 'retryBackoff', 'swallow'].includes(m.kind));
  const needsPrisma = svc.methods.some((m) => m.kind === 'createTx');
  const lines: string[] = [];
  lines.push(rng.pick(HEADER_COMMENTS) + `import { Injectable, Logger, NotFoundException, ServiceUnavailableException${svc.crossDeps.some((d) => d.index < mod.index) ? ', Inject, forwardRef' : ''} } from '@nestjs/common';`);
  if (needsAxios) lines.push(`import axios from 'axios';`);
  if (svc.queue) lines.push(`import { InjectQueue } from '@nestjs/bullmq';`, `import { Queue } from 'bullmq';`);
  if (svc.usesCache) lines.push(`import Redis from 'ioredis';`, `import { InjectRedis } from '@app/common/redis/redis.decorator';`);
  if (needsPrisma) lines.push(`import { PrismaService } from '@app/common/prisma/prisma.service';`);
  if (needsAxios) lines.push(`import { retryWithBackoff, sleep } from '@app/common/utils/retry';`);
  if (svc.external && !('literal' in svc.external)) lines.push(`import { ConfigService } from '@nestjs/config';`);
  for (const e of svc.entities) lines.push(`import { ${e.name}Repository } from '../repositories/${e.kebab}.repository';`);
  const dtoImports = new Map<string, string>();
  for (const m of svc.methods) {
    if (m.kind === 'list') dtoImports.set(dtoName('List', m.entity), dtoFile('List', m.entity));
    if (m.kind === 'create') dtoImports.set(dtoName('Create', m.entity), dtoFile('Create', m.entity));
    if (m.kind === 'update') dtoImports.set(dtoName('Update', m.entity), dtoFile('Update', m.entity));
  }
  for (const [n, f] of [...dtoImports].sort()) lines.push(`import { ${n} } from '../${f}';`);
  for (const s of svc.siblings) lines.push(`import { ${s.className} } from './${s.file.slice('services/'.length, -3)}';`);
  for (const d of svc.crossDeps) lines.push(`import { ${d.main.className} } from '@modules/${d.kebab}/${d.main.file.slice(0, -3)}';`);
  lines.push('');
  lines.push(`@Injectable()`);
  lines.push(`export class ${svc.className} {`);
  lines.push(`  private readonly logger = new Logger(${svc.className}.name);`);
  if (svc.external && !('literal' in svc.external)) lines.push(`  private readonly baseUrl: string;`);
  lines.push('');
  lines.push(`  constructor(`);
  for (const e of svc.entities) lines.push(`    private readonly ${e.camel}Repository: ${e.name}Repository,`);
  if (needsPrisma) lines.push(`    private readonly prisma: PrismaService,`);
  if (svc.queue) lines.push(`    @InjectQueue('${svc.queue}') private readonly queue: Queue,`);
  if (svc.usesCache) lines.push(`    @InjectRedis() private readonly cache: Redis,`);
  for (const s of svc.siblings) lines.push(`    private readonly ${s.prop}: ${s.className},`);
  for (const d of svc.crossDeps) {
    const back = d.index < mod.index;
    lines.push(back ? `    @Inject(forwardRef(() => ${d.main.className})) private readonly ${d.main.prop}: ${d.main.className},` : `    private readonly ${d.main.prop}: ${d.main.className},`);
  }
  if (svc.external && !('literal' in svc.external)) lines.push(`    config: ConfigService,`);
  lines.push(`  ) {`);
  if (svc.external && !('literal' in svc.external)) lines.push(`    this.baseUrl = config.getOrThrow<string>('${svc.external.env}');`);
  lines.push(`  }`);
  if (svc.methods.some((m) => m.kind === 'update') && !svc.methods.some((m) => m.kind === 'get')) {
    lines.push('', `  private async assertExists(id: string) {`, `    const row = await this.${svc.entities[0].camel}Repository.findById(id);`, `    if (!row) throw new NotFoundException(id);`, `  }`);
  }
  for (const m of svc.methods) {
    lines.push('');
    if (rng.chance(0.25)) lines.push(`  /** ${m.kind === 'pure' ? 'Pure helper, no I/O.' : `Used by the ${mod.kebab} ${rng.pick(['controller', 'worker', 'admin tools', 'nightly job'])}.`} */`);
    lines.push(...methodBody(rng, svc, m, mod));
  }
  lines.push(`}`, '');
  return lines.join('\n');
}

function emitRepository(rng: Rng, mod: ModulePlan, e: EntityPlan): string {
  const filterField = e.fields.find((f) => f.ts === 'string' && !f.optional)?.name ?? 'status';
  const lines = [
    `import { Injectable } from '@nestjs/common';`,
    `import { Prisma } from '@prisma/client';`,
    `import { PrismaService } from '@app/common/prisma/prisma.service';`,
    `import { ${e.name} } from '../entities/${e.kebab}.entity';`,
    '',
    `export interface ${e.name}Filter {`,
    `  status?: string;`,
    `  skip?: number;`,
    `  take?: number;`,
    `  where?: Prisma.${e.name}WhereInput;`,
    `}`,
    '',
    `@Injectable()`,
    `export class ${e.name}Repository {`,
    `  constructor(private readonly prisma: PrismaService) {}`,
    '',
    `  findMany(filter: ${e.name}Filter = {}): Promise<${e.name}[]> {`,
    `    return this.prisma.${e.delegate}.findMany({`,
    `      where: { ...filter.where${e.fields.some((f) => f.name === 'status') ? ', status: filter.status' : ''} },`,
    `      orderBy: { createdAt: 'desc' },`,
    ...(rng.chance(0.7) ? [`      skip: filter.skip,`, `      take: filter.take ?? 50,`] : []),
    `    }) as unknown as Promise<${e.name}[]>;`,
    `  }`,
    '',
    `  findById(id: string): Promise<${e.name} | null> {`,
    `    return this.prisma.${e.delegate}.findUnique({ where: { id } }) as unknown as Promise<${e.name} | null>;`,
    `  }`,
    '',
    `  count(filter: { status?: string } = {}) {`,
    `    return this.prisma.${e.delegate}.count({ where: filter as Prisma.${e.name}WhereInput });`,
    `  }`,
    '',
    `  create(data: Partial<${e.name}>) {`,
    `    return this.prisma.${e.delegate}.create({ data: data as Prisma.${e.name}CreateInput });`,
    `  }`,
    '',
    `  update(id: string, data: Partial<${e.name}>) {`,
    `    return this.prisma.${e.delegate}.update({ where: { id }, data: data as Prisma.${e.name}UpdateInput });`,
    `  }`,
    '',
    `  delete(id: string) {`,
    `    return this.prisma.${e.delegate}.delete({ where: { id } });`,
    `  }`,
  ];
  if (rng.chance(0.6)) {
    lines.push('', `  upsertBy${pascal(filterField)}(${filterField}: string, data: Partial<${e.name}>) {`,
      `    return this.prisma.${e.delegate}.upsert({`,
      `      where: { ${filterField} } as unknown as Prisma.${e.name}WhereUniqueInput,`,
      `      create: { ...data, ${filterField} } as Prisma.${e.name}CreateInput,`,
      `      update: data as Prisma.${e.name}UpdateInput,`,
      `    });`, `  }`);
  }
  lines.push('', `  async statsFor(id: string) {`,
    `    return this.prisma.$queryRaw<{ day: Date; total: number }[]>\``,
    `      SELECT date_trunc('day', t.created_at) AS day, count(*)::int AS total`,
    `      FROM "${e.table}" t`,
    `      WHERE t.id = \${id} OR t.${snake(filterField)} = \${id}`,
    `      GROUP BY 1`,
    `      ORDER BY 1 DESC`,
    `      LIMIT 90\`;`,
    `  }`);
  if (rng.chance(0.5)) {
    lines.push('', `  archiveMany(ids: string[]) {`,
      `    return this.prisma.$transaction(`,
      `      ids.map((id) => this.prisma.${e.delegate}.update({ where: { id }, data: { version: { increment: 1 } } as Prisma.${e.name}UpdateInput })),`,
      `    );`, `  }`);
  }
  if (rng.chance(0.12)) {
    lines.push('', `  searchByName(term: string) {`,
      `    // TODO: move to a tagged template`,
      `    return this.prisma.$queryRawUnsafe(\`SELECT * FROM "${e.table}" WHERE ${snake(filterField)} ILIKE '%\${term}%' LIMIT 20\`);`,
      `  }`);
  }
  if (rng.chance(0.3)) {
    lines.push('', `  touch(id: string) {`, `    return this.prisma.$executeRaw\`UPDATE "${e.table}" SET updated_at = now() WHERE id = \${id}\`;`, `  }`);
  }
  lines.push(`}`, '');
  return lines.join('\n');
}

function emitController(rng: Rng, mod: ModulePlan, name: string, path: string, services: ServicePlan[], admin: boolean): string {
  const routes: string[] = [];
  const imports = new Map<string, string>();
  const used = new Set<string>();
  const decorators = new Set(['Controller']);
  const params = new Set<string>();
  const routeCount = rng.longTail(3, 7, 18);
  const all = services.flatMap((s) => s.methods.map((m) => ({ s, m })));
  const byKind = (k: MethodKind) => all.filter((x) => x.m.kind === k);
  const plan: { verb: string; sub: string; target: { s: ServicePlan; m: MethodPlan } }[] = [];
  const crud: [string, string, MethodKind][] = [['Get', '', 'list'], ['Get', ':id', 'get'], ['Post', '', 'create'], ['Patch', ':id', 'update'], ['Delete', ':id', 'remove']];
  for (const [verb, sub, kind] of crud) {
    const t = byKind(kind)[0];
    if (t && plan.length < routeCount) plan.push({ verb, sub, target: t });
  }
  const others = all.filter((x) => !['list', 'get', 'create', 'update', 'remove'].includes(x.m.kind));
  const verbs = rng.sample(ACTION_VERBS, ACTION_VERBS.length);
  for (let i = 0; plan.length < routeCount && others.length && i < verbs.length; i++) {
    const t = others[i % others.length];
    plan.push({ verb: rng.pick(['Post', 'Post', 'Put', 'Get']), sub: `:id/${verbs[i]}`, target: t });
  }
  for (const { verb, sub, target } of plan) {
    const { s, m } = target;
    decorators.add(verb);
    let handler = m.kind === 'list' || m.kind === 'get' || m.kind === 'create' || m.kind === 'update' || m.kind === 'remove' ? m.kind === 'get' ? 'findOne' : m.kind : camel(sub.split('/')[1] ?? m.name);
    for (let n = 2; used.has(handler); n++) handler = `${handler.replace(/\d+$/, '')}${n}`;
    used.add(handler);
    const lines: string[] = [];
    lines.push(`  @${verb}(${sub ? `'${sub}'` : ''})`);
    if (rng.chance(0.4)) {
      lines.push(`  @ApiOperation({ summary: '${pascal(handler)} ${m.entity.kebab.replace(/-/g, ' ')}' })`);
      imports.set('ApiOperation', '@nestjs/swagger');
    }
    if (m.kind === 'create') {
      lines.push(`  @HttpCode(201)`);
      decorators.add('HttpCode');
    }
    if (!admin && rng.chance(0.15)) {
      lines.push(`  @UseGuards(RolesGuard)`);
      decorators.add('UseGuards');
      imports.set('RolesGuard', '@app/common/guards/roles.guard');
    }
    let sig: string;
    let call: string;
    switch (m.kind) {
      case 'list':
        sig = `@Query() query: ${dtoName('List', m.entity)}`; call = 'query'; params.add('Query');
        imports.set(dtoName('List', m.entity), `../${dtoFile('List', m.entity)}`);
        break;
      case 'create':
        sig = `@Body() dto: ${dtoName('Create', m.entity)}`; call = 'dto'; params.add('Body');
        imports.set(dtoName('Create', m.entity), `../${dtoFile('Create', m.entity)}`);
        break;
      case 'update':
        sig = `@Param('id', ParseUUIDPipe) id: string, @Body() dto: ${dtoName('Update', m.entity)}`; call = 'id, dto'; params.add('Param'); params.add('Body'); params.add('ParseUUIDPipe');
        imports.set(dtoName('Update', m.entity), `../${dtoFile('Update', m.entity)}`);
        break;
      case 'get': case 'remove': case 'cache': case 'raw':
        sig = `@Param('id') id: string`; call = 'id'; params.add('Param');
        break;
      default:
        if (verb === 'Get') {
          sig = `@Param('id') id: string`; call = 'id'; params.add('Param');
        } else {
          sig = `@Param('id') id: string, @Body() body: Record<string, unknown>`; call = 'id, body'; params.add('Param'); params.add('Body');
        }
    }
    lines.push(`  async ${handler}(${sig}) {`);
    if (rng.chance(0.2)) lines.push(`    this.logger.debug(\`${handler} \${JSON.stringify({ ${call} })}\`);`);
    lines.push(`    return this.${s.prop}.${m.name}(${call});`);
    lines.push(`  }`);
    routes.push(lines.join('\n'));
  }
  const head: string[] = [];
  head.push(`import { ${[...decorators, ...params, 'Logger'].sort().join(', ')} } from '@nestjs/common';`);
  const swagger = [...imports].filter(([, f]) => f === '@nestjs/swagger').map(([n]) => n);
  head.push(`import { ApiTags${swagger.length ? ', ' + swagger.join(', ') : ''} } from '@nestjs/swagger';`);
  if (admin) head.push(`import { AdminGuard } from '@app/common/guards/admin.guard';`);
  for (const [n, f] of [...imports].sort()) if (f !== '@nestjs/swagger') head.push(`import { ${n} } from '${f}';`);
  for (const s of services) head.push(`import { ${s.className} } from '../${s.file.slice(0, -3)}';`);
  if (admin && !decorators.has('UseGuards')) head[0] = head[0].replace(' } from', ', UseGuards } from');
  return [
    ...head,
    '',
    `@ApiTags('${mod.kebab}')`,
    ...(admin ? [`@UseGuards(AdminGuard)`] : []),
    `@Controller('${path}')`,
    `export class ${name} {`,
    `  private readonly logger = new Logger(${name}.name);`,
    '',
    `  constructor(${services.map((s) => `private readonly ${s.prop}: ${s.className}`).join(', ')}) {}`,
    '',
    routes.join('\n\n'),
    `}`,
    '',
  ].join('\n');
}

function emitDto(rng: Rng, kind: 'Create' | 'Update' | 'List' | 'Response', e: EntityPlan): string {
  const name = dtoName(kind, e);
  const validators = new Set<string>();
  const body: string[] = [];
  if (kind === 'Update') {
    return [
      `import { PartialType } from '@nestjs/swagger';`,
      `import { IsInt, IsOptional } from 'class-validator';`,
      `import { Create${e.name}Dto } from './create-${e.kebab}.dto';`,
      '',
      `export class ${name} extends PartialType(Create${e.name}Dto) {`,
      `  @IsOptional()`,
      `  @IsInt()`,
      `  version?: number;`,
      `}`,
      '',
    ].join('\n');
  }
  if (kind === 'List') {
    return [
      `import { Type } from 'class-transformer';`,
      `import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';`,
      '',
      `export class ${name} {`,
      `  @IsOptional()`,
      `  @Type(() => Number)`,
      `  @IsInt()`,
      `  @Min(1)`,
      `  page?: number;`,
      '',
      `  @IsOptional()`,
      `  @Type(() => Number)`,
      `  @IsInt()`,
      `  @Min(1)`,
      `  @Max(${rng.pick([100, 200, 500])})`,
      `  pageSize?: number;`,
      '',
      `  @IsOptional()`,
      `  @IsString()`,
      `  status?: string;`,
      '',
      `  @IsOptional()`,
      `  @IsIn([${e.fields.slice(0, 4).map((f) => `'${f.name}'`).join(', ') || "'createdAt'"}, 'createdAt'])`,
      `  sortBy?: string;`,
      `}`,
      '',
    ].join('\n');
  }
  for (const f of e.fields) {
    if (kind === 'Response') {
      body.push(`  @ApiProperty(${f.optional ? '{ required: false }' : ''})`, `  ${f.name}${f.optional ? '?' : '!'}: ${f.ts};`, '');
      continue;
    }
    for (const v of f.validators) {
      validators.add(v.slice(1, v.indexOf('(')));
      body.push(`  ${v}`);
    }
    body.push(`  ${f.name}${f.optional ? '?' : '!'}: ${f.ts};`, '');
  }
  const nested = kind === 'Create' && rng.chance(0.25);
  if (nested) {
    validators.add('ValidateNested');
    validators.add('IsArray');
    body.push(`  @IsArray()`, `  @ValidateNested({ each: true })`, `  @Type(() => ${e.name}LineDto)`, `  lines!: ${e.name}LineDto[];`, '');
  }
  const out: string[] = [];
  if (kind === 'Response') out.push(`import { ApiProperty } from '@nestjs/swagger';`, '');
  else {
    if (nested) out.push(`import { Type } from 'class-transformer';`);
    out.push(`import { ${[...validators].sort().join(', ')} } from 'class-validator';`, '');
  }
  if (nested) {
    out.push(`export class ${e.name}LineDto {`, `  @IsString()`, `  sku!: string;`, '', `  @IsInt()`, `  @Min(1)`, `  quantity!: number;`, `}`, '');
  }
  out.push(`export class ${name} {`, ...body.slice(0, -1), `}`, '');
  let text = out.join('\n');
  if (nested) {
    const need = ['IsString', 'IsInt', 'Min'].filter((v) => !validators.has(v));
    if (need.length) text = text.replace(` } from 'class-validator';`, `, ${need.join(', ')} } from 'class-validator';`);
  }
  return text;
}

function emitEntity(rng: Rng, e: EntityPlan): string {
  const lines = [`export class ${e.name} {`, `  id!: string;`, `  createdAt!: Date;`, `  updatedAt!: Date;`];
  const documented = rng.chance(0.6);
  for (const f of e.fields) {
    if (documented) lines.push('', `  /** ${pascal(f.name).replace(/([a-z])([A-Z])/g, '$1 $2')} of the ${e.kebab.replace(/-/g, ' ')}${f.optional ? ' (optional)' : ''}. */`);
    lines.push(`  ${f.name}${f.optional ? '?' : '!'}: ${f.ts}${f.optional ? ' | null' : ''};`);
  }
  lines.push(`}`, '');
  if (e.fields.some((f) => f.name === 'status')) lines.push(`export enum ${e.name}Status {`, `  Pending = 'pending',`, `  Active = 'active',`, `  Archived = 'archived',`, `}`, '');
  if (rng.chance(0.5)) lines.push(`export type ${e.name}Summary = Pick<${e.name}, 'id' | 'createdAt'${e.fields.slice(0, 2).map((f) => ` | '${f.name}'`).join('')}>;`, '');
  if (rng.chance(0.4)) {
    lines.push(`export function is${e.name}(value: unknown): value is ${e.name} {`, `  return typeof value === 'object' && value !== null && 'id' in value && 'createdAt' in value;`, `}`, '');
  }
  return lines.join('\n');
}

function emitUtil(rng: Rng, mod: ModulePlan, idx: number): string {
  const lines: string[] = [];
  const fnCount = rng.longTail(2, 6, 30);
  const big = rng.chance(0.01);
  for (let i = 0; i < fnCount; i++) {
    const n = `${rng.pick(['format', 'parse', 'compute', 'normalize', 'validate', 'group', 'merge', 'diff', 'clamp', 'mask'])}${pascal(singular(mod.domain))}${rng.pick(['Key', 'Label', 'Window', 'Amount', 'Range', 'Payload', 'Codes', 'Totals'])}${i}`;
    switch (i % 4) {
      case 0:
        lines.push(`export function ${n}(input: string): string {`, `  return input`, `    .trim()`, `    .toLowerCase()`, `    .replace(/[^a-z0-9]+/g, '-')`, `    .replace(/^-+|-+$/g, '');`, `}`, '');
        break;
      case 1:
        lines.push(`export function ${n}(values: number[], min = 0, max = Number.MAX_SAFE_INTEGER): number {`, `  const total = values.reduce((acc, v) => acc + v, 0);`, `  return Math.min(max, Math.max(min, total));`, `}`, '');
        break;
      case 2:
        lines.push(`export function ${n}<T extends { id: string }>(items: T[]): Map<string, T[]> {`, `  const out = new Map<string, T[]>();`, `  for (const item of items) {`, `    const key = item.id.slice(0, ${rng.int(2, 6)});`, `    const bucket = out.get(key) ?? [];`, `    bucket.push(item);`, `    out.set(key, bucket);`, `  }`, `  return out;`, `}`, '');
        break;
      default:
        lines.push(`export const ${n} = (a: Record<string, unknown>, b: Record<string, unknown>) =>`, `  Object.keys({ ...a, ...b }).filter((k) => a[k] !== b[k]);`, '');
    }
  }
  if (big) {
    lines.push(`export const ${camel(mod.domain)}LookupTable${idx} = [`);
    for (let i = 0; i < 1200; i++) lines.push(`  { code: '${mod.kebab.toUpperCase().slice(0, 3)}${String(i).padStart(4, '0')}', weight: ${rng.int(1, 999)}, label: '${pascal(mod.domain)} ${i}' },`);
    lines.push(`] as const;`, '');
  }
  return lines.join('\n');
}

function emitSpec(rng: Rng, mod: ModulePlan, svc: ServicePlan): string {
  const lines = [
    `import { Test } from '@nestjs/testing';`,
    `import { ${svc.className} } from '../${svc.file.slice(0, -3)}';`,
    ...svc.entities.map((e) => `import { ${e.name}Repository } from '../repositories/${e.kebab}.repository';`),
    '',
    `describe('${svc.className}', () => {`,
    `  let service: ${svc.className};`,
    ...svc.entities.map((e) => `  const ${e.camel}Repository = { findMany: jest.fn(), findById: jest.fn(), create: jest.fn(), update: jest.fn(), delete: jest.fn(), count: jest.fn() };`),
    '',
    `  beforeEach(async () => {`,
    `    const moduleRef = await Test.createTestingModule({`,
    `      providers: [`,
    `        ${svc.className},`,
    ...svc.entities.map((e) => `        { provide: ${e.name}Repository, useValue: ${e.camel}Repository },`),
    `      ],`,
    `    }).compile();`,
    `    service = moduleRef.get(${svc.className});`,
    `  });`,
  ];
  const cases = rng.longTail(2, 7, 30);
  for (let i = 0; i < cases; i++) {
    const m = svc.methods[i % svc.methods.length];
    const repo = `${m.entity.camel}Repository`;
    lines.push('', `  it('${m.name} ${rng.pick(['returns the expected shape', 'handles an empty result', 'propagates repository errors', 'is idempotent'])} (#${i})', async () => {`,
      `    ${repo}.findMany.mockResolvedValue([{ id: 'a' }, { id: 'b' }]);`,
      `    ${repo}.findById.mockResolvedValue({ id: 'a', version: 1 });`,
      `    ${repo}.create.mockImplementation(async (data: Record<string, unknown>) => ({ id: 'new', ...data }));`,
      `    const result = await Promise.resolve((service as any).${m.name}('a', {}));`,
      `    expect(result).toBeDefined();`,
      `  });`);
  }
  lines.push(`});`, '');
  return lines.join('\n');
}

function emitModuleFile(mod: ModulePlan, controllers: { name: string; file: string }[], extras: { name: string; file: string }[]): string {
  const lines = [
    `import { Module${mod.services.some((s) => s.crossDeps.some((d) => d.index < mod.index)) ? ', forwardRef' : ''} } from '@nestjs/common';`,
    ...(mod.queue ? [`import { BullModule } from '@nestjs/bullmq';`] : []),
    `import { PrismaModule } from '@app/common/prisma/prisma.module';`,
    ...controllers.map((c) => `import { ${c.name} } from './${c.file.slice(0, -3)}';`),
    ...mod.services.map((s) => `import { ${s.className} } from './${s.file.slice(0, -3)}';`),
    ...mod.entities.map((e) => `import { ${e.name}Repository } from './repositories/${e.kebab}.repository';`),
    ...extras.map((x) => `import { ${x.name} } from './${x.file.slice(0, -3)}';`),
  ];
  const deps = [...new Set(mod.services.flatMap((s) => s.crossDeps))];
  for (const d of deps) lines.push(`import { ${d.pascal}Module } from '@modules/${d.kebab}/${d.kebab}.module';`);
  lines.push('', `@Module({`, `  imports: [`, `    PrismaModule,`);
  if (mod.queue) lines.push(`    BullModule.registerQueue({ name: '${mod.queue}' }),`);
  for (const d of deps) lines.push(d.index < mod.index ? `    forwardRef(() => ${d.pascal}Module),` : `    ${d.pascal}Module,`);
  lines.push(`  ],`, `  controllers: [${controllers.map((c) => c.name).join(', ')}],`,
    `  providers: [`, ...mod.services.map((s) => `    ${s.className},`), ...mod.entities.map((e) => `    ${e.name}Repository,`), ...extras.map((x) => `    ${x.name},`), `  ],`,
    `  exports: [${mod.main.className}],`, `})`, `export class ${mod.pascal}Module {}`, '');
  return lines.join('\n');
}

function emitProcessor(rng: Rng, mod: ModulePlan): string {
  return [
    `import { Processor, WorkerHost } from '@nestjs/bullmq';`,
    `import { Logger } from '@nestjs/common';`,
    `import { Job } from 'bullmq';`,
    `import { ${mod.main.className} } from './${mod.main.file.slice(0, -3)}';`,
    '',
    `@Processor('${mod.queue}', { concurrency: ${rng.pick([1, 5, 10, 25])} })`,
    `export class ${mod.pascal}Processor extends WorkerHost {`,
    `  private readonly logger = new Logger(${mod.pascal}Processor.name);`,
    '',
    `  constructor(private readonly ${mod.main.prop}: ${mod.main.className}) {`,
    `    super();`,
    `  }`,
    '',
    `  async process(job: Job<{ id: string }>) {`,
    `    this.logger.log(\`processing \${job.name} \${job.id}\`);`,
    `    switch (job.name) {`,
    ...mod.main.methods.slice(0, 6).map((m) => `      case '${kebab(m.name)}':\n        return this.${mod.main.prop}.${m.name}(job.data.id${m.kind === 'list' ? ' as never' : ''});`),
    `      default:`,
    `        this.logger.warn(\`unknown job \${job.name}\`);`,
    `        return undefined;`,
    `    }`,
    `  }`,
    `}`,
    '',
  ].join('\n');
}

function emitCron(rng: Rng, mod: ModulePlan): string {
  const e = mod.entities[0];
  return [
    `import { Injectable, Logger } from '@nestjs/common';`,
    `import { Cron, CronExpression } from '@nestjs/schedule';`,
    `import { ${e.name}Repository } from './repositories/${e.kebab}.repository';`,
    '',
    `@Injectable()`,
    `export class ${mod.pascal}Cron {`,
    `  private readonly logger = new Logger(${mod.pascal}Cron.name);`,
    '',
    `  constructor(private readonly ${e.camel}Repository: ${e.name}Repository) {}`,
    '',
    `  @Cron(${rng.pick(['CronExpression.EVERY_5_MINUTES', 'CronExpression.EVERY_HOUR', "'0 3 * * *'"])})`,
    `  async reapStale${plural(e.name)}() {`,
    `    const stale = await this.${e.camel}Repository.findMany({ status: 'pending' });`,
    `    for (const row of stale) {`,
    `      await this.${e.camel}Repository.update(row.id, { version: 0 });`,
    `    }`,
    `    this.logger.log(\`reaped \${stale.length}\`);`,
    `  }`,
    `}`,
    '',
  ].join('\n');
}

function emitEmailTemplate(mod: ModulePlan, e: EntityPlan): string {
  return [
    `import * as React from 'react';`,
    '',
    `export interface ${e.name}EmailProps {`,
    `  recipient: string;`,
    `  items: { id: string; label: string }[];`,
    `}`,
    '',
    `export function ${e.name}Email({ recipient, items }: ${e.name}EmailProps) {`,
    `  return (`,
    `    <html>`,
    `      <body style={{ fontFamily: 'sans-serif' }}>`,
    `        <h1>Hello {recipient}</h1>`,
    `        <p>Your ${mod.kebab} update is ready.</p>`,
    `        <ul>`,
    `          {items.map((item) => (`,
    `            <li key={item.id}>{item.label}</li>`,
    `          ))}`,
    `        </ul>`,
    `      </body>`,
    `    </html>`,
    `  );`,
    `}`,
    '',
  ].join('\n');
}

function emitLegacyJs(rng: Rng, mod: ModulePlan): string {
  return [
    `'use strict';`,
    '',
    `const crypto = require('crypto');`,
    '',
    `function sign${mod.pascal}Payload(payload, secret = process.env.${snake(mod.domain).toUpperCase()}_SIGNING_SECRET || 'changeme') {`,
    `  return crypto.createHmac('sha256', secret).update(JSON.stringify(payload)).digest('hex');`,
    `}`,
    '',
    `function verify${mod.pascal}Payload(payload, signature, secret) {`,
    `  const expected = sign${mod.pascal}Payload(payload, secret);`,
    `  return crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(String(signature)));`,
    `}`,
    '',
    `module.exports = { sign${mod.pascal}Payload, verify${mod.pascal}Payload, VERSION: ${rng.int(1, 9)} };`,
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------
// SQL: migrations and schema.prisma

function sqlColumns(e: EntityPlan): string[] {
  return [
    `  "id" UUID PRIMARY KEY DEFAULT gen_random_uuid(),`,
    `  "created_at" TIMESTAMPTZ NOT NULL DEFAULT now(),`,
    `  "updated_at" TIMESTAMPTZ NOT NULL DEFAULT now(),`,
    ...e.fields.map((f) => `  "${snake(f.name)}" ${f.sql},`),
  ];
}

function tableSql(rng: Rng, e: EntityPlan): string[] {
  const cols = sqlColumns(e);
  cols[cols.length - 1] = cols[cols.length - 1].replace(/,$/, '');
  const lines = [`CREATE TABLE IF NOT EXISTS "${e.table}" (`, ...cols, `);`, ''];
  for (const f of e.fields) lines.push(`COMMENT ON COLUMN "${e.table}"."${snake(f.name)}" IS '${f.name} of the ${e.kebab.replace(/-/g, ' ')}';`);
  lines.push('');
  lines.push(`CREATE INDEX IF NOT EXISTS "${e.table}_created_at_idx" ON "${e.table}" ("created_at" DESC);`);
  for (const f of rng.sample(e.fields.filter((x) => !x.ts.endsWith('[]') && x.ts !== 'Record<string, unknown>'), rng.int(1, 4))) {
    lines.push(`CREATE ${f.name === 'code' || f.name === 'slug' ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS "${e.table}_${snake(f.name)}_idx" ON "${e.table}" ("${snake(f.name)}");`);
  }
  if (e.fields.some((f) => f.name === 'organizationId')) lines.push(`ALTER TABLE "${e.table}" ADD CONSTRAINT "${e.table}_organization_fk" FOREIGN KEY ("organization_id") REFERENCES "organization" ("id") ON DELETE CASCADE;`);
  lines.push('');
  return lines;
}

function emitMigration(rng: Rng, id: string, mod: ModulePlan | undefined, tables: EntityPlan[], extraLines: number): string {
  const up: string[] = [`-- ${id}`, `BEGIN;`, ''];
  for (const e of tables) up.push(...tableSql(rng, e));
  for (let i = 0; i < extraLines; i++) {
    const e = rng.pick(tables);
    up.push(`INSERT INTO "${e.table}" ("id", "created_at") VALUES ('${hashSeed(id + i).toString(16).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}', now()) ON CONFLICT DO NOTHING;`);
  }
  up.push(`COMMIT;`);
  const down = tables.map((e) => `DROP TABLE IF EXISTS "${e.table}" CASCADE;`);
  const className = pascal(id.replace(/^\d+_/, ''));
  return [
    `import type { Migration } from '../migration.types';`,
    '',
    `// ${mod ? `Tables of the ${mod.kebab} module.` : 'Baseline schema.'} Applied by scripts/migrate.mjs in CI and at deploy.`,
    `export const ${className}: Migration = {`,
    `  id: '${id}',`,
    `  up: \``,
    ...up.map((l) => l.replace(/`/g, '\\`')),
    `\`,`,
    `  down: \``,
    ...down,
    `\`,`,
    `};`,
    '',
    `export default ${className};`,
    '',
  ].join('\n');
}

function emitPrismaSchema(modules: ModulePlan[]): string {
  const lines = [
    `generator client {`,
    `  provider = "prisma-client-js"`,
    `}`,
    '',
    `datasource db {`,
    `  provider = "postgresql"`,
    `  url      = env("DATABASE_URL")`,
    `}`,
    '',
  ];
  for (const mod of modules) {
    for (const e of mod.entities) {
      lines.push(`/// ${mod.kebab}`, `model ${e.name} {`, `  id        String   @id @default(uuid())`, `  createdAt DateTime @default(now()) @map("created_at")`, `  updatedAt DateTime @updatedAt @map("updated_at")`);
      for (const f of e.fields) lines.push(`  ${f.name.padEnd(9)} ${f.prisma.padEnd(8)}${snake(f.name) !== f.name ? ` @map("${snake(f.name)}")` : ''}${f.name === 'code' || f.name === 'slug' ? ' @unique' : ''}`);
      lines.push('', `  @@index([createdAt])`);
      const idx = e.fields.find((f) => f.name === 'status' || f.name === 'userId' || f.name === 'organizationId');
      if (idx) lines.push(`  @@index([${idx.name}])`);
      lines.push(`  @@map("${e.table}")`, `}`, '');
    }
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------
// Shared libraries and the app shell

function emitCommon(rng: Rng, files: Map<string, string>, modules: ModulePlan[]): void {
  const c = 'libs/common/src';
  files.set(`${c}/prisma/prisma.service.ts`, [
    `import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';`,
    `import { PrismaClient } from '@prisma/client';`,
    '',
    `@Injectable()`,
    `export class PrismaService extends PrismaClient implements OnModuleInit, OnModuleDestroy {`,
    `  constructor() {`,
    `    super({ datasources: { db: { url: process.env.DATABASE_URL } }, log: ['warn', 'error'] });`,
    `  }`,
    '',
    `  async onModuleInit() {`,
    `    await this.$connect();`,
    `  }`,
    '',
    `  async onModuleDestroy() {`,
    `    await this.$disconnect();`,
    `  }`,
    `}`,
    '',
  ].join('\n'));
  files.set(`${c}/prisma/prisma.module.ts`, `import { Global, Module } from '@nestjs/common';\nimport { PrismaService } from './prisma.service';\n\n@Global()\n@Module({ providers: [PrismaService], exports: [PrismaService] })\nexport class PrismaModule {}\n`);
  files.set(`${c}/redis/redis.decorator.ts`, `import { Inject } from '@nestjs/common';\n\nexport const REDIS = Symbol('REDIS');\nexport const InjectRedis = () => Inject(REDIS);\n`);
  files.set(`${c}/redis/redis.module.ts`, [
    `import { Global, Module } from '@nestjs/common';`,
    `import Redis from 'ioredis';`,
    `import { REDIS } from './redis.decorator';`,
    '',
    `@Global()`,
    `@Module({`,
    `  providers: [{ provide: REDIS, useFactory: () => new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379', { maxRetriesPerRequest: 3 }) }],`,
    `  exports: [REDIS],`,
    `})`,
    `export class RedisModule {}`,
    '',
  ].join('\n'));
  files.set(`${c}/utils/retry.ts`, [
    `export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));`,
    '',
    `export interface RetryOptions {`,
    `  retries: number;`,
    `  baseDelayMs: number;`,
    `  jitter?: boolean;`,
    `}`,
    '',
    `export async function retryWithBackoff<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {`,
    `  let lastError: unknown;`,
    `  for (let attempt = 0; attempt <= options.retries; attempt++) {`,
    `    try {`,
    `      return await fn();`,
    `    } catch (error) {`,
    `      lastError = error;`,
    `      const delay = options.baseDelayMs * 2 ** attempt;`,
    `      await sleep(options.jitter ? Math.random() * delay : delay);`,
    `    }`,
    `  }`,
    `  throw lastError;`,
    `}`,
    '',
  ].join('\n'));
  files.set(`${c}/http/http-client.ts`, `import axios from 'axios';\n\nexport const httpClient = axios.create({ timeout: 10_000, headers: { 'user-agent': 'platform/1.0' } });\n`);
  files.set(`${c}/config/jwt.config.ts`, `export const jwtConfig = {\n  secret: process.env.JWT_SECRET || 'dev-secret-change-me',\n  expiresIn: process.env.JWT_EXPIRES_IN ?? '1h',\n};\n`);
  for (const g of ['auth', 'roles', 'admin', 'api-key', 'throttle']) {
    files.set(`${c}/guards/${g}.guard.ts`, [
      `import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';`,
      '',
      `@Injectable()`,
      `export class ${pascal(g)}Guard implements CanActivate {`,
      `  canActivate(context: ExecutionContext): boolean {`,
      `    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();`,
      `    return Boolean(request.headers['${g === 'api-key' ? 'x-api-key' : 'authorization'}']);`,
      `  }`,
      `}`,
      '',
    ].join('\n'));
  }
  for (const name of ['logging', 'timeout', 'transform', 'cache', 'metrics']) {
    files.set(`${c}/interceptors/${name}.interceptor.ts`, [
      `import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';`,
      `import { Observable${name === 'timeout' ? ', timeout' : ', tap'} } from 'rxjs';`,
      '',
      `@Injectable()`,
      `export class ${pascal(name)}Interceptor implements NestInterceptor {`,
      `  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {`,
      name === 'timeout' ? `    return next.handle().pipe(timeout(${rng.pick([5000, 15000, 29000])}));` : `    const started = Date.now();\n    return next.handle().pipe(tap(() => context.switchToHttp().getResponse().setHeader('x-elapsed', String(Date.now() - started))));`,
      `  }`,
      `}`,
      '',
    ].join('\n'));
  }
  // a generated-looking API client types file (large, real repos have these)
  const api: string[] = [`// API contract types shared with the web client.`, ''];
  for (const mod of modules) {
    for (const e of mod.entities) {
      api.push(`export interface ${e.name}Payload {`, `  id: string;`, ...e.fields.map((f) => `  ${f.name}${f.optional ? '?' : ''}: ${f.ts === 'Date' ? 'string' : f.ts};`), `}`, '');
    }
  }
  files.set(`${c}/contracts/api-types.ts`, api.join('\n'));
  const countries: string[] = [`export const COUNTRIES = [`];
  for (let i = 0; i < 1100; i++) countries.push(`  { code: '${String.fromCharCode(65 + (i % 26), 65 + (Math.floor(i / 26) % 26))}', name: 'Country ${i}', dialCode: '+${rng.int(1, 999)}', currency: '${String.fromCharCode(65 + (i % 26), 65 + ((i * 7) % 26), 65 + ((i * 3) % 26))}' },`);
  countries.push(`] as const;`, '', `export type CountryCode = (typeof COUNTRIES)[number]['code'];`, '');
  files.set(`${c}/constants/countries.ts`, countries.join('\n'));
  const helperNames = ['dates', 'money', 'strings', 'arrays', 'objects', 'pagination', 'ids', 'hashing', 'env', 'errors', 'http-errors', 'validation', 'sorting', 'time-zones', 'feature-flags', 'csv', 'json', 'urls', 'phone', 'emails'];
  for (const h of helperNames) {
    const r = new Rng(hashSeed(`common:${h}`));
    files.set(`${c}/utils/${h}.ts`, emitUtil(r, { domain: h, kebab: h, pascal: pascal(h) } as ModulePlan, 0));
    files.set(`${c}/utils/${h}.spec.ts`, [`import * as helpers from './${h}';`, '', `describe('${h}', () => {`, `  it('exports helpers', () => {`, `    expect(Object.keys(helpers).length).toBeGreaterThan(0);`, `  });`, `});`, ''].join('\n'));
  }
  files.set(`${c}/index.ts`, [...helperNames.map((h) => `export * from './utils/${h}';`), `export * from './utils/retry';`, `export * from './prisma/prisma.service';`, ''].join('\n'));
  files.set(`libs/common/src/types/express.d.ts`, `declare namespace Express {\n  interface Request {\n    user?: { id: string; roles: string[] };\n    requestId?: string;\n  }\n}\n`);
  files.set(`libs/common/src/types/env.d.ts`, `declare namespace NodeJS {\n  interface ProcessEnv {\n    DATABASE_URL: string;\n    REDIS_URL?: string;\n    JWT_SECRET?: string;\n  }\n}\n`);
}

function emitShell(rng: Rng, files: Map<string, string>, modules: ModulePlan[]): void {
  files.set('apps/api/src/main.ts', [
    `import { ValidationPipe } from '@nestjs/common';`,
    `import { NestFactory } from '@nestjs/core';`,
    `import { AppModule } from './app.module';`,
    '',
    `async function bootstrap() {`,
    `  const app = await NestFactory.create(AppModule);`,
    `  app.enableCors({ origin: '*' });`,
    `  app.useGlobalPipes(new ValidationPipe({ whitelist: true, transform: true }));`,
    `  await app.listen(process.env.PORT ?? 3000);`,
    `}`,
    '',
    `void bootstrap();`,
    '',
  ].join('\n'));
  files.set('apps/api/src/app.module.ts', [
    `import { Module } from '@nestjs/common';`,
    `import { ConfigModule } from '@nestjs/config';`,
    `import { ScheduleModule } from '@nestjs/schedule';`,
    `import { BullModule } from '@nestjs/bullmq';`,
    `import { PrismaModule } from '@app/common/prisma/prisma.module';`,
    `import { RedisModule } from '@app/common/redis/redis.module';`,
    `import { HealthController } from './health/health.controller';`,
    ...modules.map((m) => `import { ${m.pascal}Module } from '@modules/${m.kebab}/${m.kebab}.module';`),
    '',
    `@Module({`,
    `  imports: [`,
    `    ConfigModule.forRoot({ isGlobal: true }),`,
    `    ScheduleModule.forRoot(),`,
    `    BullModule.forRoot({ connection: { url: process.env.REDIS_URL } }),`,
    `    PrismaModule,`,
    `    RedisModule,`,
    ...modules.map((m) => `    ${m.pascal}Module,`),
    `  ],`,
    `  controllers: [HealthController],`,
    `})`,
    `export class AppModule {}`,
    '',
  ].join('\n'));
  files.set('apps/api/src/health/health.controller.ts', `import { Controller, Get } from '@nestjs/common';\n\n@Controller('health')\nexport class HealthController {\n  @Get()\n  check() {\n    return { status: 'ok' };\n  }\n}\n`);
  files.set('apps/api/src/database/migration.types.ts', `export interface Migration {\n  id: string;\n  up: string;\n  down: string;\n}\n`);
  files.set('apps/worker/src/main.ts', [
    `import { NestFactory } from '@nestjs/core';`,
    `import { WorkerModule } from './worker.module';`,
    '',
    `async function bootstrap() {`,
    `  const app = await NestFactory.createApplicationContext(WorkerModule);`,
    `  app.enableShutdownHooks();`,
    `}`,
    '',
    `bootstrap();`,
    '',
  ].join('\n'));
  const queued = modules.filter((m) => m.queue);
  files.set('apps/worker/src/worker.module.ts', [
    `import { Module } from '@nestjs/common';`,
    `import { BullModule } from '@nestjs/bullmq';`,
    ...queued.map((m) => `import { ${m.pascal}Module } from '@modules/${m.kebab}/${m.kebab}.module';`),
    '',
    `@Module({`,
    `  imports: [BullModule.forRoot({ connection: { url: process.env.REDIS_URL } }), ${queued.map((m) => `${m.pascal}Module`).join(', ')}],`,
    `})`,
    `export class WorkerModule {}`,
    '',
  ].join('\n'));
  files.set('scripts/migrate.mjs', [
    `import { readdir } from 'node:fs/promises';`,
    `import { join } from 'node:path';`,
    '',
    `const dir = new URL('../apps/api/src/database/migrations/', import.meta.url);`,
    `const files = (await readdir(dir)).filter((f) => f.endsWith('.ts')).sort();`,
    `console.log(\`\${files.length} migrations in \${join(dir.pathname)}\`);`,
    '',
  ].join('\n'));
  files.set('scripts/check-env.cjs', `const required = ['DATABASE_URL', 'REDIS_URL'];\nconst missing = required.filter((k) => !process.env[k]);\nif (missing.length) {\n  console.error('missing env: ' + missing.join(', '));\n  process.exit(1);\n}\n`);
  files.set('scripts/seed.mjs', `import { PrismaClient } from '@prisma/client';\n\nconst prisma = new PrismaClient();\nawait prisma.$connect();\nawait prisma.$disconnect();\n`);
  files.set('jest.config.js', `module.exports = {\n  moduleFileExtensions: ['js', 'json', 'ts'],\n  testRegex: '.*\\\\.spec\\\\.ts$',\n  transform: { '^.+\\\\.(t|j)s$': 'ts-jest' },\n  testEnvironment: 'node',\n};\n`);
  files.set('.eslintrc.cjs', `module.exports = {\n  parser: '@typescript-eslint/parser',\n  plugins: ['@typescript-eslint'],\n  extends: ['plugin:@typescript-eslint/recommended'],\n  root: true,\n};\n`);
  files.set('.gitignore', 'node_modules/\ndist/\n.env\n');
  const deps = { '@nestjs/bullmq': '^10.1.0', '@nestjs/common': '^10.3.0', '@nestjs/config': '^3.2.0', '@nestjs/core': '^10.3.0', '@nestjs/schedule': '^4.0.0', '@nestjs/swagger': '^7.3.0', '@prisma/client': '^5.14.0', axios: '^1.6.8', bullmq: '^5.7.0', 'class-transformer': '^0.5.1', 'class-validator': '^0.14.1', ioredis: '^5.4.1', react: '^18.3.1', rxjs: '^7.8.1' };
  files.set('package.json', JSON.stringify({ name: 'synthetic-platform', private: true, version: '1.0.0', scripts: { build: 'nest build', 'start:api': 'node dist/apps/api/main.js', 'start:worker': 'node dist/apps/worker/main.js', test: 'jest' }, dependencies: deps, devDependencies: { '@nestjs/testing': '^10.3.0', jest: '^29.7.0', prisma: '^5.14.0', 'ts-jest': '^29.1.2', typescript: '^5.4.5' } }, null, 2) + '\n');
  files.set('tsconfig.json', JSON.stringify({
    compilerOptions: {
      module: 'commonjs', moduleResolution: 'node', target: 'ES2021', declaration: false, emitDecoratorMetadata: true, experimentalDecorators: true,
      allowSyntheticDefaultImports: true, esModuleInterop: true, sourceMap: true, outDir: './dist', baseUrl: './', incremental: true, skipLibCheck: true, strictNullChecks: true, jsx: 'react',
      paths: { '@app/common': ['libs/common/src'], '@app/common/*': ['libs/common/src/*'], '@modules/*': ['apps/api/src/modules/*'] },
    },
    include: ['apps/**/*', 'libs/**/*', 'scripts/**/*'],
    exclude: ['node_modules', 'dist'],
  }, null, 2) + '\n');
  files.set('docker-compose.yml', [
    `services:`,
    `  api:`, `    build: .`, `    command: node dist/apps/api/main.js`, `    environment:`, `      DATABASE_URL: postgres://app:app@postgres:5432/app`, `      REDIS_URL: redis://redis:6379`, `    depends_on: [postgres, redis]`,
    `  worker:`, `    build: .`, `    command: node dist/apps/worker/main.js`, `    depends_on: [postgres, redis]`,
    `  postgres:`, `    image: postgres:16`,
    `  redis:`, `    image: redis:7`,
    '',
  ].join('\n'));
}

// ---------------------------------------------------------------------------------------

export function buildFiles(seed = DEFAULT_SEED, moduleCount = DEFAULT_MODULES, targetFiles = DEFAULT_TARGET_FILES): Map<string, string> {
  const files = new Map<string, string>();
  const modules = planModules(seed, moduleCount);
  const rng = new Rng(hashSeed(`${seed}:shell`));
  emitShell(rng, files, modules);
  emitCommon(rng, files, modules);
  files.set('prisma/schema.prisma', emitPrismaSchema(modules));

  // migrations: one baseline (huge), one per module (a few hundred lines), some alterations
  const migDir = 'apps/api/src/database/migrations';
  const mRng = new Rng(hashSeed(`${seed}:migrations`));
  const allEntities = modules.flatMap((m) => m.entities);
  // migration ids are timestamps; computed from a fixed epoch (never the clock)
  let minutes = 0;
  const ts = () => new Date(Date.UTC(2023, 0, 1) + minutes * 60_000).toISOString().replace(/\D/g, '').slice(0, 14);
  let stamp = ts();
  files.set(`${migDir}/${stamp}_baseline.ts`, emitMigration(mRng, `${stamp}_baseline`, undefined, allEntities.slice(0, 40), 400));
  for (const mod of modules) {
    minutes += mRng.int(60, 60 * 24 * 9);
    stamp = ts();
    const id = `${stamp}_create_${snake(mod.domain)}_tables`;
    files.set(`${migDir}/${id}.ts`, emitMigration(mRng, id, mod, mod.entities, mRng.int(20, 120)));
    if (mRng.chance(0.25)) files.set(`prisma/migrations/${id}/migration.sql`, mod.entities.flatMap((e) => tableSql(mRng, e)).join('\n'));
    if (mRng.chance(0.6)) {
      minutes += mRng.int(30, 60 * 24 * 3);
      stamp = ts();
      const alter = `${stamp}_alter_${snake(mod.domain)}`;
      files.set(`${migDir}/${alter}.ts`, emitMigration(mRng, alter, mod, mRng.sample(mod.entities, 1), mRng.int(5, 40)));
    }
  }
  minutes += 60 * 24;
  stamp = ts();
  files.set(`${migDir}/${stamp}_partitioned_events.ts`, emitMigration(mRng, `${stamp}_partitioned_events`, undefined, allEntities.slice(40, 100), 900));

  // modules: scale the per-module file mix so the whole tree lands near targetFiles
  const fixed = files.size;
  const perModule = Math.max(20, (targetFiles - fixed) / modules.length);
  const scale = perModule / 77;
  const span = (lo: number, hi: number, r: Rng) => Math.max(1, Math.round(r.int(lo, hi) * scale));
  for (const mod of modules) {
    const r = mod.rng;
    const d = mod.dir;
    for (const svc of mod.services) files.set(`${d}/${svc.file}`, emitService(r, mod, svc));
    for (const e of mod.entities) {
      files.set(`${d}/repositories/${e.kebab}.repository.ts`, emitRepository(r, mod, e));
      files.set(`${d}/entities/${e.kebab}.entity.ts`, emitEntity(r, e));
      for (const k of ['Create', 'Update', 'List'] as const) files.set(`${d}/${dtoFile(k, e)}.ts`, emitDto(r, k, e));
      if (r.chance(0.4)) files.set(`${d}/${dtoFile('Response', e)}.ts`, emitDto(r, 'Response', e));
    }
    const controllers: { name: string; file: string }[] = [];
    const addController = (name: string, file: string, path: string, svcs: ServicePlan[], admin: boolean) => {
      controllers.push({ name, file });
      files.set(`${d}/${file}`, emitController(r, mod, name, path, svcs, admin));
    };
    addController(`${mod.pascal}Controller`, `controllers/${mod.kebab}.controller.ts`, mod.kebab, [mod.main], false);
    const wantControllers = span(3, 7, r);
    for (const e of mod.entities.slice(1)) {
      if (controllers.length >= wantControllers) break;
      const svcs = mod.services.filter((s) => s.entities.includes(e)).slice(0, 2);
      if (svcs.length) addController(`${e.name}Controller`, `controllers/${e.kebab}.controller.ts`, `${mod.kebab}/${kebab(plural(e.name))}`, svcs, false);
    }
    if (r.chance(0.5)) addController(`${mod.pascal}AdminController`, `controllers/${mod.kebab}-admin.controller.ts`, `admin/${mod.kebab}`, mod.services.slice(0, 2), true);
    const extras: { name: string; file: string }[] = [];
    if (mod.queue) {
      files.set(`${d}/${mod.kebab}.processor.ts`, emitProcessor(r, mod));
      extras.push({ name: `${mod.pascal}Processor`, file: `${mod.kebab}.processor.ts` });
    }
    if (mod.hasCron) {
      files.set(`${d}/${mod.kebab}.cron.ts`, emitCron(r, mod));
      extras.push({ name: `${mod.pascal}Cron`, file: `${mod.kebab}.cron.ts` });
    }
    files.set(`${d}/${mod.kebab}.module.ts`, emitModuleFile(mod, controllers, extras));
    const utilCount = span(4, 10, r);
    for (let i = 0; i < utilCount; i++) files.set(`${d}/utils/${mod.kebab}-${['helpers', 'format', 'rules', 'mappers', 'guards', 'math', 'time', 'keys', 'filters', 'codes', 'parsers', 'ranges'][i % 12]}${i >= 12 ? '-' + i : ''}.ts`, emitUtil(r, mod, i));
    const specCount = span(10, 20, r);
    const aspects = ['', 'queries', 'commands', 'errors', 'edge-cases', 'integration', 'events', 'permissions'];
    for (let i = 0; i < specCount; i++) {
      const svc = mod.services[i % mod.services.length];
      const aspect = aspects[Math.floor(i / mod.services.length) % aspects.length];
      const round = Math.floor(i / (mod.services.length * aspects.length));
      files.set(`${d}/__tests__/${svc.file.slice('services/'.length, -'.ts'.length)}${aspect ? '.' + aspect : ''}${round ? '-' + round : ''}.spec.ts`, emitSpec(r, mod, svc));
    }
    // extra DTO variants (bulk/filter/export payloads), so DTO folders reach realistic sizes
    const extraDtos = span(0, 6, r);
    for (let i = 0; i < extraDtos; i++) {
      const e = mod.entities[i % mod.entities.length];
      const variant = ['Bulk', 'Export', 'Import', 'Filter', 'Summary'][Math.floor(i / mod.entities.length) % 5];
      files.set(`${d}/dto/${kebab(variant)}-${e.kebab}.dto.ts`, emitDto(r, 'Create', e).replace(new RegExp(`Create${e.name}Dto`, 'g'), `${variant}${e.name}Dto`).replace(new RegExp(`${e.name}LineDto`, 'g'), `${variant}${e.name}LineDto`));
    }
    files.set(`${d}/${mod.kebab}.constants.ts`, [`export const ${snake(mod.domain).toUpperCase()}_QUEUE = '${mod.queue ?? 'none'}';`, `export const ${snake(mod.domain).toUpperCase()}_PAGE_SIZE = ${r.pick([20, 25, 50, 100])};`, `export const ${snake(mod.domain).toUpperCase()}_CACHE_TTL_SECONDS = ${r.pick([30, 60, 300])};`, ''].join('\n'));
    files.set(`${d}/index.ts`, [`export * from './${mod.kebab}.module';`, `export * from './${mod.main.file.slice(0, -3)}';`, ...mod.entities.map((e) => `export * from './entities/${e.kebab}.entity';`), ''].join('\n'));
    if (r.chance(0.2)) files.set(`${d}/templates/${mod.entities[0].kebab}-email.tsx`, emitEmailTemplate(mod, mod.entities[0]));
    if (r.chance(0.15)) files.set(`${d}/legacy/${mod.kebab}-signing.js`, emitLegacyJs(r, mod));
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function sourceHash(): string {
  const h = createHash('sha1');
  for (const f of ['generate.ts', 'prng.ts']) h.update(readFileSync(join(HERE, f)));
  return h.digest('hex').slice(0, 12);
}

function stampPath(out: string): string {
  return `${out.replace(/[\\/]+$/, '')}.stamp.json`;
}

/** Generates the tree into `out` unless an up-to-date copy is already there. */
export function ensureSynthetic(options: GenerateOptions & { force?: boolean } = {}): GenerateStats {
  const out = resolve(options.out ?? DEFAULT_OUT);
  const seed = options.seed ?? DEFAULT_SEED;
  const modules = options.modules ?? DEFAULT_MODULES;
  const targetFiles = options.targetFiles ?? DEFAULT_TARGET_FILES;
  const hash = sourceHash();
  const stamp = stampPath(out);
  if (!options.force && existsSync(stamp) && existsSync(out)) {
    try {
      const prev = JSON.parse(readFileSync(stamp, 'utf8')) as GenerateStats & { modules: number; targetFiles: number };
      if (prev.generatorVersion === GENERATOR_VERSION && prev.sourceHash === hash && prev.seed === seed && prev.modules === modules && prev.targetFiles === targetFiles) {
        return { ...prev, dir: out, generated: false };
      }
    } catch {
      // unreadable stamp: regenerate
    }
  }
  const files = buildFiles(seed, modules, targetFiles);
  // Written beside the target and swapped in with renames, so a reader of the old tree
  // (another bench run, a scan) never sees a half-written one for more than an instant.
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  let bytes = 0;
  let lines = 0;
  const byExt: Record<string, number> = {};
  const sizes: { file: string; lines: number }[] = [];
  const dirs = new Set<string>();
  for (const [rel, text] of files) {
    const abs = join(tmp, rel);
    const dir = dirname(abs);
    if (!dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      dirs.add(dir);
    }
    writeFileSync(abs, text);
    bytes += Buffer.byteLength(text);
    const n = text.split('\n').length;
    lines += n;
    sizes.push({ file: rel, lines: n });
    const ext = rel.slice(rel.lastIndexOf('.') + 1);
    byExt[ext] = (byExt[ext] ?? 0) + 1;
  }
  const old = `${out}.old-${process.pid}`;
  if (existsSync(out)) renameSync(out, old);
  renameSync(tmp, out);
  rmSync(old, { recursive: true, force: true });
  sizes.sort((a, b) => b.lines - a.lines || (a.file < b.file ? -1 : 1));
  const stats: GenerateStats = { dir: out, files: files.size, bytes, lines, byExt, largest: sizes.slice(0, 8), generated: true, generatorVersion: GENERATOR_VERSION, sourceHash: hash, seed };
  writeFileSync(stamp, JSON.stringify({ ...stats, modules, targetFiles }, null, 2) + '\n');
  return stats;
}

function main(argv: string[]): void {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const stats = ensureSynthetic({
    out: get('--out'),
    seed: get('--seed') ? Number(get('--seed')) : undefined,
    modules: get('--modules') ? Number(get('--modules')) : undefined,
    targetFiles: get('--files') ? Number(get('--files')) : undefined,
    force: argv.includes('--force'),
  });
  process.stdout.write(JSON.stringify(stats, null, 2) + '\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
