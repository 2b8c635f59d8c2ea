import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hits, scanModel } from '../../../test/helpers/fixture.js';
import defaultSecret from './default-secret.js';

const RULE = 'config/default-secret';
const rules = [defaultSecret];

const pkg = { 'package.json': JSON.stringify({ name: 'billing-api', dependencies: { express: '^4.19.0', jsonwebtoken: '^9.0.0', 'express-session': '^1.18.0', zod: '^3.23.0' } }) };

test(`${RULE}: fires on env fallbacks for a JWT secret (even empty) and a DB password`, async () => {
  const model = await scanModel({
    ...pkg,
    'src/config.ts': `export const config = {
  port: Number(process.env.PORT ?? 3000),
  logLevel: process.env.LOG_LEVEL || 'info',
  jwtSecret: process.env.JWT_SECRET || 'changeme',
  refreshSecret: process.env.JWT_REFRESH_SECRET ?? '',
  jwtExpiresIn: process.env.JWT_EXPIRES_IN ?? '15m',
  dbPassword: process.env.DB_PASSWORD || 'postgres',
  stripeKey: process.env.STRIPE_API_KEY ?? '',
};
`,
    'src/auth.ts': `import jwt from 'jsonwebtoken';
import { config } from './config';
export function issueToken(userId: string): string {
  return jwt.sign({ sub: userId }, config.jwtSecret, { expiresIn: config.jwtExpiresIn });
}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/config.ts:4', 'src/config.ts:5', 'src/config.ts:7']);
  const jwtF = model.findings.find((f) => f.locations[0].line === 4)!;
  assert.equal(jwtF.severity, 'critical');
  assert.match(jwtF.impact, /'changeme'/);
  assert.match(jwtF.impact, /impersonate any user/);
  assert.equal(model.findings.find((f) => f.locations[0].line === 7)!.severity, 'high');
});

test(`${RULE}: fires on literal secrets passed to jwt.verify, session() and a zod default`, async () => {
  const model = await scanModel({
    ...pkg,
    'src/env.ts': `import { z } from 'zod';
const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production']).default('development'),
  SESSION_SECRET: z.string().min(1).default('dev-session-secret'),
});
export const env = EnvSchema.parse(process.env);
`,
    'src/app.ts': `import express from 'express';
import session from 'express-session';
import jwt from 'jsonwebtoken';
const app = express();
app.use(session({ secret: 'keyboard cat', resave: false, saveUninitialized: false }));
app.get('/me', (req, res) => {
  const claims = jwt.verify(String(req.headers.authorization).slice(7), 'super-secret-signing-key');
  res.json(claims);
});
export default app;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/app.ts:5', 'src/app.ts:7', 'src/env.ts:4']);
  assert.match(model.findings.find((f) => f.locations[0].file === 'src/app.ts' && f.locations[0].line === 7)!.impact, /GET \/me/);
});

test(`${RULE}: silent for non-secret defaults (periods and lifetimes of a secret too), secret companions, optional API keys with '' and fallbacks to other variables (traps)`, async () => {
  const model = await scanModel({
    ...pkg,
    'src/config.ts': `export const config = {
  port: Number(process.env.PORT || 8080),
  nodeEnv: process.env.NODE_ENV ?? 'development',
  tokenTtl: process.env.TOKEN_TTL ?? '3600',
  jwtAlgorithm: process.env.JWT_ALGORITHM || 'HS256',
  apiKeyHeader: process.env.API_KEY_HEADER || 'x-api-key',
  idpClientSecret: process.env.IDP_CLIENT_SECRET ?? '',
  sentryToken: process.env.SENTRY_AUTH_TOKEN ?? '',
  jwtSecret: process.env.JWT_SECRET ?? process.env.LEGACY_JWT_SECRET,
  publicKey: process.env.NEXT_PUBLIC_STRIPE_KEY ?? 'pk_test_123',
  saltRotation: process.env.SALT_ROTATION || 'month',
  tokenRefresh: process.env.REFRESH_TOKEN_SECRET_INTERVAL ?? 'daily',
  sessionKeyLifetime: process.env.SESSION_KEY_MAX_AGE || '7d',
};
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: silent for schema fields whose values are fixed in the code — an auth method enum (trap)`, async () => {
  const model = await scanModel({
    ...pkg,
    'src/oauth/schema.ts': `import { z } from 'zod';
export const RegisterSchema = z.object({
  body: z.object({
    token_endpoint_auth_method: z.enum(['none', 'client_secret_post']).default('none'),
    require_api_key: z.boolean().default(false),
    client_secret: z.string().default('changeme'),
  }),
});
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/oauth/schema.ts:6']);
});

test(`${RULE}: silent in tests and seeds, and when the secret is required (traps)`, async () => {
  const model = await scanModel({
    ...pkg,
    'src/auth.test.ts': `import jwt from 'jsonwebtoken';
const token = jwt.sign({ sub: 'u1' }, 'test-secret');
process.env.JWT_SECRET = process.env.JWT_SECRET || 'test-secret';
`,
    'prisma/seed.ts': `const adminPassword = process.env.SEED_ADMIN_PASSWORD || 'admin123';
console.log(adminPassword.length);
`,
    'src/config.ts': `import { z } from 'zod';
const EnvSchema = z.object({ JWT_SECRET: z.string().min(32), SESSION_SECRET: z.string().min(32) });
export const env = EnvSchema.parse(process.env);
const secret = process.env.COOKIE_SECRET;
if (!secret) throw new Error('COOKIE_SECRET is required');
export const cookieSecret = secret;
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: one finding for the same fallback repeated in a file, and none for template ids named like passwords`, async () => {
  const model = await scanModel({
    ...pkg,
    'src/auth.ts': `import { expressjwt } from 'express-jwt';
export const auth = {
  required: expressjwt({ secret: process.env.JWT_SECRET || 'superSecret', algorithms: ['HS256'] }),
  optional: expressjwt({ secret: process.env.JWT_SECRET || 'superSecret', algorithms: ['HS256'], credentialsRequired: false }),
};
export const resetTemplate = process.env.NOVU_TEMPLATEID_PASSWORD_RESET || 'password-reset-llS-wzWMq';
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['src/auth.ts:3']);
  assert.deepEqual(model.findings[0].locations.map((l) => l.line), [3, 4]);
});

test(`${RULE}: fires on a JwtModule secret fallback inside @Module, silent when it comes from config`, async () => {
  const mod = (secret: string) => ({
    'package.json': JSON.stringify({ name: 'portal-api', dependencies: { '@nestjs/common': '^10.0.0', '@nestjs/jwt': '^10.0.0' } }),
    'src/auth.module.ts': `import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
@Module({
  imports: [JwtModule.register({ secret: ${secret}, signOptions: { expiresIn: '15m' } })],
})
export class AuthModule {}
`,
  });
  const fallback = await scanModel(mod("process.env.JWT_SECRET || 'portal-dev-secret'"), { rules });
  assert.deepEqual(hits(fallback, RULE), ['src/auth.module.ts:3']);
  const required = await scanModel(mod('process.env.JWT_SECRET'), { rules });
  assert.deepEqual(hits(required, RULE), []);
});

// ---- Python ----

test(`${RULE}: Python — fires on os.getenv("SECRET_KEY", "literal") and on a pydantic-settings field default`, async () => {
  const model = await scanModel({
    'app/auth.py': `import os

SECRET_KEY = os.getenv("SECRET_KEY", "dev-secret-change-me")
ALGORITHM = "HS256"
`,
    'app/config.py': `from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    JWT_SECRET: str = "changethis"
    DATABASE_URL: str = "postgresql://localhost/app"
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['app/auth.py:3', 'app/config.py:5']);
  assert.match(model.findings.find((f) => f.locations[0].file === 'app/config.py')!.impact, /settings field Settings\.JWT_SECRET defaults to 'changethis'/);
});

test(`${RULE}: Python — fires on a literal Django SECRET_KEY nobody overrides`, async () => {
  const model = await scanModel({ 'mysite/settings.py': `SECRET_KEY = "django-insecure-9x$k2!a7"\nDEBUG = False\n` }, { rules });
  assert.deepEqual(hits(model, RULE), ['mysite/settings.py:1']);
});

test(`${RULE}: Python — silent on lifetimes, cookie names and secrets read without a fallback`, async () => {
  const model = await scanModel({
    'app/settings.py': `import os

JWT_TTL_ACCESS = os.environ.get("JWT_TTL_ACCESS", "5 minutes")
JWT_AUTH_COOKIE = os.environ.get("JWT_AUTH_COOKIE", "jwt")
SECRET_KEY = os.environ["SECRET_KEY"]
STRIPE_API_KEY = os.getenv("STRIPE_API_KEY")
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: Python — silent when production settings read SECRET_KEY from the environment`, async () => {
  const model = await scanModel({
    'config/django/base.py': `SECRET_KEY = "=ug_ucl@yi6^mrcjyz%(u0%&g2adt"\n`,
    'config/django/production.py': `import os\nfrom .base import *\n\nSECRET_KEY = os.environ["SECRET_KEY"]\n`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: Python — pydantic-settings fields: lower-case names, SecretStr(...) and Field(default=...) defaults fire`, async () => {
  const model = await scanModel({
    'app/core/config.py': `from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    project_name: str = "billing-api"
    secret_key: str = "changeme"
    jwt_secret: SecretStr = SecretStr("super-secret-jwt")
    session_secret: SecretStr = Field(default=SecretStr("s3ss10n-k3y"))
    signing_key: SecretStr = SecretStr("")


settings = Settings()
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['app/core/config.py:10', 'app/core/config.py:11', 'app/core/config.py:12', 'app/core/config.py:9']);
  const jwt = model.findings.find((f) => f.locations[0].line === 10)!;
  assert.match(jwt.impact, /settings field Settings\.jwt_secret defaults to SecretStr\('super-secret-jwt'\) when JWT_SECRET is not set/);
  assert.equal(jwt.severity, 'critical');
  assert.match(model.findings.find((f) => f.locations[0].line === 12)!.title, /SIGNING_KEY falls back to an empty string/);
});

test(`${RULE}: Python — required fields, default_factory, secret file paths, lifetimes and optional API keys do not fire (traps)`, async () => {
  const model = await scanModel({
    'app/core/config.py': `import secrets
from pathlib import Path
from typing import Optional

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BILLING_")

    secret_key: str
    jwt_secret: SecretStr = Field(..., min_length=32)
    csrf_secret: str = Field(default_factory=secrets.token_urlsafe)
    secret_key_file: Path = Path("/run/secrets/secret_key")
    database_pool_size: int = 10
    access_token_expire_minutes: int = 60 * 24 * 8
    jwt_algorithm: str = "HS256"
    stripe_api_key: SecretStr = SecretStr("")
    sentry_token: Optional[str] = None


settings = Settings()
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), []);
});

test(`${RULE}: a *_COOKIE_KEY setting read back as a cookie's name is not a secret (trap); one used to sign still fires`, async () => {
  const model = await scanModel({
    'app/config.py': `from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    USER_SESSION_COOKIE_KEY: str = "app_session"
    OAUTH2_STATE_COOKIE_KEY: str = "app_oauth2_state"
    SESSION_COOKIE_KEY: str = "keyboard-cat"


settings = Settings()
`,
    'app/auth.py': `from fastapi import FastAPI, Request, Response
from itsdangerous import URLSafeSerializer

from app.config import settings

app = FastAPI()
signer = URLSafeSerializer(settings.SESSION_COOKIE_KEY)


@app.get("/me")
def me(request: Request, response: Response):
    token = request.cookies.get(settings.USER_SESSION_COOKIE_KEY)
    response.delete_cookie(key=settings.OAUTH2_STATE_COOKIE_KEY)
    return {"user": signer.loads(token) if token else None}
`,
  }, { rules });
  assert.deepEqual(hits(model, RULE), ['app/config.py:7']);
});

test(`${RULE}: under a pydantic env_prefix a cookie-name setting stays silent; an empty vendor key is not a signing secret (traps), an empty JWT secret is`, async () => {
  const model = await scanModel({
    'app/config.py': `from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHOP_")

    USER_SESSION_COOKIE_KEY: str = "shop_session"
    STRIPE_SECRET_KEY: str = ""
    JWT_SECRET: str = ""


settings = Settings()
`,
    'app/auth.py': `from fastapi import FastAPI, Request

from app.config import settings

app = FastAPI()


@app.get("/me")
def me(request: Request):
    return {"session": request.cookies.get(settings.USER_SESSION_COOKIE_KEY)}
`,
  }, { rules });
  assert.deepEqual(model.findings.filter((f) => f.rule === RULE).map((f) => `${f.locations[0].line} ${f.severity}`), ['9 critical']);
});
