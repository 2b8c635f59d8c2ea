// `npm run bench`: faultline's full scan side by side with a parse-only floor, dependency-
// cruiser and a parser comparison, on a generated ~5,000-file backend. Every row runs as its
// own child process, timed (wall clock) and measured (peak RSS, via `/usr/bin/time -v` when
// present, else a preloaded process.resourceUsage() probe). A row that fails prints its error
// on one line; the others go on. Progress goes to stderr, the table to stdout.
//
//   npm run bench -- [--runs N] [--only floor,faultline,...] [--regen] [--timeout SECONDS] [--check] [--no-time]
//
// See bench/README.md for what each row means.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureSynthetic, REPO_ROOT } from './generate.ts';
import { walkSources } from './walk.ts';

const BENCH_DIR = join(REPO_ROOT, 'bench');
const WORK_DIR = join(REPO_ROOT, '.bench');
const BUILD_DIR = join(WORK_DIR, 'build');
const TMP_DIR = join(WORK_DIR, 'tmp');
const SYNTHETIC = join(WORK_DIR, 'synthetic');
const SYNTHETIC_REL = relative(REPO_ROOT, SYNTHETIC);
const FAULTLINE_BIN = join(REPO_ROOT, 'bin', 'faultline.js');
const FAULTLINE_OUT = join(WORK_DIR, 'out.json');
const DEPCRUISE_BIN = join(REPO_ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const PROPAGATION_ENTRY = join(REPO_ROOT, 'src', 'analyze', 'propagation', 'index.ts');
const BOARD_ENTRY = join(BENCH_DIR, 'board.ts');

const TARGET_FLOOR_RATIO = 1.5;
const TARGET_DEPCRUISE_SPEEDUP = 4;
const TARGET_PEAK_MB = 400;
const TARGET_PROPAGATION_S = 2;

// ---------------------------------------------------------------------------------------
// Options

interface Options {
  runs: number;
  only?: Set<string>;
  regen: boolean;
  timeoutS: number;
  check: boolean;
  /** measure with the resourceUsage preload even when /usr/bin/time is present */
  forcePreload: boolean;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const runs = Number(value('--runs') ?? 1);
  const timeoutS = Number(value('--timeout') ?? 600);
  const only = value('--only');
  return {
    runs: Number.isInteger(runs) && runs > 0 ? runs : 1,
    only: only ? new Set(only.split(',').map((s) => s.trim()).filter(Boolean)) : undefined,
    regen: argv.includes('--regen'),
    timeoutS: Number.isFinite(timeoutS) && timeoutS > 0 ? timeoutS : 600,
    check: argv.includes('--check'),
    forcePreload: argv.includes('--no-time'),
  };
}

const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 200);

// ---------------------------------------------------------------------------------------
// Measuring a child process

type PeakMethod = 'time' | 'preload';

function probePeakMethod(): PeakMethod {
  const probe = join(TMP_DIR, 'time-probe.txt');
  try {
    const r = spawnSync('/usr/bin/time', ['-v', '-o', probe, process.execPath, '-e', ''], { stdio: 'ignore', timeout: 10_000 });
    if (r.status === 0 && /Maximum resident set size/.test(readFileSync(probe, 'utf8'))) return 'time';
  } catch {
    // not present or not GNU time
  }
  return 'preload';
}

interface Measured {
  wallS: number;
  peakMB?: number;
  /** user + system CPU seconds of the row's processes */
  cpuS?: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  result?: Record<string, unknown>;
}

let peakMethod: PeakMethod = 'preload';

/** Runs `node ...nodeArgs` in REPO_ROOT; returns wall time, peak RSS and the row's result file. */
function measure(id: string, nodeArgs: string[], timeoutS: number): Promise<Measured> {
  const resultFile = join(TMP_DIR, `${id}.result.json`);
  const rssFile = join(TMP_DIR, `${id}.rss.txt`);
  rmSync(resultFile, { force: true });
  rmSync(rssFile, { force: true });
  const env = { ...process.env, BENCH_RESULT_FILE: resultFile, FAULTLINE_BENCH_RSS_FILE: rssFile };
  let command: string;
  let args: string[];
  if (peakMethod === 'time') {
    command = '/usr/bin/time';
    args = ['-v', '-o', rssFile, process.execPath, ...nodeArgs];
    delete (env as Record<string, string | undefined>).FAULTLINE_BENCH_RSS_FILE;
  } else {
    command = process.execPath;
    args = ['--import', pathToFileURL(join(BENCH_DIR, 'maxrss.mjs')).href, ...nodeArgs];
  }
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    const cap = (s: string, chunk: Buffer) => (s.length > 1_000_000 ? s : s + chunk.toString());
    child.stdout.on('data', (c: Buffer) => (stdout = cap(stdout, c)));
    child.stderr.on('data', (c: Buffer) => (stderr = cap(stderr, c)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL'); // the whole group this row started, nothing else
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutS * 1000);
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      const wallS = (performance.now() - started) / 1000;
      let peakKB: number | undefined;
      let cpuS: number | undefined;
      try {
        const text = readFileSync(rssFile, 'utf8');
        if (peakMethod === 'time') {
          const m = /Maximum resident set size \(kbytes\):\s*(\d+)/.exec(text);
          if (m) peakKB = Number(m[1]);
          const user = /User time \(seconds\):\s*([\d.]+)/.exec(text);
          const sys = /System time \(seconds\):\s*([\d.]+)/.exec(text);
          if (user && sys) cpuS = Number(user[1]) + Number(sys[1]);
          // GNU time reports the child's exit status in its own status; keep the node one
          const exit = /Exit status:\s*(\d+)/.exec(text);
          if (exit && code !== null) code = Number(exit[1]);
        } else {
          // one "maxRSS-kB cpu-microseconds" line per process
          const rowsOf = text.split('\n').filter(Boolean).map((l) => l.split(' ').map(Number));
          const rss = rowsOf.map((r) => r[0]).filter(Number.isFinite);
          if (rss.length) peakKB = Math.max(...rss);
          const cpu = rowsOf.map((r) => r[1]).filter(Number.isFinite);
          if (cpu.length) cpuS = cpu.reduce((a, b) => a + b, 0) / 1e6;
        }
      } catch {
        // no measurement (killed before exit)
      }
      let result: Record<string, unknown> | undefined;
      try {
        result = JSON.parse(readFileSync(resultFile, 'utf8')) as Record<string, unknown>;
      } catch {
        // rows without a result file (faultline, depcruise) are judged by exit code and output
      }
      resolvePromise({ wallS, cpuS, peakMB: peakKB === undefined ? undefined : peakKB / 1024, code, signal, timedOut, stdout, stderr, result });
    };
    child.on('error', (error) => {
      stderr += String(error);
      finish(null, null);
    });
    child.on('close', finish);
  });
}

function failure(m: Measured, timeoutS: number, okCodes: readonly number[] = [0]): string | undefined {
  if (m.timedOut) return `timed out after ${timeoutS} s`;
  if (m.signal) return `killed by ${m.signal}`;
  if (m.code === null || !okCodes.includes(m.code)) {
    const last = m.stderr.trim().split('\n').filter((l) => !/^\s*at /.test(l)).slice(-1)[0] ?? '';
    return `exit ${m.code}${last ? `: ${oneLine(last)}` : ''}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Rows

type Group = 'floor' | 'faultline' | 'compare' | 'hook';

interface Row {
  id: string;
  name: string;
  group: Group;
  wallS?: number;
  cpuS?: number;
  peakMB?: number;
  /** the measured section inside the process (parse loop, simulateAll), when it reports one */
  workS?: number;
  note?: string;
  error?: string;
  skipped?: string;
  /** the row's wall time is a fair ratio base (same job: read and parse the tree) */
  comparable: boolean;
  /** lines the row printed itself (the board benchmark reports this way), shown under the table */
  details?: string[];
}

interface RowSpec {
  id: string;
  name: string;
  group: Group;
  comparable: boolean;
  /** returns why the row cannot run, or undefined */
  precheck?: () => string | undefined;
  args: () => string[];
  /** exit codes that still mean "the job was done" (default [0]) */
  okCodes?: readonly number[];
  before?: () => void;
  /** validates the run, returns the note (throws on a wrong result) */
  after: (m: Measured) => { note?: string; workS?: number; skipped?: string; extraRows?: Row[]; details?: string[] };
}

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function runRow(spec: RowSpec, opts: Options): Promise<Row[]> {
  const row: Row = { id: spec.id, name: spec.name, group: spec.group, comparable: spec.comparable };
  try {
    const why = spec.precheck?.();
    if (why) {
      row.skipped = why;
      progress(`${spec.id}: ${why}`);
      return [row];
    }
    const walls: number[] = [];
    const cpus_: number[] = [];
    const works: number[] = [];
    let peak: number | undefined;
    let extra: Row[] = [];
    for (let run = 1; run <= opts.runs; run++) {
      progress(`${spec.id}: run ${run}/${opts.runs} ...`);
      spec.before?.();
      const m = await measure(spec.id, spec.args(), opts.timeoutS);
      const err = failure(m, opts.timeoutS, spec.okCodes);
      if (err) throw new Error(err);
      const checked = spec.after(m);
      if (checked.skipped) {
        row.skipped = checked.skipped;
        progress(`${spec.id}: ${checked.skipped}`);
        return [row];
      }
      walls.push(m.wallS);
      if (m.cpuS !== undefined) cpus_.push(m.cpuS);
      if (checked.workS !== undefined) works.push(checked.workS);
      if (m.peakMB !== undefined) peak = Math.max(peak ?? 0, m.peakMB);
      row.note = checked.note;
      row.details = checked.details;
      extra = checked.extraRows ?? [];
      progress(`${spec.id}: ${m.wallS.toFixed(2)} s wall, ${m.cpuS === undefined ? '?' : m.cpuS.toFixed(2)} s cpu, ${m.peakMB === undefined ? '?' : m.peakMB.toFixed(0)} MB${checked.note ? ` (${checked.note})` : ''}`);
    }
    row.wallS = median(walls);
    row.cpuS = cpus_.length ? median(cpus_) : undefined;
    row.workS = works.length ? median(works) : undefined;
    row.peakMB = peak;
    return [row, ...extra];
  } catch (error) {
    row.error = oneLine((error as Error)?.message ?? String(error));
    progress(`${spec.id}: FAILED ${row.error}`);
    return [row];
  }
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function depcruiseCheck(outFile: string, expected: number): { note: string } {
  const data = readJson(outFile) as {
    modules: { source: string; coreModule?: boolean; couldNotResolve?: boolean; dependencies: { couldNotResolve?: boolean; coreModule?: boolean }[] }[];
  };
  const local = data.modules.filter((m) => !m.coreModule && !m.couldNotResolve && !m.source.includes('node_modules/'));
  const resolved = data.modules.reduce((n, m) => n + m.dependencies.filter((d) => !d.couldNotResolve && !d.coreModule).length, 0);
  const unresolved = data.modules.reduce((n, m) => n + m.dependencies.filter((d) => d.couldNotResolve).length, 0);
  if (local.length < expected) throw new Error(`cruised only ${local.length} of ${expected} files`);
  return { note: `${local.length}/${expected} files, ${resolved} deps resolved, ${unresolved} unresolved` };
}

/**
 * The floor and parser rows run as plain JavaScript: transpiled once into .bench/build with
 * typescript's transpileModule, so they do not pay tsx's start-up (~0.3 s, more with
 * workers), which a compiled faultline does not pay either. Falls back to tsx.
 */
async function buildPlainScripts(): Promise<boolean> {
  try {
    const ts = (await import('typescript')).default;
    mkdirSync(BUILD_DIR, { recursive: true });
    writeFileSync(join(BUILD_DIR, 'package.json'), '{ "type": "module" }\n');
    for (const file of ['walk.ts', 'parse-floor.ts', 'parser-compare.ts']) {
      const source = readFileSync(join(BENCH_DIR, file), 'utf8');
      const out = ts.transpileModule(source, {
        fileName: file,
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, rewriteRelativeImportExtensions: true },
      });
      writeFileSync(join(BUILD_DIR, file.replace(/\.ts$/, '.js')), out.outputText);
    }
    return true;
  } catch (error) {
    progress(`could not transpile the floor scripts (${oneLine(String(error))}); running them under tsx`);
    return false;
  }
}

function specs(fileCount: number, plain: boolean): RowSpec[] {
  const script = (name: string) => (plain ? [join(BUILD_DIR, `${name}.js`)] : ['--import', 'tsx', join(BENCH_DIR, `${name}.ts`)]);
  const parseResult = (m: Measured, what: string) => {
    const r = m.result as { files?: number; errors?: number; parseMs?: number } | undefined;
    if (!r || typeof r.files !== 'number') throw new Error(`${what} wrote no result`);
    if (r.files !== fileCount) throw new Error(`${what} parsed ${r.files} of ${fileCount} files`);
    return { workS: (r.parseMs ?? 0) / 1000, note: `${r.files} files, ${r.errors ?? 0} with errors` };
  };
  const dcOut = (mode: string) => join(TMP_DIR, `depcruise-${mode}.json`);
  const tsconfig = join(SYNTHETIC, 'tsconfig.json');
  return [
    {
      id: 'floor', name: 'parse floor (oxc, 2 workers)', group: 'floor', comparable: true,
      args: () => [...script('parse-floor'), SYNTHETIC, '--threads', '2'],
      after: (m) => parseResult(m, 'parse floor'),
    },
    {
      id: 'faultline', name: 'faultline scan', group: 'faultline', comparable: true,
      precheck: () => (existsSync(FAULTLINE_BIN) ? undefined : 'faultline: not built'),
      before: () => rmSync(FAULTLINE_OUT, { force: true }),
      okCodes: [0, 1], // 1: findings at or above a configured fail-on; the scan itself completed
      args: () => [FAULTLINE_BIN, 'scan', SYNTHETIC_REL, '--json', relative(REPO_ROOT, FAULTLINE_OUT), '--quiet'],
      after: () => {
        if (!existsSync(FAULTLINE_OUT)) throw new Error('exited 0 but wrote no .bench/out.json');
        const model = readJson(FAULTLINE_OUT) as { nodes?: unknown[]; edges?: unknown[]; findings?: unknown[]; diagnostics?: unknown[]; stats?: { files?: number; parsed?: number } };
        const parts = [
          model.stats?.files !== undefined ? `${model.stats.files} files` : undefined,
          model.stats?.parsed !== undefined ? `${model.stats.parsed} parsed` : undefined,
          `${model.nodes?.length ?? 0} nodes`,
          `${model.edges?.length ?? 0} edges`,
          `${model.findings?.length ?? 0} findings`,
          `${model.diagnostics?.length ?? 0} diagnostics`,
        ].filter(Boolean);
        return { note: parts.join(', ') };
      },
    },
    {
      id: 'depcruise', name: 'depcruise (default)', group: 'compare', comparable: true,
      precheck: () => (existsSync(DEPCRUISE_BIN) ? undefined : 'dependency-cruiser not installed'),
      before: () => rmSync(dcOut('default'), { force: true }),
      args: () => [DEPCRUISE_BIN, '--no-config', '--output-type', 'json', '--output-to', dcOut('default'), SYNTHETIC_REL],
      after: () => depcruiseCheck(dcOut('default'), fileCount),
    },
    {
      id: 'depcruise-tsc', name: 'depcruise --ts-pre-compilation-deps', group: 'compare', comparable: true,
      precheck: () => (existsSync(DEPCRUISE_BIN) ? undefined : 'dependency-cruiser not installed'),
      before: () => rmSync(dcOut('tsc'), { force: true }),
      // the tsconfig path must be absolute: typescript finds no inputs from a relative one here
      args: () => [DEPCRUISE_BIN, '--no-config', '--ts-pre-compilation-deps', '--ts-config', tsconfig, '--output-type', 'json', '--output-to', dcOut('tsc'), SYNTHETIC_REL],
      after: () => depcruiseCheck(dcOut('tsc'), fileCount),
    },
    {
      id: 'oxc', name: 'oxc-parser, 1 thread, parse only', group: 'compare', comparable: true,
      args: () => [...script('parser-compare'), '--parser', 'oxc', SYNTHETIC],
      after: (m) => parseResult(m, 'oxc'),
    },
    {
      id: 'ast-grep', name: '@ast-grep/napi, 1 thread, parse only', group: 'compare', comparable: true,
      args: () => [...script('parser-compare'), '--parser', 'ast-grep', SYNTHETIC],
      after: (m) => parseResult(m, 'ast-grep'),
    },
    {
      id: 'floor-raw', name: 'parse floor, oxc raw transfer (info)', group: 'compare', comparable: true,
      precheck: () => (rawTransferSupported ? undefined : 'skipped: oxc raw transfer needs Node >= 22'),
      args: () => [...script('parse-floor'), SYNTHETIC, '--threads', '2', '--raw'],
      after: (m) => parseResult(m, 'raw floor'),
    },
    {
      id: 'propagation', name: 'simulateAll(10k nodes, 50k edges)', group: 'hook', comparable: false,
      precheck: () => (existsSync(PROPAGATION_ENTRY) ? undefined : 'skipped: src/analyze/propagation/index.ts not present'),
      args: () => ['--import', 'tsx', join(BENCH_DIR, 'hooks.ts'), 'propagation', '--nodes', '10000', '--edges', '50000'],
      after: (m) => {
        const r = m.result as { ms?: number; skipped?: string; genMs?: number; scenarios?: number; nodes?: number; edges?: number } | undefined;
        if (!r) throw new Error('hook wrote no result');
        if (r.skipped) return { skipped: `skipped: ${r.skipped}` };
        return { workS: (r.ms ?? 0) / 1000, note: `${r.nodes} nodes, ${r.edges} edges${r.scenarios !== undefined ? `, ${r.scenarios} scenarios` : ''}; model generated in ${((r.genMs ?? 0) / 1000).toFixed(2)} s` };
      },
    },
    {
      id: 'board', name: 'board benchmark (bench/board.ts)', group: 'hook', comparable: false,
      precheck: () => (existsSync(BOARD_ENTRY) ? undefined : 'skipped: bench/board.ts not present'),
      args: () => ['--import', 'tsx', join(BENCH_DIR, 'hooks.ts'), 'board'],
      after: (m) => {
        const r = m.result as { ms?: number; skipped?: string; value?: unknown } | undefined;
        if (!r) throw new Error('hook wrote no result');
        if (r.skipped) return { skipped: `skipped: ${r.skipped}` };
        const extraRows: Row[] = Array.isArray(r.value)
          ? (r.value as { name: string; ms?: number; peakMB?: number; note?: string }[]).map((x, i) => ({
              id: `board-${i}`, name: `  board: ${x.name}`, group: 'hook' as const, comparable: false,
              workS: typeof x.ms === 'number' ? x.ms / 1000 : undefined, peakMB: typeof x.peakMB === 'number' ? x.peakMB : undefined, note: x.note,
            }))
          : [];
        const details = m.stdout.split('\n').map((l) => l.trimEnd()).filter(Boolean).slice(0, 40);
        const note = typeof r.value === 'string' ? r.value : extraRows.length ? `${extraRows.length} sub-rows` : details.length ? 'its own output is below the table' : undefined;
        return { workS: (r.ms ?? 0) / 1000, note, extraRows, details };
      },
    },
  ];
}

let rawTransferSupported = false;

// ---------------------------------------------------------------------------------------
// Report

function fmt(n: number | undefined, digits: number): string {
  return n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);
}

function table(rows: Row[]): string {
  const floor = rows.find((r) => r.id === 'floor' && r.wallS !== undefined);
  const faultline = rows.find((r) => r.id === 'faultline' && r.wallS !== undefined);
  const header = ['name', 'wall s', 'peak MB', 'x floor', 'x faultline', 'cpu s', 'work s', 'note'];
  const body = rows.map((r) => {
    const ratio = (base: Row | undefined) => (r.comparable && base?.wallS && r.wallS !== undefined ? `${(r.wallS / base.wallS).toFixed(2)}` : '-');
    const note = r.error ? `ERROR: ${r.error}` : r.skipped ?? r.note ?? '';
    return [r.name, fmt(r.wallS, 2), fmt(r.peakMB, 0), ratio(floor), ratio(faultline), fmt(r.cpuS, 2), fmt(r.workS, 2), note];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  widths[widths.length - 1] = 0;
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w, i) => '-'.repeat(i === widths.length - 1 ? 4 : w))), ...body.map(line)].join('\n');
}

interface Verdict {
  label: string;
  detail: string;
  pass?: boolean;
}

/** The same ratio in CPU seconds: less sensitive to other load on the machine, shown beside. */
function cpuRatio(a: Row, b: Row): string {
  return a.cpuS !== undefined && b.cpuS ? ` (cpu ${a.cpuS.toFixed(2)} s / ${b.cpuS.toFixed(2)} s = ${(a.cpuS / b.cpuS).toFixed(2)}x)` : '';
}

function targets(rows: Row[]): Verdict[] {
  const get = (id: string) => rows.find((r) => r.id === id && r.wallS !== undefined);
  const floor = get('floor');
  const fl = get('faultline');
  const dc = get('depcruise-tsc');
  const prop = rows.find((r) => r.id === 'propagation');
  const out: Verdict[] = [];
  const na = (why: string) => `n/a (${why})`;
  out.push(fl && floor
    ? { label: `full scan <= ${TARGET_FLOOR_RATIO}x parse floor`, detail: `${fl.wallS!.toFixed(2)} s / ${floor.wallS!.toFixed(2)} s = ${(fl.wallS! / floor.wallS!).toFixed(2)}x${cpuRatio(fl, floor)}`, pass: fl.wallS! <= TARGET_FLOOR_RATIO * floor.wallS! }
    : { label: `full scan <= ${TARGET_FLOOR_RATIO}x parse floor`, detail: na(!fl ? 'faultline did not run' : 'floor did not run') });
  out.push(fl && dc
    ? { label: `>= ${TARGET_DEPCRUISE_SPEEDUP}x faster than depcruise --ts-pre-compilation-deps`, detail: `${dc.wallS!.toFixed(2)} s / ${fl.wallS!.toFixed(2)} s = ${(dc.wallS! / fl.wallS!).toFixed(2)}x${cpuRatio(dc, fl)}`, pass: dc.wallS! / fl.wallS! >= TARGET_DEPCRUISE_SPEEDUP }
    : { label: `>= ${TARGET_DEPCRUISE_SPEEDUP}x faster than depcruise --ts-pre-compilation-deps`, detail: na(!fl ? 'faultline did not run' : 'depcruise did not run') });
  out.push(fl && fl.peakMB !== undefined
    ? { label: `full scan peak memory < ${TARGET_PEAK_MB} MB`, detail: `${fl.peakMB.toFixed(0)} MB`, pass: fl.peakMB < TARGET_PEAK_MB }
    : { label: `full scan peak memory < ${TARGET_PEAK_MB} MB`, detail: na(!fl ? 'faultline did not run' : 'no measurement') });
  out.push(prop?.workS !== undefined
    ? { label: `simulateAll(10k, 50k) < ${TARGET_PROPAGATION_S} s`, detail: `${prop.workS.toFixed(2)} s`, pass: prop.workS < TARGET_PROPAGATION_S }
    : { label: `simulateAll(10k, 50k) < ${TARGET_PROPAGATION_S} s`, detail: na(prop?.error ?? prop?.skipped?.replace(/^skipped: /, '') ?? 'not run') });
  return out;
}

// ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  mkdirSync(TMP_DIR, { recursive: true });
  const loadStart = loadavg()[0];

  progress(opts.regen ? 'regenerating the synthetic repository ...' : 'checking the synthetic repository ...');
  const stats = ensureSynthetic({ out: SYNTHETIC, force: opts.regen });
  const files = walkSources(SYNTHETIC);
  let bytes = 0;
  for (const f of files) bytes += readFileSync(f).length; // also warms the page cache for every row
  progress(`${stats.generated ? 'generated' : 'reusing'} ${SYNTHETIC_REL}: ${stats.files} files (${files.length} sources, ${(bytes / 1e6).toFixed(1)} MB, ${stats.lines} lines)`);

  peakMethod = opts.forcePreload ? 'preload' : probePeakMethod();
  progress(`peak memory via ${peakMethod === 'time' ? '/usr/bin/time -v' : 'process.resourceUsage() preload'}`);
  const plain = await buildPlainScripts();
  try {
    rawTransferSupported = ((await import('oxc-parser')) as { rawTransferSupported?: () => boolean }).rawTransferSupported?.() ?? false;
  } catch {
    rawTransferSupported = false;
  }

  const rows: Row[] = [];
  let maxLoad = loadStart;
  for (const spec of specs(files.length, plain)) {
    if (opts.only && !opts.only.has(spec.id)) continue;
    rows.push(...(await runRow(spec, opts)));
    maxLoad = Math.max(maxLoad, loadavg()[0]);
  }

  const cpu = cpus();
  const lines = [
    `faultline bench: ${files.length} source files, ${(bytes / 1e6).toFixed(1)} MB, ${stats.lines} lines (${SYNTHETIC_REL}, generator v${stats.generatorVersion}, seed ${stats.seed})`,
    `node ${process.version}, ${cpu.length} x ${cpu[0]?.model?.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB; peak = max RSS (${peakMethod === 'time' ? '/usr/bin/time -v' : 'resourceUsage'}); ${opts.runs > 1 ? `median of ${opts.runs} runs` : '1 run each'}`,
    `load average (1 min) ${loadStart.toFixed(1)} before the first row, up to ${maxLoad.toFixed(1)} during the run${maxLoad > cpu.length + 1 ? ` - other work competed for the ${cpu.length} cores: absolute times are inflated` : ''}`,
    '',
    table(rows),
  ];
  for (const r of rows) {
    if (!r.details?.length) continue;
    lines.push('', `${r.name.trim()}:`, ...r.details.map((d) => `  ${d}`));
  }
  lines.push('', 'targets');
  const verdicts = targets(rows);
  const labelWidth = Math.max(...verdicts.map((v) => v.label.length));
  for (const v of verdicts) lines.push(`  ${v.label.padEnd(labelWidth)}  ${v.pass === undefined ? '    ' : v.pass ? 'PASS' : 'FAIL'}  ${v.detail}`);
  process.stdout.write(lines.join('\n') + '\n');

  writeFileSync(join(WORK_DIR, 'results.json'), JSON.stringify({ node: process.version, cpus: cpu.length, files: files.length, bytes, runs: opts.runs, peakMethod, rows, targets: verdicts }, null, 2) + '\n');
  progress(`results also in ${relative(REPO_ROOT, join(WORK_DIR, 'results.json'))}`);
  if (opts.check && verdicts.some((v) => v.pass === false)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error)?.stack ?? error}\n`);
  process.exitCode = 2;
});
