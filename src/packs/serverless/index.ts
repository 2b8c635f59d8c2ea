import { yamlKeyLine } from '../_infra.js';
import type { InfraFacts, TechPack } from '../types.js';

/** Line of `KEY:` under the `environment:` of a top-level block (provider) or of a function. */
function envKeyLine(text: string, owner: string, key: string): number {
  const lines = text.split('\n');
  const ownerRe = new RegExp(`^(\\s*)${owner.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\s*(#.*)?$`);
  for (let i = 0; i < lines.length; i++) {
    const m = ownerRe.exec(lines[i]);
    if (!m) continue;
    for (let j = i + 1; j < lines.length && (lines[j].trim() === '' || lines[j].search(/\S/) > m[1].length); j++) {
      if (new RegExp(`^\\s+["']?${key}["']?\\s*:`).test(lines[j])) return j + 1;
    }
  }
  const k = lines.findIndex((l) => new RegExp(`^\\s+["']?${key}["']?\\s*:`).test(l));
  return k >= 0 ? k + 1 : 1;
}

/** serverless.yml: each function is a runtime; http/httpApi events with `{proxy+}` proxy into an app. */
const pack: TechPack = {
  id: 'serverless',
  title: 'Serverless Framework',
  upstreamDocs: ['https://www.serverless.com/framework/docs/providers/aws/guide/functions', 'https://www.serverless.com/framework/docs/providers/aws/events/http-api'],
  readConfig(files) {
    const out: InfraFacts = { runtimes: [] };
    const services: string[] = []; // by runtime index
    for (const f of files) {
      if (!/(^|\/)serverless\.ya?ml$/.test(f.rel) || !f.yaml?.length) continue;
      const doc = f.yaml[0] as any;
      if (!doc || typeof doc !== 'object' || !doc.functions) continue;
      const dir = f.rel.includes('/') ? f.rel.slice(0, f.rel.lastIndexOf('/')) : '';
      // a timeout written as a variable (`${param:timeout}`) is unknown, not the framework default
      const providerTimeout = doc.provider?.timeout === undefined ? 6 : typeof doc.provider.timeout === 'number' ? doc.provider.timeout : undefined;
      // the top-level `functions:` (a plugin's config under custom: may have its own)
      const fnsLine = f.text.split('\n').findIndex((l) => /^functions\s*:/.test(l)) + 1 || 1;
      for (const [name, fn] of Object.entries<any>(doc.functions)) {
        if (!fn || typeof fn !== 'object') continue;
        const events: any[] = Array.isArray(fn.events) ? fn.events : [];
        const http = events.filter((e) => e && (e.http || e.httpApi));
        const proxies = http.some((e) => {
          const ev = e.http ?? e.httpApi;
          const p = typeof ev === 'string' ? ev : ev?.path ?? '';
          return /\{proxy\+\}|^\*$|ANY \/\{proxy\+\}/.test(p) || ev === '*' || (typeof ev === 'object' && ev.path === '*');
        });
        const handler = typeof fn.handler === 'string' ? fn.handler : undefined;
        const handlerFile = handler ? `${dir ? dir + '/' : ''}${handler.replace(/\.[^.]+$/, '')}` : undefined;
        // `src/jobs/thumbnail.main`: the module path, then the export after the last dot
        const handlerExport = handler && /\.[^./]+$/.test(handler) ? handler.slice(handler.lastIndexOf('.') + 1) : undefined;
        const env: Record<string, { value: string; evidence: { file: string; line: number } }> = {};
        for (const [scope, vars] of [['provider', doc.provider?.environment], [name, fn.environment]] as const) {
          if (!vars || typeof vars !== 'object') continue;
          for (const [k, v] of Object.entries<any>(vars)) {
            if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue;
            env[k] = { value: String(v), evidence: { file: f.rel, line: envKeyLine(f.text, scope === 'provider' ? 'provider' : name, k) } };
          }
        }
        out.runtimes!.push({
          name, tech: 'aws-lambda', evidence: [{ file: f.rel, line: yamlKeyLine(f.text, fnsLine, ['functions', name]) }], proxiesHttp: proxies || undefined, handlerFile, handlerExport,
          sourceDirs: [dir], timeoutSec: fn.timeout === undefined ? providerTimeout : typeof fn.timeout === 'number' ? fn.timeout : undefined,
          reservedConcurrency: typeof fn.reservedConcurrency === 'number' ? fn.reservedConcurrency : undefined,
          provisionedConcurrency: typeof fn.provisionedConcurrency === 'number' ? fn.provisionedConcurrency : undefined,
          redundancy: { replicas: typeof fn.reservedConcurrency === 'number' ? fn.reservedConcurrency : undefined },
          env,
          origin: 'serverless',
        });
        services.push(typeof doc.service === 'string' && doc.service ? doc.service : dir.split('/').pop() || 'service');
      }
    }
    // two services of a monorepo may each name a function `api`: each is its own deployable unit, `<service>-<function>`
    const rts = out.runtimes!;
    const fileOf = (i: number) => rts[i].evidence[0].file;
    const shared = rts.map((r, i) => rts.some((o, j) => j !== i && o.name === r.name && fileOf(j) !== fileOf(i)));
    rts.forEach((r, i) => {
      if (shared[i]) r.name = `${services[i]}-${r.name}`;
    });
    return out;
  },
};
export default pack;
