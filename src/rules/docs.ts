// Rule documentation rendered from the same meta the engine uses: `faultline rules`,
// `faultline explain`, docs/rules/*.md and SARIF help all come from here.
import type { RuleMeta } from './types.js';
import type { Rule } from './types.js';

export function rulesTable(rules: readonly Rule[]): string {
  const rows = rules.map((r) => [r.meta.id, r.meta.defaultSeverity, r.meta.polarity, r.meta.category, r.meta.title]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i].length), ['rule', 'severity', 'polarity', 'category'][i].length));
  const fmt = (row: string[]) => row.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c)).join('  ');
  return [fmt(['rule', 'severity', 'polarity', 'category', 'title']), ...rows.map(fmt)].join('\n') + `\n\n${rules.length} rules · faultline explain RULE for the docs\n`;
}

export function explainRule(m: RuleMeta): string {
  const wrap = (s: string) => s.replace(/(.{1,78})(\s+|$)/g, '$1\n').trimEnd();
  return [
    `${m.id} — ${m.title}`,
    `severity ${m.defaultSeverity} · ${m.polarity} · ${m.category} · effort ${m.effort} · ${m.priority}`,
    '',
    'What it finds',
    wrap(m.docs.what),
    '',
    'Why it matters in production',
    wrap(m.docs.why),
    '',
    'How to fix',
    m.docs.fix,
    '',
    'False-positive guard',
    wrap(m.docs.falsePositiveGuard),
    '',
    'References',
    ...m.docs.references.map((r) => `  ${r}`),
    '',
  ].join('\n');
}

export function ruleMarkdown(m: RuleMeta): string {
  return [
    `# ${m.id}`,
    '',
    `**${m.title}** — severity \`${m.defaultSeverity}\`, ${m.polarity}, ${m.category}; effort ${m.effort}, priority ${m.priority}.`,
    '',
    '## What',
    '',
    m.docs.what,
    '',
    '## Why in production',
    '',
    m.docs.why,
    '',
    '## How to fix',
    '',
    m.docs.fix,
    '',
    '## False-positive guard',
    '',
    m.docs.falsePositiveGuard,
    '',
    '## References',
    '',
    ...m.docs.references.map((r) => `- ${r}`),
    '',
    '<!-- generated from the rule meta by scripts/gen-docs.ts -->',
    '',
  ].join('\n');
}
