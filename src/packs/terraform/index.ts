import type { Evidence } from '../../model/types.js';
import type { InfraFacts, TechPack } from '../types.js';
import { isExpr, parseHcl, type HclBlock, type HclValue } from './hcl.js';

type Resource = NonNullable<InfraFacts['resources']>[number];

interface Found {
  file: string;
  block: HclBlock;
  /** resource type (aws_db_instance) or 'module'. */
  type: string;
  name: string;
}

function str(v: HclValue | undefined): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function refName(v: HclValue | undefined, type: string): string | undefined {
  const raw = isExpr(v) ? v.expr : undefined;
  const m = raw ? new RegExp(`^${type}\\.([\\w-]+)(\\[[^\\]]*\\])?\\.`).exec(raw) : undefined;
  return m?.[1];
}

function engineOf(engine: string | undefined): { name: string; tech: string } | undefined {
  if (!engine) return undefined;
  if (/postgres/i.test(engine)) return { name: 'postgres', tech: 'postgresql' };
  if (/mysql|mariadb/i.test(engine)) return { name: 'mysql', tech: 'mysql' };
  return undefined;
}

/**
 * Terraform (.tf): RDS/Aurora instances and clusters (engine, instance class, multi-AZ,
 * read replicas), their parameter groups (max_connections, statement_timeout), RDS Proxy,
 * and the community `terraform-aws-modules/rds` module. Only literal attribute values are
 * read; expressions stay unknown.
 */
const pack: TechPack = {
  id: 'terraform',
  title: 'Terraform (AWS RDS, Aurora, RDS Proxy)',
  upstreamDocs: [
    'https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_instance',
    'https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_parameter_group',
    'https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_proxy',
    'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.MaxConnections',
  ],
  readConfig(files) {
    const out: InfraFacts = { resources: [] };
    const found: Found[] = [];
    for (const f of files) {
      if (!/\.tf$/.test(f.rel)) continue;
      let root: HclBlock;
      try {
        root = parseHcl(f.text);
      } catch {
        continue;
      }
      for (const b of root.blocks) {
        if (b.type === 'resource' && b.labels.length >= 2) found.push({ file: f.rel, block: b, type: b.labels[0], name: b.labels[1] });
        else if (b.type === 'module' && b.labels.length >= 1) found.push({ file: f.rel, block: b, type: 'module', name: b.labels[0] });
      }
    }
    const at = (x: Found, attr?: string): Evidence => ({ file: x.file, line: attr && x.block.attrLines[attr] ? x.block.attrLines[attr] : x.block.line });
    const paramGroups = new Map<string, { params: Record<string, { value: string; evidence: Evidence }>; x: Found }>();
    for (const x of found) {
      if (x.type !== 'aws_db_parameter_group' && x.type !== 'aws_rds_cluster_parameter_group') continue;
      const params: Record<string, { value: string; evidence: Evidence }> = {};
      for (const p of x.block.blocks.filter((b) => b.type === 'parameter')) {
        const name = str(p.attrs.name);
        const value = str(p.attrs.value);
        if (name && value !== undefined) params[name] = { value, evidence: { file: x.file, line: p.attrLines.value ?? p.line } };
      }
      paramGroups.set(`${x.type}.${x.name}`, { params, x });
      const literal = str(x.block.attrs.name);
      if (literal) paramGroups.set(`name:${literal}`, { params, x });
    }
    const groupOf = (v: HclValue | undefined, type: string) => {
      const ref = refName(v, type);
      return ref ? paramGroups.get(`${type}.${ref}`) : str(v) ? paramGroups.get(`name:${str(v)}`) : undefined;
    };
    const replicaSources = new Set(found.filter((x) => x.type === 'aws_db_instance' && x.block.attrs.replicate_source_db !== undefined).map((x) => refName(x.block.attrs.replicate_source_db, 'aws_db_instance') ?? '?'));
    const clusterInstances = new Map<string, { count: number; instanceClass?: string; x: Found }>();
    for (const x of found) {
      if (x.type !== 'aws_rds_cluster_instance') continue;
      const cluster = refName(x.block.attrs.cluster_identifier, 'aws_rds_cluster') ?? '?';
      const count = typeof x.block.attrs.count === 'number' ? x.block.attrs.count : x.block.attrs.count === undefined && x.block.attrs.for_each === undefined ? 1 : NaN;
      const prev = clusterInstances.get(cluster);
      clusterInstances.set(cluster, { count: (prev?.count ?? 0) + count, instanceClass: prev?.instanceClass ?? str(x.block.attrs.instance_class), x: prev?.x ?? x });
    }

    const push = (x: Found, engine: { name: string; tech: string }, settings: Record<string, string | number | boolean>, settingEvidence: Record<string, Evidence>, params: Record<string, { value: string; evidence: Evidence }> | undefined, redundancy: Resource['redundancy']) => {
      for (const [k, p] of Object.entries(params ?? {})) {
        settings[k] = /^\d+$/.test(p.value) ? Number(p.value) : p.value;
        settingEvidence[k] = p.evidence;
      }
      out.resources!.push({ ref: { kind: 'datastore', ...engine }, evidence: [at(x)], settings, settingEvidence, origin: 'terraform', redundancy });
    };

    for (const x of found) {
      const a = x.block.attrs;
      if (x.type === 'aws_db_instance' || (x.type === 'module' && /rds\/aws|\/rds($|\/)|rds-aurora/.test(str(a.source) ?? ''))) {
        const engine = engineOf(str(a.engine) ?? (x.type === 'module' && /aurora/.test(str(a.source) ?? '') ? 'aurora-postgresql' : undefined));
        if (!engine) continue;
        const isReplica = a.replicate_source_db !== undefined;
        const settings: Record<string, string | number | boolean> = { resource: `${x.type}.${x.name}`, engine: str(a.engine) ?? '' };
        const settingEvidence: Record<string, Evidence> = {};
        if (str(a.instance_class)) {
          settings.instance_class = str(a.instance_class)!;
          settingEvidence.instance_class = at(x, 'instance_class');
        }
        if (isReplica) settings.role = 'replica';
        let params = groupOf(a.parameter_group_name, 'aws_db_parameter_group')?.params;
        if (x.type === 'module' && Array.isArray(a.parameters)) {
          params = {};
          for (const p of a.parameters) {
            if (!p || typeof p !== 'object' || Array.isArray(p)) continue;
            const name = str((p as any).name);
            const value = str((p as any).value);
            if (name && value !== undefined) params[name] = { value, evidence: at(x, 'parameters') };
          }
        }
        const multiAz = a.multi_az === true;
        const readReplica = replicaSources.has(x.name) || (x.type === 'module' && typeof a.replicas === 'object');
        push(x, engine, settings, settingEvidence, params, multiAz || readReplica || isReplica ? { ...(multiAz ? { multiAz: true } : {}), ...(readReplica || isReplica ? { readReplica: true } : {}) } : undefined);
      } else if (x.type === 'aws_rds_cluster') {
        const engine = engineOf(str(a.engine));
        if (!engine) continue;
        const inst = clusterInstances.get(x.name);
        const settings: Record<string, string | number | boolean> = { resource: `${x.type}.${x.name}`, engine: str(a.engine) ?? '', aurora: true };
        const settingEvidence: Record<string, Evidence> = {};
        if (inst?.instanceClass) {
          settings.instance_class = inst.instanceClass;
          settingEvidence.instance_class = at(inst.x, 'instance_class');
        }
        const params = groupOf(a.db_cluster_parameter_group_name, 'aws_rds_cluster_parameter_group')?.params;
        const count = inst?.count;
        const serverless = a.engine_mode === 'serverless' || x.block.blocks.some((b) => b.type === 'serverlessv2_scaling_configuration');
        if (serverless) settings.serverless = true;
        push(x, engine, settings, settingEvidence, params, count !== undefined && count > 1 ? { replicas: count, readReplica: true, multiAz: true } : undefined);
      } else if (x.type === 'aws_db_proxy') {
        out.resources!.push({ ref: { kind: 'datastore', name: 'rds-proxy', tech: 'rds-proxy' }, evidence: [at(x)], settings: { kind: 'rds-proxy', resource: `${x.type}.${x.name}`, engine_family: str(a.engine_family) ?? '' }, origin: 'terraform' });
      }
    }
    return out;
  },
};
export default pack;
