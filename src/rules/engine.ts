// Runs rules over the model and the facts and turns their reports into findings:
// severity overrides, inline suppressions, stable fingerprints, sorting. Rules only
// detect and word; everything shared lives here. Pure (source text is passed in).
import type { FactIndex } from '../extract/facts.js';
import type { Diagnostic, Finding, Model, Severity } from '../model/types.js';
import { cmpStr } from '../shared/compare.js';
import { fingerprint } from '../shared/hash.js';
import type { CodeIndex, Rule, RuleReport } from './types.js';

export interface RuleSettings {
  /** 'off' disables; a severity re-rates. */
  [ruleId: string]: 'off' | Severity;
}

export interface EngineInput {
  model: Model;
  facts: FactIndex;
  rules: readonly Rule[];
  code?: CodeIndex;
  settings?: RuleSettings;
  /** Source text of a scanned file, for snippets and fingerprints. */
  source?: (file: string) => string | undefined;
}

export const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

function normalize(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

export function runRules(input: EngineInput): { findings: Finding[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const findings: Finding[] = [];
  const lineCache = new Map<string, string[] | undefined>();
  const linesOf = (file: string) => {
    if (!lineCache.has(file)) lineCache.set(file, input.source?.(file)?.split('\n'));
    return lineCache.get(file);
  };
  const seen = new Map<string, number>();
  const suppressionsUsed = new Set<string>();

  for (const rule of input.rules) {
    const setting = input.settings?.[rule.meta.id];
    if (setting === 'off') continue;
    const reports: RuleReport[] = [];
    rule.check({ model: input.model, facts: input.facts, code: input.code }, { report: (r) => reports.push(r) });
    for (const r of reports) {
      const locations = r.locations.map((l) => {
        const lines = linesOf(l.file);
        const snippet = l.snippet ?? (lines ? lines.slice(l.line - 1, Math.min(l.endLine ?? l.line, l.line + 5)).join('\n').trimEnd().slice(0, 600) : undefined);
        return { ...l, ...(snippet ? { snippet } : {}) };
      });
      const first = locations[0];
      const key = `${rule.meta.id}\0${first?.file ?? ''}\0${normalize(r.fingerprintKey ?? first?.snippet ?? r.element ?? '')}`;
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      const finding: Finding = {
        id: fingerprint(`${key}\0${n}`),
        rule: rule.meta.id,
        severity: setting ?? r.severity ?? rule.meta.defaultSeverity,
        polarity: rule.meta.polarity,
        category: rule.meta.category,
        title: r.title ?? rule.meta.title,
        element: r.element,
        locations,
        impact: r.impact,
        recommendation: r.recommendation,
        effort: rule.meta.effort,
        priority: rule.meta.priority,
      };
      if (first) {
        const sup = input.facts.get(first.file)?.suppressions.find((s) => s.line === first.line && (s.rule === rule.meta.id || s.rule === 'all'));
        if (sup) {
          const supKey = `${first.file}:${sup.line}:${sup.rule}`;
          if (sup.reason) finding.suppressed = { reason: sup.reason, file: first.file, line: sup.line - 1 };
          else if (!suppressionsUsed.has(supKey)) diagnostics.push({ file: first.file, code: 'suppression', message: `line ${sup.line - 1}: faultline-ignore-next-line ${sup.rule} needs a reason after " -- "; the finding is kept` });
          suppressionsUsed.add(supKey);
        }
      }
      findings.push(finding);
    }
  }
  findings.sort((a, b) => cmpStr(a.id, b.id));
  return { findings, diagnostics };
}
