// Database capacity: the arithmetic the seed documents do by hand. For each SQL
// datastore, Σ over runtimes of (replicas × processes × pool size), plus the poolers'
// server connections, against max_connections minus reserved slots — at normal replica
// counts and at peak (autoscaling maximum, Lambda concurrency). Pure: the model, the
// per-file facts, the config files' text, the infra facts the packs read, the config.
import type { Config } from '../../config/schema.js';
import type { FactIndex } from '../../extract/facts.js';
import type { Evidence, Model, ModelNode } from '../../model/types.js';
import type { InfraFacts } from '../../packs/types.js';
import { loadSchema } from '../../schema/index.js';
import { cmpStr } from '../../shared/compare.js';
import { parseDotenv, type ConfigFile } from '../../walk/config-files.js';
import { findClients, timeoutsInCode, type FoundClient, type NumSpec } from './clients.js';
import { holds, listRuntimes, type RuntimeInfo } from './runtimes.js';
import { engineKnown, poolerFacts, serverFacts } from './server.js';
import { runtimeTypeormClients, typeormEngine } from './typeorm.js';
import type { Budget, BudgetLine, Capacity, ClientFacts, DatastoreCapacity, Known, PoolerFacts, RuntimeDemand, ServerFacts, UrlValue } from './types.js';
import { classifyUrl, durationMs, urlStatementTimeout, type PoolerHosts } from './url.js';

export type * from './types.js';

export interface CapacityInput {
  model: Pick<Model, 'nodes'>;
  facts: FactIndex;
  configs: ConfigFile[];
  infra: InfraFacts;
  config?: Config;
}

const SQL_TECH = new Set(['postgresql', 'mysql']);
/** Clients also go to `datastore:sql` when their engine is unknown (a TypeORM `type` from an unset env var). */
const CLIENT_TECH = new Set([...SQL_TECH, 'sql']);

function where(ev: Evidence | undefined): string {
  return ev ? `${ev.file}:${ev.line}` : '';
}

function datastoreBase(tech: string): string {
  return tech === 'mysql' ? 'mysql' : tech === 'sql' ? 'sql' : 'postgres';
}

export function computeCapacity(input: CapacityInput): Capacity {
  const { model, facts, configs, infra, config } = input;
  const schema = loadSchema(configs, facts);
  const ds = schema.datasources[0];
  const prismaTech = ds?.provider === 'mysql' ? 'mysql' : ds?.provider === 'postgresql' || ds?.provider === 'postgres' || !ds?.provider ? 'postgresql' : undefined;
  const found = runtimeTypeormClients(findClients(facts), facts, configs);
  const poolers = poolerFacts(infra);
  const poolerHosts: PoolerHosts = { names: new Map(poolers.filter((p) => p.name).map((p) => [p.name!.toLowerCase(), p.kind])) };
  const runtimes = listRuntimes(model, infra, config, facts, configs);
  // committed .env files, each value on its own (infra.env keeps only the first value of a name)
  const dotenv: [string, { value: string; evidence: Evidence }][] = configs
    .filter((c) => /(^|\/)\.env(\.[\w.-]+)?$/.test(c.rel))
    .sort((a, b) => cmpStr(a.rel, b.rel))
    .flatMap((c) => Object.entries(parseDotenv(c.text)).map(([k, v]) => [k, { value: v.value, evidence: { file: c.rel, line: v.line } }] as [string, { value: string; evidence: Evidence }]));
  const dotenvOf = (name: string) => dotenv.filter(([k]) => k === name).map(([, v]) => v);
  const codeTimeouts = timeoutsInCode(facts);

  const datastoreIds = new Set(model.nodes.filter((n) => n.kind === 'datastore').map((n) => n.id));
  const clientsByStore = new Map<string, { found: FoundClient; client: ClientFacts }[]>();
  const techOf = new Map<string, string>();
  for (const fc of found) {
    const tech = fc.tech === 'prisma' ? prismaTech : fc.engineFrom ? typeormEngine(fc.engineFrom, infra, model) : fc.tech;
    if (!tech || !CLIENT_TECH.has(tech)) continue;
    const envVar = fc.url.env ?? (fc.url.fromSchema ? ds?.url?.env : undefined);
    const literal = fc.url.literal ?? (fc.url.fromSchema ? ds?.url?.literal : undefined);
    const base = datastoreBase(tech);
    const stem = envVar && /^(.+?)_(DATABASE|DB|POSTGRES|PG|MYSQL)_URL$/.exec(envVar)?.[1];
    const id = stem && datastoreIds.has(`datastore:${base}-${stem.toLowerCase().replace(/_/g, '-')}`) ? `datastore:${base}-${stem.toLowerCase().replace(/_/g, '-')}` : `datastore:${base}`;
    const urlValues: UrlValue[] = [];
    if (envVar) {
      // the runtimes that run this client, and the .env files of its folder or an enclosing one
      for (const rt of runtimes) if (rt.env[envVar] && holds(rt, fc.client.file, runtimes.length)) urlValues.push(classifyUrl(rt.env[envVar].value, 'runtime-env', rt.env[envVar].evidence, poolerHosts));
      for (const v of dotenvOf(envVar)) if (encloses(v.evidence.file, fc.client.file)) urlValues.push(classifyUrl(v.value, 'dotenv', v.evidence, poolerHosts));
    }
    if (literal) urlValues.push(classifyUrl(literal, 'code', { file: fc.client.file, line: fc.client.line }, poolerHosts));
    const uniq = dedupeUrls(urlValues);
    const client: ClientFacts = {
      ...fc.client, datastore: id,
      ...(envVar ? { envVar } : {}),
      ...(fc.client.library === 'prisma' && ds?.directUrl?.env ? { directEnvVar: ds.directUrl.env } : {}),
      ...(fc.pool && fc.pool.key !== 'adapter' ? { codePool: specNote(fc.pool, fc.client.file) } : {}),
      ...(fc.timeout ? { codeTimeout: specNote(fc.timeout, fc.client.file) } : {}),
      urlValues: uniq,
    };
    if (fc.pool?.key === 'adapter') continue; // a PrismaClient over a driver adapter: the adapter's pool is the one that counts
    const list = clientsByStore.get(id) ?? [];
    list.push({ found: fc, client });
    clientsByStore.set(id, list);
    techOf.set(id, tech);
  }

  const out: DatastoreCapacity[] = [];
  const storeIds = new Set([...clientsByStore.keys(), ...model.nodes.filter((n) => n.kind === 'datastore' && SQL_TECH.has(n.tech ?? '')).map((n) => n.id)]);
  for (const id of [...storeIds].sort(cmpStr)) {
    const node: Pick<ModelNode, 'id' | 'name' | 'tech' | 'redundancy'> = model.nodes.find((n) => n.id === id) ?? { id, name: id.slice('datastore:'.length), tech: techOf.get(id) ?? (id.includes('mysql') ? 'mysql' : 'postgresql') };
    const tech = node.tech ?? 'postgresql';
    const server = serverFacts(node, infra, config);
    const clients = (clientsByStore.get(id) ?? []).sort((a, b) => cmpStr(a.client.id, b.client.id));
    const demands: RuntimeDemand[] = [];
    for (const rt of runtimes) {
      for (const { client } of clients) {
        const match = holds(rt, client.file, runtimes.length);
        if (!match) continue;
        demands.push(demandOf(rt, client, match, server, tech, schema.statementTimeouts, codeTimeouts, dotenvOf, poolerHosts));
      }
    }
    if (server.origin === 'docker-compose' && demands.some((d) => d.origin !== 'docker-compose')) server.localOnly = true;
    const sqlTimeouts = [
      ...schema.statementTimeouts.filter((t) => t.scope === 'role' || t.scope === 'database').map((t) => ({ scope: t.scope + (t.target ? ` ${t.target}` : ''), value: t.value, evidence: t.evidence })),
      ...codeTimeouts.map((t) => ({ scope: t.local ? 'transaction (SET LOCAL)' : 'code', value: /statement_timeout\s*(?:=|TO)\s*'?([\w.]+)/i.exec(t.text)?.[1] ?? '?', evidence: { file: t.file, line: t.line } })),
    ];
    out.push({
      datastore: id, tech, server, poolers,
      clients: clients.map((c) => c.client), runtimes: demands, budget: budget(server, poolers, demands), timeoutsInSql: sqlTimeouts,
    });
  }
  return { datastores: out };
}

/** The config file sits in the source file's folder or an enclosing one. */
function encloses(configFile: string, sourceFile: string): boolean {
  const dir = configFile.includes('/') ? configFile.slice(0, configFile.lastIndexOf('/')) : '';
  return dir === '' || sourceFile.startsWith(dir + '/');
}

function dedupeUrls(list: UrlValue[]): UrlValue[] {
  const seen = new Set<string>();
  return list
    .filter((u) => {
      const k = `${u.evidence.file}:${u.evidence.line}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => cmpStr(`${a.evidence.file}\0${String(a.evidence.line).padStart(7, '0')}`, `${b.evidence.file}\0${String(b.evidence.line).padStart(7, '0')}`));
}

function specNote(s: NumSpec, file: string): Known {
  const ev = { file, line: s.line };
  if (s.value !== undefined) return { value: s.value, source: 'explicit', note: `${s.key}: ${s.value} (${where(ev)})`, evidence: ev };
  if (s.env) return { ...(s.def !== undefined ? { value: s.def } : {}), source: s.def !== undefined ? 'explicit' : 'unknown', note: `${s.key} from ${s.env}${s.def !== undefined ? ` (${s.def} when unset)` : ''} (${where(ev)})`, evidence: ev };
  return { source: 'unknown', note: `${s.key} is computed at run time (${where(ev)})`, evidence: ev };
}

function envNumber(name: string | undefined, rt: RuntimeInfo, dotenvOf: (n: string) => { value: string; evidence: Evidence }[], file: string): { value: number; evidence: Evidence } | undefined {
  if (!name) return undefined;
  const v = rt.env[name] ?? dotenvOf(name).find((x) => encloses(x.evidence.file, file));
  return v && /^\d+$/.test(v.value.trim()) ? { value: Number(v.value.trim()), evidence: v.evidence } : undefined;
}

function demandOf(
  rt: RuntimeInfo, client: ClientFacts, matchedBy: RuntimeDemand['matchedBy'], server: ServerFacts, tech: string,
  sqlTimeouts: { scope: string; value: string; evidence: Evidence }[], codeTimeouts: { file: string; line: number; text: string; local: boolean }[],
  dotenvOf: (n: string) => { value: string; evidence: Evidence }[], poolerHosts: PoolerHosts,
): RuntimeDemand {
  // the URL this runtime uses: its own environment, else the repository's .env files, else a literal in code
  let url: UrlValue | undefined;
  let urlExample: UrlValue | undefined;
  if (client.envVar && rt.env[client.envVar]) url = classifyUrl(rt.env[client.envVar].value, 'runtime-env', rt.env[client.envVar].evidence, poolerHosts);
  else url = client.urlValues.find((u) => u.source === 'dotenv') ?? client.urlValues.find((u) => u.source === 'code');
  // a placeholder in the runtime's env (SSM, a secret): the repository's example shows the shape, never the values
  if (url && !url.resolved) urlExample = client.urlValues.find((u) => u.source === 'dotenv' && u.resolved);
  const unresolvedRuntime = url && !url.resolved && url.source === 'runtime-env' ? url : undefined;
  const shape = url?.resolved ? url : urlExample;

  let pool: Known;
  if (client.codePool) {
    const spec = client.codePool;
    const envName = /from (\w+)/.exec(spec.note)?.[1];
    const fromEnv = envName ? envNumber(envName, rt, dotenvOf, client.file) : undefined;
    pool = fromEnv ? { value: fromEnv.value, source: 'explicit', note: `${envName}=${fromEnv.value} (${where(fromEnv.evidence)})`, evidence: fromEnv.evidence } : spec;
  } else if (client.urlPoolParam && unresolvedRuntime) {
    const ex = urlExample?.params[client.urlPoolParam];
    pool = { source: 'unknown', note: `${client.envVar} comes from ${unresolvedRuntime.value} (${where(unresolvedRuntime.evidence)}), which faultline cannot read${urlExample ? `; the example (${where(urlExample.evidence)}) has ${ex ? `${client.urlPoolParam}=${ex}` : `no ${client.urlPoolParam}`}` : ''}; without ${client.urlPoolParam}, ${client.defaultPool.note}`, evidence: unresolvedRuntime.evidence };
  } else if (client.urlPoolParam && url?.params[client.urlPoolParam] && /^\d+$/.test(url.params[client.urlPoolParam])) {
    const v = Number(url.params[client.urlPoolParam]);
    pool = { value: v, source: 'explicit', note: `${client.urlPoolParam}=${v} in ${client.envVar ?? 'the URL'} (${where(url.evidence)})`, evidence: url.evidence };
  } else pool = { ...client.defaultPool, ...(client.defaultPool.evidence ? {} : { evidence: { file: client.file, line: client.line } }) };

  // statement timeout: client options, URL, server setting, role/database setting in SQL, SET in code
  let statementTimeout: Known;
  const urlTimeout = shape ? urlStatementTimeout(shape.params) ?? (client.library === 'prisma' && shape.params.socket_timeout ? `${shape.params.socket_timeout}s` : undefined) : undefined;
  const inCode = codeTimeouts.find((t) => !t.local) ?? codeTimeouts[0];
  const inSql = sqlTimeouts[0];
  if (client.codeTimeout) statementTimeout = client.codeTimeout;
  else if (urlTimeout && shape) statementTimeout = { ...(durationMs(urlTimeout) !== undefined ? { value: durationMs(urlTimeout) } : {}), source: 'explicit', note: `${client.library === 'prisma' && !urlStatementTimeout(shape.params) ? 'socket_timeout' : 'statement_timeout'} ${urlTimeout} in ${client.envVar ?? 'the URL'} (${where(shape.evidence)})`, evidence: shape.evidence };
  else if (server.statementTimeout) statementTimeout = { ...(durationMs(server.statementTimeout.value) !== undefined ? { value: durationMs(server.statementTimeout.value) } : {}), source: 'explicit', note: `statement_timeout=${server.statementTimeout.value} on the server (${where(server.statementTimeout.evidence)})`, evidence: server.statementTimeout.evidence };
  else if (inSql) statementTimeout = { ...(durationMs(inSql.value) !== undefined ? { value: durationMs(inSql.value) } : {}), source: 'explicit', note: `ALTER ${inSql.scope.toUpperCase()} ... SET statement_timeout = ${inSql.value} (${where(inSql.evidence)})`, evidence: inSql.evidence };
  else if (inCode) statementTimeout = { source: 'explicit', note: `${inCode.local ? 'SET LOCAL' : 'SET'} statement_timeout in code (${inCode.file}:${inCode.line})${inCode.local ? ': covers those transactions only' : ''}`, evidence: { file: inCode.file, line: inCode.line } };
  else if (unresolvedRuntime) statementTimeout = { source: 'unknown', note: `none in code, server config or migrations; ${client.envVar} comes from ${unresolvedRuntime.value} (${where(unresolvedRuntime.evidence)}), which faultline cannot read` };
  else if (!engineKnown(tech)) statementTimeout = { source: 'unknown', note: 'none set in code, URL or config; the default is the engine\'s, and the engine is not named in the repository' };
  else statementTimeout = { value: 0, source: 'default', note: 'none set: PostgreSQL default statement_timeout 0 (no limit)' };

  const lambda = rt.tech === 'aws-lambda';
  const connections = rt.replicas.value !== undefined && pool.value !== undefined ? rt.replicas.value * rt.processes * pool.value : undefined;
  const peakConnections = !rt.peak.unbounded && rt.peak.value !== undefined && pool.value !== undefined ? rt.peak.value * rt.processes * pool.value : undefined;
  void lambda;
  return {
    runtime: rt.id, tech: rt.tech, ...(rt.origin ? { origin: rt.origin } : {}), client: client.id,
    ...(url ? { url } : {}), ...(urlExample ? { urlExample } : {}), pool, statementTimeout, replicas: rt.replicas, peak: rt.peak, processes: rt.processes, ...(rt.processesNote ? { processesNote: rt.processesNote } : {}),
    ...(connections !== undefined ? { connections } : {}), ...(peakConnections !== undefined ? { peakConnections } : {}), matchedBy,
  };
}

/** Where a runtime's connections go: its URL, or (when that is a placeholder) the example's shape. */
export function viaOf(d: RuntimeDemand): { via: UrlValue['via']; pooler?: string; host?: string } {
  const u = d.url?.resolved ? d.url : d.urlExample;
  return u ? { via: u.via, ...(u.pooler ? { pooler: u.pooler } : {}), ...(u.host ? { host: u.host } : {}) } : { via: 'unknown' };
}

function runtimeName(id: string): string {
  return id.replace(/^runtime:/, '');
}

interface Term {
  text: string;
  value?: number;
  unbounded?: boolean;
}

function demandTerm(d: RuntimeDemand, peak: boolean, label: boolean, library: string): Term {
  const name = runtimeName(d.runtime);
  const lambda = d.tech === 'aws-lambda';
  const rep = peak ? d.peak : d.replicas;
  const pool = d.pool.value;
  const proc = d.processes > 1 ? ` × ${d.processes} processes` : '';
  const tag = label ? ` (${library})` : '';
  if (peak && d.peak.unbounded) return { text: `${name} unbounded concurrency × ${pool ?? '?'}${tag}`, unbounded: true };
  const n = rep.value;
  const count = lambda ? (n !== undefined ? `${peak ? 'up to ' : ''}${n} concurrent` : '? concurrent') : `${n ?? '?'} replica${n === 1 ? '' : 's'}`;
  const value = n !== undefined && pool !== undefined ? n * d.processes * pool : undefined;
  return { text: `${name} ${count}${proc} × ${pool ?? '?'}${tag}`, ...(value !== undefined ? { value } : {}) };
}

function poolerServerTerm(p: PoolerFacts): Term {
  const name = p.name ?? p.kind;
  if (p.defaultPoolSize.value === undefined) return { text: `${name} (server pool not declared)` };
  const per = p.defaultPoolSize.value + (p.reservePoolSize.value ?? 0);
  const capped = p.maxDbConnections?.value !== undefined ? Math.min(per, p.maxDbConnections.value) : per;
  const inner = p.reservePoolSize.value ? `(default_pool_size ${p.defaultPoolSize.value} + reserve_pool_size ${p.reservePoolSize.value})` : `default_pool_size ${p.defaultPoolSize.value}`;
  const cap = capped !== per ? ` capped at max_db_connections ${capped}` : '';
  return { text: p.replicas > 1 ? `${name} ${p.replicas} replicas × ${inner}${cap}` : `${name} ${inner}${cap}`, value: capped * p.replicas };
}

function line(terms: Term[], limit: number | undefined, limitText: string, localOnly: boolean): BudgetLine {
  if (!terms.length) return { total: 0, exceeded: false, arithmetic: 'no connections', ...(limit !== undefined ? { limit } : {}) };
  const unbounded = terms.some((t) => t.unbounded);
  const known = terms.filter((t) => t.value !== undefined).reduce((s, t) => s + t.value!, 0);
  const allKnown = terms.every((t) => t.value !== undefined);
  const sum = terms.map((t) => t.text).join(' + ');
  if (unbounded) return { unbounded: true, exceeded: false, arithmetic: `${sum}: unbounded${limit !== undefined ? ` against ${limitText}` : ''}`, ...(limit !== undefined ? { limit } : {}) };
  if (!terms.some((t) => t.value !== undefined)) return { exceeded: false, arithmetic: `${sum}: unknown${limit !== undefined ? ` against ${limitText}` : ''}`, ...(limit !== undefined ? { limit } : {}) };
  const exceeded = limit !== undefined && !localOnly && known > limit;
  const lhs = allKnown ? `${sum} = ${known}` : `${sum} ≥ ${known}`;
  const cmp = limit === undefined ? ` against ${limitText}` : ` ${known > limit ? '>' : allKnown ? '≤' : 'vs'} ${limitText}`;
  return { ...(allKnown ? { total: known } : { atLeast: known }), ...(limit !== undefined ? { limit } : {}), exceeded, arithmetic: lhs + cmp };
}

function budget(server: ServerFacts, poolers: PoolerFacts[], demands: RuntimeDemand[]): Budget {
  const unknowns: string[] = [];
  if (!demands.length) return { status: 'no-clients', normal: { total: 0, exceeded: false, arithmetic: 'no client of this datastore was matched to a runtime' }, unknowns };
  const byRuntime = new Map<string, number>();
  for (const d of demands) byRuntime.set(d.runtime, (byRuntime.get(d.runtime) ?? 0) + 1);
  const library = (d: RuntimeDemand) => d.client.split('@')[0];
  const direct = demands.filter((d) => viaOf(d).via !== 'pooler');
  const pooled = demands.filter((d) => viaOf(d).via === 'pooler');
  const byHost = poolers.filter((p) => p.kind !== 'rds-proxy' && !!p.name && pooled.some((d) => viaOf(d).host?.toLowerCase() === p.name!.toLowerCase()));
  const usedPoolers = byHost.length ? byHost : poolers.filter((p) => p.kind !== 'rds-proxy' && pooled.some((d) => viaOf(d).pooler === p.kind));
  const hosted = [...new Set(pooled.filter((d) => !usedPoolers.some((p) => p.kind === viaOf(d).pooler)).map((d) => viaOf(d).pooler!))];
  const limitText = server.usable !== undefined ? `${server.usable} usable of max_connections ${server.maxConnections.value}` : `an unknown max_connections`;
  const serverTerms = (peak: boolean) => [...direct.map((d) => demandTerm(d, peak, (byRuntime.get(d.runtime) ?? 0) > 1, library(d))), ...usedPoolers.map(poolerServerTerm)];
  const localOnly = !!server.localOnly;
  const normal = line(serverTerms(false), server.usable, limitText, localOnly);
  if (hosted.length) normal.arithmetic += ` (plus what ${hosted.join(', ')} opens on the server)`;
  const scales = demands.some((d) => d.peak.unbounded || d.peak.value !== d.replicas.value);
  const peak = scales ? line(serverTerms(true), server.usable, limitText, localOnly) : undefined;
  let poolerClients: Budget['poolerClients'];
  const pb = usedPoolers.find((p) => p.maxClientConn.value !== undefined);
  if (pb && pooled.length) {
    const limit = pb.maxClientConn.value! * pb.replicas;
    const terms = pooled.map((d) => demandTerm(d, scales, (byRuntime.get(d.runtime) ?? 0) > 1, library(d)));
    poolerClients = { ...line(terms, limit, `max_client_conn ${pb.maxClientConn.value}${pb.replicas > 1 ? ` × ${pb.replicas} replicas` : ''} of ${pb.name ?? pb.kind}`, false), pooler: pb.name ?? pb.kind };
  }
  for (const d of demands) {
    if (d.pool.value === undefined) unknowns.push(`${runtimeName(d.runtime)}: pool size unknown — ${d.pool.note}`);
    if (d.replicas.value === undefined && !(d.tech === 'aws-lambda' && d.peak.value !== undefined)) unknowns.push(d.replicas.note);
    if (d.peak.unbounded) unknowns.push(d.peak.note);
    if (d.processesNote && /is not set/.test(d.processesNote)) unknowns.push(`${runtimeName(d.runtime)}: ${d.processesNote}`);
  }
  if (server.maxConnections.value === undefined) unknowns.push(`max_connections: ${server.maxConnections.note}`);
  if (localOnly) unknowns.push(`max_connections ${server.maxConnections.value} is the local docker-compose server's${server.evidence ? ` (${where(server.evidence)})` : ''}; the deployed server's is not in this repository — declare it as datastores.<id>.maxConnections in faultline.config.yml`);
  const status: Budget['status'] = normal.exceeded ? 'exceeded' : peak?.exceeded || poolerClients?.exceeded ? 'exceeded-at-peak' : peak?.unbounded ? 'unbounded-at-peak' : normal.total !== undefined && server.usable !== undefined && !localOnly && (!peak || peak.total !== undefined) ? 'fits' : 'unknown';
  return { status, normal, ...(peak ? { peak } : {}), ...(poolerClients ? { poolerClients } : {}), unknowns: [...new Set(unknowns)] };
}
