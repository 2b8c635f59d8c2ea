// Outbound HTTP from Python: requests (no timeout unless `timeout=` is passed — a Session
// cannot set a default), httpx (5 s default unless `timeout=None`; a Client's timeout
// applies to its calls) and aiohttp (ClientSession default: 300 s total), urllib.
import type { Val } from '../../extract/facts.js';
import type { Guards } from '../../model/types.js';
import { arg, ctorHead, positional, pyHostOf, secondsToMs } from '../_lib/python.js';
import type { CallMeaning, DepCall, TechPack } from '../types.js';

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
  let t = callTimeout.set ? callTimeout : base;
  // httpx: 5 s by default on module functions and clients; only timeout=None removes it
  if (pkg === 'httpx' && !t.set) t = { set: true, ms: 5000 };
  const guards = guardsFrom(t);
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
};
export default pack;
