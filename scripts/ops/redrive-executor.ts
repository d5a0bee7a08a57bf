/**
 * Carries out a redrive plan against a target (AWS or the local runtime, same SDK calls). Each function either
 * returns a short account of what it did or throws: the caller deletes the dead letter only when it returned.
 */

import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { OUTBOX_PAYLOAD_ATTRIBUTE } from '../../functions/shared/ddb/outbox';
import { keys } from '../../functions/shared/table/layout';
import type { StreamBatchInfo } from './dead-letter';
import type { RedrivePlan } from './redrive-plan';
import { filterRecords, type LambdaStreamRecord, readBatchRecords, toLambdaRecord } from './stream-replay';
import type { OpsTarget, QueueRef, StreamMappingRef } from './target';

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

async function replayStream(target: OpsTarget, functionName: string, batch: StreamBatchInfo): Promise<string> {
  const mapping = mappingFor(await target.streamMappings(), functionName, batch.streamArn);
  if (!mapping) {
    // Without the mapping's filter every write in the range would reach the function: refuse rather than guess.
    throw new Error(`no event source mapping of ${functionName} on ${batch.streamArn} (deleted or renamed?)`);
  }
  const raw = await readBatchRecords(target.streams, batch);
  if (raw.length === 0) {
    throw new Error(
      `the records ${batch.startSequenceNumber}..${batch.endSequenceNumber} are no longer in the stream (kept 24 hours)`,
    );
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
  return `${records.length} record(s) processed by ${functionName} (${raw.length} in the range)`;
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

export async function executePlan(target: OpsTarget, plan: RedrivePlan, queue: QueueRef): Promise<string> {
  switch (plan.action) {
    case 'invoke': {
      await invoke(target, plan.functionName, plan.qualifier, plan.invocationType, plan.payload);
      return plan.invocationType === 'Event'
        ? `${plan.functionName} invoked asynchronously (accepted; its own retries and on-failure destination apply)`
        : `${plan.functionName} invoked and succeeded`;
    }
    case 'send-message': {
      const url = await queueUrlOf(target, plan.queueArn);
      await target.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: plan.body }));
      return `sent to ${url}`;
    }
    case 'start-execution': {
      const out = await target.sfn.send(
        new StartExecutionCommand({ stateMachineArn: plan.stateMachineArn, input: plan.input }),
      );
      return `started ${out.executionArn}`;
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
      return `put on ${plan.eventBusArn} as ${failed?.EventId}`;
    }
    case 'replay-stream':
      return replayStream(target, plan.functionName, plan.batch);
    case 'replay-outbox-payload':
      return replayOutboxPayload(target, queue, plan.sequenceNumber, plan.payload);
    case 'skip':
      throw new Error(`not redrivable: ${plan.reason}`);
  }
}
