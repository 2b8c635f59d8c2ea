import { parseDotenv } from '../../walk/config-files.js';
import { dockerCommandAt, dockerfileCopiesContext, joinRel } from '../_lib/infra.js';
import { imageResource, isInfraImage } from '../_infra.js';
import type { InfraFacts, ResourceRef, TechPack } from '../types.js';

/** Line range of a service block: the `  name:` key under `services:` and the lines indented below it. */
export function serviceBlock(text: string, name: string): { line: number; end: number; lines: string[] } | undefined {
  const lines = text.split('\n');
  const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const key = new RegExp(`^(\\s+)["']?${esc}["']?:\\s*(#.*)?$`);
  let inServices = false;
  let indent = -1;
  for (let i = 0; i < lines.length; i++) {
    if (/^services:/.test(lines[i])) {
      inServices = true;
      indent = -1;
      continue;
    } else if (/^\S/.test(lines[i]) && !lines[i].startsWith('#')) inServices = false;
    if (!inServices || lines[i].trim() === '' || lines[i].trim().startsWith('#')) continue;
    if (indent < 0) indent = lines[i].search(/\S/);
    const m = key.exec(lines[i]);
    if (!m || m[1].length !== indent) continue;
    let end = i + 1;
    while (end < lines.length && (lines[end].trim() === '' || lines[end].search(/\S/) > m[1].length)) end++;
    return { line: i + 1, end, lines };
  }
  return undefined;
}

/** Line of the first line in a service block that matches. */
function lineIn(block: { line: number; end: number; lines: string[] } | undefined, re: RegExp): number | undefined {
  if (!block) return undefined;
  for (let i = block.line; i < block.end; i++) if (re.test(block.lines[i])) return i + 1;
  return undefined;
}

/** Environment keys worth keeping as resource settings (pooler sizes, replication, limits); never credentials. */
const SETTING_ENV = /POOL|CONN|MAX_|PORT|REPLICATION|MODE|TIMEOUT|PRIMARY_HOST|MASTER_HOST/i;
const SECRET_ENV = /PASS|SECRET|KEY|TOKEN|CREDENTIAL/i;

function serviceEnv(svc: any): Record<string, string> {
  const raw = Array.isArray(svc.environment) ? Object.fromEntries(svc.environment.map((e: string) => String(e).split(/=(.*)/s).slice(0, 2))) : svc.environment ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  return out;
}

function commandFlags(command: unknown): Record<string, string> {
  const text = Array.isArray(command) ? command.join(' ') : typeof command === 'string' ? command : '';
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/-c\s+([a-z_]+)=(\S+)/g)) out[m[1]] = m[2];
  return out;
}

/** docker-compose: services become runtimes (built from source) or resources (known images). */
const MANIFEST = /(^|\/)(package\.json|pyproject\.toml|requirements[\w.-]*\.txt|Pipfile|go\.mod|Gemfile)$/;
const CODE_DIR = /^(src|app|apps|server|api|backend|lib|libs|packages|services)$/;

/** The folders a service bind-mounts from the repository, relative to its root ('' for the root itself). */
function boundDirs(svc: any, dir: string): string[] {
  const out: string[] = [];
  for (const v of Array.isArray(svc.volumes) ? svc.volumes : []) {
    const source = String(typeof v === 'string' ? v.split(':')[0] : v?.type === 'bind' ? v?.source ?? '' : '');
    if (!/^\.{1,2}(\/|$)/.test(source)) continue;
    const parts: string[] = dir ? dir.split('/') : [];
    for (const seg of source.split('/')) {
      if (seg === '..') parts.pop();
      else if (seg && seg !== '.') parts.push(seg);
    }
    out.push(parts.join('/'));
  }
  return out;
}

/**
 * A service with only an `image:` (nothing built here) runs the repository's code when it
 * bind-mounts it (the repository, a folder holding a package manifest, or a src/app/server-style
 * folder), when its image is set by variables (`${REGISTRY}/api:${TAG}`, as CI-built images are),
 * or when the image is named after one of the repository's packages. Otherwise it is a
 * third-party service (tinybird-local, a mock server): not a runtime of the app.
 */
const TEST_STACK = /(^|\/)(cypress|playwright|e2e|tests?|__tests__|testing|integration-tests?)\//;

function imageRunsOwnCode(svc: any, image: string, dir: string, files: { rel: string; json?: unknown; text: string }[]): boolean {
  if (/\$\{?[A-Za-z_]/.test(image)) return true;
  const manifests = files.filter((f) => MANIFEST.test(f.rel));
  for (const d of boundDirs(svc, dir)) {
    if (d === '' || (dir !== '' && (dir === d || dir.startsWith(d + '/'))) || CODE_DIR.test(d.split('/').pop() ?? '')) return true;
    if (manifests.some((m) => m.rel.startsWith(d + '/'))) return true;
  }
  const imageName = image.replace(/[:@].*$/, '').split('/').pop()!.toLowerCase();
  const packageNames = manifests.flatMap((m) => {
    const json = m.json as { name?: unknown } | undefined;
    if (typeof json?.name === 'string') return [json.name.replace(/^@[^/]+\//, '').toLowerCase()];
    const toml = /^\s*name\s*=\s*["']([\w.-]+)["']/m.exec(m.rel.endsWith('pyproject.toml') ? m.text : '');
    return toml ? [toml[1].toLowerCase()] : [];
  });
  return packageNames.some((n) => n && (imageName === n || imageName.split(/[-_.]/).includes(n) || n.split(/[-_.]/).includes(imageName)));
}

const pack: TechPack = {
  id: 'docker-compose',
  title: 'Docker Compose',
  upstreamDocs: ['https://docs.docker.com/reference/compose-file/services/', 'https://docs.docker.com/reference/compose-file/deploy/#replicas'],
  readConfig(files) {
    const out: InfraFacts = { runtimes: [], resources: [], env: {} };
    for (const f of files) {
      if (!/(^|\/)(docker-)?compose(\.[\w-]+)?\.ya?ml$/.test(f.rel) || !f.yaml?.length) continue;
      // the stack an end-to-end suite starts (cypress/docker-compose.yml) is the tests' own, not how the service runs
      if (TEST_STACK.test(f.rel)) continue;
      const doc = f.yaml[0] as any;
      if (!doc?.services || typeof doc.services !== 'object') continue;
      const dir = f.rel.includes('/') ? f.rel.slice(0, f.rel.lastIndexOf('/')) : '';
      for (const [name, svc] of Object.entries<any>(doc.services)) {
        if (!svc || typeof svc !== 'object') continue;
        const block = serviceBlock(f.text, name);
        const evidence = [{ file: f.rel, line: block?.line ?? f.lineOf(`${name}:`) }];
        const replicas = typeof svc.deploy?.replicas === 'number' ? svc.deploy.replicas : typeof svc.scale === 'number' ? svc.scale : undefined;
        const env = serviceEnv(svc);
        const envLine = (k: string) => lineIn(block, new RegExp(`^\\s*(-\\s*)?["']?${k}["']?\\s*[:=]`)) ?? f.lineOf(k);
        for (const [k, v] of Object.entries(env)) if (!out.env![k]) out.env![k] = { value: v, evidence: { file: f.rel, line: envLine(k) } };
        const image = typeof svc.image === 'string' ? svc.image : undefined;
        const res = image ? imageResource(image) : undefined;
        if (res && !svc.build) {
          const settings: Record<string, string | number | boolean> = { service: name, image: image! };
          const settingEvidence: Record<string, { file: string; line: number }> = {};
          const commandLine = lineIn(block, /^\s*command:/);
          for (const [k, v] of Object.entries(commandFlags(svc.command))) {
            settings[k] = /^\d+$/.test(v) ? Number(v) : v;
            settingEvidence[k] = { file: f.rel, line: lineIn(block, new RegExp(`${k}=`)) ?? commandLine ?? evidence[0].line };
          }
          for (const [k, v] of Object.entries(env)) {
            if (!SETTING_ENV.test(k) || SECRET_ENV.test(k)) continue;
            settings[`env.${k}`] = /^\d+$/.test(v) ? Number(v) : v;
            settingEvidence[`env.${k}`] = { file: f.rel, line: envLine(k) };
          }
          // a postgresql.conf from the repository mounted into the server: its `-c` flags above override that file's settings
          const conf = boundDirs(svc, dir).find((p) => /(^|\/)postgresql\.conf$/.test(p));
          if (conf) settings.mountedConf = conf;
          const imageLine = lineIn(block, /^\s*image:/);
          // a second PostgreSQL/MySQL service that streams from the first is a replica of the same datastore
          const isReplica = res.kind === 'datastore' && res.name !== 'pgbouncer' && (/(replica|standby|secondary|slave|read)/i.test(name) || /^(slave|replica|standby)$/i.test(env.POSTGRESQL_REPLICATION_MODE ?? env.MYSQL_REPLICATION_MODE ?? env.REPLICATION_MODE ?? '') || !!(env.POSTGRESQL_MASTER_HOST ?? env.POSTGRESQL_PRIMARY_HOST));
          const redundancy = { ...(replicas !== undefined ? { replicas } : {}), ...(isReplica ? { readReplica: true } : {}) };
          out.resources!.push({ ref: res, redundancy: Object.keys(redundancy).length ? redundancy : undefined, evidence: imageLine ? [{ file: f.rel, line: imageLine }] : evidence, settings, settingEvidence, origin: 'docker-compose' });
          continue;
        }
        // an admin UI or dev tool pulled as an image (adminer, mongo-express, maildev) runs none of the repository's code
        if (svc.build || (image && !res && !isInfraImage(image) && imageRunsOwnCode(svc, image, dir, files))) {
          const ctx = typeof svc.build === 'string' ? svc.build : svc.build?.context;
          const src = ctx ? [dir, ctx].filter(Boolean).join('/').replace(/\/\.$|^\.\//, '').replace(/^\.$/, '') : dir;
          // no command in compose: the image's own CMD/ENTRYPOINT, from the Dockerfile it is built from
          const dockerfile = svc.build ? joinRel(dir, ctx ?? '.', typeof svc.build === 'object' && typeof svc.build.dockerfile === 'string' ? svc.build.dockerfile : 'Dockerfile') : undefined;
          // built from a Dockerfile that copies nothing of the context (`RUN npm i -g maildev`) and with no bind mount of the code: a tool, not the app
          const dockerfileText = dockerfile ? files.find((x) => x.rel === dockerfile)?.text : undefined;
          const mountsCode = (Array.isArray(svc.volumes) ? svc.volumes : []).some((v: any) => /^\.{1,2}(\/|:|$)/.test(String(typeof v === 'string' ? v : v?.type === 'bind' ? v?.source ?? '' : '')));
          if (dockerfileText !== undefined && !dockerfileCopiesContext(dockerfileText) && !mountsCode) continue;
          const command = Array.isArray(svc.command) ? svc.command.join(' ') : typeof svc.command === 'string' ? svc.command : dockerfile ? dockerCommandAt(files, dockerfile)?.command : undefined;
          const runtimeEnv: Record<string, { value: string; evidence: { file: string; line: number } }> = {};
          const envFiles = (Array.isArray(svc.env_file) ? svc.env_file : svc.env_file ? [svc.env_file] : []).map((e: any) => String(typeof e === 'string' ? e : e?.path ?? ''));
          for (const ef of envFiles) {
            const rel = [dir, ef].filter(Boolean).join('/').replace(/(^|\/)\.\//g, '$1');
            const file = files.find((x) => x.rel === rel);
            if (file) for (const [k, v] of Object.entries(parseDotenv(file.text))) runtimeEnv[k] = { value: v.value, evidence: { file: file.rel, line: v.line } };
          }
          for (const [k, v] of Object.entries(env)) runtimeEnv[k] = { value: v, evidence: { file: f.rel, line: envLine(k) } };
          // built from the repository root with a Dockerfile in the code's folder (`context: .`, `dockerfile: backend/Dockerfile`): that folder is its code too
          const dfDir = dockerfile && dockerfile.includes('/') ? dockerfile.slice(0, dockerfile.lastIndexOf('/')) : undefined;
          const sourceDirs = dfDir && src === '' ? [src, dfDir] : [src];
          out.runtimes!.push({ name, tech: 'container', redundancy: { replicas: replicas ?? 1 }, evidence, sourceDirs, command, env: runtimeEnv, origin: 'docker-compose' });
        }
      }
    }
    return out;
  },
};
export default pack;
