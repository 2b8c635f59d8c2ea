// Outbound HTTP from Python: requests (no timeout unless `timeout=` is passed — a Session
// cannot set a default, except through a mounted HTTPAdapter subclass whose send() fills it
// in), httpx (5 s default unless `timeout=None`; a Client's timeout applies to its calls),
// aiohttp, urllib. aiohttp's default is a 300 s total timeout (ClientSession, and calls
// without `timeout=`): like undici's 300 s for fetch, it is treated as no timeout — a
// request held for five minutes is a hang for every caller — and http/no-timeout says
// "up to 300 s" when it reports it.
import type { FileFacts, Val } from '../../extract/facts.js';
import type { Guards } from '../../model/types.js';
import { projectValue, remember } from '../_lib/project.js';
import { arg, ctorHead, positional, pyHostOf, secondsToMs } from '../_lib/python.js';
import type { CallMeaning, DepCall, EntrypointLink, Instance, TechPack } from '../types.js';

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request', 'send', 'stream', 'urlopen', 'ws_connect']);
const IGNORED = new Set(['close', 'aclose', 'mount', 'headers', 'cookies', 'auth', 'build_request', 'raise_for_status', 'json', 'text', 'Timeout', 'Limits', 'ClientTimeout', 'HTTPError', 'RequestException', 'exceptions', 'codes', 'Response', 'Request', 'adapters', 'HTTPAdapter', 'TCPConnector', 'BasicAuth', 'hooks']);

/** A timeout value: seconds, (connect, read), httpx.Timeout(10.0, connect=5), aiohttp.ClientTimeout(total=10), None. */
export function timeoutOf(v: Val | undefined): { ms?: number; none?: boolean; set: boolean } {
  if (v === undefined) return { set: false };
  if (v === null) return { set: true, none: true };
  const s = secondsToMs(v);
  if (s !== undefined) return s > 0 ? { set: true, ms: s } : { set: true, none: true };
  if (v && typeof v === 'object' && 'arr' in v) {
    const ms = v.arr.map(secondsToMs).filter((x): x is number => x !== undefined);
    return ms.length ? { set: true, ms: Math.max(...ms) } : { set: true };
  }
  if (v && typeof v === 'object' && 'call' in v && /(^|\.)(Timeout|ClientTimeout)$/.test(v.call)) {
    const total = arg(v.args, 'total') ?? arg(v.args, 'timeout', 0) ?? arg(v.args, 'read');
    if (total === null) return { set: true, none: true };
    const ms = secondsToMs(total);
    return ms !== undefined ? { set: true, ms } : { set: true };
  }
  // a variable or settings value: a timeout is set, its value is not known
  return { set: true };
}

const instKey = (i: Instance) => `${i.evidence.file}:${i.evidence.line}`;

/**
 * The timeout an adapter mounted on a requests Session gives its calls: a project subclass
 * of HTTPAdapter whose send() puts `timeout` into the request (`kwargs.setdefault("timeout",
 * self.timeout)`, `kwargs["timeout"] = ...`, `super().send(request, timeout=...)`); its value
 * from the constructor call (`TimeoutHTTPAdapter(timeout=5)`) or the `timeout` parameter's default.
 */
function adapterTimeout(link: EntrypointLink, file: string, adapter: Val | undefined, fromFn?: string): { ms?: number; none?: boolean; set: boolean } {
  let v = adapter;
  if (v && typeof v === 'object' && 'ref' in v) v = link.evaluate(file, v, fromFn);
  if (!v || typeof v !== 'object' || !('call' in v)) return { set: false };
  const r = link.resolve?.(file, { ref: v.call }, fromFn);
  if (r?.kind !== 'class') return { set: false };
  const facts = link.facts(r.file);
  const classes = facts?.classes ?? [];
  // the class or a project base class between it and HTTPAdapter defines send()
  let cls = r.cls;
  let send = facts?.functions.find((f) => f.className === cls.name && f.name === 'send');
  for (let i = 0; !send && cls.superClass && i < 3; i++) {
    const base = classes.find((c) => c.name === cls.superClass);
    if (!base) break;
    cls = base;
    send = facts?.functions.find((f) => f.className === cls.name && f.name === 'send');
  }
  if (!send || !/(^|\.)HTTPAdapter$/.test(cls.superClass ?? '')) return { set: false };
  const setsTimeout = facts!.calls.some((c) => c.fn === send!.id && ((/^(setdefault|__setitem__)$/.test(c.callee[c.callee.length - 1] ?? '') && positional(c.args)[0] === 'timeout') || arg(c.args, 'timeout') !== undefined));
  if (!setsTimeout) return { set: false };
  const given = arg(v.args, 'timeout');
  if (given !== undefined) {
    const t = timeoutOf(link.evaluate(file, given, fromFn));
    return t.set ? t : { set: true };
  }
  const init = facts!.functions.find((f) => f.className === r.cls.name && f.name === 'constructor');
  const dflt = init?.params.find((p) => p.name === 'timeout')?.default;
  const t = timeoutOf(dflt === undefined ? undefined : link.evaluate(r.file, dflt));
  return t.set ? t : { set: true };
}

/**
 * The retries an adapter gives a Session's calls: `HTTPAdapter(max_retries=3)` or
 * `max_retries=Retry(total=3, backoff_factor=0.5)` (urllib3), on HTTPAdapter or a subclass.
 * urllib3 sleeps `backoff_factor × 2^n` between attempts, so a positive factor is exponential
 * backoff; without one (and with a plain count) the retries come back at once. A count that is
 * not a literal is left out: the edge then says nothing rather than a guess.
 */
function adapterRetries(link: EntrypointLink, file: string, adapter: Val | undefined, fromFn?: string): Pick<Guards, 'retries' | 'backoff'> | undefined {
  let v = adapter;
  if (v && typeof v === 'object' && 'ref' in v) v = link.evaluate(file, v, fromFn);
  if (!v || typeof v !== 'object' || !('call' in v)) return undefined;
  const r = link.resolve?.(file, { ref: v.call }, fromFn);
  const isAdapter = (r?.kind === 'export' && /(^|\.)HTTPAdapter$/.test(r.exportName)) || (r?.kind === 'class' && /(^|\.)HTTPAdapter$/.test(r.cls.superClass ?? ''));
  if (!isAdapter) return undefined;
  let retry = arg(v.args, 'max_retries');
  if (retry && typeof retry === 'object' && 'ref' in retry) retry = link.evaluate(file, retry, fromFn);
  if (typeof retry === 'number') return retry > 0 ? { retries: retry, backoff: 'none' } : undefined;
  if (!retry || typeof retry !== 'object' || !('call' in retry) || !/(^|\.)Retry$/.test(retry.call)) return undefined;
  const total = arg(retry.args, 'total', 0);
  if (typeof total !== 'number' || total <= 0) return undefined;
  const factor = arg(retry.args, 'backoff_factor');
  return { retries: total, backoff: typeof factor === 'number' && factor > 0 ? 'exponential' : factor === undefined || factor === 0 ? 'none' : undefined };
}

interface MountedAdapter {
  timeout?: { ms?: number; none?: boolean; set: boolean };
  retry?: Pick<Guards, 'retries' | 'backoff'>;
}

/** What the adapters mounted on each requests Session (`session.mount("https://", adapter)`) give its calls, by instance. */
function mountedAdapters(link: EntrypointLink): Map<string, MountedAdapter> {
  const out = new Map<string, MountedAdapter>();
  for (const f of link.allFiles()) {
    if (!f.file.endsWith('.py')) continue;
    for (const c of f.calls) {
      if (c.root || c.callee.length < 2 || c.callee[c.callee.length - 1] !== 'mount') continue;
      const fromFn = c.fn === '<module>' ? undefined : c.fn;
      const r = link.resolve?.(f.file, { ref: c.callee.slice(0, -1).join('.') }, fromFn);
      if (r?.kind !== 'inst' || r.inst.pkg !== 'requests' || ctorHead(r.inst) !== 'Session') continue;
      const adapter = positional(c.args)[1] ?? arg(c.args, 'adapter');
      const t = adapterTimeout(link, f.file, adapter, fromFn);
      const retry = adapterRetries(link, f.file, adapter, fromFn);
      const mounted: MountedAdapter = out.get(instKey(r.inst)) ?? {};
      if (t.set && !t.none) mounted.timeout = t;
      if (retry) mounted.retry = retry;
      if (mounted.timeout || mounted.retry) out.set(instKey(r.inst), mounted);
    }
  }
  return out;
}

function sessionMounted(facts: FileFacts, inst: Instance): MountedAdapter | undefined {
  return projectValue(facts, 'py-http:mounted-adapters', mountedAdapters)?.get(instKey(inst));
}

function guardsFrom(t: { ms?: number; none?: boolean; set: boolean }): Guards {
  if (!t.set || t.none) return {};
  return t.ms !== undefined ? { timeout: true, timeoutMs: t.ms } : { timeout: true };
}

/** A URL held in a local (`url = current_app.config["WEBHOOK_URL"]`): what the local was assigned. */
function localValue(call: DepCall, v: Val | undefined): Val | undefined {
  let cur = v;
  const fn = call.call.fn === '<module>' ? undefined : call.facts.functions.find((f) => f.id === call.call.fn);
  for (let i = 0; i < 3 && fn && cur && typeof cur === 'object' && 'ref' in cur && !cur.ref.includes('.') && cur.ref in fn.locals; i++) cur = fn.locals[cur.ref];
  return cur;
}

function classify(call: DepCall): CallMeaning | undefined {
  const m = call.member;
  const op = m[m.length - 1];
  const pkg = call.pkg;
  const inst = call.instance;
  const head = inst ? ctorHead(inst) : undefined;
  if (!op) return inst ? { use: 'ignore' } : undefined;
  if (IGNORED.has(op) || m.some((x) => IGNORED.has(x))) return { use: 'ignore' };
  // a value a request returned — the response, its .json() data (`result.get("ok")` reads a dict): nothing is sent
  if (inst && inst.ctor.replace(/\(\)/g, '').split('.').some((x) => METHODS.has(x))) return { use: 'ignore' };
  if (!METHODS.has(op)) return undefined;
  const args = call.call.args;
  const url = op === 'request' ? positional(args)[1] ?? arg(args, 'url') : op === 'send' ? undefined : positional(args)[0] ?? arg(args, 'url');
  const callTimeout = timeoutOf(arg(args, 'timeout'));
  let base: { ms?: number; none?: boolean; set: boolean } = { set: false };
  let baseUrl: Val | undefined;
  if (inst && (head === 'Client' || head === 'AsyncClient' || head === 'ClientSession' || head === 'Session')) {
    base = timeoutOf(arg(inst.args, 'timeout'));
    baseUrl = arg(inst.args, 'base_url');
  }
  // requests: a mounted adapter that fills in a default timeout, or retries
  const mounted = inst && pkg === 'requests' && head === 'Session' ? sessionMounted(call.facts, inst) : undefined;
  if (!base.set && mounted?.timeout) base = mounted.timeout;
  let t = callTimeout.set ? callTimeout : base;
  // httpx: 5 s by default on module functions and clients; only timeout=None removes it
  if (pkg === 'httpx' && !t.set) t = { set: true, ms: 5000 };
  const guards: Guards = { ...guardsFrom(t), ...(mounted?.retry?.retries ? { retries: mounted.retry.retries, ...(mounted.retry.backoff ? { backoff: mounted.retry.backoff } : {}) } : {}) };
  const host = pyHostOf(localValue(call, url)) ?? pyHostOf(localValue(call, baseUrl));
  return { use: 'dependency', target: { kind: 'external', name: host ?? 'unknown-host', tech: 'http' }, edge: 'calls', guards, op: 'http' };
}

const pack: TechPack = {
  id: 'py-http',
  title: 'HTTP clients for Python (requests, httpx, aiohttp, urllib)',
  lang: 'python',
  upstreamDocs: ['https://requests.readthedocs.io/en/latest/user/advanced/#timeouts', 'https://www.python-httpx.org/advanced/timeouts/', 'https://docs.aiohttp.org/en/stable/client_quickstart.html#timeouts'],
  packages: ['requests', 'httpx', 'aiohttp', 'urllib', 'urllib3'],
  classifyCall(call) {
    if (call.pkg === 'urllib' && !(call.exportName === 'request' || call.member.includes('urlopen') || call.exportName === 'urlopen')) return undefined;
    if (call.pkg === 'urllib' || call.pkg === 'urllib3') {
      const op = call.member[call.member.length - 1] ?? call.exportName;
      if (op !== 'urlopen' && op !== 'request') return undefined;
    }
    return classify(call);
  },
  entrypoints(files, link) {
    // no entrypoints: remembers the project so that a Session's calls can see the adapters mounted on it elsewhere
    remember(files, link);
    return [];
  },
};
export default pack;
