// Shared by the capacity rules (db/pool-unbounded, db/pool-budget-exceeded,
// db/no-statement-timeout, db/no-pooler, db/no-replica): the capacity section of the
// model and the wording of runtimes and routes. Not a rule module (leading underscore).
import type { Capacity, DatastoreCapacity, RuntimeDemand } from '../../analyze/capacity/types.js';
import type { Evidence, Location, Model } from '../../model/types.js';
import { routesPhrase } from '../util.js';

export function capacityOf(model: Model): Capacity | undefined {
  const c = model.capacity as Capacity | undefined;
  return c && Array.isArray(c.datastores) ? c : undefined;
}

export function storeName(d: DatastoreCapacity): string {
  return d.datastore.replace(/^datastore:/, '');
}

export function loc(ev: Evidence | undefined): Location[] {
  return ev ? [{ file: ev.file, line: ev.line }] : [];
}

/** Unique locations, first-seen order. */
export function uniqLocations(list: (Evidence | undefined)[]): Location[] {
  const seen = new Set<string>();
  const out: Location[] = [];
  for (const e of list) {
    if (!e) continue;
    const k = `${e.file}:${e.line}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ file: e.file, line: e.line });
  }
  return out;
}

/** Entrypoints served by these runtimes (from the model's entrypoint → runtime links). */
const byRuntimeCache = new WeakMap<Model, Map<string, string[]>>();

export function entrypointsOfRuntimes(model: Model, runtimes: string[]): string[] {
  let byRuntime = byRuntimeCache.get(model);
  if (!byRuntime) {
    byRuntime = new Map();
    for (const n of model.nodes) {
      if (n.kind !== 'entrypoint' || !n.runtime) continue;
      const list = byRuntime.get(n.runtime) ?? [];
      list.push(n.id);
      byRuntime.set(n.runtime, list);
    }
    byRuntimeCache.set(model, byRuntime);
  }
  return [...new Set(runtimes)].flatMap((r) => byRuntime!.get(r) ?? []).sort();
}

/** Entrypoints whose traced paths reach the datastore (edges into it, labelled by entrypoint). */
export function entrypointsReaching(model: Model, datastore: string): string[] {
  const out = new Set<string>();
  for (const e of model.edges) if (e.to === datastore) for (const ep of e.entrypoints ?? []) out.add(ep);
  return [...out].sort();
}

export function requestEntrypoints(model: Model, eps: string[]): string[] {
  const http = new Set(model.nodes.filter((n) => n.kind === 'entrypoint' && (n.trigger === 'http' || n.trigger === 'websocket' || n.trigger === 'function')).map((n) => n.id));
  return eps.filter((e) => http.has(e));
}

export function routesAt(model: Model, d: DatastoreCapacity, runtimes?: string[]): string {
  const reaching = entrypointsReaching(model, d.datastore);
  const reachingSet = new Set(reaching);
  const eps = runtimes ? entrypointsOfRuntimes(model, runtimes).filter((e) => reachingSet.has(e)) : reaching;
  return routesPhrase(eps.length ? eps : reaching);
}

/** "api (2 replicas)", "api (AWS Lambda, no reserved concurrency)". */
export function runtimePhrase(d: RuntimeDemand): string {
  const name = d.runtime.replace(/^runtime:/, '');
  if (d.tech === 'aws-lambda') return d.peak.unbounded ? `${name} (AWS Lambda without reserved concurrency: one pool per concurrent execution environment)` : `${name} (AWS Lambda, up to ${d.peak.value} concurrent)`;
  const n = d.replicas.value;
  const peak = d.peak.value !== undefined && d.peak.value !== n ? `, up to ${d.peak.value}` : '';
  return n !== undefined ? `${name} (${n} replica${n === 1 ? '' : 's'}${peak})` : `${name} (replicas not declared)`;
}

/** "max_connections 60 of postgres", "max_connections 100 of the local docker-compose postgres". */
export function limitPhrase(d: DatastoreCapacity): string {
  const v = d.server.maxConnections.value;
  if (v === undefined) return `${storeName(d)}'s max_connections (unknown)`;
  return `max_connections ${v} of ${d.server.localOnly ? `the local ${d.server.origin} ` : ''}${storeName(d)}`;
}
