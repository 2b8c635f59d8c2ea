// Builds the board app (src/render/board/app) into one IIFE script and one stylesheet:
// dist/board/board.js and dist/board/board.css. src/render/html.ts inlines both into the
// report's index.html, so the board needs no network at view time.
//   npx vite build --config src/render/board/vite.config.ts
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const appDir = resolve(here, 'app');
const outDir = resolve(here, '../../../dist/board');

export default defineConfig({
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
