// The runtimes that hold database pools: how many of each run (normal and peak), and
// which clients each one creates (its entry file's import closure, else its source folder).
import type { FactIndex, FileFacts } from '../../extract/facts.js';
import type { Config } from '../../config/schema.js';
import type { Evidence, Model } from '../../model/types.js';
import type { InfraFacts } from '../../packs/types.js';
import { cmpStr } from '../../shared/compare.js';
import type { ConfigFile } from '../../walk/config-files.js';
import type { Known } from './types.js';
import { pythonClosure, pythonEntries, pythonProcesses } from './python.js';

export interface RuntimeInfo {
  id: string;
  name: string;
  tech: string;
  origin?: string;
  env: Record<string, { value: string; evidence: Evidence }>;
  replicas: Known;
  peak: Known & { unbounded?: boolean };
  processes: number;
  /** Where the process count comes from (`--workers 4`), or why it is not known. */
  processesNote?: string;
  /** Source files the runtime's processes load (import closure of the entry), when the entry is known. */
  closure?: Set<string>;
  sourceDirs: string[];
  evidence: Evidence[];
}

const ORIGIN_RANK: Record<string, number> = { kubernetes: 0, helm: 1, serverless: 2, 'docker-compose': 3 };
const EXTS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.jsx'];

export function normalizePath(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (!seg || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out.join('/');
}

function dirOf(file: string): string {
  return file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
}

function under(file: string, dir: string): boolean {
  return dir === '' || file === dir || file.startsWith(dir + '/');
}

function resolveFile(facts: FactIndex, base: string): string | undefined {
  const b = normalizePath(base);
  const stripped = b.replace(/\.(c|m)?js$/, '');
  for (const c of [b, ...EXTS.map((e) => stripped + e), ...EXTS.map((e) => `${stripped}/index${e}`)]) if (facts.has(c)) return c;
  return undefined;
}

/** A built path (dist/main.js) → its source (src/main.ts). */
export function resolveEntry(facts: FactIndex, dir: string, p: string): string | undefined {
  const rel = normalizePath([dir, p].filter(Boolean).join('/'));
  const candidates = [rel, rel.replace(/(^|\/)(dist|build|out|\.build|lib)\//, '$1src/'), rel.replace(/(^|\/)(dist|build|out|\.build)\//, '$1')];
  for (const c of candidates) {
    const r = resolveFile(facts, c);
    if (r) return r;
  }
  return undefined;
}

/** Script paths a command runs: `node dist/server.js`, `tsx src/worker.ts`, `npm run start:worker` (one level through package.json). */
function commandEntries(facts: FactIndex, configs: ConfigFile[], dir: string, command: string | undefined, depth = 0): string[] {
  if (!command || depth > 2) return [];
  const out: string[] = [];
  for (const m of command.matchAll(/(?:^|[\s"'])(?:node|ts-node|tsx|bun|nodemon|node-dev)\s+(?:--?[\w-]+(?:[= ][^\s"']+)?\s+)*([^\s"'&;|]+)/g)) {
    const r = resolveEntry(facts, dir, m[1]);
    if (r) out.push(r);
  }
  for (const m of command.matchAll(/(?:npm|pnpm|yarn)\s+(?:run\s+)?([\w:.-]+)/g)) {
    const pkg = configs.find((c) => c.rel === normalizePath(`${dir}/package.json`));
    const script = (pkg?.json as any)?.scripts?.[m[1] === 'start' || m[1] === 'run' ? 'start' : m[1]];
    if (typeof script === 'string') out.push(...commandEntries(facts, configs, dir, script, depth + 1));
  }
  return out;
}

/** CMD/ENTRYPOINT of the Dockerfile in the build folder. */
function dockerfileCommand(configs: ConfigFile[], dir: string): string | undefined {
  const df = configs.find((c) => c.rel === normalizePath(`${dir}/Dockerfile`));
  if (!df) return undefined;
  const lines = df.text.split('\n').filter((l) => /^\s*(CMD|ENTRYPOINT)\b/i.test(l));
  const last = lines[lines.length - 1];
  if (!last) return undefined;
  const json = /\[(.*)\]/.exec(last);
  return json ? json[1].split(',').map((s) => s.trim().replace(/^"|"$/g, '')).join(' ') : last.replace(/^\s*(CMD|ENTRYPOINT)\s+/i, '');
}

export interface Workspace {
  name: string;
  dir: string;
}

export function workspacesOf(configs: ConfigFile[]): Workspace[] {
  return configs
    .filter((c) => /(^|\/)package\.json$/.test(c.rel) && c.json && typeof (c.json as any).name === 'string')
    .map((c) => ({ name: String((c.json as any).name), dir: dirOf(c.rel) }))
    .sort((a, b) => b.dir.length - a.dir.length || cmpStr(a.name, b.name));
}

const suffixCache = new WeakMap<FactIndex, Map<string, string[]>>();

/** Files by every trailing part of their path without extension (`users/user.service`), for alias imports. */
function filesByTail(facts: FactIndex, tail: string): string[] {
  let index = suffixCache.get(facts);
  if (!index) suffixCache.set(facts, (index = new Map()));
  if (!index.size) for (const f of facts.keys()) {
    const key = f.replace(/\.[^./]+$/, '').replace(/\/index$/, '');
    const parts = key.split('/');
    for (let i = 0; i < parts.length; i++) {
      const t = parts.slice(i).join('/');
      const list = index.get(t);
      if (list) list.push(f);
      else index.set(t, [f]);
    }
  }
  return index.get(tail.replace(/\.(c|m)?[jt]sx?$/, '')) ?? [];
}

/** The project file an import specifier of `file` loads (relative, workspace packages, `@/` and `~/` aliases). */
export function resolveImport(facts: FactIndex, file: string, spec: string, workspaces: Workspace[]): string | undefined {
  if (spec.startsWith('.')) return resolveFile(facts, `${dirOf(file)}/${spec}`);
  const ws = workspaces.find((w) => spec === w.name || spec.startsWith(w.name + '/'));
  if (ws) {
    const sub = spec.slice(ws.name.length).replace(/^\//, '');
    return resolveFile(facts, `${ws.dir}/src/${sub || 'index'}`) ?? resolveFile(facts, `${ws.dir}/${sub || 'index'}`);
  }
  if (!/^(@\/|~\/|#|src\/)/.test(spec)) return undefined;
  const tail = spec.replace(/^(@\/|~\/|#\/?|src\/)/, '');
  const pkg = workspaces.find((w) => under(file, w.dir));
  const cands = filesByTail(facts, tail).filter((c) => !pkg || under(c, pkg.dir));
  return cands.length > 1 ? cands.find((c) => c.includes('/src/')) ?? cands[0] : cands[0];
}

/** The specifiers a file loads at run time (type-only imports erase). */
export function runtimeSpecifiers(f: FileFacts): string[] {
  return [...f.imports.filter((i) => !i.typeOnly).map((i) => i.source), ...f.reexports.map((r) => r.source)];
}

/** Files reachable from the entries through imports and re-exports (relative, workspace packages, `@/` and `~/` aliases). */
export function importClosure(facts: FactIndex, entries: string[], workspaces: Workspace[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...entries];
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const f = facts.get(file);
    if (!f) continue;
    for (const spec of runtimeSpecifiers(f)) {
      const target = resolveImport(facts, file, spec, workspaces);
      if (target && !seen.has(target)) stack.push(target);
    }
  }
  return seen;
}

function knownNum(v: number | undefined, note: string, evidence?: Evidence): Known | undefined {
  return v === undefined ? undefined : { value: v, source: 'explicit', note, ...(evidence ? { evidence } : {}) };
}

export function listRuntimes(model: Pick<Model, 'nodes'>, infra: InfraFacts, config: Config | undefined, facts: FactIndex, configs: ConfigFile[]): RuntimeInfo[] {
  const workspaces = workspacesOf(configs);
  const declared = config?.runtimes ?? {};
  const byName = new Map<string, NonNullable<InfraFacts['runtimes']>[number]>();
  for (const r of infra.runtimes ?? []) {
    const prev = byName.get(r.name);
    if (!prev || (ORIGIN_RANK[r.origin ?? ''] ?? 9) < (ORIGIN_RANK[prev.origin ?? ''] ?? 9)) byName.set(r.name, r);
  }
  // local compose services do not count next to a production deployment (Kubernetes, Helm, serverless)
  const production = [...byName.values()].some((r) => r.origin && r.origin !== 'docker-compose');
  const infraRuntimes = [...byName.values()].filter((r) => !production || r.origin !== 'docker-compose');
  const out: RuntimeInfo[] = [];
  for (const r of infraRuntimes) {
    const id = `runtime:${r.name}`;
    const node = model.nodes.find((n) => n.id === id);
    const decl = declared[r.name] ?? declared[id];
    const lambda = r.tech === 'aws-lambda';
    const ev = r.evidence[0];
    let replicas: Known;
    let peak: RuntimeInfo['peak'];
    if (lambda) {
      replicas = knownNum(decl?.replicas, 'declared in faultline.config.yml') ?? { source: 'unknown', note: `${r.name} is an AWS Lambda function: one execution environment (each with its own pool) per concurrent request; how many run depends on traffic` };
      const reserved = r.reservedConcurrency ?? decl?.maxReplicas;
      peak = reserved !== undefined
        ? { value: reserved, source: 'explicit', note: r.reservedConcurrency !== undefined ? `reservedConcurrency ${reserved}` : 'maxReplicas declared in faultline.config.yml', ...(ev ? { evidence: ev } : {}) }
        : { source: 'unknown', unbounded: true, note: `${r.name} has no reservedConcurrency: concurrent environments are bounded only by the account's Lambda concurrency limit (1,000 by default)`, ...(ev ? { evidence: ev } : {}) };
    } else {
      const n = decl?.replicas ?? node?.redundancy?.replicas ?? r.redundancy?.replicas;
      replicas = n !== undefined ? { value: n, source: 'explicit', note: decl?.replicas !== undefined ? 'declared in faultline.config.yml' : `${r.origin ?? 'infra'}: ${r.name}`, ...(ev ? { evidence: ev } : {}) } : { source: 'unknown', note: `replicas of ${r.name} are not declared; set runtimes.${r.name}.replicas in faultline.config.yml` };
      const max = decl?.maxReplicas ?? node?.redundancy?.maxReplicas ?? r.redundancy?.maxReplicas;
      const maxEv = r.evidence[1] ?? ev;
      peak = max !== undefined ? { value: max, source: 'explicit', note: decl?.maxReplicas !== undefined ? 'maxReplicas declared in faultline.config.yml' : 'autoscaling maximum', ...(maxEv ? { evidence: maxEv } : {}) } : { ...replicas };
    }
    const dir = r.sourceDirs?.[0] ?? '';
    let entries: string[] = [];
    if (lambda && r.handlerFile) {
      const e = resolveEntry(facts, '', r.handlerFile);
      if (e) entries = [e];
    } else entries = commandEntries(facts, configs, dir, r.command ?? dockerfileCommand(configs, dir));
    if (!entries.length && r.origin === 'kubernetes' && r.command) {
      // a Kubernetes container's command paths are relative to the image; match them anywhere
      for (const w of workspaces.length ? workspaces : [{ name: '', dir: '' }]) entries.push(...commandEntries(facts, configs, w.dir, r.command));
    }
    // Python: the command's entry module (uvicorn app.main:app, celery -A ...) and its processes per replica
    const cmd = r.command ?? dockerfileCommand(configs, dir);
    const pyEntries = lambda ? [] : pythonEntries(facts, dir, cmd);
    const pyProc = decl?.workers === undefined ? pythonProcesses(cmd, r.env ?? {}, facts, dir) : undefined;
    const closure = entries.length ? importClosure(facts, entries, workspaces) : undefined;
    const pyClosure = pyEntries.length ? pythonClosure(facts, pyEntries) : undefined;
    if (closure && pyClosure) for (const x of pyClosure) closure.add(x);
    out.push({
      id, name: r.name, tech: r.tech, ...(r.origin ? { origin: r.origin } : {}), env: r.env ?? {}, replicas, peak,
      processes: decl?.workers ?? pyProc?.n ?? 1, ...(pyProc?.note ? { processesNote: pyProc.note } : {}), ...(closure ?? pyClosure ? { closure: closure ?? pyClosure } : {}),
      sourceDirs: r.sourceDirs ?? [''], evidence: r.evidence,
    });
  }
  // runtimes the model inferred (no infra declares them), and runtimes only the config declares
  if (!out.length) {
    const names = new Set([...model.nodes.filter((n) => n.kind === 'runtime').map((n) => n.name), ...Object.keys(declared).map((k) => k.replace(/^runtime:/, ''))]);
    for (const name of [...names].sort(cmpStr)) {
      const id = `runtime:${name}`;
      const node = model.nodes.find((n) => n.id === id);
      const decl = declared[name] ?? declared[id];
      const n = decl?.replicas ?? node?.redundancy?.replicas;
      const replicas: Known = n !== undefined ? { value: n, source: 'explicit', note: 'declared in faultline.config.yml' } : { source: 'unknown', note: `no deployment config declares how many ${name} processes run; set runtimes.${name}.replicas in faultline.config.yml` };
      const max = decl?.maxReplicas ?? node?.redundancy?.maxReplicas;
      const ws = workspaces.find((w) => w.name.replace(/^@[^/]+\//, '') === name);
      out.push({
        id, name, tech: node?.tech ?? 'node', env: {}, replicas,
        peak: max !== undefined ? { value: max, source: 'explicit', note: 'maxReplicas declared in faultline.config.yml' } : { ...replicas },
        processes: decl?.workers ?? 1, sourceDirs: [ws?.dir ?? ''], evidence: node?.evidence ?? [],
      });
    }
  }
  return out.sort((a, b) => cmpStr(a.id, b.id));
}

/** Does this runtime create the client? Its import closure decides when known; else its source folder. */
export function holds(rt: RuntimeInfo, file: string, runtimeCount: number): RuntimeDemandMatch | undefined {
  if (rt.closure) return rt.closure.has(file) ? 'imports' : undefined;
  if (rt.sourceDirs.some((d) => under(file, d))) return runtimeCount === 1 ? 'only-runtime' : 'source-folder';
  return undefined;
}

export type RuntimeDemandMatch = 'imports' | 'source-folder' | 'only-runtime';
