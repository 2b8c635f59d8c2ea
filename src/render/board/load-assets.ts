// The I/O half of the board: read the pre-built assets (dist/board/board.js and
// board.css, produced by `npm run build:board`) for src/render/html.ts to inline.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BoardAssets } from '../html.js';

/**
 * dist/board/ of this package. This file is src/render/board/load-assets.ts when run from
 * source and dist/render/board/load-assets.js when built: three levels below the root either way.
 */
export function boardAssetsDir(): string {
  return fileURLToPath(new URL('../../../dist/board/', import.meta.url));
}

function missing(dir: string): Error {
  return new Error(`faultline board assets not found in ${dir}: build them with "npm run build:board" (vite build --config src/render/board/vite.config.ts)`);
}

export async function loadBoardAssets(dir: string = boardAssetsDir()): Promise<BoardAssets> {
  try {
    const [js, css] = await Promise.all([readFile(join(dir, 'board.js'), 'utf8'), readFile(join(dir, 'board.css'), 'utf8')]);
    return { js, css };
  } catch {
    throw missing(dir);
  }
}

export function loadBoardAssetsSync(dir: string = boardAssetsDir()): BoardAssets {
  const js = join(dir, 'board.js');
  const css = join(dir, 'board.css');
  if (!existsSync(js) || !existsSync(css)) throw missing(dir);
  return { js: readFileSync(js, 'utf8'), css: readFileSync(css, 'utf8') };
}
