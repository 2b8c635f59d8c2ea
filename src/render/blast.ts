// `faultline blast NODE`: one scenario as 80-column terminal text. Pure string building.

import type { EntrypointState, Evidence, Model, ModelNode, Scenario } from '../model/types.js';

export interface BlastOptions {
  /** ANSI colours (default false) */
  color?: boolean;
  /** line width (default 80) */
  width?: number;
  /** traced paths shown (default 10) */
  maxPaths?: number;
  /** entrypoints listed per state (default 15) */
  maxList?: number;
}

const STATES: EntrypointState[] = ['down', 'degraded', 'delayed', 'ok'];
const ANSI: Record<EntrypointState | 'bold' | 'dim', string> = {
  down: '\x1b[31m',
  degraded: '\x1b[33m',
  delayed: '\x1b[36m',
  ok: '\x1b[32m',
  bold: '\x1b[1m',
  dim: '\x1b[2m',
};
const RESET = '\x1b[0m';

/** Strings from the scanned repository never reach the terminal raw (no escape sequences). */
function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

function truncate(s: string, width: number): string {
  const chars = [...s];
  if (chars.length <= width) return s;
  return chars.slice(0, Math.max(0, width - 1)).join('') + '…';
}

const len = (s: string) => [...s].length;

/** Greedy word wrap: first line indented by `indent`, the others by `cont`. */
function wrapWords(text: string, width: number, indent: string, cont: string): string[] {
  const words = text.split(/ +/).filter(Boolean);
  const lines: string[] = [];
  let cur = indent;
  let empty = true;
  for (let w of words) {
    const pre = lines.length ? cont : indent;
    if (len(w) > width - len(pre)) w = truncate(w, width - len(pre));
    if (!empty && len(cur) + 1 + len(w) > width) {
      lines.push(cur);
      cur = cont + w;
      continue;
    }
    cur = empty ? cur + w : `${cur} ${w}`;
    empty = false;
  }
  if (!empty) lines.push(cur);
  return lines;
}

/**
 * Wrap tokens joined by `sep`. A broken line ends with `suffix` (e.g. ","); the next one
 * starts with `cont` (e.g. "    → ").
 */
function wrapTokens(tokens: string[], sep: string, width: number, indent: string, cont: string, suffix = ''): string[] {
  const lines: string[] = [];
  let cur: string | null = null;
  for (const t of tokens) {
    if (cur === null) {
      cur = indent + truncate(t, width - len(indent) - len(suffix));
      continue;
    }
    const candidate: string = cur + sep + t;
    if (len(candidate) + len(suffix) <= width) cur = candidate;
    else {
      lines.push(cur + suffix);
      cur = cont + truncate(t, width - len(cont) - len(suffix));
    }
  }
  if (cur !== null) lines.push(cur);
  return lines;
}

function fmtEvidence(ev: Evidence[] | undefined, max = 2): string {
  const list = ev ?? [];
  if (!list.length) return '';
  const shown = list.slice(0, max).map((e) => `${clean(e.file)}:${e.line}`);
  return shown.join(', ') + (list.length > max ? ` (+${list.length - max})` : '');
}

/** One evidence location per line, so file names are never cut in 80 columns. */
function evidenceLines(ev: Evidence[] | undefined, max = 3): string[] {
  const list = ev ?? [];
  const lines = list.slice(0, max).map((e, i) => `    ${i === 0 ? 'at' : '  '} ${clean(e.file)}:${e.line}`);
  if (list.length > max) lines.push(`       (+${list.length - max} more)`);
  return lines;
}

export function renderBlast(model: Model, scenario: Scenario, opts: BlastOptions = {}): string {
  const width = Math.max(40, opts.width ?? 80);
  const maxPaths = opts.maxPaths ?? 10;
  const maxList = opts.maxList ?? 15;
  const color = opts.color === true;
  const paint = (s: string, c: keyof typeof ANSI) => (color ? `${ANSI[c]}${s}${RESET}` : s);

  const byId = new Map<string, ModelNode>();
  for (const n of model.nodes) if (!byId.has(n.id)) byId.set(n.id, n);
  /** entrypoints by their name (the route), everything else by id */
  const label = (id: string): string => {
    const n = byId.get(id);
    if (id.startsWith('entrypoint:')) return clean(n?.name ?? id.slice('entrypoint:'.length));
    return clean(id);
  };

  const out: string[] = [];
  const failed = byId.get(scenario.failed);
  const title = `Blast radius: ${scenario.failed} — ${scenario.mode}`;
  out.push(paint(truncate(clean(title), width), 'bold'));
  if (failed) {
    const facts = [failed.kind, failed.tech].filter(Boolean).join(', ');
    const ev = fmtEvidence(failed.evidence, 1);
    out.push(truncate(clean(`${failed.name} (${facts})${ev ? `  ${ev}` : ''}`), width));
  }
  out.push(
    truncate(
      scenario.mode === 'outage'
        ? 'Outage: calls to it fail fast.'
        : 'Slowdown: calls to it hang; only a timeout bounds them.',
      width,
    ),
  );
  out.push('─'.repeat(width));

  if (scenario.absorbed) {
    out.push(...wrapWords(clean(`Absorbed: ${scenario.absorbed}.`), width, '', '  '));
    out.push('');
  }

  // Rings.
  out.push(paint('Rings', 'bold'));
  scenario.rings.forEach((ring, i) => {
    const tag = String(i).padStart(3) + '  ';
    const lines = wrapTokens(ring.map(label), ', ', width, tag, ' '.repeat(tag.length), ',');
    out.push(...(lines.length ? lines : [tag + '(none)']));
  });
  out.push('');

  // Entrypoints by state.
  const e = scenario.entrypoints;
  const total = STATES.reduce((s, st) => s + e[st].length, 0);
  const counts = STATES.map((st) => paint(`${e[st].length} ${st}`, st)).join(' · ');
  out.push(`${paint('Entrypoints', 'bold')}  ${counts}  (${total} total)`);
  for (const st of STATES) {
    if (st === 'ok' || !e[st].length) continue;
    out.push(`  ${paint(`${st} (${e[st].length})`, st)}`);
    for (const id of e[st].slice(0, maxList)) out.push(truncate(`    ${label(id)}`, width));
    if (e[st].length > maxList) out.push(`    … and ${e[st].length - maxList} more`);
  }
  out.push('');

  // Traced paths, worst first.
  const rank = (p: string[]): number => {
    const ep = p.find((x) => x.startsWith('entrypoint:'));
    const st = ep ? scenario.why?.[ep]?.state : undefined;
    return st ? STATES.indexOf(st) : 4;
  };
  const paths = scenario.paths
    .map((p, i) => ({ p, i, r: rank(p) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.p);
  if (paths.length) {
    const shown = paths.slice(0, maxPaths);
    out.push(paint(`Traced paths (${shown.length} of ${paths.length})`, 'bold'));
    for (const p of shown) {
      out.push(...wrapTokens(p.map(label), ' → ', width, '  ', '    → '));
      const ep = p.find((x) => x.startsWith('entrypoint:'));
      const why = ep ? scenario.why?.[ep] : undefined;
      if (why) {
        const lines = wrapWords(clean(`${why.state}: ${why.reason}`), width, '      ', '      ');
        out.push(...lines.map((l) => paint(l, 'dim')));
      }
    }
    out.push('');
  }

  // Runtime-wide effects: one crash or starved pool takes the whole runtime down.
  const fx = scenario.runtimeEffects ?? [];
  if (fx.length) {
    out.push(paint('Runtime-wide', 'bold'));
    for (const x of fx) {
      const more = x.entrypoints ? `; ${x.entrypoints} more entrypoint${x.entrypoints === 1 ? '' : 's'} down` : '';
      out.push(...wrapWords(clean(`${x.reason}${more}`), width, '  ', '    ').map((l) => paint(l, 'down')));
      out.push(...wrapTokens(x.path.map(label), ' → ', width, '    ', '      → '));
    }
    out.push('');
  }

  // Where the cascade stops.
  out.push(paint('Where the cascade stops', 'bold'));
  if (scenario.absorbed) {
    out.push(...wrapWords('redundancy absorbs it (see above)', width, '  ', '    '));
  } else if (!scenario.stoppedBy.length) {
    const hit = e.down.length + e.degraded.length + e.delayed.length;
    out.push(hit ? `  nothing stops it: ${e.down.length} down, ${e.degraded.length} degraded` : '  nothing to stop');
  } else {
    for (const s of scenario.stoppedBy) {
      out.push(...wrapWords(clean(`${s.guard} on ${s.from} → ${s.to}`), width, '  ', '    '));
      for (const line of evidenceLines(s.evidence)) out.push(truncate(line, width));
    }
  }

  // Lost side effects.
  const lost = scenario.lostSideEffects ?? [];
  if (lost.length) {
    out.push('');
    out.push(paint('Lost side effects (fire-and-forget work that silently does not happen)', 'bold'));
    for (const l of lost) {
      out.push(...wrapWords(clean(`${l.from} → ${l.to}, lost for ${l.entrypoints.map((x) => x.replace(/^entrypoint:/, '')).join(', ')}`), width, '  ', '    '));
      for (const line of evidenceLines(l.evidence)) out.push(truncate(line, width));
    }
  }
  return out.join('\n') + '\n';
}
