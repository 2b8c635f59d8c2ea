// Single points of failure: nodes ranked by blast radius and redundancy. Pure.

import type { Model, Scenario } from '../../model/types.js';
import { buildIndex, cmpStr } from './graph.js';
import { Simulator } from './simulate.js';

export const FAILABLE_KINDS = ['datastore', 'cache', 'queue', 'external', 'runtime'] as const;
/** Weight of an entrypoint declared `critical: true` (others weigh 1). */
export const CRITICAL_WEIGHT = 3;

export interface SpofRank {
  node: string;
  /** entrypoints down if one instance of the node is lost and nothing absorbs it */
  entrypointsDown: number;
  entrypointsTotal: number;
  /** components affected (down, degraded or delayed) in that outage */
  componentsDependent: number;
  componentsTotal: number;
  /** share of entrypoints down, weighted by criticality, in [0, 1], rounded to 4 decimals */
  score: number;
  /** redundancy (replicas, standby, or a read replica serving every call) absorbs the outage */
  redundant: boolean;
}

/**
 * Rank every datastore, cache, queue, external and runtime node. Uses the outage
 * scenarios given (simulating those missing). For a redundant node the blast radius is
 * what one instance would take down without its redundancy; redundant nodes rank after
 * every non-redundant one.
 */
export function rankSpofs(model: Model, scenarios: Scenario[]): SpofRank[] {
  const byFailed = new Map<string, Scenario>();
  for (const s of scenarios) if (s.mode === 'outage' && !byFailed.has(s.failed)) byFailed.set(s.failed, s);
  let sim: Simulator | undefined;
  const simulator = () => (sim ??= new Simulator(buildIndex(model)));

  const entrypoints = model.nodes.filter((n) => n.kind === 'entrypoint');
  const weight = new Map(entrypoints.map((n) => [n.id, n.critical === true ? CRITICAL_WEIGHT : 1]));
  let totalWeight = 0;
  for (const w of weight.values()) totalWeight += w;
  const componentsTotal = new Set(model.nodes.filter((n) => n.kind === 'component').map((n) => n.id)).size;
  const entrypointsTotal = weight.size;

  const kinds = new Set<string>(FAILABLE_KINDS);
  const ids = [...new Set(model.nodes.filter((n) => kinds.has(n.kind)).map((n) => n.id))].sort(cmpStr);
  const ranks: SpofRank[] = ids.map((id) => {
    const sc = byFailed.get(id) ?? simulator().run(id, 'outage');
    const redundant = sc.absorbed !== undefined;
    const eff = redundant ? simulator().run(id, 'outage', { ignoreRedundancy: true }) : sc;
    let w = 0;
    for (const e of eff.entrypoints.down) w += weight.get(e) ?? 1;
    const components = new Set<string>();
    eff.rings.forEach((ring, i) => {
      if (i > 0) for (const n of ring) if (n.startsWith('component:')) components.add(n);
    });
    return {
      node: id,
      entrypointsDown: eff.entrypoints.down.length,
      entrypointsTotal,
      componentsDependent: components.size,
      componentsTotal,
      score: totalWeight > 0 ? Math.round((w / totalWeight) * 10000) / 10000 : 0,
      redundant,
    };
  });
  return ranks.sort(
    (a, b) =>
      Number(a.redundant) - Number(b.redundant) ||
      b.score - a.score ||
      b.entrypointsDown - a.entrypointsDown ||
      b.componentsDependent - a.componentsDependent ||
      cmpStr(a.node, b.node),
  );
}
