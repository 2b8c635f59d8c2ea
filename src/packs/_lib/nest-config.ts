// @nestjs/config settings: `configService.get('database.type')` reads what a
// `registerAs('database', () => ({ type: ... }))` factory returns. Shared by the packs that
// follow such a key to its value (NestJS's global prefix, TypeORM's `type`).
import { isObj, type FileFacts, type Val } from '../../extract/facts.js';
import type { EntrypointLink } from '../types.js';

/** The key of a `configService.get('ns.key')` / `getOrThrow(...)` call, when literal. */
export function configKey(v: Val | undefined): string | undefined {
  if (!v || typeof v !== 'object' || !('call' in v)) return undefined;
  if (!/(^|\.)(get|getOrThrow)$/.test(v.call) || !/config/i.test(v.call)) return undefined;
  return typeof v.args[0] === 'string' ? v.args[0] : undefined;
}

/** `registerAs(ns, () => ({ key: value }))`: the value under `path` of the object the factory returns. */
export function registeredSetting(files: FileFacts[], link: EntrypointLink, ns: string, path: string[]): { file: string; value: Val } | undefined {
  for (const f of files) {
    for (const c of f.calls) {
      if (c.callee[c.callee.length - 1] !== 'registerAs' || c.args[0] !== ns) continue;
      const factory = c.args[1];
      const fn = factory && typeof factory === 'object' && 'fn' in factory ? f.functions.find((x) => x.id === factory.fn) : undefined;
      for (const r of fn?.returns ?? []) {
        let cur: Val | undefined = r;
        for (const key of path) cur = isObj(cur) ? cur.obj[key] : undefined;
        if (cur !== undefined) return { file: f.file, value: link.evaluate(f.file, cur, fn!.id) };
      }
    }
  }
  return undefined;
}

/**
 * The value a ConfigService read stands for: the registered setting of a namespaced key, or
 * the environment variable itself for a bare key (ConfigModule without a namespace reads the
 * environment). Undefined when it is not such a read or the namespace is not registered.
 */
export function configSetting(files: FileFacts[], link: EntrypointLink, v: Val | undefined): { file?: string; value: Val } | undefined {
  const key = configKey(v);
  if (key === undefined) return undefined;
  const [ns, ...path] = key.split('.');
  if (!path.length) return { value: { env: ns } };
  return registeredSetting(files, link, ns, path);
}
