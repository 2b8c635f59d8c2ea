// The board: one self-contained index.html. Pure: the model and the pre-built board
// assets in, a string out (load them with ./board/load-assets.ts; its layout function
// reads ELK from dist/board on first use).
//
// Safety: the model is embedded as JSON in a non-executed <script type="application/json">
// with "<", ">", "&", U+2028 and U+2029 escaped as \uXXXX, so no string from the scanned
// repository can close the element; the app reads it with JSON.parse(textContent) and
// writes repository strings only as text. A Content-Security-Policy allows exactly the one
// inlined script (by hash) and no network at all.
//
// Speed: when the assets carry a synchronous ELK (load-assets.ts gives one), the opening
// view of the graph is laid out here, with the very code the board uses (board/visible.ts),
// and its positions are embedded the same inert way (script#faultline-layout): the board
// then opens without running ELK in the browser. ELK is deterministic (fixed seed), so the
// same model still gives a byte-identical file.
import { createHash } from 'node:crypto';
import type { Model } from '../model/types.js';
import { buildIndex } from './board/model-index.js';
import { presetLayout, type ElkNode, type PresetLayout } from './board/visible.js';

export interface BoardAssets {
  js: string;
  css: string;
  /** A synchronous ELK layout (the graph in, the same graph with coordinates out); without it the browser lays out. */
  layout?: (graph: ElkNode) => ElkNode;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

const SCRIPT_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** JSON that is safe as the text of a <script> element (and still valid JSON). */
export function jsonForScript(value: unknown): string {
  // one pass: the model's JSON is megabytes, and every replace() copies all of it
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => SCRIPT_ESCAPES[c]!);
}

/**
 * jsonForScript(value) in pieces whose concatenation is the same text (an object by property,
 * an array property by element): a model's JSON is tens of megabytes as one string, and the
 * board is written piece by piece.
 */
export function* jsonForScriptChunks(value: unknown): Generator<string> {
  if (!value || typeof value !== 'object' || Array.isArray(value) || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    yield jsonForScript(value);
    return;
  }
  const skipped = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';
  let sep = '{';
  for (const [k, v] of Object.entries(value)) {
    if (skipped(v)) continue;
    yield `${sep}${jsonForScript(k)}:`;
    sep = ',';
    if (!Array.isArray(v)) {
      yield jsonForScript(v);
      continue;
    }
    yield '[';
    for (let i = 0; i < v.length; i++) yield `${i ? ',' : ''}${skipped(v[i]) ? 'null' : jsonForScript(v[i])}`;
    yield ']';
  }
  yield sep === '{' ? '{}' : '}';
}

/** Inline JS cannot contain "</script" or "<!--"; \x3C is "<" inside strings, templates and regexes. */
function scriptText(js: string): string {
  return js.replace(/<(\/script|!--)/gi, '\\x3C$1');
}

function styleText(css: string): string {
  return css.replace(/<\/style/gi, '\\3C/style');
}

/** The opening view laid out, or null (no ELK given, or it failed: the board then lays out itself). */
export function boardLayout(model: Model, runElk: (graph: ElkNode) => ElkNode): PresetLayout | null {
  try {
    return presetLayout(buildIndex({ ...model, findings: model.findings ?? [], scenarios: model.scenarios ?? [], diagnostics: model.diagnostics ?? [] }), runElk);
  } catch {
    return null;
  }
}

export function renderHtml(model: Model, boardAssets: BoardAssets): string {
  return [...renderHtmlChunks(model, boardAssets)].join('');
}

/** renderHtml's text in pieces, for writing the page without holding it (and the model's JSON) as one string. */
export function* renderHtmlChunks(model: Model, boardAssets: BoardAssets): Generator<string> {
  const js = scriptText(boardAssets.js);
  const css = styleText(boardAssets.css);
  const hash = createHash('sha256').update(js, 'utf8').digest('base64');
  const csp = [
    "default-src 'none'",
    `script-src 'sha256-${hash}'`,
    "style-src 'unsafe-inline'",
    'img-src data: blob:',
    'font-src data:',
    "connect-src 'none'",
    // the board's layout engine runs in a worker built from its own inlined source
    'worker-src blob:',
    "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const title = `faultline board — ${model.root}`;
  const layout = boardAssets.layout ? boardLayout(model, boardAssets.layout) : null;
  yield [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="${escapeHtml(`faultline ${model.tool?.version ?? ''}`.trim())}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${css}</style>`,
    '</head>',
    '<body>',
    '<div id="app"><noscript>The faultline board needs JavaScript; the same analysis is in report.md and faultline.json.</noscript></div>',
    '<script type="application/json" id="faultline-model">',
  ].join('\n');
  yield* jsonForScriptChunks(model);
  yield [
    '</script>',
    ...(layout ? [`<script type="application/json" id="faultline-layout">${jsonForScript(layout)}</script>`] : []),
    `<script>${js}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
