import { dirOf, dockerCommandAt, isDockerfile, orchestratorDeclaresRuntimes, packageDirs } from '../_lib/infra.js';
import type { InfraFacts, TechPack } from '../types.js';

/**
 * Dockerfile: what the final stage runs (ENTRYPOINT + CMD, npm scripts resolved). Compose and
 * Kubernetes use it for services that set no command. When no orchestrator in the repository
 * declares runtimes, each Dockerfile is a runtime of its own, named after the package it
 * builds (`Dockerfile.worker` → `<package>-worker`); how many copies run is not in the file,
 * so no replica count is claimed.
 */
const pack: TechPack = {
  id: 'dockerfile',
  title: 'Dockerfile',
  upstreamDocs: ['https://docs.docker.com/reference/dockerfile/#cmd', 'https://docs.docker.com/reference/dockerfile/#entrypoint', 'https://docs.docker.com/reference/dockerfile/#understand-how-cmd-and-entrypoint-interact'],
  readConfig(files) {
    const out: InfraFacts = { runtimes: [] };
    if (orchestratorDeclaresRuntimes(files)) return out;
    const packages = packageDirs(files);
    for (const f of files) {
      if (!isDockerfile(f.rel)) continue;
      const cmd = dockerCommandAt(files, f.rel);
      if (!cmd) continue;
      const dir = dirOf(f.rel);
      const pkg = packages.find((p) => p.dir === dir);
      const base = pkg?.name || (dir ? dir.split('/').pop()! : 'app');
      const suffix = /Dockerfile\.([\w-]+)$/.exec(f.rel)?.[1] ?? /([\w-]+)\.Dockerfile$/.exec(f.rel)?.[1];
      const name = suffix && !/^(prod|production|release|dist)$/i.test(suffix) ? `${base}-${suffix.toLowerCase()}` : base;
      out.runtimes!.push({ name, tech: 'docker', evidence: [{ file: f.rel, line: cmd.line }], sourceDirs: [dir], command: cmd.command });
    }
    return out;
  },
};
export default pack;
