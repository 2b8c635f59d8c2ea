import type { InfraFacts, ResourceRef, TechPack } from '../types.js';

/** Image name → the resource it runs (docs/model.md naming). */
export function imageResource(image: string): ResourceRef | undefined {
  const i = image.toLowerCase().replace(/^docker\.io\//, '');
  if (/(^|\/)(postgres|postgis|pgvector|timescaledb|supabase\/postgres)/.test(i)) return { kind: 'datastore', name: 'postgres', tech: 'postgresql' };
  if (/(^|\/)(mysql|mariadb)/.test(i)) return { kind: 'datastore', name: 'mysql', tech: 'mysql' };
  if (/(^|\/)mongo/.test(i)) return { kind: 'datastore', name: 'mongodb', tech: 'mongodb' };
  if (/(^|\/)(redis|valkey|keydb|dragonfly)/.test(i)) return { kind: 'cache', name: 'redis', tech: 'redis' };
  if (/(^|\/)memcached/.test(i)) return { kind: 'cache', name: 'memcached', tech: 'memcached' };
  if (/(^|\/)(rabbitmq)/.test(i)) return { kind: 'queue', name: 'rabbitmq', tech: 'rabbitmq' };
  if (/(kafka|redpanda)/.test(i)) return { kind: 'queue', name: 'kafka', tech: 'kafka' };
  if (/pgbouncer|supavisor|pgcat/.test(i)) return { kind: 'datastore', name: 'pgbouncer', tech: 'pgbouncer' };
  return undefined;
}

function commandFlags(command: unknown): Record<string, string> {
  const text = Array.isArray(command) ? command.join(' ') : typeof command === 'string' ? command : '';
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/-c\s+([a-z_]+)=(\S+)/g)) out[m[1]] = m[2];
  return out;
}

/** docker-compose: services become runtimes (built from source) or resources (known images). */
const pack: TechPack = {
  id: 'docker-compose',
  title: 'Docker Compose',
  upstreamDocs: ['https://docs.docker.com/reference/compose-file/services/', 'https://docs.docker.com/reference/compose-file/deploy/#replicas'],
  readConfig(files) {
    const out: InfraFacts = { runtimes: [], resources: [], env: {} };
    for (const f of files) {
      if (!/(^|\/)(docker-)?compose(\.[\w-]+)?\.ya?ml$/.test(f.rel) || !f.yaml?.length) continue;
      const doc = f.yaml[0] as any;
      if (!doc?.services || typeof doc.services !== 'object') continue;
      const dir = f.rel.includes('/') ? f.rel.slice(0, f.rel.lastIndexOf('/')) : '';
      for (const [name, svc] of Object.entries<any>(doc.services)) {
        if (!svc || typeof svc !== 'object') continue;
        const evidence = [{ file: f.rel, line: f.lineOf(`${name}:`) }];
        const replicas = typeof svc.deploy?.replicas === 'number' ? svc.deploy.replicas : typeof svc.scale === 'number' ? svc.scale : undefined;
        const env = Array.isArray(svc.environment) ? Object.fromEntries(svc.environment.map((e: string) => String(e).split(/=(.*)/s).slice(0, 2))) : svc.environment ?? {};
        for (const [k, v] of Object.entries(env)) if (typeof v === 'string' && !out.env![k]) out.env![k] = { value: v, evidence: { file: f.rel, line: f.lineOf(k) } };
        const image = typeof svc.image === 'string' ? svc.image : undefined;
        const res = image ? imageResource(image) : undefined;
        if (res && !svc.build) {
          const settings: Record<string, string | number | boolean> = { service: name, image: image! };
          for (const [k, v] of Object.entries(commandFlags(svc.command))) settings[k] = /^\d+$/.test(v) ? Number(v) : v;
          out.resources!.push({ ref: res, redundancy: replicas !== undefined ? { replicas } : undefined, evidence, settings });
          continue;
        }
        if (svc.build || (image && !res)) {
          const ctx = typeof svc.build === 'string' ? svc.build : svc.build?.context;
          const src = ctx ? [dir, ctx].filter(Boolean).join('/').replace(/\/\.$|^\.\//, '').replace(/^\.$/, '') : dir;
          const command = Array.isArray(svc.command) ? svc.command.join(' ') : typeof svc.command === 'string' ? svc.command : undefined;
          out.runtimes!.push({ name, tech: 'container', redundancy: { replicas: replicas ?? 1 }, evidence, sourceDirs: [src], command });
        }
      }
    }
    return out;
  },
};
export default pack;
