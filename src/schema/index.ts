// The database schema as the repository declares it: Prisma models and SQL migrations
// (plain .sql, Prisma migrations, and literal SQL in TS migrations), read into tables,
// columns, indexes and unique constraints. Rules ask it questions (is this column the
// leading column of an index? is this field unique?) instead of parsing on their own.
//
// SQL goes through libpg-query (src/schema/sql.ts); call `await ensureSqlParser()` once
// before loadSchema (the pipeline does), otherwise SQL files are skipped with a diagnostic.
import type { FactIndex } from '../extract/facts.js';
import type { Diagnostic, Evidence } from '../model/types.js';
import { cmpStr } from '../shared/compare.js';
import type { ConfigFile } from '../walk/config-files.js';
import { parsePrismaSchema, type PrismaDatasource } from './prisma.js';
import { parseStatements, sqlParserReady } from './sql.js';

export { ensureSqlParser } from './sql.js';

export interface SchemaColumn {
  name: string;
  /** The Prisma field name when it differs from nothing (same as name unless @map). */
  field?: string;
  type?: string;
  evidence: Evidence;
}

export interface SchemaIndex {
  name?: string;
  /** Column names, in index order ('(expr)' for an expression element). */
  columns: string[];
  kind: 'primary' | 'unique' | 'index';
  /** A partial index (WHERE ...): it supports only queries that imply its predicate. */
  partial?: boolean;
  source: 'prisma' | 'sql';
  evidence: Evidence;
}

export interface SchemaTable {
  /** The table name in the database (after @@map). */
  name: string;
  schema?: string;
  /** The Prisma model mapped to it, when there is one. */
  model?: string;
  columns: SchemaColumn[];
  indexes: SchemaIndex[];
  evidence: Evidence[];
  /** Prisma relation fields that hold their foreign key on this model → those key fields (`envelope Envelope @relation(fields: [envelopeId], ...)`). */
  relationKeys?: Record<string, string[]>;
}

export interface StatementTimeoutSetting {
  scope: 'role' | 'database' | 'session' | 'local';
  /** Role or database name for the scoped forms. */
  target?: string;
  value: string;
  evidence: Evidence;
}

export interface Schema {
  tables: SchemaTable[];
  datasources: PrismaDatasource[];
  /** statement_timeout set by SQL in migrations or literal SQL strings (ALTER ROLE/DATABASE ... SET, SET [LOCAL]). */
  statementTimeouts: StatementTimeoutSetting[];
  diagnostics: Diagnostic[];
  /** A table by Prisma model name (`QuestionTag`), client accessor (`questionTag`) or table name (`question_tags`). */
  table(name: string): SchemaTable | undefined;
  /** A column by Prisma field name or column name. */
  column(table: string, field: string): SchemaColumn | undefined;
  /** True when a primary key or unique constraint/index (not partial) covers only columns among `fields`: equality on them matches at most one row. */
  hasUnique(model: string, fields: string | string[]): boolean;
  /** The first (non-partial) index, unique or primary key whose leading column is `field`. */
  indexLeadingWith(model: string, field: string): SchemaIndex | undefined;
}

const cache = new WeakMap<ConfigFile[], WeakMap<FactIndex, Schema>>();

export function loadSchema(configs: ConfigFile[], facts: FactIndex): Schema {
  let byFacts = cache.get(configs);
  if (!byFacts) cache.set(configs, (byFacts = new WeakMap()));
  const hit = byFacts.get(facts);
  if (hit) return hit;
  const schema = buildSchema(configs, facts);
  byFacts.set(facts, schema);
  return schema;
}

function lower(s: string): string {
  return s.toLowerCase();
}

function buildSchema(configs: ConfigFile[], facts: FactIndex): Schema {
  const tables = new Map<string, SchemaTable>();
  const diagnostics: Diagnostic[] = [];
  const statementTimeouts: StatementTimeoutSetting[] = [];
  const getTable = (name: string, schema: string | undefined, evidence: Evidence): SchemaTable => {
    let t = tables.get(lower(name));
    if (!t) tables.set(lower(name), (t = { name, ...(schema ? { schema } : {}), columns: [], indexes: [], evidence: [] }));
    if (!t.evidence.some((e) => e.file === evidence.file && e.line === evidence.line)) t.evidence.push(evidence);
    return t;
  };
  const addIndex = (t: SchemaTable, ix: SchemaIndex) => {
    const same = t.indexes.find((x) => x.kind === ix.kind && !!x.partial === !!ix.partial && x.columns.length === ix.columns.length && x.columns.every((c, i) => lower(c) === lower(ix.columns[i])));
    if (!same) t.indexes.push(ix);
  };

  // Prisma models
  const prismaFiles = configs.filter((c) => c.rel.endsWith('.prisma')).sort((a, b) => cmpStr(a.rel, b.rel));
  const prisma = parsePrismaSchema(prismaFiles);
  const modelNames = new Set(prisma.models.map((m) => m.name));
  for (const m of prisma.models) {
    const t = getTable(m.table, m.schema, { file: m.file, line: m.line });
    t.model = m.name;
    const colOf = new Map<string, string>();
    for (const f of m.fields) {
      if (modelNames.has(f.type) || prisma.types.has(f.type)) {
        // relation or composite type: not a column; a relation that holds its key here is filtered through that key
        const keys = /@relation\([^)]*\bfields:\s*\[([^\]]*)\]/.exec(f.attrs)?.[1].split(',').map((k) => k.trim()).filter(Boolean);
        if (keys?.length) (t.relationKeys ??= {})[f.name] = keys;
        continue;
      }
      colOf.set(f.name, f.column);
      if (!t.columns.some((c) => lower(c.name) === lower(f.column))) t.columns.push({ name: f.column, ...(f.column !== f.name ? { field: f.name } : { field: f.name }), type: f.type, evidence: { file: m.file, line: f.line } });
    }
    for (const ix of m.indexes) addIndex(t, { ...(ix.name ? { name: ix.name } : {}), kind: ix.kind, columns: ix.fields.map((f) => colOf.get(f) ?? f), source: 'prisma', evidence: { file: m.file, line: ix.line } });
  }

  // SQL: migration files in path order, then literal SQL in TS files
  // down migrations (golang-migrate *.down.sql, a down/ folder) undo what the schema has: not read
  const scripts: { file: string; text: string; lineBase: number; ts?: boolean }[] = configs
    .filter((c) => c.rel.endsWith('.sql') && !/(^|[/._-])down(\.sql$|\/)/i.test(c.rel))
    .sort((a, b) => cmpStr(a.rel, b.rel))
    .map((c) => ({ file: c.rel, text: c.text, lineBase: 1 }));
  for (const f of [...facts.values()].sort((a, b) => cmpStr(a.file, b.file))) {
    // TS migrations keep up() and down() in one file: only their CREATE/ALTER ... ADD statements count
    for (const s of f.sqlStrings) if (/^\s*(CREATE|ALTER)\b/i.test(s.text)) scripts.push({ file: f.file, text: s.text.replace(/\$\{\}/g, 'faultline_hole'), lineBase: s.line, ts: true });
  }
  if (scripts.length && !sqlParserReady()) diagnostics.push({ file: scripts[0].file, code: 'sql-parser', message: 'the PostgreSQL parser (libpg-query) is not loaded; SQL migrations were not read' });
  for (const s of scripts) {
    if (!/\b(CREATE|ALTER|DROP|SET)\b/i.test(s.text)) continue;
    const { statements, failed } = parseStatements(s.text);
    const lineAt = lineIndexOf(s.text);
    if (failed) diagnostics.push({ file: s.file, code: 'sql-parse', message: `${failed} SQL statement${failed === 1 ? '' : 's'} could not be parsed as PostgreSQL; skipped` });
    for (const { stmt, offset } of statements) {
      const ev: Evidence = { file: s.file, line: s.lineBase + lineAt(firstCode(s.text, offset)) - 1 };
      applyStatement(stmt, ev, { getTable, addIndex, tables, statementTimeouts, additive: !!s.ts });
    }
  }

  const list = [...tables.values()].sort((a, b) => cmpStr(a.name, b.name));
  const byModel = new Map<string, SchemaTable>();
  for (const t of list) if (t.model) {
    byModel.set(t.model, t);
    byModel.set(t.model[0].toLowerCase() + t.model.slice(1), t);
  }
  const table = (name: string) => byModel.get(name) ?? tables.get(lower(name));
  const column = (tn: string, field: string) => {
    const t = table(tn);
    return t?.columns.find((c) => c.field === field) ?? t?.columns.find((c) => lower(c.name) === lower(field));
  };
  const colName = (t: SchemaTable, field: string) => (t.columns.find((c) => c.field === field)?.name ?? field).toLowerCase();
  return {
    tables: list,
    datasources: prisma.datasources,
    statementTimeouts,
    diagnostics,
    table,
    column,
    hasUnique(model, fields) {
      const t = table(model);
      if (!t) return false;
      const set = new Set((Array.isArray(fields) ? fields : [fields]).map((f) => colName(t, f)));
      return t.indexes.some((ix) => ix.kind !== 'index' && !ix.partial && ix.columns.length > 0 && ix.columns.every((c) => set.has(lower(c))));
    },
    indexLeadingWith(model, field) {
      const t = table(model);
      if (!t) return undefined;
      const c = colName(t, field);
      return t.indexes.find((ix) => !ix.partial && lower(ix.columns[0] ?? '') === c);
    },
  };
}

interface Apply {
  getTable(name: string, schema: string | undefined, ev: Evidence): SchemaTable;
  addIndex(t: SchemaTable, ix: SchemaIndex): void;
  tables: Map<string, SchemaTable>;
  statementTimeouts: StatementTimeoutSetting[];
  /** Only additions count (TS migrations, whose down() drops what up() creates). */
  additive: boolean;
}

function sval(n: any): string | undefined {
  return n?.String?.sval;
}

function constantText(args: any[] | undefined): string | undefined {
  const a = args?.[0]?.A_Const;
  if (!a) return undefined;
  if (a.sval) return a.sval.sval;
  if (a.ival) return String(a.ival.ival ?? 0);
  if (a.fval) return a.fval.fval;
  return undefined;
}

function applyConstraint(t: SchemaTable, c: any, column: string | undefined, ev: Evidence, ap: Apply): void {
  const kind = c.contype === 'CONSTR_PRIMARY' ? 'primary' : c.contype === 'CONSTR_UNIQUE' ? 'unique' : undefined;
  if (!kind) return;
  const cols = column ? [column] : (c.keys ?? []).map(sval).filter(Boolean);
  if (cols.length) ap.addIndex(t, { ...(c.conname ? { name: c.conname } : {}), kind, columns: cols, source: 'sql', evidence: ev });
}

function applyStatement(stmt: Record<string, any>, ev: Evidence, ap: Apply): void {
  const [kind] = Object.keys(stmt);
  const n = stmt[kind];
  if (kind === 'CreateStmt' && n.relation?.relname) {
    const t = ap.getTable(n.relation.relname, n.relation.schemaname, ev);
    for (const el of n.tableElts ?? []) {
      if (el.ColumnDef) {
        const col = el.ColumnDef.colname;
        const type = (el.ColumnDef.typeName?.names ?? []).map(sval).filter((x: string | undefined) => x && x !== 'pg_catalog').join('.');
        if (!t.columns.some((c) => c.name.toLowerCase() === col.toLowerCase())) t.columns.push({ name: col, type, evidence: ev });
        for (const c of el.ColumnDef.constraints ?? []) if (c.Constraint) applyConstraint(t, c.Constraint, col, ev, ap);
      } else if (el.Constraint) applyConstraint(t, el.Constraint, undefined, ev, ap);
    }
  } else if (kind === 'IndexStmt' && n.relation?.relname) {
    const t = ap.getTable(n.relation.relname, n.relation.schemaname, ev);
    const columns = (n.indexParams ?? []).map((p: any) => p.IndexElem?.name ?? '(expr)');
    ap.addIndex(t, { ...(n.idxname ? { name: n.idxname } : {}), kind: n.primary ? 'primary' : n.unique ? 'unique' : 'index', columns, ...(n.whereClause ? { partial: true } : {}), source: 'sql', evidence: ev });
  } else if (kind === 'AlterTableStmt' && n.relation?.relname) {
    const t = ap.tables.get(n.relation.relname.toLowerCase()) ?? ap.getTable(n.relation.relname, n.relation.schemaname, ev);
    for (const cmd of n.cmds ?? []) {
      const c = cmd.AlterTableCmd;
      if (!c) continue;
      if (c.subtype === 'AT_AddConstraint' && c.def?.Constraint) applyConstraint(t, c.def.Constraint, undefined, ev, ap);
      else if (c.subtype === 'AT_AddColumn' && c.def?.ColumnDef) {
        const col = c.def.ColumnDef.colname;
        if (!t.columns.some((x) => x.name.toLowerCase() === col.toLowerCase())) t.columns.push({ name: col, evidence: ev });
        for (const k of c.def.ColumnDef.constraints ?? []) if (k.Constraint) applyConstraint(t, k.Constraint, col, ev, ap);
      } else if (ap.additive) continue;
      else if (c.subtype === 'AT_DropConstraint' && c.name) t.indexes = t.indexes.filter((ix) => ix.name !== c.name);
      else if (c.subtype === 'AT_DropColumn' && c.name) {
        t.columns = t.columns.filter((x) => x.name !== c.name);
        t.indexes = t.indexes.filter((ix) => !ix.columns.includes(c.name));
      }
    }
  } else if (kind === 'DropStmt' && n.removeType === 'OBJECT_INDEX' && !ap.additive) {
    const names = new Set<string>((n.objects ?? []).map((o: any) => (o.List?.items ?? []).map(sval).filter(Boolean).pop()).filter(Boolean));
    for (const t of ap.tables.values()) t.indexes = t.indexes.filter((ix) => !ix.name || !names.has(ix.name));
  } else if (kind === 'AlterRoleSetStmt' || kind === 'AlterDatabaseSetStmt' || kind === 'VariableSetStmt') {
    const set = kind === 'VariableSetStmt' ? n : n.setstmt;
    if (set?.name !== 'statement_timeout' || set.kind !== 'VAR_SET_VALUE') return;
    const value = constantText(set.args);
    if (value === undefined) return;
    ap.statementTimeouts.push({
      scope: kind === 'AlterRoleSetStmt' ? 'role' : kind === 'AlterDatabaseSetStmt' ? 'database' : set.is_local ? 'local' : 'session',
      ...(kind === 'AlterRoleSetStmt' && n.role?.rolename ? { target: n.role.rolename } : kind === 'AlterDatabaseSetStmt' && n.dbname ? { target: n.dbname } : {}),
      value, evidence: ev,
    });
  }
}

/** Skips whitespace and `--`/`/* *\/` comments from `i`: where the statement's text starts. */
function firstCode(text: string, i: number): number {
  for (;;) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (text.startsWith('--', i)) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else return i;
  }
}

/** offset → 1-based line, by binary search over line starts. */
function lineIndexOf(text: string): (offset: number) => number {
  const starts = [0];
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) === 10) starts.push(k + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
