import { parentPort } from 'node:worker_threads';
import { parseFile } from './parse-file.js';

// The outcomes go back as one JSON string: a string crosses threads as a flat copy, and
// JSON.parse on the main thread is about twice as fast as structured-clone deserialization
// of the same object graph (facts are plain JSON data by contract, see extract/facts.ts).
parentPort!.on('message', (batch: { start: number; files: { abs: string; rel: string }[] }) => {
  parentPort!.postMessage({ start: batch.start, json: JSON.stringify(batch.files.map((f) => parseFile(f.abs, f.rel))) });
});
