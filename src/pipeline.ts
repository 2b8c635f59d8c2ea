// scan → analyze with the config applied; the one entry the CLI and tests use.
import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { analyzeModel } from './analyze/index.js';
import { computeCapacity } from './analyze/capacity/index.js';
import { ensureSqlParser } from './schema/index.js';
import { loadConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import type { Model } from './model/types.js';
import type { Rule } from './rules/types.js';
import { scan, type ScanResult } from './scan.js';

export interface PipelineOptions {
  configFile?: string;
  config?: Config;
  rules?: readonly Rule[];
  onProgress?: (stage: string, done?: number, total?: number) => void;
}

export interface PipelineResult {
  model: Model;
  scan: ScanResult;
  config: Config;
}

export async function runPipeline(dir: string, opts: PipelineOptions = {}): Promise<PipelineResult> {
  const root = path.resolve(dir);
  const config = opts.config ?? (fs.existsSync(root) && fs.statSync(root).isDirectory() ? loadConfig(root, opts.configFile).config : {});
  const componentMatchers = Object.entries(config.components ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, globs]) => ({ name, match: picomatch(globs) }));
  const result = await scan(dir, {
    ignore: config.ignore,
    onProgress: opts.onProgress,
    componentOverride: componentMatchers.length ? (file) => componentMatchers.find((m) => m.match(file))?.name : undefined,
  });
  applyDeclaredFacts(result, config);
  opts.onProgress?.('capacity');
  // database capacity (pools × replicas vs max_connections) and the schema the db/* rules read
  if (result.configs.some((c) => c.rel.endsWith('.sql')) || [...result.facts.values()].some((f) => f.sqlStrings.length)) await ensureSqlParser();
  result.model.capacity = computeCapacity({ model: result.model, facts: result.facts, configs: result.configs, infra: result.infra, config });
  const source = (file: string) => {
    try {
      return fs.readFileSync(path.join(root, file), 'utf8');
    } catch {
      return undefined;
    }
  };
  opts.onProgress?.('rules');
  const model = analyzeModel(result.model, result.facts, { rules: opts.rules, settings: config.rules, source, code: result.code });
  return { model, scan: result, config };
}

/** Config declares what code cannot show: replicas, redundancy, criticality. */
function applyDeclaredFacts(result: ScanResult, config: Config): void {
  const nodes = result.model.nodes;
  for (const [name, r] of Object.entries(config.runtimes ?? {})) {
    const n = nodes.find((x) => x.id === `runtime:${name}` || x.id === name);
    if (n) n.redundancy = { ...n.redundancy, ...(r.replicas !== undefined ? { replicas: r.replicas } : {}), ...(r.maxReplicas !== undefined ? { maxReplicas: r.maxReplicas } : {}) };
  }
  for (const [id, d] of Object.entries(config.datastores ?? {})) {
    const n = nodes.find((x) => x.id === id || x.name === id);
    if (n) n.redundancy = { ...n.redundancy, ...(d.replicas !== undefined ? { replicas: d.replicas } : {}), ...(d.multiAz !== undefined ? { multiAz: d.multiAz } : {}), ...(d.readReplica !== undefined ? { readReplica: d.readReplica } : {}) };
  }
  if (config.critical?.length) {
    const match = picomatch(config.critical);
    for (const n of nodes) if (n.kind === 'entrypoint' && (config.critical.includes(n.id) || match(n.name))) n.critical = true;
  }
}
