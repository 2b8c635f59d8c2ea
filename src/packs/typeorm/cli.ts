// Data sources that package.json scripts hand to the TypeORM CLI
// (`typeorm -d src/data-source.ts migration:run`, `npm run typeorm -- --dataSource=...`). The CLI
// opens that pool for one command and exits: it is a tool's connection, not the service's.
// Pure over the config files, so capacity (which runs without the packs) can use it too.
import type { Evidence } from '../../model/types.js';
import type { ConfigFile } from '../../walk/config-files.js';

export interface CliDataSource {
  /** The path as the script writes it, relative to `dir`. */
  path: string;
  /** The folder of the package.json whose script runs the CLI. */
  dir: string;
  evidence: Evidence;
}

/** The CLI's bins (https://typeorm.io/docs/advanced-topics/using-cli) and its entry file run through node/ts-node. */
const BIN = /(?:^|[\s"'/=])typeorm(?:-ts-node-(?:commonjs|esm))?(?:\/cli(?:-ts-node-(?:commonjs|esm))?(?:\.[cm]?js)?)?(?=$|[\s"';&|)])/;
/** `-d FILE`, `-d=FILE`, `--dataSource FILE`, `--dataSource=FILE`: only a source file counts (`docker compose up -d` does not). */
const DATA_SOURCE = /(?:^|\s)(?:-d|--dataSource|--data-source)(?:=|\s+)["']?([^\s"';&|]+\.[cm]?[jt]sx?)(?=$|[\s"';&|])/g;
const RUN_SCRIPT = /\b(?:npm|pnpm|yarn|bun)\s+(?:run(?:-script)?\s+)?([\w:.-]+)/g;

type Scripts = Record<string, unknown>;

/** Does this command run the TypeORM CLI, itself or through another script of the package (`npm run typeorm -- ...`)? */
function runsCli(command: string, scripts: Scripts, depth: number): boolean {
  let rest = command;
  for (const m of command.matchAll(RUN_SCRIPT)) {
    const inner = scripts[m[1]];
    if (typeof inner !== 'string') continue; // `yarn typeorm` without such a script runs the bin: BIN sees it
    if (depth < 3 && runsCli(inner, scripts, depth + 1)) return true;
    rest = rest.replace(m[0], ' ');
  }
  return BIN.test(rest);
}

function dirOf(rel: string): string {
  return rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
}

/** Every data source file a package.json script passes to the TypeORM CLI. */
export function cliDataSources(configs: ConfigFile[]): CliDataSource[] {
  const out: CliDataSource[] = [];
  for (const pkg of configs) {
    if (!/(^|\/)package\.json$/.test(pkg.rel)) continue;
    const scripts = (pkg.json as { scripts?: unknown } | undefined)?.scripts;
    if (!scripts || typeof scripts !== 'object') continue;
    for (const [name, text] of Object.entries(scripts as Scripts)) {
      if (typeof text !== 'string') continue;
      // one command of a chain at a time: `build && typeorm -d dist/ds.js migration:run`
      for (const command of text.split(/&&|\|\||[;|]/)) {
        for (const m of command.matchAll(DATA_SOURCE)) {
          if (runsCli(command, scripts as Scripts, 0)) out.push({ path: m[1], dir: dirOf(pkg.rel), evidence: { file: pkg.rel, line: pkg.lineOf(`"${name}"`) } });
        }
      }
    }
  }
  return out;
}
