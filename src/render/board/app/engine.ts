// The board's only door to the propagation code: the very module the CLI uses
// (src/analyze/propagation, pure and browser-safe), bundled into the board by Vite.
import type { FailureMode, Model, Scenario } from '../../../model/types.js';
import { applyWhatIf, compareScenarios, simulate, type Mitigation } from '../../../analyze/propagation/index.js';

export type { Mitigation };

export interface DeltaView {
  text: string;
}

export interface Computed {
  before: Scenario;
  after: Scenario;
  deltas: DeltaView[];
  whatIf: boolean;
}

export function mitigationKey(m: Mitigation): string {
  const r = m as unknown as Record<string, unknown>;
  return [m.kind, r.node ?? '', r.from ?? '', r.to ?? ''].map(String).join('\u0000');
}

export class Engine {
  private cacheKey = '';
  private cached: Model;
  constructor(private model: Model) {
    this.cached = model;
  }

  private modelFor(mitigations: Mitigation[]): Model {
    if (!mitigations.length) return this.model;
    const key = JSON.stringify(mitigations);
    if (key !== this.cacheKey) {
      this.cached = applyWhatIf(this.model, mitigations);
      this.cacheKey = key;
    }
    return this.cached;
  }

  /** Throws (with the propagation module's message) on an unknown node or a bad mitigation. */
  compute(failed: string, mode: FailureMode, mitigations: Mitigation[]): Computed {
    const before = simulate(this.model, failed, mode);
    if (!mitigations.length) return { before, after: before, deltas: [], whatIf: false };
    const after = simulate(this.modelFor(mitigations), failed, mode);
    const deltas = compareScenarios([before], [after]).flatMap((d) => d.sentences.map((text) => ({ text })));
    return { before, after, deltas, whatIf: true };
  }
}
