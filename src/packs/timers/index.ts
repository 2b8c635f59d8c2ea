import { isNonProductionFile } from '../../rules/util.js';
import type { CallFact, FileFacts } from '../../extract/facts.js';
import type { EntrypointDef, EntrypointLink, TechPack } from '../types.js';

/** The global timer, or node:timers' own: a name the file imports from elsewhere is someone else's setInterval. */
function isTimerCall(f: FileFacts, c: CallFact, link: EntrypointLink): boolean {
  if (c.isNew) return false;
  const path = c.callee.join('.');
  if (path === 'setInterval' || path === 'global.setInterval' || path === 'globalThis.setInterval') {
    if (path === 'setInterval' && link.definitionOf(f.file, 'setInterval')) return false;
    const inst = link.instanceOf(f.file, 'setInterval');
    return !inst || ('pkg' in inst && (inst.pkg === 'timers' || inst.pkg === 'node:timers'));
  }
  return false;
}

/** A readable name: the handler's own, else the function that starts the timer, else the file. */
function jobName(f: FileFacts, c: CallFact, handlerName: string | undefined): string {
  if (handlerName && handlerName !== '<anon>' && handlerName !== 'default') return handlerName;
  const owner = c.fn === '<module>' ? undefined : f.functions.find((x) => x.id === c.fn);
  // a timer started in a constructor belongs to its class (`RedisAdapter`), not to "constructor"
  if (owner?.name === 'constructor' && owner.className) return owner.className;
  if (owner?.name && owner.name !== '<anon>' && owner.name !== 'default' && owner.name !== 'constructor') return owner.name;
  return f.file.replace(/^.*\//, '').replace(/\.[cm]?[jt]sx?$/, '');
}

/**
 * `setInterval(fn, ms)` in a long-running process: periodic work that no route or queue starts
 * (a session reaper, an outbox poller, a cache warmer). An entrypoint only when its handler
 * reaches a dependency (`requiresUses`): a timer that flushes metrics or sweeps a Map has
 * nothing that can fail it. Front-end polling and scripts are not the backend's jobs.
 */
const pack: TechPack = {
  id: 'timers',
  title: 'In-process periodic jobs (setInterval)',
  upstreamDocs: ['https://nodejs.org/api/timers.html#setintervalcallback-delay-args'],
  entrypoints(files, link) {
    const out: EntrypointDef[] = [];
    for (const f of files) {
      if (isNonProductionFile(f.file)) continue;
      for (const c of f.calls) {
        if (!isTimerCall(f, c, link) || c.args[0] === undefined) continue;
        const handler = link.handlerOf(f.file, c.args[0], c.fn === '<module>' ? undefined : c.fn);
        if (!handler) continue;
        const handlerName = link.facts(handler.file)?.functions.find((x) => x.id === handler.fn)?.name;
        out.push({ name: `interval:${jobName(f, c, handlerName)}`, trigger: 'schedule', handler, evidence: { file: f.file, line: c.line }, requiresUses: true });
      }
    }
    return out;
  },
};
export default pack;
