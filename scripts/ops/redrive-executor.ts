/**
 * Carries out a redrive plan against a target (AWS or the local runtime, same SDK calls). Each function either
 * returns a short account of what it did or throws: the caller deletes the dead letter only when it returned.
 */

import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { EventBridgePublisher } from '../../functions/platform/adapters/eventbridge-publisher';
import { SqsPoisonSink } from '../../functions/platform/adapters/sqs-poison-sink';
import { OUTBOX_PAYLOAD_ATTRIBUTE } from '../../functions/shared/ddb/outbox';
import { keys } from '../../functions/shared/table/layout';
import type { StreamBatchInfo } from './dead-letter';
import type { RedrivePlan } from './redrive-plan';
import {
  batchWindow,
  DynamoOutboxSource,
  fallbackVerdict,
  type RepublishSummary,
  republish,
  tableOfStreamArn,
  windowText,
} from './republish';
import {
  filterRecords,
  isRecordsGone,
  type LambdaStreamRecord,
  RecordsGoneError,
  readBatchRecords,
  recordsGone,
  toLambdaRecord,
} from './stream-replay';
import type { OpsTarget, QueueRef, StreamMappingRef } from './target';

/** What a redrive did; the caller deletes the dead letter only when executePlan returned one. */
export interface Executed {
  readonly detail: string;
  /** Set when a stream batch could no longer be read and its outbox items were republished instead. */
  readonly fallback?: StreamFallback;
}

export interface StreamFallback {
  readonly kind: 'republished-outbox';
  /** Why the stream could not be used (`TrimmedDataAccessException`, ...). */
  readonly reason: string;
  readonly from: string;
  readonly to: string;
  readonly table: string;
  readonly bus: string;
  /** Outbox items looked at, events found in the window, published, and invalid ones parked in the queue. */
  readonly scanned: number;
  readonly found: number;
  readonly published: number;
  readonly parked: number;
}

const batchResponse = z.looseObject({
  batchItemFailures: z.array(z.looseObject({ itemIdentifier: z.string() })).optional(),
});

async function invoke(
  target: OpsTarget,
  functionName: string,
  qualifier: string | undefined,
  invocationType: 'Event' | 'RequestResponse',
  payload: string,
): Promise<unknown> {
  const out = await target.lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      Qualifier: qualifier,
      InvocationType: invocationType,
      Payload: Buffer.from(payload),
    }),
  );
  const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
  if (out.FunctionError) throw new Error(`${functionName} failed again (${out.FunctionError}): ${text.slice(0, 500)}`);
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A stream mapping's function answered; did it report records it could not process? */
function checkBatchResponse(functionName: string, response: unknown): void {
  const parsed = batchResponse.safeParse(response);
  const failed = parsed.success ? (parsed.data.batchItemFailures ?? []) : [];
  if (failed.length > 0) {
    throw new Error(
      `${functionName} reported ${failed.length} record(s) it still cannot process: ${failed.map((f) => f.itemIdentifier).join(', ')}`,
    );
  }
}

const streamLabel = (arn: string) => /\/stream\/(.+)$/.exec(arn)?.[1];
const tableOf = (arn: string) => /:table\/([^/]+)/.exec(arn)?.[1];

/** The mapping a stream on-failure record came from: same function, same table stream. */
export function mappingFor(
  mappings: readonly StreamMappingRef[],
  functionName: string,
  streamArn: string,
): StreamMappingRef | undefined {
  return mappings.find(
    (m) =>
      m.functionName === functionName &&
      (m.eventSourceArn === streamArn ||
        (tableOf(m.eventSourceArn) === tableOf(streamArn) && streamLabel(m.eventSourceArn) === streamLabel(streamArn))),
  );
}

/**
 * The stream no longer has a dead-lettered batch's records (RecordsGoneError): publish again, from the table, every
 * outbox event whose time lies in the batch's window (its arrival times, widened: BATCH_WINDOW_MARGIN), with the
 * relay's own code on the relay's bus, parking invalid records in this queue as the relay does. A superset of the
 * batch (other lanes and shards write in the same seconds): consumers drop the events they already have by id.
 * Throws (the message is kept) unless every event found was published and the window held at least the batch's count.
 */
async function republishBatchWindow(
  target: OpsTarget,
  batch: StreamBatchInfo,
  queue: QueueRef,
  gone: RecordsGoneError,
): Promise<Executed> {
  const window = batchWindow(batch);
  if (!window) {
    throw new Error(
      `${gone.message}, and the on-failure record has no arrival times to find their outbox items by: republish them by time with npm run dlq -- republish --from <ISO> --to <ISO>`,
    );
  }
  const table = tableOfStreamArn(batch.streamArn);
  if (!table) throw new Error(`${gone.message}, and ${batch.streamArn} names no table to read the outbox from`);
  let bus: string;
  let summary: RepublishSummary;
  try {
    bus = await target.eventBusName();
    summary = await republish(
      {
        source: new DynamoOutboxSource(target.dynamodb, table),
        publisher: new EventBridgePublisher(target.events, bus),
        poisonSink: new SqsPoisonSink(target.sqs, queue.url),
      },
      { window },
    );
  } catch (error) {
    // The table could not be read (permissions, throttling): nothing or part of the window went out; say both.
    throw new Error(`${gone.message}; republishing its outbox items instead failed: ${(error as Error).message}`);
  }
  const verdict = fallbackVerdict(summary, batch.batchSize);
  const what = `the outbox events of ${windowText(window)} from ${table}`;
  if (!verdict.ok) {
    throw new Error(`${gone.message}; republished ${summary.counts.published} of ${what}, but ${verdict.reason}`);
  }
  const parked = summary.counts.parked ? `, ${summary.counts.parked} invalid record(s) parked in ${queue.name}` : '';
  return {
    detail: `${gone.message}: republished ${summary.counts.published} of ${what} to ${bus} instead (${summary.scanned} outbox item(s) scanned${parked})`,
    fallback: {
      kind: 'republished-outbox',
      reason: gone.errorName,
      from: new Date(window.from).toISOString(),
      to: new Date(window.to).toISOString(),
      table,
      bus,
      scanned: summary.scanned ?? 0,
      found: summary.results.length,
      published: summary.counts.published,
      parked: summary.counts.parked,
    },
  };
}

/**
 * Reads a batch's records again, or says they are gone: the service said so (trimmed, shard or stream gone, iterator
 * expired) or the range came back empty (an empty range is what a trimmed one looks like to a lenient endpoint).
 */
async function readOrGone(target: OpsTarget, batch: StreamBatchInfo): Promise<_Record[] | RecordsGoneError> {
  try {
    const raw = await readBatchRecords(target.streams, batch);
    return raw.length > 0 ? raw : recordsGone(batch, 'NoRecords');
  } catch (error) {
    if (isRecordsGone(error))
      return error instanceof RecordsGoneError ? error : recordsGone(batch, (error as Error).name);
    throw error;
  }
}

async function replayStream(
  target: OpsTarget,
  functionName: string,
  batch: StreamBatchInfo,
  queue: QueueRef,
): Promise<Executed> {
  const raw = await readOrGone(target, batch);
  if (raw instanceof RecordsGoneError) return republishBatchWindow(target, batch, queue, raw);
  const mapping = mappingFor(await target.streamMappings(), functionName, batch.streamArn);
  if (!mapping) {
    // Without the mapping's filter every write in the range would reach the function: refuse rather than guess.
    throw new Error(`no event source mapping of ${functionName} on ${batch.streamArn} (deleted or renamed?)`);
  }
  const records = filterRecords(
    raw.map((r) => toLambdaRecord(r, mapping.eventSourceArn)),
    mapping.filters,
  );
  if (records.length === 0) {
    throw new Error(`none of the ${raw.length} record(s) in the range passes the mapping's filter`);
  }
  const size = Math.max(1, mapping.batchSize);
  for (let i = 0; i < records.length; i += size) {
    const chunk = records.slice(i, i + size);
    // Synchronously, as the mapping invokes: the answer says which records still fail.
    const response = await invoke(
      target,
      functionName,
      undefined,
      'RequestResponse',
      JSON.stringify({ Records: chunk }),
    );
    checkBatchResponse(functionName, response);
  }
  return { detail: `${records.length} record(s) processed by ${functionName} (${raw.length} in the range)` };
}

/**
 * A stream record carrying the parked payload, shaped like the outbox insert it came from: the relay reads only the
 * sequence number and the payload attribute, and answers whether it published it.
 */
export function syntheticOutboxRecord(
  sequenceNumber: string,
  payload: string,
  eventSourceArn: string,
): LambdaStreamRecord {
  let eventId = `redrive-${sequenceNumber}`;
  try {
    const id = (JSON.parse(payload) as { id?: unknown }).id;
    if (typeof id === 'string') eventId = id;
  } catch {
    // keep the fallback id
  }
  const key = keys.outbox(eventId);
  const Keys = { pk: { S: key.pk }, sk: { S: key.sk } };
  return {
    eventID: `redrive-${sequenceNumber}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: eventSourceArn.split(':')[3] ?? '',
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys,
      NewImage: { ...Keys, [OUTBOX_PAYLOAD_ATTRIBUTE]: { S: payload } },
      SequenceNumber: sequenceNumber,
      SizeBytes: Buffer.byteLength(payload),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: eventSourceArn,
  };
}

async function replayOutboxPayload(
  target: OpsTarget,
  queue: QueueRef,
  sequenceNumber: string,
  payload: string,
): Promise<string> {
  const mapping = (await target.streamMappings()).find((m) => m.onFailureArn === queue.arn);
  if (!mapping) throw new Error(`no stream mapping dead-letters into ${queue.name}: cannot tell which relay to use`);
  const record = syntheticOutboxRecord(sequenceNumber, payload, mapping.eventSourceArn);
  const response = await invoke(
    target,
    mapping.functionName,
    undefined,
    'RequestResponse',
    JSON.stringify({ Records: [record] }),
  );
  checkBatchResponse(mapping.functionName, response);
  return `handed to ${mapping.functionName}; if the deployed catalog still rejects it, the relay parks it again as a new message`;
}

async function queueUrlOf(target: OpsTarget, queueArn: string): Promise<string> {
  const [, , , , account, name] = queueArn.split(':');
  const out = await target.sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }));
  if (!out.QueueUrl) throw new Error(`queue ${queueArn} not found`);
  return out.QueueUrl;
}

export async function executePlan(target: OpsTarget, plan: RedrivePlan, queue: QueueRef): Promise<Executed> {
  const done = (detail: string): Executed => ({ detail });
  switch (plan.action) {
    case 'invoke': {
      await invoke(target, plan.functionName, plan.qualifier, plan.invocationType, plan.payload);
      return done(
        plan.invocationType === 'Event'
          ? `${plan.functionName} invoked asynchronously (accepted; its own retries and on-failure destination apply)`
          : `${plan.functionName} invoked and succeeded`,
      );
    }
    case 'send-message': {
      const url = await queueUrlOf(target, plan.queueArn);
      await target.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: plan.body }));
      return done(`sent to ${url}`);
    }
    case 'start-execution': {
      const out = await target.sfn.send(
        new StartExecutionCommand({ stateMachineArn: plan.stateMachineArn, input: plan.input }),
      );
      return done(`started ${out.executionArn}`);
    }
    case 'put-event': {
      const { event } = plan;
      const out = await target.events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: plan.eventBusArn,
              Source: event.source,
              DetailType: event['detail-type'],
              Detail: JSON.stringify(event.detail),
              Resources: event.resources,
            },
          ],
        }),
      );
      // PutEvents answers 200 even when the entry failed.
      const failed = out.Entries?.[0];
      if ((out.FailedEntryCount ?? 0) > 0 || failed?.ErrorCode) {
        throw new Error(`PutEvents failed the entry: ${failed?.ErrorCode}: ${failed?.ErrorMessage}`);
      }
      return done(`put on ${plan.eventBusArn} as ${failed?.EventId}`);
    }
    case 'replay-stream':
      return replayStream(target, plan.functionName, plan.batch, queue);
    case 'replay-outbox-payload':
      return done(await replayOutboxPayload(target, queue, plan.sequenceNumber, plan.payload));
    case 'skip':
      throw new Error(`not redrivable: ${plan.reason}`);
  }
}
