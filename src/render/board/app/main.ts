// faultline board: reads the embedded model, draws the grouped architecture graph and
// recomputes failure scenarios in the browser with the CLI's propagation code.
import './styles.css';
import type { FailureMode, Model, Severity } from '../../../model/types.js';
import { h, replace } from './dom.js';
import { Engine, mitigationKey, type Mitigation } from './engine.js';
import { Graph } from './graph.js';
import { INFRA_KINDS, KIND_LABEL, NO_RUNTIME, buildIndex, groupId, kindOf, nameOf, type Index } from '../model-index.js';
import { initialView, viewKey, type Box, type PresetLayout } from '../visible.js';
import { SEVERITIES, renderFindings, renderRoutes, renderScenario, renderTree } from './panels.js';
import type { Ctx, State, Tab } from './state.js';

declare global {
  interface Window {
    __faultline?: {
      cy: unknown;
      fail(id: string, mode?: FailureMode): void;
      clear(): void;
      readyAt?: number;
    };
  }
}

function readModel(): Model {
  const el = document.getElementById('faultline-model');
  if (!el || !el.textContent) throw new Error('no embedded model (script#faultline-model)');
  const m = JSON.parse(el.textContent) as Model;
  if (!m || !Array.isArray(m.nodes) || !Array.isArray(m.edges)) throw new Error('the embedded model is not a faultline model');
  m.findings ??= [];
  m.scenarios ??= [];
  m.diagnostics ??= [];
  return m;
}

/** Positions of the opening view, laid out at render time (absent: ELK runs here). */
function readLayout(): PresetLayout | null {
  const el = document.getElementById('faultline-layout');
  if (!el || !el.textContent) return null;
  try {
    const l = JSON.parse(el.textContent) as PresetLayout;
    return l && typeof l.view === 'string' && l.pos && typeof l.pos === 'object' ? l : null;
  } catch {
    return null;
  }
}

function summaryLine(model: Model): string {
  const n = model.findings.length;
  const paths = new Set(model.scenarios.flatMap((s) => s.paths.map((p) => p.join('\u0000')))).size;
  const bySev = new Map<Severity, number>();
  for (const f of model.findings) bySev.set(f.severity, (bySev.get(f.severity) ?? 0) + 1);
  const sev = SEVERITIES.filter((s) => s !== 'info' && bySev.get(s)).map((s) => `${bySev.get(s)} ${s}`);
  return [`${n} finding${n === 1 ? '' : 's'}`, `${paths} traced path${paths === 1 ? '' : 's'}`, sev.length ? sev.join(', ') : 'no risks above info'].join(' · ');
}

function inventoryLine(ix: Index): string {
  const count = (k: string) => ix.model.nodes.filter((n) => n.kind === k).length;
  const bits: string[] = [];
  const add = (k: number, one: string, many: string) => { if (k) bits.push(`${k} ${k === 1 ? one : many}`); };
  add(count('runtime'), 'runtime', 'runtimes');
  add(count('component'), 'component', 'components');
  add(count('entrypoint'), 'entrypoint', 'entrypoints');
  add(count('datastore'), 'datastore', 'datastores');
  add(count('cache'), 'cache', 'caches');
  add(count('queue'), 'queue', 'queues');
  add(count('external'), 'external API', 'external APIs');
  const pol = new Map<string, number>();
  for (const f of ix.model.findings) pol.set(f.polarity, (pol.get(f.polarity) ?? 0) + 1);
  const p = ['risk', 'strength', 'opportunity', 'observation'].filter((k) => pol.get(k)).map((k) => `${pol.get(k)} ${k === 'opportunity' ? (pol.get(k) === 1 ? 'opportunity' : 'opportunities') : k + (pol.get(k) === 1 ? '' : 's')}`);
  return [bits.join(' · '), p.join(', ')].filter(Boolean).join('  —  ');
}

// Start-up is marked for bench/board.ts (performance.getEntriesByType('mark')):
// faultline:start → :model (parsed) → :dom (panels) → :graph (elements added, laid out) → :ready (drawn).
const mark = (name: string) => { try { performance.mark(`faultline:${name}`); } catch { /* no User Timing */ } };

function start(): void {
  mark('start');
  const app = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app' }));
  let model: Model;
  try {
    model = readModel();
    mark('model');
  } catch (e) {
    replace(app, h('div', { class: 'fatal' }, h('h2', null, 'faultline board'), h('p', null, String((e as Error).message))));
    document.documentElement.setAttribute('data-ready', 'error');
    return;
  }
  const ix = buildIndex(model);
  const engine = new Engine(model);

  const state: State = {
    mode: 'outage', failed: null, mitigations: [],
    // Keep big models readable: runtime groups with many components start collapsed.
    view: initialView(ix),
    search: '', matches: null, tab: 'scenario', routeFilter: 'all',
    routeGroupsClosed: new Set(), treeClosed: new Set(), focusPath: null, selected: null,
    filters: { severity: new Set(), polarity: new Set(), category: '', component: '' },
  };

  // ------------------------------------------------------------ layout skeleton
  const search = h('input', { type: 'search', class: 'search', 'data-testid': 'search', placeholder: 'Search nodes, routes, files…  (/)', 'aria-label': 'Search', spellcheck: 'false', autocomplete: 'off' }) as HTMLInputElement;
  const modeBtn = (m: FailureMode, label: string, hint: string) =>
    h('button', { type: 'button', class: 'seg-btn', 'data-testid': `mode-${m}`, title: hint, onclick: () => ctx.setMode(m) }, label);
  const modeSeg = h('div', { class: 'seg', role: 'group', 'aria-label': 'Failure mode' },
    modeBtn('outage', 'Outage', 'Calls to the failed node fail fast'),
    modeBtn('slowdown', 'Slowdown', 'Calls to the failed node hang'));
  const header = h('header', { class: 'top' },
    h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), h('span', { class: 'brand-name' }, 'faultline'), h('span', { class: 'root', title: 'scanned root' }, model.root)),
    h('div', { class: 'summary' }, h('div', { class: 'summary-main', 'data-testid': 'summary' }, summaryLine(model)), h('div', { class: 'summary-sub' }, inventoryLine(ix))),
    h('div', { class: 'controls' }, modeSeg, search),
  );
  const treeEl = h('div', { class: 'tree', 'data-testid': 'tree' });
  const left = h('aside', { class: 'left' },
    h('div', { class: 'panel-title' }, 'Explore', h('span', { class: 'panel-actions' },
      h('button', { type: 'button', class: 'link', 'data-testid': 'collapse-all', onclick: () => setAllGroups(true) }, 'collapse all'),
      h('button', { type: 'button', class: 'link', 'data-testid': 'expand-all', onclick: () => setAllGroups(false) }, 'expand all'))),
    treeEl);
  const cyEl = h('div', { class: 'cy', 'data-testid': 'graph' });
  const banner = h('div', { class: 'banner', 'data-testid': 'banner' });
  const tooltip = h('div', { class: 'tooltip', role: 'tooltip', hidden: true });
  const legend = h('div', { class: 'legend', 'aria-label': 'Legend' },
    h('div', { class: 'legend-row' }, h('span', { class: 'lg ring-0' }), 'failed', h('span', { class: 'lg ring-1' }), 'ring 1', h('span', { class: 'lg ring-2' }), 'ring 2', h('span', { class: 'lg ring-3' }), 'ring 3+'),
    h('div', { class: 'legend-row' }, h('span', { class: 'lg st-down' }), 'down', h('span', { class: 'lg st-degraded' }), 'degraded', h('span', { class: 'lg st-delayed' }), 'delayed', h('span', { class: 'lg st-ok' }), 'ok'),
    h('div', { class: 'legend-row' }, h('span', { class: 'ln ln-sync' }), 'sync', h('span', { class: 'ln ln-async' }), 'async', h('span', { class: 'ln ln-ff' }), 'fire & forget', h('span', { class: 'ln ln-path' }), 'traced path', h('span', { class: 'ln ln-stop' }), 'stopped'),
  );
  const toolbar = h('div', { class: 'toolbar' },
    h('button', { type: 'button', class: 'btn', title: 'Fit the graph', 'data-testid': 'fit', onclick: () => graph.fit() }, 'Fit'),
    h('button', { type: 'button', class: 'btn', title: 'Lay the graph out again', onclick: () => void rebuild(true) }, 'Re-layout'));
  const center = h('main', { class: 'center' }, cyEl, banner, toolbar, legend, tooltip);
  const tabBtn = (t: Tab, label: string) => h('button', { type: 'button', class: 'tab', role: 'tab', 'data-testid': `tab-${t}`, onclick: () => ctx.setTab(t) }, label);
  const tabs = h('div', { class: 'tabs', role: 'tablist' },
    tabBtn('scenario', 'Scenario'), tabBtn('routes', `Routes · ${ix.entrypoints.length}`), tabBtn('findings', `Findings · ${model.findings.length}`));
  const panelEl = h('div', { class: 'panel', role: 'tabpanel', 'data-testid': 'panel' });
  const right = h('aside', { class: 'right' }, tabs, panelEl);
  replace(app, h('div', { class: 'board', 'data-testid': 'board' }, header, left, center, right));

  // ------------------------------------------------------------ graph
  const graph = new Graph(cyEl, ix, {
    tap: (id) => {
      const v = graph.vnode(id);
      if (!v) return;
      if (v.failable) ctx.fail(v.kind === 'group' ? id : id);
      else if (v.kind === 'group' && !v.compound) ctx.toggleGroup(id);
    },
    dbltap: (id) => {
      const v = graph.vnode(id);
      if (!v) return;
      if (v.kind === 'component' && (ix.routesByComp.get(id)?.length ?? 0) > 0) ctx.toggleComponent(id);
      else if (v.kind === 'runtime' || v.kind === 'group') ctx.toggleGroup(id);
      else if (v.kind === 'entrypoint') {
        const c = ix.epComp.get(id);
        if (c) ctx.toggleComponent(c);
      }
    },
    hover: (id, x, y) => showTooltip(id, x, y),
  });

  function showTooltip(id: string | null, x: number, y: number): void {
    if (!id) { tooltip.hidden = true; return; }
    const v = graph.vnode(id);
    if (!v) { tooltip.hidden = true; return; }
    const n = ix.byId.get(id);
    const kind = kindOf(ix, id);
    const lines: (HTMLElement | null)[] = [
      h('div', { class: 'tt-title' }, nameOf(ix, id)),
      h('div', { class: 'tt-kind' }, [kind === 'group' ? 'group' : KIND_LABEL[kind], n?.tech].filter(Boolean).join(' · ')),
    ];
    if (v.members.length > 1) {
      const routes = v.members.filter((m) => ix.byId.get(m)?.kind === 'entrypoint').length;
      const comps = v.members.filter((m) => kindOf(ix, m) === 'component').length;
      lines.push(h('div', null, [comps && id !== v.members.find((m) => kindOf(ix, m) === 'component') ? `${comps} components` : '', routes ? `${routes} routes` : ''].filter(Boolean).join(' · ')));
    }
    if (n?.redundancy) lines.push(h('div', null, `replicas ${n.redundancy.replicas ?? 1}${n.redundancy.multiAz ? ' · multi-AZ' : ''}${n.redundancy.readReplica ? ' · read replica' : ''}`));
    for (const e of n?.evidence.slice(0, 3) ?? []) lines.push(h('div', { class: 'tt-loc' }, `${e.file}:${e.line}`));
    const why = ctx.computed?.after.why?.[id];
    if (why) lines.push(h('div', { class: 'tt-why' }, `${why.state}: ${why.reason}`));
    const f = ix.findingsByElement.get(id)?.length;
    if (f) lines.push(h('div', { class: 'tt-f' }, `${f} finding${f === 1 ? '' : 's'}`));
    lines.push(h('div', { class: 'tt-hint' }, v.failable ? `click: fail it (${state.mode})${v.kind === 'component' || v.kind === 'runtime' || v.kind === 'group' ? ' · double-click: expand/collapse' : ''}` : 'click: expand/collapse'));
    replace(tooltip, lines);
    tooltip.hidden = false;
    const W = cyEl.clientWidth;
    tooltip.style.left = `${Math.min(Math.max(8, x + 14), Math.max(8, W - 300))}px`;
    tooltip.style.top = `${Math.max(8, y + 14)}px`;
  }

  // ------------------------------------------------------------ actions
  // The opening view comes laid out from render time when the HTML carries its positions.
  const layout = readLayout();
  let preset: Map<string, Box> | null = layout && layout.view === viewKey(state.view)
    ? new Map(Object.entries(layout.pos).map(([id, [x, y, w, h]]): [string, Box] => [id, w === undefined ? { x: x!, y: y! } : { x: x!, y: y!, w, h }]))
    : null;
  let readyMarked = false;
  async function rebuild(fit: boolean, keep?: string): Promise<void> {
    const p = preset;
    preset = null;
    await graph.build(state.view, { fit, keep, preset: p });
    paint();
    if (!readyMarked) {
      readyMarked = true;
      mark('graph');
      // Ready once the graph is on the canvas: Cytoscape draws on the next animation frame
      // and emits "render" after drawing it.
      const ready = () => {
        window.clearTimeout(fallback);
        const w = window.__faultline;
        if (w) w.readyAt = performance.now();
        mark('ready');
        document.documentElement.setAttribute('data-ready', 'true');
        // No worker was needed to open; start it once the board has been idle a while, so
        // the first expand/collapse does not wait for ELK to boot.
        if (p) window.setTimeout(() => {
          if (typeof window.requestIdleCallback === 'function') window.requestIdleCallback(() => graph.warmLayout());
          else graph.warmLayout();
        }, 3000);
      };
      const fallback = window.setTimeout(() => { graph.cy.off('render', ready); ready(); }, 5000);
      graph.cy.one('render', ready);
    }
  }

  function setAllGroups(collapse: boolean): void {
    const all = [...ix.runtimes, NO_RUNTIME, ...INFRA_KINDS.map(groupId)];
    if (collapse) { for (const g of all) state.view.collapsed.add(g); state.view.expanded.clear(); }
    else state.view.collapsed.clear();
    void rebuild(true);
    renderPanels();
  }

  function recompute(): void {
    ctx.error = null;
    try {
      ctx.computed = state.failed ? engine.compute(state.failed, state.mode, state.mitigations) : null;
    } catch (e) {
      ctx.computed = null;
      ctx.error = e instanceof Error ? e.message : String(e);
    }
  }

  function paint(): void {
    graph.paint({ scenario: ctx.computed?.after ?? null, focusPath: state.focusPath, matches: state.matches, selected: state.selected });
  }

  function renderBanner(): void {
    const c = ctx.computed;
    if (!state.failed || !c) {
      replace(banner, h('span', { class: 'hint' }, 'Click a node to fail it · double-click a group to collapse or expand · search with /'));
      banner.classList.remove('active');
      return;
    }
    const s = c.after;
    banner.classList.add('active');
    replace(banner,
      h('span', { class: 'b-dot' }),
      h('span', { class: 'b-name' }, nameOf(ix, state.failed)),
      h('span', { class: `tag mode-${s.mode}` }, s.mode),
      h('span', { class: 'b-counts', 'data-testid': 'banner-counts' },
        h('b', { class: 'c-down' }, String(s.entrypoints.down.length)), ' down · ',
        h('b', { class: 'c-degraded' }, String(s.entrypoints.degraded.length)), ' degraded · ',
        h('b', { class: 'c-delayed' }, String(s.entrypoints.delayed.length)), ' delayed · ',
        h('b', { class: 'c-ok' }, String(s.entrypoints.ok.length)), ' ok · ',
        `${s.rings.length} rings · ${s.paths.length} paths`),
      c.whatIf ? h('span', { class: 'tag whatif-on' }, `what-if: ${state.mitigations.length}`) : null,
      h('button', { type: 'button', class: 'btn small', 'data-testid': 'clear-failure', onclick: () => ctx.clear() }, 'Clear ✕'),
    );
  }

  function renderPanels(): void {
    for (const b of modeSeg.querySelectorAll('button')) {
      const on = b.getAttribute('data-testid') === `mode-${state.mode}`;
      b.classList.toggle('on', on);
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
    }
    for (const b of tabs.querySelectorAll('button')) {
      const on = b.getAttribute('data-testid') === `tab-${state.tab}`;
      b.classList.toggle('on', on);
      b.setAttribute('aria-selected', on ? 'true' : 'false');
    }
    renderTree(ctx, treeEl);
    renderBanner();
    const scroll = panelEl.scrollTop;
    if (state.tab === 'scenario') renderScenario(ctx, panelEl);
    else if (state.tab === 'routes') renderRoutes(ctx, panelEl);
    else renderFindings(ctx, panelEl);
    panelEl.scrollTop = scroll;
  }

  function update(): void {
    recompute();
    paint();
    renderPanels();
  }

  const ctx: Ctx = {
    model, ix, state, computed: null, error: null,
    fail(id, mode) {
      if (!ix.byId.has(id)) return;
      if (mode) state.mode = mode;
      state.failed = id;
      state.focusPath = null;
      state.selected = null;
      if (state.tab === 'findings') state.tab = 'scenario';
      update();
    },
    clear() {
      state.failed = null;
      state.focusPath = null;
      update();
    },
    setMode(m) {
      state.mode = m;
      update();
    },
    toggleMitigations(ms: Mitigation[], on: boolean) {
      const keys = new Set(ms.map(mitigationKey));
      state.mitigations = state.mitigations.filter((m) => !keys.has(mitigationKey(m)));
      if (on) state.mitigations.push(...ms);
      update();
    },
    resetMitigations() {
      state.mitigations = [];
      update();
    },
    toggleGroup(id) {
      if (state.view.collapsed.has(id)) state.view.collapsed.delete(id);
      else state.view.collapsed.add(id);
      void rebuild(false, id);
      renderPanels();
    },
    toggleComponent(id) {
      if (state.view.expanded.has(id)) state.view.expanded.delete(id);
      else {
        state.view.expanded.add(id);
        const g = ix.compGroup.get(id);
        if (g) state.view.collapsed.delete(g);
      }
      void rebuild(false, id);
      renderPanels();
    },
    focus(id) {
      state.selected = id;
      paint();
      graph.focusOn(id);
    },
    setTab(t) {
      state.tab = t;
      renderPanels();
    },
    setFocusPath(i) {
      state.focusPath = i;
      paint();
      renderPanels();
      const p = i === null ? null : ctx.computed?.after.paths[i];
      if (p) graph.fitTo(p);
    },
    rerender() {
      paint();
      renderPanels();
    },
  };

  // ------------------------------------------------------------ search
  const haystack = new Map<string, string>();
  for (const n of model.nodes) {
    haystack.set(n.id, [n.id, n.name, n.tech ?? '', n.route ? `${n.route.method} ${n.route.path}` : '', ...n.evidence.slice(0, 4).map((e) => e.file)].join('\n').toLowerCase());
  }
  for (const [id, name] of ix.virtual) haystack.set(id, name.toLowerCase());
  let searchTimer = 0;
  search.addEventListener('input', () => {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(() => {
      const q = search.value.trim().toLowerCase();
      state.search = q;
      if (!q) state.matches = null;
      else {
        const m = new Set<string>();
        for (const [id, text] of haystack) if (text.includes(q)) m.add(id);
        state.matches = m;
      }
      ctx.rerender();
    }, 120);
  });
  search.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && state.matches && state.matches.size) {
      // Expand the few components whose routes matched, then fit the graph to the hits.
      const comps = new Set<string>();
      for (const id of state.matches) if (ix.byId.get(id)?.kind === 'entrypoint') comps.add(ix.epComp.get(id)!);
      let changed = false;
      if (comps.size && comps.size <= 4) for (const c of comps) if (!state.view.expanded.has(c)) { state.view.expanded.add(c); changed = true; }
      const fit = () => graph.fitTo([...state.matches!]);
      if (changed) void rebuild(false).then(fit);
      else fit();
      renderPanels();
    } else if (ev.key === 'Escape') {
      search.value = '';
      search.dispatchEvent(new Event('input'));
      search.blur();
    }
  });
  document.addEventListener('keydown', (ev) => {
    const t = ev.target as HTMLElement | null;
    const typing = t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA');
    if (ev.key === '/' && !typing) { ev.preventDefault(); search.focus(); }
    else if (ev.key === 'Escape' && !typing) {
      if (state.focusPath !== null) ctx.setFocusPath(null);
      else if (state.failed) ctx.clear();
    }
  });

  window.__faultline = { cy: graph.cy, fail: (id, mode) => ctx.fail(id, mode), clear: () => ctx.clear() };
  renderPanels();
  mark('dom');
  void rebuild(true);
  window.addEventListener('resize', () => graph.cy.resize());
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
