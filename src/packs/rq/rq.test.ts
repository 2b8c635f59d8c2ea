import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';

test('rq: queue.enqueue(fn) enqueues to queue:<name> on Redis and the function is the worker', async () => {
  const m = await scanModel({
    'app/jobs.py': `
import requests
def send_receipt(order_id):
    requests.post("https://mail.example.com/send", json={"order": order_id}, timeout=10)
`,
    'app/main.py': `
from redis import Redis
from rq import Queue
from fastapi import FastAPI
from app.jobs import send_receipt
app = FastAPI()
mail_queue = Queue("mail", connection=Redis())

@app.post("/orders/{order_id}/receipt")
def receipt(order_id: int):
    mail_queue.enqueue(send_receipt, order_id)
    return {"queued": True}
`,
  });
  assert.ok(m.nodes.some((n) => n.id === 'entrypoint:worker:mail'));
  assert.ok(m.edges.some((e) => e.kind === 'enqueues' && e.to === 'queue:mail'));
  assert.ok(m.edges.some((e) => e.from === 'queue:mail' && e.to === 'cache:redis'));
  assert.equal(m.edges.some((e) => e.to === 'external:mail.example.com' && e.entrypoints?.includes('entrypoint:POST /orders/:order_id/receipt')), false);
});
