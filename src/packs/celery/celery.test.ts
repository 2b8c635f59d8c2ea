import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';

const files = {
  'app/worker.py': `
from celery import Celery
from celery.schedules import crontab
celery_app = Celery("app", broker="redis://redis:6379/0")
celery_app.conf.task_routes = {"emails.send": {"queue": "emails"}}
celery_app.conf.beat_schedule = {
    "nightly-report": {"task": "reports.nightly", "schedule": crontab(hour=2)},
}
`,
  'app/tasks.py': `
import requests
from app.worker import celery_app

@celery_app.task(name="emails.send", autoretry_for=(Exception,), max_retries=5)
def send_email(to):
    requests.post("https://api.mailer.example/send", json={"to": to}, timeout=10)

@celery_app.task(name="reports.nightly")
def nightly():
    requests.get("https://reports.example/build", timeout=30)
`,
  'app/main.py': `
from fastapi import FastAPI
from app.tasks import send_email
app = FastAPI()

@app.post("/invite")
def invite(to: str):
    send_email.delay(to)
    return {"queued": True}
`,
};

test('celery: tasks are workers on their queue (task_routes), beat entries are cron entrypoints, .delay() enqueues; a Redis broker stores the queues', async () => {
  const m = await scanModel(files);
  const ids = m.nodes.map((n) => n.id);
  assert.ok(ids.includes('entrypoint:worker:emails.send'));
  assert.ok(ids.includes('entrypoint:worker:reports.nightly'));
  assert.ok(ids.includes('entrypoint:cron:nightly-report'));
  const enq = m.edges.find((e) => e.kind === 'enqueues');
  assert.equal(enq?.to, 'queue:emails');
  assert.equal(enq?.mode, 'async');
  assert.ok(m.edges.some((e) => e.from === 'queue:emails' && e.to === 'cache:redis'));
  assert.ok(m.edges.some((e) => e.from === 'entrypoint:worker:emails.send' && e.to === 'queue:emails' && e.kind === 'consumes'));
});

test('celery: the POST route does not reach the vendor the task calls (async through the queue)', async () => {
  const m = await scanModel(files);
  assert.equal(m.edges.some((e) => e.to === 'external:api.mailer.example' && e.entrypoints?.includes('entrypoint:POST /invite')), false);
  assert.ok(m.edges.some((e) => e.to === 'external:api.mailer.example' && e.entrypoints?.includes('entrypoint:worker:emails.send')));
});

test('celery: a task made by a project decorator that applies shared_task inside is a worker; a project decorator that does not is not (trap)', async () => {
  const m = await scanModel({
    'app/__init__.py': '',
    'app/locks.py': `import functools

from celery import shared_task


def non_concurrent_task(_func=None, *, timeout=60):
    def decorator(func):
        @functools.wraps(func)
        def inner(self, *args, **kwargs):
            return func(self, *args, **kwargs)

        return shared_task(bind=True)(inner)

    return decorator(_func) if _func else decorator
`,
    'app/audit.py': `def audited(func):
    func.audited = True
    return func
`,
    'app/tasks.py': `from celery import shared_task

from app.audit import audited
from app.locks import non_concurrent_task


@shared_task
def email_send(email_id):
    return email_id


@non_concurrent_task
def rebuild_index(self):
    return None


@audited
def purge():
    return None
`,
  });
  const workers = m.nodes.filter((n) => n.kind === 'entrypoint' && n.trigger === 'worker').map((n) => n.id).sort();
  assert.deepEqual(workers, ['entrypoint:worker:email_send', 'entrypoint:worker:rebuild_index']);
});
