import type { FactIndex } from '../../extract/facts.js';
import type { Model } from '../../model/types.js';
import type { Rule } from '../types.js';
import { isNonProductionFile, routesPhrase } from '../util.js';
import { ALEMBIC_APPLY, alembicEnvironments, alembicStepsInCode } from '../../packs/alembic/index.js';

interface MigrationSet {
  tool: string;
  dir: string;
  files: string[];
  /** package.json that declares a migration workflow (scripts running prisma migrate, typeorm migration:…). */
  pkg?: { rel: string; dir: string; scripts: Record<string, string> };
  /** Where the migration environment is declared (alembic.ini script_location, env.py), cited first. */
  anchor?: { file: string; line: number };
}

const DOWN_MIGRATION = /(^|[/._-])down(\.sql$|\/)/i;

/** Commands that apply (or verify) migrations against a database. */
const APPLY = [
  /prisma\s+migrate\s+(deploy|status|resolve)/,
  /prisma\s+db\s+push/,
  /\bmigration:run\b/,
  /(knex|knex-migrator)\s+migrate:(latest|up)/,
  /sequelize(?:-cli)?\s+db:migrate\b(?!:undo)/,
  /node-pg-migrate\s+up|pg-migrate\s+up/,
  /\bdb-migrate\s+up/,
  /\bflyway\s+(?:[-\w.=:/]+\s+)*migrate/,
  /\bliquibase\s+(?:[-\w.=:/]+\s+)*update/,
  /\bmigrate\s+(?:-(?:path|source|database)\b[^\n]*\s+)?up\b/,
  /\bdbmate\s+(up|migrate)/,
  /drizzle-kit\s+(migrate|push)/,
  /graphile-migrate\s+migrate/,
  /atlas\s+migrate\s+apply/,
  /mikro-orm\s+migration:up/,
  /\bgoose\s+(?:[-\w.=:/]+\s+)*up\b/,
  ...ALEMBIC_APPLY,
];
/** Scripts that show the project manages its schema with migrations. */
const MIGRATION_TOOL = /prisma\s+migrate\s+(dev|deploy)|typeorm\S*\s+(?:-d\s+\S+\s+)?migration:|knex\s+migrate:|sequelize(?:-cli)?\s+db:migrate|node-pg-migrate|db-migrate\s|drizzle-kit\s+(generate|migrate)|mikro-orm\s+migration:/;
/** package.json scripts that run as part of building, starting or deploying. */
const DEPLOY_CHAIN = /^(pre|post)?(start|deploy|release|serve|prod)(:[\w:-]+)?$|^(pre|post)?build(:[\w:-]+)?$|^postinstall$|^heroku-postbuild$|^vercel-build$/;
const RUN_SCRIPT = /(?:npm\s+run(?:-script)?|yarn(?:\s+run)?|pnpm(?:\s+run)?|bun\s+run|run-s|run-p|npm-run-all(?:\s+-[sp])?)\s+([\w:.-]+)/g;

function toolOf(cmd: string): string {
  if (/prisma/.test(cmd)) return 'prisma';
  if (/typeorm/.test(cmd)) return 'typeorm';
  if (/knex/.test(cmd)) return 'knex';
  if (/sequelize/.test(cmd)) return 'sequelize';
  if (/drizzle/.test(cmd)) return 'drizzle';
  return 'sql';
}

interface PkgJson {
  rel: string;
  dir: string;
  scripts: Record<string, string>;
}

function packageJsons(configs: { rel: string; json?: unknown }[]): PkgJson[] {
  return configs
    .filter((c) => /(^|\/)package\.json$/.test(c.rel) && !/node_modules\//.test(c.rel) && c.json && typeof c.json === 'object')
    .map((c) => {
      const raw = (c.json as { scripts?: Record<string, unknown> }).scripts ?? {};
      const scripts: Record<string, string> = {};
      for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') scripts[k] = v;
      return { rel: c.rel, dir: c.rel.includes('/') ? c.rel.slice(0, c.rel.lastIndexOf('/')) : '', scripts };
    });
}

/** Does a command apply migrations, directly or through the package scripts it runs? */
function commandApplies(cmd: string, scripts: Record<string, string>, depth = 0): boolean {
  if (APPLY.some((re) => re.test(cmd))) return true;
  if (depth > 4) return false;
  for (const m of cmd.matchAll(RUN_SCRIPT)) {
    const next = scripts[m[1]];
    if (next !== undefined && commandApplies(next, scripts, depth + 1)) return true;
  }
  return false;
}

function migrationSets(configs: { rel: string; json?: unknown }[], facts: FactIndex, pkgs: PkgJson[]): MigrationSet[] {
  const sets = new Map<string, MigrationSet>();
  const add = (tool: string, dir: string, file: string) => {
    const key = `${tool}\0${dir}`;
    const s = sets.get(key) ?? { tool, dir, files: [] };
    s.files.push(file);
    sets.set(key, s);
  };
  for (const c of configs) {
    if (/node_modules\//.test(c.rel) || isNonProductionFile(c.rel)) continue;
    const prisma = /^(.*?prisma)\/migrations\/[^/]+\/migration\.sql$/.exec(c.rel);
    if (prisma) {
      add('prisma', `${prisma[1]}/migrations`, c.rel);
      continue;
    }
    const sql = /^(.*?(?:^|\/)(?:migrations?|db\/migrate|db\/migration))\/(?:[^/]+\/)?[^/]+\.sql$/.exec(c.rel);
    // down migrations (`down/`, `*.down.sql`) undo the others: not migrations to apply
    if (sql && !DOWN_MIGRATION.test(c.rel.slice(sql[1].length))) add('sql', sql[1], c.rel);
  }
  for (const f of facts.values()) {
    const m = /^(.*?(?:^|\/)migrations?)\/[^/]+\.[cm]?[jt]s$/.exec(f.file);
    if (!m || isNonProductionFile(f.file)) continue;
    const typeorm = f.classes.some((c) => c.implements.includes('MigrationInterface'));
    const updown = ('up' in f.exports || f.functions.some((fn) => fn.name === 'up' && (fn.exported || f.exports.up))) && ('down' in f.exports || f.functions.some((fn) => fn.name === 'down'));
    if (typeorm) add('typeorm', m[1], f.file);
    else if (updown) add('knex', m[1], f.file);
  }
  const out = [...sets.values()].map((s) => ({ ...s, files: s.files.sort() }));
  // the package that owns each set (nearest package.json above it), or a package whose scripts declare migrations
  for (const s of out) s.pkg = pkgs.filter((p) => p.dir === '' || s.dir === p.dir || s.dir.startsWith(p.dir + '/')).sort((a, b) => b.dir.length - a.dir.length)[0];
  for (const p of pkgs) {
    const cmd = Object.values(p.scripts).find((v) => MIGRATION_TOOL.test(v));
    if (!cmd) continue;
    if (out.some((s) => s.pkg?.rel === p.rel)) continue;
    out.push({ tool: toolOf(cmd), dir: p.dir || '.', files: [], pkg: p });
  }
  return out.sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
}

/** Code that runs migrations at start-up: migrationsRun: true, dataSource.runMigrations(), knex.migrate.latest(), drizzle migrate(), umzug.up(). */
function appliedInCode(facts: FactIndex): { file: string; line: number } | undefined {
  for (const f of facts.values()) {
    if (isNonProductionFile(f.file) && !/(^|\/)scripts\//.test(f.file)) continue;
    for (const c of f.calls) {
      const chain = c.callee;
      const last = chain[chain.length - 1];
      if (last === 'runMigrations' || (last === 'latest' && chain.includes('migrate')) || (last === 'up' && chain.some((p) => /umzug|migrator/i.test(p)))) return { file: f.file, line: c.line };
      if (last === 'migrate' && f.imports.some((i) => /drizzle-orm\/.*migrator|postgres-migrations|node-pg-migrate/.test(i.source) && i.names.some((n) => n.local === chain[0]))) return { file: f.file, line: c.line };
      if (c.args.some((a) => a && typeof a === 'object' && 'obj' in a && a.obj.migrationsRun === true)) return { file: f.file, line: c.line };
    }
    for (const v of f.vars) if (v.init && typeof v.init === 'object' && JSON.stringify(v.init).includes('"migrationsRun":true')) return { file: f.file, line: v.line };
  }
  return undefined;
}

/** A deploy step in the repository that applies migrations: Dockerfile, compose, CI, Procfile, deploy YAML/TOML, or a build/start/deploy script. */
function appliedInConfig(configs: { rel: string; text: string }[], pkgs: PkgJson[]): string | undefined {
  const allScripts: Record<string, string> = Object.assign({}, ...pkgs.map((p) => p.scripts));
  for (const p of pkgs) {
    for (const [name, cmd] of Object.entries(p.scripts)) {
      if (!DEPLOY_CHAIN.test(name) || /(^|:)(dev|local|test|watch)\b/.test(name)) continue;
      if (commandApplies(cmd, p.scripts)) return p.rel;
    }
  }
  for (const c of configs) {
    if (/node_modules\//.test(c.rel) || /(^|\/)package(-lock)?\.json$/.test(c.rel)) continue;
    if (!/(^|\/)(Dockerfile[^/]*|Procfile|[^/]*\.ya?ml|[^/]*\.toml|[^/]*\.sh)$/.test(c.rel)) continue;
    // a commented-out step (`# RUN alembic upgrade head`) is not a step
    const text = c.text.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n');
    if (commandApplies(text, allScripts)) return c.rel;
  }
  return undefined;
}

function datastoreEntrypoints(model: Model): string[] {
  const ds = new Set(model.nodes.filter((n) => n.kind === 'datastore').map((n) => n.id));
  const out = new Set<string>();
  for (const e of model.edges) if (ds.has(e.to)) for (const ep of e.entrypoints ?? []) out.add(ep);
  return [...out].sort();
}

const rule: Rule = {
  meta: {
    id: 'migrations/unchecked',
    title: 'Schema migrations are not applied or verified on deploy',
    category: 'data-integrity',
    polarity: 'risk',
    defaultSeverity: 'low',
    effort: 'S',
    priority: 'P2',
    docs: {
      what: 'The repository manages its schema with migrations (prisma/migrations, migrations/*.sql, TypeORM or Knex migration modules, or package.json scripts running `prisma migrate` / `typeorm migration:*`; Alembic or Flask-Migrate revisions under the `versions/` folder of the script directory that `alembic.ini` names, or of an `env.py` that imports alembic) but nothing that runs on deploy or start-up applies or verifies them: no `prisma migrate deploy` (or typeorm `migration:run`, `knex migrate:latest`, `sequelize db:migrate`, flyway, golang-migrate…) in a build/start/deploy script (directly or through `npm run`), a Dockerfile, compose command, CI workflow or other deploy YAML, no `alembic upgrade head` / `flask db upgrade` (also in an entrypoint or prestart shell script), no `migrationsRun: true`, no `runMigrations()` / `knex.migrate.latest()` / alembic `command.upgrade(cfg, "head")` at start-up, and no start-up check that compares the database revision (`MigrationContext.get_current_heads()`) with the scripts. A standalone `migrate:deploy` script that nothing invokes is a manual step.',
      why: 'Applying migrations by hand makes schema drift a matter of time: a release ships code that reads a column the production database does not have yet (Prisma P2021/P2022, "relation does not exist"), and every route touching that table fails until someone notices and runs the migration. In multi-tenant or multi-region setups one forgotten database is enough.',
      fix: 'Apply migrations as a deploy step before the new code takes traffic — e.g. a CI job or release command `npx prisma migrate deploy`, a Kubernetes init container / Helm pre-upgrade hook, or compose `command: sh -c "npx prisma migrate deploy && node dist/server.js"` — and fail the deploy when it fails; at least run `prisma migrate status` in CI.',
      falsePositiveGuard: 'Silent when an apply/verify command runs from a build/start/deploy/release script (also through `npm run <script>`), a Dockerfile, compose file, CI workflow, Procfile or other YAML/TOML deploy config (also through `npm run migrate:deploy`), or when start-up code runs migrations or refuses to start with pending Alembic revisions. Only migration files outside test/seed/fixture folders count. Migrations applied from outside the repository (a separate infra repo, a platform release phase) cannot be seen — suppress with a reason in that case.',
      references: ['https://www.prisma.io/docs/orm/prisma-client/deployment/deploy-database-changes-with-prisma-migrate', 'https://typeorm.io/migrations', 'https://knexjs.org/guide/migrations.html', 'https://alembic.sqlalchemy.org/en/latest/api/commands.html#alembic.command.upgrade'],
    },
  },
  check({ facts, code, model }, ctx) {
    if (!code) return;
    const pkgs = packageJsons(code.configs);
    const sets = migrationSets(code.configs, facts, pkgs);
    // Alembic / Flask-Migrate environments (alembic.ini or env.py, with versions/*.py)
    const alembic = alembicEnvironments(code.configs, facts);
    for (const a of alembic) sets.push({ tool: a.tool, dir: `${a.dir}/versions`.replace(/^\.\//, ''), files: a.revisions, anchor: a.evidence });
    if (!sets.length) return;
    if (appliedInConfig(code.configs, pkgs) || appliedInCode(facts) || alembicStepsInCode(facts).length) return;
    const eps = datastoreEntrypoints(model);
    const seenPkg = new Set<string>();
    for (const s of sets) {
      const cmd = s.tool === 'alembic' ? 'alembic upgrade head' : s.tool === 'flask-migrate' ? 'flask db upgrade' : s.tool === 'prisma' ? 'npx prisma migrate deploy' : s.tool === 'typeorm' ? 'npx typeorm migration:run -d <data-source>' : s.tool === 'knex' ? 'npx knex migrate:latest' : s.tool === 'sequelize' ? 'npx sequelize-cli db:migrate' : 'your migration tool (flyway migrate, migrate up, dbmate up…)';
      const deployScript = s.pkg ? Object.keys(s.pkg.scripts).find((k) => /^(deploy|release)(:[\w:-]+)?$/.test(k)) : undefined;
      const manual = s.pkg ? Object.entries(s.pkg.scripts).find(([, v]) => APPLY.some((re) => re.test(v)))?.[0] : undefined;
      if (!s.files.length && s.pkg && seenPkg.has(s.pkg.rel)) continue;
      if (s.pkg) seenPkg.add(s.pkg.rel);
      const pkgCfg = s.pkg ? code.configs.find((c) => c.rel === s.pkg!.rel) : undefined;
      const loc = s.anchor ? s.anchor : deployScript && pkgCfg
        ? { file: pkgCfg.rel, line: pkgCfg.lineOf(`"${deployScript}":`) }
        : s.files.length ? { file: s.files[s.files.length - 1], line: 1 }
        : pkgCfg ? { file: pkgCfg.rel, line: pkgCfg.lineOf(`"${Object.keys(s.pkg!.scripts).find((k) => MIGRATION_TOOL.test(s.pkg!.scripts[k]))}":`) } : undefined;
      if (!loc) continue;
      const what = s.files.length ? `${s.files.length} ${s.tool === 'sql' ? 'SQL' : s.tool === 'flask-migrate' ? 'Flask-Migrate (Alembic)' : s.tool === 'alembic' ? 'Alembic' : s.tool} migration${s.files.length > 1 ? 's' : ''} in ${s.dir}` : `The ${s.tool} migrations of ${s.pkg?.rel ?? s.dir}`;
      const detail = [
        deployScript ? `the \`${deployScript}\` script (${s.pkg!.scripts[deployScript]}) does not run them` : s.anchor ? 'no Dockerfile, compose command, entrypoint script, CI workflow or start-up code in the repository runs `' + cmd + '` or checks for pending revisions' : 'no script, Dockerfile, compose command or CI workflow in the repository runs them',
        manual ? `\`${s.pkg!.scripts[manual]}\` exists only as the manual script \`${manual}\`` : undefined,
      ].filter(Boolean).join('; ');
      ctx.report({
        element: model.nodes.find((n) => n.kind === 'datastore')?.id,
        locations: [loc, ...(s.files.length && loc.file !== s.files[s.files.length - 1] ? [{ file: s.files[s.files.length - 1], line: 1 }] : [])],
        title: `${what} ${s.files.length > 1 || !s.files.length ? 'are' : 'is'} not applied by any deploy step`,
        impact: `${detail[0].toUpperCase()}${detail.slice(1)}: a release can reach production before its schema change, and ${eps.length ? routesPhrase(eps) : 'the code that uses the database'} then fail${eps.length === 1 ? 's' : ''} on missing tables or columns until someone migrates by hand.`,
        recommendation: `Run \`${cmd}\` as a deploy step before the new version takes traffic (in the deploy script, a CI job, a release command or an init container) and fail the deploy if it fails.`,
        fingerprintKey: `${s.tool} ${s.dir}`,
      });
    }
  },
};
export default rule;
