// The pipeline: walk → parse+extract → link → model. Analysis (scenarios, rules)
// runs on its output in analyze/, rendering in render/.
import fs from 'node:fs';
import path from 'node:path';
import type { FactIndex, FileFacts, Val } from './extract/facts.js';
import { Program, type WorkspacePackage } from './link/program.js';
import { pyComponent } from './link/python-modules.js';
import { rejectionHandlers } from './link/rejection-handlers.js';
import { Resolver } from './link/resolve.js';
import { Tracer, type Use } from './link/trace.js';
import { buildModel, componentFromPath, nestModules, type TracedEntrypoint } from './model/build.js';
import { frontendScope } from './model/frontend.js';
import type { Diagnostic, Evidence, Model } from './model/types.js';
import { PACKS } from './packs/index.js';
import { prismaDatastore } from './packs/prisma/index.js';
import { parsePrismaSchema } from './schema/prisma.js';
import type { EntrypointDef, EntrypointLink, InfraFacts, Instance, PackContext } from './packs/types.js';
import { parseAll } from './parse/pool.js';
import { cmpStr } from './shared/compare.js';
import { packageRootOf, posixDir } from './shared/paths.js';
import { UserError } from './shared/errors.js';
import { readConfigFiles, type ConfigFile } from './walk/config-files.js';
import { walk } from './walk/walk.js';
import type { CodeIndex } from './rules/types.js';
import { isNonProductionFile } from './rules/util.js';

export interface ScanOptions {
  ignore?: string[];
  onProgress?: (stage: string, done?: number, total?: number) => void;
  /** Config overrides: component globs are applied by the caller through componentOverride. */
  componentOverride?: (file: string) => string | undefined;
}

export interface ScanResult {
  model: Omit<Model, 'findings' | 'scenarios'>;
  facts: FactIndex;
  configs: ConfigFile[];
  infra: InfraFacts;
  traced: TracedEntrypoint[];
  code: CodeIndex;
}

const PY_TEST_FILE = /(^|\/)(tests?|testing)\/|(^|\/)(test_[^/]*|[^/]*_tests?|conftest)\.py$/;

export async function scan(rootDir: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const given = path.resolve(rootDir);
  let st: fs.Stats;
  try {
    st = fs.statSync(given);
  } catch {
    throw new UserError(`path not found: ${rootDir}`, 'pass the folder of a repository, e.g. `faultline scan .`');
  }
  if (!st.isDirectory()) throw new UserError(`not a directory: ${rootDir}`, 'pass the folder that contains the repository, not a file');
  // the resolver answers with real paths: a root reached through a symlink (macOS /tmp, a linked checkout) would put every import outside it
  const root = fs.realpathSync(given);

  opts.onProgress?.('walk');
  const walked = walk(root, { ignore: opts.ignore });
  const sources = walked.files.filter((f) => f.kind === 'source' || f.kind === 'python');
  if (sources.length === 0 && walked.files.filter((f) => f.kind === 'python').length === 0) {
    const tests = walked.skipped['skipped-test'] ?? 0;
    const found = tests ? `no source files found in ${rootDir} (only ${tests} test file${tests === 1 ? '' : 's'}, which faultline does not analyse)` : `no source files found in ${rootDir}`;
    throw new UserError(found, 'faultline reads TypeScript/JavaScript and Python backends; check the path, or your ignore settings');
  }
  const diagnostics: Diagnostic[] = [...walked.diagnostics];
  const configs = readConfigFiles(walked.files, diagnostics);

  opts.onProgress?.('parse', 0, sources.length);
  const outcomes = await parseAll(sources, (d, t) => opts.onProgress?.('parse', d, t));
  const facts: FactIndex = new Map();
  for (const o of outcomes) {
    diagnostics.push(...o.diagnostics);
    if (o.facts) facts.set(o.facts.file, o.facts);
  }

  opts.onProgress?.('link');
  const tsconfigDirs = configs.filter((c) => /(^|\/)tsconfig\.json$/.test(c.rel)).map((c) => posixDir(c.rel));
  const packageJsons = configs.filter((c) => /(^|\/)package\.json$/.test(c.rel) && c.json && typeof c.json === 'object');
  const workspaces: WorkspacePackage[] = packageJsons
    .map((c) => ({ name: String((c.json as any).name ?? ''), dir: posixDir(c.rel) }))
    .filter((w) => w.name && w.dir);
  const program = new Program(root, facts, tsconfigDirs, workspaces);
  const resolver = new Resolver(program);

  const infra = mergeInfra(PACKS.filter((p) => p.readConfig).map((p) => p.readConfig!(configs)));
  const envValue = (name: string) => infra.env?.[name]?.value;
  const prismaSchema = configs.find((c) => c.rel.endsWith('.prisma') && /datasource\s+\w+\s*\{/.test(c.text));
  // the schema reader capacity uses too (comments stripped): the model and the budget name the same engine
  const prismaProvider = prismaSchema ? parsePrismaSchema([prismaSchema]).datasources[0]?.provider : undefined;
  const packCtx: PackContext = { env: envValue, envSource: (name) => infra.env?.[name]?.evidence, declared: infra.resources, prismaProvider, facts: (file) => facts.get(file), allFiles: () => fileList };
  if (prismaSchema) {
    const ds = prismaDatastore(prismaProvider);
    infra.resources!.push({ ref: { kind: 'datastore', name: ds.name, tech: ds.tech }, evidence: [{ file: prismaSchema.rel, line: prismaSchema.lineOf('datasource') }] });
  }

  const fileList = [...facts.values()].sort((a, b) => cmpStr(a.file, b.file));
  const pkgDirs = packageJsons.map((c) => posixDir(c.rel));
  const link = makeEntrypointLink(program, resolver, fileList, envValue, (file) => packageRootOf(pkgDirs, file));
  const pyFiles = fileList.filter((f) => f.file.endsWith('.py'));
  const jsFiles = pyFiles.length ? fileList.filter((f) => !f.file.endsWith('.py')) : fileList;
  // Python test modules declare no entrypoints: a route added to a fixture app inside a test, a router mounted by a test client
  const pyServing = pyFiles.filter((f) => !PY_TEST_FILE.test(f.file));
  const defs = new Map<string, EntrypointDef>();
  for (const p of PACKS) {
    if (!p.entrypoints) continue;
    const own = p.lang === 'python' ? pyServing : jsFiles;
    for (const d of p.entrypoints(own, link)) if (!defs.has(d.name)) defs.set(d.name, d);
  }

  // Lambda functions with their own trigger are entrypoints; proxies into an app are runtimes only.
  for (const r of infra.runtimes ?? []) {
    if (r.tech !== 'aws-lambda' || r.proxiesHttp || !r.handlerFile) continue;
    const file = resolveHandlerFile(facts, r.handlerFile);
    if (!file) continue;
    // handlerFile is the module path without the export (serverless `src/thumbnail.main` → `src/thumbnail`)
    const lastSeg = r.handlerFile.split('/').pop() ?? '';
    const exportName = r.handlerExport ?? (lastSeg.includes('.') && !facts.has(r.handlerFile) ? lastSeg.split('.').pop() : 'handler');
    const fnId = facts.get(file)?.exports[exportName ?? 'handler'] ?? exportName;
    const fn = fnId ? program.lookup(file, fnId) : undefined;
    if (fn?.kind === 'fn') defs.set(`function:${r.name}`, { name: `function:${r.name}`, trigger: 'function', handler: { file: fn.file, fn: fn.fn.id }, evidence: r.evidence[0], runtime: r.name });
  }

  const { isFrontend, inUiPackage } = frontendScope(packageJsons, fileList, (from, source) => {
    const r = program.resolveModule(from, source);
    return 'file' in r ? r.file : undefined;
  });

  opts.onProgress?.('trace');
  const tracer = new Tracer(program, resolver, PACKS, packCtx);
  const traced: TracedEntrypoint[] = [];
  for (const def of [...defs.values()].sort((a, b) => cmpStr(a.name, b.name))) {
    // a Next.js app is a frontend package, but its route handlers and API routes run on the server; no browser runs a queue worker or a cron job
    if (def.handler && isFrontend(def.handler.file) && def.trigger !== 'worker' && def.trigger !== 'schedule' && !def.serverSide && !/(^|\/)(app\/(.+\/)?route|pages\/api\/.+)\.[cm]?[jt]sx?$/.test(def.evidence.file)) continue;
    if (def.requiresUses && def.handler && isFrontend(def.handler.file)) continue;
    const uses = def.handler ? tracer.usesOf(def.handler.file, def.handler.fn) : [];
    const beforeUses: Use[] = (def.before ?? []).flatMap((b) => tracer.usesOf(b.file, b.fn).map((u) => ({ ...u, order: 0 })));
    if (def.requiresUses && !uses.some(isWork) && !beforeUses.some(isWork)) continue;
    traced.push({ def, uses, beforeUses });
  }

  opts.onProgress?.('model');
  const modules = nestModules(fileList);
  const componentCache = new Map<string, string | undefined>();
  const componentOf = (file: string) => {
    if (!componentCache.has(file)) componentCache.set(file, opts.componentOverride?.(file) ?? (file.endsWith('.py') ? pyComponent(program.py, file) : componentFromPath(file, modules)));
    return componentCache.get(file);
  };
  const runtimeOf = makeRuntimeOf(infra, packageJsons);
  const clientCalls = findClientCalls(fileList.filter((f) => isFrontend(f.file)), tracer, [...defs.values()]);

  // one reachability walk per entrypoint root: which functions some entrypoint runs, and which entrypoints run each function
  const onPath = new Set<string>();
  const epsByFn = new Map<string, Set<string>>();
  for (const t of traced) {
    const id = `entrypoint:${t.def.name}`;
    for (const r of [...(t.def.handler ? [t.def.handler] : []), ...(t.def.before ?? [])]) {
      for (const key of tracer.reachable(r.file, r.fn)) {
        onPath.add(key);
        let set = epsByFn.get(key);
        if (!set) epsByFn.set(key, (set = new Set()));
        set.add(id);
      }
    }
  }
  const untracedUses: Use[] = [];
  for (const f of fileList) {
    // a Python test module is not deployed: its queries are no component's dependency
    if (isFrontend(f.file) || (f.file.endsWith('.py') && PY_TEST_FILE.test(f.file))) continue;
    for (const fn of f.functions) {
      if (fn.inlineOf || onPath.has(`${f.file}#${fn.id}`)) continue;
      untracedUses.push(...tracer.directUsesOf(f.file, fn.id));
    }
  }
  // a fire-and-forget in a package whose unhandledRejection handler keeps the process alive: contained there, not a crash
  const handlers = rejectionHandlers(fileList, pkgDirs, isNonProductionFile, (file, name) => {
    const sym = program.lookup(file, name);
    const facts = sym?.kind === 'fn' ? program.files.get(sym.file) : undefined;
    return sym?.kind === 'fn' && facts ? { facts, fnId: sym.fn.id } : undefined;
  });
  const rejectionHandler = (file: string) => (handlers.size && !file.endsWith('.py') ? handlers.get(packageRootOf(pkgDirs, file)) : undefined);
  // the handler of the process that runs the work counts: an entrypoint's package, whatever library package makes the call
  const contain = (uses: Use[], processFile?: string) => (handlers.size ? uses.map((u) => containedByHandler(u, rejectionHandler(processFile ?? u.evidence.file))) : uses);
  for (const t of traced) {
    const processFile = t.def.handler?.file ?? t.def.evidence.file;
    t.uses = contain(t.uses, processFile);
    t.beforeUses = contain(t.beforeUses, processFile);
  }
  const model = buildModel({
    files: fileList.filter((f) => !isFrontend(f.file)), entrypoints: traced, infra, componentOf, runtimeOf, clientCalls, diagnostics, untracedUses: contain(untracedUses),
    unresolved: program.unresolved, stats: {
      files: walked.files.length, parsed: facts.size, skipped: Object.values(walked.skipped).reduce((a, b) => a + b, 0),
      ...(Object.keys(walked.skipped).length ? { skippedBy: Object.fromEntries(Object.entries(walked.skipped).sort(([a], [b]) => cmpStr(a, b))) } : {}),
    },
  });
  const code: CodeIndex = {
    meaning: (file, call) => {
      const f = facts.get(file);
      return f ? tracer.classify(file, f, call).meaning : undefined;
    },
    callee: (file, call) => {
      const f = facts.get(file);
      return f ? tracer.classify(file, f, call).target : undefined;
    },
    entrypointsOf: (file, fnId) => [...(epsByFn.get(`${file}#${fnId}`) ?? [])].sort(cmpStr),
    // a module outside every component (settings.py at the project root) has none: no `component:undefined` element
    componentOf: (file) => {
      const c = componentOf(file);
      return c === undefined ? undefined : `component:${c}`;
    },
    usesOf: (file, fnId) => tracer.usesOf(file, fnId),
    fn: (file, fnId) => program.fn(file, fnId),
    bodyCalls: (file, fnId) => tracer.bodyCalls(file, fnId),
    moduleOf: (file, source) => {
      const target = program.resolveModule(file, source);
      return 'file' in target ? target.file : undefined;
    },
    configs,
    infra,
    env: envValue,
    rejectionHandler,
    isFrontend,
    inUiPackage,
  };
  return { model, facts, configs, infra, traced, code };
}

/** A fire-and-forget with nothing to catch its rejection, run where a process-wide handler takes it: contained, the handler as evidence. */
function containedByHandler(u: Use, handler: Evidence | undefined): Use {
  if (!handler || u.mode !== 'fire_and_forget' || u.guards.caught || u.guards.fallback) return u;
  return { ...u, guards: { ...u.guards, caught: true }, via: [...(u.via ?? []), handler] };
}

/** A dependency use that does work: a keep-alive `ping` on a timer keeps a connection warm, it serves no one. */
function isWork(u: Use): boolean {
  return u.call.callee[u.call.callee.length - 1] !== 'ping';
}

function resolveHandlerFile(facts: FactIndex, handlerFile: string): string | undefined {
  // serverless points at the built file (dist/main); the source is src/main.ts
  const base = handlerFile.replace(/\.[^./]+$/, '');
  const candidates = [base, base.replace(/(^|\/)(dist|build|out|\.build)\//, '$1src/'), base.replace(/(^|\/)(dist|build|out|\.build)\//, '$1')];
  for (const c of candidates) for (const ext of ['.ts', '.js', '.mts', '.mjs', '.cjs']) if (facts.has(c + ext)) return c + ext;
  return undefined;
}

function mergeInfra(list: InfraFacts[]): InfraFacts {
  const out: InfraFacts = { runtimes: [], resources: [], env: {} };
  for (const i of list) {
    out.runtimes!.push(...(i.runtimes ?? []));
    out.resources!.push(...(i.resources ?? []));
    for (const [k, v] of Object.entries(i.env ?? {})) if (!out.env![k]) out.env![k] = v;
  }
  return out;
}

function makeEntrypointLink(program: Program, resolver: Resolver, files: FileFacts[], env: (name: string) => string | undefined, packageOf: (file: string) => string): EntrypointLink {
  const handlerOf = (file: string, v: Val, fromFn?: string, depth = 0): { file: string; fn: string } | undefined => {
    if (v === undefined || v === null || typeof v !== 'object' || depth > 3) return undefined;
    const fn = fromFn ? program.fn(file, fromFn) : undefined;
    const r = resolver.resolveValue(file, fn, v);
    if (r?.kind === 'fn') return { file: r.file, fn: r.fn.id };
    // wrappers: asyncHandler(controller.list), catchAsync(fn), validate(schema)(handler)
    if ('call' in v) {
      for (let i = v.args.length - 1; i >= 0; i--) {
        const h = handlerOf(file, v.args[i], fromFn, depth + 1);
        if (h) return h;
      }
    }
    return undefined;
  };
  // most entrypoint packs ask this for the receiver of every call site in every file;
  // remembered by file, function and name (no key string to build per question)
  const instances = new Map<string, Map<string, Map<string, Instance | { pkg: string; exportName: string } | undefined>>>();
  return {
    instanceOf(file, name, fromFn): Instance | { pkg: string; exportName: string } | undefined {
      const fnId = fromFn && fromFn !== '<module>' ? fromFn : '';
      let byFn = instances.get(file);
      if (!byFn) instances.set(file, (byFn = new Map()));
      let names = byFn.get(fnId);
      if (!names) byFn.set(fnId, (names = new Map()));
      if (names.has(name)) return names.get(name);
      const r = resolver.resolveName(file, fnId ? program.fn(file, fnId) : undefined, name);
      // a call result reached through a class member (Instance.memberResult) is data, not a router or queue
      const out = r?.kind === 'inst' && !r.inst.memberResult ? r.inst : r?.kind === 'export' ? { pkg: r.pkg, exportName: r.exportName } : undefined;
      names.set(name, out);
      return out;
    },
    handlerOf: (file, v, fromFn) => handlerOf(file, v, fromFn),
    definitionOf(file, name) {
      const sym = program.lookup(file, name);
      if (!sym) return undefined;
      if (sym.kind === 'class') return { file: sym.file, name: sym.cls.name };
      if (sym.kind === 'var') return { file: sym.file, name: sym.v.name };
      if (sym.kind === 'fn') return { file: sym.file, name: sym.fn.id };
      return undefined;
    },
    facts: (file) => program.files.get(file),
    allFiles: () => files,
    evaluate: (file, v, fromFn) => resolver.substitute(file, fromFn && fromFn !== '<module>' ? program.fn(file, fromFn) : undefined, v),
    resolve: (file, v, fromFn) => resolver.resolveValue(file, fromFn && fromFn !== '<module>' ? program.fn(file, fromFn) : undefined, v),
    env,
    packageOf,
  };
}

function makeRuntimeOf(infra: InfraFacts, packageJsons: ConfigFile[]): (ep: EntrypointDef) => string | undefined {
  const runtimes = infra.runtimes ?? [];
  const lambdaProxies = runtimes.filter((r) => r.tech === 'aws-lambda' && r.proxiesHttp);
  const containers = runtimes.filter((r) => r.tech === 'container');
  const pkgDirs = packageJsons.map((c) => ({ dir: posixDir(c.rel), name: String((c.json as any).name ?? '') })).sort((a, b) => b.dir.length - a.dir.length);
  const under = (file: string, dir: string) => dir === '' || file.startsWith(dir + '/');
  return (ep) => {
    if (ep.runtime) return ep.runtime;
    const file = ep.handler?.file ?? ep.evidence.file;
    if (ep.trigger === 'http' || ep.trigger === 'websocket') {
      const l = lambdaProxies.find((r) => (r.sourceDirs ?? ['']).some((d) => under(file, d)));
      if (l) return l.name;
    }
    const matching = containers.filter((r) => (r.sourceDirs ?? ['']).some((d) => under(file, d)));
    // Python: the container built from the code's own folder before a proxy or admin image at the repository root
    if (file.endsWith('.py')) {
      const depth = (r: (typeof containers)[number]) => Math.max(...(r.sourceDirs ?? ['']).filter((d) => under(file, d)).map((d) => (d === '' ? 0 : d.split('/').length)));
      matching.sort((a, b) => depth(b) - depth(a));
    }
    if (matching.length) {
      const isWorkerEp = ep.trigger === 'worker' || ep.trigger === 'schedule';
      // Python: Celery workers, RQ and dramatiq workers run in their own containers (a beat-scheduled task runs on the worker too)
      const workerish = file.endsWith('.py') ? /worker|jobs|queue|cron|celery|\brq\b|dramatiq|huey|arq/i : /worker|jobs|queue|cron/i;
      // gunicorn's worker class (`-k uvicorn.workers.UvicornWorker`) and process count are not a job worker
      const label = (r: { name: string; command?: string }) => `${r.name} ${file.endsWith('.py') ? (r.command ?? '').replace(/(-k|--worker-class)[= ]\S+|(-w|--workers)[= ]?\d+/g, '') : r.command ?? ''}`;
      const byCommand = matching.find((r) => (isWorkerEp ? workerish.test(label(r)) : !workerish.test(label(r))));
      return (byCommand ?? matching[0]).name;
    }
    const pkg = pkgDirs.find((p) => under(file, p.dir));
    const name = pkg?.name ? pkg.name.replace(/^@[^/]+\//, '') : 'app';
    return name || 'app';
  };
}

/** Front-end calls to the repository's own API: `fetch(`${API_URL}/user/save`)` → that route. */
function findClientCalls(frontFiles: FileFacts[], tracer: Tracer, defs: EntrypointDef[]): { entrypoint: string; evidence: Evidence }[] {
  const http = defs.filter((d) => d.route && d.trigger === 'http');
  const out: { entrypoint: string; evidence: Evidence }[] = [];
  for (const f of frontFiles) {
    for (const c of f.calls) {
      const { meaning } = tracer.classify(f.file, f, c);
      if (!meaning || meaning.use !== 'dependency' || meaning.op !== 'http') continue;
      const urlPath = urlPathOf(c.args[0]);
      if (!urlPath) continue;
      const method = methodOf(c) ?? 'GET';
      const match = http.find((d) => d.route!.method === method && routeMatches(d.route!.path, urlPath)) ?? http.find((d) => routeMatches(d.route!.path, urlPath));
      if (match) out.push({ entrypoint: `entrypoint:${match.name}`, evidence: { file: f.file, line: c.line } });
    }
  }
  return out;
}

function urlPathOf(v: Val | undefined): string | undefined {
  if (typeof v === 'string') return v.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0];
  if (v && typeof v === 'object' && 'tpl' in v) return v.tpl.replace(/^\$\{\}/, '').replace(/\$\{\}/g, ':p').split('?')[0];
  if (v && typeof v === 'object' && 'concat' in v) return v.concat.slice(1).map((x) => (typeof x === 'string' ? x : ':p')).join('').split('?')[0];
  return undefined;
}

function methodOf(c: { callee: string[]; args: Val[] }): string | undefined {
  const last = c.callee[c.callee.length - 1];
  if (['get', 'post', 'put', 'patch', 'delete'].includes(last)) return last.toUpperCase();
  const opts = c.args[1];
  if (opts && typeof opts === 'object' && 'obj' in opts && typeof opts.obj.method === 'string') return opts.obj.method.toUpperCase();
  return undefined;
}

function routeMatches(route: string, urlPath: string): boolean {
  const r = route.split('/').filter(Boolean);
  const u = urlPath.split('/').filter(Boolean);
  // the client may or may not include the API's global prefix
  for (let skip = 0; skip <= 1 && skip <= r.length; skip++) {
    const rr = r.slice(skip);
    if (rr.length !== u.length || rr.length === 0) continue;
    if (rr.every((seg, i) => seg.startsWith(':') || u[i] === ':p' || seg === u[i])) return true;
  }
  return false;
}
