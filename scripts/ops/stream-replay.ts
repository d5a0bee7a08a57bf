/**
 * Re-reading a dead-lettered stream batch. AWS's on-failure record names only the shard and the first and last
 * sequence numbers, so the records are read again from the stream (they stay there 24 hours), turned into the
 * records Lambda hands the function, and filtered with the mapping's own filter (the range also holds every other
 * write to the table in between: without the filter the relay would get items that are not outbox events).
 * When the stream no longer has them (RecordsGoneError), the redrive republishes their outbox items instead
 * (redrive-executor.ts, republish.ts).
 */
import {
  type _Record,
  type AttributeValue,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { compileEventPattern } from '../../local/eventbridge/pattern';
import type { StreamBatchInfo } from './dead-letter';

/** JSON attribute values as Lambda delivers them (binary as base64). */
export type WireAttributeValue = Record<string, unknown>;

export interface LambdaStreamRecord {
  readonly eventID: string;
  readonly eventName: string;
  readonly eventVersion: string;
  readonly eventSource: 'aws:dynamodb';
  readonly awsRegion: string;
  readonly dynamodb: {
    readonly ApproximateCreationDateTime?: number;
    readonly Keys: Record<string, WireAttributeValue>;
    readonly NewImage?: Record<string, WireAttributeValue>;
    readonly OldImage?: Record<string, WireAttributeValue>;
    readonly SequenceNumber: string;
    readonly SizeBytes?: number;
    readonly StreamViewType?: string;
  };
  readonly eventSourceARN: string;
  readonly userIdentity?: { readonly type?: string; readonly principalId?: string };
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** The SDK's typed AttributeValue → the JSON form in a Lambda event (`B` and `BS` as base64 strings). */
export function toWire(value: AttributeValue): WireAttributeValue {
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.M !== undefined) return { M: toWireMap(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toWire) };
  const { $unknown: _unknown, ...rest } = value as AttributeValue & { $unknown?: unknown };
  return rest as WireAttributeValue;
}

export function toWireMap(map: Record<string, AttributeValue> | undefined): Record<string, WireAttributeValue> {
  return Object.fromEntries(Object.entries(map ?? {}).map(([k, v]) => [k, toWire(v)]));
}

/** A stream record as the mapping hands it to the function (region and source ARN those of the mapping). */
export function toLambdaRecord(raw: _Record, eventSourceArn: string): LambdaStreamRecord {
  const d = raw.dynamodb ?? {};
  const created = d.ApproximateCreationDateTime;
  return {
    eventID: raw.eventID ?? '',
    eventName: raw.eventName ?? 'UNKNOWN',
    eventVersion: raw.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: eventSourceArn.split(':')[3] ?? raw.awsRegion ?? '',
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) } : {}),
      Keys: toWireMap(d.Keys),
      ...(d.NewImage ? { NewImage: toWireMap(d.NewImage) } : {}),
      ...(d.OldImage ? { OldImage: toWireMap(d.OldImage) } : {}),
      SequenceNumber: d.SequenceNumber ?? '',
      ...(d.SizeBytes === undefined ? {} : { SizeBytes: d.SizeBytes }),
      ...(d.StreamViewType ? { StreamViewType: d.StreamViewType } : {}),
    },
    eventSourceARN: eventSourceArn,
    ...(raw.userIdentity
      ? { userIdentity: { type: raw.userIdentity.Type, principalId: raw.userIdentity.PrincipalId } }
      : {}),
  };
}

/** Keeps what the mapping's filters keep (no filters: everything), as Lambda event filtering does. */
export function filterRecords(
  records: readonly LambdaStreamRecord[],
  filters: readonly string[],
): LambdaStreamRecord[] {
  if (filters.length === 0) return [...records];
  const matchers = filters.map((f) => compileEventPattern(f));
  return records.filter((record) => matchers.some((match) => match(record)));
}

/** Sequence numbers are decimal strings longer than 2^53: compare them as big integers. */
export function inRange(sequenceNumber: string | undefined, batch: StreamBatchInfo): 'before' | 'in' | 'after' {
  if (!sequenceNumber || !/^\d+$/.test(sequenceNumber)) return 'before';
  const seq = BigInt(sequenceNumber);
  if (seq < BigInt(batch.startSequenceNumber)) return 'before';
  if (seq > BigInt(batch.endSequenceNumber)) return 'after';
  return 'in';
}

/**
 * The stream ARN to read. The record carries the ARN the mapping knew; ask the table's streams for the one with the
 * same label, so a stream whose ARN is spelled differently by the endpoint (DynamoDB Local says region
 * `ddblocal`) is still found. On AWS this is the same ARN.
 */
export async function resolveStreamArn(client: DynamoDBStreamsClient, streamArn: string): Promise<string> {
  const match = /:table\/([^/]+)\/stream\/(.+)$/.exec(streamArn);
  if (!match?.[1]) return streamArn;
  try {
    const out = await client.send(new ListStreamsCommand({ TableName: match[1] }));
    return out.Streams?.find((s) => s.StreamLabel === match[2])?.StreamArn ?? streamArn;
  } catch {
    return streamArn; // no ListStreams permission: the ARN as recorded
  }
}

/**
 * The errors that mean "the records of this batch cannot be read from the stream any more":
 *  - `TrimmedDataAccessException`: the sequence number is older than the stream keeps (24 hours);
 *  - `ResourceNotFoundException`: the shard or the stream itself is gone (a closed shard is deleted when its last
 *    records are trimmed; a stream disabled or replaced has another ARN);
 *  - `ExpiredIteratorException`: the shard iterator outlived its 15 minutes mid-read.
 * The outbox items outlive the stream (OUTBOX_TTL_SECONDS), so a redrive falls back to them on these errors.
 */
export const RECORDS_GONE_ERRORS: ReadonlySet<string> = new Set([
  'TrimmedDataAccessException',
  'ResourceNotFoundException',
  'ExpiredIteratorException',
]);

export class RecordsGoneError extends Error {
  override name = 'RecordsGoneError';
  constructor(
    message: string,
    /** The service error that said so (`TrimmedDataAccessException`, ...), or `NoRecords` when the read found none. */
    readonly errorName: string,
  ) {
    super(message);
  }
}

/** Whether an error of the Streams API means the records are gone (see RECORDS_GONE_ERRORS). */
export function isRecordsGone(error: unknown): boolean {
  if (error instanceof RecordsGoneError) return true;
  const name = (error as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && RECORDS_GONE_ERRORS.has(name);
}

export function recordsGone(batch: StreamBatchInfo, cause: string): RecordsGoneError {
  return new RecordsGoneError(
    `the records ${batch.startSequenceNumber}..${batch.endSequenceNumber} of ${batch.shardId} can no longer be read from the stream (${cause}; stream records are kept 24 hours)`,
    cause,
  );
}

/**
 * Reads the raw records of a batch: from its first sequence number up to its last. Bounded: an open shard answers
 * empty pages at its end (and sometimes before it), so it stops after `maxEmptyPages` empty pages in a row.
 * Throws RecordsGoneError when the stream no longer has them (trimmed, shard or stream gone, iterator expired).
 */
export async function readBatchRecords(
  client: DynamoDBStreamsClient,
  batch: StreamBatchInfo,
  maxEmptyPages = 20,
): Promise<_Record[]> {
  const streamArn = await resolveStreamArn(client, batch.streamArn);
  const send = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      if (isRecordsGone(error)) throw recordsGone(batch, (error as Error).name);
      throw error;
    }
  };
  const first = await send(() =>
    client.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: batch.shardId,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        SequenceNumber: batch.startSequenceNumber,
      }),
    ),
  );
  let iterator = first.ShardIterator;
  const records: _Record[] = [];
  for (let empty = 0; iterator && empty < maxEmptyPages; ) {
    const current = iterator;
    const out = await send(() => client.send(new GetRecordsCommand({ ShardIterator: current, Limit: 1000 })));
    empty = out.Records?.length ? 0 : empty + 1;
    for (const record of out.Records ?? []) {
      const where = inRange(record.dynamodb?.SequenceNumber, batch);
      if (where === 'after') return records;
      if (where === 'in') records.push(record);
      if (record.dynamodb?.SequenceNumber === batch.endSequenceNumber) return records;
    }
    iterator = out.NextShardIterator;
  }
  return records;
}
