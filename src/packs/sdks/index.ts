import { objGet, valToNumber } from '../../extract/facts.js';
import type { Guards } from '../../model/types.js';
import type { TechPack } from '../types.js';

interface Sdk {
  vendor: string;
  /** Default request timeout of the SDK when none is configured, in ms (from its docs). */
  defaultTimeoutMs?: number;
  defaultRetries?: number;
  timeoutOption?: string;
  /** Option holding the retry count; a dotted path for a nested one ('retryConfig.retries'). */
  retriesOption?: string;
  /** Index of the constructor argument holding options. */
  optionsArg?: number;
  /** Members that are not calls to the vendor (event handlers, helpers). */
  local?: RegExp;
}

// Vendor SDKs whose calls go to one known external service. Defaults are the
// documented ones: OpenAI and Anthropic time out after 10 minutes and retry twice;
// Stripe times out after 80 s and retries once; the rest have no client timeout.
const SDKS: Record<string, Sdk> = {
  stripe: { vendor: 'stripe', defaultTimeoutMs: 80000, defaultRetries: 1, timeoutOption: 'timeout', retriesOption: 'maxNetworkRetries', optionsArg: 1, local: /^webhooks$/ },
  resend: { vendor: 'resend' },
  openai: { vendor: 'openai', defaultTimeoutMs: 600000, defaultRetries: 2, timeoutOption: 'timeout', retriesOption: 'maxRetries', optionsArg: 0 },
  '@anthropic-ai/sdk': { vendor: 'anthropic', defaultTimeoutMs: 600000, defaultRetries: 2, timeoutOption: 'timeout', retriesOption: 'maxRetries', optionsArg: 0 },
  '@sendgrid/mail': { vendor: 'sendgrid', local: /^(setApiKey|setTimeout)$/ },
  nodemailer: { vendor: 'smtp', local: /^(verify|use|close|createTransport)$/ },
  twilio: { vendor: 'twilio', timeoutOption: 'timeout', optionsArg: 2 },
  '@slack/web-api': { vendor: 'slack', timeoutOption: 'timeout', retriesOption: 'retryConfig.retries', optionsArg: 1 },
  'firebase-admin': { vendor: 'firebase', local: /^(initializeApp|credential|app|apps)$/ },
  '@google/generative-ai': { vendor: 'gemini', local: /^(getGenerativeModel|startChat)$/ },
  postmark: { vendor: 'postmark' },
  '@mailchimp/mailchimp_transactional': { vendor: 'mailchimp' },
  '@sentry/node': { vendor: 'sentry', local: /.*/ },
};

/** SDK methods that answer with a response (`completion.choices[0].message.content.trim()`): a call on what they returned is on data. */
const RESPONSE = /^(create|retrieve|list|update|del|send|sendMail|postMessage|generateContent|embedContent|countTokens)$/;

const pack: TechPack = {
  id: 'sdks',
  title: 'Vendor SDKs (Stripe, Resend, OpenAI, Anthropic, SendGrid, Twilio, Slack, Firebase…)',
  upstreamDocs: ['https://github.com/stripe/stripe-node#configuration', 'https://github.com/openai/openai-node#timeouts', 'https://github.com/anthropics/anthropic-sdk-typescript#timeouts', 'https://resend.com/docs/send-with-nodejs'],
  packages: Object.keys(SDKS),
  classifyCall(call) {
    const sdk = SDKS[call.pkg];
    if (!sdk) return undefined;
    const m = call.member;
    if (m.length === 0 && !call.instance) return { use: 'ignore' }; // a factory call: twilio(sid, token)
    if (m.length === 0) return undefined;
    const made = call.instance?.ctor.split('.') ?? [];
    if (made.length > 1 && RESPONSE.test(made[made.length - 1])) return { use: 'ignore' };
    if (sdk.local?.test(m[0]) || /^(on|once|constructEvent)$/.test(m[m.length - 1])) return { use: 'ignore' };
    const guards: Guards = {};
    const opts = call.instance && sdk.optionsArg !== undefined ? call.instance.args[sdk.optionsArg] : undefined;
    const t = sdk.timeoutOption ? valToNumber(objGet(opts, sdk.timeoutOption)) : undefined;
    const r = sdk.retriesOption ? valToNumber(objGet(opts, ...sdk.retriesOption.split('.'))) : undefined;
    const timeoutMs = t ?? sdk.defaultTimeoutMs;
    if (timeoutMs !== undefined) {
      guards.timeoutMs = timeoutMs;
      guards.timeout = true;
    }
    const retries = r ?? sdk.defaultRetries;
    if (retries !== undefined) guards.retries = retries;
    return { use: 'dependency', target: { kind: 'external', name: sdk.vendor, tech: call.pkg }, edge: 'calls', guards, op: 'http' };
  },
};
export default pack;
