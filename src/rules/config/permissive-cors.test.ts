import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import permissiveCors from './permissive-cors.js';

const RULE = 'config/permissive-cors';
const rules = [permissiveCors];

test(`${RULE}: fires on cors() with no options and on origin: true with credentials (express)`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'shop-api', dependencies: { express: '^4.19.0', cors: '^2.8.5' } }),
    'src/app.ts': `import express from 'express';
import cors from 'cors';
const app = express();
app.use(cors());
app.get('/cart', (_req, res) => res.json({ items: [] }));
export default app;
`,
    'src/admin.ts': `import express from 'express';
import cors from 'cors';
export const admin = express();
admin.use(cors({ origin: true, credentials: true }));
admin.post('/admin/refunds', (req, res) => res.json({ refunded: req.body.orderId }));
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/admin.ts:4', 'src/app.ts:4']);
  const creds = model.findings.find((f) => f.locations[0].file === 'src/admin.ts')!;
  assert.equal(creds.severity, 'high');
  assert.match(creds.title, /with credentials/);
  assert.match(creds.impact, /cookies/);
  assert.match(model.findings.find((f) => f.locations[0].file === 'src/app.ts')!.impact, /GET \/cart/);
});

test(`${RULE}: fires on NestJS enableCors() with no options and an env origin falling back to '*'`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'portal-api', dependencies: { '@nestjs/core': '^10.0.0', '@nestjs/common': '^10.0.0', 'socket.io': '^4.8.0' } }),
    'src/main.ts': `import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  app.enableCors();
  await app.listen(3000);
}
bootstrap();
`,
    'src/app.module.ts': `import { Module } from '@nestjs/common';
@Module({})
export class AppModule {}
`,
    'src/realtime.ts': `import { Server } from 'socket.io';
export const io = new Server(4001, { cors: { origin: process.env.SOCKET_ORIGIN || '*' } });
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/main.ts:5', 'src/realtime.ts:2']);
});

test(`${RULE}: silent for allow-lists, validating functions and env origins without a wildcard fallback (traps)`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'shop-api', dependencies: { express: '^4.19.0', cors: '^2.8.5', 'socket.io': '^4.8.0' } }),
    'src/app.ts': `import express from 'express';
import cors from 'cors';
import { Server } from 'socket.io';
const allowed = (process.env.CORS_ORIGINS ?? '').split(',').filter(Boolean);
const app = express();
app.use(cors({ origin: ['https://shop.example.com', 'https://admin.shop.example.com'], credentials: true }));
app.use('/partner', cors({ origin: (origin, cb) => cb(null, !!origin && allowed.includes(origin)) }));
app.use('/widgets', cors({ origin: process.env.WIDGET_ORIGIN }));
app.use('/embed', cors({ origin: allowed, credentials: true }));
export const io = new Server(4001);
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent for '*' on static assets set in a static-file server's setHeaders callback, fires on the same header on an API response (trap)`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'wiki', dependencies: { koa: '^2.15.0', 'koa-router': '^12.0.0', 'koa-send': '^5.0.1' } }),
    'src/routes.ts': `import Router from 'koa-router';
import send from 'koa-send';
const router = new Router();
router.get('/static/*', async (ctx) => {
  await send(ctx, ctx.path, {
    root: 'public',
    setHeaders: (res) => {
      res.setHeader('Access-Control-Allow-Origin', '*');
    },
  });
});
router.get('/files.get', async (ctx) => {
  ctx.set('Access-Control-Allow-Origin', '*');
  ctx.body = 'file';
});
export default router;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/routes.ts:13']);
});

test(`${RULE}: silent for a NestJS allow-list and a serverless httpApi with listed origins (traps)`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'portal-api', dependencies: { '@nestjs/core': '^10.0.0' } }),
    'serverless.yml': `service: portal
provider:
  name: aws
  httpApi:
    cors:
      allowedOrigins:
        - https://app.portal.example.com
      allowCredentials: true
functions:
  api:
    handler: dist/main.handler
    events:
      - httpApi: "ANY /{proxy+}"
`,
    'src/main.ts': `import { NestFactory } from '@nestjs/core';
export async function createApp(mod: unknown) {
  const app = await NestFactory.create(mod as any, { rawBody: true });
  app.enableCors({ origin: (process.env.WEB_ORIGIN ?? 'http://localhost:3000').split(','), credentials: true });
  return app;
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: reports app.use(cors()) and app.options('*', cors()) in one file once, with both locations`, async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'boilerplate', dependencies: { express: '^4.19.0', cors: '^2.8.5' } }),
    'src/app.js': `const express = require('express');
const cors = require('cors');
const app = express();
app.use(cors());
app.options('*', cors());
app.get('/v1/users', (req, res) => res.json([]));
module.exports = app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/app.js:4']);
  assert.deepEqual(model.findings[0].locations.map((l) => l.line), [4, 5]);
});

// ---- Python ----

test(`${RULE}: Python — fires on CORSMiddleware(allow_origins=["*"], allow_credentials=True)`, async () => {
  const model = await scanModel({
    'app/main.py': `from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=True,
    allow_methods=["*"],
)


@app.get("/me")
def me():
    return {}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['app/main.py:5']);
  assert.match(model.findings[0].title, /with credentials/);
});

test(`${RULE}: Python — fires on a settings origins list that defaults to ["*"], and on CORS_ALLOW_ALL_ORIGINS = True`, async () => {
  const model = await scanModel({
    'app/config.py': `from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    CORS_ORIGINS: list[str] = ["*"]


settings = Settings()
`,
    'app/main.py': `from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from app.config import settings

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=settings.CORS_ORIGINS)
`,
    'shop/settings.py': `CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = True
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['app/main.py:6', 'shop/settings.py:1']);
});

test(`${RULE}: Python — silent on an explicit allow-list, and on origins from an environment variable without a * default`, async () => {
  const model = await scanModel({
    'app/main.py': `import os
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"], allow_credentials=True)
app.add_middleware(CORSMiddleware, allow_origins=os.environ["CORS_ORIGINS"].split(","))
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: Python — silent when production settings switch the development CORS_ALLOW_ALL_ORIGINS off`, async () => {
  const model = await scanModel({
    'config/settings/base.py': `CORS_ALLOW_ALL_ORIGINS = True
`,
    'config/settings/production.py': `from .base import *

CORS_ALLOW_ALL_ORIGINS = False
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

const flaskExt = (initArgs: string) => ({
  'conduit/__init__.py': '',
  'conduit/extensions.py': `from flask_cors import CORS

cors = CORS()
`,
  'conduit/settings.py': `class Config:
    CORS_ORIGIN_WHITELIST = ["https://app.example.com"]
`,
  'conduit/app.py': `from flask import Flask
from conduit.extensions import cors
from conduit.views import blueprint


def create_app():
    app = Flask(__name__)
    origins = app.config.get("CORS_ORIGIN_WHITELIST", ["https://app.example.com"])
    cors.init_app(${initArgs})
    app.register_blueprint(blueprint)
    return app
`,
  'conduit/views.py': `from flask import Blueprint

blueprint = Blueprint("api", __name__)


@blueprint.route("/api/tags")
def tags():
    return []
`,
});

test(`${RULE}: Python — a Flask-CORS extension made with CORS() and configured by init_app(app, origins=...) is judged at init_app: silent with an allow-list (trap)`, async () => {
  const model = await scanModel(flaskExt('blueprint, origins=origins'), { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: Python — fires on cors.init_app(app) with no origins (Flask-CORS's default is "*")`, async () => {
  const model = await scanModel(flaskExt('app'), { rules });
  assert.deepEqual(hits(model, RULE), ['conduit/app.py:9']);
});
