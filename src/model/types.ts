// The faultline.json model (schemaVersion 1). This file is the contract of
// ../shared/DESIGN.md in types; every renderer and the browser board read only this.
// Extensions beyond DESIGN.md are marked "extension" and are optional fields.

export type NodeKind = 'entrypoint' | 'component' | 'runtime' | 'datastore' | 'cache' | 'queue' | 'external' | 'client';
export type EdgeKind = 'calls' | 'reads' | 'writes' | 'uses' | 'enqueues' | 'consumes' | 'publishes' | 'runs_on' | 'serves';
export type EdgeMode = 'sync' | 'async' | 'fire_and_forget';
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export type Polarity = 'risk' | 'strength' | 'opportunity' | 'observation';
export type Category = 'availability' | 'data-integrity' | 'security' | 'performance' | 'scalability' | 'observability';
export type Effort = 'S' | 'M' | 'L';
export type Priority = 'P0' | 'P1' | 'P2';
export type FailureMode = 'outage' | 'slowdown';
export type EntrypointState = 'down' | 'degraded' | 'delayed' | 'ok';

export interface Evidence {
  file: string;
  line: number;
}

export interface Redundancy {
  replicas?: number;
  /** extension: upper bound of replicas when autoscaled (HPA maxReplicas, Lambda concurrency). */
  maxReplicas?: number;
  multiAz?: boolean;
  readReplica?: boolean;
}

export interface ModelNode {
  id: string;
  kind: NodeKind;
  name: string;
  tech?: string;
  route?: { method: string; path: string };
  redundancy?: Redundancy;
  /** extension: for entrypoints, what kind of trigger ('http' | 'websocket' | 'worker' | 'schedule' | 'function'). */
  trigger?: string;
  /** extension: for entrypoints, the component whose code handles it. */
  component?: string;
  /** extension: for entrypoints, the runtime that serves it. */
  runtime?: string;
  /** extension: declared criticality from config (weights SPOF ranking). */
  critical?: boolean;
  evidence: Evidence[];
}

export interface Guards {
  timeoutMs?: number;
  /** extension: a timeout is configured (timeoutMs holds its value when literal). */
  timeout?: boolean;
  retries?: number;
  backoff?: 'exponential' | 'fixed' | 'linear' | 'none';
  jitter?: boolean;
  circuitBreaker?: boolean;
  fallback?: boolean;
  transaction?: boolean;
  /** extension: the fire-and-forget promise has a .catch (its failure is contained). */
  caught?: boolean;
}

export interface ModelEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  mode: EdgeMode;
  guards: Guards;
  evidence: Evidence[];
  /**
   * extension: the entrypoints whose traced call paths use this edge. Absent means the
   * edge applies to every entrypoint that reaches `from` (infrastructure edges).
   * This is what keeps a health route off the database when its component's other
   * routes touch it.
   */
  entrypoints?: string[];
  /** extension: the edge is a read-only use (matters for read replicas). */
  readOnly?: boolean;
  /**
   * extension: position of this call within its caller's body on the path (lower = earlier).
   * A call ordered after an awaited call that fails never runs in that scenario. Absent =
   * position unknown: the call is assumed to run.
   */
  order?: number;
}

export interface Location {
  file: string;
  line: number;
  endLine?: number;
  snippet?: string;
}

export interface Finding {
  id: string;
  rule: string;
  severity: Severity;
  polarity: Polarity;
  category: Category;
  title: string;
  element?: string;
  locations: Location[];
  impact: string;
  recommendation: string;
  effort: Effort;
  priority: Priority;
  /** extension: an inline suppression with its reason. Suppressed findings are kept, marked. */
  suppressed?: { reason: string; file: string; line: number };
}

export interface StoppedBy {
  from: string;
  to: string;
  guard: string;
  evidence?: Evidence[];
}

export interface Scenario {
  failed: string;
  mode: FailureMode;
  rings: string[][];
  entrypoints: { down: string[]; degraded: string[]; delayed: string[]; ok: string[] };
  paths: string[][];
  stoppedBy: StoppedBy[];
  /** extension: fire-and-forget work that silently does not happen. */
  lostSideEffects?: { from: string; to: string; entrypoints: string[]; evidence: Evidence[] }[];
  /** extension: why an entrypoint got its state: the deciding path and reason. */
  why?: Record<string, { state: EntrypointState; path: string[]; reason: string }>;
  /** extension: set when redundancy absorbs a single-instance failure. */
  absorbed?: string;
  /** extension: state of every affected node that is not an entrypoint and not the failed one (worst over entrypoints). */
  nodeStates?: Record<string, EntrypointState>;
  /**
   * extension: a runtime-wide effect takes down every entrypoint of a runtime: a crash (an
   * unhandled rejection from a fire-and-forget without a catch) or starvation (a hanging call
   * without a timeout exhausts its shared pool and event loop). Explained once per runtime:
   * `why` has no entry for entrypoints that are down only because of it; their deciding path
   * is entrypoint → runtime → the trigger's path after its entrypoint.
   */
  runtimeEffects?: RuntimeEffect[];
}

export interface RuntimeEffect {
  runtime: string;
  effect: 'crash' | 'starvation';
  /** the entrypoint whose call triggers it */
  trigger: string;
  /** the trigger's path, from its entrypoint to the failed node */
  path: string[];
  reason: string;
  /** entrypoints of the runtime down because of it (not counting the trigger) */
  entrypoints: number;
}

export interface Diagnostic {
  file: string;
  message: string;
  /** extension: a stable category so diagnostics can be counted ('parse', 'skipped-binary', ...). */
  code?: string;
}

export interface Model {
  schemaVersion: 1;
  tool: { name: 'faultline'; version: string };
  root: string;
  nodes: ModelNode[];
  edges: ModelEdge[];
  findings: Finding[];
  scenarios: Scenario[];
  diagnostics: Diagnostic[];
  /** extension: database capacity arithmetic (see docs/model.md). */
  capacity?: unknown;
  /** extension: links the linker could not resolve, recorded instead of dropped. */
  unresolved?: { file: string; line: number; what: string }[];
  /** extension: set when the outputs show a what-if (`scan --what-if NAME`): the mitigations and before → after sentences. */
  whatIf?: { name: string; mitigations: unknown[]; changes: string[] };
  /** extension: counts of what the scan read. */
  stats?: {
    files: number;
    parsed: number;
    skipped: number;
    /** extension: skipped files by reason (walk codes: skipped-test, skipped-generated, skipped-large, …). */
    skippedBy?: Record<string, number>;
  };
}
