import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WalkedFile } from '../walk/walk.js';
import { collectGarbage } from '../shared/gc.js';
import { PYTHON_BYTES_PER_GC, parseFile, type ParseOutcome } from './parse-file.js';

/** Files per message to a worker: two are in flight, so a worker never waits on the main thread. */
const WORKER_BATCH = 64;
/** Files the main thread parses between looks at its message queue (about 30 ms of work). */
const MAIN_BATCH = 16;
/** Below this many files, starting workers costs more than it saves. */
const INLINE_LIMIT = 150;

export function threadCount(): number {
  return Math.max(1, Math.min(os.availableParallelism?.() ?? os.cpus().length, 8));
}

/**
 * Parses every file once, on all cores; results come back in input order.
 *
 * The main thread is one of the parsers: it takes batches from the same queue as the
 * `threads - 1` workers. A worker's facts cross to the main thread as a JSON string that
 * the main thread must decode (about a quarter of the cost of producing them), so a main
 * thread that only waited and decoded would leave a core idle on a two-core machine and
 * pay the transfer for every file.
 */
export async function parseAll(files: WalkedFile[], onProgress?: (done: number, total: number) => void): Promise<ParseOutcome[]> {
  const threads = files.length < INLINE_LIMIT ? 1 : threadCount();
  const results: ParseOutcome[] = new Array(files.length);
  const workerUrl = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
  let next = 0;
  let done = 0;
  const take = (size: number): number => {
    const start = next;
    next = Math.min(files.length, next + size);
    return start;
  };

  // one thread (a small repository, a one-core machine): the loop below parses everything
  const workers = Array.from({ length: threads - 1 }, () =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(workerUrl);
      let inFlight = 0;
      const send = () => {
        if (next >= files.length) return;
        const start = take(WORKER_BATCH);
        inFlight++;
        worker.postMessage({ start, files: files.slice(start, next).map((f) => ({ abs: f.abs, rel: f.rel, size: f.size })) });
      };
      const finish = () => {
        // a terminated Worker object stays reachable for a while: its listeners must not hold the results (all the facts)
        worker.removeAllListeners();
        void worker.terminate();
        resolve();
      };
      worker.on('message', (m: { start: number; json: string }) => {
        inFlight--;
        send();
        const out = JSON.parse(m.json) as ParseOutcome[];
        for (let i = 0; i < out.length; i++) results[m.start + i] = out[i];
        done += out.length;
        onProgress?.(done, files.length);
        if (inFlight === 0) finish();
      });
      worker.on('error', reject);
      send();
      send();
      if (inFlight === 0) finish();
    }),
  );

  const yieldToMessages = () => new Promise<void>((resolve) => setImmediate(resolve));
  let pythonBytes = 0;
  while (next < files.length) {
    const start = take(MAIN_BATCH);
    const end = next;
    for (let i = start; i < end; i++) {
      results[i] = parseFile(files[i].abs, files[i].rel);
      if (files[i].kind === 'python') pythonBytes += files[i].size;
    }
    // the trees are freed on the turn below (see PYTHON_BYTES_PER_GC)
    if (pythonBytes > PYTHON_BYTES_PER_GC) {
      pythonBytes = 0;
      collectGarbage();
    }
    done += end - start;
    onProgress?.(done, files.length);
    await yieldToMessages();
  }
  await Promise.all(workers);
  return results;
}
