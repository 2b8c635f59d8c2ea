// Parser comparison, single-threaded, parse only: the same files parsed by oxc-parser
// (parseSync, AST materialised via program.body.length) or by @ast-grep/napi
// (parse(Lang.TypeScript | Lang.Tsx, src).root()). Files are read first, outside the
// parse timing, so parseMs is the parser alone.
//
//   node --import tsx bench/parser-compare.ts --parser oxc|ast-grep [DIR]

import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { walkSources } from './walk.ts';

async function main(argv: string[]): Promise<void> {
  const at = argv.indexOf('--parser');
  const parser = at >= 0 ? argv[at + 1] : 'oxc';
  const dir = resolve(argv.find((a, i) => !a.startsWith('--') && argv[i - 1] !== '--parser') ?? '.bench/synthetic');
  const loadStart = performance.now();
  let parseOne: (file: string, source: string) => boolean; // true when the parse reported errors
  if (parser === 'oxc') {
    const { parseSync } = await import('oxc-parser');
    parseOne = (file, source) => {
      const result = parseSync(file, source);
      return result.program.body.length < 0 || result.errors.length > 0;
    };
  } else if (parser === 'ast-grep') {
    const { parse, Lang } = await import('@ast-grep/napi');
    parseOne = (file, source) => {
      const root = parse(file.endsWith('.tsx') ? Lang.Tsx : Lang.TypeScript, source).root();
      return root.kind() !== 'program';
    };
  } else {
    throw new Error(`unknown parser "${parser}" (use oxc or ast-grep)`);
  }
  const loadMs = performance.now() - loadStart;
  const readStart = performance.now();
  const files = walkSources(dir);
  const sources = files.map((f) => readFileSync(f, 'utf8'));
  const readMs = performance.now() - readStart;
  let errors = 0;
  let bytes = 0;
  const parseStart = performance.now();
  for (let i = 0; i < files.length; i++) {
    if (parseOne(files[i], sources[i])) errors++;
    bytes += sources[i].length;
  }
  const parseMs = performance.now() - parseStart;
  const report = { parser, files: files.length, bytes, errors, loadMs: Math.round(loadMs), readMs: Math.round(readMs), parseMs: Math.round(parseMs), totalMs: Math.round(performance.now()) };
  const json = JSON.stringify(report);
  if (process.env.BENCH_RESULT_FILE) writeFileSync(process.env.BENCH_RESULT_FILE, json);
  else process.stdout.write(json + '\n');
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`parser-compare: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
