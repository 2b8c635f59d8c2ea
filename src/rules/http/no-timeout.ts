import { objGet, type CallFact, type FileFacts, type Val } from '../../extract/facts.js';
import type { Location } from '../../model/types.js';
import type { Rule } from '../types.js';
import { isNonProductionFile, nodeById, nodeName, routesPhrase } from '../util.js';
import { breakersAt, inBreakerFactory } from '../dep/_breakers.js';
import { entrypointsOfCall, fnOf, pkgOfLocal, readableOptions, receiverConstruction, runtimeBudgets, sortLocations, type Construction } from '../dep/_code.js';
import { hasKwSpread, isPy, kw, pyCalleeFrom, pyDefinition, pyNameFrom } from '../py-util.js';

/** HTTP libraries with no request timeout unless one is set (ky's default is 10 s and is left alone). */
const HTTP_LIBS = new Set(['axios', 'got', 'node-fetch', 'undici', 'fetch', 'cross-fetch', 'isomorphic-fetch']);
/** Vendor SDKs whose clients have no request timeout by default (others document one, or are unknown). */
const UNTIMED_SDKS = new Set(['resend', '@sendgrid/mail', '@slack/web-api']);
const TIMEOUT_HELPER = /(^|\.)(withTimeout|pTimeout|timeout|promiseTimeout|withDeadline|deadline)$/i;

/** Where the request options sit for a direct call: axios.get(url, cfg), axios.post(url, body, cfg), fetch(url, init). */
function configArg(pkg: string, call: CallFact): Val | undefined {
  const op = call.callee[call.callee.length - 1];
  if (pkg === 'axios') {
    if (call.callee.length === 1 || op === 'request') return call.args[0] && typeof call.args[0] === 'object' && 'obj' in call.args[0] ? call.args[0] : call.args[1];
    return ['post', 'put', 'patch'].includes(op) ? call.args[2] : call.args[1];
  }
  return call.args[1];
}

function wrappedInTimeout(f: FileFacts, call: CallFact): boolean {
  // raced against a timer: Promise.race([fetch(url), new Promise((r) => setTimeout(r, 150))]) (racing two calls bounds neither)
  if (call.racedTimeout !== undefined) return true;
  // an inline callback handed to a timeout helper: withTimeout(() => fetch(url), 5000)
  let fn = fnOf(f, call.fn);
  for (let i = 0; fn && i < 6; i++) {
    if (fn.inlineOf && TIMEOUT_HELPER.test(fn.inlineOf.call)) return true;
    fn = fn.inlineOf && fn.parent ? fnOf(f, fn.parent) : undefined;
  }
  // the call is an argument of one: withTimeout(resend.emails.send(...), 5000)
  return f.calls.some((w) => w !== call && w.fn === call.fn && w.line <= call.line && w.endLine >= call.endLine && TIMEOUT_HELPER.test(w.callee.join('.')));
}

interface Candidate {
  pkg: string;
  kind: 'http' | 'sdk' | 'aws';
  cons?: Construction;
  file: string;
  call: CallFact;
  target: string;
  eps: string[];
}

const PY_HTTP = ['requests', 'httpx', 'aiohttp', 'urllib', 'urllib3'];

/** Python: the HTTP library a call goes through — the module (`requests.post`) or the client it is made on (`session = requests.Session()`). */
function pyHttpLib(facts: Parameters<Rule['check']>[0]['facts'], f: FileFacts, call: CallFact): { pkg: string; client?: string } | undefined {
  const direct = pyCalleeFrom(f, call, PY_HTTP);
  if (direct && direct.member.length <= 1) return { pkg: direct.pkg };
  if (call.root || call.callee.length < 2) return undefined;
  const head = call.callee[0];
  const fn = fnOf(f, call.fn);
  let init: Val | undefined;
  let initFile = f;
  for (let cur = fn; cur && init === undefined; cur = cur.parent ? fnOf(f, cur.parent) : undefined) init = cur.locals[head];
  if (init === undefined && head === 'this' && call.callee.length >= 3) init = f.classes.find((c) => c.name === fn?.thisClass)?.props.find((p) => p.name === call.callee[1])?.init;
  if (init === undefined) {
    const d = pyDefinition(facts, f.file, head);
    if (d?.kind === 'var') {
      init = d.v.init;
      initFile = facts.get(d.file) ?? f;
    }
  }
  if (!init || typeof init !== 'object' || !('call' in init)) return undefined;
  const src = pyNameFrom(initFile, init.call.split('.'), PY_HTTP);
  return src && /^(Session|Client|AsyncClient|ClientSession|PoolManager)$/.test(src.name) ? { pkg: src.pkg, client: src.name } : undefined;
}

function pyRecommendation(pkg: string, client: string | undefined, under: string): string {
  if (pkg === 'aiohttp') return `Give the session a total timeout${under}: \`aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10, connect=3))\` (or per request: \`session.get(url, timeout=aiohttp.ClientTimeout(total=10))\`).`;
  if (pkg === 'httpx') return `Remove \`timeout=None\`${under}: \`httpx.Client(timeout=httpx.Timeout(10.0, connect=3.0))\`.`;
  if (pkg === 'urllib' || pkg === 'urllib3') return `Pass a timeout${under}: \`urlopen(url, timeout=10)\`.`;
  return client ? `requests sessions have no default timeout: pass one on every call${under} (\`session.get(url, timeout=(3.05, 10))\`), or mount an HTTPAdapter subclass that sets it in send().` : `Pass a timeout${under}: \`requests.${'post'}(url, ..., timeout=(3.05, 10))\` — connect and read seconds; requests waits forever without one.`;
}

function recommendation(c: Candidate, budget: string | undefined): string {
  const ms = '5000';
  const under = budget ? ` (well under ${budget})` : '';
  if (PY_HTTP.includes(c.pkg) && c.file.endsWith('.py')) return pyRecommendation(c.pkg, c.cons?.ctor, under);
  if (c.kind === 'aws') return `Give the client a request timeout${under}: \`new ${c.cons?.ctor ?? 'Client'}({ ..., requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: ${ms} }) })\` (NodeHttpHandler from @smithy/node-http-handler).`;
  if (c.pkg === 'resend') return `The Resend SDK has no timeout option: bound the call yourself${under}, e.g. \`await Promise.race([resend.emails.send(msg), rejectAfter(${ms})])\` or p-timeout, and move email off the request path (a queue) when it can be sent later.`;
  if (c.pkg === '@sendgrid/mail') return `Set a client timeout${under}: \`sgMail.setTimeout(${ms})\` once at start-up.`;
  if (c.pkg === '@slack/web-api') return `Set a client timeout${under}: \`new WebClient(token, { timeout: ${ms} })\`.`;
  if (c.pkg === 'axios') return c.cons ? `Add a timeout to the instance${under}: \`axios.create({ ..., timeout: ${ms} })\`.` : `Pass a timeout${under}: \`axios.${c.call.callee[c.call.callee.length - 1] ?? 'get'}(url, ..., { timeout: ${ms} })\`, or make one \`axios.create({ baseURL, timeout: ${ms} })\` instance for this service.`;
  if (c.pkg === 'got') return `Pass a timeout${under}: \`got(url, { timeout: { request: ${ms} } })\`.`;
  if (c.pkg === 'undici' && c.call.callee[c.call.callee.length - 1] !== 'fetch') return `Pass timeouts${under}: \`request(url, { headersTimeout: ${ms}, bodyTimeout: ${ms} })\`.`;
  return `Pass an abort signal${under}: \`fetch(url, { ...init, signal: AbortSignal.timeout(${ms}) })\`.`;
}

const rule: Rule = {
  meta: {
    id: 'http/no-timeout',
    title: 'Outbound call with no timeout',
    category: 'availability',
    polarity: 'risk',
    defaultSeverity: 'medium',
    effort: 'S',
    priority: 'P2',
    docs: {
      what: 'An outbound HTTP or SDK call that can wait forever: axios without `timeout` in the call config or in the `axios.create` instance it goes through (also when the instance is created in another file), `fetch` without a `signal`, got/undici without timeouts, an AWS SDK v3 client without a `requestHandler` request timeout, or an SDK client that has no request timeout (Resend, SendGrid without `setTimeout`, Slack WebClient without `timeout`); in Python, `requests` calls (module functions or a `Session`) without `timeout=`, httpx with `timeout=None`, aiohttp without a `ClientTimeout` (its default 300 s total is treated like the 300 s undici gives fetch: a five-minute wait is a hang for the caller, and the finding says so). Instances are reported once, at their construction, with the calls that go through them.',
      why: 'A slow dependency does not fail, it hangs. Each hung call holds the request (a Lambda invocation, an event-loop slot with its sockets and DB connections) until the platform kills it, so a slow third party turns into a full outage of the routes behind it — and, with shared pools, of the others. Timeouts turn a slowdown into a fast, handleable error.',
      fix: 'Set a timeout below the caller\'s own budget on every client: `axios.create({ baseURL, timeout: 5000 })`, `fetch(url, { signal: AbortSignal.timeout(5000) })`, `got(url, { timeout: { request: 5000 } })`, `new S3Client({ requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 5000 }) })`. For SDKs with no timeout option, race the call against a timer (`Promise.race`, p-timeout).',
      falsePositiveGuard: 'SDKs with a documented default timeout (OpenAI and Anthropic 10 min, Stripe 80 s, ky 10 s, httpx 5 s) are not "no timeout" — a default longer than the route\'s runtime limit is timeout/inversion\'s business. Calls are only reported when they run for some traced entrypoint (route, worker, cron), never in front-end code (a package.json with next/react and no backend framework, the UI folder of a package that holds both, static assets). A call behind an opossum breaker (whose own timeout bounds the wait), wrapped in a timeout helper (`withTimeout`, `pTimeout`), raced against a timer (`Promise.race([call, new Promise((r) => setTimeout(r, ms))])`, `Promise.race([call, sleep(ms)])` — racing two calls bounds neither), or whose options object or client configuration is not a literal the rule can read is not reported. A requests Session with an HTTPAdapter subclass mounted on it whose send() fills in `timeout` counts as timed. SDKs whose defaults are unknown (nodemailer, postmark, twilio, firebase, Gemini) are left alone. Test, seed and script files are skipped.',
      references: ['https://axios-http.com/docs/req_config', 'https://developer.mozilla.org/en-US/docs/Web/API/AbortSignal/timeout_static', 'https://github.com/sindresorhus/got/blob/main/documentation/6-timeout.md', 'https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/node-configuring-maxsockets.html', 'https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/'],
    },
  },
  check({ facts, code, model }, ctx) {
    if (!code) return;
    const budgets = runtimeBudgets(model, code);
    const sendgridTimeout = [...facts.values()].some((f) => f.calls.some((c) => c.callee.length === 2 && c.callee[1] === 'setTimeout' && pkgOfLocal(f, c.callee[0]) === '@sendgrid/mail'));
    const groups = new Map<string, Candidate[]>();
    for (const f of facts.values()) {
      if (isNonProductionFile(f.file) || code.isFrontend(f.file)) continue;
      for (const call of f.calls) {
        const m = code.meaning(f.file, call);
        if (!m || m.use !== 'dependency') continue;
        const aws = m.target.tech.startsWith('aws-');
        if (m.op !== 'http' && !aws) continue;
        if (m.guards?.timeout) continue;
        if (isPy(f.file)) {
          // requests without timeout=, an httpx client or call with timeout=None, aiohttp with its 300 s default
          if (m.op !== 'http' || hasKwSpread(call.args)) continue;
          const lib = pyHttpLib(facts, f, call);
          if (!lib) continue;
          const t = kw(call.args).timeout;
          if (t !== undefined && t !== null) continue;
          if (wrappedInTimeout(f, call)) continue;
          if (breakersAt(facts, code, f.file, call.line).some((b) => b.timeoutMs !== undefined)) continue;
          const eps = entrypointsOfCall(code, f, call);
          if (!eps.length) continue;
          const key = `${f.file}:${call.line}`;
          const list = groups.get(key) ?? [];
          list.push({ pkg: lib.pkg, kind: 'http', ...(lib.client ? { cons: { file: f.file, line: call.line, endLine: call.endLine, pkg: lib.pkg, ctor: lib.client, imported: lib.client, args: [], call } as Construction } : {}), file: f.file, call, target: `${m.target.kind}:${m.target.name}`, eps });
          groups.set(key, list);
          continue;
        }
        const cons = receiverConstruction(facts, f.file, call);
        const pkg = cons?.pkg ?? (call.callee.length && !call.root ? pkgOfLocal(f, call.callee[0]) ?? (call.callee.length === 1 && call.callee[0] === 'fetch' ? 'fetch' : undefined) : undefined);
        if (!pkg) continue;
        let kind: Candidate['kind'];
        if (aws) {
          if (!cons || !readableOptions(cons.args[0])) continue;
          const handler = objGet(cons.args[0], 'requestHandler');
          if (handler !== undefined && !(handler && typeof handler === 'object' && ('new' in handler || 'obj' in handler))) continue;
          kind = 'aws';
        } else if (m.target.tech === 'http') {
          if (!HTTP_LIBS.has(pkg)) continue;
          if (cons && !readableOptions(cons.args[0])) continue;
          if (!readableOptions(configArg(pkg, call))) continue;
          kind = 'http';
        } else {
          if (!UNTIMED_SDKS.has(pkg) || (pkg === '@sendgrid/mail' && sendgridTimeout)) continue;
          kind = 'sdk';
        }
        if (wrappedInTimeout(f, call)) continue;
        if (breakersAt(facts, code, f.file, call.line).some((b) => b.timeoutMs !== undefined) || inBreakerFactory(facts, code, f.file, call.line)) continue;
        const eps = entrypointsOfCall(code, f, call);
        if (!eps.length) continue;
        const key = cons ? `${cons.file}:${cons.line}` : `${f.file}:${call.line}`;
        const list = groups.get(key) ?? [];
        list.push({ pkg, kind, cons, file: f.file, call, target: `${m.target.kind}:${m.target.name}`, eps });
        groups.set(key, list);
      }
    }
    const edgesTo = new Map<string, (typeof model.edges)[number][]>();
    for (const e of model.edges) {
      const list = edgesTo.get(e.to) ?? [];
      list.push(e);
      edgesTo.set(e.to, list);
    }
    for (const [, list] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const first = list[0];
      const eps = [...new Set(list.flatMap((c) => c.eps))].sort();
      // entrypoints that await the call vs those that only fire it off (model edges carry the mode)
      const background = new Set<string>();
      const awaited = new Set<string>();
      for (const c of list) for (const e of edgesTo.get(c.target) ?? []) {
        if (!e.evidence.some((ev) => ev.file === c.file && ev.line === c.call.line)) continue;
        for (const ep of e.entrypoints ?? []) (e.mode === 'fire_and_forget' ? background : awaited).add(ep);
      }
      const holding = eps.filter((ep) => awaited.has(ep) || !background.has(ep));
      const bgOnly = eps.filter((ep) => background.has(ep) && !awaited.has(ep));
      const targets = [...new Set(list.map((c) => nodeName(model, c.target)))].sort();
      const runtimes = eps.map((ep) => nodeById(model, ep)?.runtime).filter((r): r is string => !!r);
      const budget = runtimes.map((r) => budgets.get(r)).find((b) => b);
      const calls: Location[] = sortLocations(list.map((c) => ({ file: c.file, line: c.call.line })));
      const head: Location = first.cons ? { file: first.cons.file, line: first.cons.line, endLine: first.cons.endLine } : { file: first.file, line: first.call.line, endLine: first.call.endLine };
      const title = first.cons
        ? `${first.cons.ctor.replace(/\.create$/, '.create()')} client${first.cons.name ? ` "${first.cons.name}"` : ''} has no request timeout (calls to ${targets.join(', ')})`
        : `${first.call.callee.join('.')}(...) to ${targets.join(', ')} has no timeout`;
      const until = budget ? `until ${budget.what} kills the invocation` : first.pkg === 'fetch' || first.pkg === 'undici' ? "for up to undici's default 300 s headers timeout" : first.pkg === 'aiohttp' ? "for up to aiohttp's default 300 s total timeout" : 'indefinitely';
      ctx.report({
        element: code.componentOf(first.file),
        locations: sortLocations([head, ...calls]).sort((a, b) => (a === head ? -1 : b === head ? 1 : 0)),
        severity: holding.length ? undefined : 'low',
        title,
        impact: holding.length
          ? `When ${targets.join(', ')} is slow, each call waits ${until}; every request of ${routesPhrase(holding)} is held that long with the connections it holds, so a slowdown of ${targets.join(', ')} becomes an outage of ${holding.length === 1 ? 'that entrypoint' : 'those entrypoints'}.${bgOnly.length ? ` ${routesPhrase(bgOnly)} only fire${bgOnly.length === 1 ? 's' : ''} the call off, but the pending promise still holds a socket.` : ''}`
          : `The call is fired off in the background by ${routesPhrase(bgOnly)}: when ${targets.join(', ')} is slow each pending call holds a socket and memory ${until}, and the side effect is delayed without anyone noticing.`,
        recommendation: recommendation(first, budget?.what),
        fingerprintKey: first.cons ? `${first.cons.ctor} ${first.cons.name ?? ''} ${targets.join(',')}` : `${first.call.callee.join('.')} ${targets.join(',')}`,
      });
    }
  },
};

export default rule;
