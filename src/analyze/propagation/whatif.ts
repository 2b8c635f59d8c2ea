// What-if: mitigations applied to a model, purely (a new model is returned; the input is
// never mutated). Browser-safe: zod only, no I/O.

import { z } from 'zod';
import type { Model, ModelEdge, ModelNode } from '../../model/types.js';
import { cmpStr } from './graph.js';
import { matchNode } from './match.js';

const ref = z.string().min(1);

export const MitigationSchema = z.discriminatedUnion('kind', [
  /** A read replica: read-only calls survive an outage of the primary. */
  z.strictObject({ kind: z.literal('read-replica'), node: ref }),
  /** A multi-AZ standby: a single-instance outage fails over. */
  z.strictObject({ kind: z.literal('standby'), node: ref }),
  /** A circuit breaker on every edge from → to, with or without a fallback. */
  z.strictObject({ kind: z.literal('breaker'), from: ref, to: ref, fallback: z.boolean() }),
  /** A timeout (ms) on every edge from → to. */
  z.strictObject({ kind: z.literal('timeout'), from: ref, to: ref, ms: z.number().int().positive() }),
  /** Run `count` replicas of a node (usually a runtime). */
  z.strictObject({ kind: z.literal('replicas'), node: ref, count: z.number().int().min(1) }),
  /**
   * Move the call from → to onto a durable queue: from enqueues, a new worker entrypoint
   * (on its own runtime unless `runtime` is given) consumes and makes the call.
   */
  z.strictObject({
    kind: z.literal('queue'),
    from: ref,
    to: ref,
    queue: z.string().min(1).optional(),
    runtime: z.string().min(1).optional(),
  }),
]);

export type Mitigation = z.infer<typeof MitigationSchema>;
export const MitigationListSchema = z.array(MitigationSchema);

const TRAVERSED = new Set(['calls', 'reads', 'writes', 'uses', 'enqueues', 'consumes', 'publishes']);

/** Apply mitigations in order; returns a new model (scenarios cleared: they are stale). */
export function applyWhatIf(model: Model, mitigations: Mitigation[]): Model {
  const parsed = MitigationListSchema.safeParse(mitigations);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`invalid mitigation at ${first.path.join('.') || '(root)'}: ${first.message}`);
  }
  let nodes: ModelNode[] = model.nodes.map((n) => ({ ...n }));
  let edges: ModelEdge[] = model.edges.map((e) => ({ ...e, guards: { ...e.guards } }));
  const work: Model = { ...model, nodes, edges };

  const resolve = (q: string): ModelNode => {
    const exact = nodes.find((n) => n.id === q);
    if (exact) return exact;
    const m = matchNode(work, q);
    if (m.match) return nodes.find((n) => n.id === m.match!.id)!;
    const hint = m.candidates.length ? ` (candidates: ${m.candidates.map((c) => c.id).join(', ')})` : '';
    throw new Error(`what-if: no unique node matches "${q}"${hint}`);
  };
  const between = (from: ModelNode, to: ModelNode): ModelEdge[] => {
    const list = edges.filter((e) => e.from === from.id && e.to === to.id && TRAVERSED.has(e.kind));
    if (!list.length) throw new Error(`what-if: no call edge ${from.id} → ${to.id}`);
    return list;
  };

  for (const m of parsed.data) {
    switch (m.kind) {
      case 'read-replica': {
        const n = resolve(m.node);
        n.redundancy = { ...n.redundancy, readReplica: true };
        break;
      }
      case 'standby': {
        const n = resolve(m.node);
        n.redundancy = { ...n.redundancy, multiAz: true };
        break;
      }
      case 'replicas': {
        const n = resolve(m.node);
        n.redundancy = { ...n.redundancy, replicas: m.count };
        break;
      }
      case 'breaker': {
        for (const e of between(resolve(m.from), resolve(m.to))) {
          e.guards.circuitBreaker = true;
          if (m.fallback) e.guards.fallback = true;
        }
        break;
      }
      case 'timeout': {
        for (const e of between(resolve(m.from), resolve(m.to))) e.guards.timeoutMs = m.ms;
        break;
      }
      case 'queue': {
        const from = resolve(m.from);
        const to = resolve(m.to);
        const moved = between(from, to);
        const ids = new Set(nodes.map((n) => n.id));
        let qname = m.queue ?? `${to.name}-jobs`;
        if (!m.queue) for (let i = 2; ids.has(`queue:${qname}`); i++) qname = `${to.name}-jobs-${i}`;
        const qid = `queue:${qname}`;
        if (ids.has(qid)) throw new Error(`what-if: ${qid} already exists`);
        const wid = `entrypoint:worker:${qname}`;
        const rid = m.runtime ? (ids.has(m.runtime) ? m.runtime : resolveOrNew(m.runtime)) : `runtime:${qname}-worker`;
        const newNodes: ModelNode[] = [
          { id: qid, kind: 'queue', name: qname, evidence: [] },
          { id: wid, kind: 'entrypoint', name: `worker:${qname}`, trigger: 'worker', runtime: rid, evidence: [] },
        ];
        if (!ids.has(rid)) newNodes.push({ id: rid, kind: 'runtime', name: rid.replace(/^runtime:/, ''), evidence: [] });
        nodes.push(...newNodes);

        // Labels: the enqueue edge keeps the moved edges' entrypoints (unlabelled if any was).
        const unlabelled = moved.some((e) => !e.entrypoints);
        const labels = unlabelled ? undefined : [...new Set(moved.flatMap((e) => e.entrypoints ?? []))].sort(cmpStr);
        const evidence = moved.flatMap((e) => e.evidence ?? []);
        const orders = moved.map((e) => e.order).filter((o): o is number => typeof o === 'number');
        const enqueue: ModelEdge = { from: from.id, to: qid, kind: 'enqueues', mode: 'async', guards: {}, evidence };
        if (labels) enqueue.entrypoints = labels;
        if (orders.length) enqueue.order = Math.min(...orders);
        const movedSet = new Set(moved);
        edges = edges.filter((e) => !movedSet.has(e));
        edges.push(
          enqueue,
          { from: wid, to: qid, kind: 'consumes', mode: 'sync', guards: {}, evidence: [] },
          { from: wid, to: rid, kind: 'runs_on', mode: 'sync', guards: {}, evidence: [] },
          ...moved.map((e) => {
            const call: ModelEdge = { from: wid, to: to.id, kind: e.kind, mode: 'sync', guards: { ...e.guards }, evidence: e.evidence ?? [] };
            delete call.guards.caught;
            if (e.readOnly !== undefined) call.readOnly = e.readOnly;
            return call;
          }),
        );
        // The worker now walks the callee's own labelled call graph.
        const labelSet = labels ? new Set(labels) : null;
        const seen = new Set<string>([to.id]);
        const queue = [to.id];
        for (let h = 0; h < queue.length; h++) {
          const n = queue[h];
          for (const e of edges) {
            if (e.from !== n || !TRAVERSED.has(e.kind)) continue;
            if (e.entrypoints) {
              if (labelSet && !e.entrypoints.some((x) => labelSet.has(x))) continue;
              if (!e.entrypoints.includes(wid)) e.entrypoints = [...e.entrypoints, wid].sort(cmpStr);
            }
            if (!seen.has(e.to)) {
              seen.add(e.to);
              queue.push(e.to);
            }
          }
        }
        work.edges = edges;
        break;
      }
    }
    work.nodes = nodes;
    work.edges = edges;
  }

  function resolveOrNew(q: string): string {
    const m = matchNode(work, q);
    if (m.match && m.match.kind === 'runtime') return m.match.id;
    return q.startsWith('runtime:') ? q : `runtime:${q}`;
  }

  nodes = [...nodes].sort((a, b) => cmpStr(a.id, b.id));
  edges = [...edges].sort(
    (a, b) => cmpStr(a.from, b.from) || cmpStr(a.to, b.to) || cmpStr(a.kind, b.kind) || cmpStr(a.mode, b.mode),
  );
  return { ...model, nodes, edges, scenarios: [] };
}
