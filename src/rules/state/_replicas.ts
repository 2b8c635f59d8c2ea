// Which runtime serves the HTTP entrypoints of a file's package, and whether it runs as
// more than one process: what per-process state (rate limits, sessions, sockets, caches)
// depends on. Not a rule module (leading underscore).
import type { Model, ModelNode } from '../../model/types.js';
import type { CodeIndex } from '../types.js';
import { packageDirOf, packageDirs } from '../config/_code.js';

export interface ReplicaVerdict {
  /** 'many': known > 1 instance (replicas, autoscaling, Lambda); 'may': unknown; 'single': known to be one. */
  verdict: 'many' | 'may' | 'single';
  runtimes: ModelNode[];
  /** "runtime:api runs 2 replicas" / "runtime:api is an AWS Lambda function (one process per concurrent request)". */
  phrase: string;
  /** The HTTP entrypoints those runtimes serve. */
  entrypoints: string[];
}

function instancesOf(r: ModelNode): { n?: number; lambda: boolean } {
  const red = r.redundancy ?? {};
  const lambda = r.tech === 'aws-lambda' || r.tech === 'lambda' || /lambda|serverless|cloud-?run|functions?/i.test(r.tech ?? '');
  const n = Math.max(red.replicas ?? 0, red.maxReplicas ?? 0) || undefined;
  return { n, lambda };
}

/** Runtimes serving HTTP/WebSocket entrypoints registered in the same package as `file`. */
export function httpRuntimesFor(model: Model, code: CodeIndex, file: string): { runtimes: ModelNode[]; entrypoints: string[] } {
  const dirs = packageDirs(code.configs);
  const pkg = packageDirOf(dirs, file);
  const eps = model.nodes.filter((n) => n.kind === 'entrypoint' && (n.trigger === 'http' || n.trigger === 'websocket') && n.evidence.some((e) => packageDirOf(dirs, e.file) === pkg));
  const ids = [...new Set(eps.map((e) => e.runtime).filter((r): r is string => !!r))].sort();
  const runtimes = ids.map((id) => model.nodes.find((n) => n.id === id)).filter((n): n is ModelNode => !!n);
  return { runtimes, entrypoints: eps.map((e) => e.id).sort() };
}

export function replicaVerdict(model: Model, code: CodeIndex, file: string): ReplicaVerdict {
  const { runtimes, entrypoints } = httpRuntimesFor(model, code, file);
  if (!runtimes.length) return { verdict: 'may', runtimes, entrypoints, phrase: 'the number of instances serving it is not declared (any horizontal scaling, rolling deploy or second container splits the state)' };
  const many = runtimes.find((r) => {
    const i = instancesOf(r);
    if (i.lambda) return r.redundancy?.replicas !== 1 && r.redundancy?.maxReplicas !== 1;
    return (i.n ?? 0) > 1;
  });
  if (many) {
    const i = instancesOf(many);
    const phrase = i.lambda
      ? `${many.id} is a ${many.tech === 'aws-lambda' ? 'AWS Lambda' : many.tech} function, where every concurrent request can land in a different execution environment`
      : `${many.id} runs ${i.n} replicas`;
    return { verdict: 'many', runtimes, entrypoints, phrase };
  }
  if (runtimes.every((r) => instancesOf(r).n === 1)) return { verdict: 'single', runtimes, entrypoints, phrase: `${runtimes.map((r) => r.id).join(', ')} runs one replica` };
  return { verdict: 'may', runtimes, entrypoints, phrase: `${runtimes.map((r) => r.id).join(', ')} declares no replica count, so it may run several instances` };
}
