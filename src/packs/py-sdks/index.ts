// Vendor SDKs from Python: Stripe, OpenAI, Anthropic, SendGrid, Twilio, Slack, Postmark and
// SMTP (smtplib, emails, fastapi-mail). Each is an external node named for the vendor; a
// client created with timeout= carries it (seconds).
import { arg, ctorHead, secondsToMs } from '../_lib/python.js';
import type { Guards } from '../../model/types.js';
import type { CallMeaning, DepCall, TechPack } from '../types.js';

const VENDOR: Record<string, string> = {
  stripe: 'stripe', openai: 'openai', anthropic: 'anthropic', sendgrid: 'sendgrid', twilio: 'twilio', slack_sdk: 'slack', postmarker: 'postmark',
  smtplib: 'smtp', emails: 'smtp', fastapi_mail: 'smtp', aiosmtplib: 'smtp', resend: 'resend', boto3: 'aws',
};
/** Defaults documented by the SDKs (ms): OpenAI and Anthropic 10 min, Stripe 80 s. */
const DEFAULT_TIMEOUT: Record<string, number> = { openai: 600000, anthropic: 600000, stripe: 80000 };
const IGNORED = /^(api_key|api_base|max_network_retries|default_http_client|error|errors|util|_.*|close|quit|ehlo|starttls|login|set_debuglevel|with_options)$/;
/**
 * Stripe methods that send nothing: a resource object is a dict (`dispute.get("reason")`,
 * `.to_dict()`), and webhook verification is local (`Webhook.construct_event`). `update` and
 * `pop` stay calls: StripeClient's `client.customers.update(...)` is a request.
 */
const STRIPE_LOCAL = /^(get|to_dict|to_dict_recursive|keys|values|items|copy|serialize|construct_from|construct_event|verify_header|refresh_from)$/;

function classify(call: DepCall): CallMeaning | undefined {
  const vendor = VENDOR[call.pkg];
  if (!vendor) return undefined;
  const m = call.member;
  const op = m[m.length - 1];
  if (!op || IGNORED.test(op) || m.some((x) => IGNORED.test(x))) return { use: 'ignore' };
  if (vendor === 'stripe' && STRIPE_LOCAL.test(op)) return { use: 'ignore' };
  // OpenAI()/Anthropic()/Stripe module: resources and methods; smtplib.SMTP(...).send_message()
  if (vendor === 'smtp' && !/^(send_message|sendmail|send|send_message_async)$/.test(op)) return { use: 'ignore' };
  if (!call.instance && m.length === 1 && /^[A-Z]/.test(op)) return { use: 'ignore' }; // constructors: OpenAI(...), SMTP(...)
  const guards: Guards = {};
  const t = call.instance ? secondsToMs(arg(call.instance.args, 'timeout')) : undefined;
  if (t !== undefined) Object.assign(guards, { timeout: true, timeoutMs: t });
  else if (DEFAULT_TIMEOUT[vendor] !== undefined) Object.assign(guards, { timeout: true, timeoutMs: DEFAULT_TIMEOUT[vendor] });
  const retries = call.instance ? arg(call.instance.args, 'max_retries') : undefined;
  if (typeof retries === 'number') guards.retries = retries;
  void ctorHead;
  return { use: 'dependency', target: { kind: 'external', name: vendor, tech: vendor }, edge: 'calls', op: vendor === 'smtp' ? 'email' : 'sdk', guards };
}

const pack: TechPack = {
  id: 'py-sdks',
  title: 'Vendor SDKs for Python (Stripe, OpenAI, Anthropic, SendGrid, Twilio, Slack, SMTP)',
  lang: 'python',
  upstreamDocs: ['https://github.com/openai/openai-python#timeouts', 'https://github.com/anthropics/anthropic-sdk-python#timeouts', 'https://docs.stripe.com/api/request_ids', 'https://docs.python.org/3/library/smtplib.html'],
  packages: Object.keys(VENDOR).filter((k) => k !== 'boto3'),
  classifyCall: classify,
};
export default pack;
