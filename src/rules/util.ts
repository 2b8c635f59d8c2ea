// Helpers shared by rules: wording of the impact in the system's own terms.
import type { FileFacts, FunctionFact } from '../extract/facts.js';
import type { Model, ModelNode } from '../model/types.js';
import type { CodeIndex } from './types.js';

/** "POST /user/save, POST /user/setup (2 routes)" — the routes a function runs for. */
export function routesPhrase(eps: string[], max = 3): string {
  if (!eps.length) return 'no traced entrypoint';
  const names = eps.map((e) => e.replace(/^entrypoint:/, ''));
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more (${names.length} entrypoints)` : `${shown}`;
}

export function functionLabel(fn: FunctionFact): string {
  return fn.name === '<anon>' ? `the function at line ${fn.line}` : fn.className ? `${fn.className}.${fn.name}` : fn.name;
}

/** Named functions and methods (not inline callbacks), the units most rules report on. */
export function namedFunctions(f: FileFacts): FunctionFact[] {
  return f.functions.filter((fn) => !fn.inlineOf && fn.name !== 'constructor');
}

export function entrypointsOf(code: CodeIndex | undefined, file: string, fn: FunctionFact): string[] {
  if (!code) return [];
  const own = code.entrypointsOf(file, fn.id);
  if (own.length || !fn.parent) return own;
  return code.entrypointsOf(file, fn.parent);
}

/** UI component files: a browser runs them unless a server entrypoint does (a Next.js route). */
export const COMPONENT_FILE = /\.(tsx|jsx|vue|svelte)$/;

/**
 * Browser code: a UI component file (.tsx/.jsx/.vue/.svelte, also in a package that holds both a
 * server and its front end), front-end code (code.isFrontend), or a file of a UI-framework app
 * such as a Next.js package (hooks, a tracker script) — unless a traced server entrypoint runs
 * the function: a Next.js route handler or server action it reaches is server code and stays in.
 */
export function isBrowserCode(code: CodeIndex | undefined, file: string, fn: FunctionFact | undefined): boolean {
  const browserish = COMPONENT_FILE.test(file) || !!code?.isFrontend(file) || !!code?.inUiPackage(file);
  return browserish && !(fn && entrypointsOf(code, file, fn).length);
}

// Rules look nodes up per entrypoint and per finding: the nodes of a model are indexed by id once.
const nodeIndexes = new WeakMap<readonly ModelNode[], Map<string, ModelNode>>();

/** The node with this id (the first, as nodes.find would). */
export function nodeById(model: Pick<Model, 'nodes'>, id: string): ModelNode | undefined {
  let ix = nodeIndexes.get(model.nodes);
  if (!ix) {
    ix = new Map();
    for (const n of model.nodes) if (!ix.has(n.id)) ix.set(n.id, n);
    nodeIndexes.set(model.nodes, ix);
  }
  return ix.get(id);
}

export function nodeName(model: Model, id: string): string {
  return nodeById(model, id)?.name ?? id.replace(/^[a-z]+:/, '');
}

const NON_PRODUCTION = /(^|\/)(test|tests|testing|__tests__|spec|e2e|fixtures?|mocks?|__mocks__|seeds?|scripts)(\/|$)|\.(test|spec|e2e-spec|stories)\.[cm]?[jt]sx?$|(^|\/)seeds?\.[cm]?[jt]sx?$|(^|\/)(test_[^/]*|[^/]*_tests?|conftest)\.py$/;
// Most rules ask this of every file; the answer depends on the path alone.
const nonProduction = new Map<string, boolean>();

/** Files whose path says they are tests, fixtures, seeds or scripts — not production code paths. */
export function isNonProductionFile(file: string): boolean {
  let hit = nonProduction.get(file);
  if (hit === undefined) {
    hit = NON_PRODUCTION.test(file);
    nonProduction.set(file, hit);
  }
  return hit;
}

const depsCache = new WeakMap<Model, Map<string, Set<string>>>();

/**
 * Entrypoint id → the datastores, caches and queues its labelled edges reach. Built once
 * per model: rules ask this per entrypoint, and scanning every edge each time is quadratic.
 */
export function stateDependenciesByEntrypoint(model: Model): Map<string, Set<string>> {
  let hit = depsCache.get(model);
  if (hit) return hit;
  hit = new Map();
  const kinds = new Map(model.nodes.map((n) => [n.id, n.kind]));
  for (const e of model.edges) {
    const k = kinds.get(e.to);
    if (k !== 'datastore' && k !== 'cache' && k !== 'queue') continue;
    for (const ep of e.entrypoints ?? []) {
      let set = hit.get(ep);
      if (!set) hit.set(ep, (set = new Set()));
      set.add(e.to);
    }
  }
  depsCache.set(model, hit);
  return hit;
}
