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

test('dramatiq: a project decorator factory that applies dramatiq.actor makes workers (no guessed queue); a project decorator named actor that does not is nothing (trap)', async () => {
  const m = await scanModel({
    'app/__init__.py': '',
    'app/worker.py': `import functools

import dramatiq
from dramatiq import actor as _actor


def actor(actor_name=None, priority=0, **options):
    def decorator(fn):
        @functools.wraps(fn)
        async def _wrapped(*args, **kwargs):
            return await fn(*args, **kwargs)

        _actor(_wrapped, actor_name=actor_name, priority=priority, **options)
        return _wrapped

    return decorator
`,
    'app/audit.py': `def actor(role):
    def decorator(fn):
        fn.required_role = role
        return fn

    return decorator
`,
    'app/admin_tasks.py': `from app.audit import actor


@actor("admin")
def purge():
    return None
`,
    'app/tasks.py': `from app.worker import actor


@actor(actor_name="invoice.send")
async def send_invoice(invoice_id: str):
    return invoice_id


@actor(actor_name="reports.rollup", queue_name="reports")
async def rollup():
    return None

`,
  });
  const workers = m.nodes.filter((n) => n.kind === 'entrypoint' && n.trigger === 'worker').map((n) => n.id).sort();
  assert.deepEqual(workers, ['entrypoint:worker:invoice.send', 'entrypoint:worker:reports.rollup']);
  assert.deepEqual(m.nodes.filter((n) => n.kind === 'queue').map((n) => n.id), ['queue:reports']);
});
