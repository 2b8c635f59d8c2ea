// Failure propagation: scenarios, single points of failure, what-if. Pure data → data
// (no I/O, no node:* imports): the HTML board runs this same code in the browser.
// Semantics: ./README.md.

import type { FailureMode, Model, Scenario } from '../../model/types.js';
import { buildIndex, cmpStr } from './graph.js';
import { Simulator, type SimOptions } from './simulate.js';
import { FAILABLE_KINDS } from './spof.js';

export { rankSpofs, FAILABLE_KINDS, CRITICAL_WEIGHT, type SpofRank } from './spof.js';
export { applyWhatIf, MitigationSchema, MitigationListSchema, type Mitigation } from './whatif.js';
export { compareScenarios, type ScenarioDelta } from './compare.js';
export { matchNode, type NodeMatch } from './match.js';
export type { SimOptions } from './simulate.js';

export const FAILURE_MODES: readonly FailureMode[] = ['outage', 'slowdown'];

/** One scenario: fail `failed` (a node id) in `mode`. Throws on an unknown id. */
export function simulate(model: Model, failed: string, mode: FailureMode, opts?: SimOptions): Scenario {
  return new Simulator(buildIndex(model)).run(failed, mode, opts);
}

/** Every datastore, cache, queue, external and runtime node × both modes, sorted by failed id then mode. */
export function simulateAll(model: Model): Scenario[] {
  const ix = buildIndex(model);
  const sim = new Simulator(ix);
  const kinds = new Set<string>(FAILABLE_KINDS);
  const out: Scenario[] = [];
  for (const n of ix.nodes) {
    if (!kinds.has(n.kind)) continue;
    for (const mode of FAILURE_MODES) out.push(sim.run(n.id, mode));
  }
  return out.sort((a, b) => cmpStr(a.failed, b.failed) || cmpStr(a.mode, b.mode));
}
