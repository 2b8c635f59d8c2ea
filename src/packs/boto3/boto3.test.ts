import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';

test('boto3: s3 and dynamodb are datastores, sqs send_message enqueues, ses is an external; botocore Config timeouts and retries are guards', async () => {
  const m = await scanModel({
    'app/aws.py': `
import boto3
from botocore.config import Config
s3 = boto3.client("s3", config=Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 3}))
sqs = boto3.client("sqs")
ses = boto3.client("ses")
`,
    'app/main.py': `
from fastapi import FastAPI
from app.aws import s3, sqs, ses
app = FastAPI()

@app.post("/reports")
def report():
    s3.put_object(Bucket="reports", Key="r.csv", Body=b"")
    s3.get_object(Bucket="reports", Key="r.csv")
    sqs.send_message(QueueUrl="https://sqs.eu-west-1.amazonaws.com/123/report-jobs", MessageBody="{}")
    ses.send_email(Source="a@b.c", Destination={}, Message={})
    return "ok"
`,
  });
  const e = (to: string) => m.edges.filter((x) => x.to === to).map((x) => `${x.kind} ${JSON.stringify(x.guards)}`).sort();
  assert.deepEqual(e('datastore:s3'), ['reads {"retries":3,"timeout":true,"timeoutMs":5000}', 'writes {"retries":3,"timeout":true,"timeoutMs":5000}']);
  assert.deepEqual(e('queue:sqs-report-jobs'), ['enqueues {}']);
  assert.deepEqual(e('external:ses'), ['calls {}']);
});

test('boto3: paginators and waiters are not calls to AWS by themselves', async () => {
  const m = await scanModel({
    'app/main.py': `
import boto3
from fastapi import FastAPI
app = FastAPI()
client = boto3.client("dynamodb")

@app.get("/tables")
def tables():
    pages = client.get_paginator("list_tables")
    return client.describe_table(TableName="orders")
`,
  });
  assert.deepEqual(m.edges.filter((x) => x.to === 'datastore:dynamodb').map((x) => x.evidence[0].line), [10]);
});
