import { isObj, valToString, type FileFacts, type Val } from '../../extract/facts.js';
import type { EntrypointDef, EntrypointLink, TechPack } from '../types.js';
import { joinPath } from '../nestjs/index.js';

const ROUTER_CALL = /(^|\.)(router|createTRPCRouter|createRouter)$/;
const PROCEDURE_HEAD = /(^|\.)\w*[pP]rocedure$/;
const KINDS: Record<string, 'query' | 'mutation' | 'subscription'> = { query: 'query', mutation: 'mutation', subscription: 'subscription' };

interface Procedure {
  kind: 'query' | 'mutation' | 'subscription';
  handler: Val;
  /** `.use(mw)` calls of the chain and of the procedures it builds on, outermost base first. */
  middleware: { file: string; v: Val }[];
}

/** A procedure chain `authed.input(schema).mutation(fn)`: its terminal kind, handler and the name it starts from. */
function unwindProcedure(v: Val): { kind: Procedure['kind']; handler: Val; head: string; uses: Val[] } | undefined {
  if (!v || typeof v !== 'object' || !('call' in v)) return undefined;
  const uses: Val[] = [];
  let kind: Procedure['kind'] | undefined;
  let handler: Val = null;
  let cur: Val = v;
  for (let i = 0; i < 40; i++) {
    if (!cur || typeof cur !== 'object') return undefined;
    if ('ref' in cur) return kind && PROCEDURE_HEAD.test(cur.ref) ? { kind, handler, head: cur.ref, uses } : undefined;
    if (!('call' in cur)) return undefined;
    const chained = cur.call.startsWith('().');
    const parts = (chained ? cur.call.slice(3) : cur.call).split('.');
    const op = parts[parts.length - 1];
    if (i === 0) {
      kind = Object.hasOwn(KINDS, op) ? KINDS[op] : undefined;
      if (!kind) return undefined;
      handler = cur.args[cur.args.length - 1];
    } else if (op === 'use') uses.unshift(...cur.args);
    if (chained) {
      if (!cur.recv) return undefined;
      cur = cur.recv;
      continue;
    }
    const head = parts.slice(0, -1).join('.');
    return kind && head && PROCEDURE_HEAD.test(head) ? { kind, handler, head, uses } : undefined;
  }
  return undefined;
}

/** The `.use(...)` middleware a named procedure base carries (`authenticatedProcedure = t.procedure.use(auth)`), following bases. */
function baseUses(link: EntrypointLink, file: string, name: string, depth = 0): { file: string; v: Val }[] {
  if (depth > 4 || name.includes('.')) return [];
  const def = link.definitionOf(file, name);
  const init = def && link.facts(def.file)?.vars.find((x) => x.name === def.name)?.init;
  if (!def || !init || typeof init !== 'object' || !('call' in init)) return [];
  const uses: Val[] = [];
  let cur: Val = init;
  let head: string | undefined;
  for (let i = 0; i < 20 && cur && typeof cur === 'object'; i++) {
    if ('ref' in cur) {
      head = cur.ref;
      break;
    }
    if (!('call' in cur)) break;
    const chained = cur.call.startsWith('().');
    const parts = (chained ? cur.call.slice(3) : cur.call).split('.');
    if (parts[parts.length - 1] === 'use') uses.unshift(...cur.args);
    if (!chained) {
      head = parts.slice(0, -1).join('.');
      break;
    }
    cur = cur.recv ?? null;
  }
  return [...(head ? baseUses(link, def.file, head, depth + 1) : []), ...uses.map((v) => ({ file: def.file, v }))];
}

/** tRPC routers and procedures: `router({ document: documentRouter, create: authed.mutation(fn) })`. */
const pack: TechPack = {
  id: 'trpc',
  title: 'tRPC routers and procedures',
  upstreamDocs: ['https://trpc.io/docs/server/routers', 'https://trpc.io/docs/server/procedures', 'https://trpc.io/docs/server/middlewares', 'https://trpc.io/docs/server/adapters/fetch', 'https://trpc.io/docs/server/adapters/nextjs'],
  packages: ['@trpc/server'],
  entrypoints(files, link) {
    if (!files.some((f) => f.imports.some((i) => i.source === '@trpc/server' || i.source.startsWith('@trpc/server/')))) return [];
    // router definitions: module vars holding router({ ... })
    const routers = new Map<string, { file: string; obj: Record<string, Val>; line: number }>();
    for (const f of files) {
      for (const v of f.vars) {
        const init = v.init;
        if (!init || typeof init !== 'object' || !('call' in init) || !ROUTER_CALL.test(init.call) || !isObj(init.args[0])) continue;
        routers.set(`${f.file}#${v.name}`, { file: f.file, obj: init.args[0].obj, line: v.line });
      }
    }
    const refKey = (file: string, v: Val): string | undefined => {
      if (!v || typeof v !== 'object' || !('ref' in v) || v.ref.includes('.')) return undefined;
      const def = link.definitionOf(file, v.ref);
      return def ? `${def.file}#${def.name}` : undefined;
    };
    const referenced = new Set<string>();
    for (const r of routers.values()) for (const v of Object.values(r.obj)) {
      const k = refKey(r.file, v);
      if (k) referenced.add(k);
    }
    // the HTTP endpoint a root router is served on: an adapter call given `router: appRouter` and `endpoint: '/api/trpc'`, or a Next.js `pages/api/trpc/[trpc]` handler
    const endpointOf = new Map<string, string>();
    const literal = (v: Val | undefined): string | undefined => valToString(v) ?? (v && typeof v === 'object' && 'call' in v && v.args.length === 1 ? valToString(v.args[0]) : undefined);
    for (const f of files) {
      for (const c of f.calls) {
        const o = c.args.find(isObj);
        if (!o || o.obj.router === undefined) continue;
        const k = refKey(f.file, o.obj.router);
        if (!k || !routers.has(k) || endpointOf.has(k)) continue;
        const ep = literal(o.obj.endpoint);
        const page = /(^|\/)pages(\/api\/.*)\/\[[^\]/]+\]\.[jt]sx?$/.exec(f.file);
        if (ep) endpointOf.set(k, ep);
        else if (page) endpointOf.set(k, page[2]);
      }
    }

    const out: EntrypointDef[] = [];
    const emitObj = (file: string, obj: Record<string, Val>, prefix: string[], endpoint: string | undefined, seen: Set<string>) => {
      for (const [key, v] of Object.entries(obj)) {
        const path = [...prefix, key];
        const k = refKey(file, v);
        if (k && routers.has(k)) {
          if (seen.has(k)) continue;
          const r = routers.get(k)!;
          emitObj(r.file, r.obj, path, endpoint, new Set(seen).add(k));
          continue;
        }
        if (isObj(v)) {
          emitObj(file, v.obj, path, endpoint, seen); // v11 plain nested routers
          continue;
        }
        if (v && typeof v === 'object' && 'call' in v && ROUTER_CALL.test(v.call) && isObj(v.args[0])) {
          emitObj(file, v.args[0].obj, path, endpoint, seen); // passkey: router({ ... }) inline
          continue;
        }
        // a procedure, inline or defined elsewhere (`get: getDocumentRoute`)
        let procFile = file;
        let procVal: Val = v;
        let line: number | undefined;
        if (k) {
          const def = link.definitionOf(file, (v as { ref: string }).ref)!;
          const vf = link.facts(def.file)?.vars.find((x) => x.name === def.name);
          if (!vf?.init) continue;
          procFile = def.file;
          procVal = vf.init;
          line = vf.line;
        }
        const p = unwindProcedure(procVal);
        if (!p) continue;
        const handler = link.handlerOf(procFile, p.handler);
        const hf = handler ? link.facts(handler.file)?.functions.find((x) => x.id === handler.fn) : undefined;
        const before = [...baseUses(link, procFile, p.head), ...p.uses.map((u) => ({ file: procFile, v: u }))]
          .map((u) => link.handlerOf(u.file, u.v))
          .filter((h): h is { file: string; fn: string } => !!h);
        const dotted = path.join('.');
        const method = p.kind === 'mutation' ? 'POST' : 'GET';
        const evidence = { file: procFile, line: line ?? hf?.line ?? 1 };
        // a procedure runs in the tRPC server, also when its router sits in a Next.js app's folders
        const serverSide = true as const;
        if (endpoint === undefined) {
          const m = p.kind.toUpperCase();
          out.push({ name: `${m} ${dotted}`, trigger: p.kind === 'subscription' ? 'websocket' : 'http', route: { method: m, path: dotted }, handler, before, evidence, serverSide });
        } else if (p.kind === 'subscription') {
          const full = joinPath(endpoint, dotted);
          out.push({ name: `WS ${full}`, trigger: 'websocket', route: { method: 'WS', path: full }, handler, before, evidence, serverSide });
        } else {
          const full = joinPath(endpoint, dotted);
          out.push({ name: `${method} ${full}`, trigger: 'http', route: { method, path: full }, handler, before, evidence, serverSide });
        }
      }
    };
    for (const [k, r] of [...routers.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (referenced.has(k)) continue;
      emitObj(r.file, r.obj, [], endpointOf.get(k), new Set([k]));
    }
    return out;
  },
};
export default pack;
export type { FileFacts };
