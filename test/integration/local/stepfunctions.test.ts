/**
 * The fixture saga on aws-local-stepfunctions: Retry with backoff and jitter (scaled), Catch on a custom error
 * name thrown by the Lambda, Choice, Parallel, Fail, TimeoutSeconds, the ordered history and the status-change
 * events on the default bus.
 */
import { GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalRuntime } from '../../../local/runtime';
import type { StateView } from '../../../local/stepfunctions/history';
import { CLIENT_CONFIG, startFixtureRuntime, waitFor } from './fixture';

let runtime: LocalRuntime;
let sfn: SFNClient;
let sqs: SQSClient;

interface ExecutionView {
  name: string;
  status: string;
  error: string | null;
  cause: string | null;
  output: unknown;
  states: StateView[];
}

async function run(name: string, input: Record<string, unknown>, machine = 'fixture-saga'): Promise<ExecutionView> {
  await sfn.send(
    new StartExecutionCommand({ stateMachineArn: runtime.stateMachines[machine], name, input: JSON.stringify(input) }),
  );
  return waitFor(async () => {
    const res = await fetch(`${runtime.apiUrl}/_local/executions/${name}`);
    const view = (await res.json()) as ExecutionView;
    return view.status !== 'RUNNING' && view;
  }, `execution ${name}`);
}

beforeAll(async () => {
  ({ runtime } = await startFixtureRuntime({ timeScale: 0.05 }));
  sfn = new SFNClient({ ...CLIENT_CONFIG, endpoint: runtime.servicesEndpoint });
  sqs = new SQSClient({ ...CLIENT_CONFIG, endpoint: runtime.servicesEndpoint });
}, 120_000);

afterAll(async () => {
  sfn?.destroy();
  sqs?.destroy();
  await runtime?.stop();
});

describe('Step Functions on the local runtime', () => {
  it('retries a task on the error name the Lambda threw, with scaled backoff, and records each failed attempt', async () => {
    const started = Date.now();
    const view = await run('t-1', { orderId: 't-1', amount: 20, transient: 2 });
    expect(view.status).toBe('SUCCEEDED');
    const reserve = view.states.find((s) => s.name === 'Reserve');
    expect(reserve?.retries.map((r) => r.error)).toEqual(['TransientError', 'TransientError']);
    expect(JSON.parse(reserve?.retries[0]?.cause ?? '{}')).toMatchObject({
      errorType: 'TransientError',
      errorMessage: 'attempt 1 failed',
    });
    // Unscaled, the waits would be up to 1 s + 2 s (full jitter); scaled by 0.05 they are at most 150 ms.
    expect(Date.now() - started).toBeLessThan(2_500);
    const history = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn: `${runtime.stateMachines['fixture-saga']?.replace(':stateMachine:', ':execution:')}:t-1`,
      }),
    );
    const reserveEvents = history.events?.slice(1, 12).map((e) => e.type);
    expect(reserveEvents).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
    ]);
    expect(history.events?.find((e) => e.type === 'TaskFailed')?.taskFailedEventDetails).toMatchObject({
      error: 'TransientError',
      resourceType: 'lambda',
      resource: 'invoke',
    });
  });

  it('catches a custom error name into the compensation path and fails with the Fail state error', async () => {
    const view = await run('d-1', { orderId: 'd-1', amount: 10, declineAt: 'charge' });
    expect(view).toMatchObject({ status: 'FAILED', error: 'OrderCancelled', cause: 'payment declined' });
    expect(view.states.map((s) => [s.name, s.status])).toEqual([
      ['Reserve', 'succeeded'],
      ['Charge', 'caught'],
      ['Release', 'succeeded'],
      ['Cancelled', 'failed'],
    ]);
    const charge = view.states[1];
    expect(charge?.error).toBe('PaymentDeclined');
    expect(JSON.parse(charge?.cause ?? '{}')).toMatchObject({
      errorType: 'PaymentDeclined',
      errorMessage: 'card declined for d-1',
    });
    expect((charge?.output as { error?: { Error?: string } } | undefined)?.error?.Error).toBe('PaymentDeclined');
    expect(view.states[3]).toMatchObject({ error: 'OrderCancelled', cause: 'payment declined' });
    for (const state of view.states) {
      expect(Date.parse(state.exitedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(state.enteredAt));
      expect(state.durationMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('runs Choice and Parallel and keeps the history in order', async () => {
    const view = await run('c-1', { orderId: 'c-1', amount: 150 });
    expect(view.status).toBe('SUCCEEDED');
    const names = view.states.map((s) => s.name);
    expect(names.slice(0, 5)).toEqual(['Reserve', 'Charge', 'IsBig', 'BigOrder', 'Notify']);
    expect(names.slice(5, 7).sort()).toEqual(['NotifyCustomer', 'NotifyWarehouse']);
    expect(names[7]).toBe('Done');
    expect(view.output).toMatchObject({ size: { big: true } });
    const small = await run('c-2', { orderId: 'c-2', amount: 5 });
    expect(small.states.map((s) => s.name)).not.toContain('BigOrder');
  });

  it('enforces the TimeoutSeconds of the definition', async () => {
    const view = await run('to-1', {}, 'fixture-timeout');
    expect(view.status).toBe('TIMED_OUT');
    expect(view.error).toBe('States.Timeout');
    const history = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn: `${runtime.stateMachines['fixture-timeout']?.replace(':stateMachine:', ':execution:')}:to-1`,
      }),
    );
    expect(history.events?.at(-1)?.type).toBe('ExecutionTimedOut');
  });

  it('emits the status-change events to the default bus, where rules see them', async () => {
    const events = (await (await fetch(`${runtime.apiUrl}/_local/events?source=aws.states`)).json()) as {
      events: { detailType: string; bus: string; detail: Record<string, unknown> }[];
    };
    const d1 = events.events.filter((e) => e.detail.name === 'd-1');
    expect(d1.map((e) => e.detail.status)).toEqual(['RUNNING', 'FAILED']);
    expect(d1[1]).toMatchObject({
      bus: 'default',
      detailType: 'Step Functions Execution Status Change',
      detail: {
        executionArn: expect.stringContaining(':execution:fixture-saga:d-1'),
        stateMachineArn: runtime.stateMachines['fixture-saga'],
        status: 'FAILED',
        startDate: expect.any(Number),
        stopDate: expect.any(Number),
        input: JSON.stringify({ orderId: 'd-1', amount: 10, declineAt: 'charge' }),
        output: null,
        error: 'OrderCancelled',
        cause: 'payment declined',
      },
    });
    expect(events.events.filter((e) => e.detail.name === 'to-1').map((e) => e.detail.status)).toEqual([
      'RUNNING',
      'TIMED_OUT',
    ]);
    // The fixture routes FAILED saga executions to a queue.
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: 'LocalFixtureStateless-SagaFailureQueue4974C2DE' }),
    );
    const message = await waitFor(
      async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }))).Messages?.[0],
      'the failure message',
    );
    expect(JSON.parse(message.Body ?? '{}')).toMatchObject({
      source: 'aws.states',
      detail: { name: 'd-1', status: 'FAILED' },
    });
  });

  it('lists executions newest first with their status and name', async () => {
    const list = (await (await fetch(`${runtime.apiUrl}/_local/executions`)).json()) as {
      executions: { name: string; status: string; startDate: string }[];
    };
    expect(list.executions.map((e) => e.name)).toEqual(expect.arrayContaining(['t-1', 'd-1', 'c-1', 'c-2', 'to-1']));
    const dates = list.executions.map((e) => Date.parse(e.startDate));
    expect([...dates].sort((a, b) => b - a)).toEqual(dates);
    expect(list.executions.find((e) => e.name === 'd-1')?.status).toBe('FAILED');
    const missing = await fetch(`${runtime.apiUrl}/_local/executions/nope`);
    expect(missing.status).toBe(404);
    expect(runtime.metrics().stepFunctions['fixture-saga']?.stateTransitions).toBeGreaterThan(10);
  });
});
