// Mermaid's own parser, in Node. mermaid v11 needs a DOM only for DOMPurify (which it calls
// to sanitize labels at render time, and whose hooks it installs before parsing); without
// a window, DOMPurify's default export has no addHook/sanitize. Parsing does not depend on
// them, so they are stubbed on the very DOMPurify instance mermaid imports (the same
// module). This checks the syntax with the real grammar; the browser test renders.

import DOMPurify from 'dompurify';

type Purify = Record<string, unknown>;
const purify = DOMPurify as unknown as Purify;
for (const k of ['addHook', 'removeHook', 'removeHooks', 'removeAllHooks', 'setConfig', 'clearConfig']) {
  if (typeof purify[k] !== 'function') purify[k] = () => undefined;
}
if (typeof purify.sanitize !== 'function') purify.sanitize = (s: unknown) => String(s);

const { default: mermaid } = await import('mermaid');

/** Resolves with the diagram type, rejects with mermaid's parse error. */
export async function parseMermaid(text: string): Promise<string> {
  const r = await mermaid.parse(text);
  if (!r) throw new Error('mermaid.parse returned false');
  return r.diagramType;
}

/** The bodies of every ```mermaid block in a Markdown document. */
export function mermaidBlocks(markdown: string): string[] {
  const out: string[] = [];
  const re = /^(`{3,})mermaid\n([\s\S]*?)\n\1$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) out.push(m[2]);
  return out;
}

/**
 * A strict structural check of the flowchart subset faultline emits, independent of
 * mermaid: every line is a header, subgraph/end, node, edge, classDef or class line; ids
 * are [A-Za-z0-9_]; every label is one double-quoted string with no raw `"`, `<`, `>`,
 * backtick or control character inside.
 */
export function checkFlowchartStructure(text: string): string[] {
  const errors: string[] = [];
  const LABEL = '"[^"<>`\\u0000-\\u001f]+"';
  const ID = '[A-Za-z0-9_]+';
  const SHAPE = `(?:\\[${LABEL}\\]|\\[\\(${LABEL}\\)\\]|\\{\\{${LABEL}\\}\\}|\\[\\[${LABEL}\\]\\]|\\(\\[${LABEL}\\]\\)|\\(\\(${LABEL}\\)\\)|>${LABEL}\\])`;
  const forms = [
    new RegExp(`^flowchart LR$`),
    new RegExp(`^ *subgraph ${ID}\\[${LABEL}\\]$`),
    new RegExp(`^ *end$`),
    new RegExp(`^ *${ID}${SHAPE}$`),
    new RegExp(`^ *${ID} (?:-->|-\\.->)(?:\\|${LABEL}\\|)? ${ID}$`),
    new RegExp(`^ *classDef [a-z0-9]+ [a-z]+:#[0-9a-f]{6}(?:,[a-z]+:#[0-9a-f]{6})*$`),
    new RegExp(`^ *class ${ID}(?:,${ID})* [a-z0-9]+$`),
  ];
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines[0] !== 'flowchart LR') errors.push(`first line is not "flowchart LR": ${lines[0]}`);
  let depth = 0;
  for (const l of lines) {
    if (!forms.some((re) => re.test(l))) errors.push(`unexpected line: ${l}`);
    if (/^ *subgraph /.test(l)) depth++;
    if (/^ *end$/.test(l)) depth--;
    if (depth < 0) errors.push('"end" without subgraph');
  }
  if (depth !== 0) errors.push('unbalanced subgraph/end');
  return errors;
}
