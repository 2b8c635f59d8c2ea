// The parse-only floor: the same walk as faultline, every file read and parsed by oxc-parser
// on worker threads (2 by default, as faultline uses), the AST materialised in JS the way
// faultline does it (src/parse/oxc.ts: the native result's JSON parsed straight, without
// parseSync's wrapper, which measured about a quarter slower), its errors and comments read,
// nothing else. A full scan cannot be faster than this; the bench compares faultline against it.
//
//   node --import tsx bench/parse-floor.ts [DIR] [--threads N] [--raw]
//
// Prints (or writes to $BENCH_RESULT_FILE) one JSON object: files, bytes, statements, errors,
// walkMs, parseMs, totalMs (since process start).

import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { walkSources } from './walk.ts';

interface WorkerInput {
  counter: SharedArrayBuffer;
  raw: boolean;
}

interface WorkerOutput {
  files: number;
  bytes: number;
  statements: number;
  comments: number;
  errors: number;
}

async function runWorker(input: WorkerInput): Promise<void> {
  const { parseSync } = await import('oxc-parser');
  const native = (await import('oxc-parser/src-js/bindings' as string)) as { parseSync: (f: string, s: string, o?: object) => { program: string; comments: unknown[]; errors: unknown[]; module: unknown } };
  const counter = new Int32Array(input.counter);
  const options = input.raw ? { experimentalRawTransfer: true } : undefined;
  parentPort!.once('message', (files: string[]) => {
    const out: WorkerOutput = { files: 0, bytes: 0, statements: 0, comments: 0, errors: 0 };
    for (;;) {
      const i = Atomics.add(counter, 0, 1);
      if (i >= files.length) break;
      const file = files[i];
      const source = readFileSync(file, 'utf8');
      if (input.raw) {
        const result = parseSync(file, source, options as never);
        out.statements += result.program.body.length;
        if (result.errors.length) out.errors++;
      } else {
        // the fields faultline reads, in its order (each read moves the value out of native memory)
        const result = native.parseSync(file, source);
        const { errors, comments, module } = result;
        out.statements += (JSON.parse(result.program) as { node: { body: unknown[] } }).node.body.length;
        out.comments += comments.length;
        void module;
        if (errors.length) out.errors++;
      }
      out.files++;
      out.bytes += source.length;
    }
    parentPort!.postMessage(out);
  });
  parentPort!.postMessage('ready');
}

/**
 * Starts this file as a worker. Compiled to .js (as `npm run bench` runs it) it loads
 * directly; as .ts under `node --import tsx`, tsx's hooks are not inherited by workers on
 * Node 20, so the worker registers them itself before importing this file.
 */
function spawnSelf(input: WorkerInput): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL(self), { workerData: input });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(self)}); })`;
  return new Worker(boot, { eval: true, workerData: input });
}

async function main(argv: string[]): Promise<void> {
  const flag = (name: string) => argv.indexOf(name);
  const threadsAt = flag('--threads');
  const threads = threadsAt >= 0 ? Math.max(1, Number(argv[threadsAt + 1])) : 2;
  const raw = argv.includes('--raw');
  const dir = resolve(argv.find((a, i) => !a.startsWith('--') && argv[i - 1] !== '--threads') ?? '.bench/synthetic');

  // Workers boot (and load the native parser) while the main thread walks.
  const counter = new SharedArrayBuffer(4);
  const workers = Array.from({ length: threads }, () => spawnSelf({ counter, raw }));
  const ready = workers.map((w) => new Promise<void>((res, rej) => {
    w.once('message', () => res());
    w.once('error', rej);
  }));
  const walkStart = performance.now();
  const files = walkSources(dir);
  const walkMs = performance.now() - walkStart;
  await Promise.all(ready);
  const parseStart = performance.now();
  const results = await Promise.all(workers.map((w) => new Promise<WorkerOutput>((res, rej) => {
    w.once('message', (m: WorkerOutput) => res(m));
    w.once('error', rej);
    w.postMessage(files);
  })));
  const parseMs = performance.now() - parseStart;
  await Promise.all(workers.map((w) => w.terminate()));
  const total = results.reduce((a, r) => ({ files: a.files + r.files, bytes: a.bytes + r.bytes, statements: a.statements + r.statements, errors: a.errors + r.errors, comments: a.comments + r.comments }), { files: 0, bytes: 0, statements: 0, comments: 0, errors: 0 });
  const report = { ...total, threads, raw, walkMs: Math.round(walkMs), parseMs: Math.round(parseMs), totalMs: Math.round(performance.now()), perWorker: results.map((r) => r.files) };
  const json = JSON.stringify(report);
  if (process.env.BENCH_RESULT_FILE) writeFileSync(process.env.BENCH_RESULT_FILE, json);
  else process.stdout.write(json + '\n');
}

if (isMainThread) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`parse-floor: ${(error as Error).message}\n`);
    process.exitCode = 1;
  });
} else {
  void runWorker(workerData as WorkerInput);
}
