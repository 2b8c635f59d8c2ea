// Writes docs/rules/<category>--<name>.md and docs/rules/README.md from the rule meta.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RULES } from '../src/rules/index.js';
import { ruleMarkdown } from '../src/rules/docs.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'docs/rules');
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
const index = ['# Rules', '', '| rule | severity | polarity | category | title |', '|---|---|---|---|---|'];
for (const r of RULES) {
  const name = `${r.meta.id.replace('/', '--')}.md`;
  fs.writeFileSync(path.join(dir, name), ruleMarkdown(r.meta));
  index.push(`| [${r.meta.id}](${name}) | ${r.meta.defaultSeverity} | ${r.meta.polarity} | ${r.meta.category} | ${r.meta.title} |`);
}
fs.writeFileSync(path.join(dir, 'README.md'), index.join('\n') + '\n\nGenerated from the rule meta by `npm run gen:docs`; `faultline explain RULE` prints the same text.\n');
console.log(`wrote ${RULES.length} rule docs to docs/rules/`);
