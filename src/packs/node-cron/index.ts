import { isObj, valToString } from '../../extract/facts.js';
import type { EntrypointDef, TechPack } from '../types.js';

/** node-cron, cron, node-schedule, and trigger.dev scheduled tasks. */
const pack: TechPack = {
  id: 'node-cron',
  title: 'Scheduled jobs (node-cron, cron, node-schedule, trigger.dev)',
  upstreamDocs: ['https://github.com/node-cron/node-cron#readme', 'https://github.com/kelektiv/node-cron#readme', 'https://trigger.dev/docs/tasks/scheduled', 'https://trigger.dev/docs/tasks/overview'],
  packages: ['node-cron', 'cron', 'node-schedule', '@trigger.dev/sdk'],
  entrypoints(files, link) {
    const out: EntrypointDef[] = [];
    for (const f of files) {
      for (const c of f.calls) {
        if (c.callee.length === 0) continue;
        const inst = link.instanceOf(f.file, c.callee[0]);
        if (!inst || !('pkg' in inst)) continue;
        const last = c.callee[c.callee.length - 1];
        let handlerArg;
        let onDemand = false; // a trigger.dev task() runs when triggered, not on a schedule
        const opts = isObj(c.args[0]) ? c.args[0].obj : undefined;
        if ((inst.pkg === 'node-cron' && last === 'schedule') || (inst.pkg === 'node-schedule' && last === 'scheduleJob')) handlerArg = c.args[c.args.length - 1] && typeof c.args[1] === 'object' ? c.args[1] : c.args[c.args.length - 1];
        else if (inst.pkg === 'cron' && (c.isNew || last === 'from')) handlerArg = opts ? opts.onTick : c.args[1]; // CronJob.from({ cronTime, onTick })
        else if (inst.pkg === '@trigger.dev/sdk' && c.callee.join('.') === 'schedules.task') handlerArg = opts?.run;
        else if (inst.pkg === '@trigger.dev/sdk' && c.callee.length === 1 && (last === 'task' || last === 'schemaTask')) {
          handlerArg = opts?.run;
          onDemand = true;
        } else continue;
        const handler = handlerArg ? link.handlerOf(f.file, handlerArg, c.fn === '<module>' ? undefined : c.fn) : undefined;
        const fnName = handler ? link.facts(handler.file)?.functions.find((x) => x.id === handler.fn)?.name : undefined;
        const triggerId = inst.pkg === '@trigger.dev/sdk' ? valToString((c.args[0] as any)?.obj?.id) : undefined;
        const optionName = c.args.map((a) => (a && typeof a === 'object' && 'obj' in a ? valToString(a.obj.name) : undefined)).find(Boolean);
        // a handler named after its option key (`onTick: async () => …`) says less than the variable the job is assigned to
        const assigned = f.vars.find((v) => v.line === c.line && v.init && typeof v.init === 'object' && ('call' in v.init || 'new' in v.init))?.name;
        const generic = !fnName || fnName === '<anon>' || fnName === 'onTick' || fnName === 'run' || fnName === 'default';
        const base = triggerId ?? optionName ?? (!generic ? fnName : assigned && assigned !== 'default' ? assigned : f.file.replace(/^.*\//, '').replace(/\.[jt]s$/, ''));
        if (onDemand) out.push({ name: `worker:${base}`, trigger: 'worker', handler, evidence: { file: f.file, line: c.line } });
        else out.push({ name: `cron:${base}`, trigger: 'schedule', handler, evidence: { file: f.file, line: c.line } });
      }
    }
    return out;
  },
};
export default pack;
