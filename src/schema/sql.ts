// SQL DDL read with the real PostgreSQL parser (libpg-query: the server's own grammar
// compiled to WebAssembly). The module loads asynchronously once; after that parsing is
// synchronous, so rules can ask for the schema without awaiting.
import { loadModule, parseSync } from 'libpg-query';

let ready = false;
let loading: Promise<boolean> | undefined;

/** Loads the parser (idempotent). Resolves false when the WebAssembly module cannot load. */
export function ensureSqlParser(): Promise<boolean> {
  loading ??= loadModule().then(
    () => (ready = true),
    () => false,
  );
  return loading;
}

export function sqlParserReady(): boolean {
  return ready;
}

export interface ParsedStatement {
  stmt: Record<string, any>;
  /** 0-based character offset of the statement in the text that was parsed. */
  offset: number;
}

/**
 * Parses a script into statements. A script the parser rejects as a whole (psql
 * meta-commands, one bad statement) is split at top-level semicolons and each piece is
 * parsed on its own; pieces that still fail are counted, not guessed at.
 */
export function parseStatements(text: string): { statements: ParsedStatement[]; failed: number } {
  if (!ready) return { statements: [], failed: 0 };
  try {
    return { statements: toStatements(parseSync(text), 0, text), failed: 0 };
  } catch {
    const statements: ParsedStatement[] = [];
    let failed = 0;
    for (const piece of splitStatements(text)) {
      if (!piece.text.trim() || /^\s*\\/.test(piece.text)) continue;
      try {
        statements.push(...toStatements(parseSync(piece.text), piece.offset, piece.text));
      } catch {
        failed++;
      }
    }
    return { statements, failed };
  }
}

/** The parser reports UTF-8 byte offsets; map them to string (UTF-16) offsets. */
function toStatements(result: any, base: number, text: string): ParsedStatement[] {
  // eslint-disable-next-line no-control-regex
  const ascii = !/[^\x00-\x7f]/.test(text);
  const bytes = ascii ? undefined : new TextEncoder().encode(text);
  const charOffset = (b: number) => (bytes ? new TextDecoder().decode(bytes.subarray(0, b)).length : b);
  return (result?.stmts ?? []).map((s: any) => ({ stmt: s.stmt ?? {}, offset: base + charOffset(s.stmt_location ?? 0) }));
}

/** Top-level `;` positions, skipping quotes, comments and dollar-quoted bodies. */
export function splitStatements(text: string): { text: string; offset: number }[] {
  const out: { text: string; offset: number }[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "'" || c === '"') {
      const q = c;
      i++;
      while (i < text.length && !(text[i] === q && text[i + 1] !== q)) i += text[i] === q ? 2 : 1;
      i++;
    } else if (c === '-' && text[i + 1] === '-') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (c === '$') {
      const m = /^\$([A-Za-z_]\w*)?\$/.exec(text.slice(i, i + 64));
      if (m) {
        const end = text.indexOf(m[0], i + m[0].length);
        i = end < 0 ? text.length : end + m[0].length;
      } else i++;
    } else if (c === ';' || (c === '\n' && /^\s*\\/.test(text.slice(i + 1, i + 40)))) {
      out.push({ text: text.slice(start, i), offset: start });
      start = i + 1;
      i++;
    } else i++;
  }
  if (start < text.length) out.push({ text: text.slice(start), offset: start });
  return out;
}
