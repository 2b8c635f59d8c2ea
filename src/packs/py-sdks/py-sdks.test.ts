import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';

test('py-sdks: Stripe, OpenAI and SMTP are externals named for the vendor; OpenAI keeps its documented 10 min default or the client timeout', async () => {
  const m = await scanModel({
    'app/main.py': `
import smtplib
import stripe
from openai import OpenAI
from fastapi import FastAPI
app = FastAPI()
ai = OpenAI(timeout=20.0, max_retries=2)

@app.post("/checkout")
def checkout():
    stripe.PaymentIntent.create(amount=1000, currency="eur")
    summary = ai.chat.completions.create(model="gpt-4o-mini", messages=[])
    with smtplib.SMTP("mail.internal", 25) as smtp:
        smtp.send_message(None)
    return summary
`,
  });
  const g = (name: string) => JSON.stringify(m.edges.find((e) => e.to === `external:${name}`)?.guards);
  assert.equal(g('stripe'), '{"timeout":true,"timeoutMs":80000}');
  assert.equal(g('openai'), '{"retries":2,"timeout":true,"timeoutMs":20000}');
  assert.equal(g('smtp'), '{}');
});

test('py-sdks: reading a Stripe object (.get, .to_dict) and verifying a webhook are not calls to Stripe (traps); retrieving one is', async () => {
  const m = await scanModel({
    'app/main.py': `
import stripe
from fastapi import FastAPI, Request
app = FastAPI()


def summarize(dispute: stripe.Dispute) -> dict:
    details = dispute.to_dict()
    return {"reason": dispute.get("reason"), "due": details.get("evidence_details")}


@app.post("/webhooks/stripe")
async def webhook(request: Request):
    event = stripe.Webhook.construct_event(await request.body(), request.headers["stripe-signature"], "whsec_x")
    return summarize(event.data.object)


@app.get("/disputes/{dispute_id}")
def dispute(dispute_id: str):
    return summarize(stripe.Dispute.retrieve(dispute_id))
`,
  });
  const stripeEps = m.edges.filter((e) => e.to === 'external:stripe').flatMap((e) => e.entrypoints ?? []).sort();
  assert.deepEqual(stripeEps, ['entrypoint:GET /disputes/:dispute_id']);
  assert.deepEqual(m.edges.filter((e) => e.to === "external:stripe").flatMap((e) => e.evidence.map((ev) => ev.line)), [20]);
});
