/**
 * The outbox relay, fed with real DynamoDB stream records from DynamoDB Local (written by the real transactions)
 * and publishing to a mocked EventBridge (there is no EventBridge engine on npm): partial PutEvents failures fail
 * exactly those records, poison records go to the dead-letter queue, and nothing is lost.
 */

import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoProductRepository } from '../../functions/catalog/adapters/dynamo-product-repository';
import { createProduct } from '../../functions/catalog/domain/product';
import { OUTBOX_STREAM_FILTER } from '../../functions/shared/ddb/outbox';
import { keys } from '../../functions/shared/table/layout';
import { compileEventPattern } from '../../local/eventbridge/pattern';
import { clockAt, context, ids } from '../helpers/fixed';
import { createTable, ddb, deleteTable, doc } from '../helpers/table';

const eventBridge = mockClient(EventBridgeClient);
const sqs = mockClient(SQSClient);
let tableName: string;
let handler: (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
const lambdaContext = {
  functionName: 'relay',
  awsRequestId: 'r',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

/** Every record of the table's stream so far, shaped as Lambda delivers them. */
async function streamRecords(): Promise<DynamoDBRecord[]> {
  const streams = new DynamoDBStreamsClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });
  const table = await ddb.send(new DescribeTableCommand({ TableName: tableName }));
  const streamArn = table.Table?.LatestStreamArn ?? '';
  const description = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const records: DynamoDBRecord[] = [];
  for (const shard of description.StreamDescription?.Shards ?? []) {
    const iterator = await streams.send(
      new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    let next = iterator.ShardIterator;
    for (let page = 0; next && page < 20; page++) {
      const result = await streams.send(new GetRecordsCommand({ ShardIterator: next }));
      records.push(...((result.Records ?? []) as unknown as DynamoDBRecord[]));
      if ((result.Records ?? []).length === 0) break;
      next = result.NextShardIterator;
    }
  }
  return records;
}

const matchesFilter = compileEventPattern(OUTBOX_STREAM_FILTER);

async function outboxBatch(): Promise<DynamoDBStreamEvent> {
  const all = await streamRecords();
  return { Records: all.filter((record) => matchesFilter(JSON.parse(JSON.stringify(record)))) };
}

beforeAll(async () => {
  tableName = await createTable('relay');
  process.env.EVENT_BUS_NAME = 'commerce-test';
  process.env.DEAD_LETTER_QUEUE_URL = 'https://sqs.local/relay-dlq';
  ({ handler } = await import('../../functions/platform/handlers/outbox-relay'));
  const products = { products: new DynamoProductRepository(doc, tableName), ids: ids(), clock: clockAt() };
  for (let i = 0; i < 23; i++) {
    await createProduct(
      products,
      { sku: `RELAY-${String(i).padStart(2, '0')}`, name: `p${i}`, priceCents: 100 + i, currency: 'EUR' },
      context,
    );
  }
  // A poison record: an outbox item whose payload is no valid event.
  await doc.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...keys.outbox('POISON-1'), entity: 'Outbox', payload: '{"not":"an event"}' },
    }),
  );
});
afterAll(async () => {
  await deleteTable(tableName);
});
beforeEach(() => {
  eventBridge.reset();
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
});

it('the stream filter passes outbox inserts only (products and TTL deletions never reach the relay)', async () => {
  const all = await streamRecords();
  const batch = await outboxBatch();
  expect(all.length).toBeGreaterThan(batch.Records.length);
  expect(batch.Records).toHaveLength(24);
  expect(batch.Records.every((r) => r.eventName === 'INSERT' && r.dynamodb?.Keys?.pk?.S?.startsWith('OUTBOX#'))).toBe(
    true,
  );
});

it('publishes in calls of ten entries with the envelope as detail, and reports no failure', async () => {
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => ({
    FailedEntryCount: 0,
    Entries: input.Entries.map((_, i) => ({ EventId: `e-${i}` })),
  }));
  const result = await handler(await outboxBatch(), lambdaContext);
  expect(result.batchItemFailures).toEqual([]);
  const calls = eventBridge.commandCalls(PutEventsCommand);
  expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
  const entry = calls[0]?.args[0].input.Entries?.[0];
  expect(entry).toMatchObject({
    EventBusName: 'commerce-test',
    Source: 'commerce.catalog',
    DetailType: 'ProductCreated',
  });
  expect(JSON.parse(entry?.Detail ?? '{}')).toMatchObject({
    type: 'ProductCreated',
    sequence: 1,
    correlationId: 'test-correlation',
  });
  // The poison record was parked with its error, not retried.
  const parked = sqs.commandCalls(SendMessageCommand);
  expect(parked).toHaveLength(1);
  expect(JSON.parse(parked[0]?.args[0].input.MessageBody ?? '{}')).toMatchObject({
    kind: 'PoisonOutboxRecord',
    error: expect.stringContaining('invalid envelope'),
  });
});

it('fails exactly the records whose entries PutEvents rejected (it answers 200 with FailedEntryCount)', async () => {
  const rejected = new Set<string>();
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
    const entries = input.Entries.map((entry, i) => {
      if (i % 4 === 1) {
        rejected.add(JSON.parse(entry.Detail ?? '{}').subject);
        return { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' };
      }
      return { EventId: `e-${i}` };
    });
    return { FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length, Entries: entries };
  });
  const batch = await outboxBatch();
  const result = await handler(batch, lambdaContext);
  const failedSubjects = result.batchItemFailures.map((f) => {
    const record = batch.Records.find((r) => r.dynamodb?.SequenceNumber === f.itemIdentifier);
    return JSON.parse(record?.dynamodb?.NewImage?.payload?.S ?? '{}').subject;
  });
  expect(rejected.size).toBeGreaterThan(0);
  expect(new Set(failedSubjects)).toEqual(rejected);
});

it('fails every record of a call that threw, and only those', async () => {
  let call = 0;
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
    call += 1;
    if (call === 2) throw new Error('socket hang up');
    return { FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `e-${i}` })) };
  });
  const result = await handler(await outboxBatch(), lambdaContext);
  expect(result.batchItemFailures).toHaveLength(10);
});

it('retries a poison record that could not be parked instead of dropping it', async () => {
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => ({
    FailedEntryCount: 0,
    Entries: input.Entries.map((_, i) => ({ EventId: `e-${i}` })),
  }));
  sqs.on(SendMessageCommand).rejects(new Error('sqs down'));
  const batch = await outboxBatch();
  const poison = batch.Records.find((r) => r.dynamodb?.Keys?.pk?.S === 'OUTBOX#POISON-1');
  const result = await handler(batch, lambdaContext);
  expect(result.batchItemFailures).toEqual([{ itemIdentifier: poison?.dynamodb?.SequenceNumber }]);
});
