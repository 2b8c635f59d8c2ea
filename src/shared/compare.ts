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
