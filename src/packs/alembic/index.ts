// Alembic (and Flask-Migrate, which wraps it): the schema migration mechanism of SQLAlchemy
// projects. What the repository shows, as facts with evidence: the migration environments
// (`alembic.ini` → `script_location`, or an `env.py` that imports alembic, with its
// `versions/*.py` revision files), and the steps that apply or verify them before the app
// serves — `alembic upgrade head` / `flask db upgrade` in a Dockerfile, compose command,
// Procfile, CI or deploy config, or an entrypoint/prestart shell script; `command.upgrade(cfg,
// "head")` or Flask-Migrate's `upgrade()` in code (a lifespan hook, a start-up script); a
// start-up check that compares `MigrationContext.get_current_heads()` with the script's heads.
// migrations/unchecked reads these; the pack itself classifies no calls.
import type { CallFact, FactIndex, FileFacts } from '../../extract/facts.js';
import type { Evidence } from '../../model/types.js';
import type { ConfigFile } from '../../walk/config-files.js';
import { parseKeyValueConf } from '../_infra.js';
import { dirOf, joinRel } from '../_lib/infra.js';
import { pyImportOf } from '../_lib/python.js';
import type { TechPack } from '../types.js';

export interface AlembicEnvironment {
  /** 'flask-migrate' when the project uses Flask-Migrate (`flask db upgrade`), else 'alembic'. */
  tool: 'alembic' | 'flask-migrate';
  /** The script directory (where env.py and versions/ live). */
  dir: string;
  /** alembic.ini (or env.py when there is no ini) that declares it. */
  evidence: Evidence;
  /** Revision files under versions/, sorted. */
  revisions: string[];
}

export interface MigrationStep {
  /** 'apply': runs the migrations; 'verify': refuses or reports when the database is behind. */
  kind: 'apply' | 'verify';
  how: string;
  evidence: Evidence;
}

const TEST_PATH = /(^|\/)(tests?|__tests__|fixtures?|examples?|docs?)(\/|$)|(^|\/)(test_[^/]*|[^/]*_test|conftest)\.py$/;

/** `alembic upgrade head`, `python -m alembic -c alembic.ini upgrade heads`, `flask db upgrade`, `python -m flask --app app db upgrade`. */
export const ALEMBIC_APPLY = [/\balembic\b[^\n;&|#]*?\supgrade\b/, /\bflask\b[^\n;&|#]*?\sdb\s+upgrade\b/];

function isRevisionFile(f: FileFacts): boolean {
  return f.vars.some((v) => v.name === 'revision') && f.functions.some((fn) => fn.name === 'upgrade' && !fn.className);
}

/** Migration environments with at least one revision file. */
export function alembicEnvironments(configs: readonly ConfigFile[], facts: FactIndex): AlembicEnvironment[] {
  const flaskMigrate = [...facts.values()].some((f) => f.file.endsWith('.py') && f.imports.some((i) => i.source === 'flask_migrate' || i.source.startsWith('flask_migrate.')));
  const dirs = new Map<string, Evidence>();
  for (const c of configs) {
    if (!/(^|\/)alembic\.ini$/.test(c.rel) || TEST_PATH.test(c.rel)) continue;
    const loc = parseKeyValueConf(c.text).find((kv) => kv.section === 'alembic' && kv.key === 'script_location');
    if (!loc) continue;
    // `%(here)s/alembic`, `alembic`, or a package resource `myapp:migrations`
    const v = loc.value.replace(/^%\(here\)s\/?/, '');
    const rel = /^[\w.]+:[\w./]+$/.test(v) ? `${v.split(':')[0].replace(/\./g, '/')}/${v.split(':')[1]}` : v;
    if (rel.startsWith('/')) continue;
    const dir = joinRel(dirOf(c.rel), rel);
    if (!dirs.has(dir)) dirs.set(dir, { file: c.rel, line: loc.line });
  }
  for (const f of facts.values()) {
    if (!/(^|\/)env\.py$/.test(f.file) || TEST_PATH.test(f.file)) continue;
    if (!f.imports.some((i) => i.source === 'alembic' || i.source.startsWith('alembic.'))) continue;
    const dir = dirOf(f.file);
    if (!dirs.has(dir)) dirs.set(dir, { file: f.file, line: f.imports.find((i) => i.source.startsWith('alembic'))?.line ?? 1 });
  }
  const out: AlembicEnvironment[] = [];
  for (const [dir, evidence] of dirs) {
    const prefix = dir ? `${dir}/versions/` : 'versions/';
    const revisions = [...facts.values()].filter((f) => f.file.startsWith(prefix) && f.file.endsWith('.py') && isRevisionFile(f)).map((f) => f.file).sort();
    if (revisions.length) out.push({ tool: flaskMigrate ? 'flask-migrate' : 'alembic', dir: dir || '.', evidence, revisions });
  }
  return out.sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
}

/** Deploy and start-up configuration that runs `alembic upgrade` / `flask db upgrade`: Dockerfiles, Procfile, compose/CI/deploy YAML and TOML, shell scripts. */
export function alembicStepsInConfig(configs: readonly ConfigFile[]): MigrationStep[] {
  const out: MigrationStep[] = [];
  for (const c of configs) {
    if (/node_modules\//.test(c.rel) || !/(^|\/)(Dockerfile[^/]*|Procfile|[^/]*\.ya?ml|[^/]*\.toml|[^/]*\.sh)$/.test(c.rel)) continue;
    const lines = c.text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      if (/^\s*#/.test(l)) continue;
      const m = ALEMBIC_APPLY.map((re) => re.exec(l)).find((x) => x);
      if (m) out.push({ kind: 'apply', how: `\`${m[0].trim().replace(/^.*?\b(alembic|flask)\b/, '$1')}\``, evidence: { file: c.rel, line: i + 1 } });
    }
  }
  return out;
}

function importedFrom(f: FileFacts, c: CallFact, pkgs: readonly string[]): { source: string; imported: string } | undefined {
  if (c.root || !c.callee.length) return undefined;
  const imp = pyImportOf(f, c.callee[0]);
  return imp && pkgs.some((p) => imp.source === p || imp.source.startsWith(p + '.')) ? imp : undefined;
}

/** Code that applies or verifies migrations: alembic `command.upgrade(...)`, Flask-Migrate `upgrade()`, `MigrationContext...get_current_heads()` checks. */
export function alembicStepsInCode(facts: FactIndex): MigrationStep[] {
  const out: MigrationStep[] = [];
  for (const f of facts.values()) {
    if (!f.file.endsWith('.py') || TEST_PATH.test(f.file)) continue;
    if (!f.imports.some((i) => /^(alembic|flask_migrate)(\.|$)/.test(i.source))) continue;
    for (const c of f.calls) {
      const last = c.callee[c.callee.length - 1];
      const imp = importedFrom(f, c, ['alembic', 'flask_migrate']);
      // from alembic import command; command.upgrade(cfg, "head") / alembic.command.upgrade(...) / from alembic.command import upgrade
      if (last === 'upgrade' && imp && (imp.source.startsWith('alembic') ? c.callee.includes('command') || imp.imported === 'command' || imp.imported === 'upgrade' : true)) {
        out.push({ kind: 'apply', how: `${c.callee.join('.')}(...)`, evidence: { file: f.file, line: c.line } });
      } else if ((last === 'get_current_heads' || last === 'get_current_revision') && f.imports.some((i) => i.source.startsWith('alembic') && i.names.some((n) => n.imported === 'MigrationContext' || n.imported === 'migration'))) {
        out.push({ kind: 'verify', how: `MigrationContext.${last}() compared with the script's heads`, evidence: { file: f.file, line: c.line } });
      }
    }
  }
  return out.sort((a, b) => (a.evidence.file < b.evidence.file ? -1 : a.evidence.file > b.evidence.file ? 1 : a.evidence.line - b.evidence.line));
}

const pack: TechPack = {
  id: 'alembic',
  title: 'Alembic and Flask-Migrate (schema migrations)',
  lang: 'python',
  upstreamDocs: ['https://alembic.sqlalchemy.org/en/latest/tutorial.html', 'https://alembic.sqlalchemy.org/en/latest/api/commands.html', 'https://flask-migrate.readthedocs.io/en/latest/'],
  packages: ['alembic', 'flask_migrate'],
};
export default pack;
