// The file set every benchmark row reads: .ts/.tsx/.js/.mjs/.cjs under the root, skipping
// node_modules and .git, never following symlinks. Sorted, so every row sees the same order.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.js', '.mjs', '.cjs'] as const;
const SKIP_DIRS = new Set(['node_modules', '.git']);

export function isSource(name: string): boolean {
  return SOURCE_EXTENSIONS.some((ext) => name.endsWith(ext));
}

/** Absolute paths of the source files under `root`, sorted. */
export function walkSources(root: string): string[] {
  const out: string[] = [];
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop()!;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      // Dirent types come from lstat: a symlink is neither a file nor a directory here.
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) stack.push(join(dir, entry.name));
      } else if (entry.isFile() && isSource(entry.name)) {
        out.push(join(dir, entry.name));
      }
    }
  }
  return out.sort();
}
