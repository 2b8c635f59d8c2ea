import { parentPort } from 'node:worker_threads';
import { collectGarbage } from '../shared/gc.js';
import { PYTHON_BYTES_PER_GC, parseFile } from './parse-file.js';

interface Batch {
  start: number;
  files: { abs: string; rel: string; size: number }[];
}

// The outcomes go back as one JSON string: a string crosses threads as a flat copy, and
// JSON.parse on the main thread is about twice as fast as structured-clone deserialization
// of the same object graph (facts are plain JSON data by contract, see extract/facts.ts).
//
// Batches run from setImmediate, not from the message event: a port delivers all its queued
// messages at once, and with two batches in flight the event loop would never reach the
// phase where N-API finalizers free the Python syntax trees (see PYTHON_BYTES_PER_GC).
const queue: Batch[] = [];
let scheduled = false;
let pythonBytes = 0;

function runNext(): void {
  const batch = queue.shift();
  if (!batch) {
    scheduled = false;
    return;
  }
  parentPort!.postMessage({ start: batch.start, json: JSON.stringify(batch.files.map((f) => parseFile(f.abs, f.rel))) });
  for (const f of batch.files) if (f.rel.endsWith('.py')) pythonBytes += f.size;
  if (pythonBytes > PYTHON_BYTES_PER_GC) {
    pythonBytes = 0;
    collectGarbage();
  }
  setImmediate(runNext);
}

parentPort!.on('message', (batch: Batch) => {
  queue.push(batch);
  if (!scheduled) {
    scheduled = true;
    setImmediate(runNext);
  }
});
