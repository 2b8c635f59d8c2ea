// NestJS custom providers as a module declares them: `@Module({ providers: [{ provide, useClass }] })`.
// The resolver reads them for `@Inject(token)`, the NestJS pack for APP_GUARD; one reading for both.
import type { FileFacts, Val } from '../extract/facts.js';

/** The object providers of a file's @Module classes (`{ provide: 'AuthRepository', useClass: X }`); class shorthands are skipped. */
export function moduleProviders(f: FileFacts): { provide?: Val; useClass?: string }[] {
  const out: { provide?: Val; useClass?: string }[] = [];
  for (const cls of f.classes) {
    const arg = cls.decorators.find((d) => d.name === 'Module')?.args[0];
    const providers = arg && typeof arg === 'object' && 'obj' in arg ? arg.obj.providers : undefined;
    if (!providers || typeof providers !== 'object' || !('arr' in providers)) continue;
    for (const p of spreadLocal(f, providers.arr)) {
      if (!p || typeof p !== 'object' || !('obj' in p)) continue;
      const use = p.obj.useClass;
      out.push({ provide: p.obj.provide, useClass: use && typeof use === 'object' && 'ref' in use ? use.ref : undefined });
    }
  }
  return out;
}

/** `[Logger, ...repositories]` with `const repositories = [{ provide, useClass }]` in the same module: the spread list's items in place. */
function spreadLocal(f: FileFacts, items: Val[], depth = 0): Val[] {
  return items.flatMap((v) => {
    const of = v && typeof v === 'object' && 'unknown' in v && v.unknown === 'spread' ? v.of?.[0] : undefined;
    const name = of && typeof of === 'object' && 'ref' in of && !of.ref.includes('.') ? of.ref : undefined;
    const init = name && depth < 3 ? f.vars.find((x) => x.name === name)?.init : undefined;
    return init && typeof init === 'object' && 'arr' in init ? spreadLocal(f, init.arr, depth + 1) : [v];
  });
}
