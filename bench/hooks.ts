// Child-process runner for the optional benchmark hooks, so each is timed and its peak
// memory read in isolation, and a crash in one cannot take the bench down.
//
//   node --import tsx bench/hooks.ts propagation [--nodes N] [--edges M] [--seed S]
//   node --import tsx bench/hooks.ts board
//
// Writes one JSON object to $BENCH_RESULT_FILE (or stdout): { ms, ... } or { skipped }.

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT, DEFAULT_OUT } from './generate.ts';
import { generateModel } from './generate-model.ts';

export const PROPAGATION_ENTRY = join(REPO_ROOT, 'src', 'analyze', 'propagation', 'index.ts');
export const BOARD_ENTRY = join(REPO_ROOT, 'bench', 'board.ts');

/** What bench/board.ts's default export receives. */
export interface BoardBenchContext {
  generateModel: typeof generateModel;
  repoRoot: string;
  syntheticDir: string;
}

/** What it may return: rows to add to the table (anything else is shown as a note). */
export interface BoardBenchRow {
  name: string;
  ms?: number;
  peakMB?: number;
  note?: string;
}

function flag(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  return i >= 0 && Number.isFinite(Number(argv[i + 1])) ? Number(argv[i + 1]) : fallback;
}

function summarize(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value) && value.every((r) => r && typeof r === 'object' && typeof (r as BoardBenchRow).name === 'string')) return value;
  if (value && typeof value === 'object' && typeof (value as BoardBenchRow).name === 'string') return [value];
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

async function propagation(argv: string[]): Promise<Record<string, unknown>> {
  if (!existsSync(PROPAGATION_ENTRY)) return { skipped: 'src/analyze/propagation/index.ts not present' };
  const mod = (await import(pathToFileURL(PROPAGATION_ENTRY).href)) as { simulateAll?: (model: unknown) => unknown };
  if (typeof mod.simulateAll !== 'function') return { skipped: 'src/analyze/propagation/index.ts has no simulateAll export' };
  const nodes = flag(argv, '--nodes', 10000);
  const edges = flag(argv, '--edges', 50000);
  const seed = flag(argv, '--seed', 1);
  const genStart = performance.now();
  const model = generateModel(nodes, edges, seed);
  const genMs = performance.now() - genStart;
  const start = performance.now();
  let result = mod.simulateAll(model);
  if (result && typeof (result as Promise<unknown>).then === 'function') result = await result;
  const ms = performance.now() - start;
  const scenarios = Array.isArray(result) ? result.length : Array.isArray((result as { scenarios?: unknown[] })?.scenarios) ? (result as { scenarios: unknown[] }).scenarios.length : undefined;
  return { ms: Math.round(ms), genMs: Math.round(genMs), nodes: model.nodes.length, edges: model.edges.length, scenarios };
}

async function board(): Promise<Record<string, unknown>> {
  if (!existsSync(BOARD_ENTRY)) return { skipped: 'bench/board.ts not present' };
  const mod = (await import(pathToFileURL(BOARD_ENTRY).href)) as { default?: (ctx: BoardBenchContext) => unknown };
  if (typeof mod.default !== 'function') return { skipped: 'bench/board.ts has no default export' };
  const start = performance.now();
  let value = mod.default({ generateModel, repoRoot: REPO_ROOT, syntheticDir: DEFAULT_OUT });
  if (value && typeof (value as Promise<unknown>).then === 'function') value = await value;
  return { ms: Math.round(performance.now() - start), value: summarize(value) };
}

async function main(argv: string[]): Promise<void> {
  const which = argv[0];
  const result = which === 'propagation' ? await propagation(argv.slice(1)) : which === 'board' ? await board() : { error: `unknown hook "${which}"` };
  const json = JSON.stringify(result);
  if (process.env.BENCH_RESULT_FILE) writeFileSync(process.env.BENCH_RESULT_FILE, json);
  else process.stdout.write(json + '\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    () => process.exit(0), // a hook may leave handles open (servers, browsers); the measurement is done
    (error: unknown) => {
      process.stderr.write(`hooks: ${(error as Error)?.stack ?? error}\n`);
      process.exit(1);
    },
  );
}
