// A small reader for the literal parts of HCL (Terraform .tf files). No HCL parser is
// installed, and faultline needs only literal attributes of a few resources (instance
// class, parameter groups, multi-AZ, proxies), so this reads blocks, attributes, strings,
// numbers, booleans, lists and objects, and keeps every other expression (references,
// function calls, conditionals, interpolations) as its raw text — never evaluated.

export type HclValue = string | number | boolean | null | HclValue[] | { [k: string]: HclValue } | { expr: string };

export interface HclBlock {
  type: string;
  labels: string[];
  attrs: Record<string, HclValue>;
  attrLines: Record<string, number>;
  blocks: HclBlock[];
  line: number;
}

export function isExpr(v: HclValue | undefined): v is { expr: string } {
  return !!v && typeof v === 'object' && !Array.isArray(v) && typeof (v as any).expr === 'string' && Object.keys(v).length === 1;
}

export function parseHcl(text: string): HclBlock {
  const p = new Reader(text);
  const root: HclBlock = { type: '', labels: [], attrs: {}, attrLines: {}, blocks: [], line: 1 };
  p.body(root, false);
  return root;
}

class Reader {
  i = 0;
  private starts: number[] | undefined;
  constructor(readonly s: string, readonly inObject = false) {}

  line(at = this.i): number {
    if (!this.starts) {
      this.starts = [0];
      for (let k = 0; k < this.s.length; k++) if (this.s.charCodeAt(k) === 10) this.starts.push(k + 1);
    }
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  skip(newlines: boolean): void {
    for (;;) {
      const c = this.s[this.i];
      if (c === ' ' || c === '\t' || c === '\r' || (newlines && (c === '\n' || c === ','))) this.i++;
      else if (c === '#' || (c === '/' && this.s[this.i + 1] === '/')) while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
      else if (c === '/' && this.s[this.i + 1] === '*') {
        const end = this.s.indexOf('*/', this.i + 2);
        this.i = end < 0 ? this.s.length : end + 2;
      } else return;
    }
  }

  ident(): string {
    const m = /^[A-Za-z_][\w-]*/.exec(this.s.slice(this.i, this.i + 200));
    if (!m) return '';
    this.i += m[0].length;
    return m[0];
  }

  body(into: HclBlock, nested: boolean): void {
    for (;;) {
      this.skip(true);
      if (this.i >= this.s.length) return;
      if (this.s[this.i] === '}') {
        this.i++; // the block's closer, or a stray brace at top level (skipped)
        if (nested) return;
        continue;
      }
      const start = this.i;
      const name = this.s[this.i] === '"' ? this.quoted() : this.ident();
      if (!name) {
        // not something this reader understands: skip the line
        while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
        continue;
      }
      this.skip(false);
      if ((this.s[this.i] === '=' && this.s[this.i + 1] !== '=') || this.s[this.i] === ':') {
        this.i++;
        into.attrLines[name] = this.line(start);
        into.attrs[name] = this.expr(nested || this.inObject ? '}' : '');
        continue;
      }
      const labels: string[] = [];
      while (this.s[this.i] === '"' || /[A-Za-z_]/.test(this.s[this.i] ?? '')) {
        labels.push(this.s[this.i] === '"' ? this.quoted() : this.ident());
        this.skip(false);
      }
      if (this.s[this.i] !== '{') {
        while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
        continue;
      }
      this.i++;
      const block: HclBlock = { type: name, labels, attrs: {}, attrLines: {}, blocks: [], line: this.line(start) };
      this.body(block, true);
      into.blocks.push(block);
    }
  }

  quoted(): string {
    let out = '';
    this.i++;
    while (this.i < this.s.length && this.s[this.i] !== '"') {
      if (this.s[this.i] === '\\') {
        out += this.s[this.i + 1] ?? '';
        this.i += 2;
      } else out += this.s[this.i++];
    }
    this.i++;
    return out;
  }

  /** The raw text of one expression, up to a newline (or `,`/closer in a collection) at depth 0. */
  rawExpr(closer: string): string {
    this.skip(false);
    const start = this.i;
    let depth = 0;
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === '"') {
        this.skipString();
        continue;
      }
      if (c === '<' && this.s[this.i + 1] === '<' && depth === 0) {
        const m = /^<<-?([A-Za-z_]\w*)[^\n]*\n/.exec(this.s.slice(this.i));
        if (m) {
          const end = new RegExp(`\\n\\s*${m[1]}\\s*(\\n|$)`).exec(this.s.slice(this.i + m[0].length - 1));
          this.i = end ? this.i + m[0].length - 1 + end.index + end[0].length - (end[1] === '\n' ? 1 : 0) : this.s.length;
          continue;
        }
      }
      if (c === '#' || (c === '/' && this.s[this.i + 1] === '/')) {
        if (depth === 0) break;
        while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
        continue;
      }
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0 && (c === '\n' || (c === ',' && closer))) break;
      this.i++;
    }
    return this.s.slice(start, this.i).trim();
  }

  skipString(): void {
    this.i++;
    let interp = 0;
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === '\\') this.i += 2;
      else if (c === '$' && this.s[this.i + 1] === '{') {
        interp++;
        this.i += 2;
      } else if (c === '}' && interp > 0) {
        interp--;
        this.i++;
      } else if (c === '"' && interp === 0) {
        this.i++;
        return;
      } else this.i++;
    }
  }

  expr(closer: string): HclValue {
    return interpret(this.rawExpr(closer));
  }
}

function interpret(raw: string): HclValue {
  if (/^"(?:[^"\\$]|\\.|\$(?!\{))*"$/.test(raw)) return raw.slice(1, -1).replace(/\\(.)/g, '$1');
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (raw === 'null') return null;
  const heredoc = /^<<-?([A-Za-z_]\w*)[^\n]*\n([\s\S]*?)\n\s*\1\s*$/.exec(raw);
  if (heredoc) return heredoc[2].includes('${') ? { expr: raw } : heredoc[2];
  if (raw.startsWith('[') && raw.endsWith(']')) {
    const r = new Reader(raw.slice(1, -1));
    const out: HclValue[] = [];
    for (;;) {
      r.skip(true);
      if (r.i >= r.s.length) break;
      const before = r.i;
      out.push(interpret(r.rawExpr(']')));
      if (r.i === before) r.i++;
    }
    return out;
  }
  if (raw.startsWith('{') && raw.endsWith('}')) {
    const block: HclBlock = { type: '', labels: [], attrs: {}, attrLines: {}, blocks: [], line: 1 };
    const r = new Reader(raw.slice(1, -1), true);
    r.body(block, false);
    if (!block.blocks.length) return block.attrs;
  }
  return { expr: raw };
}
