// Resolve a user's NODE argument to a model node. Pure.

import type { Model, ModelNode } from '../../model/types.js';
import { cmpStr } from './graph.js';

export interface NodeMatch {
  /** set when exactly one node matches */
  match?: ModelNode;
  /** the nodes that matched at the deciding step (sorted by id); [] when nothing matches */
  candidates: ModelNode[];
}

/**
 * Steps, first decisive one wins: exact id; exact name; case-insensitive id or name;
 * case-insensitive substring of id or name. A step with one hit is a match; a step with
 * several hits returns them as candidates (no match).
 */
export function matchNode(model: Model, query: string): NodeMatch {
  const q = query.trim();
  const nodes = [...model.nodes].sort((a, b) => cmpStr(a.id, b.id));
  if (!q) return { candidates: [] };
  const lq = q.toLowerCase();
  const steps: ((n: ModelNode) => boolean)[] = [
    (n) => n.id === q,
    (n) => n.name === q,
    (n) => n.id.toLowerCase() === lq || n.name.toLowerCase() === lq,
    (n) => n.id.toLowerCase().includes(lq) || n.name.toLowerCase().includes(lq),
  ];
  for (const step of steps) {
    const hits = nodes.filter(step).filter((n, i, a) => i === 0 || a[i - 1].id !== n.id);
    if (hits.length === 1) return { match: hits[0], candidates: hits };
    if (hits.length > 1) return { candidates: hits };
  }
  return { candidates: [] };
}
