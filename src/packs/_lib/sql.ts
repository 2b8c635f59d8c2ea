// SQL datastores named as docs/model.md says: the technology, from a dialect, driver or URL.
import type { Val } from '../../extract/facts.js';
import type { PackContext, ResourceRef } from '../types.js';

const DIALECTS: [RegExp, string, string][] = [
  [/^(postgres|postgresql|pg|pg-native|pgsql|postgres-js|node-postgres|neon|neon-http|neon-serverless|vercel-postgres|aurora-postgres|aurora-data-api-pg|pglite|xata-http|redshift)$/, 'postgres', 'postgresql'],
  [/^cockroach(db)?$/, 'cockroachdb', 'cockroachdb'],
  [/^(mysql|mysql2|mariadb|aurora-mysql|aurora-data-api|planetscale|planetscale-serverless|tidb-serverless|singlestore)$/, 'mysql', 'mysql'],
  [/^(sqlite|sqlite3|better-sqlite3|sqljs|sql-js|capacitor|cordova|expo|expo-sqlite|nativescript|react-native|libsql|bun-sqlite|op-sqlite|d1)$/, 'sqlite', 'sqlite'],
  [/^(mssql|tedious|sqlserver)$/, 'sqlserver', 'sqlserver'],
  [/^(oracle|oracledb)$/, 'oracle', 'oracle'],
  [/^mongodb$/, 'mongodb', 'mongodb'],
];

/** A dialect, driver or client name → the datastore; undefined when not recognised. */
export function dialectDatastore(dialect: string | undefined): ResourceRef | undefined {
  if (!dialect) return undefined;
  const d = dialect.toLowerCase();
  for (const [re, name, tech] of DIALECTS) if (re.test(d)) return { kind: 'datastore', name, tech };
  return undefined;
}

/** `postgresql://…`, `mysql://…`, `file:./dev.db` → the datastore. */
export function urlDatastore(url: string | undefined): ResourceRef | undefined {
  if (!url) return undefined;
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(url.trim());
  if (!m) return undefined;
  const scheme = m[1].toLowerCase().replace(/\+.*$/, '');
  if (scheme === 'file') return { kind: 'datastore', name: 'sqlite', tech: 'sqlite' };
  if (scheme === 'mongodb' || scheme === 'mongodb+srv') return { kind: 'datastore', name: 'mongodb', tech: 'mongodb' };
  return dialectDatastore(scheme);
}

/** A string-valued option, following an env read to the value the repository's .env/compose gives it. */
export function stringOption(v: Val | undefined, ctx?: PackContext): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && 'env' in v) return ctx?.env(v.env) ?? (typeof v.default === 'string' ? v.default : undefined);
  return undefined;
}

/** Used when the code shows a SQL database but not which one. */
export const UNKNOWN_SQL: ResourceRef = { kind: 'datastore', name: 'sql', tech: 'sql' };

const WRITE_SQL = /^\s*(INSERT|UPDATE|DELETE|MERGE|CREATE|ALTER|DROP|TRUNCATE|REPLACE|UPSERT|GRANT|REVOKE)\b/i;
const READ_SQL = /^\s*(SELECT|WITH|SHOW|EXPLAIN)\b/i;

/** The text of a raw query argument, when literal ('' when not). */
export function sqlText(v: Val | undefined): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && 'tpl' in v) return v.tpl;
  if (v && typeof v === 'object' && 'concat' in v) return v.concat.map((p) => (typeof p === 'string' ? p : '${}')).join('');
  if (v && typeof v === 'object' && 'obj' in v) return sqlText(v.obj.text ?? v.obj.sql);
  return '';
}

/** A raw query: a write when its text starts with a write verb; read-only when it starts with SELECT/WITH. */
export function rawQuery(text: string): { edge: 'reads' | 'writes'; readOnly: boolean; op: 'raw-query' | 'raw-write' } {
  if (WRITE_SQL.test(text)) return { edge: 'writes', readOnly: false, op: 'raw-write' };
  return { edge: 'reads', readOnly: READ_SQL.test(text) && !/\bFOR\s+(UPDATE|SHARE|NO\s+KEY\s+UPDATE)\b/i.test(text), op: 'raw-query' };
}
