// TypeORM data sources in capacity: which ones hold a pool in the running service, and which
// engine one is when its `type` is not written in the code.
import type { FactIndex } from '../../extract/facts.js';
import type { Model } from '../../model/types.js';
import type { InfraFacts } from '../../packs/types.js';
import { cliDataSources } from '../../packs/typeorm/cli.js';
import type { ConfigFile } from '../../walk/config-files.js';
import { skipFile, typeormTech, type FoundClient } from './clients.js';
import { resolveEntry, resolveImport, runtimeSpecifiers, workspacesOf, type Workspace } from './runtimes.js';

/** Every `type` TypeORM accepts: a value outside the list (a `${...}` placeholder) says nothing. */
const TYPEORM_TYPES = new Set(['mysql', 'mariadb', 'postgres', 'cockroachdb', 'sqlite', 'better-sqlite3', 'sqljs', 'mssql', 'sap', 'oracle', 'cordova', 'nativescript', 'react-native', 'expo', 'capacitor', 'mongodb', 'aurora-mysql', 'aurora-postgres', 'spanner']);
/** Datastore techs of the model that are SQL databases. */
const SQL_NODE_TECH = new Set(['postgresql', 'mysql', 'cockroachdb', 'sqlserver', 'oracle', 'sqlite', 'sql']);
const SERVER_TECH = new Set(['postgresql', 'mysql', 'cockroachdb', 'sqlserver', 'oracle']);

/** Files imported by code that runs in production (not tests, seeds, scripts, migrations, nor the excepted files). */
function deployedImports(facts: FactIndex, workspaces: Workspace[], except: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const f of facts.values()) {
    if (skipFile(f.file) || f.file.endsWith('.py') || except.has(f.file)) continue;
    for (const spec of runtimeSpecifiers(f)) {
      const target = resolveImport(facts, f.file, spec, workspaces);
      if (target) out.add(target);
    }
  }
  return out;
}

/** The file that defines `local` as seen from `file`: its import's target, else the file itself. */
function definingFile(facts: FactIndex, file: string, local: string, workspaces: Workspace[]): string | undefined {
  const imp = facts.get(file)?.imports.find((i) => !i.typeOnly && i.names.some((n) => n.local === local));
  return imp ? resolveImport(facts, file, imp.source, workspaces) : file;
}

/**
 * The TypeORM clients that open a pool in the running service. A data source module that a
 * package.json script hands to the TypeORM CLI (`-d`/`--dataSource`) and that no deployed code
 * imports is the CLI's connection (migrations, schema sync): left out. `forRoot(AppDataSource.options)`
 * builds one pool from another DataSource's options: counted once, where those options are written.
 */
export function runtimeTypeormClients(found: FoundClient[], facts: FactIndex, configs: ConfigFile[]): FoundClient[] {
  if (!found.some((c) => c.client.library === 'typeorm')) return found;
  const workspaces = workspacesOf(configs);
  const cli = new Set(cliDataSources(configs).map((d) => resolveEntry(facts, d.dir, d.path)).filter((f): f is string => !!f));
  const imported = cli.size ? deployedImports(facts, workspaces, cli) : new Set<string>();
  const kept = found.filter((c) => c.client.library !== 'typeorm' || !cli.has(c.client.file) || imported.has(c.client.file));
  return kept.filter((c) => {
    if (!c.optionsOf) return true;
    const origin = definingFile(facts, c.client.file, c.optionsOf, workspaces);
    return !kept.some((k) => k !== c && k.client.library === 'typeorm' && !k.optionsOf && k.client.file === origin);
  });
}

/**
 * The engine of a TypeORM client whose `type` is not a literal: the value of its env var in the
 * repository (.env files, compose environment), else the one SQL datastore of the model (the
 * TypeORM pack's own reading of the project), else the one SQL server the infra declares, else
 * `sql` — the engine is unknown, and nothing engine-specific is assumed. Undefined: not a server
 * whose connections capacity budgets (SQLite, SQL Server, MongoDB, ...).
 */
export function typeormEngine(from: NonNullable<FoundClient['engineFrom']>, infra: InfraFacts, model: Pick<Model, 'nodes'>): FoundClient['tech'] | undefined {
  const value = from.env ? infra.env?.[from.env]?.value.trim() : undefined;
  if (value && TYPEORM_TYPES.has(value)) return typeormTech(value);
  const nodes = new Set(model.nodes.filter((n) => n.kind === 'datastore' && SQL_NODE_TECH.has(n.tech ?? '')).map((n) => n.tech!));
  if (nodes.size === 1) return engineOfTech([...nodes][0]);
  if (nodes.size > 1) return 'sql';
  const servers = new Set((infra.resources ?? []).filter((r) => r.origin && r.ref.kind === 'datastore' && SERVER_TECH.has(r.ref.tech)).map((r) => r.ref.tech));
  return servers.size === 1 ? engineOfTech([...servers][0]) : 'sql';
}

function engineOfTech(tech: string): FoundClient['tech'] | undefined {
  return tech === 'sql' ? 'sql' : typeormTech(tech);
}
