/**
 * The AWS-compatible service endpoint, driven by the real SDK v3 clients exactly as the functions use them:
 * EventBridge PutEvents, Step Functions, SQS (AWS JSON 1.0) and Lambda Invoke.
 */
import { EventBridgeClient, ListEventBusesCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { LocalRuntime } from '../../../local/runtime';
import { CLIENT_CONFIG, startFixtureRuntime, waitFor } from './fixture';

let runtime: LocalRuntime;
let eventBridge: EventBridgeClient;
let sfn: SFNClient;
let sqs: SQSClient;
let lambda: LambdaClient;
let sagaArn: string;

beforeAll(async () => {
  ({ runtime } = await startFixtureRuntime({ timeScale: 0.01 }));
  const config = { ...CLIENT_CONFIG, endpoint: runtime.servicesEndpoint };
  eventBridge = new EventBridgeClient(config);
  sfn = new SFNClient(config);
  sqs = new SQSClient(config);
  lambda = new LambdaClient(config);
  sagaArn = runtime.stateMachines['fixture-saga'] ?? '';
}, 120_000);

afterAll(async () => {
  for (const client of [eventBridge, sfn, sqs, lambda]) client?.destroy();
  await runtime?.stop();
});

describe('EventBridge PutEvents', () => {
  it('answers per entry and validates like AWS', async () => {
    const out = await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'fixture-bus', Source: 'test.source', DetailType: 'Thing', Detail: '{"subject":"s1"}' },
          { EventBusName: 'fixture-bus', DetailType: 'Thing', Detail: '{}' },
          { EventBusName: 'fixture-bus', Source: 'test.source', DetailType: 'Thing', Detail: 'not json' },
          { EventBusName: 'fixture-bus', Source: 'test.source', Detail: '{}' },
          { EventBusName: 'no-such-bus', Source: 'test.source', DetailType: 'Thing', Detail: '{}' },
          { Source: 'aws.ec2', DetailType: 'Thing', Detail: '{}' },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(5);
    expect(out.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.Entries?.[1]).toMatchObject({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: expect.stringContaining('Source'),
    });
    expect(out.Entries?.[2]).toMatchObject({ ErrorCode: 'MalformedDetail' });
    expect(out.Entries?.[3]).toMatchObject({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: expect.stringContaining('DetailType'),
    });
    expect(out.Entries?.[4]?.ErrorCode).toBe('InvalidArgument');
    expect(out.Entries?.[5]?.ErrorCode).toBe('NotAuthorizedForSourceException');
    const log = (await (await fetch(`${runtime.apiUrl}/_local/events?subject=s1`)).json()) as {
      events: { id: string; bus: string }[];
    };
    expect(log.events).toEqual([expect.objectContaining({ id: out.Entries?.[0]?.EventId, bus: 'fixture-bus' })]);
  });

  it('rejects more than 10 entries and more than 256 KB as a whole', async () => {
    const entry = { Source: 'test.source', DetailType: 'Thing', Detail: '{}' };
    await expect(
      eventBridge.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry) })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    });
    const big = { ...entry, Detail: JSON.stringify({ x: 'y'.repeat(140_000) }) };
    await expect(eventBridge.send(new PutEventsCommand({ Entries: [big, big] }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('lists the buses of the template', async () => {
    const out = await eventBridge.send(new ListEventBusesCommand({}));
    expect(out.EventBuses?.map((b) => b.Name).sort()).toEqual(['default', 'fixture-bus']);
  });
});

describe('Step Functions', () => {
  it('starts, describes, lists and reads the history of an execution', async () => {
    const start = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: sagaArn,
        name: 'svc-1',
        input: JSON.stringify({ orderId: 'svc-1', amount: 5 }),
      }),
    );
    expect(start.executionArn).toBe(`arn:aws:states:us-east-1:000000000000:execution:fixture-saga:svc-1`);
    expect(start.startDate).toBeInstanceOf(Date);
    const done = await waitFor(async () => {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn: start.executionArn }));
      return d.status !== 'RUNNING' && d;
    }, 'the execution to finish');
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}')).toMatchObject({
      orderId: 'svc-1',
      reserve: { value: { step: 'reserve', ok: true } },
    });
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: start.executionArn }));
    const types = history.events?.map((e) => e.type);
    expect(types?.[0]).toBe('ExecutionStarted');
    expect(types?.slice(1, 6)).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
    ]);
    expect(types?.at(-1)).toBe('ExecutionSucceeded');
    expect(history.events?.[0]?.timestamp).toBeInstanceOf(Date);
    expect(history.events?.map((e) => e.id)).toEqual(history.events?.map((_, i) => i + 1));
    const list = await sfn.send(new ListExecutionsCommand({ stateMachineArn: sagaArn, statusFilter: 'SUCCEEDED' }));
    expect(list.executions?.map((e) => e.name)).toContain('svc-1');
  });

  it('is idempotent for the same name and input while running, and refuses reuse otherwise', async () => {
    const input = JSON.stringify({ orderId: 'svc-2', amount: 5, sleepMs: 600 });
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn: sagaArn, name: 'svc-2', input }));
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn: sagaArn, name: 'svc-2', input }));
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate?.getTime()).toBe(first.startDate?.getTime());
    await expect(
      sfn.send(
        new StartExecutionCommand({
          stateMachineArn: sagaArn,
          name: 'svc-2',
          input: JSON.stringify({ orderId: 'other' }),
        }),
      ),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await waitFor(
      async () =>
        (await sfn.send(new DescribeExecutionCommand({ executionArn: first.executionArn }))).status === 'SUCCEEDED',
      'svc-2 to succeed',
    );
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: sagaArn, name: 'svc-2', input })),
    ).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });
  });

  it('stops a running execution', async () => {
    const start = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: sagaArn,
        name: 'svc-3',
        input: JSON.stringify({ orderId: 'svc-3', amount: 1, sleepMs: 2000 }),
      }),
    );
    const stopped = await sfn.send(
      new StopExecutionCommand({ executionArn: start.executionArn, error: 'Operator', cause: 'testing' }),
    );
    expect(stopped.stopDate).toBeInstanceOf(Date);
    const d = await waitFor(async () => {
      const x = await sfn.send(new DescribeExecutionCommand({ executionArn: start.executionArn }));
      return x.status !== 'RUNNING' && x;
    }, 'the abort');
    expect(d).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'testing' });
  });

  it('answers the AWS errors for unknown machines and bad names', async () => {
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: `${sagaArn}-nope`, input: '{}' })),
    ).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
    });
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: sagaArn, name: 'bad name', input: '{}' })),
    ).rejects.toMatchObject({
      name: 'InvalidName',
    });
    await expect(
      sfn.send(new DescribeExecutionCommand({ executionArn: `${sagaArn.replace('stateMachine', 'execution')}:none` })),
    ).rejects.toMatchObject({
      name: 'ExecutionDoesNotExist',
    });
  });
});

describe('SQS (AWS JSON 1.0)', () => {
  it('sends, receives, deletes and counts messages', async () => {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'fixture-stream-failures' }));
    expect(QueueUrl).toBe(`${runtime.servicesEndpoint}/000000000000/fixture-stream-failures`);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: 'hello',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'greeting' } },
      }),
    );
    const batch = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two' },
        ],
      }),
    );
    expect(batch.Successful?.map((s) => s.Id)).toEqual(['a', 'b']);
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(attributes.Attributes?.ApproximateNumberOfMessages).toBe('3');
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    expect(received.Messages?.map((m) => m.Body)).toEqual(['hello', 'one', 'two']);
    expect(received.Messages?.[0]?.MessageAttributes?.kind?.StringValue).toBe('greeting');
    expect(received.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
    for (const m of received.Messages ?? [])
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
    const after = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    expect(after.Attributes).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });

  it('long-polls until a message arrives', async () => {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'fixture-stream-failures' }));
    const receiving = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'late' }));
    const out = await receiving;
    expect(out.Messages?.[0]?.Body).toBe('late');
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: out.Messages?.[0]?.ReceiptHandle }));
  });

  it('reports a missing queue', async () => {
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 400 },
    });
  });
});

describe('Lambda Invoke', () => {
  it('invokes synchronously and reports function errors', async () => {
    const name = runtime.functions.Echo11F3FB29;
    const ok = await lambda.send(
      new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify({ hello: 1 })) }),
    );
    expect(ok.StatusCode).toBe(200);
    expect(ok.FunctionError).toBeUndefined();
    expect(ok.ExecutedVersion).toBe('$LATEST');
    const body = JSON.parse(Buffer.from(ok.Payload ?? []).toString()) as { event: unknown };
    expect(body.event).toEqual({ hello: 1 });
    const failed = await lambda.send(
      new InvokeCommand({
        FunctionName: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
        Payload: Buffer.from('{"queryStringParameters":{"throw":"Nope"}}'),
      }),
    );
    expect(failed.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(failed.Payload ?? []).toString())).toMatchObject({
      errorType: 'Nope',
      errorMessage: 'asked to throw Nope',
    });
  });

  it('queues an asynchronous invocation', async () => {
    const before = runtime.metrics().lambda[runtime.functions.Echo11F3FB29 ?? '']?.invocations ?? 0;
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: runtime.functions.Echo11F3FB29,
        InvocationType: 'Event',
        Payload: Buffer.from('{}'),
      }),
    );
    expect(out.StatusCode).toBe(202);
    await waitFor(
      () => (runtime.metrics().lambda[runtime.functions.Echo11F3FB29 ?? '']?.invocations ?? 0) > before,
      'the async invocation',
    );
  });

  it('answers ResourceNotFoundException for an unknown function', async () => {
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
