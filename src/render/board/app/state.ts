import type { Category, EntrypointState, FailureMode, Model, Polarity, Severity } from '../../../model/types.js';
import type { Computed, Mitigation } from './engine.js';
import type { View } from './graph.js';
import type { Index } from '../model-index.js';

export type Tab = 'scenario' | 'routes' | 'findings';

export interface State {
  mode: FailureMode;
  failed: string | null;
  mitigations: Mitigation[];
  view: View;
  search: string;
  matches: Set<string> | null;
  tab: Tab;
  routeFilter: EntrypointState | 'all';
  routeGroupsClosed: Set<string>;
  treeClosed: Set<string>;
  focusPath: number | null;
  selected: string | null;
  filters: {
    severity: Set<Severity>;
    polarity: Set<Polarity>;
    category: Category | '';
    component: string;
  };
}

/** Everything the panels need: read-only data plus the actions they may trigger. */
export interface Ctx {
  model: Model;
  ix: Index;
  state: State;
  computed: Computed | null;
  /** the propagation code refused the scenario (unknown node, invalid mitigation) */
  error: string | null;
  fail(id: string, mode?: FailureMode): void;
  clear(): void;
  setMode(m: FailureMode): void;
  toggleMitigations(ms: Mitigation[], on: boolean): void;
  resetMitigations(): void;
  toggleGroup(id: string): void;
  toggleComponent(id: string): void;
  focus(id: string): void;
  setTab(t: Tab): void;
  setFocusPath(i: number | null): void;
  rerender(): void;
}
