// Before → after comparison of scenario sets (what-if). Pure.

import type { EntrypointState, FailureMode, Scenario, StoppedBy } from '../../model/types.js';
import { cmpStr } from './graph.js';

export interface ScenarioDelta {
  failed: string;
  mode: FailureMode;
  /** 'added' / 'removed': the scenario exists only after / only before */
  change: 'changed' | 'added' | 'removed';
  /** rings whose size changed (ring 0 never does) */
  rings: { ring: number; before: number; after: number }[];
  /** entrypoints present in both whose state changed, grouped by transition */
  moved: { from: EntrypointState; to: EntrypointState; entrypoints: string[] }[];
  absorbed: { before?: string; after?: string };
  stoppedByAdded: StoppedBy[];
  stoppedByRemoved: StoppedBy[];
  lostSideEffects: { before: number; after: number };
  /** human sentences, e.g. "Ring 1 shrinks from 9 components to 2" */
  sentences: string[];
}

const STATES: EntrypointState[] = ['down', 'degraded', 'delayed', 'ok'];
const PLURAL: Record<string, string> = {
  component: 'components',
  entrypoint: 'entrypoints',
  runtime: 'runtimes',
  datastore: 'datastores',
  cache: 'caches',
  queue: 'queues',
  external: 'externals',
  client: 'clients',
};

const key = (s: { failed: string; mode: string }) => `${s.failed}\u0000${s.mode}`;
const kindOf = (id: string) => id.slice(0, Math.max(0, id.indexOf(':')));
const isRoute = (id: string) => /^entrypoint:(?:[A-Z]+ \/|WS )/.test(id);
const stopKey = (s: StoppedBy) => `${s.from}\u0000${s.to}\u0000${s.guard}`;

function entryNoun(ids: string[], n: number): string {
  const routes = ids.length > 0 && ids.every(isRoute);
  return routes ? (n === 1 ? 'route' : 'routes') : n === 1 ? 'entrypoint' : 'entrypoints';
}

function ringNoun(ids: string[]): string {
  if (!ids.length) return 'nodes';
  const kinds = new Set(ids.map(kindOf));
  if (kinds.size !== 1) return 'nodes';
  const k = [...kinds][0];
  if (k === 'entrypoint') return ids.every(isRoute) ? 'routes' : 'entrypoints';
  return PLURAL[k] ?? 'nodes';
}

function countNoun(n: number, plural: string): string {
  return `${n} ${n === 1 ? plural.replace(/s$/, '') : plural}`;
}

function stateOf(s: Scenario): Map<string, EntrypointState> {
  const m = new Map<string, EntrypointState>();
  for (const st of STATES) for (const id of s.entrypoints[st] ?? []) m.set(id, st);
  return m;
}

function summary(s: Scenario): string {
  const parts = STATES.filter((st) => st !== 'ok' && s.entrypoints[st].length).map(
    (st) => `${s.entrypoints[st].length} ${st}`,
  );
  return parts.length ? parts.join(', ') : 'nothing affected';
}

/** One delta per scenario that changed, was added or was removed, sorted by failed id then mode. */
export function compareScenarios(before: Scenario[], after: Scenario[]): ScenarioDelta[] {
  const b = new Map(before.map((s) => [key(s), s]));
  const a = new Map(after.map((s) => [key(s), s]));
  const keys = [...new Set([...b.keys(), ...a.keys()])].sort(cmpStr);
  const out: ScenarioDelta[] = [];
  for (const k of keys) {
    const sb = b.get(k);
    const sa = a.get(k);
    const ref = (sa ?? sb)!;
    const delta: ScenarioDelta = {
      failed: ref.failed,
      mode: ref.mode,
      change: sb && sa ? 'changed' : sa ? 'added' : 'removed',
      rings: [],
      moved: [],
      absorbed: {},
      stoppedByAdded: [],
      stoppedByRemoved: [],
      lostSideEffects: { before: sb?.lostSideEffects?.length ?? 0, after: sa?.lostSideEffects?.length ?? 0 },
      sentences: [],
    };
    if (sb?.absorbed !== undefined) delta.absorbed.before = sb.absorbed;
    if (sa?.absorbed !== undefined) delta.absorbed.after = sa.absorbed;
    if (!sb || !sa) {
      delta.sentences.push(
        sa
          ? `New scenario (${ref.mode} of ${ref.failed}): ${summary(sa)}`
          : `Scenario no longer exists (${ref.mode} of ${ref.failed}); it had ${summary(sb!)}`,
      );
      out.push(delta);
      continue;
    }

    // Absorption.
    if (sb.absorbed === undefined && sa.absorbed !== undefined) delta.sentences.push(`Now absorbed: ${sa.absorbed}`);
    if (sb.absorbed !== undefined && sa.absorbed === undefined) delta.sentences.push(`No longer absorbed (was: ${sb.absorbed})`);

    // Rings.
    const n = Math.max(sb.rings.length, sa.rings.length);
    for (let i = 1; i < n; i++) {
      const rb = sb.rings[i] ?? [];
      const ra = sa.rings[i] ?? [];
      if (rb.length === ra.length) continue;
      delta.rings.push({ ring: i, before: rb.length, after: ra.length });
      if (!ra.length) delta.sentences.push(`Ring ${i} disappears (was ${countNoun(rb.length, ringNoun(rb))})`);
      else if (!rb.length) delta.sentences.push(`Ring ${i} appears with ${countNoun(ra.length, ringNoun(ra))}`);
      else {
        const noun = ringNoun([...rb, ...ra]);
        const verb = ra.length < rb.length ? 'shrinks' : 'grows';
        delta.sentences.push(`Ring ${i} ${verb} from ${rb.length} ${noun} to ${ra.length}`);
      }
    }

    // Entrypoint transitions.
    const mb = stateOf(sb);
    const ma = stateOf(sa);
    const groups = new Map<string, string[]>();
    for (const [id, from] of mb) {
      const to = ma.get(id);
      if (to === undefined || to === from) continue;
      const g = `${from}>${to}`;
      const list = groups.get(g);
      if (list) list.push(id);
      else groups.set(g, [id]);
    }
    for (const from of STATES) {
      for (const to of STATES) {
        const list = groups.get(`${from}>${to}`);
        if (!list) continue;
        list.sort(cmpStr);
        delta.moved.push({ from, to, entrypoints: list });
        const verb = list.length === 1 ? 'moves' : 'move';
        delta.sentences.push(`${list.length} ${entryNoun(list, list.length)} ${verb} from ${from} to ${to}`);
      }
    }

    // Guards.
    const kb = new Map(sb.stoppedBy.map((s) => [stopKey(s), s]));
    const ka = new Map(sa.stoppedBy.map((s) => [stopKey(s), s]));
    for (const [k2, s] of [...ka].sort((x, y) => cmpStr(x[0], y[0]))) {
      if (kb.has(k2)) continue;
      delta.stoppedByAdded.push(s);
      delta.sentences.push(`Now stopped by ${s.guard} on ${s.from} → ${s.to}`);
    }
    for (const [k2, s] of [...kb].sort((x, y) => cmpStr(x[0], y[0]))) {
      if (ka.has(k2)) continue;
      delta.stoppedByRemoved.push(s);
      delta.sentences.push(`No longer stopped by ${s.guard} on ${s.from} → ${s.to}`);
    }

    // Lost side effects.
    const { before: lb, after: la } = delta.lostSideEffects;
    if (lb !== la) delta.sentences.push(`Lost side effects go from ${lb} to ${la}`);

    if (delta.sentences.length) out.push(delta);
  }
  return out;
}
