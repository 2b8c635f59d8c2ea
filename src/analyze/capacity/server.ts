// Server-side facts: max_connections and reserved slots of a datastore, its poolers,
// its replicas — from faultline.config.yml, Terraform, Kubernetes, Helm, postgresql.conf
// or docker-compose, in that order of authority.
import type { Config } from '../../config/schema.js';
import type { Evidence, ModelNode } from '../../model/types.js';
import type { InfraFacts } from '../../packs/types.js';
import type { Known, PoolerFacts, ServerFacts } from './types.js';

type Resource = NonNullable<InfraFacts['resources']>[number];

const ORIGIN_RANK: Record<string, number> = { terraform: 0, kubernetes: 1, helm: 2, 'postgresql.conf': 3, 'docker-compose': 4 };

/** Memory (GiB) of RDS instance classes by size, per family shape. */
const T_SIZES: Record<string, number> = { micro: 1, small: 2, medium: 4, large: 8, xlarge: 16, '2xlarge': 32 };
const M_SIZES: Record<string, number> = { large: 8, xlarge: 16, '2xlarge': 32, '4xlarge': 64, '8xlarge': 128, '12xlarge': 192, '16xlarge': 256, '24xlarge': 384, '32xlarge': 512, '48xlarge': 768 };
const R_SIZES: Record<string, number> = { large: 16, xlarge: 32, '2xlarge': 64, '4xlarge': 128, '8xlarge': 256, '12xlarge': 384, '16xlarge': 512, '24xlarge': 768, '32xlarge': 1024, '48xlarge': 1536 };

/** Nominal memory of an RDS instance class in bytes, when the class is in the table. */
export function rdsClassMemory(instanceClass: string): number | undefined {
  const m = /^db\.([a-z])(\d+)([a-z]*)\.(\w+)$/.exec(instanceClass);
  if (!m) return undefined;
  const table = m[1] === 't' ? T_SIZES : m[1] === 'm' ? M_SIZES : m[1] === 'r' || m[1] === 'x' ? R_SIZES : undefined;
  const gib = table?.[m[4]];
  return gib === undefined ? undefined : gib * 1024 ** 3;
}

/**
 * RDS default max_connections: PostgreSQL LEAST({DBInstanceClassMemory/9531392}, 5000),
 * MySQL {DBInstanceClassMemory/12582880}. DBInstanceClassMemory is a little less than the
 * nominal memory used here, so the result is an upper bound of the real default.
 */
export function rdsMaxConnections(instanceClass: string, tech: string): number | undefined {
  const mem = rdsClassMemory(instanceClass);
  if (mem === undefined) return undefined;
  return tech === 'mysql' ? Math.floor(mem / 12582880) : Math.min(Math.floor(mem / 9531392), 5000);
}

function numSetting(r: Resource, ...keys: string[]): { value: number; key: string } | undefined {
  for (const k of keys) {
    const v = r.settings?.[k];
    if (typeof v === 'number') return { value: v, key: k };
    if (typeof v === 'string' && /^\d+$/.test(v.trim())) return { value: Number(v.trim()), key: k };
  }
  return undefined;
}

function evidenceOf(r: Resource, key: string): Evidence | undefined {
  return r.settingEvidence?.[key] ?? r.evidence[0];
}

/** postgresql and mysql have documented defaults; `sql` is a SQL database whose engine the repository does not name. */
export function engineKnown(tech: string): boolean {
  return tech === 'postgresql' || tech === 'mysql';
}

function unknownEngine(id: string, key: string): string {
  return `which SQL engine ${id} runs is not in the code or config, so neither its server nor its defaults are known; declare datastores.${id}.${key} in faultline.config.yml`;
}

function where(ev: Evidence | undefined): string {
  return ev ? ` (${ev.file}:${ev.line})` : '';
}

/** Compose settings that are not server flags. */
const NOT_FLAGS = new Set(['service', 'image', 'mountedConf']);

/**
 * A postgresql.conf that a compose service mounts is that server's file, and PostgreSQL takes a
 * command-line `-c key=value` over the file: the service's flags win for the keys they set.
 */
function withCommandLine(chosen: Resource | undefined, all: Resource[]): Resource | undefined {
  if (chosen?.origin !== 'postgresql.conf') return chosen;
  const confFile = chosen.evidence[0]?.file;
  const server = all.find((r) => r.origin === 'docker-compose' && r.settings?.mountedConf === confFile);
  if (!server?.settings) return chosen;
  const flags = Object.keys(server.settings).filter((k) => !NOT_FLAGS.has(k) && !k.startsWith('env.'));
  if (!flags.length) return chosen;
  return {
    ...chosen,
    settings: { ...chosen.settings, ...Object.fromEntries(flags.map((k) => [k, server.settings![k]])) },
    settingEvidence: { ...chosen.settingEvidence, ...Object.fromEntries(flags.filter((k) => server.settingEvidence?.[k]).map((k) => [k, server.settingEvidence![k]])) },
  };
}

export function serverFacts(datastore: ModelNode | { id: string; name: string; tech?: string; redundancy?: ModelNode['redundancy'] }, infra: InfraFacts, config: Config | undefined): ServerFacts {
  const tech = datastore.tech ?? 'postgresql';
  const base = datastore.name.split('-')[0];
  const isBase = datastore.name === base;
  const decl = config?.datastores?.[datastore.id] ?? config?.datastores?.[datastore.name];
  const resources = (infra.resources ?? []).filter((r) => r.ref.kind === 'datastore' && r.ref.name === base && isBase && r.ref.tech === tech);
  const primaries = resources.filter((r) => r.settings?.role !== 'replica').sort((a, b) => (ORIGIN_RANK[a.origin ?? ''] ?? 9) - (ORIGIN_RANK[b.origin ?? ''] ?? 9));
  const chosen = withCommandLine(primaries[0], primaries);
  const postgres = tech === 'postgresql';

  let maxConnections: Known;
  if (decl?.maxConnections !== undefined) maxConnections = { value: decl.maxConnections, source: 'explicit', note: 'declared in faultline.config.yml' };
  else if (chosen) {
    const s = numSetting(chosen, 'max_connections', 'env.POSTGRESQL_MAX_CONNECTIONS', 'env.POSTGRES_MAX_CONNECTIONS', 'env.MYSQL_MAX_CONNECTIONS');
    const ic = typeof chosen.settings?.instance_class === 'string' ? chosen.settings.instance_class : undefined;
    const formula = ic ? rdsMaxConnections(ic, tech) : undefined;
    if (s) maxConnections = { value: s.value, source: 'explicit', note: `max_connections=${s.value}${where(evidenceOf(chosen, s.key))}`, ...(evidenceOf(chosen, s.key) ? { evidence: evidenceOf(chosen, s.key)! } : {}) };
    else if (typeof chosen.settings?.max_connections === 'string' && /DBInstanceClassMemory/.test(chosen.settings.max_connections) && formula !== undefined) maxConnections = { value: formula, source: 'formula', note: `RDS formula ${chosen.settings.max_connections} for ${ic}: at most ${formula}`, evidence: evidenceOf(chosen, 'max_connections')! };
    else if (chosen.settings?.max_connections !== undefined) maxConnections = { source: 'unknown', note: `max_connections is an expression (${String(chosen.settings.max_connections)}); declare datastores.${datastore.id}.maxConnections in faultline.config.yml`, evidence: evidenceOf(chosen, 'max_connections')! };
    else if (chosen.origin === 'terraform' && chosen.settings?.serverless) maxConnections = { source: 'unknown', note: 'Aurora Serverless: max_connections follows the capacity units; declare datastores.<id>.maxConnections in faultline.config.yml' };
    else if (chosen.origin === 'terraform' && ic && formula !== undefined) maxConnections = { value: formula, source: 'formula', note: `RDS default for ${ic}: ${postgres ? 'LEAST(DBInstanceClassMemory/9531392, 5000)' : 'DBInstanceClassMemory/12582880'} ≈ ${formula} (an upper bound: DBInstanceClassMemory is below the nominal memory)`, ...(evidenceOf(chosen, 'instance_class') ? { evidence: evidenceOf(chosen, 'instance_class')! } : {}) };
    else if (chosen.origin === 'terraform') maxConnections = { source: 'unknown', note: `the RDS instance class ${ic ? `${ic} is not in faultline's table` : 'is not a literal'}; declare datastores.${datastore.id}.maxConnections in faultline.config.yml` };
    else maxConnections = { value: postgres ? 100 : 151, source: 'default', note: `${postgres ? 'PostgreSQL' : 'MySQL'} default max_connections ${postgres ? 100 : 151} (not set${where(chosen.evidence[0])})`, ...(chosen.evidence[0] ? { evidence: chosen.evidence[0] } : {}) };
  } else if (!engineKnown(tech)) maxConnections = { source: 'unknown', note: unknownEngine(datastore.id, 'maxConnections') };
  else maxConnections = { source: 'unknown', note: `the ${datastore.name} server is not declared in this repository (no compose, Kubernetes, Helm, Terraform or postgresql.conf); declare datastores.${datastore.id}.maxConnections in faultline.config.yml` };

  let reservedConnections: Known;
  if (decl?.reservedConnections !== undefined) reservedConnections = { value: decl.reservedConnections, source: 'explicit', note: 'declared in faultline.config.yml' };
  else if (!engineKnown(tech)) reservedConnections = { source: 'unknown', note: unknownEngine(datastore.id, 'reservedConnections') };
  else if (!postgres) reservedConnections = { value: 0, source: 'default', note: 'MySQL keeps one extra connection for SUPER beyond max_connections' };
  else {
    const su = chosen ? numSetting(chosen, 'superuser_reserved_connections') : undefined;
    const rc = chosen ? numSetting(chosen, 'reserved_connections') : undefined;
    const value = (su?.value ?? 3) + (rc?.value ?? 0);
    reservedConnections = su || rc
      ? { value, source: 'explicit', note: [su ? `superuser_reserved_connections=${su.value}` : 'superuser_reserved_connections 3 (default)', rc ? `reserved_connections=${rc.value}` : ''].filter(Boolean).join(' + '), ...(evidenceOf(chosen!, (su ?? rc)!.key) ? { evidence: evidenceOf(chosen!, (su ?? rc)!.key)! } : {}) }
      : { value: 3, source: 'default', note: 'PostgreSQL default superuser_reserved_connections 3' };
  }
  const usable = maxConnections.value !== undefined && reservedConnections.value !== undefined ? Math.max(0, maxConnections.value - reservedConnections.value) : undefined;

  // replicas and standbys
  const red = datastore.redundancy ?? {};
  const replicaRes = resources.filter((r) => r.redundancy?.readReplica || r.redundancy?.multiAz || (r.redundancy?.replicas ?? 0) > 1 || r.settings?.role === 'replica');
  const present = !!(red.readReplica || red.multiAz || (red.replicas ?? 0) > 1 || decl?.readReplica || decl?.multiAz || (decl?.replicas ?? 0) > 1 || replicaRes.length);
  const replica: ServerFacts['replica'] = present
    ? { present, note: decl?.readReplica || decl?.multiAz || (decl?.replicas ?? 0) > 1 ? 'declared in faultline.config.yml' : replicaRes.length ? `${replicaRes.map((r) => r.origin).join(', ')} declares a replica or standby` : 'redundancy recorded on the datastore', ...(replicaRes.length ? { evidence: replicaRes.map((r) => r.evidence[0]).filter(Boolean) } : {}) }
    : { present: false, note: resources.length ? `only one ${datastore.name} instance is declared` : `no ${datastore.name} server is declared in this repository` };

  let statementTimeout: ServerFacts['statementTimeout'];
  for (const r of primaries) {
    const v = r.settings?.statement_timeout;
    if (v !== undefined && String(v) !== '0') {
      statementTimeout = { value: String(v), evidence: evidenceOf(r, 'statement_timeout')!, source: r.origin ?? 'infra' };
      break;
    }
  }
  const instanceClass = typeof chosen?.settings?.instance_class === 'string' ? chosen.settings.instance_class : undefined;
  return {
    ...(decl?.maxConnections !== undefined ? { origin: 'config' } : chosen?.origin ? { origin: chosen.origin } : {}),
    ...(chosen?.evidence[0] ? { evidence: chosen.evidence[0] } : {}),
    maxConnections, reservedConnections, ...(usable !== undefined ? { usable } : {}),
    ...(instanceClass ? { instanceClass } : {}),
    ...(statementTimeout ? { statementTimeout } : {}),
    replica,
  };
}

function strSetting(r: Resource, keys: string[]): { value: string; key: string } | undefined {
  for (const k of keys) {
    const v = r.settings?.[k];
    if (typeof v === 'string' && v) return { value: v, key: k };
  }
  return undefined;
}

const POOLER_KEYS = {
  pool_mode: ['pool_mode', 'env.POOL_MODE', 'env.PGBOUNCER_POOL_MODE'],
  default_pool_size: ['default_pool_size', 'env.DEFAULT_POOL_SIZE', 'env.PGBOUNCER_DEFAULT_POOL_SIZE', 'env.POOL_SIZE'],
  reserve_pool_size: ['reserve_pool_size', 'env.RESERVE_POOL_SIZE', 'env.PGBOUNCER_RESERVE_POOL_SIZE'],
  max_client_conn: ['max_client_conn', 'env.MAX_CLIENT_CONN', 'env.PGBOUNCER_MAX_CLIENT_CONN'],
  max_db_connections: ['max_db_connections', 'env.MAX_DB_CONNECTIONS', 'env.PGBOUNCER_MAX_DB_CONNECTIONS'],
  listen_port: ['listen_port', 'env.LISTEN_PORT', 'env.PGBOUNCER_PORT', 'env.PGBOUNCER_LISTEN_PORT'],
  query_timeout: ['query_timeout', 'env.QUERY_TIMEOUT', 'env.PGBOUNCER_QUERY_TIMEOUT'],
};

/** One PgBouncer is often declared twice: a compose/Kubernetes service and the pgbouncer.ini it mounts. Merge them. */
export function poolerFacts(infra: InfraFacts): PoolerFacts[] {
  const all = readPoolers(infra);
  const ini = all.filter((p) => p.origin === 'pgbouncer.ini');
  if (ini.length !== 1) return all;
  const others = all.filter((p) => p.kind === 'pgbouncer' && p !== ini[0]);
  if (!others.length) return all;
  const svc = others[0];
  const pick = (a: Known, b: Known): Known => (a.source === 'explicit' ? a : b.source === 'explicit' ? b : a);
  const merged: PoolerFacts = {
    ...ini[0], ...(svc.name ? { name: svc.name } : {}), replicas: svc.replicas,
    poolMode: ini[0].poolMode.source === 'explicit' ? ini[0].poolMode : svc.poolMode,
    defaultPoolSize: pick(ini[0].defaultPoolSize, svc.defaultPoolSize), reservePoolSize: pick(ini[0].reservePoolSize, svc.reservePoolSize), maxClientConn: pick(ini[0].maxClientConn, svc.maxClientConn),
  };
  return [merged, ...all.filter((p) => p !== ini[0] && p !== svc)];
}

function readPoolers(infra: InfraFacts): PoolerFacts[] {
  const out: PoolerFacts[] = [];
  for (const r of infra.resources ?? []) {
    if (r.ref.kind !== 'datastore' || !['pgbouncer', 'rds-proxy'].includes(r.ref.name)) continue;
    const image = String(r.settings?.image ?? '');
    const kind = String(r.settings?.kind ?? (/supavisor/i.test(image) ? 'supavisor' : /pgcat/i.test(image) ? 'pgcat' : r.ref.tech));
    const ev = r.evidence[0];
    if (kind === 'rds-proxy' || kind === 'supavisor') {
      out.push({
        kind, ...(r.settings?.resource || r.settings?.service ? { name: String(r.settings.resource ?? r.settings.service) } : {}), origin: r.origin ?? 'infra', evidence: ev,
        poolMode: { value: 'transaction', source: 'default' },
        defaultPoolSize: { source: 'unknown', note: `${kind} sizes its server pool itself` }, reservePoolSize: { value: 0, source: 'default', note: 'none' },
        maxClientConn: { source: 'unknown', note: `${kind} client limit not read` }, replicas: 1,
      });
      continue;
    }
    const num = (k: keyof typeof POOLER_KEYS, def: number | undefined, what: string): Known => {
      const s = numSetting(r, ...POOLER_KEYS[k]);
      if (s) return { value: s.value, source: 'explicit', note: `${k}=${s.value}`, ...(evidenceOf(r, s.key) ? { evidence: evidenceOf(r, s.key)! } : {}) };
      return def !== undefined ? { value: def, source: 'default', note: `PgBouncer default ${k} ${def}` } : { source: 'unknown', note: what };
    };
    const mode = strSetting(r, POOLER_KEYS.pool_mode);
    const maxDb = numSetting(r, ...POOLER_KEYS.max_db_connections);
    const port = numSetting(r, ...POOLER_KEYS.listen_port);
    const qt = numSetting(r, ...POOLER_KEYS.query_timeout);
    out.push({
      kind, ...(r.settings?.service ? { name: String(r.settings.service) } : {}), origin: r.origin ?? 'infra', evidence: ev,
      poolMode: mode ? { value: mode.value, source: 'explicit', ...(evidenceOf(r, mode.key) ? { evidence: evidenceOf(r, mode.key)! } : {}) } : { value: 'session', source: 'default' },
      defaultPoolSize: num('default_pool_size', 20, ''), reservePoolSize: num('reserve_pool_size', 0, ''), maxClientConn: num('max_client_conn', 100, ''),
      ...(maxDb ? { maxDbConnections: { value: maxDb.value, source: 'explicit' as const, note: `max_db_connections=${maxDb.value}`, ...(evidenceOf(r, maxDb.key) ? { evidence: evidenceOf(r, maxDb.key)! } : {}) } } : {}),
      port: port?.value ?? 6432, replicas: r.redundancy?.replicas ?? 1,
      ...(qt && qt.value !== 0 ? { queryTimeout: { value: String(qt.value), ...(evidenceOf(r, qt.key) ? { evidence: evidenceOf(r, qt.key)! } : {}) } } : {}),
    });
  }
  return out;
}
