import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { UserError } from '../shared/errors.js';
import { ConfigSchema, type Config } from './schema.js';

export const CONFIG_NAMES = ['faultline.config.yml', 'faultline.config.yaml'];

/** Loads and validates the config; every problem is one line naming the key and the fix. */
export function loadConfig(root: string, explicit?: string): { config: Config; file?: string } {
  const file = explicit ? path.resolve(explicit) : CONFIG_NAMES.map((n) => path.join(root, n)).find((p) => fs.existsSync(p));
  if (!file) return { config: {} };
  if (!fs.existsSync(file)) throw new UserError(`config file not found: ${explicit}`, 'check the --config path');
  let raw: unknown;
  try {
    raw = parse(fs.readFileSync(file, 'utf8')) ?? {};
  } catch (e) {
    throw new UserError(`${path.basename(file)}: not valid YAML (${(e as Error).message.split('\n')[0]})`, 'fix the syntax at the line shown');
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.join('.') || '(top level)';
    const keys = issue.code === 'unrecognized_keys' ? ` (${(issue as any).keys.join(', ')})` : '';
    throw new UserError(`${path.basename(file)}: ${where}: ${issue.message}${keys}`, 'see docs/config.md for the keys and their types');
  }
  return { config: parsed.data, file };
}

/** Closest ids by edit distance, for "did you mean" hints. */
export function closest(query: string, candidates: string[], n = 3): string[] {
  const d = (a: string, b: string) => {
    const dp = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let prev = dp[0];
      dp[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const tmp = dp[j];
        dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = tmp;
      }
    }
    return dp[b.length];
  };
  return [...candidates].sort((a, b) => d(query, a) - d(query, b) || (a < b ? -1 : 1)).slice(0, n);
}
