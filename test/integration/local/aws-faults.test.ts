/**
 * Faults only AWS has, on the runtime running the fixture app: each function signs its DynamoDB requests with its
 * own access key (so `dynamodb` rules select by function), a crash after the commit through the Lambda Invoke API
 * and in a saga step, and the per-key capacity counters of the metrics.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { createFaultInjector } from '../../../local/faults-config';
import { accessKeyIdFor } from '../../../local/identity';
import type { LocalRuntime, MetricsSnapshot } from '../../../local/runtime';
import { CLIENT_CONFIG, startFixtureRuntime, waitFor } from './fixture';
import { FixtureTable } from './table';

let runtime: LocalRuntime;
let table: FixtureTable;
let lambda: LambdaClient;
let sfn: SFNClient;

const fn = (prefix: string) => {
  const name = Object.entries(runtime.functions).find(([logicalId]) => logicalId.startsWith(prefix))?.[1];
  if (!name) throw new Error(`no function ${prefix}`);
  return name;
};
/** An item of the fixture table, read from DynamoDB Local directly. */
const stored = async (pk: string, sk: string) =>
  (await table.client.send(new GetItemCommand({ TableName: table.name, Key: { pk: { S: pk }, sk: { S: sk } } }))).Item;
const postItem = (id: string) =>
  fetch(`${runtime.apiUrl}/items`, { method: 'POST', body: JSON.stringify({ id }) }).then((r) => r.status);

beforeAll(async () => {
  ({ runtime } = await startFixtureRuntime({ timeScale: 0.05 }));
  table = new FixtureTable(runtime);
  lambda = new LambdaClient({ ...CLIENT_CONFIG, endpoint: runtime.servicesEndpoint });
  sfn = new SFNClient({ ...CLIENT_CONFIG, endpoint: runtime.servicesEndpoint });
}, 120_000);

afterEach(() => runtime.setFaults({}));

afterAll(async () => {
  lambda?.destroy();
  sfn?.destroy();
  table?.destroy();
  await runtime?.stop();
});

describe('DynamoDB faults per function', () => {
  it('gives every function its own access key, and a rule for one function leaves the others alone', async () => {
    const whoami = (await (await fetch(`${runtime.apiUrl}/whoami/items`)).json()) as { env: Record<string, string> };
    expect(whoami.env.AWS_ACCESS_KEY_ID).toBe(accessKeyIdFor(fn('Items')));
    const cancel = (selector: string) =>
      createFaultInjector({
        dynamodb: [
          {
            function: selector,
            operations: ['TransactWriteItems'],
            keyPrefixes: ['outbox#'],
            probability: 1,
            error: 'TransactionCanceledException',
          },
        ],
      });
    const injector = cancel('Items');
    runtime.setFaults(injector);
    expect(await postItem('f-1')).toBe(500);
    expect(injector.counts().dynamodbErrors).toBe(1);
    expect(await stored('item#f-1', 'item')).toBeUndefined();
    runtime.setFaults(cancel('Echo'));
    expect(await postItem('f-2')).toBe(201);
    expect(await stored('item#f-2', 'item')).toBeDefined();
  });

  it('counts units per partition key in the metrics (count only: nothing throttled)', async () => {
    runtime.setFaults(createFaultInjector({ partitions: { capacityScale: 0.001, enforce: false } }));
    runtime.resetMetrics();
    for (let i = 0; i < 3; i++) expect(await postItem('hot-1')).toBe(201);
    const snapshot = (await (await fetch(`${runtime.apiUrl}/_local/metrics`)).json()) as MetricsSnapshot;
    expect(snapshot.dynamodb.partitions.hottestWrites).toContainEqual(
      expect.objectContaining({
        table: runtime.tables.TableCD117FA1,
        key: 'item#hot-1',
        writeUnits: 6,
        writeThrottles: 0,
      }),
    );
    expect(snapshot.dynamodb.partitions.writeThrottles).toBe(0);
  });
});

describe('a crash after the commit', () => {
  it('exit: Invoke answers FunctionError Unhandled with Runtime.ExitError, and the environment starts cold again', async () => {
    const echo = fn('Echo');
    await lambda.send(new InvokeCommand({ FunctionName: echo, Payload: Buffer.from('{}') }));
    const coldBefore = runtime.metrics().lambda[echo]?.coldStarts ?? 0;
    runtime.setFaults(
      createFaultInjector({
        lambda: [{ function: 'Echo', triggers: ['invoke-api'], afterCommit: { probability: 1, mode: 'exit' } }],
      }),
    );
    const out = await lambda.send(new InvokeCommand({ FunctionName: echo, Payload: Buffer.from('{}') }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(out.Payload ?? []).toString())).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: expect.stringMatching(
        /^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: signal: killed$/,
      ),
    });
    runtime.setFaults({});
    await lambda.send(new InvokeCommand({ FunctionName: echo, Payload: Buffer.from('{}') }));
    expect(runtime.metrics().lambda[echo]?.coldStarts).toBeGreaterThan(coldBefore);
  });

  it('lost-response: the Invoke API answers a service error the SDK retries, so the function runs again', async () => {
    const echo = fn('Echo');
    runtime.resetMetrics();
    runtime.setFaults(
      createFaultInjector({ lambda: [{ function: 'Echo', afterCommit: { probability: 1, mode: 'lost-response' } }] }),
    );
    const error = (await lambda
      .send(new InvokeCommand({ FunctionName: echo, Payload: Buffer.from('{}') }))
      .catch((e: unknown) => e)) as Error & { $metadata: { attempts: number; httpStatusCode: number } };
    expect(error.name).toBe('ServiceException');
    expect(error.$metadata).toMatchObject({ httpStatusCode: 500, attempts: 3 });
    expect(runtime.metrics().lambda[echo]?.invocations).toBe(3);
  });

  it('lost-response in a saga step: the integration reports its client timeout, retries it, and the step commits each time', async () => {
    runtime.setFaults(
      createFaultInjector({ lambda: [{ state: 'Reserve', afterCommit: { probability: 1, mode: 'lost-response' } }] }),
    );
    await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: runtime.stateMachines['fixture-saga'],
        name: 'lost-1',
        input: JSON.stringify({ orderId: 'lost-1', amount: 5 }),
      }),
    );
    type View = { status: string; error: string | null; states: { name: string; retries: { error: string }[] }[] };
    const view = await waitFor(
      async () => {
        const body = (await (await fetch(`${runtime.apiUrl}/_local/executions/lost-1`)).json()) as View;
        return body.status !== 'RUNNING' && body;
      },
      'the execution to end',
      25_000,
    );
    expect(view).toMatchObject({ status: 'FAILED', error: 'Lambda.ClientExecutionTimeoutException' });
    // CDK's LambdaInvoke retries Lambda service errors (6 retries by default): the step ran, and committed, 7 times.
    const retries = view.states.find((s) => s.name === 'Reserve')?.retries ?? [];
    expect(retries.map((r) => r.error)).toEqual(Array(6).fill('Lambda.ClientExecutionTimeoutException'));
    expect((await stored('saga#lost-1', 'reserve'))?.attempts).toEqual({ N: '7' });
  }, 30_000);
});
