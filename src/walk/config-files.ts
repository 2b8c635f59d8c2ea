import { parseAllDocuments } from 'yaml';
import type { Diagnostic } from '../model/types.js';
import { readText, type WalkedFile } from './walk.js';

export interface ConfigFile {
  rel: string;
  text: string;
  /** Parsed YAML documents (multi-document files give several). */
  yaml?: unknown[];
  json?: unknown;
  /** Line of a top-level or nested key path, for evidence. */
  lineOf(needle: string): number;
}

/** Reads config files as data (never executed). A broken file is a diagnostic. */
export function readConfigFiles(files: WalkedFile[], diagnostics: Diagnostic[]): ConfigFile[] {
  const out: ConfigFile[] = [];
  for (const f of files) {
    if (f.kind !== 'config') continue;
    const read = readText(f.abs, f.rel);
    if ('skip' in read) {
      diagnostics.push(read.skip);
      continue;
    }
    if (read.diagnostic) diagnostics.push(read.diagnostic);
    const text = read.text;
    const cf: ConfigFile = { rel: f.rel, text, lineOf: (needle) => lineOfText(text, needle) };
    if (/\.ya?ml$/i.test(f.rel)) {
      try {
        const docs = parseAllDocuments(text, { uniqueKeys: false });
        const list = Array.isArray(docs) ? docs : [docs];
        const errs = list.flatMap((d: any) => d.errors ?? []);
        if (errs.length) diagnostics.push({ file: f.rel, code: 'config-parse', message: `YAML parse error: ${String(errs[0].message).split('\n')[0]}` });
        cf.yaml = list.filter((d: any) => !(d.errors?.length)).map((d: any) => d.toJS({ maxAliasCount: 100 }));
      } catch (e) {
        diagnostics.push({ file: f.rel, code: 'config-parse', message: `YAML parse error: ${(e as Error).message.split('\n')[0]}` });
      }
    } else if (/\.json$/i.test(f.rel)) {
      try {
        cf.json = JSON.parse(stripJsonComments(text));
      } catch (e) {
        diagnostics.push({ file: f.rel, code: 'config-parse', message: `JSON parse error: ${(e as Error).message.split('\n')[0]}` });
      }
    }
    out.push(cf);
  }
  return out;
}

export function lineOfText(text: string, needle: string): number {
  const i = text.indexOf(needle);
  if (i < 0) return 1;
  let line = 1;
  for (let k = 0; k < i; k++) if (text.charCodeAt(k) === 10) line++;
  return line;
}

/** tsconfig.json allows comments and trailing commas. */
export function stripJsonComments(text: string): string {
  let out = '';
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') {
      inStr = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      i += 2;
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) i++;
      i++;
    } else out += c;
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}

export function parseDotenv(text: string): Record<string, { value: string; line: number }> {
  const out: Record<string, { value: string; line: number }> = {};
  text.split('\n').forEach((raw, i) => {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(raw);
    if (!m) return;
    let v = m[2].trim();
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    else v = v.replace(/\s+#.*$/, '');
    out[m[1]] = { value: v, line: i + 1 };
  });
  return out;
}
