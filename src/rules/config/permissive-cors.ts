import type { CallFact, FileFacts, Val } from '../../extract/facts.js';
import type { Rule } from '../types.js';
import { isNonProductionFile, routesPhrase } from '../util.js';
import { calleeFrom, importOf, objectOf, packageOf } from './_code.js';
import { httpRuntimesFor } from '../state/_replicas.js';
import { hasKwSpread, isPy, kw, pos, pyCalleeFrom, pyDefinition, pyEval, pyNameFrom, pySettingOverridden } from '../py-util.js';

/** Sample and documentation code in a repository (examples/, demo/, docs/) is not what gets deployed. */
const SAMPLE_CODE = /(^|\/)(examples?|demos?|samples?|docs?|playground|sandbox)\//;

type Origin = 'any' | 'reflect' | 'fallback-any' | undefined;

/** Does an `origin` value allow every origin? */
function originOf(v: Val | undefined, absentMeans: Origin): Origin {
  if (v === undefined) return absentMeans;
  if (v === '*') return 'any';
  if (v === true) return 'reflect';
  if (v && typeof v === 'object') {
    if ('arr' in v && v.arr.includes('*')) return 'any';
    if ('env' in v && (v.default === '*' || v.default === true)) return 'fallback-any';
    if ('ref' in v && /^(req|request)\.headers?\.origin$|^(req|request)\.get$/.test(v.ref)) return 'reflect';
  }
  return undefined;
}

interface Hit {
  call: CallFact;
  origin: Exclude<Origin, undefined>;
  credentials: boolean;
  how: string;
}

function fromOptions(o: { obj: Record<string, Val>; spread?: boolean } | undefined, absent: Origin): { origin: Origin; credentials: boolean } {
  if (!o) return { origin: absent, credentials: false };
  if (o.spread && !('origin' in o.obj)) return { origin: undefined, credentials: false };
  return { origin: originOf(o.obj.origin, absent), credentials: o.obj.credentials === true };
}

/** A Python origins value: '*', ['*'], or a settings/env value whose default is one of them. */
function pyOrigin(v: Val | undefined, env: (n: string) => string | undefined): Origin {
  if (v === undefined) return undefined;
  if (v === '*' || (v && typeof v === 'object' && 'arr' in v && v.arr.includes('*'))) return 'any';
  if (v && typeof v === 'object' && 'env' in v) {
    const set = env(v.env) ?? env(v.env.toUpperCase());
    if (set !== undefined) return /(^|[\s,"'[])\*($|[\s,"'\]])/.test(set) ? 'any' : undefined;
    const d = v.default;
    if (d === '*' || (d && typeof d === 'object' && 'arr' in d && d.arr.includes('*'))) return 'fallback-any';
  }
  return undefined;
}

/** FastAPI/Starlette CORSMiddleware, Flask-CORS, django-cors-headers settings. */
function pyHitsIn(facts: Parameters<Rule['check']>[0]['facts'], f: FileFacts, env: (n: string) => string | undefined): Hit[] {
  const out: Hit[] = [];
  const ev = (v: Val | undefined, c: CallFact) => pyEval(facts, f.file, v, c.fn === '<module>' ? undefined : c.fn);
  for (const c of f.calls) {
    const last = c.callee[c.callee.length - 1];
    const args = pos(c.args);
    const k = kw(c.args);
    // app.add_middleware(CORSMiddleware, allow_origins=[...], allow_credentials=True) / Middleware(CORSMiddleware, ...)
    const mw = args[0] && typeof args[0] === 'object' && 'ref' in args[0] ? pyNameFrom(f, args[0].ref.split('.'), ['fastapi', 'starlette']) : undefined;
    if ((last === 'add_middleware' || last === 'Middleware') && mw?.name === 'CORSMiddleware') {
      if (hasKwSpread(c.args) && !('allow_origins' in k)) continue;
      const origin = pyOrigin(ev(k.allow_origins, c), env) ?? (typeof ev(k.allow_origin_regex, c) === 'string' && /^\^?\.\*\$?$/.test(ev(k.allow_origin_regex, c) as string) ? 'any' : undefined);
      if (!origin) continue;
      out.push({ call: c, origin, credentials: ev(k.allow_credentials, c) === true, how: 'CORSMiddleware(allow_origins=["*"])' });
      continue;
    }
    // Flask-CORS: CORS(app) (default origins "*"), CORS(app, origins="*", supports_credentials=True)
    const fc = pyCalleeFrom(f, c, ['flask_cors']);
    // cors = CORS() with no app: an extension object, configured where it is bound, by cors.init_app(app, origins=...)
    const deferred = fc?.name === 'CORS' && !args.length && !Object.keys(k).length;
    const ext = !fc && last === 'init_app' && c.callee.length === 2 ? pyDefinition(facts, f.file, c.callee[0]) : undefined;
    const isCorsExt = ext?.kind === 'var' && !!ext.v.init && typeof ext.v.init === 'object' && 'call' in ext.v.init && !ext.v.init.args.length && !!facts.get(ext.file) && pyNameFrom(facts.get(ext.file)!, ext.v.init.call.split('.'), ['flask_cors'])?.name === 'CORS';
    if ((fc && fc.name === 'CORS' && !deferred) || isCorsExt) {
      if (hasKwSpread(c.args)) continue;
      const resources = k.resources;
      const origins = k.origins !== undefined ? ev(k.origins, c) : resources !== undefined ? undefined : '*';
      const origin = origins === undefined && resources === undefined ? 'any' : pyOrigin(origins, env);
      if (!origin) continue;
      out.push({ call: c, origin, credentials: ev(k.supports_credentials, c) === true, how: isCorsExt ? (k.origins !== undefined ? 'cors.init_app(app, origins="*")' : 'cors.init_app(app) with no origins') : k.origins !== undefined ? 'CORS(app, origins="*")' : 'CORS(app) with no origins' });
    }
  }
  // django-cors-headers: CORS_ALLOW_ALL_ORIGINS = True / CORS_ORIGIN_ALLOW_ALL = True
  const allowAll = f.vars.find((v) => (v.name === 'CORS_ALLOW_ALL_ORIGINS' || v.name === 'CORS_ORIGIN_ALLOW_ALL') && (v.init === true || (v.init && typeof v.init === 'object' && 'env' in v.init && (v.init.default === true || v.init.default === 'True'))));
  if (allowAll && !pySettingOverridden(facts, f.file, allowAll.name, (x) => x === false)) {
    const credentials = f.vars.some((v) => v.name === 'CORS_ALLOW_CREDENTIALS' && v.init === true);
    const call = { fn: '<module>', callee: [allowAll.name], line: allowAll.line, endLine: allowAll.line, args: [], isNew: false, awaited: false, returned: false, floating: false, caught: false, inLoop: false, inPromiseAllMap: false, inTransaction: false, order: 0 } as CallFact;
    out.push({ call, origin: allowAll.init === true ? 'any' : 'fallback-any', credentials, how: `${allowAll.name} = True` });
  }
  return out;
}

function hitsIn(facts: Parameters<Rule['check']>[0]['facts'], f: FileFacts, env: (n: string) => string | undefined = () => undefined): Hit[] {
  if (isPy(f.file)) return pyHitsIn(facts, f, env);
  const out: Hit[] = [];
  for (const c of f.calls) {
    const last = c.callee[c.callee.length - 1];
    // cors() / cors({ origin: '*' })
    const cors = calleeFrom(f, c, ['cors']);
    if (cors && cors.member.length === 0 && !c.isNew) {
      if (c.args.length && !objectOf(facts, f.file, c.args[0])) continue;
      const r = fromOptions(c.args.length ? objectOf(facts, f.file, c.args[0]) : undefined, 'any');
      if (r.origin) out.push({ call: c, origin: r.origin, credentials: r.credentials, how: c.args.length ? 'cors({ origin })' : 'cors() with no options' });
      continue;
    }
    // NestJS app.enableCors() / enableCors({ origin: true })
    if (last === 'enableCors' && c.callee.length >= 2) {
      if (c.args.length && !objectOf(facts, f.file, c.args[0])) continue;
      const r = fromOptions(c.args.length ? objectOf(facts, f.file, c.args[0]) : undefined, 'any');
      if (r.origin) out.push({ call: c, origin: r.origin, credentials: r.credentials, how: c.args.length ? 'enableCors({ origin })' : 'enableCors() with no options' });
      continue;
    }
    // NestFactory.create(AppModule, { cors: true })
    if (last === 'create' && c.callee[0] === 'NestFactory') {
      const o = objectOf(facts, f.file, c.args[1]);
      const v = o?.obj.cors;
      if (v === true) out.push({ call: c, origin: 'any', credentials: false, how: 'NestFactory.create(..., { cors: true })' });
      else if (v && typeof v === 'object' && 'obj' in v) {
        const r = fromOptions(v, 'any');
        if (r.origin) out.push({ call: c, origin: r.origin, credentials: r.credentials, how: 'NestFactory.create(..., { cors: { origin } })' });
      }
      continue;
    }
    // fastify.register(cors, { origin: true })
    if (last === 'register' && c.args[0] && typeof c.args[0] === 'object' && 'ref' in c.args[0]) {
      const imp = importOf(f, c.args[0].ref);
      if (!imp || packageOf(imp.source) !== '@fastify/cors') continue;
      if (c.args.length > 1 && !objectOf(facts, f.file, c.args[1])) continue;
      const r = fromOptions(c.args.length > 1 ? objectOf(facts, f.file, c.args[1]) : undefined, 'any');
      if (r.origin) out.push({ call: c, origin: r.origin, credentials: r.credentials, how: 'register(@fastify/cors)' });
      continue;
    }
    // Socket.IO new Server(http, { cors: { origin: '*' } })
    const sio = calleeFrom(f, c, ['socket.io']);
    if (sio && c.isNew) {
      const o = c.args.map((a) => objectOf(facts, f.file, a)).find((x) => x && 'cors' in x.obj);
      const cv = o?.obj.cors;
      const r = cv === true ? { origin: 'reflect' as Origin, credentials: false } : cv && typeof cv === 'object' && 'obj' in cv ? fromOptions(cv, undefined) : { origin: undefined, credentials: false };
      if (r.origin) out.push({ call: c, origin: r.origin, credentials: r.credentials, how: 'the Socket.IO server cors option' });
      continue;
    }
    // res.setHeader('Access-Control-Allow-Origin', '*' | req.headers.origin)
    if ((last === 'setHeader' || last === 'header' || last === 'set' || last === 'append') && typeof c.args[0] === 'string' && c.args[0].toLowerCase() === 'access-control-allow-origin') {
      const origin = originOf(c.args[1], undefined);
      // '*' set in the setHeaders callback of a static-file server (serve-static, koa-send, express.static): public assets, no API response
      const inStaticHeaders = origin === 'any' && f.functions.find((x) => x.id === c.fn)?.name === 'setHeaders';
      if (origin && !inStaticHeaders) {
        const creds = f.calls.some((o) => o.fn === c.fn && typeof o.args[0] === 'string' && o.args[0].toLowerCase() === 'access-control-allow-credentials' && (o.args[1] === 'true' || o.args[1] === true));
        out.push({ call: c, origin, credentials: creds, how: `${c.callee.join('.')}('Access-Control-Allow-Origin', …)` });
      }
    }
  }
  return out;
}

function describe(h: { origin: Exclude<Origin, undefined>; credentials: boolean; how: string }): string {
  const base = h.origin === 'reflect'
    ? `${h.how} reflects whatever Origin the browser sends`
    : h.origin === 'fallback-any'
      ? `${h.how} falls back to '*' when the origin variable is not set`
      : `${h.how} allows any origin ('*')`;
  if (!h.credentials) return `${base}: any website can call the API from a visitor's browser and read the responses.`;
  return h.origin === 'any'
    ? `${base} with credentials: browsers refuse credentialed responses for '*', and the usual workaround — reflecting the Origin — lets any website make requests with the user's cookies and read the answers.`
    : `${base} with credentials: any website a logged-in user visits can make requests with the user's cookies or auth headers and read the answers (cross-site data theft and actions on their behalf).`;
}

const rule: Rule = {
  meta: {
    id: 'config/permissive-cors',
    title: 'CORS allows any origin',
    category: 'security',
    polarity: 'risk',
    defaultSeverity: 'high',
    effort: 'S',
    priority: 'P1',
    docs: {
      what: 'The API answers cross-origin requests from any website: `cors()` or NestJS `app.enableCors()` with no options (their default is `*`), `origin: "*"`, `origin: true` (reflects the caller\'s Origin), an origin read from the environment that falls back to `*`, `NestFactory.create(..., { cors: true })`, a Socket.IO `cors.origin` of `*`/true, `@fastify/cors` without an allow-list, a hand-written `Access-Control-Allow-Origin: *` or one that echoes `req.headers.origin`, an HTTP API in serverless.yml with `cors: true` or `allowedOrigins: ["*"]`, FastAPI/Starlette `CORSMiddleware(allow_origins=["*"])` (also through a settings value whose default is `["*"]`), Flask-CORS `CORS(app)` without origins, and django-cors-headers `CORS_ALLOW_ALL_ORIGINS = True`. Worse with credentials (`allow_credentials=True`, `supports_credentials=True`).',
      why: 'CORS is what stops a page on another site from reading your API\'s responses in a visitor\'s browser. With any origin allowed — and especially with credentials, where cookies or the browser\'s auth are sent along — a malicious or compromised site can call authenticated endpoints as the user, read their data, and trigger actions, without the user noticing.',
      fix: 'Allow only the front ends you own: `app.enableCors({ origin: ["https://app.example.com"], credentials: true })` or `cors({ origin: (process.env.CORS_ORIGINS ?? "").split(",").filter(Boolean) })`, failing closed when the variable is missing. For public, unauthenticated read-only APIs a wildcard without credentials can be acceptable — document it.',
      falsePositiveGuard: 'An allow-list (array of origins), a single fixed origin, a RegExp, or a function that validates the origin never fires; an origin taken from an environment variable without a `*` fallback does not fire; options built elsewhere (not a literal object) do not fire; `Access-Control-Allow-Origin: *` set in the `setHeaders` callback of a static-file server (serve-static, express.static, koa-send) covers public assets and does not fire. Socket.IO without a cors option is not reported (Socket.IO v3+ denies cross-origin by default). Test, seed, script and sample code (examples/, demo/, docs/) is skipped.',
      references: ['https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS', 'https://github.com/expressjs/cors#configuration-options', 'https://docs.nestjs.com/security/cors', 'https://portswigger.net/web-security/cors'],
    },
  },
  check({ facts, code, model }, ctx) {
    for (const f of facts.values()) {
      if (isNonProductionFile(f.file) || SAMPLE_CODE.test(f.file)) continue;
      const all = hitsIn(facts, f, (n) => code?.env(n));
      for (const h of all) {
        const same = all.filter((o) => o.how === h.how && o.origin === h.origin && o.credentials === h.credentials);
        if (same[0] !== h) continue; // one finding per kind of setting per file; repeats are extra locations
        const eps = code ? httpRuntimesFor(model, code, f.file).entrypoints : [];
        ctx.report({
          element: code?.componentOf(f.file),
          locations: same.map((o) => ({ file: f.file, line: o.call.line, endLine: o.call.endLine })),
          title: `CORS allows any origin${h.credentials ? ' with credentials' : ''} (${h.how})`,
          impact: `${describe(h)}${eps.length ? ` Exposed: ${routesPhrase(eps)}.` : ''}`,
          recommendation: `Replace it with an explicit allow-list of your front-end origins, e.g. origin: ['https://app.example.com'], and fail closed when the configured list is empty.`,
          fingerprintKey: `${h.how} ${h.origin}`,
        });
      }
    }
    // serverless.yml httpApi.cors
    for (const cf of code?.configs ?? []) {
      if (!/(^|\/)serverless\.ya?ml$/.test(cf.rel) || !cf.yaml?.length) continue;
      const doc = cf.yaml[0] as any;
      const cors = doc?.provider?.httpApi?.cors;
      if (cors === undefined || cors === null || cors === false) continue;
      const origins: unknown[] = cors === true ? ['*'] : Array.isArray(cors?.allowedOrigins) ? cors.allowedOrigins : [];
      if (!origins.includes('*')) continue;
      const credentials = cors !== true && cors?.allowCredentials === true;
      const eps = model.nodes.filter((n) => n.kind === 'entrypoint' && n.trigger === 'http').map((n) => n.id);
      ctx.report({
        element: model.nodes.find((n) => n.kind === 'runtime' && n.tech === 'aws-lambda')?.id,
        locations: [{ file: cf.rel, line: cf.lineOf('cors:') }],
        title: `CORS allows any origin${credentials ? ' with credentials' : ''} (serverless.yml httpApi.cors)`,
        impact: `${describe({ origin: 'any', credentials, how: cors === true ? 'httpApi cors: true' : 'httpApi allowedOrigins' })}${eps.length ? ` Exposed: ${routesPhrase(eps)}.` : ''}`,
        recommendation: `List the front-end origins in provider.httpApi.cors.allowedOrigins (e.g. - https://app.example.com) instead of '*' / cors: true.`,
        fingerprintKey: 'serverless httpApi cors',
      });
    }
  },
};
export default rule;
