// Computes the expected-summary shape (test/expected/README.md) from a scanned model.
import type { Model } from '../../src/model/types.js';

const DEP_KINDS = new Set(['datastore', 'cache', 'queue', 'external']);

export interface Summary {
  entrypoints: string[];
  datastores: string[];
  caches: string[];
  queues: string[];
  externals: string[];
  clients: string[];
  runtimes: string[];
  components: string[];
  componentReach: Record<string, string[]>;
  entrypointReach: Record<string, string[]>;
}

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

export function summarize(model: Model): Summary {
  const ids = (k: string) => sorted(model.nodes.filter((n) => n.kind === k).map((n) => n.id));
  const componentReach: Record<string, string[]> = {};
  for (const c of ids('component')) componentReach[c] = sorted(model.edges.filter((e) => e.from === c && DEP_KINDS.has(e.to.split(':')[0])).map((e) => e.to));
  const entrypointReach: Record<string, string[]> = {};
  for (const ep of ids('entrypoint')) {
    const seen = new Set<string>();
    const stack = [ep];
    while (stack.length) {
      const cur = stack.pop()!;
      for (const e of model.edges) {
        if (e.from !== cur || e.kind === 'runs_on') continue;
        if (e.entrypoints && !e.entrypoints.includes(ep)) continue;
        if (seen.has(e.to)) continue;
        seen.add(e.to);
        stack.push(e.to);
      }
    }
    entrypointReach[ep] = sorted([...seen].filter((x) => DEP_KINDS.has(x.split(':')[0])));
  }
  return {
    entrypoints: ids('entrypoint'), datastores: ids('datastore'), caches: ids('cache'), queues: ids('queue'), externals: ids('external'),
    clients: ids('client'), runtimes: ids('runtime'), components: ids('component'), componentReach, entrypointReach,
  };
}
