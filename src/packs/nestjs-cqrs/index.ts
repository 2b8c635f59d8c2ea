import type { CallFact, FileFacts, Val } from '../../extract/facts.js';
import type { CallMeaning, DepCall, PackContext, TechPack } from '../types.js';

/** The bus method that dispatches, and the decorator that registers the class it runs (https://docs.nestjs.com/recipes/cqrs). */
const BUSES: Record<string, { method: string; decorator: string }> = {
  CommandBus: { method: 'execute', decorator: 'CommandHandler' },
  QueryBus: { method: 'execute', decorator: 'QueryHandler' },
};

interface Handler {
  file: string;
  fn: string;
  line: number;
}

/** decorator → message class name → the `execute` methods of the classes registered for it. */
const indexes = new WeakMap<readonly FileFacts[], Map<string, Map<string, Handler[]>>>();

function handlerIndex(files: readonly FileFacts[]): Map<string, Map<string, Handler[]>> {
  let ix = indexes.get(files);
  if (ix) return ix;
  ix = new Map();
  for (const f of files) {
    for (const cls of f.classes) {
      for (const d of cls.decorators) {
        if (d.name !== 'CommandHandler' && d.name !== 'QueryHandler') continue;
        const msg = d.args[0];
        const name = msg && typeof msg === 'object' && 'ref' in msg ? msg.ref.split('.').pop()! : undefined;
        const method = f.functions.find((x) => x.className === cls.name && x.name === 'execute');
        if (!name || !method) continue;
        let byName = ix.get(d.name);
        if (!byName) ix.set(d.name, (byName = new Map()));
        const list = byName.get(name) ?? [];
        list.push({ file: f.file, fn: method.id, line: method.line });
        byName.set(name, list);
      }
    }
  }
  indexes.set(files, ix);
  return ix;
}

/** The class of the message given to the bus: `new CreateUserCommand(...)` there, or in a local of the calling function. */
function messageClass(facts: FileFacts, call: CallFact): string | undefined {
  let arg: Val | undefined = call.args[0];
  if (arg && typeof arg === 'object' && 'ref' in arg && !arg.ref.includes('.')) {
    for (let fn = facts.functions.find((x) => x.id === call.fn); fn; fn = fn.parent ? facts.functions.find((x) => x.id === fn!.parent) : undefined) {
      if (arg.ref in fn.locals) {
        arg = fn.locals[arg.ref];
        break;
      }
    }
  }
  return arg && typeof arg === 'object' && 'new' in arg ? arg.new.split('.').pop() : undefined;
}

/**
 * @nestjs/cqrs: `commandBus.execute(new CreateUserCommand(props))` runs the `execute` method of
 * the one class decorated `@CommandHandler(CreateUserCommand)` (queries alike), in process and
 * awaited, so what that handler does is what the caller does. Handlers are matched by the
 * message class's name; two handlers of one name, or a message the scan cannot name, stay
 * unknown. Events (`EventBus.publish`, sagas) are not followed.
 */
const pack: TechPack = {
  id: 'nestjs-cqrs',
  title: 'NestJS CQRS (@nestjs/cqrs)',
  upstreamDocs: ['https://docs.nestjs.com/recipes/cqrs'],
  packages: ['@nestjs/cqrs'],
  classifyCall(call: DepCall, ctx: PackContext): CallMeaning | undefined {
    const bus = call.instance ? BUSES[call.instance.ctor] : undefined;
    if (!bus || call.member.length !== 1 || call.member[0] !== bus.method) return { use: 'ignore' };
    const name = messageClass(call.facts, call.call);
    const handlers = name && ctx.allFiles ? handlerIndex(ctx.allFiles()).get(bus.decorator)?.get(name) : undefined;
    if (!handlers || handlers.length !== 1) return { use: 'ignore' };
    const h = handlers[0];
    return { use: 'invoke', fn: { fn: h.fn }, guards: {}, scope: { file: h.file, line: h.line } };
  },
};
export default pack;
