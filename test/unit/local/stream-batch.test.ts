import { interpretBatchResponse, StreamMapping } from '../../../local/dynamodb/stream-mapping';
import { laneOf, toLambdaRecord } from '../../../local/dynamodb/stream-records';
import type { InvocationResult } from '../../../local/lambda/host';
import { Metrics } from '../../../local/metrics';
import { JsonStore } from '../../../local/persist/json-store';

const result = (payload: unknown): InvocationResult => ({
  requestId: 'r',
  ok: true,
  payload: JSON.stringify(payload),
  durationMs: 1,
  timedOut: false,
  throttled: false,
});
const seqs = ['100', '200', '300'];

describe('partial batch responses (ReportBatchItemFailures)', () => {
  it('treats no list, null or an empty list as success', () => {
    for (const payload of [null, {}, { batchItemFailures: null }, { batchItemFailures: [] }, 'done']) {
      expect(interpretBatchResponse(result(payload), seqs).kind).toBe('success');
    }
  });

  it('retries from the lowest failed sequence number', () => {
    const out = interpretBatchResponse(
      result({ batchItemFailures: [{ itemIdentifier: '300' }, { itemIdentifier: '200' }] }),
      seqs,
    );
    expect(out).toMatchObject({ kind: 'partial', failedIndex: 1 });
  });

  it('fails the whole batch for a missing, empty or unknown identifier', () => {
    for (const failures of [[{}], [{ itemIdentifier: '' }], [{ itemIdentifier: 'nope' }], [null], 'x']) {
      expect(interpretBatchResponse(result({ batchItemFailures: failures }), seqs).kind).toBe('error');
    }
  });
});

describe('stream record normalisation', () => {
  const raw = {
    eventID: 'e',
    eventName: 'UNKNOWN_TO_SDK_VERSION',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'ddblocal',
    dynamodb: {
      ApproximateCreationDateTime: 1700000000.5,
      Keys: { pk: { S: 'a' } },
      OldImage: { pk: { S: 'a' } },
      SequenceNumber: '7',
      SizeBytes: 9,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };

  it('turns DynamoDB Local TTL deletions into REMOVE records made by the TTL service', () => {
    const record = toLambdaRecord(raw, 'us-east-1', 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/x');
    expect(record).toEqual({
      eventID: 'e',
      eventName: 'REMOVE',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        ApproximateCreationDateTime: 1700000000,
        Keys: { pk: { S: 'a' } },
        OldImage: { pk: { S: 'a' } },
        SequenceNumber: '7',
        SizeBytes: 9,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/x',
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
    });
  });

  it('keeps user changes as they are', () => {
    const record = toLambdaRecord({ ...raw, eventName: 'MODIFY' }, 'us-east-1', 'arn');
    expect(record.eventName).toBe('MODIFY');
    expect(record.userIdentity).toBeUndefined();
  });

  it('sends records of the same key to the same lane', () => {
    const lanes = new Set(Array.from({ length: 5 }, () => laneOf({ pk: { S: 'same' } }, 4)));
    expect(lanes.size).toBe(1);
    expect(laneOf({ pk: { S: 'x' } }, 1)).toBe(0);
  });
});

describe('parallelization factor', () => {
  it('processes lanes concurrently, keeps per-key order, and checkpoints the whole shard', async () => {
    let other = 'k1';
    while (laneOf({ pk: { S: other } }, 2) === laneOf({ pk: { S: 'k0' } }, 2)) other = `${other}x`;
    const keys = ['k0', other];
    const raw = Array.from({ length: 6 }, (_, i) => ({
      eventID: String(i),
      eventName: 'INSERT',
      dynamodb: {
        Keys: { pk: { S: keys[i % 2] } },
        NewImage: { n: { N: String(i) } },
        SequenceNumber: String(100 + i),
        SizeBytes: 1,
        StreamViewType: 'NEW_IMAGE',
      },
    }));
    const client = {
      call: async (target: string, body: { ShardIterator?: string }) => {
        if (target.endsWith('DescribeStream')) return { StreamDescription: { Shards: [{ ShardId: 's' }] } };
        if (target.endsWith('GetShardIterator')) return { ShardIterator: 'it-0' };
        return body.ShardIterator === 'it-0' ? { Records: raw, NextShardIterator: 'it-1' } : { Records: [] };
      },
    };
    const seen: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const mapping = new StreamMapping({
      def: {
        id: 'pf',
        functionName: 'fn',
        eventSourceArn: 'arn',
        kind: 'dynamodb',
        enabled: true,
        batchSize: 1,
        maxBatchingWindowSeconds: 0,
        startingPosition: 'TRIM_HORIZON',
        filters: [],
        reportBatchItemFailures: false,
        bisectBatchOnFunctionError: false,
        maximumRetryAttempts: -1,
        maximumRecordAgeSeconds: -1,
        parallelizationFactor: 2,
        onFailureArn: undefined,
      },
      client: client as never,
      localStreamArn: 'local',
      streamArn: 'arn',
      region: 'us-east-1',
      functionArn: 'fn-arn',
      invoke: async (_name, eventJson) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 20));
        const event = JSON.parse(eventJson) as {
          Records: { dynamodb: { Keys: { pk: { S: string } }; NewImage: { n: { N: string } } } }[];
        };
        for (const r of event.Records) seen.push(`${r.dynamodb.Keys.pk.S}:${r.dynamodb.NewImage.n.N}`);
        inFlight -= 1;
        return { requestId: 'r', ok: true, payload: 'null', durationMs: 1, timedOut: false, throttled: false };
      },
      faults: {},
      metrics: new Metrics(),
      log: () => {},
      sendToDestination: async () => {},
      store: new JsonStore(undefined),
      retryDelayMs: 1,
    });
    mapping.start();
    const deadline = Date.now() + 5_000;
    while (!mapping.checkpoints().s?.finished && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await mapping.stop();
    expect(seen).toHaveLength(6);
    expect(seen.filter((s) => s.startsWith('k0:'))).toEqual(['k0:0', 'k0:2', 'k0:4']);
    expect(seen.filter((s) => !s.startsWith('k0:'))).toEqual([`${other}:1`, `${other}:3`, `${other}:5`]);
    expect(maxInFlight).toBe(2);
    expect(mapping.checkpoints().s).toEqual({ seq: '105', finished: true });
  });
});
