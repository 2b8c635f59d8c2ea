// NOTE (packs helper, 21:20): this file was overwritten by mistake at 21:11 by the helper writing
// the code packs, and rebuilt from the transpiled copy in the tsx cache (the 21:06 version): the
// logic is the same, the original comments and any edits after 21:06 are lost.
import { databaseImage, isInfraImage, postgresFlags, settingValue, yamlKeyLine } from '../_infra.js';
import type { InfraFacts, TechPack } from '../types.js';
import type { Evidence } from '../../model/types.js';
import type { ConfigFile } from '../../walk/config-files.js';

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout', 'DeploymentConfig']);

interface Doc {
  file: ConfigFile;
  doc: any;
  start: number;
  end?: number;
}

type EnvMap = Record<string, { value: string; evidence: Evidence }>;

/**
 * 1-based first line of each YAML document, one per document the parser returns: a `---`
 * always starts one (`---` right after `---` is an empty document), comments before the first
 * `---` belong to it, and content with no `---` before it (or after a `...`) starts one.
 */
function documentStarts(text: string): number[] {
  const out: number[] = [];
  let open = false;
  text.split('\n').forEach((l, i) => {
    if (/^---(\s|$)/.test(l)) {
      out.push(i + 2);
      open = true;
    } else if (/^\.\.\.(\s|$)/.test(l)) open = false;
    else if (!open && /^\s*[^\s#%]/.test(l)) {
      out.push(i + 1);
      open = true;
    }
  });
  return out;
}

function docsOf(files: ConfigFile[]): Doc[] {
  const out: Doc[] = [];
  // a Helm chart's templates are not manifests until rendered (the helm pack reads its values)
  const charts = files.filter((f) => /(^|\/)Chart\.ya?ml$/.test(f.rel)).map((f) => f.rel.slice(0, f.rel.lastIndexOf('/') + 1));
  for (const f of files) {
    if (!/\.ya?ml$/i.test(f.rel) || !f.yaml?.length || !/^\s*apiVersion:/m.test(f.text) || !/^\s*kind:/m.test(f.text)) continue;
    if (charts.some((dir) => f.rel.startsWith(`${dir}templates/`))) continue;
    const starts = documentStarts(f.text);
    f.yaml.forEach((doc: any, i) => {
      if (doc && typeof doc === 'object' && typeof doc.kind === 'string') out.push({ file: f, doc, start: starts[i] ?? 1, end: starts[i + 1] });
    });
  }
  return out;
}

function nameLine(d: Doc): number {
  return yamlKeyLine(d.file.text, d.start, ['metadata', 'name'], d.end);
}

const pack: TechPack = {
  id: 'kubernetes',
  title: 'Kubernetes manifests',
  upstreamDocs: ['https://kubernetes.io/docs/concepts/workloads/controllers/deployment/', 'https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/', 'https://cloudnative-pg.io/documentation/current/cloudnative-pg.v1/'],
  readConfig(files) {
    const out: InfraFacts = { runtimes: [], resources: [] };
    const docs = docsOf(files);
    const configMaps = new Map<string, { data: Record<string, string>; d: Doc }>();
    for (const d of docs) {
      if ((d.doc.kind === 'ConfigMap' || d.doc.kind === 'Secret') && d.doc.metadata?.name) {
        const data: Record<string, string> = {};
        for (const [k, v] of Object.entries<any>(d.doc.stringData ?? {})) data[k] = String(v);
        if (d.doc.kind === 'ConfigMap') for (const [k, v] of Object.entries<any>(d.doc.data ?? {})) data[k] = String(v);
        else
          for (const [k, v] of Object.entries<any>(d.doc.data ?? {})) {
            try {
              data[k] = atob(String(v));
            } catch {
              /* not base64 */
            }
          }
        configMaps.set(`${d.doc.kind}/${d.doc.metadata.name}`, { data, d });
      }
    }
    const scaling = new Map<string, { max?: number; min?: number; evidence: Evidence }>();
    for (const d of docs) {
      const k = d.doc.kind;
      if (k === 'HorizontalPodAutoscaler' && d.doc.spec?.scaleTargetRef?.name) {
        scaling.set(String(d.doc.spec.scaleTargetRef.name), { max: num(d.doc.spec.maxReplicas), min: num(d.doc.spec.minReplicas), evidence: { file: d.file.rel, line: yamlKeyLine(d.file.text, d.start, ['spec', 'maxReplicas'], d.end) } });
      } else if (k === 'ScaledObject' && d.doc.spec?.scaleTargetRef?.name) {
        scaling.set(String(d.doc.spec.scaleTargetRef.name), { max: num(d.doc.spec.maxReplicaCount) ?? 100, min: num(d.doc.spec.minReplicaCount), evidence: { file: d.file.rel, line: yamlKeyLine(d.file.text, d.start, ['spec', 'maxReplicaCount'], d.end) } });
      }
    }
    for (const d of docs) {
      const { kind, metadata, spec } = d.doc;
      // a templated name (`{{ include ... }}` parses as a map) names nothing
      const name = typeof metadata?.name === 'string' || typeof metadata?.name === 'number' ? String(metadata.name) : undefined;
      if (!name || !spec || typeof spec !== 'object') continue;
      const ev: Evidence = { file: d.file.rel, line: nameLine(d) };
      if (WORKLOADS.has(kind)) {
        const pod = spec.template?.spec ?? {};
        const containers: any[] = Array.isArray(pod.containers) ? pod.containers : [];
        if (!containers.length) continue;
        const db = containers.map((c) => (typeof c.image === 'string' ? databaseImage(c.image) : undefined)).find(Boolean);
        const env: EnvMap = {};
        for (const c of containers) Object.assign(env, containerEnv(c, d, configMaps));
        if (db) {
          const c = containers.find((x) => typeof x.image === 'string' && databaseImage(x.image));
          const settings: Record<string, string | number | boolean> = { workload: name, service: name, image: String(c.image) };
          const settingEvidence: Record<string, Evidence> = {};
          for (const [key, v] of Object.entries(postgresFlags([...(c.command ?? []), ...(c.args ?? [])]))) {
            settings[key] = settingValue(v)!;
            settingEvidence[key] = { file: d.file.rel, line: lineWithin(d, `${key}=`) ?? ev.line };
          }
          for (const [key, v] of Object.entries(env)) {
            if (/PASS|SECRET|KEY|TOKEN/i.test(key) || !/POOL|CONN|MAX_|PORT|REPLICATION|MODE|TIMEOUT/i.test(key)) continue;
            settings[`env.${key}`] = settingValue(v.value)!;
            settingEvidence[`env.${key}`] = v.evidence;
          }
          const replica = /(replica|standby|secondary|read)/i.test(name) || /^(slave|replica|standby)$/i.test(env.POSTGRESQL_REPLICATION_MODE?.value ?? '');
          out.resources!.push({ ref: db, evidence: [ev], settings, settingEvidence, origin: 'kubernetes', redundancy: db.name === 'pgbouncer' ? { replicas: num(spec.replicas) ?? 1 } : replica ? { readReplica: true } : undefined });
          continue;
        }
        const app = containers.find((c) => typeof c.image === 'string' && !isInfraImage(c.image));
        if (!app) continue;
        const scale = scaling.get(name);
        // absent: Kubernetes runs 1 (or the autoscaler's minimum); templated (`${REPLICAS}`): unknown
        const replicas = spec.replicas === undefined ? scale?.min ?? 1 : num(spec.replicas) ?? scale?.min;
        const command = [...(app.command ?? []), ...(app.args ?? [])].map(String).join(' ') || undefined;
        out.runtimes!.push({ name, tech: 'container', evidence: scale ? [ev, scale.evidence] : [ev], sourceDirs: [''], command, env, origin: 'kubernetes', redundancy: { replicas, ...(scale?.max !== undefined ? { maxReplicas: scale.max } : {}) } });
      } else if (kind === 'Cluster' && /cnpg|postgresql/.test(String(d.doc.apiVersion))) {
        const params = spec.postgresql?.parameters ?? {};
        const instances = num(spec.instances) ?? 1;
        out.resources!.push({ ref: { kind: 'datastore', name: 'postgres', tech: 'postgresql' }, evidence: [ev], origin: 'kubernetes', ...serverSettings(params, d, ['spec', 'postgresql', 'parameters']), redundancy: instances > 1 ? { replicas: instances, readReplica: true } : undefined });
      } else if (kind === 'postgresql' && /zalan/.test(String(d.doc.apiVersion))) {
        const instances = num(spec.numberOfInstances) ?? 1;
        out.resources!.push({ ref: { kind: 'datastore', name: 'postgres', tech: 'postgresql' }, evidence: [ev], origin: 'kubernetes', ...serverSettings(spec.postgresql?.parameters ?? {}, d, ['spec', 'postgresql', 'parameters']), redundancy: instances > 1 ? { replicas: instances, readReplica: true } : undefined });
        if (spec.enableConnectionPooler) out.resources!.push({ ref: { kind: 'datastore', name: 'pgbouncer', tech: 'pgbouncer' }, evidence: [{ file: d.file.rel, line: yamlKeyLine(d.file.text, d.start, ['spec', 'enableConnectionPooler'], d.end) }], origin: 'kubernetes', settings: { kind: 'pgbouncer', service: `${name}-pooler` } });
      } else if (kind === 'Pooler' && /cnpg/.test(String(d.doc.apiVersion))) {
        const pg = spec.pgbouncer ?? {};
        const settings: Record<string, string | number | boolean> = { kind: 'pgbouncer', service: name };
        const settingEvidence: Record<string, Evidence> = {};
        if (pg.poolMode) {
          settings.pool_mode = String(pg.poolMode);
          settingEvidence.pool_mode = { file: d.file.rel, line: yamlKeyLine(d.file.text, d.start, ['spec', 'pgbouncer', 'poolMode'], d.end) };
        }
        for (const [k, v] of Object.entries<any>(pg.parameters ?? {})) {
          settings[k] = settingValue(String(v))!;
          settingEvidence[k] = { file: d.file.rel, line: yamlKeyLine(d.file.text, d.start, ['spec', 'pgbouncer', 'parameters', k], d.end) };
        }
        out.resources!.push({ ref: { kind: 'datastore', name: 'pgbouncer', tech: 'pgbouncer' }, evidence: [ev], settings, settingEvidence, origin: 'kubernetes', redundancy: { replicas: num(spec.instances) ?? 1 } });
      }
    }
    // a production kustomize overlay scales the workloads the base declares
    const prod = productionReplicas(files, docs);
    for (const r of out.runtimes!) {
      const o = prod.get(r.name);
      if (!o) continue;
      r.redundancy = { ...r.redundancy, replicas: o.replicas };
      r.evidence = [...r.evidence, o.evidence];
    }
    return out;
  },
};
export default pack;

/**
 * Replica counts a production kustomize overlay sets, by workload name: the `replicas:` list of
 * a kustomization.yaml under a `prod`/`production` folder, or a patch there (a Deployment or
 * StatefulSet document with `spec.replicas`). Other overlays (dev, staging) are left out.
 */
function productionReplicas(files: ConfigFile[], docs: Doc[]): Map<string, { replicas: number; evidence: Evidence }> {
  const out = new Map<string, { replicas: number; evidence: Evidence }>();
  for (const f of files) {
    const m = /^(?:(.*)\/)?kustomization\.ya?ml$/.exec(f.rel);
    const dir = m?.[1] ?? '';
    if (!m || !f.yaml?.length || !dir.split('/').some((seg) => /^(prod|production)$/i.test(seg))) continue;
    const k = f.yaml[0] as any;
    for (const r of Array.isArray(k?.replicas) ? k.replicas : []) {
      const count = num(r?.count);
      if (typeof r?.name === 'string' && count !== undefined) out.set(r.name, { replicas: count, evidence: { file: f.rel, line: yamlKeyLine(f.text, 1, ['replicas']) } });
    }
    for (const d of docs) {
      if (!d.file.rel.startsWith(`${dir}/`) || !WORKLOADS.has(d.doc.kind)) continue;
      const count = num(d.doc.spec?.replicas);
      const name = d.doc.metadata?.name;
      if (count !== undefined && typeof name === 'string' && !out.has(name)) out.set(name, { replicas: count, evidence: { file: d.file.rel, line: yamlKeyLine(d.file.text, d.start, ['spec', 'replicas'], d.end) } });
    }
  }
  return out;
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

function lineWithin(d: Doc, needle: string): number | undefined {
  const lines = d.file.text.split('\n');
  for (let i = d.start - 1; i < (d.end ? d.end - 1 : lines.length); i++) if (lines[i]?.includes(needle)) return i + 1;
  return undefined;
}

function serverSettings(params: Record<string, unknown>, d: Doc, path: string[]): { settings: Record<string, string | number | boolean>; settingEvidence: Record<string, Evidence> } {
  const settings: Record<string, string | number | boolean> = {};
  const settingEvidence: Record<string, Evidence> = {};
  for (const [k, v] of Object.entries(params)) {
    const val = settingValue(typeof v === 'number' ? v : String(v));
    if (val === undefined) continue;
    settings[k] = val;
    settingEvidence[k] = { file: d.file.rel, line: yamlKeyLine(d.file.text, d.start, [...path, k], d.end) };
  }
  return { settings, settingEvidence };
}

function containerEnv(c: any, d: Doc, maps: Map<string, { data: Record<string, string>; d: Doc }>): EnvMap {
  const out: EnvMap = {};
  for (const from of Array.isArray(c.envFrom) ? c.envFrom : []) {
    const ref = from?.configMapRef?.name ? `ConfigMap/${from.configMapRef.name}` : from?.secretRef?.name ? `Secret/${from.secretRef.name}` : undefined;
    const m = ref ? maps.get(ref) : undefined;
    if (!m) continue;
    for (const [k, v] of Object.entries(m.data)) out[k] = { value: v, evidence: { file: m.d.file.rel, line: yamlKeyLine(m.d.file.text, m.d.start, [k], m.d.end) } };
  }
  for (const e of Array.isArray(c.env) ? c.env : []) {
    if (!e?.name) continue;
    const line = lineWithin(d, `name: ${e.name}`) ?? d.start;
    const evidence: Evidence = { file: d.file.rel, line };
    if (e.value !== undefined) out[e.name] = { value: String(e.value), evidence };
    else if (e.valueFrom) {
      const kref = e.valueFrom.configMapKeyRef ?? e.valueFrom.secretKeyRef;
      const kind = e.valueFrom.configMapKeyRef ? 'ConfigMap' : 'Secret';
      const m = kref?.name ? maps.get(`${kind}/${kref.name}`) : undefined;
      const v = m && kref?.key ? m.data[kref.key] : undefined;
      out[e.name] = v !== undefined ? { value: v, evidence: { file: m!.d.file.rel, line: yamlKeyLine(m!.d.file.text, m!.d.start, [kref.key], m!.d.end) } } : { value: `\${${kind === 'Secret' ? 'secretKeyRef' : 'configMapKeyRef'}:${kref?.name ?? '?'}/${kref?.key ?? '?'}}`, evidence };
    }
  }
  return out;
}
