// Connection URLs: host, port, parameters, and whether they point at a pooler.
import type { Evidence } from '../../model/types.js';
import type { UrlValue } from './types.js';

/** Ports poolers listen on by convention: PgBouncer 6432, Supabase's Supavisor transaction mode 6543. */
export const POOLER_PORTS = new Set([6432, 6543]);
export const SERVER_PORTS = new Set([5432, 3306]);

/** A placeholder faultline cannot resolve: `${ssm:...}`, `${env:X}`, `{{resolve:...}}`, `$(VAR)`, secretKeyRef. */
export function isPlaceholder(v: string): boolean {
  return /\$\{|\{\{|\$\(|^\s*$/.test(v);
}

export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@/]*@/, '$1***@');
}

interface Parsed {
  scheme?: string;
  host?: string;
  port?: number;
  params: Record<string, string>;
}

export function parseUrl(raw: string): Parsed {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/]*@)?([^/?#:]+|\[[^\]]+\])?(?::(\d+))?[^?#]*(?:\?([^#]*))?/i.exec(raw.trim());
  if (!m) return { params: {} };
  const params: Record<string, string> = {};
  for (const kv of (m[4] ?? '').split('&')) {
    if (!kv) continue;
    const [k, v = ''] = kv.split('=');
    try {
      params[decodeURIComponent(k)] = decodeURIComponent(v.replace(/\+/g, ' '));
    } catch {
      params[k] = v;
    }
  }
  const scheme = m[1].toLowerCase();
  const defaultPort = /^postgres/.test(scheme) ? 5432 : /^mysql/.test(scheme) ? 3306 : undefined;
  return { scheme, host: m[2], port: m[3] ? Number(m[3]) : defaultPort, params };
}

/** Names of the pooler services declared in infra (compose service names, k8s pooler names), for matching a URL host. */
export interface PoolerHosts {
  names: Map<string, string>;
}

export function classifyUrl(raw: string, source: UrlValue['source'], evidence: Evidence, poolers: PoolerHosts): UrlValue {
  if (isPlaceholder(raw)) return { value: raw, source, resolved: false, evidence, via: 'unknown', params: {} };
  const p = parseUrl(raw);
  const host = (p.host ?? '').toLowerCase();
  let pooler: string | undefined;
  if (p.scheme === 'prisma' || p.scheme === 'prisma+postgres' || /accelerate\.prisma-data\.net/.test(host)) pooler = 'prisma-accelerate';
  else if (/pooler\.supabase\.com$/.test(host) || (p.port === 6543 && /supabase/.test(host))) pooler = 'supavisor';
  else if (/-pooler\./.test(host) && /neon/.test(host)) pooler = 'neon-pooler';
  else if (/\.proxy-[a-z0-9]+\.[a-z0-9-]+\.rds\.amazonaws\.com$/.test(host)) pooler = 'rds-proxy';
  else if (poolers.names.has(host)) pooler = poolers.names.get(host);
  else if (/pgbouncer|supavisor|pgcat|odyssey|pooler/.test(host)) pooler = /supavisor/.test(host) ? 'supavisor' : 'pgbouncer';
  else if (p.port !== undefined && POOLER_PORTS.has(p.port)) pooler = p.port === 6543 ? 'supavisor' : 'pgbouncer';
  else if (p.params.pgbouncer === 'true') pooler = 'pgbouncer';
  const via: UrlValue['via'] = pooler ? 'pooler' : p.host ? 'server' : 'unknown';
  return { value: redact(raw), source, resolved: true, evidence, ...(p.host ? { host: p.host } : {}), ...(p.port !== undefined ? { port: p.port } : {}), via, ...(pooler ? { pooler } : {}), params: p.params };
}

/** statement_timeout in a URL: `?options=-c statement_timeout=5000` (libpq) or `?statement_timeout=5000` (node-postgres). */
export function urlStatementTimeout(params: Record<string, string>): string | undefined {
  if (params.statement_timeout) return params.statement_timeout;
  const m = /statement_timeout\s*=\s*([^\s&]+)/.exec(params.options ?? '');
  return m?.[1];
}

/** A PostgreSQL duration setting in milliseconds: 5000, '5s', '1min', '500ms'. 0 means disabled. */
export function durationMs(v: string | number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v;
  const m = /^\s*'?(\d+(?:\.\d+)?)\s*(ms|s|min|h|d)?'?\s*$/.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  return Math.round(n * ({ ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 } as Record<string, number>)[unit]);
}
