import { z } from 'zod';
import { MitigationSchema } from '../analyze/propagation/whatif.js';

const severity = z.enum(['critical', 'high', 'medium', 'low', 'info']);

/** faultline.config.yml — what code cannot show, and overrides of what faultline guesses. */
export const ConfigSchema = z.strictObject({
  /** Component name → globs of the files it owns (overrides folder-based components). */
  components: z.record(z.string().min(1), z.array(z.string().min(1)).min(1)).optional(),
  /** Runtime name → deployment facts. */
  runtimes: z.record(z.string().min(1), z.strictObject({
    replicas: z.number().int().min(0).optional(),
    maxReplicas: z.number().int().min(0).optional(),
    workers: z.number().int().min(1).optional(),
  })).optional(),
  /** Node id (datastore:postgres) → redundancy and capacity facts. */
  datastores: z.record(z.string().min(1), z.strictObject({
    replicas: z.number().int().min(1).optional(),
    multiAz: z.boolean().optional(),
    readReplica: z.boolean().optional(),
    maxConnections: z.number().int().min(1).optional(),
    reservedConnections: z.number().int().min(0).optional(),
  })).optional(),
  /** Entrypoint ids or names that matter most (weights the SPOF ranking). */
  critical: z.array(z.string().min(1)).optional(),
  /** Extra paths to skip, gitignore syntax. */
  ignore: z.array(z.string().min(1)).optional(),
  /** Rule id → 'off' or a severity. */
  rules: z.record(z.string().min(1), z.union([z.literal('off'), severity])).optional(),
  /** Named what-if scenarios: a list of mitigations each. */
  whatIf: z.record(z.string().min(1), z.array(MitigationSchema).min(1)).optional(),
});

export type Config = z.infer<typeof ConfigSchema>;
