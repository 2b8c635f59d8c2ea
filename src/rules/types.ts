import type { Category, Effort, Finding, Location, Model, Polarity, Priority, Severity } from '../model/types.js';
import type { FactIndex } from '../extract/facts.js';

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
}

export interface Rule {
  meta: RuleMeta;
  check(input: RuleInput, ctx: RuleContext): void;
}

export type { Finding };
