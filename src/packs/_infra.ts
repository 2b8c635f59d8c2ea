// Small helpers shared by the infrastructure packs (Kubernetes, Helm, Terraform,
// postgresql.conf, pgbouncer.ini). Not a pack (leading underscore): packs never import
// each other, only this.
import type { ResourceRef } from './types.js';

/**
 * The server an image runs, from its repository name (the last path segment, without tag or
 * digest): `postgres:16`, `bitnami/redis`, `confluentinc/cp-kafka`. The whole name must match:
 * `acme/kafka-consumer`, `acme/mongo-sync` or `postgres-backup` is code that talks to the
 * server, and so are admin UIs and exporters named after it (mongo-express, kafka-ui).
 */
const IMAGE_SERVERS: [RegExp, ResourceRef][] = [
  [/^(postgres|postgresql|postgis|pgvector|timescaledb(-ha|-postgis)?)$/, { kind: 'datastore', name: 'postgres', tech: 'postgresql' }],
  [/^(mysql|mysql-server|mariadb|percona-server)$/, { kind: 'datastore', name: 'mysql', tech: 'mysql' }],
  [/^(mongo|mongodb|mongodb-community-server|mongodb-enterprise-server|mongodb-atlas-local)$/, { kind: 'datastore', name: 'mongodb', tech: 'mongodb' }],
  [/^(redis|redis-stack|redis-stack-server|redis-cluster|valkey|valkey-cluster|keydb|dragonfly)$/, { kind: 'cache', name: 'redis', tech: 'redis' }],
  [/^(clickhouse-server|clickhouse)$/, { kind: 'datastore', name: 'clickhouse', tech: 'clickhouse' }],
  [/^memcached$/, { kind: 'cache', name: 'memcached', tech: 'memcached' }],
  [/^rabbitmq$/, { kind: 'queue', name: 'rabbitmq', tech: 'rabbitmq' }],
  [/^(kafka|kafka-native|cp-kafka|cp-server|redpanda)$/, { kind: 'queue', name: 'kafka', tech: 'kafka' }],
  // the poolers in front of PostgreSQL are one resource, `datastore:pgbouncer` (docs/model.md), whichever runs it
  [/^pgbouncer$/, { kind: 'datastore', name: 'pgbouncer', tech: 'pgbouncer' }],
  [/^supavisor$/, { kind: 'datastore', name: 'pgbouncer', tech: 'supavisor' }],
  [/^pgcat$/, { kind: 'datastore', name: 'pgbouncer', tech: 'pgcat' }],
  [/^odyssey$/, { kind: 'datastore', name: 'pgbouncer', tech: 'odyssey' }],
];

export function imageResource(image: string): ResourceRef | undefined {
  const repo = image.toLowerCase().replace(/@.*$/, '').replace(/:[^/]*$/, '').split('/').pop() ?? '';
  const hit = IMAGE_SERVERS.find(([re]) => re.test(repo));
  return hit ? { ...hit[1] } : undefined;
}

/** A relational database or pooler image → the resource it runs (whose connection settings the infrastructure packs read). */
export function databaseImage(image: string): ResourceRef | undefined {
  const r = imageResource(image);
  return r && (r.name === 'postgres' || r.name === 'mysql' || r.name === 'pgbouncer') ? r : undefined;
}

/**
 * Images that are infrastructure, not the application being scanned (never a runtime of its
 * code): the servers of imageResource, and the proxies, observability, mail and admin tools
 * below. A name counts as a whole path segment (up to a tag, digest or the next segment):
 * `acme/promotions` is the team's own code, not Prometheus.
 */
const INFRA_IMAGE = new RegExp(
  '(^|/)(' +
    [
      'mongo-express', 'kafka-ui', 'cp-zookeeper', 'cp-schema-registry', 'zookeeper',
      'nginx(-unprivileged)?', 'nginxinc', 'envoy(proxy)?', 'haproxy', 'traefik', 'caddy', 'istio', 'busybox', 'alpine', 'curlimages',
      'prom', 'prometheus', 'grafana', 'loki', 'tempo', 'otel', 'opentelemetry-collector(-contrib)?', 'jaeger(tracing)?', 'fluent', 'fluentd', 'fluent-bit', 'datadog(hq)?',
      'elasticsearch', 'kibana', 'minio', 'localstack', 'mailhog', 'maildev', 'mailpit', 'smtp4dev', 'adminer', 'pgadmin\\d*', 'dpage', 'bitnami',
      'vault', 'consul', 'etcd', 'hashicorp',
    ].join('|') +
    ')([:@/]|$)',
);

export function isInfraImage(image: string): boolean {
  const i = image.toLowerCase().replace(/^docker\.io\//, '');
  return INFRA_IMAGE.test(i) || /(exporter|kafdrop|akhq|redisinsight)(:|@|$)/.test(i) || !!imageResource(image);
}

/** 1-based start line of each YAML document in a multi-document file. */
export function docStartLines(text: string): number[] {
  const out = [1];
  text.split('\n').forEach((l, i) => {
    if (/^---(\s|$)/.test(l) && i > 0) out.push(i + 2);
  });
  return out;
}

/**
 * Line of a key path inside a YAML text, starting at `from` (1-based): each segment is a
 * key (or `- key`) indented deeper than the previous match. Falls back to the deepest
 * segment found, then to `from`.
 */
export function yamlKeyLine(text: string, from: number, path: string[], until?: number): number {
  const lines = text.split('\n');
  let indent = -1;
  let line = from;
  let i = from - 1;
  const stop = until ? Math.min(until - 1, lines.length) : lines.length;
  for (const seg of path) {
    const esc = seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = new RegExp(`^(\\s*)(-\\s+)?["']?${esc}["']?\\s*:`);
    let found = false;
    for (; i < stop; i++) {
      const m = re.exec(lines[i]);
      if (m && m[1].length + (m[2]?.length ?? 0) > indent) {
        indent = m[1].length + (m[2]?.length ?? 0);
        line = i + 1;
        found = true;
        i++;
        break;
      }
    }
    if (!found) break;
  }
  return line;
}

/** Line of the first line at or after `from` that matches. */
export function lineMatching(text: string, re: RegExp, from = 1): number | undefined {
  const lines = text.split('\n');
  for (let i = from - 1; i < lines.length; i++) if (re.test(lines[i])) return i + 1;
  return undefined;
}

/** `key = value` lines (postgresql.conf, pgbouncer.ini), with sections for ini files. */
export function parseKeyValueConf(text: string): { section: string; key: string; value: string; line: number }[] {
  const out: { section: string; key: string; value: string; line: number }[] = [];
  let section = '';
  text.split('\n').forEach((raw, i) => {
    const l = raw.replace(/^\s+/, '');
    if (!l || l.startsWith('#') || l.startsWith(';')) return;
    const sec = /^\[([^\]]+)\]/.exec(l);
    if (sec) {
      section = sec[1].trim().toLowerCase();
      return;
    }
    const m = /^([A-Za-z_][\w.*-]*)\s*=?\s*(.*)$/.exec(l);
    if (!m) return;
    let v = m[2].replace(/\s+[#;].*$/, '').trim();
    if ((v.startsWith("'") && v.endsWith("'")) || (v.startsWith('"') && v.endsWith('"'))) v = v.slice(1, -1);
    out.push({ section, key: m[1].toLowerCase(), value: v, line: i + 1 });
  });
  return out;
}

/** A setting value as a number when it is a plain integer, else the text. */
export function settingValue(v: unknown): string | number | boolean | undefined {
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v !== 'string') return undefined;
  return /^\d+$/.test(v.trim()) ? Number(v.trim()) : v;
}

/** `-c key=value` flags of a postgres command line. */
export function postgresFlags(command: unknown): Record<string, string> {
  const text = Array.isArray(command) ? command.join(' ') : typeof command === 'string' ? command : '';
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(?:-c\s+|--)([a-z_]+)=(\S+)/g)) out[m[1]] = m[2].replace(/^["']|["']$/g, '');
  return out;
}
