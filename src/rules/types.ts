import type { Category, Effort, Evidence, Finding, Location, Model, Polarity, Priority, Severity } from '../model/types.js';
import type { CallFact, FactIndex, FunctionFact } from '../extract/facts.js';
import type { Use } from '../link/trace.js';
import type { CallMeaning, InfraFacts } from '../packs/types.js';
import type { ConfigFile } from '../walk/config-files.js';

/** What rules may ask about the code beyond per-file facts (built by the linker). */
export interface CodeIndex {
  /** What a call does when a pack knows it: a datastore read/write, an HTTP call, an enqueue. */
  meaning(file: string, call: CallFact): CallMeaning | undefined;
  /** The project function a call runs, when resolvable. */
  callee(file: string, call: CallFact): { file: string; fn: FunctionFact } | undefined;
  /** Entrypoint ids whose handlers (or guards) run this function, transitively. */
  entrypointsOf(file: string, fnId: string): string[];
  /** Component id (component:x) owning a file; undefined for a module outside every component. */
  componentOf(file: string): string | undefined;
  /** Dependency uses a function makes, transitively, as the tracer composes them. */
  usesOf(file: string, fnId: string): Use[];
  /** A function of a file by id (undefined for '<module>' or an unknown id). */
  fn(file: string, fnId: string): FunctionFact | undefined;
  /** The calls a function's body runs: its own and those of the callbacks written inline in it (shared: do not modify). */
  bodyCalls(file: string, fnId: string): CallFact[];
  configs: ConfigFile[];
  infra: InfraFacts;
  env(name: string): string | undefined;
  /** The scanned file an import specifier of `file` names, resolved as the linker does (tsconfig paths, workspaces); undefined for a package. */
  moduleOf?(file: string, source: string): string | undefined;
  /** Where the file's package registers an unhandledRejection handler that keeps the process alive (none that exits), if it does. */
  rejectionHandler?(file: string): Evidence | undefined;
  /** Whether a file runs in a browser (a front-end package, a UI folder of a mixed package, a static asset): not the backend's code. */
  isFrontend(file: string): boolean;
  /** Whether a file belongs to the application package of a UI framework (Next.js, Nuxt, Angular...; also at the root) with no server framework: server code only where a server entrypoint runs it. */
  inUiPackage(file: string): boolean;
}

export interface RuleDocs {
  /** What it finds, one paragraph. */
  what: string;
  /** Why it matters in production. */
  why: string;
  /** How to fix, with a short code example where useful. */
  fix: string;
  /** What the rule deliberately does not fire on. */
  falsePositiveGuard: string;
  references: string[];
}

export interface RuleMeta {
  id: string;
  title: string;
  category: Category;
  polarity: Polarity;
  defaultSeverity: Severity;
  effort: Effort;
  priority: Priority;
  docs: RuleDocs;
}

export interface RuleReport {
  element?: string;
  locations: Location[];
  title?: string;
  impact: string;
  recommendation: string;
  severity?: Severity;
  /** Normalized text the fingerprint is computed from, instead of the first snippet. */
  fingerprintKey?: string;
}

export interface RuleContext {
  report(r: RuleReport): void;
}

export interface RuleInput {
  /** Nodes and edges (no findings yet); scenarios when computed. */
  model: Model;
  facts: FactIndex;
  /** Absent when a rule runs on a model alone (tests of model-level rules). */
  code?: CodeIndex;
}

export interface Rule {
  meta: RuleMeta;
  check(input: RuleInput, ctx: RuleContext): void;
}

export type { Finding };
