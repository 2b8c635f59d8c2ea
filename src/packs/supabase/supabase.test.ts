import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model } from '../../model/types.js';
import { scanModel } from '../../../test/helpers/fixture.js';

const scan = (files: Record<string, string>) => scanModel(files, { rules: [] });
const deps = (model: Model) => model.edges.filter((e) => /^(datastore|external):/.test(e.to)).map((e) => `${e.from} -${e.kind}/${e.mode}-> ${e.to} ${e.evidence.map((x) => `${x.file}:${x.line}`).join(' ')}`).sort();
const nodes = (model: Model) => model.nodes.filter((n) => n.kind === 'datastore' || n.kind === 'external').map((n) => `${n.id} ${n.tech}`);

test('supabase: tables → datastore:postgres, rpc → a use of it, auth → external:supabase-auth, storage → datastore:supabase-storage', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'studio', dependencies: { '@supabase/supabase-js': '^2.45.0', express: '^4.19.0' } }),
    'src/lib/supabase.ts': `import { createClient } from '@supabase/supabase-js';
export const supabase = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, { auth: { persistSession: false } });
supabase.auth.onAuthStateChange(() => undefined);
`,
    'src/projects/projects.service.ts': `import { supabase } from '../lib/supabase';

export async function listProjects(token: string) {
  const { data: user } = await supabase.auth.getUser(token);
  const { data } = await supabase.from('projects').select('id, name').eq('owner_id', user.user?.id).order('created_at');
  return data;
}

export async function createProject(name: string, cover: Buffer) {
  const { data } = await supabase.from('projects').insert({ name }).select().single();
  await supabase.storage.from('covers').upload(\`\${data.id}.png\`, cover, { upsert: true });
  const { data: url } = supabase.storage.from('covers').getPublicUrl(\`\${data.id}.png\`);
  await supabase.rpc('refresh_project_stats', { project_id: data.id });
  return { ...data, cover: url.publicUrl };
}
`,
    'src/app.ts': `import express from 'express';
import { createProject, listProjects } from './projects/projects.service';
const app = express();
app.get('/projects', async (req, res) => res.json(await listProjects(String(req.headers.authorization))));
app.post('/projects', async (req, res) => res.json(await createProject(req.body.name, Buffer.from(req.body.cover, 'base64'))));
app.listen(3000);
`,
  });
  assert.deepEqual(nodes(model), ['datastore:postgres supabase-postgres', 'datastore:supabase-storage supabase-storage', 'external:supabase-auth supabase-auth']);
  assert.deepEqual(deps(model), [
    'component:projects -calls/sync-> external:supabase-auth src/projects/projects.service.ts:4',
    'component:projects -reads/sync-> datastore:postgres src/projects/projects.service.ts:5',
    'component:projects -uses/sync-> datastore:postgres src/projects/projects.service.ts:13',
    'component:projects -writes/sync-> datastore:postgres src/projects/projects.service.ts:10',
    'component:projects -writes/sync-> datastore:supabase-storage src/projects/projects.service.ts:11',
  ]);
});

test('supabase: a listed-only package and a local client named supabase add nothing (trap)', async () => {
  const model = await scan({
    'package.json': JSON.stringify({ name: 'mock-studio', dependencies: { '@supabase/supabase-js': '^2.45.0', express: '^4.19.0' } }),
    'src/lib/supabase.ts': `const rows: Record<string, unknown[]> = { projects: [] };
export const supabase = {
  from: (table: string) => ({ select: async () => ({ data: rows[table] }), insert: async (row: unknown) => rows[table].push(row) }),
  rpc: async (_name: string) => ({ data: null }),
};
`,
    'src/app.ts': `import express from 'express';
import { supabase } from './lib/supabase';
const app = express();
app.get('/projects', async (_req, res) => res.json(await supabase.from('projects').select()));
app.post('/projects', async (req, res) => res.json(await supabase.from('projects').insert(req.body)));
app.post('/stats', async (_req, res) => res.json(await supabase.rpc('refresh')));
app.listen(3000);
`,
  });
  assert.deepEqual(nodes(model), []);
});
