// The technology pack interface. A pack knows one technology: how to recognise its
// instances and calls, which entrypoints it declares, what its config files say.
// Packs never import each other; the linker asks every enabled pack in id order.
import type { CallFact, FileFacts, Val } from '../extract/facts.js';
import type { Evidence, Guards, ModelEdge, NodeKind, Redundancy } from '../model/types.js';
import type { ConfigFile } from '../walk/config-files.js';
import type { Resolved } from '../link/resolve.js';

/** A dependency node a pack identified (becomes a model node). */
export interface ResourceRef {
  kind: Exclude<NodeKind, 'entrypoint' | 'component' | 'runtime' | 'client'>;
  name: string;
  tech: string;
  /** For a queue: the store it lives in (a Celery/RQ queue on Redis → cache:redis). BullMQ queues imply Redis. */
  store?: { kind: 'cache' | 'queue' | 'datastore'; name: string; tech: string };
  /** Config that names it when the code does not (`DATABASE_TYPE=postgres` in .env.example): added to the node's evidence. */
  evidence?: Evidence[];
}

/** An instance of a package class or factory: `new PrismaClient()`, `axios.create({...})`. */
export interface Instance {
  pkg: string;
  /** The export and member path used to create it: 'PrismaClient', 'default.create', 'Queue'. */
  ctor: string;
  args: Val[];
  evidence: Evidence;
  /** Decorators on the injected parameter (NestJS @InjectQueue('emails'), @InjectRepository(User)). */
  decorators?: { name: string; args: Val[] }[];
  /** Type arguments or the declared type name when known from an injected parameter. */
  typeName?: string;
  /** What a call on an instance held in a project class member returned (`this.usersModel.findOne(...)`): only packs with `callResults` classify calls on it. */
  memberResult?: boolean;
}

/** A call on an instance or package namespace, as the linker resolved it. */
export interface DepCall {
  /** The instance the call is made on; undefined when called on the package itself (axios.get). */
  instance?: Instance;
  pkg: string;
  /** The package export used when there is no instance: 'default', 'fetch', 'S3Client'... */
  exportName?: string;
  /** Member path after the instance or export: ['user','findMany'], ['get']. */
  member: string[];
  call: CallFact;
  file: string;
  facts: FileFacts;
}

export type CallMeaning =
  | {
      use: 'dependency';
      target: ResourceRef;
      edge: Extract<ModelEdge['kind'], 'reads' | 'writes' | 'uses' | 'enqueues' | 'calls' | 'publishes'>;
      guards?: Guards;
      readOnly?: boolean;
      /** What the call does, for findings: 'query', 'write', 'http', 'enqueue'. */
      op?: string;
      /** false: the call returns no promise, so leaving it floating rejects nothing (a NestJS client's emit() Observable drops its error); the side effect is still lost. */
      rejects?: false;
      /** The call never waits for the dependency, however it is written (a Socket.IO broadcast, also at the end of `io.to(room).emit(...)`). */
      mode?: 'fire_and_forget';
      /** The call returns a lazy query, sent only when awaited or then'd: the library's name ('Prisma', 'Knex', 'Mongoose'). Left floating it never runs. */
      lazy?: string;
    }
  /** The call runs another function (a breaker's fire, a retry wrapper's callback). */
  /** `scope`: where `fn` is written when not at the call (the line of `new CircuitBreaker(charge)` in another module): it is resolved in the function around that line. */
  | { use: 'invoke'; fn: Val; guards: Guards; scope?: Evidence }
  | { use: 'ignore' };

export interface EntrypointDef {
  name: string; // 'GET /api/health', 'worker:emails', 'cron:reap'
  trigger: 'http' | 'websocket' | 'worker' | 'schedule' | 'function';
  route?: { method: string; path: string };
  /** The function that handles it: file + function id. */
  handler?: { file: string; fn: string };
  /** Functions that run before the handler (guards, middleware), in order. */
  before?: { file: string; fn: string; guard?: string }[];
  /** For workers: the queue it consumes. */
  consumes?: ResourceRef;
  evidence: Evidence;
  /** Runtime hint from the pack (e.g. a serverless function name). */
  runtime?: string;
  /**
   * Kept only when the handler reaches a dependency to do work (a keep-alive `ping` is not), and
   * never in front-end code: an in-process timer that only touches memory has nothing that can
   * fail it, and a browser's polling is not the backend's job.
   */
  requiresUses?: boolean;
  /** Runs on the server wherever its code sits (a tRPC procedure): kept in a UI package's folders, as a Next.js route handler is. */
  serverSide?: true;
}

export interface InfraFacts {
  runtimes?: {
    name: string; tech: string; redundancy?: Redundancy; evidence: Evidence[]; sourceDirs?: string[]; command?: string; proxiesHttp?: boolean; handlerFile?: string; /** The handler's export in handlerFile (`handler` when absent). */ handlerExport?: string; timeoutSec?: number; reservedConcurrency?: number; provisionedConcurrency?: number;
    /** The environment this runtime's processes get (compose environment/env_file, serverless environment, Kubernetes env). Unresolvable values (`${ssm:...}`, secretKeyRef) are kept as written. */
    env?: Record<string, { value: string; evidence: Evidence }>;
    /** Which config format declared it ('docker-compose', 'serverless', 'kubernetes', 'helm'). */
    origin?: string;
  }[];
  resources?: {
    ref: ResourceRef; redundancy?: Redundancy; evidence: Evidence[]; settings?: Record<string, string | number | boolean>;
    /** Where each setting is written, for findings that cite it. */
    settingEvidence?: Record<string, Evidence>;
    /** Which config format declared it ('docker-compose', 'kubernetes', 'helm', 'terraform', 'postgresql.conf', 'pgbouncer.ini'). */
    origin?: string;
  }[];
  env?: Record<string, { value: string; evidence: Evidence }>;
}

export interface PackContext {
  /** Env values from .env files and compose/k8s environment, for classifying URLs. */
  env(name: string): string | undefined;
  /** Where that env value is written (file:line), to cite it. */
  envSource?(name: string): Evidence | undefined;
  /** Datastores, caches and queues the infrastructure config declares (compose, Kubernetes, Helm, Terraform). */
  declared?: readonly { ref: ResourceRef; origin?: string }[];
  /** The resource an instance stands for, when another pack already classified it. */
  providerOf?(pkg: string): string | undefined;
  prismaProvider?: string;
  /** Another file's facts: where an instance was made (`new CircuitBreaker(charge)` in payments.ts, fired from a route). */
  facts?(file: string): FileFacts | undefined;
  /** Every scanned file's facts, in path order (a dispatcher's handlers: `@CommandHandler(CreateUserCommand)`). */
  allFiles?(): readonly FileFacts[];
}

export interface TechPack {
  id: string;
  title: string;
  upstreamDocs: readonly string[];
  /** Package names whose import enables the pack (checked against imports, cheap). */
  packages?: readonly string[];
  /** The language whose source files the pack reads: 'python' for Python packs; absent = TypeScript/JavaScript. */
  lang?: 'python';
  /** Python packs: guards a decorator of theirs puts on the decorated function's calls (`@breaker` → circuitBreaker, `@retry(...)` → retries). */
  decoratorGuards?(d: { pkg: string; decorator: { name: string; args: Val[]; callee?: string[] }; instance?: Instance; exportName?: string }): Guards | undefined;
  /** Classifies a call on one of its packages' instances or exports. */
  classifyCall?(call: DepCall, ctx: PackContext): CallMeaning | undefined;
  /** The pack tells calls on its call results (Instance.memberResult) from plain data: most SDK results are responses (`completion.choices[0].message`), not clients. */
  callResults?: boolean;
  /** Entrypoints declared in source files (routes, workers, jobs). */
  entrypoints?(files: FileFacts[], link: EntrypointLink): EntrypointDef[];
  /** Reads infrastructure config files. */
  readConfig?(files: ConfigFile[]): InfraFacts;
}

/** What entrypoint discovery may ask the linker. */
export interface EntrypointLink {
  /** The package instance (or export) a module-level or class-level name denotes. */
  instanceOf(file: string, name: string, fromFn?: string): Instance | { pkg: string; exportName: string } | undefined;
  /** A handler value (ref, fn, member of an instance) → function. */
  handlerOf(file: string, v: Val, fromFn?: string): { file: string; fn: string } | undefined;
  /** Follow an imported name to its defining file and local name. */
  definitionOf(file: string, name: string): { file: string; name: string } | undefined;
  facts(file: string): FileFacts | undefined;
  allFiles(): FileFacts[];
  /** A value with references replaced by what they hold, where statically known (QUEUE_NAMES.exports → 'exports'). */
  evaluate(file: string, v: Val, fromFn?: string): Val;
  /** What a value denotes, as the resolver sees it (an instance, a project class, function or module); used by the Python packs. */
  resolve?(file: string, v: Val, fromFn?: string): Resolved | undefined;
  /** An environment variable's value from the repository's .env files, when one is set there. */
  env?(name: string): string | undefined;
  /** The folder of the package.json that owns a file ('' for the root package). */
  packageOf?(file: string): string;
}
