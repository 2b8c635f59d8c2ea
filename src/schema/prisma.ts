// Prisma schema (.prisma) → tables, columns, indexes, unique constraints, and the
// datasource's url/directUrl env vars. Read as text with a small line grammar: the
// schema language is line-oriented (one field or block attribute per line).

export interface PrismaField {
  name: string;
  type: string;
  optional: boolean;
  list: boolean;
  column: string;
  attrs: string;
  line: number;
}

export interface PrismaModel {
  name: string;
  table: string;
  schema?: string;
  fields: PrismaField[];
  /** @@id / @@unique / @@index / field-level @id/@unique, in field names. */
  indexes: { kind: 'primary' | 'unique' | 'index'; fields: string[]; name?: string; line: number }[];
  line: number;
  file: string;
}

export interface PrismaDatasource {
  name: string;
  provider?: string;
  url?: { env?: string; literal?: string; line: number };
  directUrl?: { env?: string; literal?: string; line: number };
  file: string;
  line: number;
}

export interface PrismaSchemaFacts {
  models: PrismaModel[];
  enums: Set<string>;
  types: Set<string>;
  datasources: PrismaDatasource[];
}

/** `[a, b(sort: Desc), c(ops: raw("x"))]` → ['a', 'b', 'c'] */
function fieldList(s: string): string[] {
  const inner = /\[([^\]]*)\]/.exec(s)?.[1] ?? '';
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of inner) {
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.replace(/\(.*$/s, '').trim()).filter(Boolean);
}

function urlValue(rhs: string, line: number): { env?: string; literal?: string; line: number } {
  const env = /env\(\s*"([^"]+)"\s*\)/.exec(rhs)?.[1];
  const literal = env ? undefined : /^"([^"]*)"/.exec(rhs.trim())?.[1];
  return { env, literal, line };
}

export function parsePrismaSchema(files: { rel: string; text: string }[]): PrismaSchemaFacts {
  const models: PrismaModel[] = [];
  const enums = new Set<string>();
  const types = new Set<string>();
  const datasources: PrismaDatasource[] = [];
  for (const f of files) {
    const lines = f.text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const head = /^\s*(model|enum|type|view|datasource|generator)\s+(\w+)\s*\{/.exec(lines[i]);
      if (!head) continue;
      const [, kind, name] = head;
      let end = i + 1;
      while (end < lines.length && !/^\s*\}/.test(lines[end])) end++;
      const body = lines.slice(i + 1, end).map((l, k) => ({ text: l.replace(/\/\/.*$/, '').trim(), line: i + 2 + k }));
      if (kind === 'enum') enums.add(name);
      else if (kind === 'type') types.add(name);
      else if (kind === 'datasource') {
        const ds: PrismaDatasource = { name, file: f.rel, line: i + 1 };
        for (const b of body) {
          const m = /^(\w+)\s*=\s*(.*)$/.exec(b.text);
          if (!m) continue;
          if (m[1] === 'provider') ds.provider = /"([^"]+)"/.exec(m[2])?.[1];
          else if (m[1] === 'url') ds.url = urlValue(m[2], b.line);
          else if (m[1] === 'directUrl') ds.directUrl = urlValue(m[2], b.line);
        }
        datasources.push(ds);
      } else if (kind === 'model' || kind === 'view') {
        const model: PrismaModel = { name, table: name, fields: [], indexes: [], line: i + 1, file: f.rel };
        for (const b of body) {
          if (!b.text) continue;
          if (b.text.startsWith('@@')) {
            const m = /^@@(\w+)\s*\((.*)\)\s*$/.exec(b.text);
            if (!m) continue;
            const [, attr, args] = m;
            if (attr === 'map') model.table = /"([^"]+)"/.exec(args)?.[1] ?? model.table;
            else if (attr === 'schema') model.schema = /"([^"]+)"/.exec(args)?.[1];
            else if (attr === 'id' || attr === 'unique' || attr === 'index') {
              model.indexes.push({ kind: attr === 'id' ? 'primary' : attr, fields: fieldList(args), name: /(?:name|map)\s*:\s*"([^"]+)"/.exec(args)?.[1], line: b.line });
            }
            continue;
          }
          const fm = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(b.text);
          if (!fm) continue;
          const [, fname, ftype, list, opt, attrs] = fm;
          const column = /@map\(\s*"([^"]+)"\s*\)/.exec(attrs)?.[1] ?? fname;
          model.fields.push({ name: fname, type: ftype, optional: !!opt, list: !!list, column, attrs, line: b.line });
          if (/(^|\s)@id\b/.test(attrs)) model.indexes.push({ kind: 'primary', fields: [fname], line: b.line });
          if (/(^|\s)@unique\b/.test(attrs)) model.indexes.push({ kind: 'unique', fields: [fname], line: b.line });
        }
        models.push(model);
      }
      i = end;
    }
  }
  return { models, enums, types, datasources };
}
