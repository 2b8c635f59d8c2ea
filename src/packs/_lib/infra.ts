// Infrastructure helpers for the compose, Dockerfile and package.json packs: what a
// Dockerfile's final stage runs, and whether any orchestrator in the repository (compose,
// serverless.yml, Kubernetes) declares runtimes at all.
import type { ConfigFile } from '../../walk/config-files.js';

export function dirOf(rel: string): string {
  return rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
}

export function joinRel(...parts: string[]): string {
  const out: string[] = [];
  for (const seg of parts.join('/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out.join('/');
}

// ---------- Dockerfile ----------

export interface DockerCommand {
  /** ENTRYPOINT and CMD of the final stage, joined; npm/yarn/pnpm scripts resolved through the package.json beside it. */
  command: string;
  /** The instruction that decided it. */
  line: number;
}

function execOrShell(arg: string): string[] {
  const t = arg.trim();
  if (t.startsWith('[')) {
    try {
      const arr = JSON.parse(t);
      if (Array.isArray(arr) && arr.every((x) => typeof x === 'string')) return arr;
    } catch {
      /* shell form after all */
    }
  }
  return t ? [t] : [];
}

/** The command a Dockerfile's final stage runs (a stage built FROM an earlier one inherits its command). */
export function dockerfileCommand(text: string): { parts: string[]; line: number } | undefined {
  interface Stage { cmd?: string[]; entrypoint?: string[]; line?: number }
  const stages = new Map<string, Stage>();
  let cur: Stage | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let logical = lines[i];
    while (/\\\s*$/.test(logical) && i + 1 < lines.length) logical = logical.replace(/\\\s*$/, ' ') + lines[++i];
    const m = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(logical);
    if (!m || logical.trim().startsWith('#')) continue;
    const instr = m[1].toUpperCase();
    const arg = m[2].trim();
    if (instr === 'FROM') {
      const fm = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(arg);
      const base = fm ? stages.get(fm[1].toLowerCase()) : undefined;
      cur = base ? { ...base } : {};
      if (fm?.[2]) stages.set(fm[2].toLowerCase(), cur);
    } else if (cur && instr === 'CMD') {
      cur.cmd = execOrShell(arg);
      cur.line = start + 1;
    } else if (cur && instr === 'ENTRYPOINT') {
      cur.entrypoint = execOrShell(arg);
      cur.cmd = undefined; // ENTRYPOINT resets an inherited CMD
      cur.line = start + 1;
    }
  }
  if (!cur || (!cur.cmd && !cur.entrypoint) || cur.line === undefined) return undefined;
  return { parts: [...(cur.entrypoint ?? []), ...(cur.cmd ?? [])], line: cur.line };
}

/** `npm start`, `npm run start:worker`, `yarn worker`, `pnpm run x` → the script's text from package.json. */
export function resolveScript(command: string, pkgJson: unknown): string {
  const scripts = (pkgJson as { scripts?: Record<string, unknown> } | undefined)?.scripts;
  if (!scripts || typeof scripts !== 'object') return command;
  // also after an init wrapper: `dumb-init -- npm run start:worker`
  const m = /(^|\s)(?:npm|yarn|pnpm|bun)\s+(?:run(?:-script)?\s+)?([\w:.-]+)\s*$/.exec(command.trim());
  if (!m) return command;
  const script = scripts[m[2]];
  if (typeof script !== 'string') return command;
  return (command.trim().slice(0, m.index) + m[1] + script).trim();
}

/** What the Dockerfile at `rel` runs. */
export function dockerCommandAt(files: ConfigFile[], rel: string): DockerCommand | undefined {
  const f = files.find((x) => x.rel === rel);
  if (!f) return undefined;
  const cmd = dockerfileCommand(f.text);
  if (!cmd) return undefined;
  const pkg = files.find((x) => x.rel === joinRel(dirOf(rel), 'package.json'));
  const joined = cmd.parts.join(' ');
  return { command: resolveScript(joined, pkg?.json), line: cmd.line };
}

/**
 * The Dockerfile puts files of its build context into the image (a COPY or ADD that is not
 * `--from` another stage or image). One that only installs a published tool
 * (`RUN npm i -g maildev`, `CMD maildev`) runs none of the repository's code.
 */
export function dockerfileCopiesContext(text: string): boolean {
  return text.split('\n').some((l) => /^\s*(COPY|ADD)\s/i.test(l) && !/^\s*COPY\s+(?:--\S+\s+)*--from[=\s]/i.test(l));
}

export function isDockerfile(rel: string): boolean {
  return /(^|\/)Dockerfile(\.[\w.-]+)?$/.test(rel) || /(^|\/)[\w.-]+\.Dockerfile$/.test(rel);
}

// ---------- Kubernetes ----------

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout', 'DeploymentConfig']);

/** Some Kubernetes manifest declares a workload (the kubernetes pack reads them in full). */
function declaresWorkloads(files: ConfigFile[]): boolean {
  return files.some((f) => /\.ya?ml$/i.test(f.rel) && !!f.yaml?.some((d: any) => d && typeof d === 'object' && WORKLOAD_KINDS.has(d.kind) && typeof d.apiVersion === 'string'));
}

// ---------- who declares runtimes ----------

const COMPOSE = /(^|\/)(docker-)?compose(\.[\w-]+)?\.ya?ml$/;

/** True when compose (a service built from source), serverless.yml (functions) or Kubernetes (workloads) declares what runs. */
export function orchestratorDeclaresRuntimes(files: ConfigFile[]): boolean {
  for (const f of files) {
    if (COMPOSE.test(f.rel) && f.yaml?.length) {
      const services = (f.yaml[0] as any)?.services;
      if (services && typeof services === 'object' && Object.values<any>(services).some((s) => s && typeof s === 'object' && s.build)) return true;
    }
    if (/(^|\/)serverless\.ya?ml$/.test(f.rel) && f.yaml?.length) {
      const fns = (f.yaml[0] as any)?.functions;
      if (fns && typeof fns === 'object' && Object.keys(fns).length) return true;
    }
  }
  return declaresWorkloads(files);
}

/** package.json files: directory and name (scope dropped, as the runtime fallback names them). */
export function packageDirs(files: ConfigFile[]): { dir: string; name: string; rel: string; json: any }[] {
  return files
    .filter((c) => /(^|\/)package\.json$/.test(c.rel) && c.json && typeof c.json === 'object')
    .map((c) => ({ dir: dirOf(c.rel), name: String((c.json as any).name ?? '').replace(/^@[^/]+\//, ''), rel: c.rel, json: c.json }));
}
