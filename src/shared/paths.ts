import path from 'node:path';

/** Repository-relative, "/"-separated: the only path form that leaves the walk stage. */
export function toRel(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/');
}

export function posixDir(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

/** The folder of the nearest package.json above a file ('' for the repository root). */
export function packageRootOf(packageDirs: readonly string[], file: string): string {
  let best = '';
  for (const dir of packageDirs) if (dir.length > best.length && file.startsWith(dir + '/')) best = dir;
  return best;
}
