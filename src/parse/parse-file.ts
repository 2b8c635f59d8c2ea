import type { Diagnostic } from '../model/types.js';
import type { FileFacts } from '../extract/facts.js';
import { extractFacts } from '../extract/extract.js';
import { extractPython } from '../extract/python.js';
import { readText } from '../walk/walk.js';
import { parseOxc } from './oxc.js';

export interface ParseOutcome {
  facts?: FileFacts;
  diagnostics: Diagnostic[];
}

function langOf(rel: string): 'ts' | 'tsx' | 'js' | 'jsx' {
  if (rel.endsWith('.tsx')) return 'tsx';
  if (rel.endsWith('.jsx')) return 'jsx';
  if (/\.(ts|mts|cts)$/.test(rel)) return 'ts';
  return 'js';
}

/** Reads, parses and extracts one source file. Never throws: failures become diagnostics. */
/**
 * ast-grep's Python syntax trees live in native memory that V8 does not count: their JS handles
 * are tiny, survive into the old generation while the tree is walked, and are released only by a
 * major collection followed by a turn of the event loop (where N-API finalizers run). Left alone,
 * a repository of two thousand Python files held a gigabyte of dead trees; callers that parse
 * many files collect after this much Python source.
 */
export const PYTHON_BYTES_PER_GC = 1024 * 1024;

export function parseFile(abs: string, rel: string): ParseOutcome {
  const read = readText(abs, rel);
  if ('skip' in read) return { diagnostics: [read.skip] };
  return parseSource(rel, read.text, read.diagnostic ? [read.diagnostic] : []);
}

export function parseSource(rel: string, text: string, diagnostics: Diagnostic[] = []): ParseOutcome {
  if (rel.endsWith('.py')) return parsePythonSource(rel, text, diagnostics);
  try {
    const lang = langOf(rel);
    // .js files may contain JSX in React-ish repos; oxc's jsx mode accepts plain JS too.
    const result = parseOxc(rel, text, { lang: lang === 'js' ? 'jsx' : lang, sourceType: 'unambiguous' });
    const errors = result.errors.map((e) => e.message);
    if (errors.length) diagnostics.push({ file: rel, code: 'parse', message: `parse error: ${errors[0]}${errors.length > 1 ? ` (+${errors.length - 1} more)` : ''}` });
    const facts = extractFacts(rel, text, result.program as any, result.comments as any, errors);
    return { facts, diagnostics };
  } catch (e) {
    diagnostics.push({ file: rel, code: 'parse', message: `could not analyse file: ${(e as Error).message.split('\n')[0]}` });
    return { diagnostics };
  }
}

/** Python: tree-sitter (ast-grep) recovers from syntax errors; they become a diagnostic and the rest of the file is still read. */
function parsePythonSource(rel: string, text: string, diagnostics: Diagnostic[]): ParseOutcome {
  try {
    const facts = extractPython(rel, text);
    const errors = facts.parseErrors;
    if (errors.length) diagnostics.push({ file: rel, code: 'parse', message: `parse error: ${errors[0]}${errors.length > 1 ? ` (+${errors.length - 1} more)` : ''}` });
    return { facts, diagnostics };
  } catch (e) {
    diagnostics.push({ file: rel, code: 'parse', message: `could not analyse file: ${(e as Error).message.split('\n')[0]}` });
    return { diagnostics };
  }
}
