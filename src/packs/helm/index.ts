import { isInfraImage, parseKeyValueConf, settingValue, yamlKeyLine } from '../_infra.js';
import type { InfraFacts, TechPack } from '../types.js';
import type { Evidence } from '../../model/types.js';
import type { ConfigFile } from '../../walk/config-files.js';

/**
 * Helm values files (values*.yaml next to a Chart.yaml): the chart's own workload
 * (replicaCount, autoscaling, env), and the PostgreSQL / PgBouncer subcharts' settings
 * (Bitnami postgresql: architecture, readReplicas, primary.extendedConfiguration).
 * Templates are not rendered; only literal values count.
 */
const pack: TechPack = {
  id: 'helm',
  title: 'Helm values',
  upstreamDocs: ['https://helm.sh/docs/chart_template_guide/values_files/', 'https://github.com/bitnami/charts/tree/main/bitnami/postgresql#parameters'],
  readConfig(files) {
    const out: InfraFacts = { runtimes: [], resources: [] };
    const charts = new Map<string, string>();
    for (const f of files) {
      if (!/(^|\/)Chart\.ya?ml$/.test(f.rel)) continue;
      const name = (f.yaml?.[0] as any)?.name;
      if (typeof name === 'string') charts.set(f.rel.includes('/') ? f.rel.slice(0, f.rel.lastIndexOf('/')) : '', name);
    }
    // a production overlay (values-prod.yaml, values.production.yaml) is what `helm install -f` deploys over values.yaml
    const prodOverlay = new Map<string, ConfigFile>();
    for (const f of files) {
      const m = /^(?:(.*)\/)?values[.-](prod|production)\.ya?ml$/.exec(f.rel);
      if (m && f.yaml?.length && f.yaml[0] && typeof f.yaml[0] === 'object') prodOverlay.set(m[1] ?? '', f);
    }
    for (const f of files) {
      const m = /^(?:(.*)\/)?values([.-][\w.-]+)?\.ya?ml$/.exec(f.rel);
      if (!m || !f.yaml?.length) continue;
      const chart = charts.get(m[1] ?? '');
      if (!chart) continue;
      const v = f.yaml[0] as any;
      if (!v || typeof v !== 'object') continue;
      const at = (...path: string[]): Evidence => ({ file: f.rel, line: yamlKeyLine(f.text, 1, path) });
      // the workload's scale as deployed: the production overlay's replicaCount/autoscaling over the base file's
      const overlay = !m[2] ? prodOverlay.get(m[1] ?? '') : undefined;
      const o = overlay?.yaml?.[0] as any;
      const scaleFrom = o && (o.replicaCount !== undefined || o.autoscaling) ? { v: o, f: overlay! } : { v, f };
      const scaleAt = (...path: string[]): Evidence => ({ file: scaleFrom.f.rel, line: yamlKeyLine(scaleFrom.f.text, 1, path) });
      // the chart's own application workload
      // a vendored third-party subchart (charts/nginx with image bitnami/nginx) runs none of the app's code
      const image = typeof v.image === 'string' ? v.image : v.image && typeof v.image === 'object' ? [v.image.registry, v.image.repository].filter((x) => typeof x === 'string').join('/') : '';
      const appChart = !/^(postgres|postgresql|pgbouncer|redis|mysql)/i.test(chart) && !(image && isInfraImage(image));
      // an overlay's own workload is the base file's, scaled by it (above)
      const dir = m[1] ? `${m[1]}/` : '';
      const isOverlayOfBase = !!m[2] && prodOverlay.get(m[1] ?? '') === f && files.some((x) => x.rel === `${dir}values.yaml` || x.rel === `${dir}values.yml`);
      const sv = scaleFrom.v;
      if (appChart && v.image && !isOverlayOfBase && (sv.replicaCount !== undefined || sv.autoscaling)) {
        const auto = sv.autoscaling?.enabled ? num(sv.autoscaling.maxReplicas) : undefined;
        const env: Record<string, { value: string; evidence: Evidence }> = {};
        const list = Array.isArray(v.env) ? v.env : Array.isArray(v.extraEnv) ? v.extraEnv : undefined;
        if (list) for (const e of list) if (e?.name && e.value !== undefined) env[e.name] = { value: String(e.value), evidence: { file: f.rel, line: lineOfName(f, e.name) } };
        if (v.env && !Array.isArray(v.env) && typeof v.env === 'object') for (const [k, x] of Object.entries<any>(v.env)) if (typeof x !== 'object') env[k] = { value: String(x), evidence: at('env', k) };
        out.runtimes!.push({
          name: typeof v.fullnameOverride === 'string' ? v.fullnameOverride : typeof v.nameOverride === 'string' ? v.nameOverride : chart,
          tech: 'container', sourceDirs: [''], env, origin: 'helm',
          evidence: [scaleAt(sv.replicaCount !== undefined ? 'replicaCount' : 'autoscaling')],
          redundancy: { replicas: num(sv.replicaCount) ?? (sv.autoscaling?.enabled ? num(sv.autoscaling.minReplicas) : undefined) ?? 1, ...(auto !== undefined ? { maxReplicas: auto } : {}) },
        });
      }
      // PostgreSQL: the chart itself or a `postgresql` subchart block
      const pgBlocks: [any, string[]][] = [];
      if (/^postgres/i.test(chart)) pgBlocks.push([v, []]);
      if (v.postgresql && typeof v.postgresql === 'object' && v.postgresql.enabled !== false) pgBlocks.push([v.postgresql, ['postgresql']]);
      for (const [pg, base] of pgBlocks) out.resources!.push(postgresValues(f, pg, base));
      const pb = v.pgbouncer && typeof v.pgbouncer === 'object' && v.pgbouncer.enabled !== false ? v.pgbouncer : /^pgbouncer/i.test(chart) ? v : undefined;
      if (pb) {
        const settings: Record<string, string | number | boolean> = { kind: 'pgbouncer', service: chart === 'pgbouncer' ? chart : 'pgbouncer' };
        const settingEvidence: Record<string, Evidence> = {};
        const base = pb === v ? [] : ['pgbouncer'];
        const cfg = pb.config?.pgbouncer ?? pb.pgbouncer ?? {};
        const keys: [string, unknown, string[]][] = [
          ['pool_mode', cfg.pool_mode ?? pb.poolMode, cfg.pool_mode !== undefined ? [...base, 'pool_mode'] : [...base, 'poolMode']],
          ['default_pool_size', cfg.default_pool_size ?? pb.defaultPoolSize, cfg.default_pool_size !== undefined ? [...base, 'default_pool_size'] : [...base, 'defaultPoolSize']],
          ['max_client_conn', cfg.max_client_conn ?? pb.maxClientConnections ?? pb.maxClientConn, cfg.max_client_conn !== undefined ? [...base, 'max_client_conn'] : [...base, pb.maxClientConnections !== undefined ? 'maxClientConnections' : 'maxClientConn']],
          ['reserve_pool_size', cfg.reserve_pool_size ?? pb.reservePoolSize, cfg.reserve_pool_size !== undefined ? [...base, 'reserve_pool_size'] : [...base, 'reservePoolSize']],
        ];
        for (const [k, x, path] of keys) {
          const val = settingValue(x === undefined ? undefined : typeof x === 'number' ? x : String(x));
          if (val === undefined) continue;
          settings[k] = val;
          settingEvidence[k] = at(...path);
        }
        out.resources!.push({ ref: { kind: 'datastore', name: 'pgbouncer', tech: 'pgbouncer' }, evidence: [at(...(base.length ? base : ['replicaCount']))], settings, settingEvidence, origin: 'helm', redundancy: { replicas: num(pb.replicaCount) ?? 1 } });
      }
    }
    return out;
  },
};
export default pack;

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

function lineOfName(f: ConfigFile, name: string): number {
  const i = f.text.split('\n').findIndex((l) => new RegExp(`name:\\s*["']?${name}["']?\\s*$`).test(l));
  return i >= 0 ? i + 1 : 1;
}

function postgresValues(f: ConfigFile, pg: any, base: string[]): NonNullable<InfraFacts['resources']>[number] {
  const at = (...path: string[]): Evidence => ({ file: f.rel, line: yamlKeyLine(f.text, 1, [...base, ...path]) });
  const settings: Record<string, string | number | boolean> = { chart: 'postgresql' };
  const settingEvidence: Record<string, Evidence> = {};
  for (const key of ['extendedConfiguration', 'configuration']) {
    const text = pg.primary?.[key] ?? pg[key === 'extendedConfiguration' ? 'postgresqlExtendedConf' : 'postgresqlConfiguration'];
    if (typeof text === 'string') {
      const block = at(pg.primary?.[key] !== undefined ? 'primary' : key, ...(pg.primary?.[key] !== undefined ? [key] : []));
      for (const kv of parseKeyValueConf(text)) {
        settings[kv.key] = settingValue(kv.value)!;
        settingEvidence[kv.key] = { file: f.rel, line: block.line + kv.line };
      }
    } else if (text && typeof text === 'object') {
      for (const [k, x] of Object.entries<any>(text)) {
        const snake = k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
        settings[snake] = settingValue(typeof x === 'number' ? x : String(x))!;
        settingEvidence[snake] = at('postgresqlExtendedConf', k);
      }
    }
  }
  if (pg.postgresqlMaxConnections !== undefined) {
    settings.max_connections = settingValue(String(pg.postgresqlMaxConnections))!;
    settingEvidence.max_connections = at('postgresqlMaxConnections');
  }
  for (const e of Array.isArray(pg.primary?.extraEnvVars) ? pg.primary.extraEnvVars : []) {
    if (e?.name === 'POSTGRESQL_MAX_CONNECTIONS' && e.value !== undefined) {
      settings.max_connections = settingValue(String(e.value))!;
      settingEvidence.max_connections = { file: f.rel, line: lineOfName(f, e.name) };
    }
  }
  const replication = pg.architecture === 'replication';
  const readReplicas = replication ? num(pg.readReplicas?.replicaCount) ?? 1 : 0;
  return {
    ref: { kind: 'datastore', name: 'postgres', tech: 'postgresql' }, evidence: [{ file: f.rel, line: yamlKeyLine(f.text, 1, base.length ? base : [pg.architecture !== undefined ? 'architecture' : 'primary']) }],
    settings, settingEvidence, origin: 'helm',
    redundancy: readReplicas > 0 ? { readReplica: true, replicas: 1 + readReplicas } : undefined,
  };
}
