/**
 * `npm run dlq -- republish` and the stream redrive's fallback to it, with fake ports and mocked AWS clients (no
 * real sleeps, no network): argument parsing, which outbox items a window selects, page-by-page publishing through
 * the relay's own code, every PutEvents entry checked, and when a dead-lettered batch falls back to its outbox items
 * (and when its dead letter may then be deleted).
 */
import { DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgePublisher } from '../../../functions/platform/adapters/eventbridge-publisher';
import type { EventPublisher, PublishEntry, PublishResult } from '../../../functions/platform/domain/relay';
import { OrderPlacedV1 } from '../../../functions/shared/events/catalog';
import { newEvent } from '../../../functions/shared/events/factory';
import { main } from '../../../scripts/dlq';
import type { StreamBatchInfo } from '../../../scripts/ops/dead-letter';
import { redriveDeadLetters } from '../../../scripts/ops/dead-letters';
import {
  BATCH_WINDOW_MARGIN,
  batchWindow,
  fallbackVerdict,
  type OutboxItem,
  type OutboxSource,
  outboxTableName,
  republish,
  republishSelection,
  republishSucceeded,
} from '../../../scripts/ops/republish';
import { isRecordsGone, RecordsGoneError } from '../../../scripts/ops/stream-replay';
import { type OpsTarget, type QueueRef, UsageError } from '../../../scripts/ops/target';
import { fixture, rawFixture, SENT_AT } from './fixtures';

// ----- events and fakes ------------------------------------------------------------------------------------------

/** A valid outbox payload (an OrderPlaced envelope), serialized exactly as the outbox stores it. */
function payload(id: string, time: string, orderId = `order-${id}`): string {
  const event = newEvent(
    OrderPlacedV1,
    {
      id,
      time,
      subject: orderId,
      sequence: 1,
      data: {
        orderId,
        customerId: 'cust-1',
        lines: [{ sku: 'SKU-1', quantity: 1, unitPriceCents: 700 }],
        totalCents: 700,
        currency: 'EUR',
        createdAt: time,
      },
    },
    { correlationId: 'corr-1', causationId: null },
  );
  return JSON.stringify(event);
}

const item = (id: string, time: string): OutboxItem => ({ eventId: id, payload: payload(id, time) });

/** Pages of outbox items; records what was read when, to show a page is published before the next is read. */
function fakeSource(pages: OutboxItem[][], log: string[] = []): OutboxSource {
  return {
    async get(eventId) {
      return pages.flat().find((i) => i.eventId === eventId);
    },
    async *pages() {
      for (const [n, page] of pages.entries()) {
        log.push(`read page ${n + 1}`);
        yield page;
      }
    },
  };
}

/** Publishes everything, except the event ids it is told to fail (as PutEvents fails single entries). */
function fakePublisher(failing: ReadonlySet<string> = new Set(), log: string[] = []) {
  const published: PublishEntry[] = [];
  const publisher: EventPublisher = {
    async publish(entries) {
      log.push(`publish ${entries.map((e) => e.recordId).join(',')}`);
      return entries.map((entry): PublishResult => {
        if (failing.has(entry.envelope.id)) return { ok: false, error: 'InternalFailure: try again' };
        published.push(entry);
        return { ok: true };
      });
    },
  };
  return { publisher, published };
}

// ----- argument parsing ------------------------------------------------------------------------------------------

describe('republish arguments', () => {
  it('--event is repeatable (duplicates once); --from/--to make an inclusive window in epoch ms', () => {
    expect(republishSelection({ event: ['01A00000000', '01B', '01A00000000'] })).toEqual({
      events: ['01A00000000', '01B'],
    });
    expect(republishSelection({ from: '2026-11-20T09:00:00Z', to: '2026-11-20T10:00:00.500+01:00' })).toEqual({
      window: { from: Date.parse('2026-11-20T09:00:00Z'), to: Date.parse('2026-11-20T09:00:00.500Z') },
    });
  });

  it.each([
    [{}, /needs --event <eventId> or --from/],
    [{ event: ['01A00000000'], from: '2026-11-20T09:00:00Z', to: '2026-11-20T10:00:00Z' }, /not both/],
    [{ from: '2026-11-20T09:00:00Z' }, /--from and --to go together/],
    [{ to: '2026-11-20T09:00:00Z' }, /--from and --to go together/],
    [{ from: '2026-11-20T09:00:00', to: '2026-11-20T10:00:00Z' }, /--from must be an ISO 8601 time with a zone/],
    [{ from: 'yesterday', to: '2026-11-20T10:00:00Z' }, /--from must be/],
    [{ from: '2026-11-20T09:00:00Z', to: '2026-11-20' }, /--to must be/],
    [{ from: '2026-11-20T10:00:00Z', to: '2026-11-20T09:00:00Z' }, /is after --to/],
    [{ event: [' '] }, /--event needs an event id/],
  ])('%j is a usage mistake', (values, message) => {
    expect(() => republishSelection(values)).toThrow(UsageError);
    expect(() => republishSelection(values)).toThrow(message);
  });

  it('the command line refuses mixed-up options before it opens any target', async () => {
    const local = ['--local', 'http://127.0.0.1:9'];
    await expect(main(['republish', 'OutboxRelay', '--event', '01A00000000', ...local])).rejects.toThrow(
      /takes no queue/,
    );
    await expect(main(['republish', '--event', '01A00000000', '--id', 'm-1', ...local])).rejects.toThrow(
      /does not take --id/,
    );
    await expect(main(['republish', '--event', '01A00000000', '--force', '--sync', ...local])).rejects.toThrow(
      /does not take --force, --sync/,
    );
    await expect(main(['redrive', 'OutboxRelay', '--event', '01A00000000', ...local])).rejects.toThrow(
      /apply to republish only/,
    );
    await expect(main(['list', '--from', '2026-11-20T09:00:00Z', ...local])).rejects.toThrow(UsageError);
    await expect(main(['republish', '--event', '01A00000000'])).rejects.toThrow(/Choose a target/);
  });
});

// ----- which items, how they are published ----------------------------------------------------------------------

describe('republishing outbox items', () => {
  const window = { from: Date.parse('2026-11-20T09:00:00.000Z'), to: Date.parse('2026-11-20T09:10:00.000Z') };

  it('a window selects exactly the events whose time lies in it, ends included, page by page', async () => {
    const log: string[] = [];
    const pages = [
      [
        item('01BEFORE000', '2026-11-20T08:59:59.999Z'),
        item('01FIRST0000', '2026-11-20T09:00:00.000Z'),
        item('01INSIDE000', '2026-11-20T09:05:00.000Z'),
      ],
      [],
      [item('01LAST00000', '2026-11-20T09:10:00.000Z'), item('01AFTER0000', '2026-11-20T09:10:00.001Z')],
      [{ eventId: '01NOTIME', payload: '{"type":"OrderPlaced"}' }],
    ];
    const { publisher, published } = fakePublisher(new Set(), log);
    const summary = await republish({ source: fakeSource(pages, log), publisher }, { window });

    expect(published.map((e) => e.envelope.id)).toEqual(['01FIRST0000', '01INSIDE000', '01LAST00000']);
    // A page is published before the next one is read: the window never has to fit in memory.
    expect(log).toEqual([
      'read page 1',
      'publish 01FIRST0000,01INSIDE000',
      'read page 2',
      'read page 3',
      'publish 01LAST00000',
      'read page 4',
    ]);
    expect(summary).toMatchObject({
      scanned: 6,
      unreadable: ['01NOTIME'],
      counts: { published: 3, failed: 0, invalid: 0, missing: 0 },
    });
    expect(republishSucceeded(summary)).toBe(true);
  });

  it('publishes as the relay does: its bus, source, detail-type, the stored payload as detail, the event time', async () => {
    const events = mockClient(EventBridgeClient);
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'eb-1' }] });
    const stored = item('01EVENTID000000000000000001', '2026-11-20T09:05:00.000Z');
    const summary = await republish(
      {
        source: fakeSource([[stored]]),
        publisher: new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), 'commerce-dev'),
      },
      { events: [stored.eventId] },
    );
    const entries = events.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(entries).toEqual([
      {
        EventBusName: 'commerce-dev',
        Source: 'commerce.orders',
        DetailType: 'OrderPlaced',
        Detail: stored.payload, // byte for byte: the event keeps its id, consumers deduplicate by it
        Time: new Date('2026-11-20T09:05:00.000Z'),
      },
    ]);
    expect(summary.results).toEqual([
      {
        eventId: stored.eventId,
        type: 'OrderPlaced',
        subject: `order-${stored.eventId}`,
        time: '2026-11-20T09:05:00.000Z',
        outcome: 'published',
      },
    ]);
    events.restore();
  });

  it('checks every PutEvents entry: the failed ones are reported with their error, the others published', async () => {
    const events = mockClient(EventBridgeClient);
    events.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
      const entries = input.Entries.map((entry) =>
        JSON.parse(entry.Detail ?? '{}').id === '01FAILS0000'
          ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }
          : { EventId: 'eb' },
      );
      // PutEvents answers 200 with FailedEntryCount when single entries fail.
      return { FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length, Entries: entries };
    });
    const pages = [[item('01OK0000000', '2026-11-20T09:01:00.000Z'), item('01FAILS0000', '2026-11-20T09:02:00.000Z')]];
    const summary = await republish(
      {
        source: fakeSource(pages),
        publisher: new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), 'bus'),
      },
      { window },
    );
    expect(summary.results.map((r) => [r.eventId, r.outcome, r.error])).toEqual([
      ['01OK0000000', 'published', undefined],
      ['01FAILS0000', 'failed', 'ThrottlingException: Rate exceeded'],
    ]);
    expect(republishSucceeded(summary)).toBe(false);
    events.restore();
  });

  it('a whole PutEvents call that fails fails its entries, and only those', async () => {
    let calls = 0;
    const publisher: EventPublisher = {
      async publish(entries) {
        calls += 1;
        if (calls === 1) throw new Error('socket hang up');
        return entries.map(() => ({ ok: true }));
      },
    };
    // 12 events: two PutEvents calls (10 + 2); the first one throws.
    const page = Array.from({ length: 12 }, (_, i) =>
      item(`01EVENT0000${String(i).padStart(2, '0')}`, '2026-11-20T09:01:00Z'),
    );
    const summary = await republish({ source: fakeSource([page]), publisher }, { window });
    expect(summary.counts).toMatchObject({ failed: 10, published: 2 });
    expect(summary.results.find((r) => r.outcome === 'failed')?.error).toBe('PutEvents failed: socket hang up');
  });

  it('--event: an id without an outbox item is missing; an invalid payload is reported, not published', async () => {
    const pages = [[item('01GOOD00000', '2026-11-20T09:01:00Z'), { eventId: '01BAD', payload: '{"type":"Nope"}' }]];
    const { publisher, published } = fakePublisher();
    const summary = await republish(
      { source: fakeSource(pages), publisher },
      { events: ['01GOOD00000', '01GONE', '01BAD'] },
    );
    expect(published.map((e) => e.envelope.id)).toEqual(['01GOOD00000']);
    expect(summary.results.map((r) => [r.eventId, r.outcome])).toEqual([
      ['01GONE', 'missing'],
      ['01GOOD00000', 'published'],
      ['01BAD', 'invalid'],
    ]);
    expect(summary.results.find((r) => r.eventId === '01BAD')?.error).toMatch(/^invalid envelope/);
    expect(republishSucceeded(summary)).toBe(false);
  });

  it('a dry run publishes nothing and says what would be', async () => {
    const { publisher, published } = fakePublisher();
    const pages = [[item('01A00000000', '2026-11-20T09:01:00Z'), { eventId: '01BAD', payload: 'not json' }]];
    const summary = await republish(
      { source: fakeSource(pages), publisher },
      { events: ['01A00000000', '01BAD'] },
      {
        dryRun: true,
      },
    );
    expect(published).toEqual([]);
    expect(summary.results.map((r) => [r.eventId, r.outcome])).toEqual([
      ['01A00000000', 'planned'],
      ['01BAD', 'invalid'],
    ]);
  });

  it('with a poison sink (the redrive fallback), an invalid record is parked as the relay parks it', async () => {
    const parked: string[] = [];
    const { publisher } = fakePublisher();
    const pages = [[{ eventId: '01BAD', payload: '{"type":"Nope","time":"2026-11-20T09:01:00Z"}' }]];
    const summary = await republish(
      { source: fakeSource(pages), publisher, poisonSink: { park: async (record) => void parked.push(record.id) } },
      { window },
    );
    expect(parked).toEqual(['01BAD']);
    expect(summary.counts).toMatchObject({ parked: 1, invalid: 0, failed: 0 });
  });
});

// ----- the stream redrive's fallback -----------------------------------------------------------------------------

describe('the window of a dead-lettered batch', () => {
  const batch = (first?: string, last?: string): StreamBatchInfo => ({
    shardId: 's',
    startSequenceNumber: '1',
    endSequenceNumber: '2',
    streamArn: 'arn',
    batchSize: 2,
    approximateArrivalOfFirstRecord: first,
    approximateArrivalOfLastRecord: last,
  });

  it('is the arrival times of its first and last record, widened by the margins', () => {
    expect(batchWindow(batch('2026-11-20T09:13:40Z', '2026-11-20T09:13:41Z'))).toEqual({
      from: Date.parse('2026-11-20T09:13:40Z') - BATCH_WINDOW_MARGIN.beforeMs,
      to: Date.parse('2026-11-20T09:13:41Z') + BATCH_WINDOW_MARGIN.afterMs,
    });
    // The margins cover an event stamped by its producer before a slow commit, and arrival times rounded down.
    expect(BATCH_WINDOW_MARGIN.beforeMs).toBeGreaterThanOrEqual(5 * 60_000);
    expect(BATCH_WINDOW_MARGIN.afterMs).toBeGreaterThanOrEqual(1_000);
  });

  it('is read from the on-failure records AWS and the local runtime write', () => {
    for (const name of ['stream-batch.aws', 'stream-batch.local'] as const) {
      const { record } = fixture(name);
      if (record.kind !== 'stream-batch') throw new Error(`${name} is not a stream batch`);
      expect(batchWindow(record.batch)).toBeDefined();
    }
  });

  it('is unknown without arrival times', () => {
    expect(batchWindow(batch())).toBeUndefined();
    expect(batchWindow(batch('not a time', '2026-11-20T09:13:41Z'))).toBeUndefined();
  });
});

describe('the fallback decision', () => {
  it('falls back when the stream says the records are gone, not on any other error', () => {
    for (const name of ['TrimmedDataAccessException', 'ResourceNotFoundException', 'ExpiredIteratorException']) {
      expect(isRecordsGone(Object.assign(new Error('x'), { name }))).toBe(true);
    }
    expect(isRecordsGone(new RecordsGoneError('gone', 'NoRecords'))).toBe(true);
    for (const name of ['AccessDeniedException', 'ThrottlingException', 'LimitExceededException', 'Error']) {
      expect(isRecordsGone(Object.assign(new Error('x'), { name }))).toBe(false);
    }
  });

  const summary = (outcomes: ('published' | 'failed' | 'parked')[]) => ({
    dryRun: false,
    scanned: 100,
    unreadable: [],
    results: outcomes.map((outcome, i) => ({
      eventId: `01E${i}`,
      type: null,
      subject: null,
      time: null,
      outcome,
      ...(outcome === 'failed' ? { error: 'InternalFailure: x' } : {}),
    })),
    counts: {
      published: outcomes.filter((o) => o === 'published').length,
      planned: 0,
      failed: outcomes.filter((o) => o === 'failed').length,
      invalid: 0,
      parked: outcomes.filter((o) => o === 'parked').length,
      missing: 0,
    },
  });

  it('the dead letter may go only when everything found is on the bus (or parked) and the window held the batch', () => {
    expect(fallbackVerdict(summary(['published', 'published', 'parked']), 3)).toEqual({ ok: true });
    expect(fallbackVerdict(summary(['published', 'published', 'published']), undefined)).toEqual({ ok: true });
    expect(fallbackVerdict(summary(['published', 'failed']), 1)).toEqual({
      ok: false,
      reason: '1 event(s) could not be republished (01E1: InternalFailure: x)',
    });
    expect(fallbackVerdict(summary(['published']), 2)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/holds 1 outbox event\(s\) but the batch had 2/),
    });
    expect(fallbackVerdict(summary([]), 1)).toMatchObject({ ok: false });
  });
});

describe('redriving a stream batch whose records the stream no longer has', () => {
  const sqs = mockClient(SQSClient);
  const lambda = mockClient(LambdaClient);
  const streams = mockClient(DynamoDBStreamsClient);
  const ddb = mockClient(DynamoDBClient);
  const events = mockClient(EventBridgeClient);

  const QUEUE: QueueRef = {
    name: 'Commerce-prod-Stateful-DeadLettersOutboxRelayDlqDFF988C3',
    url: 'https://sqs.eu-west-1.amazonaws.com/123456789012/Commerce-prod-Stateful-DeadLettersOutboxRelayDlqDFF988C3',
    arn: 'arn:aws:sqs:eu-west-1:123456789012:Commerce-prod-Stateful-DeadLettersOutboxRelayDlqDFF988C3',
    hop: 'OutboxRelay',
    usedBy: [],
  };
  // stream-batch.aws: records arrived 09:13:40..09:13:41, 25 of them, in table Commerce-prod-Stateful-DataTableFDBAD0F2.
  const STREAM_ARN =
    'arn:aws:dynamodb:eu-west-1:123456789012:table/Commerce-prod-Stateful-DataTableFDBAD0F2/stream/2026-11-01T10:00:00.000';
  const target: OpsTarget = {
    label: 'test',
    sqs: new SQSClient({ region: 'eu-west-1' }),
    lambda: new LambdaClient({ region: 'eu-west-1' }),
    streams: new DynamoDBStreamsClient({ region: 'eu-west-1' }),
    dynamodb: new DynamoDBClient({ region: 'eu-west-1' }),
    sfn: new SFNClient({ region: 'eu-west-1' }),
    events: new EventBridgeClient({ region: 'eu-west-1' }),
    deadLetterQueues: async () => [QUEUE],
    streamMappings: async () => [
      {
        functionName: 'Commerce-prod-Stateless-PlatformOutboxRelayC81519A0',
        eventSourceArn: STREAM_ARN,
        filters: [],
        batchSize: 100,
        onFailureArn: QUEUE.arn,
      },
    ],
    reconcilerFunctionName: async () => 'reconciler',
    eventBusName: async () => 'commerce-prod',
    close: () => undefined,
  };

  const outboxRow = (id: string, time: string) => ({
    pk: { S: `OUTBOX#${id}` },
    payload: { S: payload(id, time) },
  });
  /** 25 events in the batch's seconds, one a minute before, one long before: two Scan pages. */
  const inWindow = Array.from({ length: 25 }, (_, i) =>
    outboxRow(`01BATCH0000${String(i).padStart(2, '0')}`, '2026-11-20T09:13:40.500Z'),
  );
  const tableHolds = () => {
    ddb
      .on(ScanCommand)
      .resolvesOnce({ Items: inWindow.slice(0, 20), LastEvaluatedKey: { pk: { S: 'x' }, sk: { S: 'y' } } })
      .resolvesOnce({
        Items: [
          ...inWindow.slice(20),
          outboxRow('01MINUTEBEFORE', '2026-11-20T09:12:40.000Z'),
          outboxRow('01LASTWEEK', '2026-11-13T09:13:40.000Z'),
        ],
      });
  };

  const published = () =>
    events
      .commandCalls(PutEventsCommand)
      .flatMap((c) => c.args[0].input.Entries ?? [])
      .map((e) => JSON.parse(e.Detail ?? '{}').id as string);
  const deleted = () => sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle);
  const released = () =>
    sqs
      .commandCalls(ChangeMessageVisibilityCommand)
      .filter((c) => c.args[0].input.VisibilityTimeout === 0)
      .map((c) => c.args[0].input.ReceiptHandle);
  const gone = (name: string) => Object.assign(new Error(`${name} from the service`), { name });

  beforeEach(() => {
    for (const client of [sqs, lambda, streams, ddb, events]) client.reset();
    const raw = rawFixture('stream-batch.aws', 'm-1');
    sqs.on(GetQueueAttributesCommand).resolves({
      Attributes: { ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '0' },
    });
    sqs.on(ReceiveMessageCommand).resolvesOnce({
      Messages: [
        {
          MessageId: 'm-1',
          ReceiptHandle: 'handle-m-1',
          Body: raw.body,
          Attributes: { SentTimestamp: String(SENT_AT), ApproximateReceiveCount: '1' },
        },
      ],
    });
    sqs.on(DeleteMessageCommand).resolves({});
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    sqs.on(SendMessageCommand).resolves({ MessageId: 'parked' });
    streams
      .on(ListStreamsCommand)
      .resolves({ Streams: [{ StreamArn: STREAM_ARN, StreamLabel: '2026-11-01T10:00:00.000' }] });
    events.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => ({
      FailedEntryCount: 0,
      Entries: input.Entries.map((_, i) => ({ EventId: `eb-${i}` })),
    }));
  });
  afterAll(() => {
    for (const client of [sqs, lambda, streams, ddb, events]) client.restore();
  });

  it.each(['TrimmedDataAccessException', 'ResourceNotFoundException'])(
    'on %s: republishes the outbox events of its window, then deletes the dead letter and says so',
    async (error) => {
      streams.on(GetShardIteratorCommand).rejects(gone(error));
      tableHolds();
      const report = await redriveDeadLetters(target, 'OutboxRelay');

      // Every event of the batch's seconds, and the one a minute before (inside the margin); not last week's.
      expect(published().sort()).toEqual([...inWindow.map((r) => r.pk.S.slice(7)), '01MINUTEBEFORE'].sort());
      const entry = events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
      expect(entry).toMatchObject({
        EventBusName: 'commerce-prod',
        Source: 'commerce.orders',
        DetailType: 'OrderPlaced',
      });
      // The table of the stream the batch came from, read with a Scan that keeps outbox items only.
      const scan = ddb.commandCalls(ScanCommand)[0]?.args[0].input;
      expect(scan).toMatchObject({
        TableName: 'Commerce-prod-Stateful-DataTableFDBAD0F2',
        ExpressionAttributeValues: { ':outbox': { S: 'OUTBOX#' }, ':sk': { S: 'OUTBOX' } },
      });
      expect(ddb.commandCalls(ScanCommand)[1]?.args[0].input.ExclusiveStartKey).toEqual({
        pk: { S: 'x' },
        sk: { S: 'y' },
      });
      expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);

      expect(report.results).toEqual([
        expect.objectContaining({
          messageId: 'm-1',
          outcome: 'redriven',
          action: 'republish the outbox events of 2026-11-20T09:08:40.000Z..2026-11-20T09:14:41.000Z (fallback)',
          detail: expect.stringContaining(`can no longer be read from the stream (${error}`),
          fallback: expect.objectContaining({ kind: 'republished-outbox', reason: error, found: 26, published: 26 }),
        }),
      ]);
      expect(deleted()).toEqual(['handle-m-1']);
    },
  );

  it('an iterator that expires mid-read also falls back', async () => {
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-1' });
    streams.on(GetRecordsCommand).rejects(gone('ExpiredIteratorException'));
    tableHolds();
    const report = await redriveDeadLetters(target, 'OutboxRelay');
    expect(report.results[0]).toMatchObject({ outcome: 'redriven', fallback: { reason: 'ExpiredIteratorException' } });
  });

  it('keeps the dead letter when an event could not be republished', async () => {
    streams.on(GetShardIteratorCommand).rejects(gone('TrimmedDataAccessException'));
    tableHolds();
    events.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => ({
      FailedEntryCount: 1,
      Entries: input.Entries.map((_, i) =>
        i === 0
          ? { ErrorCode: 'InternalFailure', ErrorMessage: 'oops' }
          : {
              EventId: 'eb',
            },
      ),
    }));
    const report = await redriveDeadLetters(target, 'OutboxRelay');
    expect(report.results[0]).toMatchObject({
      outcome: 'failed',
      detail: expect.stringMatching(/could not be republished \(01\w+: InternalFailure: oops.*\(message kept\)$/),
    });
    expect(deleted()).toEqual([]);
    expect(released()).toEqual(['handle-m-1']);
  });

  it("keeps the dead letter when the outbox items are gone too (the window holds fewer than the batch's 25)", async () => {
    streams.on(GetShardIteratorCommand).rejects(gone('TrimmedDataAccessException'));
    ddb.on(ScanCommand).resolves({ Items: inWindow.slice(0, 3) });
    const report = await redriveDeadLetters(target, 'OutboxRelay');
    expect(report.results[0]).toMatchObject({
      outcome: 'failed',
      detail: expect.stringMatching(/holds 3 outbox event\(s\) but the batch had 25/),
    });
    expect(deleted()).toEqual([]);
    expect(released()).toEqual(['handle-m-1']);
  });

  it('keeps the dead letter, saying both, when the table cannot be read either', async () => {
    streams.on(GetShardIteratorCommand).rejects(gone('TrimmedDataAccessException'));
    ddb.on(ScanCommand).rejects(gone('AccessDeniedException'));
    const report = await redriveDeadLetters(target, 'OutboxRelay');
    expect(report.results[0]).toMatchObject({
      outcome: 'failed',
      detail: expect.stringMatching(
        /TrimmedDataAccessException.*; republishing its outbox items instead failed: AccessDeniedException from the service \(message kept\)$/,
      ),
    });
    expect(deleted()).toEqual([]);
    expect(released()).toEqual(['handle-m-1']);
  });

  it('does not fall back on other errors: no scan, nothing published, the dead letter kept', async () => {
    streams.on(GetShardIteratorCommand).rejects(gone('AccessDeniedException'));
    const report = await redriveDeadLetters(target, 'OutboxRelay');
    expect(report.results[0]).toMatchObject({ outcome: 'failed', detail: expect.stringMatching(/AccessDenied/) });
    expect(report.results[0]?.fallback).toBeUndefined();
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(0);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
    expect(deleted()).toEqual([]);
  });

  it('does not fall back while the stream still has the records: the relay gets them', async () => {
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-1' });
    const record = (seq: string) => ({
      eventID: `e-${seq}`,
      eventName: 'INSERT' as const,
      dynamodb: {
        SequenceNumber: seq,
        Keys: { pk: { S: 'OUTBOX#01X00000000' }, sk: { S: 'OUTBOX' } },
        NewImage: { payload: { S: payload('01X00000000', '2026-11-20T09:13:40Z') } },
      },
    });
    streams.on(GetRecordsCommand).resolves({
      Records: [
        record('49656300000000000000000000000000000000000000000000000001'),
        record('49656300000000000000000000000000000000000000000000000099'),
      ],
    });
    lambda.on(InvokeCommand).resolves({ StatusCode: 200 });
    const report = await redriveDeadLetters(target, 'OutboxRelay');
    expect(report.results[0]).toMatchObject({ outcome: 'redriven' });
    expect(report.results[0]?.fallback).toBeUndefined();
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(0);
  });

  it("finds the outbox table from the relay's mapping (the one dead-lettering into the OutboxRelay queue)", async () => {
    await expect(outboxTableName(target)).resolves.toBe('Commerce-prod-Stateful-DataTableFDBAD0F2');
    await expect(outboxTableName({ ...target, streamMappings: async () => [] })).rejects.toThrow(
      /no stream mapping dead-letters into the OutboxRelay queue/,
    );
  });

  it('--event reads the outbox item by its key', async () => {
    ddb.on(GetItemCommand).resolves({ Item: outboxRow('01ONE', '2026-11-20T09:13:40Z') });
    const { DynamoOutboxSource } = await import('../../../scripts/ops/republish');
    const source = new DynamoOutboxSource(target.dynamodb, 'T');
    await expect(source.get('01ONE')).resolves.toEqual({
      eventId: '01ONE',
      payload: payload('01ONE', '2026-11-20T09:13:40Z'),
    });
    expect(ddb.commandCalls(GetItemCommand)[0]?.args[0].input).toMatchObject({
      TableName: 'T',
      Key: { pk: { S: 'OUTBOX#01ONE' }, sk: { S: 'OUTBOX' } },
      ConsistentRead: true,
    });
  });
});
