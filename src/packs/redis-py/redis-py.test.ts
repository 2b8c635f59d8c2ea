import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';

test('redis-py: commands on a client (module instance, self attribute) use cache:redis; socket_timeout is the timeout; pipelines count at execute()', async () => {
  const m = await scanModel({
    'app/main.py': `
import redis
from fastapi import FastAPI
client = redis.Redis.from_url("redis://cache:6379/0", socket_timeout=1.5)
app = FastAPI()

class Counter:
    def __init__(self):
        self.r = redis.Redis(host="cache")

    def bump(self, key):
        pipe = self.r.pipeline()
        pipe.incr(key)
        pipe.expire(key, 60)
        return pipe.execute()

counter = Counter()

@app.get("/hits/{key}")
def hits(key: str):
    return {"hits": client.get(key), "now": counter.bump(key)}
`,
  });
  const e = m.edges.filter((x) => x.to === 'cache:redis').map((x) => `${JSON.stringify(x.guards)} ${x.evidence.map((v) => v.line).join(',')}`).sort();
  assert.deepEqual(e, ['{"timeout":true,"timeoutMs":1500} 21', '{} 15']);
});

test('redis-py: a TypeScript redis pack never reads Python calls (package names are shared across ecosystems)', async () => {
  const m = await scanModel({
    'app/main.py': `
import redis
from fastapi import FastAPI
r = redis.Redis()
app = FastAPI()

@app.get("/x")
def x():
    r.ping()
    return r.quit()
`,
  });
  assert.deepEqual(m.edges.filter((e) => e.to === 'cache:redis').map((e) => e.evidence.map((v) => v.line)), [[9]]);
});
