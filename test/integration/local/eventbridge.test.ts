/**
 * EventBridge rules of the fixture: targets with an InputTransformer and InputPath, Lambda asynchronous
 * retries then the on-failure destination, delivery failures with the RetryPolicy then the rule DLQ,
 * redrive of both kinds of dead letters, schedules, and the event log.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { LocalRuntime } from '../../../local/runtime';
import { CLIENT_CONFIG, startFixtureRuntime, waitFor } from './fixture';
import { FixtureTable } from './table';

let runtime: LocalRuntime;
let table: FixtureTable;
let eventBridge: EventBridgeClient;
let sqs: SQSClient;

interface LogEvent {
  id: string;
  bus: string;
  source: string;
  detailType: string;
  subject?: string;
  deliveries: { rule: string; targetId: string; outcome: string; attempts: number; error?: { code: string } }[];
}
interface DlqQueue {
  queue: string;
  messages: { messageId: string; body: Record<string, unknown>; attributes: Record<string, string> }[];
}

const get = async <T>(path: string): Promise<T> => (await (await fetch(`${runtime.apiUrl}${path}`)).json()) as T;
const dlq = async (name: string) =>
  (await get<{ queues: DlqQueue[] }>('/_local/dlq')).queues.find((q) => q.queue === name);

async function put(
  detail: Record<string, unknown>,
  source = 'fixture.items',
  detailType = 'ItemCreated',
): Promise<string> {
  const out = await eventBridge.send(
    new PutEventsCommand({
      Entries: [
        { EventBusName: 'fixture-bus', Source: source, DetailType: detailType, Detail: JSON.stringify(detail) },
      ],
    }),
  );
  expect(out.FailedEntryCount).toBe(0);
  return out.Entries?.[0]?.EventId ?? '';
}

beforeAll(async () => {
  ({ runtime } = await startFixtureRuntime({ eventRetryBaseMs: 20 }));
  table = new FixtureTable(runtime);
  eventBridge = new EventBridgeClient({ ...CLIENT_CONFIG, endpoint: runtime.servicesEndpoint });
  sqs = new SQSClient({ ...CLIENT_CONFIG, endpoint: runtime.servicesEndpoint });
}, 120_000);

afterAll(async () => {
  table?.destroy();
  eventBridge?.destroy();
  sqs?.destroy();
  await runtime?.stop();
});

describe('EventBridge rules and targets', () => {
  it('delivers to a Lambda target and to a queue through its InputTransformer, and logs both', async () => {
    const id = await put({ subject: 'e1' });
    await waitFor(async () => (await table.count('consumed#e1')) === 1, 'the consumer');
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: 'LocalFixtureStateless-AuditQueue1D3C234B' }),
    );
    const received = await waitFor(
      async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }))).Messages?.[0],
      'the audit message',
    );
    expect(JSON.parse(received.Body ?? '')).toEqual({ subject: 'e1', type: 'ItemCreated', note: 'audit' });
    const log = await get<{ events: LogEvent[] }>('/_local/events?subject=e1');
    expect(log.events).toHaveLength(1);
    expect(log.events[0]).toMatchObject({
      id,
      bus: 'fixture-bus',
      source: 'fixture.items',
      detailType: 'ItemCreated',
      subject: 'e1',
    });
    expect(log.events[0]?.deliveries.map((d) => [d.targetId, d.outcome, d.attempts])).toEqual([
      ['Target0', 'delivered', 1],
      ['Target1', 'delivered', 1],
    ]);
  });

  it('retries a failing function twice, then sends the AWS destination record to its on-failure queue', async () => {
    const eventId = await put({ subject: 'e2', behavior: 'consumer-fail' });
    const queue = await waitFor(async () => {
      const q = await dlq('LocalFixtureStateful-AsyncFailureQueue12E179B5');
      return q?.messages.length ? q : undefined;
    }, 'the destination record');
    const record = queue.messages[0]?.body;
    expect(record).toMatchObject({
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      requestContext: {
        requestId: expect.any(String),
        functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${runtime.functions.Consumer8D6BE417}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: {
        id: eventId,
        'detail-type': 'ItemCreated',
        source: 'fixture.items',
        detail: { subject: 'e2', behavior: 'consumer-fail' },
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'TypeError', errorMessage: 'cannot consume e2' },
    });
    expect(Object.keys(record ?? {})).toEqual([
      'version',
      'timestamp',
      'requestContext',
      'requestPayload',
      'responseContext',
      'responsePayload',
    ]);
    // The delivery itself succeeded: function errors are the asynchronous invocation's business.
    const log = await get<{ events: LogEvent[] }>('/_local/events?subject=e2');
    expect(log.events[0]?.deliveries.find((d) => d.targetId === 'Target0')?.outcome).toBe('delivered');
  });

  it('delivers the AWS event shape to the function', async () => {
    await put({ subject: 'e-shape' });
    await waitFor(async () => (await table.count('consumed#e-shape')) === 1, 'the consumer');
    const queue = await waitFor(async () => {
      const q = await dlq('LocalFixtureStateful-AsyncFailureQueue12E179B5');
      return q?.messages[0];
    }, 'the earlier destination record');
    const event = queue.body.requestPayload as Record<string, unknown>;
    expect(Object.keys(event).sort()).toEqual([
      'account',
      'detail',
      'detail-type',
      'id',
      'region',
      'resources',
      'source',
      'time',
      'version',
    ]);
    expect(event).toMatchObject({ version: '0', account: '000000000000', region: 'us-east-1', resources: [] });
    expect(String(event.time)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('retries an unavailable target per its RetryPolicy, then dead-letters it with the AWS attributes', async () => {
    runtime.setFaults({
      eventDelivery: (c) =>
        (c.event.detail as { subject?: string }).subject === 'e3' && c.targetId === 'Target0'
          ? { unavailable: true }
          : undefined,
    });
    await put({ subject: 'e3' });
    const queue = await waitFor(async () => {
      const q = await dlq('LocalFixtureStateless-RuleDlq82192938');
      return q?.messages.length ? q : undefined;
    }, 'the rule dead letter');
    runtime.setFaults({});
    const message = queue.messages[0];
    expect(message?.body).toMatchObject({ source: 'fixture.items', detail: { subject: 'e3' } });
    expect(message?.attributes).toMatchObject({
      RULE_ARN: 'arn:aws:events:us-east-1:000000000000:rule/fixture-bus/LocalFixtureStateless-ItemCreatedRule46967B55',
      TARGET_ARN: `arn:aws:lambda:us-east-1:000000000000:function:${runtime.functions.Consumer8D6BE417}`,
      ERROR_CODE: 'ThrottlingException',
      ERROR_MESSAGE: expect.any(String),
    });
    const log = await get<{ events: LogEvent[] }>('/_local/events?subject=e3');
    expect(log.events[0]?.deliveries.find((d) => d.targetId === 'Target0')).toMatchObject({
      outcome: 'dead-lettered',
      attempts: 3,
    });
    expect(log.events[0]?.deliveries.find((d) => d.targetId === 'Target1')?.outcome).toBe('delivered');
    expect(await table.count('consumed#e3')).toBeUndefined();

    const report = (await (
      await fetch(`${runtime.apiUrl}/_local/dlq/LocalFixtureStateless-RuleDlq82192938/redrive`, { method: 'POST' })
    ).json()) as {
      redriven: string[];
    };
    expect(report.redriven).toEqual([message?.messageId]);
    await waitFor(async () => (await table.count('consumed#e3')) === 1, 'the redriven delivery');
    expect((await dlq('LocalFixtureStateless-RuleDlq82192938'))?.messages).toEqual([]);
  });

  it('redrives a Lambda destination record by invoking the function again, once it can succeed', async () => {
    await put({ subject: 'e4', behavior: 'consumer-broken' });
    const record = await waitFor(async () => {
      const q = await dlq('LocalFixtureStateful-AsyncFailureQueue12E179B5');
      return q?.messages.find(
        (m) => (m.body.requestPayload as { detail?: { subject?: string } }).detail?.subject === 'e4',
      );
    }, 'the e4 destination record');
    await table.fix('e4');
    const report = (await (
      await fetch(`${runtime.apiUrl}/_local/dlq/LocalFixtureStateful-AsyncFailureQueue12E179B5/redrive`, {
        method: 'POST',
      })
    ).json()) as {
      redriven: string[];
      failed: { messageId: string }[];
    };
    expect(report.redriven).toContain(record.messageId);
    // e2 always fails: its record stays.
    expect(report.failed).toHaveLength(1);
    expect(await table.count('consumed#e4')).toBe(1);
  });

  it('starts a state machine target with the InputPath of the event', async () => {
    await put({ orderId: 'o-eb', amount: 7 }, 'fixture.orders', 'OrderPlaced');
    const execution = await waitFor(
      () => runtime.executions().find((e) => JSON.parse(e.input).orderId === 'o-eb' && e.status !== 'RUNNING'),
      'the execution',
    );
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.input)).toEqual({ orderId: 'o-eb', amount: 7 });
  });

  it('feeds a queue event source and deletes what the function processed', async () => {
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: 'LocalFixtureStateless-WorkQueue94013F35' }),
    );
    const before = runtime.metrics().lambda[runtime.functions.Echo11F3FB29 ?? '']?.invocations ?? 0;
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify({ job: 1 }) }));
    await waitFor(
      () => (runtime.metrics().lambda[runtime.functions.Echo11F3FB29 ?? '']?.invocations ?? 0) > before,
      'the queue invocation',
    );
    await waitFor(async () => {
      const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
      return (
        a.Attributes?.ApproximateNumberOfMessages === '0' && a.Attributes.ApproximateNumberOfMessagesNotVisible === '0'
      );
    }, 'the message to be deleted');
  });

  it('leaves a dead letter it cannot classify in its queue and reports it', async () => {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'LocalFixtureStateless-WorkDlqEFF57BC6' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'a plain message' }));
    const queue = await dlq('LocalFixtureStateless-WorkDlqEFF57BC6');
    expect(queue?.messages.map((m) => m.body)).toEqual(['a plain message']);
    const report = (await (
      await fetch(`${runtime.apiUrl}/_local/dlq/LocalFixtureStateless-WorkDlqEFF57BC6/redrive`, { method: 'POST' })
    ).json()) as {
      redriven: string[];
      skipped: { messageId: string; reason: string }[];
    };
    expect(report.redriven).toEqual([]);
    expect(report.skipped).toHaveLength(1);
    expect((await dlq('LocalFixtureStateless-WorkDlqEFF57BC6'))?.messages).toHaveLength(1);
  });

  it('runs a scheduled rule on demand with the Scheduled Event shape', async () => {
    const before = runtime.metrics().lambda[runtime.functions.Echo11F3FB29 ?? '']?.invocations ?? 0;
    const res = await fetch(`${runtime.apiUrl}/_local/schedules/LocalFixtureStateless-HeartbeatCF533661`, {
      method: 'POST',
    });
    expect(res.status).toBe(200);
    await waitFor(
      () => (runtime.metrics().lambda[runtime.functions.Echo11F3FB29 ?? '']?.invocations ?? 0) > before,
      'the scheduled invocation',
    );
    const log = await get<{ events: LogEvent[] }>('/_local/events?type=Scheduled%20Event');
    expect(log.events[0]).toMatchObject({
      source: 'aws.events',
      bus: 'default',
      deliveries: [expect.objectContaining({ outcome: 'delivered' })],
    });
  });
});
