// The side panels: explore tree, scenario (rings, paths, what-if), routes, findings.
// Every repository string goes through h() children (text nodes) or data-* attributes.
import type { Category, EntrypointState, Finding, ModelEdge, Polarity, Severity } from '../../../model/types.js';
import { h, replace } from './dom.js';
import { mitigationKey, type Mitigation } from './engine.js';
import { INFRA_KINDS, INFRA_LABEL, KIND_LABEL, NO_RUNTIME, STATES, componentOf, groupId, kindOf, nameOf, ringMap, stateMap } from '../model-index.js';
import type { Ctx } from './state.js';

export const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
export const POLARITIES: Polarity[] = ['risk', 'strength', 'opportunity', 'observation'];
export const CATEGORIES: Category[] = ['availability', 'data-integrity', 'security', 'performance', 'scalability', 'observability'];
const STATE_LABEL: Record<EntrypointState, string> = { down: 'down', degraded: 'degraded', delayed: 'delayed', ok: 'ok' };
const plural = (n: number, w: string, p = `${w}s`) => `${n} ${n === 1 ? w : p}`;

function dot(kind: string): HTMLElement {
  return h('span', { class: `dot k-${kind}`, 'aria-hidden': 'true' });
}

function failButton(ctx: Ctx, id: string): HTMLElement {
  const active = ctx.state.failed === id;
  return h('button', {
    class: `fail-btn${active ? ' active' : ''}`,
    type: 'button',
    'data-testid': 'fail-node',
    'data-node-id': id,
    title: active ? 'This node is failed' : `Fail it (${ctx.state.mode})`,
    'aria-pressed': active ? 'true' : 'false',
    onclick: (ev: Event) => { ev.stopPropagation(); ctx.fail(id); },
  }, active ? 'failed' : 'fail');
}

function matches(ctx: Ctx, id: string): boolean {
  return !ctx.state.matches || ctx.state.matches.has(id);
}

// ---------------------------------------------------------------- explore tree

export function renderTree(ctx: Ctx, root: HTMLElement): void {
  const { ix, state } = ctx;
  const rings = ringMap(ctx.computed?.after ?? null);
  const states = stateMap(ctx.computed?.after ?? null);
  const marker = (id: string) => {
    const r = rings.get(id);
    const st = states.get(id);
    if (ctx.state.failed === id) return h('span', { class: 'mark ring-0', title: 'failed' });
    if (st && st !== 'ok') return h('span', { class: `mark st-${st}`, title: st });
    if (r !== undefined) return h('span', { class: `mark ring-${Math.min(r, 3)}`, title: `ring ${r}` });
    return null;
  };
  const sections: HTMLElement[] = [];
  const row = (id: string, depth: number, opts: { toggle?: HTMLElement | null; meta?: string; failable?: boolean; kind?: string } = {}) =>
    h('div', { class: `tree-row depth-${depth}${state.failed === id ? ' is-failed' : ''}`, 'data-testid': 'node-row', 'data-node-id': id },
      opts.toggle ?? h('span', { class: 'chev-space' }),
      dot(opts.kind ?? kindOf(ix, id)),
      h('button', { class: 'tree-name', type: 'button', title: id, onclick: () => ctx.focus(id) }, nameOf(ix, id)),
      marker(id),
      opts.meta ? h('span', { class: 'tree-meta' }, opts.meta) : null,
      opts.failable === false ? null : failButton(ctx, id),
    );
  const chevron = (open: boolean, testid: string, id: string, onclick: () => void, label: string) =>
    h('button', { class: `chev${open ? ' open' : ''}`, type: 'button', 'data-testid': testid, 'data-group-id': id, 'aria-expanded': open ? 'true' : 'false', title: label, onclick }, open ? '▾' : '▸');

  if (ix.clients.length) {
    const rows = ix.clients.filter((c) => matches(ctx, c)).map((c) => row(c, 0));
    if (rows.length) sections.push(h('div', { class: 'tree-section' }, h('div', { class: 'tree-head' }, 'Clients'), rows));
  }

  const groups = [...ix.runtimes];
  if (ix.componentsByGroup.has(NO_RUNTIME)) groups.push(NO_RUNTIME);
  const runtimeRows: HTMLElement[] = [];
  for (const g of groups) {
    const comps = ix.componentsByGroup.get(g) ?? [];
    const open = !state.view.collapsed.has(g);
    const rowsInside: HTMLElement[] = [];
    let anyMatch = matches(ctx, g);
    for (const c of comps) {
      const rs = ix.routesByComp.get(c) ?? [];
      const routeHits = rs.filter((r) => matches(ctx, r));
      const compHit = matches(ctx, c);
      if (!compHit && !routeHits.length) continue;
      anyMatch = true;
      const expanded = state.view.expanded.has(c);
      const toggle = rs.length
        ? chevron(expanded, 'component-toggle', c, () => ctx.toggleComponent(c), expanded ? 'Hide its routes in the graph' : 'Show its routes in the graph')
        : null;
      rowsInside.push(row(c, 1, { toggle, meta: rs.length ? plural(rs.length, 'route') : '', failable: !ix.virtual.has(c), kind: 'component' }));
      const showRoutes = expanded || (state.matches !== null && routeHits.length > 0 && !compHit);
      if (showRoutes) for (const r of expanded && compHit ? rs : routeHits) rowsInside.push(row(r, 2, { kind: 'entrypoint' }));
    }
    if (!anyMatch) continue;
    const isRuntime = g !== NO_RUNTIME;
    const tech = ix.byId.get(g)?.tech;
    runtimeRows.push(row(g, 0, {
      toggle: comps.length ? chevron(open, 'group-toggle', g, () => ctx.toggleGroup(g), open ? 'Collapse this group in the graph' : 'Expand this group in the graph') : null,
      meta: [tech, comps.length ? plural(comps.length, 'component') : ''].filter(Boolean).join(' · '),
      failable: isRuntime,
      kind: isRuntime ? 'runtime' : 'group',
    }));
    if (open || state.matches) runtimeRows.push(...rowsInside);
  }
  if (runtimeRows.length) sections.push(h('div', { class: 'tree-section' }, h('div', { class: 'tree-head' }, ix.runtimes.length ? 'Runtimes & components' : 'Components'), runtimeRows));

  for (const k of INFRA_KINDS) {
    const ids = ix.infra[k].filter((id) => matches(ctx, id));
    if (!ids.length) continue;
    const gid = groupId(k);
    const open = !state.view.collapsed.has(gid);
    sections.push(h('div', { class: 'tree-section' },
      h('div', { class: 'tree-head' },
        chevron(open, 'group-toggle', gid, () => ctx.toggleGroup(gid), open ? 'Collapse this group in the graph' : 'Expand this group in the graph'),
        `${INFRA_LABEL[k]} `, h('span', { class: 'tree-meta' }, String(ix.infra[k].length))),
      open || state.matches ? ids.map((id) => row(id, 1, { meta: ix.byId.get(id)?.tech ?? '' })) : null,
    ));
  }
  if (!sections.length) sections.push(h('p', { class: 'empty' }, 'Nothing matches the search.'));
  replace(root, sections);
}

// ---------------------------------------------------------------- scenario

interface Toggle { testid: string; label: string; hint: string; mitigations: Mitigation[]; disabled?: string }

function incomingPairs(ctx: Ctx, failed: string): { from: string; to: string; edges: ModelEdge[] }[] {
  const pairs = new Map<string, { from: string; to: string; edges: ModelEdge[] }>();
  for (const e of ctx.model.edges) {
    if (e.to !== failed || e.kind === 'runs_on' || e.kind === 'serves') continue;
    const k = `${e.from}\u0000${e.to}`;
    (pairs.get(k) ?? pairs.set(k, { from: e.from, to: e.to, edges: [] }).get(k)!).edges.push(e);
  }
  return [...pairs.values()];
}

function togglesFor(ctx: Ctx, failed: string): Toggle[] {
  const n = ctx.ix.byId.get(failed);
  if (!n) return [];
  const name = n.name;
  const out: Toggle[] = [];
  if (n.kind === 'datastore') {
    out.push({ testid: 'whatif-read-replica', label: `Add a read replica to ${name}`, hint: 'reads can be served while the primary is down', mitigations: [{ kind: 'read-replica', node: failed }] });
    out.push({ testid: 'whatif-standby', label: `Add a multi-AZ standby to ${name}`, hint: 'a single-instance failure fails over', mitigations: [{ kind: 'standby', node: failed }] });
  }
  if (n.kind === 'runtime' || n.kind === 'cache') {
    out.push({ testid: 'whatif-replicas', label: `Run ${name} with 2 replicas`, hint: 'one instance can fail', mitigations: [{ kind: 'replicas', node: failed, count: 2 }] });
  }
  const pairs = incomingPairs(ctx, failed).filter((p) => ctx.ix.byId.get(p.from)?.kind !== 'client');
  if (pairs.length) {
    out.push({
      testid: 'whatif-breaker', label: `Circuit breaker + fallback on ${plural(pairs.length, 'caller')} of ${name}`, hint: 'callers degrade instead of failing',
      mitigations: pairs.map((p) => ({ kind: 'breaker', from: p.from, to: p.to, fallback: true })),
    });
    const noTimeout = pairs.filter((p) => p.edges.some((e) => e.guards.timeoutMs === undefined));
    out.push({
      testid: 'whatif-timeout', label: `2 s timeout on ${plural(noTimeout.length, 'caller')} of ${name} without one`, hint: 'a slow dependency fails fast instead of holding workers',
      mitigations: noTimeout.map((p) => ({ kind: 'timeout', from: p.from, to: p.to, ms: 2000 })),
      disabled: noTimeout.length ? undefined : 'every call already has a timeout',
    });
    if (n.kind === 'external' || n.kind === 'datastore') {
      const sync = pairs.filter((p) => p.edges.some((e) => e.mode === 'sync'));
      if (sync.length) out.push({
        testid: 'whatif-queue', label: `Put a queue in front of ${name}`, hint: `the ${plural(sync.length, 'sync call')} become async: delayed, not down`,
        mitigations: sync.map((p) => ({ kind: 'queue', from: p.from, to: p.to })),
      });
    }
  }
  return out;
}

function describeMitigation(ctx: Ctx, m: Mitigation): string {
  const r = m as unknown as Record<string, unknown>;
  const nm = (x: unknown) => (typeof x === 'string' ? nameOf(ctx.ix, x) : '');
  switch (m.kind) {
    case 'read-replica': return `read replica on ${nm(r.node)}`;
    case 'standby': return `standby for ${nm(r.node)}`;
    case 'replicas': return `${String(r.count)} replicas of ${nm(r.node)}`;
    case 'breaker': return `breaker ${nm(r.from)} → ${nm(r.to)}`;
    case 'timeout': return `timeout ${String(r.ms)} ms ${nm(r.from)} → ${nm(r.to)}`;
    case 'queue': return `queue ${nm(r.from)} → ${nm(r.to)}`;
    default: return String((m as { kind: string }).kind);
  }
}

export function renderScenario(ctx: Ctx, root: HTMLElement): void {
  const { ix, state, computed } = ctx;
  if (state.failed && ctx.error) {
    replace(root,
      h('div', { class: 'scenario-head' },
        h('div', { class: 'scenario-title' }, dot(kindOf(ix, state.failed)), h('span', { class: 'scenario-name', 'data-testid': 'failed-name' }, nameOf(ix, state.failed))),
        h('button', { type: 'button', class: 'btn', onclick: () => ctx.clear() }, 'Clear')),
      h('p', { class: 'error', 'data-testid': 'scenario-error' }, ctx.error),
      state.mitigations.length ? h('button', { type: 'button', class: 'link', onclick: () => ctx.resetMitigations() }, 'reset what-if') : null);
    return;
  }
  if (!state.failed || !computed) {
    // The worst mode per failed node, worst first.
    const perNode = new Map<string, (typeof ctx.model.scenarios)[number]>();
    for (const s of ctx.model.scenarios) {
      const cur = perNode.get(s.failed);
      const score = (x: typeof s) => x.entrypoints.down.length * 1000 + x.entrypoints.degraded.length;
      if (!cur || score(s) > score(cur)) perNode.set(s.failed, s);
    }
    const worst = [...perNode.values()]
      .sort((a, b) => b.entrypoints.down.length - a.entrypoints.down.length || b.entrypoints.degraded.length - a.entrypoints.degraded.length || (a.failed < b.failed ? -1 : 1))
      .slice(0, 8);
    replace(root,
      h('div', { class: 'intro' },
        h('h3', null, 'What fails if one part fails?'),
        h('p', null, 'Click a node in the graph, or ', h('span', { class: 'kbd' }, 'fail'), ' in the list on the left, to fail it. Pick ', h('b', null, 'outage'), ' (calls fail fast) or ', h('b', null, 'slowdown'), ' (calls hang) at the top.'),
        h('p', { class: 'muted' }, 'Double-click a group or a component to collapse or expand it. Escape clears the failure.'),
      ),
      worst.length ? h('section', { class: 'card' },
        h('h4', null, 'Worst blast radius found by the scan'),
        h('ul', { class: 'pick-list' }, worst.map((s) => h('li', null,
          h('button', { type: 'button', class: 'pick', 'data-testid': 'scenario-pick', 'data-node-id': s.failed, onclick: () => ctx.fail(s.failed, s.mode) },
            dot(kindOf(ix, s.failed)),
            h('span', { class: 'pick-name' }, nameOf(ix, s.failed)),
            h('span', { class: `tag mode-${s.mode}` }, s.mode),
            h('span', { class: 'pick-meta' }, `${s.entrypoints.down.length} down · ${s.entrypoints.degraded.length} degraded · ${s.paths.length} paths`)),
        ))),
      ) : null,
    );
    return;
  }

  const failed = state.failed;
  const n = ix.byId.get(failed);
  const s = computed.after;
  const b = computed.before;

  const tiles = h('div', { class: 'tiles' }, STATES.map((st) => {
    const now = s.entrypoints[st].length;
    const was = b.entrypoints[st].length;
    return h('div', { class: `tile st-${st}`, 'data-testid': `count-${st}` },
      h('div', { class: 'tile-n' }, String(now)),
      h('div', { class: 'tile-l' }, STATE_LABEL[st]),
      computed.whatIf && now !== was ? h('div', { class: 'tile-was' }, `was ${was}`) : null);
  }));

  const facts: (HTMLElement | null)[] = [];
  if (n) {
    const red = n.redundancy;
    facts.push(h('div', { class: 'facts' },
      h('span', { class: 'tag' }, KIND_LABEL[n.kind]),
      n.tech ? h('span', { class: 'tag' }, n.tech) : null,
      red ? h('span', { class: 'tag' }, [`replicas ${red.replicas ?? 1}`, red.multiAz ? 'multi-AZ' : '', red.readReplica ? 'read replica' : ''].filter(Boolean).join(' · ')) : null,
      n.evidence.slice(0, 3).map((e) => h('span', { class: 'loc' }, `${e.file}:${e.line}`)),
    ));
  }

  // what-if
  const active = new Set(state.mitigations.map(mitigationKey));
  const toggles = togglesFor(ctx, failed);
  const whatIf = h('section', { class: 'card whatif', 'data-testid': 'whatif' },
    h('h4', null, 'What if…'),
    toggles.length ? h('div', { class: 'toggles' }, toggles.map((t) => {
      const on = t.mitigations.length > 0 && t.mitigations.every((m) => active.has(mitigationKey(m)));
      const input = h('input', { type: 'checkbox', 'data-testid': t.testid, checked: on, disabled: !!t.disabled || !t.mitigations.length }) as HTMLInputElement;
      input.addEventListener('change', () => ctx.toggleMitigations(t.mitigations, input.checked));
      return h('label', { class: `toggle${t.disabled ? ' disabled' : ''}` }, input,
        h('span', { class: 'toggle-text' }, h('span', { class: 'toggle-label' }, t.label), h('span', { class: 'toggle-hint' }, t.disabled ?? t.hint)));
    })) : h('p', { class: 'muted' }, 'No what-if applies to this node.'),
    state.mitigations.length ? h('div', { class: 'chips' },
      state.mitigations.map((m) => h('span', { class: 'chip' }, describeMitigation(ctx, m),
        h('button', { type: 'button', class: 'chip-x', title: 'Remove', onclick: () => ctx.toggleMitigations([m], false) }, '×'))),
      h('button', { type: 'button', class: 'link', 'data-testid': 'whatif-reset', onclick: () => ctx.resetMitigations() }, 'reset what-if'),
    ) : null,
    computed.whatIf ? h('div', { class: 'deltas', 'data-testid': 'whatif-deltas' },
      computed.deltas.length
        ? h('ul', null, computed.deltas.slice(0, 60).map((d) => h('li', { 'data-testid': 'whatif-delta' }, d.text)), computed.deltas.length > 60 ? h('li', { class: 'muted' }, `+${computed.deltas.length - 60} more`) : null)
        : h('p', { class: 'muted', 'data-testid': 'whatif-nochange' }, 'No route changes state with these mitigations.'),
    ) : null,
  );

  const ringList = h('section', { class: 'card' },
    h('h4', null, `Rings · ${s.rings.length}`),
    h('ol', { class: 'rings' }, s.rings.map((ring, k) => h('li', { class: `ring-row ring-${Math.min(k, 3)}`, 'data-testid': 'ring' },
      h('span', { class: 'ring-k' }, `Ring ${k}`),
      h('span', { class: 'ring-items' },
        ring.slice(0, 14).map((id) => h('button', { type: 'button', class: 'ring-chip', title: id, onclick: () => ctx.focus(id) }, nameOf(ix, id))),
        ring.length > 14 ? h('span', { class: 'muted' }, ` +${ring.length - 14} more`) : null),
    ))),
  );

  const paths = h('section', { class: 'card' },
    h('h4', null, `Traced paths · ${s.paths.length}`),
    s.paths.length ? h('ul', { class: 'paths' }, s.paths.slice(0, 50).map((p, i) => h('li', null,
      h('button', {
        type: 'button', class: `path${state.focusPath === i ? ' active' : ''}`, 'data-testid': 'path', 'aria-pressed': state.focusPath === i ? 'true' : 'false',
        onclick: () => ctx.setFocusPath(state.focusPath === i ? null : i),
      }, p.map((id, j) => [j ? h('span', { class: 'arrow' }, ' → ') : null, h('span', { class: `path-step k-${kindOf(ix, id)}` }, nameOf(ix, id))])),
    )), s.paths.length > 50 ? h('li', { class: 'muted' }, `+${s.paths.length - 50} more`) : null) : h('p', { class: 'muted' }, 'No path reaches a route.'),
  );

  const stopped = s.stoppedBy.length || s.lostSideEffects?.length ? h('section', { class: 'card' },
    s.stoppedBy.length ? [h('h4', null, 'Stopped by'), h('ul', { class: 'plain' }, s.stoppedBy.map((x) => h('li', null,
      h('span', { class: 'tag ok' }, x.guard), ` ${nameOf(ix, x.from)} → ${nameOf(ix, x.to)}`,
      x.evidence?.[0] ? h('span', { class: 'loc' }, ` ${x.evidence[0].file}:${x.evidence[0].line}`) : null)))] : null,
    s.lostSideEffects?.length ? [h('h4', null, 'Side effects silently lost'), h('ul', { class: 'plain' }, s.lostSideEffects.map((x) => h('li', null,
      `${nameOf(ix, x.from)} → ${nameOf(ix, x.to)} · ${plural(x.entrypoints.length, 'route')}`,
      x.evidence[0] ? h('span', { class: 'loc' }, ` ${x.evidence[0].file}:${x.evidence[0].line}`) : null)))] : null,
  ) : null;

  const related = ix.findingsByElement.get(failed) ?? [];
  const relatedCard = related.length ? h('section', { class: 'card' },
    h('h4', null, `Findings on ${nameOf(ix, failed)} · ${related.length}`),
    h('ul', { class: 'plain' }, related.map((f) => h('li', null, h('span', { class: `sev sev-${f.severity}` }, f.severity), ' ', f.title))),
    h('button', { type: 'button', class: 'link', onclick: () => { ctx.state.filters.component = componentOf(ix, failed) ?? ''; ctx.setTab('findings'); } }, 'show in findings'),
  ) : null;

  replace(root,
    h('div', { class: 'scenario-head' },
      h('div', { class: 'scenario-title' }, dot(kindOf(ix, failed)), h('span', { class: 'scenario-name', 'data-testid': 'failed-name' }, nameOf(ix, failed)), h('span', { class: `tag mode-${s.mode}` }, s.mode)),
      h('button', { type: 'button', class: 'btn', 'data-testid': 'clear-failure-panel', onclick: () => ctx.clear() }, 'Clear'),
    ),
    facts,
    s.absorbed ? h('p', { class: 'absorbed', 'data-testid': 'absorbed' }, s.absorbed) : null,
    tiles,
    whatIf,
    ringList,
    paths,
    stopped,
    relatedCard,
  );
}

// ---------------------------------------------------------------- routes

export function renderRoutes(ctx: Ctx, root: HTMLElement): void {
  const { ix, state } = ctx;
  const s = ctx.computed?.after ?? null;
  const states = stateMap(s);
  const why = s?.why ?? {};
  const counts: Record<string, number> = { all: ix.entrypoints.length, down: 0, degraded: 0, delayed: 0, ok: 0 };
  for (const st of states.values()) counts[st]!++;
  const filter = s ? state.routeFilter : 'all';

  const chips = h('div', { class: 'seg small', role: 'group', 'aria-label': 'Route state filter' },
    (['all', ...STATES] as const).map((k) => h('button', {
      type: 'button', class: `seg-btn${filter === k ? ' on' : ''} f-${k}`, 'data-testid': `route-filter-${k}`, 'aria-pressed': filter === k ? 'true' : 'false',
      disabled: !s && k !== 'all',
      onclick: () => { state.routeFilter = k; ctx.rerender(); },
    }, `${k === 'all' ? 'all' : STATE_LABEL[k]} ${counts[k]}`)));

  const groups: HTMLElement[] = [];
  const compOrder = [...ix.runtimes, NO_RUNTIME].flatMap((g) => ix.componentsByGroup.get(g) ?? []);
  let shown = 0;
  for (const c of compOrder) {
    const rs = (ix.routesByComp.get(c) ?? []).filter((r) => matches(ctx, r) || (state.matches?.has(c) ?? false)).filter((r) => filter === 'all' || states.get(r) === filter);
    if (!rs.length) continue;
    shown += rs.length;
    const open = !state.routeGroupsClosed.has(c);
    const cc = { down: 0, degraded: 0, delayed: 0, ok: 0 };
    for (const r of rs) { const st = states.get(r); if (st) cc[st]++; }
    groups.push(h('div', { class: 'route-group', 'data-testid': 'route-group', 'data-node-id': c },
      h('button', {
        type: 'button', class: 'route-group-head', 'aria-expanded': open ? 'true' : 'false',
        onclick: () => { if (open) state.routeGroupsClosed.add(c); else state.routeGroupsClosed.delete(c); ctx.rerender(); },
      },
        h('span', { class: 'chev-txt' }, open ? '▾' : '▸'), dot('component'), h('span', { class: 'rg-name' }, nameOf(ix, c)),
        h('span', { class: 'rg-counts' },
          s ? STATES.filter((st) => cc[st]).map((st) => h('span', { class: `pill st-${st}` }, `${cc[st]} ${st}`)) : h('span', { class: 'muted' }, plural(rs.length, 'route')))),
      open ? rs.map((r) => {
        const node = ix.byId.get(r);
        const st = states.get(r);
        const method = node?.route?.method ?? (node?.trigger ?? 'entry');
        const label = node?.route ? node.route.path : (node?.name ?? r);
        const reason = st && st !== 'ok' ? why[r]?.reason : undefined;
        return h('div', { class: `route-row${st ? ` st-${st}` : ''}`, 'data-testid': 'route-row', 'data-node-id': r, 'data-state': st ?? 'none' },
          h('button', { type: 'button', class: 'route-main', title: r, onclick: () => ctx.focus(r) },
            h('span', { class: `method m-${method.toLowerCase().replace(/[^a-z]/g, '')}` }, method),
            h('span', { class: 'route-path' }, label)),
          h('span', { class: `pill st-${st ?? 'none'}`, 'data-testid': 'route-state' }, st ?? '—'),
          reason ? h('div', { class: 'route-why' }, reason) : null);
      }) : null,
    ));
  }
  replace(root,
    h('div', { class: 'panel-tools' }, chips, h('span', { class: 'muted small' }, s ? `${shown} shown` : 'fail a node to see route states')),
    groups.length ? groups : h('p', { class: 'empty' }, 'No route matches.'),
  );
}

// ---------------------------------------------------------------- findings

const SEV_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

export function renderFindings(ctx: Ctx, root: HTMLElement): void {
  const { ix, state, model } = ctx;
  const f = state.filters;
  const all = [...model.findings].sort((a, b) => SEV_RANK[a.severity] - SEV_RANK[b.severity] || a.priority.localeCompare(b.priority) || a.rule.localeCompare(b.rule) || a.id.localeCompare(b.id));
  const compOptions = [...new Set(all.map((x) => componentOf(ix, x.element)).filter((x): x is string => !!x))].sort((a, b) => nameOf(ix, a).localeCompare(nameOf(ix, b)));
  const list = all.filter((x) =>
    (!f.severity.size || f.severity.has(x.severity)) &&
    (!f.polarity.size || f.polarity.has(x.polarity)) &&
    (!f.category || x.category === f.category) &&
    (!f.component || componentOf(ix, x.element) === f.component) &&
    (!state.matches || !x.element || state.matches.has(x.element) || searchFinding(x, state.search)));

  const chipRow = <T extends string>(values: T[], set: Set<T>, name: string, count: (v: T) => number) =>
    h('div', { class: 'filter-row' }, h('span', { class: 'filter-l' }, name),
      values.map((v) => h('button', {
        type: 'button', class: `fchip ${name}-${v}${set.has(v) ? ' on' : ''}`, 'data-testid': `filter-${name}-${v}`, 'aria-pressed': set.has(v) ? 'true' : 'false',
        onclick: () => { if (set.has(v)) set.delete(v); else set.add(v); ctx.rerender(); },
      }, `${v} ${count(v)}`)));

  const catSel = h('select', { 'data-testid': 'filter-category', 'aria-label': 'Category' },
    h('option', { value: '' }, 'all categories'), CATEGORIES.map((c) => h('option', { value: c }, `${c} (${all.filter((x) => x.category === c).length})`))) as HTMLSelectElement;
  catSel.value = f.category;
  catSel.addEventListener('change', () => { f.category = catSel.value as Category | ''; ctx.rerender(); });
  const compSel = h('select', { 'data-testid': 'filter-component', 'aria-label': 'Component or element' },
    h('option', { value: '' }, 'all components'), compOptions.map((c) => h('option', { value: c }, `${nameOf(ix, c)} (${all.filter((x) => componentOf(ix, x.element) === c).length})`))) as HTMLSelectElement;
  compSel.value = f.component;
  compSel.addEventListener('change', () => { f.component = compSel.value; ctx.rerender(); });

  const filters = h('div', { class: 'filters' },
    chipRow(SEVERITIES, f.severity, 'severity', (v) => all.filter((x) => x.severity === v).length),
    chipRow(POLARITIES, f.polarity, 'polarity', (v) => all.filter((x) => x.polarity === v).length),
    h('div', { class: 'filter-row' }, catSel, compSel),
    h('div', { class: 'filter-row muted small', 'data-testid': 'findings-count' }, `showing ${list.length} of ${all.length}`,
      f.severity.size || f.polarity.size || f.category || f.component
        ? h('button', { type: 'button', class: 'link', onclick: () => { f.severity.clear(); f.polarity.clear(); f.category = ''; f.component = ''; ctx.rerender(); } }, 'clear filters') : null),
  );

  replace(root, filters, list.length ? list.map((x) => findingCard(ctx, x)) : h('p', { class: 'empty' }, 'No finding matches the filters.'));
}

function searchFinding(f: Finding, q: string): boolean {
  const s = q.toLowerCase();
  return [f.title, f.rule, f.impact, ...f.locations.map((l) => l.file)].some((x) => x.toLowerCase().includes(s));
}

function findingCard(ctx: Ctx, f: Finding): HTMLElement {
  const { ix } = ctx;
  return h('article', { class: `finding sev-${f.severity}${f.suppressed ? ' suppressed' : ''}`, 'data-testid': 'finding', 'data-severity': f.severity, 'data-polarity': f.polarity, 'data-category': f.category },
    h('div', { class: 'finding-head' },
      h('span', { class: `sev sev-${f.severity}` }, f.severity),
      h('span', { class: `tag pol-${f.polarity}` }, f.polarity),
      h('span', { class: 'tag' }, f.category),
      h('span', { class: 'rule' }, f.rule),
      h('span', { class: 'prio' }, `${f.priority} · effort ${f.effort}`)),
    h('h4', { class: 'finding-title' }, f.title),
    f.element ? h('div', { class: 'finding-el' }, 'Element: ',
      h('button', { type: 'button', class: 'el-link', title: f.element, onclick: () => ctx.focus(f.element!) }, nameOf(ix, f.element)),
      ix.byId.has(f.element) && ix.byId.get(f.element)!.kind !== 'entrypoint'
        ? h('button', { type: 'button', class: 'fail-btn', 'data-testid': 'finding-fail', onclick: () => ctx.fail(f.element!) }, 'fail it') : null) : null,
    h('p', { class: 'impact' }, h('b', null, 'Impact: '), f.impact),
    h('p', { class: 'reco' }, '→ ', f.recommendation),
    f.suppressed ? h('p', { class: 'muted small' }, `suppressed at ${f.suppressed.file}:${f.suppressed.line}: ${f.suppressed.reason}`) : null,
    f.locations.map((l) => h('div', { class: 'location' },
      h('div', { class: 'loc', 'data-testid': 'finding-location' }, `${l.file}:${l.line}${l.endLine && l.endLine !== l.line ? `-${l.endLine}` : ''}`),
      l.snippet ? h('pre', { class: 'snippet' }, h('code', null, l.snippet)) : null)),
  );
}
