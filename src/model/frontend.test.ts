import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel, hits } from '../../test/helpers/fixture.js';
import { RULES } from '../rules/index.js';

const components = (m: { nodes: { id: string; kind: string }[] }) => m.nodes.filter((n) => n.kind === 'component').map((n) => n.id).sort();

// one package.json for a Koa server and its React app (outline's layout)
const mixed: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'wiki', dependencies: { koa: '^2', '@koa/router': '^12', react: '^18', 'react-dom': '^18', axios: '^1', nodemailer: '^6', pg: '^8' } }),
  'server/index.ts': `import Koa from 'koa';
import Router from '@koa/router';
import { sendInvite } from './emails/mailer';
import { db } from './db';
import { slugify } from '../shared/slug';
import { present } from './presenters';
const app = new Koa();
const router = new Router();
router.post('/api/invites', async (ctx) => {
  await db.query('INSERT INTO invites (email, slug) VALUES ($1, $2)', [ctx.request.body.email, slugify(ctx.request.body.email)]);
  await sendInvite(ctx.request.body.email);
  ctx.status = 201;
});
router.get('/_health', (ctx) => { ctx.body = present(); });
app.use(router.routes());
app.listen(3000);
`,
  'server/presenters.ts': `import type { UsersStore } from '../app/stores/UsersStore';
export const present = (store?: UsersStore) => ({ loaded: !!store });
`,
  'server/db.ts': `import { Pool } from 'pg';
export const db = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
`,
  'server/emails/mailer.tsx': `import * as React from 'react';
import nodemailer from 'nodemailer';
import { InviteEmail } from './InviteEmail';
const transport = nodemailer.createTransport({ host: 'smtp.mailgun.org', port: 587 });
export async function sendInvite(to: string) {
  await transport.sendMail({ to, subject: 'You are invited', html: String(<InviteEmail to={to} />) });
}
`,
  'server/emails/InviteEmail.tsx': `import * as React from 'react';
export const InviteEmail = ({ to }: { to: string }) => <p>Welcome {to}</p>;
`,
  'shared/slug.ts': `export const slugify = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-');
`,
  'app/scenes/Invite.tsx': `import * as React from 'react';
import axios from 'axios';
import type { InviteEmail } from '../../server/emails/InviteEmail';
import { slugify } from '../../shared/slug';
export function Invite() {
  const send = async (email: string) => {
    axios.post('https://api.segment.io/v1/track', { event: 'invite', slug: slugify(email) });
    await axios.post('/api/invites', { email });
  };
  return <button onClick={() => send('a@b.c')}>Invite</button>;
}
`,
  'app/stores/UsersStore.ts': `import { makeAutoObservable } from 'mobx';
import axios from 'axios';
export class UsersStore {
  constructor() { makeAutoObservable(this); }
  async load() { return (await axios.get('https://api.example-analytics.com/users')).data; }
}
`,
  'app/index.tsx': `import * as React from 'react';
import { createRoot } from 'react-dom/client';
import { Invite } from './scenes/Invite';
createRoot(document.getElementById('root')!).render(<Invite />);
`,
};

test('a package holding a server and its UI: the UI folder is front-end code, the React e-mail templates the server imports are not', async () => {
  const model = await scanModel(mixed, { rules: RULES });
  assert.deepEqual(components(model), ['component:server', 'component:shared'], 'no component from the browser app');
  // the mailer in server/emails is the backend's dependency; the browser's own calls (segment, analytics) are not
  assert.deepEqual(model.nodes.filter((n) => n.kind === 'external').map((n) => n.id), ['external:smtp']);
  assert.deepEqual(hits(model, 'http/no-timeout').filter((h) => h.startsWith('app/')), [], 'no timeout finding in browser code');
  assert.deepEqual(hits(model, 'async/floating-promise').filter((h) => h.startsWith('app/')), [], 'no crash finding for a browser promise');
});

test('a UI folder that server code imports at run time is backend; a type-only import does not make it so', async () => {
  const importsApp = {
    ...mixed,
    'server/render.ts': `import { UsersStore } from '../app/stores/UsersStore';
export const preload = () => new UsersStore().load();
`,
    'server/index.ts': mixed['server/index.ts'].replace("import { slugify } from '../shared/slug';", "import { slugify } from '../shared/slug';\nimport { preload } from './render';\nrouter.get('/api/users', async (ctx) => { ctx.body = await preload(); });"),
  };
  const model = await scanModel(importsApp);
  assert.ok(model.nodes.some((n) => n.kind === 'external' && n.id.includes('example-analytics')), 'server-side rendering runs the store on the server');
  const typeOnly = await scanModel(mixed);
  assert.ok(!typeOnly.nodes.some((n) => n.id.includes('example-analytics')));
});

test('client/ and server/ under one src/: split one level down; a folder with no UI import stays backend', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'shop', dependencies: { express: '^4', react: '^18', axios: '^1' } }),
    'src/server/main.ts': `import express from 'express';
import { chargeCard } from '../payments/charge';
const app = express();
app.post('/checkout', async (req, res) => { res.json(await chargeCard(req.body.amount)); });
app.listen(8080);
`,
    'src/payments/charge.ts': `import axios from 'axios';
export const chargeCard = (amount: number) => axios.post('https://api.payments.example.com/charges', { amount }, { timeout: 5000 });
`,
    'src/client/App.tsx': `import * as React from 'react';
import axios from 'axios';
export const App = () => { void axios.get('https://cdn.tracking.example.com/pixel'); return <div />; };
`,
    'src/client/hooks.ts': `import { useEffect } from 'react';
export const useTitle = (t: string) => useEffect(() => { document.title = t; }, [t]);
`,
  });
  assert.ok(model.nodes.some((n) => n.id === 'external:api.payments.example.com'), 'the payments folder (no UI import) is backend');
  assert.ok(!model.nodes.some((n) => n.id.includes('tracking.example.com')), 'src/client is the browser bundle');
});

test('a React component library that names React only as a peer dependency is front-end code; a NestJS library with peers stays backend (trap)', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'mono', private: true, workspaces: ['packages/*'] }),
    'packages/react/package.json': JSON.stringify({ name: '@acme/react', peerDependencies: { react: '>=17', 'react-dom': '>=17' }, dependencies: { '@acme/js': 'workspace:*' } }),
    'packages/react/src/hooks/useCounts.ts': `import { useEffect } from 'react';
export function useCounts(client: { counts(): Promise<number> }) {
  const sync = async () => fetch('https://api.acme.dev/v1/counts').then((r) => r.json());
  useEffect(() => {
    sync();
  }, []);
}
`,
    'packages/nest-kit/package.json': JSON.stringify({ name: '@acme/nest-kit', peerDependencies: { '@nestjs/common': '^10' } }),
    'packages/nest-kit/src/notify.ts': `export async function notify(text: string) {
  await fetch('https://hooks.slack.com/services/T0/B0/X', { method: 'POST', body: text });
}
export function fireAndForget() {
  notify('started');
}
`,
  }, { rules: RULES });
  assert.deepEqual(hits(model, 'async/floating-promise').map((h) => h.split(':')[0]), ['packages/nest-kit/src/notify.ts']);
  assert.ok(!model.nodes.some((n) => n.id === 'external:api.acme.dev'), 'the browser hook is no backend dependency');
});
