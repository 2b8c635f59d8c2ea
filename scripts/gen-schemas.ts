// schemas/config.schema.json from the zod schema: editor completion for faultline.config.yml.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigSchema } from '../src/config/schema.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export function configJsonSchema(): string {
  const schema = z.toJSONSchema(ConfigSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
  return JSON.stringify({ title: 'faultline.config.yml', ...schema }, null, 2) + '\n';
}
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  fs.mkdirSync(path.join(root, 'schemas'), { recursive: true });
  fs.writeFileSync(path.join(root, 'schemas/config.schema.json'), configJsonSchema());
  console.log('wrote schemas/config.schema.json');
}
