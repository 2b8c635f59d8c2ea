// Scans a small repository written inline by a test: the fixture harness for packs and rules.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPipeline, type PipelineResult } from '../../src/pipeline.js';
import type { Finding, Model } from '../../src/model/types.js';
import type { Rule } from '../../src/rules/types.js';
import type { Config } from '../../src/config/schema.js';

export function writeTree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-fixture-'));
  for (const [rel, text] of Object.entries(files)) {
    const abs = path.join(dir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
  }
  return dir;
}

export async function scanTree(files: Record<string, string>, opts: { rules?: readonly Rule[]; config?: Config } = {}): Promise<PipelineResult> {
  const dir = writeTree(files);
  try {
    return await runPipeline(dir, { rules: opts.rules, config: opts.config ?? {} });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function scanModel(files: Record<string, string>, opts: { rules?: readonly Rule[]; config?: Config } = {}): Promise<Model> {
  return (await scanTree(files, opts)).model;
}

/** Findings of one rule as compact `file:line` strings, sorted: what rule tests compare. */
export function hits(model: Model, rule: string): string[] {
  return model.findings
    .filter((f: Finding) => f.rule === rule)
    .map((f) => `${f.locations[0]?.file}:${f.locations[0]?.line}`)
    .sort();
}

export function edgesTo(model: Model, to: string): string[] {
  return model.edges.filter((e) => e.to === to).map((e) => `${e.from} -${e.kind}/${e.mode}-> ${e.to}`).sort();
}
