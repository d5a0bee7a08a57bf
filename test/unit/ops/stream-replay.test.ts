import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { OUTBOX_STREAM_FILTER } from '../../../functions/shared/ddb/outbox';
import { mappingFor, syntheticOutboxRecord } from '../../../scripts/ops/redrive-executor';
import { filterRecords, inRange, toLambdaRecord, toWire } from '../../../scripts/ops/stream-replay';

const STREAM_ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/2026-11-22T05:11:48.204';
const FILTERS = [JSON.stringify(OUTBOX_STREAM_FILTER)];

/** A record as the DynamoDB Streams SDK client returns it (typed attribute values, a Date). */
function sdkRecord(seq: string, pk: string, eventName: 'INSERT' | 'MODIFY' | 'REMOVE' = 'INSERT'): _Record {
  return {
    eventID: `e-${seq}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'ddblocal',
    dynamodb: {
      ApproximateCreationDateTime: new Date('2026-11-22T05:11:00Z'),
      Keys: { pk: { S: pk }, sk: { S: pk.startsWith('OUTBOX#') ? 'OUTBOX' : 'ORDER' } },
      NewImage: { pk: { S: pk }, payload: { S: '{"id":"x"}' }, n: { N: '3' }, b: { B: new Uint8Array([1, 2, 255]) } },
      SequenceNumber: seq,
      SizeBytes: 120,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

describe('stream records as the mapping hands them to the function', () => {
  it('turns SDK attribute values into the JSON of a Lambda event (binary as base64)', () => {
    expect(toWire({ B: new Uint8Array([1, 2, 255]) })).toEqual({ B: 'AQL/' });
    expect(toWire({ M: { l: { L: [{ N: '1' }, { BS: [new Uint8Array([0])] }] } } })).toEqual({
      M: { l: { L: [{ N: '1' }, { BS: ['AA=='] }] } },
    });
    expect(toWire({ NULL: true })).toEqual({ NULL: true });
  });

  it('uses the region and source ARN of the mapping, and epoch seconds for the creation time', () => {
    const record = toLambdaRecord(sdkRecord('101', 'OUTBOX#1'), STREAM_ARN);
    expect(record).toMatchObject({
      eventID: 'e-101',
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      eventSourceARN: STREAM_ARN,
      dynamodb: { ApproximateCreationDateTime: 1795324260, SequenceNumber: '101', Keys: { pk: { S: 'OUTBOX#1' } } },
    });
    expect(record.dynamodb.NewImage?.b).toEqual({ B: 'AQL/' });
  });

  it("keeps only what the relay mapping's filter keeps: outbox inserts, not other items or deletions", () => {
    const records = [
      sdkRecord('1', 'OUTBOX#a'),
      sdkRecord('2', 'ORDER#b'),
      sdkRecord('3', 'OUTBOX#c', 'REMOVE'),
      sdkRecord('4', 'OUTBOX#d'),
    ].map((r) => toLambdaRecord(r, STREAM_ARN));
    expect(filterRecords(records, FILTERS).map((r) => r.dynamodb.SequenceNumber)).toEqual(['1', '4']);
    expect(filterRecords(records, [])).toHaveLength(4);
  });

  it('compares sequence numbers as integers longer than 2^53', () => {
    const batch = {
      shardId: 's',
      streamArn: STREAM_ARN,
      batchSize: 2,
      startSequenceNumber: '49656300000000000000000000000000000000000000000000000010',
      endSequenceNumber: '49656300000000000000000000000000000000000000000000000020',
    };
    expect(inRange('49656300000000000000000000000000000000000000000000000009', batch)).toBe('before');
    expect(inRange('49656300000000000000000000000000000000000000000000000010', batch)).toBe('in');
    expect(inRange('49656300000000000000000000000000000000000000000000000020', batch)).toBe('in');
    expect(inRange('49656300000000000000000000000000000000000000000000000021', batch)).toBe('after');
    expect(inRange('000000000000000000032', { ...batch, startSequenceNumber: '32', endSequenceNumber: '32' })).toBe(
      'in',
    );
  });

  it('a forced poison payload travels as an outbox insert the filter keeps and the relay reads', () => {
    const record = syntheticOutboxRecord('77', '{"id":"01EVENT"}', STREAM_ARN);
    expect(filterRecords([record], FILTERS)).toHaveLength(1);
    expect(record.dynamodb.Keys).toEqual({ pk: { S: 'OUTBOX#01EVENT' }, sk: { S: 'OUTBOX' } });
    expect(record.dynamodb.NewImage?.payload).toEqual({ S: '{"id":"01EVENT"}' });
    expect(record.dynamodb.SequenceNumber).toBe('77');
  });

  it('finds the mapping of a record whatever region its stream ARN spells', () => {
    const mapping = {
      functionName: 'relay',
      eventSourceArn: STREAM_ARN,
      filters: FILTERS,
      batchSize: 100,
      onFailureArn: undefined,
    };
    expect(mappingFor([mapping], 'relay', STREAM_ARN.replace('us-east-1', 'ddblocal'))).toBe(mapping);
    expect(mappingFor([mapping], 'other', STREAM_ARN)).toBeUndefined();
    expect(mappingFor([mapping], 'relay', STREAM_ARN.replace('05:11:48.204', '06:00:00.000'))).toBeUndefined();
  });
});
