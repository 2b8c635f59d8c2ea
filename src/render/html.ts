// The board: one self-contained index.html. Pure: the model and the pre-built board
// assets in, a string out (load them with ./board/load-assets.ts).
//
// Safety: the model is embedded as JSON in a non-executed <script type="application/json">
// with "<", ">", "&", U+2028 and U+2029 escaped as \uXXXX, so no string from the scanned
// repository can close the element; the app reads it with JSON.parse(textContent) and
// writes repository strings only as text. A Content-Security-Policy allows exactly the one
// inlined script (by hash) and no network at all.
import { createHash } from 'node:crypto';
import type { Model } from '../model/types.js';

export interface BoardAssets {
  js: string;
  css: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** JSON that is safe as the text of a <script> element (and still valid JSON). */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Inline JS cannot contain "</script" or "<!--"; \x3C is "<" inside strings, templates and regexes. */
function scriptText(js: string): string {
  return js.replace(/<(\/script|!--)/gi, '\\x3C$1');
}

function styleText(css: string): string {
  return css.replace(/<\/style/gi, '\\3C/style');
}

export function renderHtml(model: Model, boardAssets: BoardAssets): string {
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
  return [
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
    `<script type="application/json" id="faultline-model">${jsonForScript(model)}</script>`,
    `<script>${js}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
