import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import containedSideEffect from './contained-side-effect.js';

const RULE = 'strength/contained-side-effect';
const rules = [containedSideEffect];

const nest = {
  'package.json': JSON.stringify({ name: 'portal-api', dependencies: { '@nestjs/common': '^10.0.0', '@nestjs/core': '^10.0.0', resend: '^4.0.0', '@prisma/client': '^5.0.0' } }),
  'src/prisma.service.ts': `import { Injectable } from '@nestjs/common';
import { PrismaClient } from '@prisma/client';
@Injectable()
export class PrismaService extends PrismaClient {}
`,
  'src/mail.service.ts': `import { Injectable } from '@nestjs/common';
import { Resend } from 'resend';
@Injectable()
export class MailService {
  private readonly resend = new Resend(process.env.RESEND_API_KEY);
  async sendWelcome(to: string, name: string): Promise<void> {
    await this.resend.emails.send({ from: 'hello@shop.example.com', to, subject: 'Welcome', html: \`<p>Hi \${name}</p>\` });
  }
}
`,
};

test(`${RULE}: fires on a .catch-ed notification email started from a route`, async () => {
  const model = await scanModel({
    ...nest,
    'src/signup.service.ts': `import { Injectable, Logger } from '@nestjs/common';
import { MailService } from './mail.service';
import { PrismaService } from './prisma.service';
@Injectable()
export class SignupService {
  private readonly logger = new Logger(SignupService.name);
  constructor(private readonly prisma: PrismaService, private readonly mail: MailService) {}
  async register(email: string, name: string) {
    const account = await this.prisma.account.create({ data: { email, name } });
    this.mail
      .sendWelcome(email, name)
      .catch((err) => this.logger.error(\`welcome mail for \${account.id} failed\`, err instanceof Error ? err.stack : String(err)));
    return account;
  }
}
`,
    'src/signup.controller.ts': `import { Body, Controller, Post } from '@nestjs/common';
import { SignupService } from './signup.service';
@Controller('signup')
export class SignupController {
  constructor(private readonly signup: SignupService) {}
  @Post()
  create(@Body() body: { email: string; name: string }) {
    return this.signup.register(body.email, body.name);
  }
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/signup.service.ts:10']);
  const f = model.findings.find((x) => x.rule === RULE)!;
  assert.equal(f.polarity, 'strength');
  assert.match(f.impact, /POST \/signup/);
  assert.match(f.impact, /external:resend/);
  assert.match(f.impact, /silently lost on failure/);
});

test(`${RULE}: fires on a .then(ok, onErr) that logs in a worker callback`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'jobs', dependencies: { axios: '^1.7.0' } }),
    'src/webhooks.ts': `import axios from 'axios';
export async function notifyPartner(url: string, payload: unknown): Promise<void> {
  await axios.post(url, payload, { timeout: 5000 });
}
export function onInvoicePaid(invoiceId: string, partnerUrl: string): void {
  notifyPartner(partnerUrl, { invoiceId }).then(
    () => console.info('partner notified', invoiceId),
    (err) => console.warn('partner notification failed', invoiceId, err),
  );
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/webhooks.ts:6']);
});

test(`${RULE}: silent for awaited calls, silent .catch(() => {}), and start-up code (traps)`, async () => {
  const model = await scanModel({
    ...nest,
    'src/signup.service.ts': `import { Injectable } from '@nestjs/common';
import { MailService } from './mail.service';
@Injectable()
export class SignupService {
  constructor(private readonly mail: MailService) {}
  async register(email: string, name: string) {
    await this.mail.sendWelcome(email, name).catch((err) => console.error(err));
    this.mail.sendWelcome(email, name).catch(() => {});
    return { email };
  }
}
`,
    'src/main.ts': `import { NestFactory } from '@nestjs/core';
async function bootstrap() {
  const app = await NestFactory.create({});
  await app.listen(3000);
}
bootstrap().catch((err) => {
  console.error(err);
  process.exit(1);
});
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent for a logged .catch on something that is not a promise-returning call (trap)`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'svc', dependencies: {} }),
    'src/cache.ts': `export class LocalCache {
  private readonly entries = new Map<string, string>();
  read(key: string): string | undefined {
    return this.entries.get(key);
  }
}
export function warm(cache: LocalCache, keys: string[], loader: { load(k: string): { catch(f: (e: unknown) => void): void } }) {
  for (const k of keys) loader.load(k).catch((e) => console.warn('warm failed', k, e));
  cache.read('x');
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: a browser component's .catch-ed request is not a backend strength (trap)`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'wiki', dependencies: { express: '^4.19.0', react: '^18.3.0', axios: '^1.7.0' } }),
    'app/components/CommentForm.tsx': `import * as React from 'react';
import axios from 'axios';
export function CommentForm({ text }: { text: string }) {
  const save = () => {
    axios.post('https://api.example.com/comments', { text }, { timeout: 2000 }).catch((err) => console.error('save failed', err));
  };
  return <button onClick={save}>Save</button>;
}
`,
    'src/app.ts': `import express from 'express';
const app = express();
app.get('/health', (_req, res) => res.json({ ok: true }));
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});
