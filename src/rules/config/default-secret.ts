import type { FileFacts, Val } from '../../extract/facts.js';
import type { Rule } from '../types.js';
import { isNonProductionFile, namedFunctions, routesPhrase } from '../util.js';
import { calleeFrom, decoratorCalls } from './_code.js';
import { pySettingOverridden } from '../py-util.js';

/** Sample and documentation code in a repository (examples/, demo/, docs/) is not what gets deployed. */
const SAMPLE_CODE = /(^|\/)(examples?|demos?|samples?|docs?|playground|sandbox)\//;

/** Env/config names that hold a secret. */
const SECRET_NAME = /SECRET|PASSWORD|PASSWD|(^|_)PWD($|_)|(^|_)PASS($|_)|TOKEN|API_?KEY|PRIVATE_?KEY|SIGNING_?KEY|ENCRYPTION_?KEY|(^|_)ENC_KEY|CRYPTO_KEY|HMAC|(^|_)SALT($|_)|PEPPER|COOKIE_?KEY|SESSION_?KEY|MASTER_?KEY|AUTH_?KEY|(^|_)JWT($|_)|JWT_?KEY/i;
/** Names that mention a secret but hold something else (a lifetime, an id, a URL...). */
const NOT_SECRET = /(^|_)(EXPIRES?(_IN)?|EXPIRY|EXPIRATION|TTL|LIFETIME|MAX_AGE|TIMEOUT|ALG|ALGORITHM|ISSUER|ISS|AUDIENCE|AUD|HEADER|HEADER_NAME|NAME|URL|URI|ENDPOINT|HOST|PORT|PATH|FILE|DIR|ID|LENGTH|LEN|MIN_LENGTH|ROUNDS|COST|ENABLED|REGION|TYPE|MODE|PREFIX|FIELD|DOMAIN|VERSION|REFRESH_INTERVAL|INTERVAL|ROTATION|PERIOD|DURATION|STRATEGY|SCHEME|FORMAT|ENCODING|POLICY)$|^(NEXT_PUBLIC|VITE|REACT_APP|EXPO_PUBLIC|PUBLIC)_|TEMPLATE|PASSWORD_RESET|RESET_PASSWORD|FORGOT_PASSWORD|_SUBJECT|_EMAIL|_PAGE|_ROUTE|_QUEUE|_TOPIC|_BUCKET|_COUNT|_LIMIT|_SIZE|_DAYS|_HOURS|_MINUTES|_SECONDS|_MS$/i;
/** Secrets that sign or encrypt: an empty value is as dangerous as a known one. */
const SIGNING = /JWT|SESSION|COOKIE|SIGNING|SECRET_KEY|SECRET_KEY_BASE|APP_SECRET|AUTH_SECRET|NEXTAUTH_SECRET|TOKEN_SECRET|HMAC|ENCRYPTION|CRYPTO|MASTER_KEY/i;
/** A vendor's API credential named like a signing key (STRIPE_SECRET_KEY, CLERK_SECRET_KEY): an API key, not the app's own signing secret. */
const VENDOR_SECRET_KEY = /(^|_)(STRIPE|CLERK|PAYSTACK|RAZORPAY|BRAINTREE|SQUARE|PADDLE|LEMON_?SQUEEZY|TWILIO|SENDGRID|MAILGUN|POSTMARK|RESEND|OPENAI|ANTHROPIC|ALGOLIA|PUSHER|AWS|S3|MINIO|R2|SUPABASE|FIREBASE|RECAPTCHA|HCAPTCHA|TURNSTILE)_SECRET_(ACCESS_)?KEY$/i;

const LITERAL_SECRET_KEYS = /^(secret|secretOrKey|secretOrPrivateKey|jwtSecret|sessionSecret|cookieSecret|clientSecret|signingSecret)$/;

const PY_NOT_SECRET_NAME = /TTL|THRESHOLD|TIMEOUT|EXPIR|LIFETIME|INTERVAL|DURATION|_AGE($|_)|_DAYS|_HOURS|_MINUTES|_SECONDS|ALGORITHM|_LENGTH|_URL$|_URI$|_HOST$|_PORT$|COOKIE$|COOKIE_NAME|SAMESITE|_SECURE$|HTTPONLY|_PREFIX$|_HEADER$/;
/** Defaults that are durations, numbers, booleans or placeholders for "unset" — not credentials. */
const NOT_SECRET_VALUE = /^(\d+(\.\d+)?\s*(ms|s|sec|seconds?|m|min|minutes?|h|hours?|d|days?|w|weeks?|months?|y|years?)?|true|false|yes|no|none|null|on|off|hourly|daily|weekly|monthly|yearly|hour|day|week|month|year)$/i;

export function isSecretName(name: string): boolean {
  const snake = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
  return SECRET_NAME.test(snake) && !NOT_SECRET.test(snake);
}

function literal(v: Val | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && 'tpl' in v && v.parts.length === 0) return v.tpl;
  return undefined;
}

/** `z.enum([...]).default(...)`, `z.literal(...)`, `z.boolean()`: a field whose values are fixed in the code holds a choice (an auth method), never a secret. */
function choiceSchema(v: Val): boolean {
  let cur: Val | undefined = v;
  for (let i = 0; i < 8 && cur && typeof cur === 'object' && 'call' in cur; i++) {
    if (/(^|\.)(enum|nativeEnum|literal|boolean|valid)$/.test(cur.call)) return true;
    cur = cur.recv;
  }
  return false;
}

interface Hit {
  file: string;
  line: number;
  name: string;
  value: string;
  how: string;
  signing: boolean;
}

function shown(value: string): string {
  if (value === '') return "''";
  return value.length > 24 ? `'${value.slice(0, 12)}…'` : `'${value}'`;
}

/** The setting read under a prefix (pydantic `env_prefix="POLAR_"`: POLAR_USER_SESSION_COOKIE_KEY for settings.USER_SESSION_COOKIE_KEY) counts too. */
function isCookieName(names: Set<string>, envName: string): boolean {
  const upper = envName.toUpperCase();
  if (names.has(upper)) return true;
  for (let i = upper.indexOf('_'); i >= 0; i = upper.indexOf('_', i + 1)) if (names.has(upper.slice(i + 1))) return true;
  return false;
}

const COOKIE_CALLS = new Set(['set_cookie', 'delete_cookie', 'cookie', 'clearCookie', 'setCookie', 'getCookie', 'deleteCookie']);

/**
 * Settings used as a cookie's name somewhere in the code: the first argument (or `key=`) of
 * set_cookie / delete_cookie / res.cookie / clearCookie, a `cookies.get(...)` / `cookies.set(...)`,
 * hono's getCookie(c, name). Upper-cased last segment of the reference (`settings.X` → X).
 */
function cookieNameSettings(facts: Map<string, FileFacts>): Set<string> {
  const out = new Set<string>();
  const add = (v: Val | undefined) => {
    if (v && typeof v === 'object' && 'ref' in v) out.add(v.ref.split('.').pop()!.toUpperCase());
  };
  for (const f of facts.values()) {
    for (const c of f.calls) {
      const last = c.callee[c.callee.length - 1] ?? '';
      const onCookies = c.callee[c.callee.length - 2] === 'cookies' && /^(get|set|delete)$/.test(last);
      if (!onCookies && !COOKIE_CALLS.has(last)) continue;
      const positional = c.args.filter((a) => !(a && typeof a === 'object' && 'kwargs' in a));
      add(positional[0]);
      if (/^(getCookie|setCookie|deleteCookie)$/.test(last)) add(positional[1]);
      const kw = c.args.find((a): a is { obj: Record<string, Val>; kwargs?: boolean } => !!a && typeof a === 'object' && 'kwargs' in a);
      add(kw?.obj.key);
    }
  }
  return out;
}

function fromFile(f: FileFacts, facts: Map<string, FileFacts> = new Map()): Hit[] {
  const out: Hit[] = [];
  const push = (h: Omit<Hit, 'signing' | 'file'>) => {
    const snake = h.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
    const signing = SIGNING.test(snake) && !VENDOR_SECRET_KEY.test(snake);
    if (h.value === '' && !signing) return;
    if (!out.some((o) => o.line === h.line && o.name === h.name)) out.push({ ...h, file: f.file, signing });
  };
  // process.env.JWT_SECRET || 'changeme' / ?? 'dev-secret'
  const py = f.file.endsWith('.py');
  for (const r of f.envReads) {
    if (!isSecretName(r.name)) continue;
    // pydantic: `jwt_secret: SecretStr = SecretStr("...")` — the wrapper only hides the value from repr()
    const wrapped = py && r.default && typeof r.default === 'object' && 'call' in r.default && /(^|\.)Secret(Str|Bytes)$/.test(r.default.call) && r.default.args.length === 1 ? r.default.call.split('.').pop() : undefined;
    const value = literal(wrapped ? (r.default as { args: Val[] }).args[0] : r.default);
    if (value === undefined) continue;
    // JWT_TTL_ACCESS = os.environ.get("JWT_TTL_ACCESS", "5 minutes"), SALT_ROTATION || 'month': a lifetime or a period, not a secret
    if ((py && PY_NOT_SECRET_NAME.test(r.name)) || NOT_SECRET_VALUE.test(value)) continue;
    const how = !py ? `process.env.${r.name} falls back to ${shown(value)}` : r.target ? `the settings field ${r.target} defaults to ${wrapped ? `${wrapped}(${shown(value)})` : shown(value)} when ${r.name} is not set` : `os.environ ${r.name} falls back to ${shown(value)}`;
    push({ line: r.line, name: r.name, value, how });
  }
  // Flask/Django settings: SECRET_KEY = "dev" / app.config["SECRET_KEY"] = "dev" (a literal, no environment at all)
  if (py) {
    for (const v of f.vars) {
      const name = v.name.split('.').pop() ?? '';
      if (!/^(SECRET_KEY|JWT_SECRET_KEY|SECURITY_PASSWORD_SALT|SESSION_SECRET)$/.test(name) || typeof v.init !== 'string') continue;
      if (v.init === '' || NOT_SECRET_VALUE.test(v.init)) continue;
      // base.py has the literal, production.py reads the environment: a development default
      if (pySettingOverridden(facts, f.file, v.name, (x) => typeof x !== 'string')) continue;
      push({ line: v.line, name, value: v.init, how: `${v.name} is the literal ${shown(v.init)}` });
    }
  }
  for (const c of [...f.calls, ...decoratorCalls(f)]) {
    const last = c.callee[c.callee.length - 1];
    // zod / joi / yup schemas: JWT_SECRET: z.string().default('changeme') — the key comes from the enclosing object
    // configService.get('JWT_SECRET', 'changeme')
    if ((last === 'get' || last === 'getOrDefault') && c.callee.some((p) => /config/i.test(p)) && typeof c.args[0] === 'string' && isSecretName(c.args[0])) {
      const value = literal(c.args[1]);
      if (value !== undefined) push({ line: c.line, name: c.args[0], value, how: `${c.callee.join('.')}('${c.args[0]}') falls back to ${shown(value)}` });
    }
    // jwt.sign(payload, 'secret') / jwt.verify(token, 'secret')
    const jwt = calleeFrom(f, c, ['jsonwebtoken']);
    if (jwt) {
      const op = jwt.member[jwt.member.length - 1] ?? jwt.imported;
      if ((op === 'sign' || op === 'verify') && literal(c.args[1])) push({ line: c.line, name: 'JWT secret', value: literal(c.args[1])!, how: `jwt.${op}() is given the literal secret ${shown(literal(c.args[1])!)}` });
    }
    // cookieParser('secret')
    const cp = calleeFrom(f, c, ['cookie-parser']);
    if (cp && cp.member.length === 0 && literal(c.args[0])) push({ line: c.line, name: 'cookie secret', value: literal(c.args[0])!, how: `cookieParser() is given the literal secret ${shown(literal(c.args[0])!)}` });
    // session({ secret: '...' }), JwtModule.register({ secret: '...' }), new JwtStrategy({ secretOrKey: '...' })
    for (const a of c.args) {
      if (!a || typeof a !== 'object' || !('obj' in a)) continue;
      for (const [k, v] of Object.entries(a.obj)) {
        // { secret: process.env.JWT_SECRET || 'dev' } inside a decorator (not recorded as an env read)
        if (v && typeof v === 'object' && 'env' in v && isSecretName(v.env) && literal(v.default) !== undefined) {
          push({ line: c.line, name: v.env, value: literal(v.default)!, how: `process.env.${v.env} falls back to ${shown(literal(v.default)!)}` });
          continue;
        }
        if (!LITERAL_SECRET_KEYS.test(k)) continue;
        const value = literal(v);
        if (value === undefined || value === '') continue;
        push({ line: c.line, name: k === 'secret' && /session/i.test(c.callee.join('.')) ? 'sessionSecret' : k === 'secret' ? 'JWT/session secret' : k, value, how: `${c.callee.join('.') || 'the call'}({ ${k}: ${shown(value)} }) hard-codes the secret` });
      }
    }
  }
  // schema defaults: { JWT_SECRET: z.string().default('changeme') } / convict { env: 'JWT_SECRET', default: '...' }
  const scan = (v: Val | undefined, depth: number) => {
    if (!v || typeof v !== 'object' || depth > 6) return;
    if ('obj' in v) {
      for (const [k, x] of Object.entries(v.obj)) {
        if (x && typeof x === 'object' && 'call' in x && /(^|\.)default$/.test(x.call) && isSecretName(k) && !choiceSchema(x)) {
          const value = literal(x.args[0]);
          if (value !== undefined) {
            const call = f.calls.find((c) => c.callee[c.callee.length - 1] === 'default' && literal(c.args[0]) === value);
            if (call) push({ line: call.line, name: k, value, how: `the config schema gives ${k} the default ${shown(value)}` });
          }
        }
        if (x && typeof x === 'object' && 'obj' in x && typeof x.obj.env === 'string' && isSecretName(x.obj.env) && literal(x.obj.default) !== undefined) {
          const value = literal(x.obj.default)!;
          const call = f.calls.find((c) => c.args.some((a) => a && typeof a === 'object' && 'obj' in a && JSON.stringify(a).includes(JSON.stringify(x.obj.env))));
          push({ line: call?.line ?? 1, name: x.obj.env, value, how: `the config schema gives ${x.obj.env} the default ${shown(value)}` });
        }
        scan(x, depth + 1);
      }
    } else if ('arr' in v) v.arr.forEach((x) => scan(x, depth + 1));
    else if ('call' in v || 'new' in v) v.args.forEach((x) => scan(x, depth + 1));
  };
  for (const v of f.vars) scan(v.init, 0);
  return out;
}

const rule: Rule = {
  meta: {
    id: 'config/default-secret',
    title: 'Secret with a hard-coded default',
    category: 'security',
    polarity: 'risk',
    defaultSeverity: 'critical',
    effort: 'S',
    priority: 'P0',
    docs: {
      what: 'A secret — a JWT/session/cookie signing key, an encryption key, a password, an API key or token — read from the environment with a hard-coded fallback (`process.env.JWT_SECRET || "changeme"`, `?? "dev-secret"`, `z.string().default(...)`, `configService.get("JWT_SECRET", "...")`), or passed as a literal (`jwt.sign(payload, "secret")`, `session({ secret: "keyboard cat" })`, `JwtModule.register({ secret: "..." })`). In Python: `os.getenv("SECRET_KEY", "dev")` / `os.environ.get(...)`, a pydantic-settings field with a literal default (`SECRET_KEY: str = "changethis"`, `jwt_secret: SecretStr = SecretStr("...")`, `Field(default=...)`), and a literal Django/Flask `SECRET_KEY`.',
      why: 'When the variable is missing in one environment — a new stage, a renamed secret, a typo in the deployment — the service does not fail: it starts and uses a value that is published in the repository. For a signing key that means anyone can forge a JWT or session cookie for any user, including admins; for a password or API key, credentials committed to git are in use. An empty fallback for a signing key is just as bad: HMAC with an empty key is forgeable.',
      fix: 'Fail fast at start-up instead of falling back: `const JWT_SECRET = process.env.JWT_SECRET; if (!JWT_SECRET) throw new Error("JWT_SECRET is required");` or `JWT_SECRET: z.string().min(32)` in the env schema; read literals from a secret manager; rotate any secret whose value was ever committed.',
      falsePositiveGuard: 'Only names that denote a secret (SECRET, PASSWORD, TOKEN, API_KEY, PRIVATE_KEY, JWT…) and not their companions (JWT_EXPIRES_IN, TOKEN_TTL, API_KEY_HEADER, *_URL, *_ID, *_ALGORITHM…); non-secret settings with defaults (PORT, LOG_LEVEL, NODE_ENV) never fire; public front-end variables (NEXT_PUBLIC_*, VITE_*) are skipped. An empty-string fallback fires only for signing/encryption secrets (JWT, session, cookie, HMAC), not for optional API keys that then fail closed (a vendor credential named like a signing key, STRIPE_SECRET_KEY or AWS_SECRET_ACCESS_KEY, is an API key). A fallback to another variable or expression is not a literal and does not fire; a schema field whose values are fixed in the code (`z.enum([...]).default(...)`, `z.literal()`, `z.boolean()`) holds a choice, not a secret, and does not fire; a setting the code uses as a cookie name (`request.cookies.get(settings.SESSION_COOKIE_KEY)`, `set_cookie(key=...)`, `res.cookie(name, ...)`) is a name, not a signing key, and does not fire; a required pydantic-settings field (`secret_key: str`), `Field(default_factory=secrets.token_urlsafe)` and fields that only name a secret (`secret_key_file: Path`, `jwt_algorithm`, `access_token_expire_minutes`) never fire. Test, seed, fixture, script and sample code (examples/, demo/, docs/) is skipped. Signing secrets are critical; other credentials (passwords, API keys) are reported as high.',
      references: ['https://cwe.mitre.org/data/definitions/798.html', 'https://cwe.mitre.org/data/definitions/1188.html', 'https://owasp.org/Top10/A07_2021-Identification_and_Authentication_Failures/', 'https://github.com/expressjs/session#secret'],
    },
  },
  check({ facts, code, model }, ctx) {
    const cookieNames = cookieNameSettings(facts);
    for (const f of facts.values()) {
      if (isNonProductionFile(f.file) || SAMPLE_CODE.test(f.file)) continue;
      const all = fromFile(f, facts);
      for (const h of all) {
        // USER_SESSION_COOKIE_KEY = "polar_session" read back by request.cookies.get(settings.USER_SESSION_COOKIE_KEY): the cookie's name, not its signing key
        if (isCookieName(cookieNames, h.name)) continue;
        const same = all.filter((o) => o.name === h.name && o.value === h.value);
        if (same[0] !== h) continue; // the same fallback repeated in one file: one finding, several locations
        const fn = namedFunctions(f).filter((x) => x.line <= h.line && x.endLine >= h.line).sort((a, b) => b.line - a.line)[0];
        const eps = fn && code ? code.entrypointsOf(f.file, fn.id) : [];
        const declared = /^[A-Z0-9_]+$/.test(h.name) ? code?.infra.env?.[h.name] : undefined;
        const authEps = model.nodes.filter((n) => n.kind === 'entrypoint' && (n.trigger === 'http' || n.trigger === 'websocket')).map((n) => n.id);
        const consequence = h.signing
          ? `anyone who can read the repository can sign valid tokens or session cookies and impersonate any user${authEps.length ? ` on ${routesPhrase(eps.length ? eps : authEps)}` : ''}`
          : 'the service runs with a credential that is committed to the repository';
        ctx.report({
          element: code?.componentOf(f.file),
          locations: same.map((o) => ({ file: f.file, line: o.line })),
          title: h.value === '' ? `${h.name} falls back to an empty string` : `${h.name} has a hard-coded ${h.how.includes('literal') || h.how.includes('hard-codes') ? 'value' : 'fallback'}`,
          severity: h.signing ? undefined : 'high',
          impact: `${h.how}. Wherever the real secret is missing${declared ? ` (it is set in ${declared.evidence.file}, but any other environment)` : ''}, the app starts anyway and ${consequence}.`,
          recommendation: `Remove the fallback and fail at start-up when ${/^[A-Z0-9_]+$/.test(h.name) ? h.name : 'the secret'} is not set (e.g. a zod env schema with z.string().min(32)); load it from the secret store, and rotate the value that was committed.`,
          fingerprintKey: `${h.name} ${h.how.replace(/'.*'/, "'…'")}`,
        });
      }
    }
  },
};
export default rule;
