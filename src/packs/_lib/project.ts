// Project-wide facts for call classification. classifyCall sees one call and its file; some
// answers need the whole project (which dialect the one `new Sequelize(...)` uses, which
// driver a `drizzle(...)` instance in another file wraps). Entrypoint discovery runs before
// any call is classified and receives every file, so packs remember the project there,
// keyed by the per-scan FileFacts objects: two scans never share an entry.
import type { FileFacts, Val } from '../../extract/facts.js';
import type { EntrypointLink } from '../types.js';

export interface Project {
  link: EntrypointLink;
  memo: Map<string, unknown>;
}

const PROJECTS = new WeakMap<FileFacts, Project>();

/** Call from a pack's entrypoints(files, link). Idempotent within one scan. */
export function remember(files: FileFacts[], link: EntrypointLink): void {
  if (files.length === 0 || PROJECTS.get(files[0])?.link === link) return;
  const p: Project = { link, memo: new Map() };
  for (const f of files) PROJECTS.set(f, p);
}

export function projectOf(facts: FileFacts): Project | undefined {
  return PROJECTS.get(facts);
}

/** A per-project value computed once. */
export function projectValue<T>(facts: FileFacts, key: string, compute: (link: EntrypointLink) => T): T | undefined {
  const p = PROJECTS.get(facts);
  if (!p) return undefined;
  if (!p.memo.has(key)) p.memo.set(key, compute(p.link));
  return p.memo.get(key) as T;
}

/** Calls written inside class decorators (`@Module({ imports: [TypeOrmModule.forRoot({...})] })`), which are not call sites. */
export function decoratorCalls(facts: FileFacts): { callee: string[]; args: Val[]; line: number }[] {
  const out: { callee: string[]; args: Val[]; line: number }[] = [];
  const walk = (v: Val | undefined, line: number, depth: number) => {
    if (!v || typeof v !== 'object' || depth > 6) return;
    if ('call' in v) {
      out.push({ callee: v.call.split('.'), args: v.args, line });
      for (const a of v.args) walk(a, line, depth + 1);
    } else if ('arr' in v) for (const a of v.arr) walk(a, line, depth + 1);
    else if ('obj' in v) for (const a of Object.values(v.obj)) walk(a, line, depth + 1);
  };
  for (const c of facts.classes) for (const d of c.decorators) for (const a of d.args) walk(a, d.line, 0);
  return out;
}
