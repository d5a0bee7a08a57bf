/**
 * The redrive loop against mocked SQS and Lambda clients: a message leaves the queue only after its redrive
 * succeeded; failed, skipped, dry-run and unselected messages are made visible again at once.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { listDeadLetters, redriveDeadLetters } from '../../../scripts/ops/dead-letters';
import type { OpsTarget, QueueRef } from '../../../scripts/ops/target';
import { type FixtureName, rawFixture, SENT_AT } from './fixtures';

const sqs = mockClient(SQSClient);
const lambda = mockClient(LambdaClient);

const QUEUE: QueueRef = {
  name: 'Commerce-dev-Stateful-DeadLettersOrderNotifierDlq2DDA4E96',
  url: 'http://sqs.local/000000000000/Commerce-dev-Stateful-DeadLettersOrderNotifierDlq2DDA4E96',
  arn: 'arn:aws:sqs:us-east-1:000000000000:Commerce-dev-Stateful-DeadLettersOrderNotifierDlq2DDA4E96',
  hop: 'OrderNotifier',
  usedBy: [],
};

const target: OpsTarget = {
  label: 'test',
  sqs: new SQSClient({ region: 'us-east-1' }),
  lambda: new LambdaClient({ region: 'us-east-1' }),
  streams: new DynamoDBStreamsClient({ region: 'us-east-1' }),
  sfn: new SFNClient({ region: 'us-east-1' }),
  events: new EventBridgeClient({ region: 'us-east-1' }),
  dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
  deadLetterQueues: async () => [QUEUE],
  streamMappings: async () => [],
  reconcilerFunctionName: async () => 'reconciler',
  eventBusName: async () => 'commerce-test',
  close: () => undefined,
};

function queueHolds(messages: { id: string; fixture: FixtureName }[]): void {
  sqs.on(GetQueueAttributesCommand).resolves({
    Attributes: { ApproximateNumberOfMessages: String(messages.length), ApproximateNumberOfMessagesNotVisible: '0' },
  });
  sqs.on(ReceiveMessageCommand).resolvesOnce({
    Messages: messages.map(({ id, fixture }) => {
      const raw = rawFixture(fixture, id);
      return {
        MessageId: id,
        ReceiptHandle: `handle-${id}`,
        Body: raw.body,
        Attributes: { SentTimestamp: String(SENT_AT), ApproximateReceiveCount: '1' },
        MessageAttributes: Object.fromEntries(
          Object.entries(raw.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
        ),
      };
    }),
  });
}

/** The SDK's response blob: bytes that also turn into a string. */
const blob = (text: string) =>
  Object.assign(new TextEncoder().encode(text), { transformToString: () => text }) as InvokeCommandOutput['Payload'];

const deleted = () => sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle);
const released = () =>
  sqs
    .commandCalls(ChangeMessageVisibilityCommand)
    .filter((c) => c.args[0].input.VisibilityTimeout === 0)
    .map((c) => c.args[0].input.ReceiptHandle);

beforeEach(() => {
  sqs.reset();
  lambda.reset();
  sqs.on(DeleteMessageCommand).resolves({});
  sqs.on(ChangeMessageVisibilityCommand).resolves({});
});

describe('redriveDeadLetters', () => {
  it('deletes a message only after its redrive succeeded and keeps the one that failed again', async () => {
    queueHolds([
      { id: 'ok', fixture: 'lambda-destination.local' },
      { id: 'fails', fixture: 'eventbridge-target.local' },
      { id: 'poison', fixture: 'poison-outbox.local' },
    ]);
    lambda
      .on(InvokeCommand)
      .resolvesOnce({ StatusCode: 202 })
      .resolvesOnce({
        StatusCode: 200,
        FunctionError: 'Unhandled',
        Payload: blob('{"errorType":"Boom"}'),
      });
    const report = await redriveDeadLetters(target, 'notifier');
    expect(report.results.map((r) => [r.messageId, r.outcome])).toEqual([
      ['ok', 'redriven'],
      ['fails', 'failed'],
      ['poison', 'skipped'],
    ]);
    expect(deleted()).toEqual(['handle-ok']);
    expect(released().sort()).toEqual(['handle-fails', 'handle-poison']);
    const invoke = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(invoke).toMatchObject({
      FunctionName: 'Commerce-dev-Stateless-NotificationsOrderNotifier6B28F03C',
      InvocationType: 'Event',
    });
    expect(JSON.parse(String(invoke?.Payload))['detail-type']).toBe('OrderConfirmed');
  });

  it('holds the messages it works on longer than a listing does', async () => {
    queueHolds([{ id: 'ok', fixture: 'lambda-destination.local' }]);
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    await redriveDeadLetters(target, 'OrderNotifier');
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]?.args[0].input.VisibilityTimeout).toBe(300);
  });

  it('a dry run sends nothing and deletes nothing', async () => {
    queueHolds([{ id: 'ok', fixture: 'lambda-destination.local' }]);
    const report = await redriveDeadLetters(target, 'OrderNotifier', { dryRun: true });
    expect(report.results[0]).toMatchObject({ outcome: 'planned', action: expect.stringMatching(/^invoke /) });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(deleted()).toEqual([]);
    expect(released()).toEqual(['handle-ok']);
  });

  it('--id redrives only those messages, releases the others and reports ids it did not find', async () => {
    queueHolds([
      { id: 'a', fixture: 'lambda-destination.local' },
      { id: 'b', fixture: 'lambda-destination.local' },
    ]);
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const report = await redriveDeadLetters(target, 'OrderNotifier', { ids: ['b', 'zzz'] });
    expect(report.results.map((r) => r.messageId)).toEqual(['b']);
    expect(report.missing).toEqual(['zzz']);
    expect(deleted()).toEqual(['handle-b']);
    expect(released()).toEqual(['handle-a']);
  });

  it('an unknown queue is a usage error naming the hops', async () => {
    await expect(redriveDeadLetters(target, 'nope')).rejects.toThrow(/Use one of: OrderNotifier/);
  });
});

describe('listDeadLetters', () => {
  it('reads every message, makes it visible again at once and summarizes it', async () => {
    queueHolds([
      { id: 'a', fixture: 'lambda-destination.local' },
      { id: 'b', fixture: 'eventbridge-target.local' },
    ]);
    const [queue] = await listDeadLetters(target);
    expect(queue?.messages.map((m) => [m.messageId, m.kind, m.attempts])).toEqual([
      ['a', 'lambda-destination', 3],
      ['b', 'eventbridge-target', 186],
    ]);
    expect(released().sort()).toEqual(['handle-a', 'handle-b']);
    expect(deleted()).toEqual([]);
  });
});
