import { isObj, objGet, valToNumber, type Val } from '../../extract/facts.js';
import type { Guards } from '../../model/types.js';
import type { CallMeaning, DepCall, TechPack } from '../types.js';

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request']);
const BODY_METHODS = new Set(['post', 'put', 'patch']);

/** `https://api.github.com/x` → api.github.com; `${process.env.IDP_ISSUER_URL}/userinfo` → idp-issuer. */
export function hostOf(v: Val | undefined): string | undefined {
  if (typeof v === 'string') {
    const m = /^[a-z]+:\/\/([^/:?#]+)/i.exec(v);
    return m ? m[1].toLowerCase() : undefined;
  }
  if (!v || typeof v !== 'object') return undefined;
  if ('env' in v) return envStem(v.env);
  if ('tpl' in v) {
    if (v.tpl.startsWith('${}')) return hostOf(v.parts[0]);
    return hostOf(v.tpl.replace(/\$\{\}/g, 'x'));
  }
  if ('concat' in v) return hostOf(v.concat[0]);
  return undefined;
}

export function envStem(name: string): string {
  return name.replace(/_(BASE_URL|URL|URI|HOST|ENDPOINT|API_URL)$/i, '').replace(/^(NEXT_PUBLIC|VITE|REACT_APP)_/, '').toLowerCase().replace(/_/g, '-');
}

/** Timeout facts from a request config object: axios `timeout`, fetch `signal`. */
export function timeoutGuards(config: Val | undefined): Guards {
  const g: Guards = {};
  const t = valToNumber(objGet(config, 'timeout'));
  if (t !== undefined && t > 0) {
    g.timeoutMs = t;
    g.timeout = true;
  }
  const signal = objGet(config, 'signal');
  if (signal !== undefined) {
    g.timeout = true;
    if (signal && typeof signal === 'object' && 'call' in signal && /AbortSignal\.timeout$/.test(signal.call)) {
      const ms = valToNumber(signal.args[0]);
      if (ms !== undefined) g.timeoutMs = ms;
    }
  }
  const retry = objGet(config, 'retry');
  if (retry !== undefined) {
    const limit = typeof retry === 'number' ? retry : valToNumber(objGet(retry, 'limit'));
    if (limit !== undefined) g.retries = limit;
  }
  return g;
}

function classify(call: DepCall, url: Val | undefined, config: Val | undefined, baseConfig: Val | undefined): CallMeaning {
  const guards: Guards = { ...timeoutGuards(baseConfig), ...timeoutGuards(config) };
  const host = hostOf(url) ?? hostOf(objGet(config, 'url')) ?? hostOf(objGet(baseConfig, 'baseURL')) ?? hostOf(objGet(baseConfig, 'prefixUrl'));
  return { use: 'dependency', target: { kind: 'external', name: host ?? 'unknown-host', tech: 'http' }, edge: 'calls', guards, op: 'http' };
}

/** axios, fetch, got, undici, node-fetch, ky: outbound HTTP. */
const pack: TechPack = {
  id: 'http-clients',
  title: 'HTTP clients (axios, fetch, got, undici, node-fetch, ky)',
  upstreamDocs: ['https://axios-http.com/docs/req_config', 'https://developer.mozilla.org/en-US/docs/Web/API/AbortSignal/timeout_static', 'https://github.com/sindresorhus/got/blob/main/documentation/6-timeout.md', 'https://undici.nodejs.org/#/docs/api/Dispatcher'],
  packages: ['axios', 'fetch', 'got', 'undici', 'node-fetch', 'ky', 'cross-fetch', 'isomorphic-fetch'],
  classifyCall(call) {
    const args = call.call.args;
    const m = call.member;
    const op = m[m.length - 1];
    if (call.pkg === 'fetch' || call.pkg === 'node-fetch' || call.pkg === 'cross-fetch' || call.pkg === 'isomorphic-fetch' || (call.pkg === 'undici' && call.exportName === 'fetch')) {
      if (m.length > 0) return { use: 'ignore' };
      // node-fetch / cross-fetch also export Headers, Request, Response, FetchError…: only the fetch function sends a request
      if (call.call.isNew || (call.exportName !== undefined && call.exportName !== 'default' && call.exportName !== 'fetch')) return { use: 'ignore' };
      return classify(call, args[0], args[1], undefined);
    }
    if (call.pkg === 'undici' && (call.exportName === 'request' || op === 'request')) return classify(call, args[0], args[1], undefined);
    // `res = await axios.get(url); res.headers.get('etag')`: a call on a response sends nothing
    if (call.instance && METHODS.has(call.instance.ctor.split('.').pop() ?? '')) return { use: 'ignore' };
    const base = call.instance ? (call.instance.ctor.endsWith('create') || call.instance.ctor.endsWith('extend') ? call.instance.args[0] : undefined) : undefined;
    if (call.pkg === 'axios') {
      if (m.length === 0) return isObj(args[0]) ? classify(call, objGet(args[0], 'url'), args[0], base) : classify(call, args[0], args[1], base);
      if (op === 'create' || op === 'interceptors' || m[0] === 'interceptors' || m[0] === 'defaults' || op === 'isAxiosError') return { use: 'ignore' };
      if (!op || !METHODS.has(op)) return undefined;
      if (op === 'request') return classify(call, objGet(args[0], 'url'), args[0], base);
      return classify(call, args[0], BODY_METHODS.has(op) ? args[2] : args[1], base);
    }
    if (call.pkg === 'got' || call.pkg === 'ky') {
      if (op === 'extend' || op === 'create') return { use: 'ignore' };
      if (m.length === 0 || (op && METHODS.has(op))) return classify(call, args[0], args[1], base);
    }
    return undefined;
  },
};
export default pack;
