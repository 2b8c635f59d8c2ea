// The I/O half of the board: read the pre-built assets (dist/board/board.js and
// board.css, produced by `npm run build:board`) for src/render/html.ts to inline, and
// offer the ELK layout engine the same build copies there (dist/board/elk-layout.cjs) as a
// synchronous function, so the opening view is laid out at render time.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import type { BoardAssets } from '../html.js';
import type { ElkNode } from './visible.js';

/**
 * dist/board/ of this package. This file is src/render/board/load-assets.ts when run from
 * source and dist/render/board/load-assets.js when built: three levels below the root either way.
 */
export function boardAssetsDir(): string {
  return fileURLToPath(new URL('../../../dist/board/', import.meta.url));
}

/** The file name of the Node copy of ELK in dist/board (elkjs/lib/elk-worker.min.js, verbatim). */
export const ELK_FILE = 'elk-layout.cjs';
/**
 * V8's code cache for it, made by the build after a warm-up layout: compiling 1.6 MB of
 * JavaScript and lazily compiling what a layout runs is half of ELK's first-call cost.
 * V8 accepts it only from the same V8 version and flags; otherwise ELK compiles as usual.
 */
export const ELK_CACHE_FILE = 'elk-layout.v8cache';

function missing(dir: string): Error {
  return new Error(`faultline board assets not found in ${dir}: build them with "npm run build:board" (vite build --config src/render/board/vite.config.ts)`);
}

type FakeWorkerClass = new () => FakeWorker;

/** elk-worker's source as a CommonJS-style function of (module, exports): it needs nothing else. */
function elkScript(source: string, filename: string, cachedData?: Buffer): vm.Script {
  return new vm.Script(`(function (module, exports) {${source}\n})`, { filename, cachedData });
}

function runElkScript(script: vm.Script): FakeWorkerClass {
  const mod = { exports: {} as { Worker?: FakeWorkerClass } };
  (script.runInThisContext() as (m: typeof mod, e: typeof mod.exports) => void)(mod, mod.exports);
  if (typeof mod.exports.Worker !== 'function') throw new Error('not elk-worker.js');
  return mod.exports.Worker;
}

function readIfThere(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

interface ElkReply {
  id: number;
  data?: unknown;
  error?: unknown;
}
interface FakeWorker {
  onmessage: (m: { data: ElkReply }) => void;
  dispatcher: { saveDispatch(e: { data: Record<string, unknown> }): void };
}

/**
 * ELK without a worker and without promises: elk-worker's FakeWorker answers through
 * onmessage synchronously when its dispatcher is called directly (its postMessage only
 * adds a setTimeout). Loaded on first use: ~1.6 MB of JavaScript, with its code cache
 * (ELK_CACHE_FILE) when there is one.
 */
export function syncElk(file: string, cacheFile: string | null = join(dirname(file), ELK_CACHE_FILE)): ((graph: ElkNode) => ElkNode) | undefined {
  if (!existsSync(file)) return undefined;
  // compiled now, not at the first layout: V8 takes the code cache only while the V8 flags are
  // the ones it was made with, and a scan changes one later (--expose-gc, shared/gc.ts); with the
  // cache this costs ~20 ms, without it ~110 ms
  const script = elkScript(readFileSync(file, 'utf8'), file, cacheFile ? readIfThere(cacheFile) : undefined);
  return elkRunner(() => runElkScript(script));
}

/**
 * Build time (src/render/board/vite.config.ts): V8's code cache for `source` after
 * `warmUp` has laid something out with it, so the cache holds what a layout compiles.
 */
export function elkCodeCache(source: string, filename: string, warmUp: (layout: (graph: ElkNode) => ElkNode) => void): Buffer {
  const script = elkScript(source, filename);
  warmUp(elkRunner(() => runElkScript(script)));
  return script.createCachedData();
}

function elkRunner(load: () => FakeWorkerClass): (graph: ElkNode) => ElkNode {
  let worker: FakeWorker | null = null;
  let seq = 0;
  const call = (w: FakeWorker, data: Record<string, unknown>): unknown => {
    let reply: ElkReply | undefined;
    w.onmessage = (m) => { reply = m.data; };
    w.dispatcher.saveDispatch({ data: { id: seq++, ...data } });
    if (!reply) throw new Error('ELK did not answer synchronously');
    if (reply.error) throw new Error(`ELK: ${String((reply.error as { message?: string }).message ?? reply.error)}`);
    return reply.data;
  };
  return (graph) => {
    if (!worker) {
      const Worker = load();
      const w = new Worker();
      // The browser registers the same two (src/render/board/app/graph.ts).
      call(w, { cmd: 'register', algorithms: ['layered', 'rectpacking'] });
      worker = w;
    }
    return call(worker, { cmd: 'layout', graph, layoutOptions: {}, options: {} }) as ElkNode;
  };
}

export async function loadBoardAssets(dir: string = boardAssetsDir()): Promise<BoardAssets> {
  let js: string, css: string;
  try {
    [js, css] = await Promise.all([readFile(join(dir, 'board.js'), 'utf8'), readFile(join(dir, 'board.css'), 'utf8')]);
  } catch {
    throw missing(dir);
  }
  const layout = syncElk(join(dir, ELK_FILE));
  return layout ? { js, css, layout } : { js, css };
}

export function loadBoardAssetsSync(dir: string = boardAssetsDir()): BoardAssets {
  const js = join(dir, 'board.js');
  const css = join(dir, 'board.css');
  if (!existsSync(js) || !existsSync(css)) throw missing(dir);
  const layout = syncElk(join(dir, ELK_FILE));
  const assets: BoardAssets = { js: readFileSync(js, 'utf8'), css: readFileSync(css, 'utf8') };
  return layout ? { ...assets, layout } : assets;
}
