import type { Model } from '../model/types.js';

const REASONS: Record<string, [string, string]> = {
  'skipped-test': ['test file', 'test files'],
  'skipped-generated': ['generated or minified file', 'generated or minified files'],
  'skipped-large': ['file over the size cap', 'files over the size cap'],
  unreadable: ['unreadable file', 'unreadable files'],
  'broken-symlink': ['broken symlink', 'broken symlinks'],
  'symlink-outside-root': ['symlink out of the root', 'symlinks out of the root'],
};

/** "930 test files, 1 generated or minified file": what the walk left unread, by reason (empty when nothing). */
export function notReadPhrase(stats: Model['stats']): string {
  const by = stats?.skippedBy ?? {};
  return Object.keys(by)
    .sort((a, b) => by[b] - by[a] || (a < b ? -1 : a > b ? 1 : 0))
    .map((k) => {
      const [one, many] = REASONS[k] ?? [k, k];
      return `${by[k]} ${by[k] === 1 ? one : many}`;
    })
    .join(', ');
}
