import type { InfraFacts, TechPack } from '../types.js';

const SAM_FUNCTION = 'AWS::Serverless::Function';

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** AWS SAM templates: each `AWS::Serverless::Function` (Node.js) is a Lambda runtime; API events with `{proxy+}` proxy into an app. */
const pack: TechPack = {
  id: 'aws-lambda',
  title: 'AWS Lambda (SAM templates)',
  upstreamDocs: [
    'https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html',
    'https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-template-anatomy-globals.html',
    'https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html',
  ],
  readConfig(files) {
    const out: InfraFacts = { runtimes: [] };
    for (const f of files) {
      if (!/\.ya?ml$/.test(f.rel) || !f.yaml?.length) continue;
      const doc = f.yaml[0] as any;
      if (!doc || typeof doc !== 'object' || !doc.Resources || typeof doc.Resources !== 'object') continue;
      const transform = Array.isArray(doc.Transform) ? doc.Transform : [doc.Transform];
      const fns = Object.entries<any>(doc.Resources).filter(([, r]) => r && typeof r === 'object' && r.Type === SAM_FUNCTION);
      if (!fns.length || !transform.some((t: unknown) => typeof t === 'string' && t.startsWith('AWS::Serverless'))) continue;
      const dir = f.rel.includes('/') ? f.rel.slice(0, f.rel.lastIndexOf('/')) : '';
      const g = doc.Globals?.Function && typeof doc.Globals.Function === 'object' ? doc.Globals.Function : {};
      for (const [name, res] of fns) {
        const p = res.Properties && typeof res.Properties === 'object' ? res.Properties : {};
        const runtime = p.Runtime ?? g.Runtime;
        if ((p.PackageType ?? g.PackageType) === 'Image' || (typeof runtime === 'string' && !runtime.startsWith('nodejs'))) continue;
        const handler = typeof (p.Handler ?? g.Handler) === 'string' ? String(p.Handler ?? g.Handler) : undefined;
        const codeUri = typeof (p.CodeUri ?? g.CodeUri) === 'string' ? String(p.CodeUri ?? g.CodeUri).replace(/^\.\/?/, '').replace(/\/$/, '') : '';
        // Handler `src/handlers/get-item.getItemHandler`: module path, then the export after the last dot
        const dot = handler ? handler.lastIndexOf('.') : -1;
        const modulePath = handler && dot > 0 ? handler.slice(0, dot) : undefined;
        const handlerExport = handler && dot > 0 ? handler.slice(dot + 1) : undefined;
        const base = [dir, codeUri].filter(Boolean).join('/');
        const events = p.Events && typeof p.Events === 'object' ? Object.values<any>(p.Events) : [];
        const proxies = events.some((e) => e && (e.Type === 'Api' || e.Type === 'HttpApi') && typeof e.Properties?.Path === 'string' && /\{proxy\+\}|^\/?\*$/.test(e.Properties.Path));
        const env: Record<string, { value: string; evidence: { file: string; line: number } }> = {};
        for (const vars of [g.Environment?.Variables, p.Environment?.Variables]) {
          if (!vars || typeof vars !== 'object') continue;
          for (const [k, v] of Object.entries<any>(vars)) {
            if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue;
            env[k] = { value: String(v), evidence: { file: f.rel, line: f.lineOf(`${k}:`) } };
          }
        }
        const reserved = num(p.ReservedConcurrentExecutions ?? g.ReservedConcurrentExecutions);
        out.runtimes!.push({
          name,
          tech: 'aws-lambda',
          evidence: [{ file: f.rel, line: f.lineOf(`${name}:`) }],
          proxiesHttp: proxies || undefined,
          handlerFile: modulePath ? [base, modulePath].filter(Boolean).join('/') : undefined,
          handlerExport,
          sourceDirs: [base || dir],
          timeoutSec: num(p.Timeout ?? g.Timeout) ?? 3,
          reservedConcurrency: reserved,
          provisionedConcurrency: num((p.ProvisionedConcurrencyConfig ?? g.ProvisionedConcurrencyConfig)?.ProvisionedConcurrentExecutions),
          redundancy: { replicas: reserved },
          env,
          origin: 'sam',
        });
      }
    }
    return out;
  },
};
export default pack;
