// process.on('unhandledRejection', handler): with a handler, Node calls it instead of
// terminating the process (the default since Node 15). A fire-and-forget that rejects in
// such a package loses its work but does not crash the process, so the scan marks those
// uses contained (model) and async/floating-promise stays silent (rules) — one answer for both.
import type { FileFacts, Val } from '../extract/facts.js';
import type { Evidence } from '../model/types.js';
import { packageRootOf } from '../shared/paths.js';

const LISTEN = new Set(['on', 'once', 'addListener', 'prependListener']);

/**
 * Package folder → where its code registers an unhandledRejection handler, when none of its
 * handlers calls process.exit/abort/kill. The handler is a function of the same file (inline, or
 * named and declared there) or one `lookup` finds (an imported function); a handler that cannot
 * be read does not count.
 */
export function rejectionHandlers(
  files: readonly FileFacts[],
  packageDirs: readonly string[],
  skip: (file: string) => boolean,
  lookup: (file: string, name: string) => { facts: FileFacts; fnId: string } | undefined = () => undefined,
): Map<string, Evidence> {
  const out = new Map<string, Evidence>();
  // one handler that exits ends the process whatever the others do
  const exiting = new Set<string>();
  for (const f of files) {
    if (f.file.endsWith('.py') || skip(f.file)) continue;
    const sentry = sentryInitNames(f);
    for (const c of f.calls) {
      // Sentry's server SDKs install an unhandledRejection handler that only logs ('warn' mode, the default);
      // an init under a condition (`if (process.env.SENTRY_DSN)`) installs it only where that holds: not counted
      if (sentry.size && sentry.has(c.callee.join('.'))) {
        if (c.branch) continue;
        const root = packageRootOf(packageDirs, f.file);
        if (mentionsStrictMode(c.args)) exiting.add(root);
        else if (!out.has(root)) out.set(root, { file: f.file, line: c.line });
        continue;
      }
      if (c.callee.length !== 2 || c.callee[0] !== 'process' || !LISTEN.has(c.callee[1]) || c.args[0] !== 'unhandledRejection') continue;
      const h = c.args[1];
      let at: { facts: FileFacts; fnId: string } | undefined;
      if (h && typeof h === 'object' && 'fn' in h) at = { facts: f, fnId: h.fn };
      else if (h && typeof h === 'object' && 'ref' in h && !h.ref.includes('.')) {
        const local = f.functions.find((x) => x.name === h.ref && !x.className);
        at = local ? { facts: f, fnId: local.id } : lookup(f.file, h.ref);
      }
      if (!at || !at.facts.functions.some((x) => x.id === at!.fnId)) continue;
      const exits = handlerExits(at.facts, at.fnId);
      const root = packageRootOf(packageDirs, f.file);
      if (exits) exiting.add(root);
      else if (!out.has(root)) out.set(root, { file: f.file, line: c.line });
    }
  }
  for (const root of exiting) out.delete(root);
  return out;
}

/**
 * Server-side Sentry SDKs (https://docs.sentry.io/platforms/javascript/guides/node/configuration/integrations/onunhandledrejection/):
 * `init()` registers the OnUnhandledRejection integration by default, in 'warn' mode — it reports
 * the rejection and the process goes on; 'strict' mode exits. Browser SDKs are not listed.
 */
const SENTRY_SERVER = /^@sentry\/(node|nestjs|nextjs|remix|sveltekit|nuxt|astro|bun|deno|aws-serverless|serverless|google-cloud-serverless)$/;

/** How this file names Sentry's init: `init` imported by name, `Sentry.init` through a namespace or default import. */
function sentryInitNames(f: FileFacts): Set<string> {
  const out = new Set<string>();
  for (const imp of f.imports) {
    if (imp.typeOnly || !SENTRY_SERVER.test(imp.source)) continue;
    for (const n of imp.names) {
      if (n.imported === 'init') out.add(n.local);
      else if (n.imported === '*' || n.imported === 'default') out.add(`${n.local}.init`);
    }
  }
  return out;
}

/** `onUnhandledRejectionIntegration({ mode: 'strict' })` somewhere in the options. */
function mentionsStrictMode(args: readonly Val[]): boolean {
  const seen = (v: Val): boolean => {
    if (!v || typeof v !== 'object') return false;
    if ('obj' in v) return v.obj.mode === 'strict' || Object.values(v.obj).some(seen);
    if ('arr' in v) return v.arr.some(seen);
    if ('call' in v || 'new' in v) return v.args.some(seen);
    return false;
  };
  return args.some(seen);
}

/** The handler, or a function nested in it, calls process.exit/abort/kill. */
function handlerExits(f: FileFacts, fnId: string): boolean {
  const inside = new Set([fnId]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const x of f.functions) if (x.parent && inside.has(x.parent) && !inside.has(x.id)) inside.add(x.id), (grew = true);
  }
  return f.calls.some((x) => inside.has(x.fn) && x.callee[0] === 'process' && /^(exit|abort|kill)$/.test(x.callee[1] ?? ''));
}
