/** JSON with object keys in a fixed order (sorted), so equal models give equal bytes. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + '\n';
}

/**
 * stableJson(value) in pieces whose concatenation is the same text: a top-level object by
 * property, a top-level array property by element. A model is tens of megabytes as one
 * string (and as one sorted copy); written piece by piece it never is.
 */
export function* stableJsonChunks(value: unknown): Generator<string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    yield stableJson(value);
    return;
  }
  // a value nested one or two levels down: JSON.stringify's own text, every line indented further
  // (JSON text has no raw newline inside a string, so each '\n' starts a line)
  // (undefined, functions and symbols: left out of objects, null in arrays, as JSON.stringify does)
  const nested = (v: unknown, indent: string) => (JSON.stringify(sortKeys(v), null, 2) ?? 'null').replace(/\n/g, `\n${indent}`);
  const kept = (v: unknown) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol';
  const keys = Object.keys(value).sort().filter((k) => kept((value as Record<string, unknown>)[k]));
  if (!keys.length) {
    yield '{}\n';
    return;
  }
  yield '{\n';
  for (let i = 0; i < keys.length; i++) {
    const v = (value as Record<string, unknown>)[keys[i]];
    yield `  ${JSON.stringify(keys[i])}: `;
    if (Array.isArray(v) && v.length) {
      yield '[\n';
      for (let j = 0; j < v.length; j++) yield `    ${nested(v[j], '    ')}${j < v.length - 1 ? ',' : ''}\n`;
      yield '  ]';
    } else yield nested(v, '  ');
    yield i < keys.length - 1 ? ',\n' : '\n';
  }
  yield '}\n';
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}
