// The one comparator module: every sort in faultline goes through these, so output
// order never depends on insertion order or locale.

export function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(cmpStr);
}

export function byKey<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => cmpStr(key(a), key(b));
}

/**
 * `items` sorted by `key`, each key computed once (a comparator that builds its keys builds
 * them 2·n·log n times). Stable, so equal keys keep their input order, as `sort(byKey(key))`.
 */
export function sortByKey<T>(items: readonly T[], key: (t: T) => string): T[] {
  const keyed = items.map((item, i) => ({ k: key(item), i }));
  keyed.sort((a, b) => cmpStr(a.k, b.k) || a.i - b.i);
  return keyed.map((x) => items[x.i]);
}
