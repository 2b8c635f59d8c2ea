import { parentPort } from 'node:worker_threads';
import { parseFile } from './parse-file.js';

parentPort!.on('message', (batch: { abs: string; rel: string }[]) => {
  parentPort!.postMessage(batch.map((f) => parseFile(f.abs, f.rel)));
});
