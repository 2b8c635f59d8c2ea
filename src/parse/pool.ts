import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WalkedFile } from '../walk/walk.js';
import { parseFile, type ParseOutcome } from './parse-file.js';

const BATCH = 64;
/** Below this many files, starting workers costs more than it saves. */
const INLINE_LIMIT = 150;

export function threadCount(): number {
  return Math.max(1, Math.min(os.availableParallelism?.() ?? os.cpus().length, 8));
}

/** Parses every file once, on all cores; results come back in input order. */
export async function parseAll(files: WalkedFile[], onProgress?: (done: number, total: number) => void): Promise<ParseOutcome[]> {
  const threads = threadCount();
  if (files.length < INLINE_LIMIT || threads === 1) {
    return files.map((f, i) => {
      const r = parseFile(f.abs, f.rel);
      if (i % 200 === 0) onProgress?.(i, files.length);
      return r;
    });
  }
  const results: ParseOutcome[] = new Array(files.length);
  const workerUrl = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: threads }, () =>
      new Promise<void>((resolve, reject) => {
        const worker = new Worker(workerUrl);
        let inFlight = 0;
        const send = () => {
          if (next >= files.length) return;
          const start = next;
          const batch = files.slice(start, start + BATCH).map((f) => ({ abs: f.abs, rel: f.rel }));
          next += batch.length;
          inFlight++;
          worker.postMessage({ start, files: batch });
        };
        const finish = () => {
          // a terminated Worker object stays reachable for a while: its listeners must not hold the results (all the facts)
          worker.removeAllListeners();
          void worker.terminate();
          resolve();
        };
        worker.on('message', (m: { start: number; json: string }) => {
          inFlight--;
          // ask for more before decoding this batch, so the worker never waits on the main thread
          send();
          const out = JSON.parse(m.json) as ParseOutcome[];
          for (let i = 0; i < out.length; i++) results[m.start + i] = out[i];
          done += out.length;
          onProgress?.(done, files.length);
          if (inFlight === 0) finish();
        });
        worker.on('error', reject);
        // two batches in flight: the worker starts the second while the first travels back
        send();
        send();
        if (inFlight === 0) finish();
      }),
    ),
  );
  return results;
}
