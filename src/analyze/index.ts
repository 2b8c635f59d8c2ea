import type { Model } from '../model/types.js';
import type { ScanResult } from '../scan.js';
import { simulateAll } from './propagation/index.js';

/** Scenarios and findings on top of the linked model. */
export function analyze(result: ScanResult): Model {
  const model: Model = { ...result.model, findings: [], scenarios: [] };
  model.scenarios = simulateAll(model);
  return model;
}
