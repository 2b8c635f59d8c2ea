// Builds the board app (src/render/board/app) into one IIFE script and one stylesheet:
// dist/board/board.js and dist/board/board.css. src/render/html.ts inlines both into the
// report's index.html, so the board needs no network at view time. Also copies ELK's
// engine to dist/board/elk-layout.cjs, with V8's code cache for it (elk-layout.v8cache):
// render time lays the opening view out with it (src/render/board/load-assets.ts), since
// elkjs is only a build-time dependency.
//   npx vite build --config src/render/board/vite.config.ts
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import type { Model } from '../../model/types.js';
import { ELK_CACHE_FILE, ELK_FILE, elkCodeCache } from './load-assets.js';
import { buildIndex } from './model-index.js';
import { presetLayout } from './visible.js';

const here = dirname(fileURLToPath(import.meta.url));
const appDir = resolve(here, 'app');
const outDir = resolve(here, '../../../dist/board');

/** A small model whose board uses every layout the real ones do (layered, rectpacking, nesting). */
function warmUpModel(): Model {
  const ev = [{ file: 'x.ts', line: 1 }];
  const nodes: Model['nodes'] = [
    { id: 'client:web', kind: 'client', name: 'web', evidence: ev },
    { id: 'runtime:api', kind: 'runtime', name: 'api', tech: 'kubernetes', evidence: ev },
  ];
  const edges: Model['edges'] = [];
  const e = (from: string, to: string, kind: Model['edges'][number]['kind']) => edges.push({ from, to, kind, mode: 'sync', guards: {}, evidence: ev });
  for (let i = 0; i < 12; i++) {
    const c = `component:c${i}`, r = `entrypoint:GET /c${i}`, d = `datastore:db${i}`;
    nodes.push({ id: c, kind: 'component', name: `c${i}`, evidence: ev });
    nodes.push({ id: r, kind: 'entrypoint', name: `GET /c${i}`, route: { method: 'GET', path: `/c${i}` }, component: c, runtime: 'runtime:api', evidence: ev });
    nodes.push({ id: d, kind: 'datastore', name: `db${i}`, tech: 'postgresql', evidence: ev });
    e('client:web', r, 'calls'); e(r, c, 'calls'); e(r, 'runtime:api', 'runs_on'); e(c, d, 'reads');
    if (i) e(c, `component:c${i - 1}`, 'calls');
  }
  nodes.push({ id: 'queue:jobs', kind: 'queue', name: 'jobs', evidence: ev }, { id: 'cache:redis', kind: 'cache', name: 'redis', evidence: ev }, { id: 'external:pay', kind: 'external', name: 'pay', evidence: ev });
  e('component:c0', 'queue:jobs', 'enqueues'); e('queue:jobs', 'cache:redis', 'uses'); e('component:c1', 'external:pay', 'calls');
  return { schemaVersion: 1, tool: { name: 'faultline', version: '0' }, root: '.', nodes, edges, findings: [], scenarios: [], diagnostics: [] } as unknown as Model;
}

const elkForNode: Plugin = {
  name: 'faultline:elk-for-node',
  apply: 'build',
  generateBundle() {
    const file = createRequire(import.meta.url).resolve('elkjs/lib/elk-worker.min.js');
    const source = readFileSync(file, 'utf8');
    this.emitFile({ type: 'asset', fileName: ELK_FILE, source });
    try {
      const ix = buildIndex(warmUpModel());
      const cache = elkCodeCache(source, ELK_FILE, (layout) => { presetLayout(ix, layout); presetLayout(ix, layout); });
      this.emitFile({ type: 'asset', fileName: ELK_CACHE_FILE, source: cache });
    } catch (e) {
      this.warn(`no V8 code cache for ELK (render time lays out without it): ${(e as Error).message}`);
    }
  },
};

export default defineConfig({
  plugins: [elkForNode],
  root: appDir,
  base: './',
  publicDir: false,
  clearScreen: false,
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2020',
    minify: true,
    sourcemap: false,
    cssCodeSplit: false,
    reportCompressedSize: false,
    // Everything (fonts, images) stays inline; the board ships no asset files.
    assetsInlineLimit: Number.MAX_SAFE_INTEGER,
    modulePreload: false,
    lib: {
      entry: resolve(appDir, 'main.ts'),
      formats: ['iife'],
      name: 'FaultlineBoard',
      fileName: () => 'board.js',
      cssFileName: 'board',
    },
  },
});
