import { isDockerfile, orchestratorDeclaresRuntimes, packageDirs } from '../_lib/infra.js';
import type { InfraFacts, TechPack } from '../types.js';

/** A script that starts a long-running process from a file (not a watcher, a build or a one-off). */
const RUNS_FILE = /^(?:[A-Z_]+=\S+\s+)*(?:node|bun|tsx|ts-node|ts-node-esm|deno\s+run|pm2-runtime(?:\s+start)?)\s+(?:-{1,2}[\w-]+(?:[= ]\S+)?\s+)*\S+\.(?:[cm]?js|[cm]?ts)\b/;
const WATCH = /\b(watch|--watch|nodemon|--inspect|-w\b|dev)\b/;
/** Script names of processes other than the main one: `start:worker`, `worker`, `jobs:start`. */
const ROLE = /^(?:start:)?(worker|workers|jobs|queue|queues|consumer|consumers|scheduler|cron|bot)(?::start|:prod)?$/;
const MAIN = /^(start|start:prod|serve|start:production)$/;

/**
 * package.json scripts: when no compose file, Kubernetes manifest, serverless.yml or
 * Dockerfile says what runs, `start` names the package's main process and
 * `start:worker`-style scripts name its other processes (`<package>-worker`). How many copies
 * run is not in the file, so no replica count is claimed.
 */
const pack: TechPack = {
  id: 'package-scripts',
  title: 'package.json scripts',
  upstreamDocs: ['https://docs.npmjs.com/cli/v10/using-npm/scripts', 'https://docs.npmjs.com/cli/v10/commands/npm-start'],
  readConfig(files) {
    const out: InfraFacts = { runtimes: [] };
    if (files.some((f) => isDockerfile(f.rel)) || orchestratorDeclaresRuntimes(files)) return out;
    for (const pkg of packageDirs(files)) {
      const scripts = pkg.json?.scripts;
      if (!scripts || typeof scripts !== 'object' || !pkg.name) continue;
      const file = files.find((f) => f.rel === pkg.rel)!;
      const seen = new Set<string>();
      let mainDone = false;
      for (const [script, text] of Object.entries<unknown>(scripts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        if (typeof text !== 'string' || !RUNS_FILE.test(text.trim()) || WATCH.test(text)) continue;
        const role = ROLE.exec(script)?.[1];
        const isMain = !role && MAIN.test(script);
        if (!role && !isMain) continue;
        if (isMain && mainDone) continue;
        const name = role ? `${pkg.name}-${role}` : pkg.name;
        if (seen.has(name) || seen.has(`cmd:${text.trim()}`)) continue;
        seen.add(name);
        seen.add(`cmd:${text.trim()}`);
        if (isMain) mainDone = true;
        out.runtimes!.push({ name, tech: 'node', evidence: [{ file: pkg.rel, line: file.lineOf(`"${script}"`) }], sourceDirs: [pkg.dir], command: text.trim() });
      }
    }
    return out;
  },
};
export default pack;
