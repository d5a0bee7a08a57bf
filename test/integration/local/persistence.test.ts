/**
 * `--persist`: a restart on the same directory keeps the tables and their data, resumes each stream shard
 * from its checkpoint (nothing lost, nothing processed twice), keeps queued messages, and restarts from its
 * beginning an execution that was RUNNING when the runtime stopped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalRuntime } from '../../../local/runtime';
import { CLIENT_CONFIG, startFixtureRuntime, waitFor } from './fixture';
import { FixtureTable } from './table';

const dir = mkdtempSync(join(tmpdir(), 'local-persist-'));
let runtime: LocalRuntime | undefined;

afterAll(async () => {
  await runtime?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function post(r: LocalRuntime, id: string) {
  const res = await fetch(`${r.apiUrl}/items`, { method: 'POST', body: JSON.stringify({ id }) });
  expect(res.status).toBe(201);
}

it('survives a restart on the same directory', async () => {
  // First run: three records relayed, a message queued, a saga in flight when the runtime stops.
  const first = await startFixtureRuntime({ persistDir: dir });
  runtime = first.runtime;
  let table = new FixtureTable(runtime);
  for (const id of ['k-1', 'k-2', 'k-3']) await post(runtime, id);
  await waitFor(async () => (await table.count('processed#k-3')) === 1, 'the first records');
  let sqs = new SQSClient({ ...CLIENT_CONFIG, endpoint: runtime.servicesEndpoint });
  const { QueueUrl } = await sqs.send(
    new GetQueueUrlCommand({ QueueName: 'LocalFixtureStateless-AuditQueue1D3C234B' }),
  );
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'kept across restarts' }));
  sqs.destroy();
  const sagaArn = runtime.stateMachines['fixture-saga'] ?? '';
  await fetch(runtime.servicesEndpoint, {
    method: 'POST',
    headers: { 'x-amz-target': 'AWSStepFunctions.StartExecution', 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify({
      stateMachineArn: sagaArn,
      name: 'long-1',
      input: JSON.stringify({ orderId: 'long-1', amount: 1, sleepMs: 1500 }),
    }),
  });
  await waitFor(async () => {
    const attempts = await table.client.send(
      new GetItemCommand({ TableName: table.name, Key: { pk: { S: 'saga#long-1' }, sk: { S: 'reserve' } } }),
    );
    return attempts.Item !== undefined;
  }, 'the saga to be in its first step');
  table.destroy();
  await runtime.stop();
  runtime = undefined;

  // Second run on the same directory.
  const second = await startFixtureRuntime({ persistDir: dir });
  runtime = second.runtime;
  table = new FixtureTable(runtime);
  expect(runtime.summary.restored).toMatchObject({ executions: 1, restartedExecutions: 1 });
  const item = await fetch(`${runtime.apiUrl}/items/k-2`);
  expect(await item.json()).toEqual({ id: 'k-2', name: 'k-2' });
  await post(runtime, 'k-4');
  await waitFor(async () => (await table.count('processed#k-4')) === 1, 'the record written after the restart');
  // The checkpoint held: the records of the first run were not delivered again.
  for (const id of ['k-1', 'k-2', 'k-3']) expect(await table.count(`processed#${id}`)).toBe(1);
  const invocations = await table.invocations();
  expect(invocations.flatMap((i) => i.ids).sort()).toEqual(['k-1', 'k-2', 'k-3', 'k-4']);

  const execution = await waitFor(
    () => runtime?.executions('long-1').find((e) => e.status !== 'RUNNING'),
    'the restarted saga',
    20_000,
  );
  expect(execution.status).toBe('SUCCEEDED');
  expect(execution.notes[0]).toMatch(/restarted from the beginning/);
  const view = (await (await fetch(`${runtime.apiUrl}/_local/executions/long-1`)).json()) as {
    notes: string[];
    states: { name: string }[];
  };
  expect(view.notes).toHaveLength(1);
  expect(view.states[0]?.name).toBe('Reserve');

  sqs = new SQSClient({ ...CLIENT_CONFIG, endpoint: runtime.servicesEndpoint });
  const received = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: `${runtime.servicesEndpoint}/000000000000/LocalFixtureStateless-AuditQueue1D3C234B`,
      MaxNumberOfMessages: 10,
    }),
  );
  expect(received.Messages?.map((m) => m.Body)).toContain('kept across restarts');
  sqs.destroy();
  table.destroy();
}, 90_000);
