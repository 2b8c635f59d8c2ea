// The only place that prints and sets exit codes. Everything else returns data.
import fs from 'node:fs';
import path from 'node:path';
import { applyWhatIf, compareScenarios, matchNode, simulate, simulateAll } from '../analyze/propagation/index.js';
import { closest, loadConfig } from '../config/load.js';
import type { Finding, Model, Severity } from '../model/types.js';
import { runPipeline } from '../pipeline.js';
import { renderBlast } from '../render/blast.js';
import type { BoardAssets } from '../render/html.js';
import { renderMarkdown } from '../render/markdown.js';
import { renderSarifString } from '../render/sarif.js';
import { renderText } from '../render/text.js';
import { SEVERITY_RANK } from '../rules/engine.js';
import { RULES } from '../rules/index.js';
import { explainRule, rulesTable } from '../rules/docs.js';
import { UserError } from '../shared/errors.js';
import { collectGarbage } from '../shared/gc.js';
import { stableJson, stableJsonChunks } from '../shared/json.js';
import { diffModels } from './diff.js';
import { initConfig } from './init.js';

const USAGE = `faultline — failure-propagation analysis of a backend repository

Usage:
  faultline scan [DIR]            map DIR (default .), simulate failures, report
      --out DIR                   report folder (default ./faultline-report)
      --json FILE                 write only the model (faultline.json) to FILE
      --format text|json|md|sarif what goes to stdout (default text)
      --config FILE               faultline.config.yml (default: DIR/faultline.config.yml)
      --what-if NAME              apply the named what-if of the config; show before → after
      --fail-on SEVERITY          exit 1 if a risk at or above SEVERITY is found
      --baseline FILE             an earlier faultline.json: only new findings fail
      --open                      open the board in a browser when done
      --quiet                     no summary, no progress
  faultline blast NODE [DIR] [--mode outage|slowdown]
                                  one failure scenario: rings, routes, paths
  faultline rules                 the rule catalogue
  faultline explain RULE          a rule's documentation
  faultline diff OLD.json NEW.json
                                  what changed between two scans
  faultline init [DIR]            write a starter faultline.config.yml

Exit codes: 0 ok · 1 findings at or above --fail-on · 2 usage or input error
`;

interface Flags {
  _: string[];
  json?: string;
  format?: string;
  quiet?: boolean;
  out?: string;
  mode?: string;
  config?: string;
  'fail-on'?: string;
  baseline?: string;
  'what-if'?: string;
  open?: boolean;
  help?: boolean;
}

const VALUE_FLAGS = new Set(['json', 'format', 'out', 'mode', 'config', 'fail-on', 'baseline', 'what-if']);
const BOOL_FLAGS = new Set(['quiet', 'open', 'help']);
const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export function parseFlags(argv: string[]): Flags {
  const flags: Flags = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h') flags.help = true;
    else if (a.startsWith('--')) {
      const [k, inline] = a.slice(2).split(/=(.*)/s);
      if (VALUE_FLAGS.has(k)) {
        const v = inline ?? argv[++i];
        if (v === undefined || v.startsWith('--')) throw new UserError(`--${k} needs a value`, 'run `faultline help` for the options');
        (flags as unknown as Record<string, unknown>)[k] = v;
      } else if (BOOL_FLAGS.has(k)) (flags as unknown as Record<string, unknown>)[k] = true;
      else throw new UserError(`unknown option --${k}`, `did you mean --${closest(k, [...VALUE_FLAGS, ...BOOL_FLAGS], 1)[0]}? (faultline help)`);
    } else flags._.push(a);
  }
  return flags;
}

function progressReporter(quiet: boolean | undefined) {
  const started = Date.now();
  let last = 0;
  let shown = false;
  return {
    tick(stage: string, done?: number, total?: number) {
      if (quiet || !process.stderr.isTTY && process.env.CI) return;
      const now = Date.now();
      if (now - started < 1000 || now - last < 200) return;
      last = now;
      shown = true;
      process.stderr.write(`\rfaultline: ${stage}${total ? ` ${done}/${total}` : ''}        `);
    },
    done() {
      if (shown) process.stderr.write('\r' + ' '.repeat(50) + '\r');
    },
  };
}

async function scanDir(dir: string, flags: Flags): Promise<Model> {
  const p = progressReporter(flags.quiet);
  const { model } = await runPipeline(dir, { onProgress: p.tick, configFile: flags.config });
  p.done();
  return model;
}

function severityArg(v: string | undefined): Severity | undefined {
  if (v === undefined) return undefined;
  if (!SEVERITIES.includes(v as Severity)) throw new UserError(`--fail-on ${v}: unknown severity`, `use one of ${SEVERITIES.join(', ')}`);
  return v as Severity;
}

function readModel(file: string): Model {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`cannot read ${file}`, 'pass a faultline.json written by `faultline scan --json FILE`');
  }
  try {
    const m = JSON.parse(text) as Model;
    if (m.schemaVersion !== 1 || !Array.isArray(m.nodes)) throw new Error('not a model');
    return m;
  } catch {
    throw new UserError(`${file} is not a faultline.json (schemaVersion 1)`, 'pass a file written by `faultline scan --json FILE`');
  }
}

/** Applies a named what-if of the config and records before → after in the model. */
function withWhatIf(model: Model, dir: string, flags: Flags): { model: Model; lines: string[] } {
  const name = flags['what-if'];
  if (!name) return { model, lines: [] };
  const { config } = loadConfig(path.resolve(dir), flags.config);
  const mitigations = config.whatIf?.[name];
  if (!mitigations) {
    const names = Object.keys(config.whatIf ?? {});
    throw new UserError(`no what-if named "${name}" in the config`, names.length ? `declared: ${names.join(', ')}` : 'declare it under whatIf: in faultline.config.yml');
  }
  let after: Model;
  try {
    after = applyWhatIf(model, mitigations);
  } catch (e) {
    const msg = (e as Error).message;
    const ids = model.nodes.map((n) => n.id);
    const bad = /"([^"]+)"/.exec(msg)?.[1];
    throw new UserError(`what-if "${name}": ${msg}`, bad ? `closest ids: ${closest(bad, ids).join(', ')}` : 'check the node ids with `faultline scan --format json`');
  }
  after = { ...after, scenarios: simulateAll(after) };
  const deltas = compareScenarios(model.scenarios, after.scenarios);
  const lines = deltas.flatMap((d: any) => (Array.isArray(d.sentences) ? d.sentences.map((s: string) => `${d.failed} ${d.mode}: ${s}`) : [`${d.failed} ${d.mode}: ${d.summary ?? JSON.stringify(d)}`]));
  return { model: { ...after, findings: model.findings, whatIf: { name, mitigations, changes: lines } }, lines };
}

/** Writes text given in pieces to files, a megabyte or so at a time (one write per small piece costs a system call each). */
function writePieces(files: string[], pieces: Iterable<string>): void {
  const fds = files.map((f) => fs.openSync(f, 'w'));
  try {
    let batch: string[] = [];
    let size = 0;
    const flush = () => {
      const bytes = Buffer.from(batch.join(''), 'utf8');
      for (const fd of fds) for (let at = 0; at < bytes.length; ) at += fs.writeSync(fd, bytes, at);
      batch = [];
      size = 0;
    };
    for (const piece of pieces) {
      batch.push(piece);
      size += piece.length;
      if (size >= 1 << 20) flush();
    }
    flush();
  } finally {
    for (const fd of fds) fs.closeSync(fd);
  }
}

/** Writes the dossier files (and the --json copy of the model); returns the Markdown and SARIF text for --format. */
function writeReport(outDir: string, model: Model, jsonCopy: string | undefined): { md: string; sarif: string } {
  collectGarbage();
  fs.mkdirSync(outDir, { recursive: true });
  // the model piece by piece: as one string (and one sorted copy) it is tens of megabytes
  const jsonFiles = [...new Set([path.join(outDir, 'faultline.json'), ...(jsonCopy ? [path.resolve(jsonCopy)] : [])])];
  writePieces(jsonFiles, stableJsonChunks(model));
  collectGarbage();
  const md = renderMarkdown(model, { rules: RULES.map((r) => r.meta) });
  fs.writeFileSync(path.join(outDir, 'report.md'), md);
  const sarif = renderSarifString(model, RULES.map((r) => r.meta));
  fs.writeFileSync(path.join(outDir, 'faultline.sarif'), sarif);
  return { md, sarif };
}

/*
 * collectGarbage() before and between the report files. Once the pipeline returns, the scan's
 * working set (every file's facts, the linker's memos) is garbage, as is each report's pieces
 * after it is written, but V8 collects only when it next needs room, so the following report is
 * built on top of them and sets the process's peak memory. On the bench's 4,862-file repository,
 * collecting before the model's JSON took the peak from 386–394 MB to 356–374 MB (three runs
 * each, interleaved, no measurable change in wall time); collecting after it and before the
 * board (the largest allocation) keeps it about 25 MB lower again.
 */
/** The board's assets, loaded (and ELK compiled) before the scan changes any V8 flag; a failure is reported when the board is written. */
async function boardAssetsEarly(): Promise<BoardAssets | Error> {
  try {
    const { loadBoardAssets } = await import('../render/board/load-assets.js');
    return await loadBoardAssets();
  } catch (e) {
    return e as Error;
  }
}

async function writeBoard(outDir: string, model: Model, early: BoardAssets | Error): Promise<boolean> {
  try {
    if (early instanceof Error) throw early;
    const { renderHtmlChunks } = await import('../render/html.js');
    const assets = early;
    // piece by piece: as one string the page (and the model's JSON in it) is tens of megabytes
    writePieces([path.join(outDir, 'index.html')], renderHtmlChunks(model, assets));
    return true;
  } catch (e) {
    process.stderr.write(`faultline: board not written (${(e as Error).message.split('\n')[0]})\n`);
    return false;
  }
}

function failingFindings(model: Model, threshold: Severity | undefined, baseline: Model | undefined): Finding[] {
  if (!threshold) return [];
  const known = new Set(baseline?.findings.map((f) => f.id) ?? []);
  return model.findings.filter((f) => f.polarity === 'risk' && !f.suppressed && SEVERITY_RANK[f.severity] <= SEVERITY_RANK[threshold] && !known.has(f.id));
}

async function cmdScan(flags: Flags): Promise<number> {
  const dir = flags._[1] ?? '.';
  const threshold = severityArg(flags['fail-on']);
  const format = flags.format ?? 'text';
  if (!['text', 'json', 'md', 'sarif'].includes(format)) throw new UserError(`unknown format: ${format}`, 'use --format text|json|md|sarif');
  const baseline = flags.baseline ? readModel(flags.baseline) : undefined;
  const boardAssets = await boardAssetsEarly();
  const scanned = await scanDir(dir, flags);
  const { model, lines: whatIfLines } = withWhatIf(scanned, dir, flags);
  const outDir = path.resolve(flags.out ?? 'faultline-report');
  const reports = writeReport(outDir, model, flags.json);
  collectGarbage();
  const board = await writeBoard(outDir, model, boardAssets);
  if (format === 'json') process.stdout.write(stableJson(model));
  else if (format === 'md') process.stdout.write(reports.md);
  else if (format === 'sarif') process.stdout.write(reports.sarif);
  else if (!flags.quiet) {
    let text = renderText(model, { color: !!process.stdout.isTTY });
    if (whatIfLines.length) text += `\nWhat-if "${flags['what-if']}":\n${whatIfLines.map((l) => `  ${l}`).join('\n')}\n`;
    else if (flags['what-if']) text += `\nWhat-if "${flags['what-if']}": no scenario changes\n`;
    if (baseline) {
      const known = new Set(baseline.findings.map((f) => f.id));
      text += `${model.findings.filter((f) => !known.has(f.id)).length} new findings since the baseline\n`;
    }
    text += `\nReport: ${path.relative(process.cwd(), outDir) || '.'}/ (${board ? 'index.html, ' : ''}report.md, faultline.json, faultline.sarif)\n`;
    process.stdout.write(text);
  }
  if (flags.open && board) openInBrowser(path.join(outDir, 'index.html'));
  const failing = failingFindings(model, threshold, baseline);
  if (failing.length) {
    process.stderr.write(`faultline: ${failing.length} finding${failing.length === 1 ? '' : 's'} at or above ${threshold}\n`);
    return 1;
  }
  return 0;
}

function openInBrowser(file: string): void {
  // Only on request (--open): the user's own opener, never a shell string.
  void import('node:child_process').then(({ spawn }) => {
    const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
    spawn(cmd, [file], { stdio: 'ignore', detached: true }).on('error', () => process.stderr.write(`faultline: could not open ${file}\n`)).unref();
  });
}

async function cmdBlast(flags: Flags): Promise<number> {
  const query = flags._[1];
  if (!query) throw new UserError('blast needs a node', 'e.g. `faultline blast datastore:postgres examples/portal`');
  const mode = flags.mode ?? 'outage';
  if (mode !== 'outage' && mode !== 'slowdown') throw new UserError(`--mode ${mode}: unknown mode`, 'use --mode outage or --mode slowdown');
  const model = await scanDir(flags._[2] ?? '.', { ...flags, quiet: true });
  const m = matchNode(model, query);
  if (!m.match) {
    const list = m.candidates.length ? m.candidates : model.nodes.filter((n) => ['datastore', 'cache', 'queue', 'external', 'runtime'].includes(n.kind));
    const hint = list.slice(0, 12).map((n) => n.id).join(', ');
    throw new UserError(m.candidates.length ? `"${query}" matches several nodes` : `no node matches "${query}"`, `candidates: ${hint || 'none'}`);
  }
  const scenario = simulate(model, m.match.id, mode);
  process.stdout.write(renderBlast(model, scenario, { color: !!process.stdout.isTTY }));
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const flags = parseFlags(argv);
    const cmd = flags._[0];
    if (!cmd || cmd === 'help' || flags.help) {
      process.stdout.write(USAGE);
      return cmd || flags.help ? 0 : 2;
    }
    switch (cmd) {
      case 'scan':
        return await cmdScan(flags);
      case 'blast':
        return await cmdBlast(flags);
      case 'rules':
        process.stdout.write(rulesTable(RULES));
        return 0;
      case 'explain': {
        const id = flags._[1];
        const rule = RULES.find((r) => r.meta.id === id);
        if (!rule) throw new UserError(id ? `unknown rule: ${id}` : 'explain needs a rule id', `closest: ${closest(id ?? '', RULES.map((r) => r.meta.id)).join(', ')}`);
        process.stdout.write(explainRule(rule.meta));
        return 0;
      }
      case 'diff': {
        const [, a, b] = flags._;
        if (!a || !b) throw new UserError('diff needs two files', 'faultline diff OLD.json NEW.json');
        process.stdout.write(diffModels(readModel(a), readModel(b)));
        return 0;
      }
      case 'init': {
        const dir = flags._[1] ?? '.';
        const model = await scanDir(dir, { ...flags, quiet: true });
        const file = path.join(path.resolve(dir), 'faultline.config.yml');
        if (fs.existsSync(file)) throw new UserError(`${file} exists already`, 'edit it, or remove it to start over');
        fs.writeFileSync(file, initConfig(model));
        process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
        return 0;
      }
      default:
        throw new UserError(`unknown command: ${cmd}`, `did you mean ${closest(cmd, ['scan', 'blast', 'rules', 'explain', 'diff', 'init'], 1)[0]}? (faultline help)`);
    }
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`faultline: ${e.message}${e.hint ? ` — ${e.hint}` : ''}\n`);
      return 2;
    }
    throw e;
  }
}
