/**
 * What a message in one of our dead-letter queues is. Four shapes land there (see
 * lib/constructs/events/dead-letter-queues.ts), each written by a different part of AWS or of this app:
 *
 *  - `stream-batch`: the relay's stream mapping gave up on a batch. AWS writes only a pointer to the records
 *    (shard, first and last sequence number), never the records themselves.
 *  - `poison-outbox`: the relay parked an outbox record that is not a valid event (sqs-poison-sink.ts).
 *  - `eventbridge-target`: EventBridge could not deliver an event to a rule's target; the body is the event and
 *    the message attributes say which rule, which target and why.
 *  - `lambda-destination`: a function invoked asynchronously kept failing; Lambda's on-failure record holds the
 *    request payload and the function's error.
 *
 * Parsing is pure (no AWS calls) so it can be tested with recorded messages.
 */
import * as z from 'zod';

/** A message as read from the queue, whatever API read it. */
export interface RawDeadLetter {
  readonly messageId: string;
  readonly body: string;
  /** Message attributes (string values). */
  readonly attributes: Readonly<Record<string, string>>;
  /** When it was put in the dead-letter queue (epoch ms), if known. */
  readonly sentAt: number | undefined;
}

export interface StreamBatchInfo {
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly streamArn: string;
  readonly batchSize: number | undefined;
  /**
   * When the first and the last record of the batch reached the stream (ISO 8601, as AWS writes them). Once the
   * stream has dropped the records (24 hours), this window is what is left to find their outbox items by.
   */
  readonly approximateArrivalOfFirstRecord?: string;
  readonly approximateArrivalOfLastRecord?: string;
}

export type DeadLetterRecord =
  | {
      readonly kind: 'stream-batch';
      readonly functionArn: string;
      readonly functionName: string;
      readonly condition: string;
      readonly attempts: number | undefined;
      readonly batch: StreamBatchInfo;
    }
  | {
      readonly kind: 'poison-outbox';
      readonly error: string;
      readonly sequenceNumber: string;
      readonly payload: string | undefined;
    }
  | {
      readonly kind: 'eventbridge-target';
      readonly ruleArn: string;
      readonly targetArn: string;
      readonly errorCode: string | undefined;
      readonly errorMessage: string | undefined;
      /** Delivery attempts (EventBridge reports the retries: attempts = retries + 1). */
      readonly attempts: number | undefined;
      readonly event: EventBridgeEvent;
    }
  | {
      readonly kind: 'lambda-destination';
      readonly functionArn: string;
      readonly functionName: string;
      /** A version or alias; `$LATEST` is dropped (it is what an unqualified invoke runs). */
      readonly qualifier: string | undefined;
      readonly condition: string;
      readonly attempts: number | undefined;
      readonly requestPayload: unknown;
      readonly responsePayload: unknown;
    }
  | { readonly kind: 'unknown'; readonly reason: string };

export type DeadLetterKind = DeadLetterRecord['kind'];

export interface DeadLetter extends RawDeadLetter {
  readonly record: DeadLetterRecord;
}

const eventBridgeEvent = z.looseObject({
  id: z.string(),
  source: z.string(),
  'detail-type': z.string(),
  detail: z.unknown(),
  time: z.string().optional(),
  resources: z.array(z.string()).optional(),
});
export type EventBridgeEvent = z.infer<typeof eventBridgeEvent>;

const requestContext = z.looseObject({
  functionArn: z.string(),
  condition: z.string(),
  approximateInvokeCount: z.number().optional(),
});

/** https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html (on-failure destination record). */
const streamFailureRecord = z.looseObject({
  requestContext,
  responseContext: z.looseObject({ functionError: z.string().optional() }).optional(),
  DDBStreamBatchInfo: z.looseObject({
    shardId: z.string(),
    startSequenceNumber: z.string(),
    endSequenceNumber: z.string(),
    streamArn: z.string(),
    batchSize: z.number().optional(),
    approximateArrivalOfFirstRecord: z.string().optional(),
    approximateArrivalOfLastRecord: z.string().optional(),
  }),
});

/** https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html */
const destinationRecord = z.looseObject({
  requestContext,
  requestPayload: z.unknown(),
  responsePayload: z.unknown().optional(),
});

/** functions/platform/adapters/sqs-poison-sink.ts */
const poisonRecord = z.looseObject({
  kind: z.literal('PoisonOutboxRecord'),
  error: z.string(),
  sequenceNumber: z.string(),
  payload: z.string().optional(),
});

/** `arn:aws:lambda:r:a:function:name[:qualifier]` → name and qualifier. */
export function parseFunctionArn(arn: string): { functionName: string; qualifier: string | undefined } {
  const match = /(?:^|:)function:([^:]+)(?::([^:]+))?$/.exec(arn);
  if (!match?.[1]) return { functionName: arn, qualifier: undefined };
  const qualifier = match[2] && match[2] !== '$LATEST' ? match[2] : undefined;
  return { functionName: match[1], qualifier };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function intOrUndefined(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/** Classifies one message. Never throws: anything it does not recognise is `unknown` with the reason. */
export function classify(raw: RawDeadLetter): DeadLetter {
  return { ...raw, record: recordOf(raw) };
}

function recordOf(raw: RawDeadLetter): DeadLetterRecord {
  const body = parseJson(raw.body);
  const ruleArn = raw.attributes.RULE_ARN;
  const targetArn = raw.attributes.TARGET_ARN;
  // EventBridge dead letters are recognised by their attributes: the body is just the event.
  if (ruleArn && targetArn) {
    const event = eventBridgeEvent.safeParse(body);
    if (!event.success) return { kind: 'unknown', reason: 'an EventBridge dead letter whose body is not an event' };
    const retries = intOrUndefined(raw.attributes.RETRY_ATTEMPTS);
    return {
      kind: 'eventbridge-target',
      ruleArn,
      targetArn,
      errorCode: raw.attributes.ERROR_CODE,
      errorMessage: raw.attributes.ERROR_MESSAGE,
      attempts: retries === undefined ? undefined : retries + 1,
      event: event.data,
    };
  }
  if (body === undefined) return { kind: 'unknown', reason: 'the body is not JSON' };
  const poison = poisonRecord.safeParse(body);
  if (poison.success) {
    return {
      kind: 'poison-outbox',
      error: poison.data.error,
      sequenceNumber: poison.data.sequenceNumber,
      payload: poison.data.payload,
    };
  }
  const stream = streamFailureRecord.safeParse(body);
  if (stream.success) {
    const { requestContext: context, DDBStreamBatchInfo: batch } = stream.data;
    return {
      kind: 'stream-batch',
      functionArn: context.functionArn,
      functionName: parseFunctionArn(context.functionArn).functionName,
      condition: context.condition,
      attempts: context.approximateInvokeCount,
      batch: {
        shardId: batch.shardId,
        startSequenceNumber: batch.startSequenceNumber,
        endSequenceNumber: batch.endSequenceNumber,
        streamArn: batch.streamArn,
        batchSize: batch.batchSize,
        approximateArrivalOfFirstRecord: batch.approximateArrivalOfFirstRecord,
        approximateArrivalOfLastRecord: batch.approximateArrivalOfLastRecord,
      },
    };
  }
  const destination = destinationRecord.safeParse(body);
  if (destination.success && 'requestPayload' in destination.data) {
    const context = destination.data.requestContext;
    return {
      kind: 'lambda-destination',
      functionArn: context.functionArn,
      ...parseFunctionArn(context.functionArn),
      condition: context.condition,
      attempts: context.approximateInvokeCount,
      requestPayload: destination.data.requestPayload,
      responsePayload: destination.data.responsePayload,
    };
  }
  return {
    kind: 'unknown',
    reason:
      'not a stream on-failure record, poison outbox record, EventBridge dead letter or Lambda destination record',
  };
}

/** The error of a Lambda response payload (`{errorType, errorMessage}`), or a short form of whatever it is. */
function functionError(payload: unknown): string | undefined {
  if (payload === undefined || payload === null) return undefined;
  const parsed = z
    .looseObject({ errorType: z.string().optional(), errorMessage: z.string().optional() })
    .safeParse(payload);
  if (parsed.success && (parsed.data.errorType || parsed.data.errorMessage)) {
    return [parsed.data.errorType, parsed.data.errorMessage].filter(Boolean).join(': ');
  }
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** Why it is here, in one line. */
export function errorOf(record: DeadLetterRecord): string {
  switch (record.kind) {
    case 'stream-batch':
      // AWS records no error text for stream batches: the condition is all there is (the logs have the rest).
      return `${record.condition} (the function failed the batch; see its logs)`;
    case 'poison-outbox':
      return record.error;
    case 'eventbridge-target':
      return [record.errorCode, record.errorMessage].filter(Boolean).join(': ') || 'delivery failed';
    case 'lambda-destination': {
      const error = functionError(record.responsePayload);
      return error ? `${record.condition}: ${error}` : record.condition;
    }
    case 'unknown':
      return record.reason;
  }
}

/** How many times it was tried before it landed here. */
export function attemptsOf(record: DeadLetterRecord): number | undefined {
  switch (record.kind) {
    case 'poison-outbox':
      return 1; // parked at once: retrying cannot make it valid
    case 'unknown':
      return undefined;
    default:
      return record.attempts;
  }
}

/** Where it came from: the function, rule target or stream it failed at. */
export function originOf(record: DeadLetterRecord): string {
  switch (record.kind) {
    case 'stream-batch':
      return `${record.functionName} ← ${record.batch.streamArn} ${record.batch.shardId} ${record.batch.startSequenceNumber}..${record.batch.endSequenceNumber}`;
    case 'poison-outbox':
      return `outbox record ${record.sequenceNumber} (parked by the relay)`;
    case 'eventbridge-target':
      return `${lastSegment(record.ruleArn)} → ${lastSegment(record.targetArn)}`;
    case 'lambda-destination':
      return record.functionName + (record.qualifier ? `:${record.qualifier}` : '');
    case 'unknown':
      return 'unknown';
  }
}

/** What it carried: the event id/type when the payload is an event we know, for the one-line summary. */
export function subjectOf(record: DeadLetterRecord): string | undefined {
  const envelope = z.looseObject({ type: z.string(), subject: z.string() });
  const describe = (value: unknown) => {
    const parsed = envelope.safeParse(value);
    return parsed.success ? `${parsed.data.type} ${parsed.data.subject}` : undefined;
  };
  switch (record.kind) {
    case 'eventbridge-target':
      return describe(record.event.detail) ?? `${record.event['detail-type']} ${record.event.id}`;
    case 'lambda-destination': {
      const event = eventBridgeEvent.safeParse(record.requestPayload);
      return event.success ? (describe(event.data.detail) ?? event.data['detail-type']) : undefined;
    }
    case 'poison-outbox':
      return record.payload ? describe(parseJson(record.payload)) : undefined;
    case 'stream-batch':
      return record.batch.batchSize === undefined ? undefined : `${record.batch.batchSize} record(s)`;
    case 'unknown':
      return undefined;
  }
}

function lastSegment(arn: string): string {
  const afterAccount = arn.split(':').slice(5).join(':') || arn;
  const parts = afterAccount.split(/[/:]/);
  return parts[parts.length - 1] || arn;
}
