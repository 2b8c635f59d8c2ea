import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';

test('dramatiq: actors are workers on their queue, .send() enqueues; a RedisBroker stores the queue in Redis', async () => {
  const m = await scanModel({
    'app/broker.py': `
import dramatiq
from dramatiq.brokers.redis import RedisBroker
dramatiq.set_broker(RedisBroker(url="redis://redis:6379/0"))
`,
    'app/actors.py': `
import dramatiq
import requests

@dramatiq.actor(queue_name="thumbs", max_retries=3)
def make_thumbnail(image_id):
    requests.post("https://img.example.com/thumb", json={"id": image_id}, timeout=30)
`,
    'app/main.py': `
from fastapi import FastAPI
from app.actors import make_thumbnail
app = FastAPI()

@app.post("/images/{image_id}")
def upload(image_id: int):
    make_thumbnail.send(image_id)
    return {"ok": True}
`,
  });
  assert.ok(m.nodes.some((n) => n.id === 'entrypoint:worker:make_thumbnail'));
  assert.ok(m.edges.some((e) => e.kind === 'enqueues' && e.to === 'queue:thumbs'));
  assert.ok(m.edges.some((e) => e.from === 'queue:thumbs' && e.to === 'cache:redis'));
});
