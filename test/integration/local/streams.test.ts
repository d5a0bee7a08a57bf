/**
 * DynamoDB Streams → Lambda on the fixture's outbox mapping (filter, batch size 5, ReportBatchItemFailures,
 * bisect, 2 retries, on-failure destination), polled with the real Streams API of DynamoDB Local.
 */
import type { LocalRuntime } from '../../../local/runtime';
import { startFixtureRuntime, waitFor } from './fixture';
import { FixtureTable } from './table';

let runtime: LocalRuntime;
let table: FixtureTable;

interface DlqListing {
  queues: {
    queue: string;
    messages: { messageId: string; body: Record<string, unknown>; attributes: Record<string, string> }[];
  }[];
}

async function streamFailures(): Promise<DlqListing['queues'][number]['messages']> {
  const listing = (await (await fetch(`${runtime.apiUrl}/_local/dlq`)).json()) as DlqListing;
  return listing.queues.find((q) => q.queue === 'fixture-stream-failures')?.messages ?? [];
}

beforeAll(async () => {
  ({ runtime } = await startFixtureRuntime({ streamRetryDelayMs: 20 }));
  table = new FixtureTable(runtime);
}, 120_000);

afterAll(async () => {
  table?.destroy();
  await runtime?.stop();
});

describe('stream event source mapping', () => {
  it('relays matching records only, in the AWS stream batch shape', async () => {
    const res = await fetch(`${runtime.apiUrl}/items`, { method: 'POST', body: JSON.stringify({ id: 's-ok' }) });
    expect(res.status).toBe(201);
    await waitFor(async () => (await table.count('processed#s-ok')) === 1, 'the outbox record to be relayed');
    const invocations = await table.invocations();
    // The item row and the marker rows the handler writes do not match the filter: only outbox rows arrive.
    expect(invocations.flatMap((i) => i.ids)).toEqual(['s-ok']);
    expect(invocations[0]?.sample).toMatchObject({
      eventID: expect.any(String),
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      eventSourceARN: expect.stringMatching(
        /^arn:aws:dynamodb:us-east-1:000000000000:table\/LocalFixtureStateful-TableCD117FA1\/stream\//,
      ),
      dynamodb: {
        ApproximateCreationDateTime: expect.any(Number),
        Keys: { pk: { S: 'outbox#s-ok' }, sk: { S: 'outbox' } },
        NewImage: expect.objectContaining({ kind: { S: 'outbox' }, id: { S: 's-ok' } }),
        SequenceNumber: expect.stringMatching(/^\d+$/),
        SizeBytes: expect.any(Number),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    expect(runtime.metrics().streams.filteredOut).toBeGreaterThan(0);
  });

  it('retries a partial batch failure from the lowest failed record', async () => {
    await table.outbox([{ id: 'p-a' }, { id: 'p-b', behavior: 'fail-once' }, { id: 'p-c' }]);
    await waitFor(
      async () => (await table.count('processed#p-b')) === 1 && (await table.count('processed#p-c')),
      'p-b to be processed',
    );
    expect(await table.count('processed#p-a')).toBe(1);
    expect(await table.count('attempt#p-b')).toBe(2);
    const seen = (await table.invocations()).flatMap((i) => i.ids);
    // p-a came before the failure and is not delivered again; p-b (and what follows it) is.
    expect(seen.filter((id) => id === 'p-a')).toHaveLength(1);
    expect(seen.filter((id) => id === 'p-b')).toHaveLength(2);
  });

  it('bisects a failing batch, retries the poison record, then sends it to the on-failure destination', async () => {
    await table.outbox([{ id: 'b-1' }, { id: 'b-2' }, { id: 'b-3', behavior: 'throw' }, { id: 'b-4' }]);
    const failure = await waitFor(
      async () => (await streamFailures()).find((m) => JSON.stringify(m.body).length && m.body.DDBStreamBatchInfo),
      'the on-failure record',
    );
    await waitFor(async () => (await table.count('processed#b-4')) === 1, 'b-4 after the poison record');
    for (const id of ['b-1', 'b-2', 'b-4']) expect(await table.count(`processed#${id}`)).toBe(1);
    expect(await table.count('processed#b-3')).toBeUndefined();
    const batches = (await table.invocations())
      .map((i) => i.ids)
      .filter((ids) => ids.some((id) => id.startsWith('b-')));
    expect(batches.filter((ids) => ids.length === 1 && ids[0] === 'b-3')).toHaveLength(3);
    expect(batches[0]).toEqual(['b-1', 'b-2', 'b-3', 'b-4']);
    expect(failure.body).toMatchObject({
      version: '1.0',
      timestamp: expect.any(String),
      requestContext: {
        requestId: expect.any(String),
        functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${runtime.functions.StreamHandler3D7B4A67}`,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      DDBStreamBatchInfo: {
        shardId: expect.stringMatching(/^shardId-/),
        startSequenceNumber: expect.stringMatching(/^\d+$/),
        endSequenceNumber: expect.stringMatching(/^\d+$/),
        approximateArrivalOfFirstRecord: expect.any(String),
        approximateArrivalOfLastRecord: expect.any(String),
        batchSize: 1,
        streamArn: expect.stringContaining(':table/LocalFixtureStateful-TableCD117FA1/stream/'),
      },
    });
    const info = failure.body.DDBStreamBatchInfo as { startSequenceNumber: string; endSequenceNumber: string };
    expect(info.startSequenceNumber).toBe(info.endSequenceNumber);
  });

  it('treats an unknown itemIdentifier as a failure of the whole batch', async () => {
    await table.outbox([{ id: 'i-1', behavior: 'invalid-id' }]);
    const failure = await waitFor(
      async () =>
        (await streamFailures()).find(
          (m) => (m.body.responseContext as Record<string, unknown>)?.functionError === undefined,
        ),
      'the on-failure record of the invalid identifier',
    );
    expect(failure.body.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 3,
    });
  });

  it('redrives an on-failure record: reads the records again from the stream, keeps it until it succeeds', async () => {
    await table.outbox([{ id: 'r-1', behavior: 'broken' }]);
    await waitFor(async () => (await streamFailures()).length >= 3, 'the on-failure record of r-1');
    const redrive = async () =>
      (await (
        await fetch(`${runtime.apiUrl}/_local/dlq/fixture-stream-failures/redrive`, { method: 'POST' })
      ).json()) as {
        redriven: string[];
        failed: { messageId: string; error: string }[];
      };
    const first = await redrive();
    expect(first.failed.length).toBe(3);
    expect((await streamFailures()).length).toBe(3);
    await table.fix('r-1');
    await table.fix('b-3');
    const second = await redrive();
    // r-1 now works; b-3 still throws (the batch is poison by content); i-1 still answers an unknown identifier.
    expect(second.redriven).toHaveLength(1);
    expect(await table.count('processed#r-1')).toBe(1);
    expect((await streamFailures()).length).toBe(2);
  });

  it('checkpoints each shard after each batch', async () => {
    const resources = (await (await fetch(`${runtime.apiUrl}/_local/resources`)).json()) as {
      eventSourceMappings: { kind: string; checkpoints: Record<string, { seq?: string }> | null }[];
    };
    const mapping = resources.eventSourceMappings.find((m) => m.kind === 'dynamodb');
    const checkpoints = Object.values(mapping?.checkpoints ?? {});
    expect(checkpoints.length).toBeGreaterThan(0);
    expect(checkpoints[0]?.seq).toMatch(/^\d+$/);
  });
});
