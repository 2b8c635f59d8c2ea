// The architecture graph: which elements are visible given the collapse state (../visible.ts),
// how they are laid out (ELK, one layout per compound level; the opening view comes laid
// out from render time) and how a scenario paints them.
// Labels are drawn on a canvas by Cytoscape, so repository strings never become markup.
import cytoscape from 'cytoscape';
import ELK from 'elkjs/lib/elk-api.js';
// ELK's layout engine, run in a Web Worker made from this inlined source (a blob: URL, so
// nothing is fetched). Started on the first expand/collapse, not at load: the opening view
// is laid out at render time (src/render/html.ts) and needs no worker.
import elkWorkerSource from 'elkjs/lib/elk-worker.min.js?raw';
import type { Scenario } from '../../../model/types.js';
import { kindOf, ringMap, stateMap, type Index } from '../model-index.js';
import { complete, computeVisible, elkGraph, gridLayout, positionsOf, type Box, type ElkNode, type Visible, type VEdge, type VNode, type View } from '../visible.js';

export type { View };

interface LayoutEngine {
  layout(g: ElkNode): Promise<ElkNode>;
}

let workerError: Promise<never> | null = null;
function startElk(): LayoutEngine | null {
  try {
    const url = URL.createObjectURL(new Blob([elkWorkerSource], { type: 'text/javascript' }));
    let fail: (e: Error) => void = () => {};
    workerError = new Promise<never>((_, reject) => { fail = reject; });
    workerError.catch(() => {});
    return new ELK({
      algorithms: ['layered', 'rectpacking'],
      workerFactory: () => {
        const w = new Worker(url);
        w.addEventListener('error', (e) => fail(new Error(`ELK worker failed: ${e.message}`)));
        return w;
      },
    }) as unknown as LayoutEngine;
  } catch {
    return null;
  }
}
let elkEngine: LayoutEngine | null | undefined;
/** The worker, started on first use (or early, when the page has nothing else to do). */
export function elk(): LayoutEngine | null {
  if (elkEngine === undefined) elkEngine = startElk();
  return elkEngine;
}

const FONT = '"Inter", "Segoe UI", system-ui, -apple-system, "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif';

export interface GraphEvents {
  tap(id: string): void;
  dbltap(id: string): void;
  hover(id: string | null, x: number, y: number): void;
}

export interface Paint {
  scenario: Scenario | null;
  focusPath: number | null;
  matches: Set<string> | null;
  selected: string | null;
}

export class Graph {
  readonly cy: cytoscape.Core;
  private vnodes = new Map<string, VNode>();
  private vedges = new Map<string, VEdge>();
  private repOf = new Map<string, string>();
  private layoutSeq = 0;
  /** many edges: draw them thin, straight and faint until a scenario picks some out */
  private bulk = false;

  constructor(private container: HTMLElement, private ix: Index, events: GraphEvents) {
    this.cy = cytoscape({
      container,
      style: STYLE,
      minZoom: 0.05,
      maxZoom: 3,
      boxSelectionEnabled: false,
      autoungrabify: true,
      selectionType: 'single',
      textureOnViewport: false,
      pixelRatio: 'auto',
    });
    this.cy.on('tap', 'node', (e) => events.tap(e.target.id()));
    this.cy.on('dbltap', 'node', (e) => events.dbltap(e.target.id()));
    this.cy.on('mouseover', 'node', (e) => {
      const p = e.renderedPosition ?? e.target.renderedPosition();
      events.hover(e.target.id(), p.x, p.y);
    });
    this.cy.on('mouseout', 'node', () => events.hover(null, 0, 0));
    this.cy.on('viewport', () => events.hover(null, 0, 0));
  }

  /** The visible node that stands for a model id. */
  rep(id: string): string | undefined {
    return this.repOf.get(id);
  }

  vnode(id: string): { id: string; kind: string; failable: boolean; members: string[]; compound: boolean } | undefined {
    return this.vnodes.get(id);
  }

  /**
   * Rebuild the visible graph for a collapse state and lay it out. Resolves after layout.
   * With `preset` positions for every visible node (the opening view, laid out at render
   * time), ELK does not run at all.
   */
  async build(view: View, opts: { fit: boolean; keep?: string; preset?: Map<string, Box> | null } = { fit: true }): Promise<void> {
    const seq = ++this.layoutSeq;
    const vis = computeVisible(this.ix, view);
    this.vnodes = vis.vnodes;
    this.vedges = vis.vedges;
    this.repOf = vis.repOf;
    this.bulk = vis.bulk;
    const cy = this.cy;
    const preset = opts.preset && complete(vis, opts.preset) ? opts.preset : null;
    const keepBefore = opts.keep ? cy.getElementById(opts.keep) : null;
    const keepRendered = keepBefore && keepBefore.nonempty() ? { ...keepBefore.renderedPosition() } : null;
    const positions = preset ?? (await this.layout(vis));
    if (seq !== this.layoutSeq) return;
    this.replaceElements(positions);
    if (opts.fit || this.vnodes.size <= 60) cy.fit(undefined, 30);
    else if (opts.keep && keepRendered) {
      const after = cy.getElementById(opts.keep);
      if (after.nonempty()) {
        const r = after.renderedPosition();
        cy.panBy({ x: keepRendered.x - r.x, y: keepRendered.y - r.y });
      }
    }
  }

  /** Start the layout worker and lay the current view out once (off the main thread), to warm it up. */
  warmLayout(): void {
    const engine = elk();
    if (engine) engine.layout(elkGraph({ vnodes: this.vnodes, vedges: this.vedges, repOf: this.repOf, bulk: this.bulk })).catch(() => {});
  }

  /** Group boxes are plain nodes sized by the layout, drawn behind their members (see ../visible.ts). */
  private replaceElements(positions: Map<string, Box>): void {
    const cy = this.cy;
    const els: cytoscape.ElementDefinition[] = [];
    for (const v of this.vnodes.values()) {
      const p = positions.get(v.id) ?? { x: 0, y: 0 };
      els.push({
        group: 'nodes',
        data: { id: v.id, label: this.label(v, ''), w: v.compound ? p.w ?? v.w : v.w, h: v.compound ? p.h ?? v.h : v.h },
        classes: this.baseClasses(v).join(' '),
        position: { x: p.x, y: p.y },
      });
    }
    for (const e of this.vedges.values()) {
      els.push({
        group: 'edges',
        data: { id: e.id, source: e.source, target: e.target, label: '' },
        classes: this.edgeClasses(e).join(' '),
      });
    }
    cy.batch(() => {
      cy.elements().remove();
      cy.add(els);
    });
  }

  private async layout(vis: Visible): Promise<Map<string, Box>> {
    const root = elkGraph(vis);
    let out: ElkNode;
    try {
      const engine = elk();
      if (!engine || !workerError) throw new Error('no layout worker');
      let timer = 0;
      const timeout = new Promise<never>((_, reject) => { timer = window.setTimeout(() => reject(new Error('ELK layout timed out')), 20000); });
      out = await Promise.race([engine.layout(root), workerError, timeout]);
      window.clearTimeout(timer);
    } catch {
      out = gridLayout(root);
    }
    return positionsOf(out);
  }

  private baseClasses(v: VNode): string[] {
    const out = [`k-${v.kind}`];
    if (v.compound) out.push('compound');
    if (!v.compound && v.kind === 'runtime') out.push('collapsed');
    if (!v.compound && v.kind === 'group') out.push('collapsed');
    return out;
  }

  private edgeClasses(e: VEdge): string[] {
    const out: string[] = [];
    if (e.modes.has('sync')) out.push('m-sync');
    else if (e.modes.has('async')) out.push('m-async');
    else out.push('m-ff');
    if (e.guarded) out.push('guarded');
    if (this.bulk) out.push('bulk');
    return out;
  }

  private label(v: VNode, status: string): string {
    if (v.compound) return v.title;
    const second = [v.sub, status].filter(Boolean).join(' · ');
    return second ? `${v.title}\n${second}` : v.title;
  }

  /** Paint a scenario (or nothing) onto the current elements. */
  paint(p: Paint): void {
    const ix = this.ix;
    const s = p.scenario;
    const rings = ringMap(s);
    const states = stateMap(s);
    const focus = s && p.focusPath !== null ? s.paths[p.focusPath] : undefined;
    const focusNodes = new Set((focus ?? []).map((id) => this.repOf.get(id)).filter((x): x is string => !!x));
    const edgeFor = (a: string, b: string) => {
      const ra = this.repOf.get(a);
      const rb = this.repOf.get(b);
      if (!ra || !rb || ra === rb) return undefined;
      return this.vedges.get(`${ra}\u0000${rb}`)?.id;
    };
    const pathEdges = new Set<string>();
    const pathNodes = new Set<string>();
    for (const path of (s?.paths ?? []).slice(0, 300)) for (const id of path) {
      const r = this.repOf.get(id);
      if (r) pathNodes.add(r);
    }
    const focusEdges = new Set<string>();
    for (const path of (s?.paths ?? []).slice(0, 300)) for (let i = 0; i + 1 < path.length; i++) {
      const id = edgeFor(path[i]!, path[i + 1]!);
      if (id) pathEdges.add(id);
    }
    if (focus) for (let i = 0; i + 1 < focus.length; i++) {
      const id = edgeFor(focus[i]!, focus[i + 1]!);
      if (id) focusEdges.add(id);
    }
    const stopped = new Map<string, string>();
    for (const sb of s?.stoppedBy ?? []) {
      const id = edgeFor(sb.from, sb.to);
      if (id) stopped.set(id, sb.guard);
    }
    const matchReps = p.matches ? new Set([...p.matches].map((m) => this.repOf.get(m)).filter((x): x is string => !!x)) : null;
    const failedRep = s ? this.repOf.get(s.failed) : undefined;

    this.cy.batch(() => {
      for (const v of this.vnodes.values()) {
        const el = this.cy.getElementById(v.id);
        if (el.empty()) continue;
        const cls = this.baseClasses(v);
        let status = '';
        if (s) {
          let ring = Infinity;
          for (const m of v.members) {
            const r = rings.get(m);
            if (r !== undefined && r < ring) ring = r;
          }
          if (v.id === failedRep) cls.push('failed');
          else if (ring !== Infinity) cls.push(`ring-${Math.min(ring, 3)}`);
          const counts = { down: 0, degraded: 0, delayed: 0, ok: 0 };
          let routes = 0;
          for (const m of v.members) {
            const st = states.get(m);
            if (st) { counts[st]++; routes++; }
          }
          if (v.kind === 'entrypoint') {
            const st = states.get(v.id);
            if (st) cls.push(`st-${st}`);
          } else if (routes) {
            const bits: string[] = [];
            if (counts.down) bits.push(`${counts.down} down`);
            if (counts.degraded) bits.push(`${counts.degraded} degraded`);
            if (counts.delayed) bits.push(`${counts.delayed} delayed`);
            if (!bits.length) bits.push('all ok');
            status = bits.join(' · ');
          }
          const unaffected = v.id !== failedRep && ring === Infinity && !v.compound && !pathNodes.has(v.id);
          if (unaffected && v.kind !== 'entrypoint' && routes > 0 && counts.ok === routes) cls.push('all-ok');
          else if (unaffected && !(v.kind === 'entrypoint' && states.get(v.id) === 'ok')) cls.push('dim');
        }
        if (matchReps) cls.push(matchReps.has(v.id) ? 'match' : 'faded');
        if (focus) cls.push(focusNodes.has(v.id) ? 'focus' : 'faded');
        if (p.selected && this.repOf.get(p.selected) === v.id) cls.push('selected');
        el.classes(cls.join(' '));
        const label = this.label(v, status);
        if (el.data('label') !== label) el.data('label', label);
      }
      for (const e of this.vedges.values()) {
        const el = this.cy.getElementById(e.id);
        if (el.empty()) continue;
        const cls = this.edgeClasses(e);
        if (pathEdges.has(e.id)) cls.push('path');
        if (stopped.has(e.id)) cls.push('stopped');
        if (focus) cls.push(focusEdges.has(e.id) ? 'focus' : 'faded');
        else if (matchReps && !(matchReps.has(e.source) || matchReps.has(e.target))) cls.push('faded');
        if (s && !pathEdges.has(e.id) && !stopped.has(e.id) && !focus) cls.push('quiet');
        const label = stopped.size <= 4 ? (stopped.get(e.id) ?? '') : '';
        if (label) cls.push('labelled');
        if (el.data('label') !== label) el.data('label', label);
        el.classes(cls.join(' '));
      }
    });
  }

  focusOn(id: string): void {
    const r = this.repOf.get(id);
    if (!r) return;
    const el = this.cy.getElementById(r);
    if (el.empty()) return;
    this.cy.animate({ center: { eles: el }, zoom: Math.max(this.cy.zoom(), 0.9) }, { duration: 250 });
    el.flashClass('flash', 900);
  }

  fitTo(ids: string[]): void {
    const reps = new Set(ids.map((i) => this.repOf.get(i)).filter((x): x is string => !!x));
    let col = this.cy.collection();
    for (const r of reps) col = col.union(this.cy.getElementById(r));
    if (col.nonempty()) this.cy.animate({ fit: { eles: col, padding: 60 } }, { duration: 250 });
  }

  fit(): void {
    this.cy.fit(undefined, 30);
  }

  kindOf(id: string): string {
    return this.vnodes.get(id)?.kind ?? kindOf(this.ix, id);
  }
}

const C = {
  text: '#e2e8f0',
  muted: '#94a3b8',
  edge: '#5b6b85',
  red: '#ef4444',
  orange: '#f97316',
  amber: '#f59e0b',
  yellow: '#facc15',
  green: '#22c55e',
  violet: '#a78bfa',
};

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'font-family': FONT,
      'font-size': 11,
      color: C.text,
      'text-wrap': 'wrap',
      'text-valign': 'center',
      'text-halign': 'center',
      'line-height': 1.35,
      width: 'data(w)',
      height: 'data(h)',
      shape: 'round-rectangle',
      'background-color': '#1e293b',
      'border-width': 1.5,
      'border-color': '#475569',
      // Group boxes are plain nodes (not compounds): order by z-index only, boxes at the
      // back, then edges, then the nodes they contain.
      'z-index-compare': 'manual',
      'z-index': 30,
    } as cytoscape.Css.Node,
  },
  { selector: 'node.k-client', style: { 'background-color': '#1f2a3d', 'border-color': '#94a3b8', shape: 'round-rectangle' } },
  { selector: 'node.k-component', style: { 'background-color': '#13294b', 'border-color': '#3b82f6' } },
  { selector: 'node.k-entrypoint', style: { 'background-color': '#162033', 'border-color': '#3b4a63', 'font-size': 10, 'font-family': '"DejaVu Sans Mono", Menlo, Consolas, monospace', shape: 'round-rectangle' } },
  { selector: 'node.k-datastore', style: { shape: 'barrel', 'background-color': '#2a1d4a', 'border-color': '#a78bfa' } },
  { selector: 'node.k-cache', style: { shape: 'barrel', 'background-color': '#0f3a3a', 'border-color': '#2dd4bf' } },
  { selector: 'node.k-queue', style: { shape: 'cut-rectangle', 'background-color': '#3a2a0c', 'border-color': '#fbbf24' } },
  { selector: 'node.k-external', style: { shape: 'round-octagon', 'background-color': '#3d1530', 'border-color': '#f472b6' } },
  { selector: 'node.k-runtime.collapsed', style: { 'background-color': '#1c2536', 'border-color': '#60a5fa', 'border-style': 'dashed', 'border-width': 2 } },
  { selector: 'node.k-group.collapsed', style: { 'background-color': '#1a2130', 'border-color': '#64748b', 'border-style': 'dashed', 'border-width': 2 } },
  {
    selector: 'node.compound',
    style: {
      // the title sits inside the box, in the top padding the layout reserved for it
      'text-valign': 'top',
      'text-halign': 'center',
      'text-margin-y': 30,
      'font-size': 12,
      'font-weight': 600,
      color: C.muted,
      'background-color': '#0f172a',
      'background-opacity': 0.55,
      'border-color': '#334155',
      'border-width': 1,
      shape: 'round-rectangle',
      'z-index': 0,
    } as cytoscape.Css.Node,
  },
  { selector: 'node.compound.k-runtime', style: { 'border-color': '#3b82f6', 'border-style': 'dashed', 'border-width': 1.5, 'background-color': '#0c1a33', color: '#93c5fd' } },
  { selector: 'node.compound.k-component', style: { 'border-color': '#2563eb', 'background-color': '#0e1f3d', color: '#bfdbfe', 'z-index': 1 } },
  { selector: 'node.compound.k-group', style: { 'border-color': '#334155', color: C.muted } },
  // scenario
  { selector: 'node.ring-1', style: { 'border-color': C.orange, 'border-width': 3, 'background-color': '#4a1f0a' } },
  { selector: 'node.ring-2', style: { 'border-color': C.amber, 'border-width': 3, 'background-color': '#3f2a08' } },
  { selector: 'node.ring-3', style: { 'border-color': C.yellow, 'border-width': 2.5, 'background-color': '#3a3310' } },
  { selector: 'node.compound.ring-1, node.compound.ring-2, node.compound.ring-3', style: { 'background-color': '#1a1208', 'background-opacity': 0.6 } },
  { selector: 'node.st-ok', style: { 'border-color': C.green, 'border-width': 2.5, 'background-color': '#0d2a1a' } },
  { selector: 'node.st-delayed', style: { 'border-color': C.violet, 'border-width': 2.5, 'background-color': '#231a40' } },
  { selector: 'node.st-degraded', style: { 'border-color': C.orange, 'border-width': 2.5, 'background-color': '#40200c' } },
  { selector: 'node.st-down', style: { 'border-color': C.red, 'border-width': 3, 'background-color': '#4a1111' } },
  { selector: 'node.failed', style: { 'border-color': '#fca5a5', 'border-width': 4, 'background-color': '#b91c1c', color: '#fff', 'font-weight': 700, 'underlay-color': C.red, 'underlay-opacity': 0.35, 'underlay-padding': 8 } as cytoscape.Css.Node },
  { selector: 'node.dim', style: { opacity: 0.35 } },
  { selector: 'node.all-ok', style: { 'border-color': '#2f9e5f', 'border-width': 2, opacity: 0.8 } },
  { selector: 'node.match', style: { 'underlay-color': '#38bdf8', 'underlay-opacity': 0.45, 'underlay-padding': 6 } as cytoscape.Css.Node },
  { selector: 'node.selected', style: { 'underlay-color': '#e2e8f0', 'underlay-opacity': 0.25, 'underlay-padding': 6 } as cytoscape.Css.Node },
  { selector: 'node.faded', style: { opacity: 0.15 } },
  { selector: 'node.focus', style: { opacity: 1 } },
  { selector: 'node.flash', style: { 'underlay-color': '#38bdf8', 'underlay-opacity': 0.6, 'underlay-padding': 10 } as cytoscape.Css.Node },
  {
    selector: 'edge',
    style: {
      width: 1.4,
      'line-color': C.edge,
      'target-arrow-color': C.edge,
      'target-arrow-shape': 'triangle',
      'arrow-scale': 0.8,
      'curve-style': 'bezier',
      opacity: 0.75,
      'z-index-compare': 'manual',
      'z-index': 5,
    } as cytoscape.Css.Edge,
  },
  // Only the few edges that carry a label (a guard that stopped the failure) get the text
  // properties: every property on every edge is work for Cytoscape at start-up and on each paint.
  {
    selector: 'edge.labelled',
    style: {
      label: 'data(label)',
      'font-size': 9,
      'font-family': FONT,
      color: '#86efac',
      'text-rotation': 'autorotate',
      'text-margin-y': -8,
      'text-background-color': '#0b1020',
      'text-background-opacity': 0.85,
      'text-background-padding': '2px',
    } as cytoscape.Css.Edge,
  },
  { selector: 'edge.m-async', style: { 'line-style': 'dashed' } },
  { selector: 'edge.m-ff', style: { 'line-style': 'dotted' } },
  { selector: 'edge.guarded', style: { 'line-color': '#3f8f66', 'target-arrow-color': '#3f8f66' } },
  { selector: 'edge.bulk', style: { opacity: 0.16, width: 1, 'curve-style': 'straight', 'arrow-scale': 0.6 } },
  { selector: 'edge.quiet', style: { opacity: 0.2 } },
  { selector: 'edge.bulk.quiet', style: { opacity: 0.07 } },
  { selector: 'edge.path', style: { 'line-color': '#f43f5e', 'target-arrow-color': '#f43f5e', width: 3, opacity: 1, 'z-index': 10 } },
  { selector: 'edge.stopped', style: { 'line-color': C.green, 'target-arrow-color': C.green, width: 3, opacity: 1, 'z-index': 11, 'target-arrow-shape': 'tee' } },
  { selector: 'edge.faded', style: { opacity: 0.06 } },
  { selector: 'edge.focus', style: { 'line-color': '#fb7185', 'target-arrow-color': '#fb7185', width: 5, opacity: 1, 'z-index': 20 } },
];
