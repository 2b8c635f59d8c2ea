import fs from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import type { Diagnostic } from '../model/types.js';
import { cmpStr } from '../shared/compare.js';
import { toRel } from '../shared/paths.js';

export type FileKind = 'source' | 'python' | 'config';

export interface WalkedFile {
  rel: string;
  abs: string;
  size: number;
  kind: FileKind;
}

export interface WalkResult {
  files: WalkedFile[];
  diagnostics: Diagnostic[];
  /** Counted reasons for skipped files, e.g. { 'skipped-large': 2 }. */
  skipped: Record<string, number>;
}

export interface WalkOptions {
  maxFileBytes?: number;
  /** Extra ignore globs (gitignore syntax), e.g. from faultline.config.yml. */
  ignore?: string[];
}

const SKIPPED_DIRS = new Set([
  'node_modules', '.git', 'dist', 'build', 'coverage', '.next', '.nuxt', '.turbo', '.cache', 'vendor',
  '.venv', 'venv', '__pycache__', '.mypy_cache', '.pytest_cache', 'generated', '__generated__', '.serverless',
  '.terraform', 'out', 'tmp', '.yarn', '.pnpm-store', 'faultline-report',
]);

const SOURCE_EXT = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']);
const CONFIG_EXT = new Set(['.yml', '.yaml', '.json', '.prisma', '.sql', '.toml', '.tf', '.conf', '.ini', '.cfg', '.sh']);
const CONFIG_NAMES = /^(Dockerfile(\..+)?|[\w.-]+\.Dockerfile|\.env(\..+)?|Procfile|requirements.*\.txt)$/;
const DEFAULT_MAX_BYTES = 1024 * 1024;

export function classify(name: string): FileKind | undefined {
  const ext = path.extname(name).toLowerCase();
  if (SOURCE_EXT.has(ext)) {
    if (name.endsWith('.d.ts') || name.endsWith('.d.mts') || name.endsWith('.d.cts')) return undefined;
    return 'source';
  }
  if (ext === '.py') return 'python';
  if (CONFIG_EXT.has(ext) || CONFIG_NAMES.test(name)) return 'config';
  return undefined;
}

/**
 * Unit and end-to-end tests (Jest, Vitest, Mocha, Playwright naming): they are not deployed, so
 * they hold no entrypoint and no dependency of the running system (a supertest app or a mocked
 * client in a spec would be a phantom), and skipping them spares about a fifth of a typical
 * repository's parse. Python test modules are still read and set aside in scan.ts, whose broader
 * pattern (any tests/ folder) was checked that way on real repositories.
 */
const TEST_SOURCE = /\.(test|spec|e2e-spec|e2e|test-d)\.[cm]?[jt]sx?$|(^|\/)(__tests__|__mocks__)\//;

/**
 * A test suite's own folder beside the code (`tests/fixtures/user.fixture.js`,
 * `test/utils/setupTestDB.js` next to `src/`): its helpers and fixtures are not named like tests
 * but are no more deployed. A `test` folder inside `src/` may be a domain module, so it is read.
 */
function inTestFolder(rel: string): boolean {
  const parts = rel.split('/');
  const at = parts.findIndex((p) => p === 'test' || p === 'tests');
  return at >= 0 && at < parts.length - 1 && !parts.slice(0, at).includes('src');
}

function isTestSource(rel: string): boolean {
  return TEST_SOURCE.test(rel) || inTestFolder(rel);
}

/** Generated or minified by name; content checks happen when the file is read. */
function isGeneratedName(name: string): boolean {
  return /\.min\.(js|mjs|cjs)$/.test(name) || /\.bundle\.js$/.test(name) || /\.(generated|gen)\.(ts|js)$/.test(name) ||
    name === 'package-lock.json' || name === 'pnpm-lock.yaml' || name === 'yarn.lock';
}

interface IgnoreLayer {
  dir: string; // rel dir ('' for root)
  ig: Ignore;
}

function readIgnoreFile(abs: string): Ignore | undefined {
  try {
    return ignore().add(fs.readFileSync(abs, 'utf8'));
  } catch {
    return undefined;
  }
}

function isIgnored(layers: IgnoreLayer[], rel: string, isDir: boolean): boolean {
  for (const layer of layers) {
    const sub = layer.dir === '' ? rel : rel.slice(layer.dir.length + 1);
    if (sub && layer.ig.ignores(isDir ? sub + '/' : sub)) return true;
  }
  return false;
}

/**
 * Lists the files faultline reads, gitignore-aware (nested .gitignore files too).
 * Symlinks are followed only while they stay inside the root, and every real
 * directory is entered once, so loops end.
 */
export function walk(rootDir: string, opts: WalkOptions = {}): WalkResult {
  const root = fs.realpathSync(rootDir);
  const maxBytes = opts.maxFileBytes ?? DEFAULT_MAX_BYTES;
  const files: WalkedFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const skipped: Record<string, number> = {};
  const seenDirs = new Set<string>();
  const skip = (rel: string, code: string, message: string) => {
    skipped[code] = (skipped[code] ?? 0) + 1;
    diagnostics.push({ file: rel, code, message });
  };
  const baseLayers: IgnoreLayer[] = [];
  if (opts.ignore?.length) baseLayers.push({ dir: '', ig: ignore().add(opts.ignore) });

  const visit = (absDir: string, layers: IgnoreLayer[]) => {
    const real = safeRealpath(absDir);
    if (!real || seenDirs.has(real)) return;
    seenDirs.add(real);
    const relDir = toRel(root, absDir);
    const own = readIgnoreFile(path.join(absDir, '.gitignore'));
    const here = own ? [...layers, { dir: relDir, ig: own }] : layers;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(absDir, { withFileTypes: true });
    } catch (e) {
      skip(relDir || '.', 'unreadable', `cannot read directory: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
      return;
    }
    entries.sort((a, b) => cmpStr(a.name, b.name));
    for (const entry of entries) {
      const abs = path.join(absDir, entry.name);
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = safeRealpath(abs);
        if (!target) {
          skip(rel, 'broken-symlink', 'symlink points nowhere; skipped');
          continue;
        }
        if (target !== root && !target.startsWith(root + path.sep)) {
          skip(rel, 'symlink-outside-root', 'symlink points outside the scanned root; not followed');
          continue;
        }
        const st = safeStat(target);
        isDir = !!st?.isDirectory();
        isFile = !!st?.isFile();
      }
      if (isDir) {
        if (SKIPPED_DIRS.has(entry.name) || entry.name.startsWith('.') && entry.name !== '.github') continue;
        if (isIgnored(here, rel, true)) continue;
        visit(abs, here);
        continue;
      }
      if (!isFile) continue;
      const kind = classify(entry.name);
      if (!kind) continue;
      if (isIgnored(here, rel, false)) continue;
      if (kind === 'source' && isTestSource(rel)) {
        // counted, not listed: a repository has hundreds of them and none is a problem
        skipped['skipped-test'] = (skipped['skipped-test'] ?? 0) + 1;
        continue;
      }
      if (isGeneratedName(entry.name)) {
        skip(rel, 'skipped-generated', 'generated or minified file; skipped');
        continue;
      }
      const st = safeStat(abs);
      if (!st) {
        skip(rel, 'unreadable', 'cannot stat file; skipped');
        continue;
      }
      if (st.size > maxBytes) {
        skip(rel, 'skipped-large', `file is ${(st.size / 1024 / 1024).toFixed(1)} MB, over the ${(maxBytes / 1024 / 1024).toFixed(1)} MB cap; skipped`);
        continue;
      }
      files.push({ rel, abs, size: st.size, kind });
    }
  };
  visit(root, baseLayers);
  files.sort((a, b) => cmpStr(a.rel, b.rel));
  return { files, diagnostics, skipped };
}

function safeRealpath(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

function safeStat(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

export type ReadOutcome = { text: string; diagnostic?: Diagnostic } | { skip: Diagnostic };

/**
 * Reads a file as hostile input: binary (NUL bytes) and minified content are skipped,
 * invalid UTF-8 is decoded with replacement characters and reported.
 */
export function readText(abs: string, rel: string): ReadOutcome {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(abs);
  } catch (e) {
    return { skip: { file: rel, code: 'unreadable', message: `cannot read file (${(e as NodeJS.ErrnoException).code ?? 'error'}); skipped` } };
  }
  return decode(buf, rel);
}

export function decode(buf: Uint8Array, rel: string): ReadOutcome {
  const head = buf.subarray(0, 8192);
  if (head.includes(0)) return { skip: { file: rel, code: 'skipped-binary', message: 'binary content; skipped' } };
  let text: string;
  let diagnostic: Diagnostic | undefined;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    text = new TextDecoder('utf-8').decode(buf);
    diagnostic = { file: rel, code: 'encoding', message: 'not valid UTF-8; read with replacement characters' };
  }
  if (looksMinified(text)) return { skip: { file: rel, code: 'skipped-minified', message: 'minified content; skipped' } };
  return { text, diagnostic };
}

function looksMinified(text: string): boolean {
  if (text.length < 5000) return false;
  const lines = text.split('\n', 50);
  const long = lines.filter((l) => l.length > 1000).length;
  return long > 0 && long >= lines.length / 3;
}
