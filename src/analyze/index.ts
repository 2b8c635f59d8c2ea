// Analysis on top of the linked model: scenarios, then rules → findings. Pure: the
// source accessor is injected, so this runs wherever the model and facts are.
import type { FactIndex } from '../extract/facts.js';
import type { Model } from '../model/types.js';
import { runRules, type RuleSettings } from '../rules/engine.js';
import { RULES } from '../rules/index.js';
import type { CodeIndex, Rule } from '../rules/types.js';
import { cmpStr } from '../shared/compare.js';
import { simulateAll } from './propagation/index.js';

export interface AnalyzeOptions {
  rules?: readonly Rule[];
  settings?: RuleSettings;
  code?: CodeIndex;
  source?: (file: string) => string | undefined;
}

export function analyzeModel(base: Omit<Model, 'findings' | 'scenarios'>, facts: FactIndex, opts: AnalyzeOptions = {}): Model {
  const model: Model = { ...base, findings: [], scenarios: [] };
  model.scenarios = simulateAll(model);
  const { findings, diagnostics } = runRules({ model, facts, rules: opts.rules ?? RULES, code: opts.code, settings: opts.settings, source: opts.source });
  model.findings = findings;
  if (diagnostics.length) model.diagnostics = [...model.diagnostics, ...diagnostics].sort((a, b) => cmpStr(`${a.file}\0${a.message}`, `${b.file}\0${b.message}`));
  return model;
}
