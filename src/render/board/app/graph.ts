// The architecture graph: which elements are visible given the collapse state, how they
// are laid out (ELK, one layout per compound level) and how a scenario paints them.
// Labels are drawn on a canvas by Cytoscape, so repository strings never become markup.
import cytoscape from 'cytoscape';
import ELK, { type ElkExtendedEdge, type ElkNode } from 'elkjs/lib/elk-api.js';
// ELK's layout engine, run in a Web Worker made from this inlined source (a blob: URL, so
// nothing is fetched): it parses and lays out in parallel with the page's own start-up.
import elkWorkerSource from 'elkjs/lib/elk-worker.min.js?raw';
import type { Scenario } from '../../../model/types.js';
import { INFRA_KINDS, INFRA_LABEL, NO_RUNTIME, groupId, kindOf, nameOf, ringMap, stateMap, type Index } from './model-index.js';

export interface View {
  /** runtime and infrastructure groups drawn as one node */
  collapsed: Set<string>;
  /** components whose routes are drawn */
  expanded: Set<string>;
}

interface VNode {
  id: string;
  parent: string | null;
  kind: string;
  compound: boolean;
  /** first label line (the name) and the static second line */
  title: string;
  sub: string;
  /** model ids this visible node stands for (itself included) */
  members: string[];
  w: number;
  h: number;
  /** can be failed by clicking it */
  failable: boolean;
}

interface VEdge {
  id: string;
  source: string;
  target: string;
  count: number;
  modes: Set<string>;
  guarded: boolean;
}

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
    });
  } catch {
    return null;
  }
}
// Started as soon as the bundle runs.
const ELK_ENGINE = startElk();

/** Used only when no worker can be started: rows of grid-packed groups. */
function gridLayout(root: ElkNode): ElkNode {
  const place = (n: ElkNode): void => {
    const kids = n.children ?? [];
    if (!kids.length) return;
    for (const k of kids) place(k);
    const isRoot = n.id === '__root';
    const cols = isRoot ? kids.length : Math.max(1, Math.ceil(Math.sqrt(kids.length * 1.4)));
    const pad = isRoot ? 20 : 16;
    const top = isRoot ? 20 : 42;
    let x = pad, y = top, rowH = 0, maxW = 0, col = 0;
    for (const k of kids) {
      if (col === cols) { col = 0; x = pad; y += rowH + 16; rowH = 0; }
      k.x = x; k.y = y;
      x += (k.width ?? 0) + (isRoot ? 90 : 14);
      rowH = Math.max(rowH, k.height ?? 0);
      maxW = Math.max(maxW, x);
      col++;
    }
    n.width = maxW + pad;
    n.height = y + rowH + pad;
  };
  place(root);
  return root;
}

const FONT = '"Inter", "Segoe UI", system-ui, -apple-system, "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif';
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

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

  /** Rebuild the visible graph for a collapse state and lay it out. Resolves after layout. */
  async build(view: View, opts: { fit: boolean; keep?: string } = { fit: true }): Promise<void> {
    const seq = ++this.layoutSeq;
    this.computeVisible(view);
    const cy = this.cy;
    // Posts the graph to the layout worker now; the work below overlaps with it.
    const layout = this.layout();
    const first = cy.elements().empty();
    const keepBefore = opts.keep ? cy.getElementById(opts.keep) : null;
    const keepRendered = keepBefore && keepBefore.nonempty() ? { ...keepBefore.renderedPosition() } : null;
    if (first) {
      // First build: add the elements hidden while the worker lays them out, so that
      // Cytoscape's slowest first step (measuring every label) runs in parallel.
      this.container.style.visibility = 'hidden';
      this.replaceElements(new Map());
      cy.nodes().boundingBox();
    }
    const positions = await layout;
    if (seq !== this.layoutSeq) return;
    if (first) {
      cy.batch(() => {
        cy.nodes().forEach((n) => {
          const p = positions.get(n.id());
          if (p && n.isChildless()) n.position(p);
        });
      });
    } else {
      this.replaceElements(positions);
    }
    if (opts.fit || this.vnodes.size <= 60) cy.fit(undefined, 30);
    else if (opts.keep && keepRendered) {
      const after = cy.getElementById(opts.keep);
      if (after.nonempty()) {
        const r = after.renderedPosition();
        cy.panBy({ x: keepRendered.x - r.x, y: keepRendered.y - r.y });
      }
    }
    this.container.style.visibility = '';
  }

  private replaceElements(positions: Map<string, { x: number; y: number }>): void {
    const cy = this.cy;
    const els: cytoscape.ElementDefinition[] = [];
    for (const v of this.vnodes.values()) {
      els.push({
        group: 'nodes',
        data: { id: v.id, parent: v.parent ?? undefined, label: this.label(v, ''), w: v.w, h: v.h },
        classes: this.baseClasses(v).join(' '),
        position: positions.get(v.id) ?? { x: 0, y: 0 },
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

  private computeVisible(view: View): void {
    const ix = this.ix;
    const vnodes = new Map<string, VNode>();
    const rep = new Map<string, string>();
    const add = (v: Omit<VNode, 'w' | 'h'>) => {
      const lines = [v.title, v.sub].filter(Boolean);
      const longest = Math.max(...lines.map((l) => l.length), v.kind === 'component' ? 18 : 6);
      const w = Math.round(Math.min(260, Math.max(70, longest * 6.7 + 28)));
      const h = v.kind === 'entrypoint' ? 30 : 24 + lines.length * 15 + (v.kind === 'datastore' || v.kind === 'cache' ? 8 : 0);
      vnodes.set(v.id, { ...v, w, h });
      for (const m of v.members) rep.set(m, v.id);
    };
    const tech = (id: string) => {
      const t = ix.byId.get(id)?.tech ?? '';
      return t && t !== ix.byId.get(id)?.name ? clip(t, 30) : '';
    };

    for (const c of ix.clients) add({ id: c, parent: null, kind: 'client', compound: false, title: clip(nameOf(ix, c), 34), sub: tech(c), members: [c], failable: true });

    const groups = [...ix.runtimes];
    if (ix.componentsByGroup.has(NO_RUNTIME)) groups.push(NO_RUNTIME);
    for (const g of groups) {
      const comps = ix.componentsByGroup.get(g) ?? [];
      const isRuntime = g !== NO_RUNTIME;
      const routes = comps.flatMap((c) => ix.routesByComp.get(c) ?? []);
      const gName = clip(nameOf(ix, g), 40);
      if (!comps.length || view.collapsed.has(g)) {
        const sub = comps.length ? `${comps.length} component${comps.length === 1 ? '' : 's'} · ${routes.length} route${routes.length === 1 ? '' : 's'}` : tech(g);
        add({ id: g, parent: null, kind: isRuntime ? 'runtime' : 'group', compound: false, title: gName, sub, members: [g, ...comps, ...routes], failable: isRuntime });
        continue;
      }
      add({ id: g, parent: null, kind: isRuntime ? 'runtime' : 'group', compound: true, title: isRuntime ? `${gName}${tech(g) ? ` · ${tech(g)}` : ''}` : gName, sub: '', members: [g], failable: isRuntime });
      for (const c of comps) {
        const rs = ix.routesByComp.get(c) ?? [];
        const cName = clip(nameOf(ix, c), 34);
        const failable = !ix.virtual.has(c);
        if (rs.length && view.expanded.has(c)) {
          add({ id: c, parent: g, kind: 'component', compound: true, title: `${cName} · ${rs.length} route${rs.length === 1 ? '' : 's'}`, sub: '', members: [c], failable });
          for (const r of rs) add({ id: r, parent: c, kind: 'entrypoint', compound: false, title: clip(nameOf(ix, r), 44), sub: '', members: [r], failable: true });
        } else {
          add({ id: c, parent: g, kind: 'component', compound: false, title: cName, sub: rs.length ? `${rs.length} route${rs.length === 1 ? '' : 's'}` : '', members: [c, ...rs], failable });
        }
      }
    }

    for (const k of INFRA_KINDS) {
      const ids = ix.infra[k];
      if (!ids.length) continue;
      const gid = groupId(k);
      if (view.collapsed.has(gid)) {
        add({ id: gid, parent: null, kind: 'group', compound: false, title: INFRA_LABEL[k], sub: `${ids.length} ${k === 'external' ? 'APIs' : 'nodes'}`, members: ids, failable: false });
        continue;
      }
      add({ id: gid, parent: null, kind: 'group', compound: true, title: INFRA_LABEL[k], sub: '', members: [], failable: false });
      for (const id of ids) add({ id, parent: gid, kind: k, compound: false, title: clip(nameOf(ix, id), 34), sub: tech(id), members: [id], failable: true });
    }

    // Aggregate model edges onto visible nodes; containment replaces runs_on and
    // route → handler edges.
    const ancestors = (id: string): string[] => {
      const out: string[] = [];
      for (let p = vnodes.get(id)?.parent ?? null; p; p = vnodes.get(p)?.parent ?? null) out.push(p);
      return out;
    };
    const vedges = new Map<string, VEdge>();
    for (const e of ix.model.edges) {
      if (e.kind === 'runs_on' || e.kind === 'serves') continue;
      const a = rep.get(e.from);
      const b = rep.get(e.to);
      if (!a || !b || a === b) continue;
      if (ancestors(a).includes(b) || ancestors(b).includes(a)) continue;
      const key = `${a}\u0000${b}`;
      let v = vedges.get(key);
      if (!v) {
        v = { id: `e${vedges.size}`, source: a, target: b, count: 0, modes: new Set(), guarded: true };
        vedges.set(key, v);
      }
      v.count++;
      v.modes.add(e.mode);
      if (!(e.guards.circuitBreaker || e.guards.fallback)) v.guarded = false;
    }
    this.vnodes = vnodes;
    this.vedges = vedges;
    this.bulk = vedges.size > 150;
    this.repOf = rep;
  }

  private async layout(): Promise<Map<string, { x: number; y: number }>> {
    const children = new Map<string | null, VNode[]>();
    for (const v of this.vnodes.values()) (children.get(v.parent) ?? children.set(v.parent, []).get(v.parent)!).push(v);
    const edgesIn = new Map<string | null, ElkExtendedEdge[]>();
    const seen = new Set<string>();
    const chain = (id: string): (string | null)[] => {
      const out: (string | null)[] = [id];
      for (let p = this.vnodes.get(id)?.parent ?? null; p; p = this.vnodes.get(p)?.parent ?? null) out.push(p);
      out.push(null);
      return out;
    };
    for (const e of this.vedges.values()) {
      const ca = chain(e.source);
      const cb = chain(e.target);
      const lca = ca.slice(1).find((x) => cb.slice(1).includes(x)) ?? null;
      const sa = ca[ca.indexOf(lca) - 1] as string;
      const sb = cb[cb.indexOf(lca) - 1] as string;
      if (!sa || !sb || sa === sb) continue;
      const key = `${sa}\u0000${sb}`;
      if (seen.has(key)) continue;
      seen.add(key);
      (edgesIn.get(lca) ?? edgesIn.set(lca, []).get(lca)!).push({ id: `x${seen.size}`, sources: [sa], targets: [sb] });
    }
    const make = (v: VNode): ElkNode => {
      if (!v.compound) return { id: v.id, width: v.w, height: v.h };
      const kids = children.get(v.id) ?? [];
      const inner = edgesIn.get(v.id) ?? [];
      const packed = kids.length > 10 && inner.length < kids.length / 2;
      const minW = Math.round(v.title.length * 7 + 40);
      return {
        id: v.id,
        children: kids.map(make),
        edges: inner,
        layoutOptions: {
          'elk.padding': '[top=42,left=16,bottom=16,right=16]',
          'elk.nodeSize.constraints': 'MINIMUM_SIZE',
          'elk.nodeSize.minimum': `(${minW},40)`,
          ...(packed
            ? { 'elk.algorithm': 'rectpacking', 'elk.aspectRatio': v.kind === 'group' ? '0.8' : '1.3', 'elk.spacing.nodeNode': '14' }
            : { 'elk.algorithm': 'layered', 'elk.direction': v.kind === 'group' ? 'DOWN' : 'RIGHT', 'elk.spacing.nodeNode': '14', 'elk.layered.spacing.nodeNodeBetweenLayers': '50', 'elk.spacing.componentComponent': '16', 'elk.aspectRatio': v.kind === 'group' ? '0.5' : '1.4' }),
        },
      };
    };
    const root: ElkNode = {
      id: '__root',
      children: (children.get(null) ?? []).map(make),
      edges: edgesIn.get(null) ?? [],
      layoutOptions: {
        'elk.algorithm': 'layered',
        'elk.direction': 'RIGHT',
        'elk.spacing.nodeNode': '30',
        'elk.layered.spacing.nodeNodeBetweenLayers': '90',
        'elk.spacing.componentComponent': '40',
        'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
        'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
        'elk.padding': '[top=20,left=20,bottom=20,right=20]',
      },
    };
    let out: ElkNode;
    try {
      if (!ELK_ENGINE || !workerError) throw new Error('no layout worker');
      let timer = 0;
      const timeout = new Promise<never>((_, reject) => { timer = window.setTimeout(() => reject(new Error('ELK layout timed out')), 20000); });
      out = await Promise.race([ELK_ENGINE.layout(root), workerError, timeout]);
      window.clearTimeout(timer);
    } catch {
      out = gridLayout(root);
    }
    const pos = new Map<string, { x: number; y: number }>();
    const walk = (n: ElkNode, ox: number, oy: number) => {
      const x = ox + (n.x ?? 0);
      const y = oy + (n.y ?? 0);
      if (n.children && n.children.length) for (const c of n.children) walk(c, x, y);
      else pos.set(n.id, { x: x + (n.width ?? 0) / 2, y: y + (n.height ?? 0) / 2 });
    };
    for (const c of out.children ?? []) walk(c, 0, 0);
    return pos;
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
        el.classes(cls.join(' '));
        const label = stopped.size <= 4 ? (stopped.get(e.id) ?? '') : '';
        if (el.data('label') !== label) el.data('label', label);
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
      'transition-property': 'opacity, background-color, border-color',
      'transition-duration': 180,
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
      'text-valign': 'top',
      'text-halign': 'center',
      'text-margin-y': -6,
      'font-size': 12,
      'font-weight': 600,
      color: C.muted,
      'background-color': '#0f172a',
      'background-opacity': 0.55,
      'border-color': '#334155',
      'border-width': 1,
      padding: '14px',
      shape: 'round-rectangle',
    } as cytoscape.Css.Node,
  },
  { selector: 'node.compound.k-runtime', style: { 'border-color': '#3b82f6', 'border-style': 'dashed', 'border-width': 1.5, 'background-color': '#0c1a33', color: '#93c5fd' } },
  { selector: 'node.compound.k-component', style: { 'border-color': '#2563eb', 'background-color': '#0e1f3d', color: '#bfdbfe' } },
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
