/**
 * Seams for fault injection (issue 4). The runtime consults a FaultInjector at the places where the cloud fails in
 * ways the product must survive; the default injects nothing. Each hook returns a decision (or undefined for "no
 * fault") and may be async, so a scenario can coordinate timing.
 */
import type { DynamoDbErrorAnswer } from './dynamodb/errors';
import type { TableSchemas } from './dynamodb/request-census';
import type { PartitionUse, RequestItem } from './dynamodb/request-items';

export type MaybePromise<T> = T | Promise<T>;

export interface LambdaInvokeContext {
  readonly functionName: string;
  /** What triggered the invocation. */
  readonly trigger: 'api' | 'invoke-api' | 'async' | 'stream' | 'sqs' | 'stepfunctions' | 'redrive';
  /** For Step Functions tasks: the state machine and the Task state name. */
  readonly stateMachineName?: string;
  readonly stateName?: string;
  readonly executionName?: string;
  readonly requestId: string;
}

export interface LambdaFault {
  /** Wait this long before the invocation starts. */
  readonly delayMs?: number;
  /** Fail the invocation without running the handler, as if the handler had thrown this error. */
  readonly error?: { readonly errorType: string; readonly errorMessage: string };
}

/** Decided once the handler returned successfully (its writes are committed): the invocation fails anyway. */
export interface LambdaAfterFault {
  /**
   * `exit`: the execution environment dies (its worker is ended; the caller gets `Runtime.ExitError`).
   * `lost-response`: the caller never gets the result (a service error the trigger reports or retries).
   */
  readonly crash: 'exit' | 'lost-response';
}

export interface DynamoDbRequestContext {
  /** `PutItem`, `TransactWriteItems`, ... (from `X-Amz-Target`). */
  readonly operation: string;
  /** The function whose access key signed the request; undefined for anything else (tests, scripts, the runtime). */
  readonly functionName: string | undefined;
  /** The items the request names, in request order (worked out on first use). */
  readonly items: readonly RequestItem[];
  /** The tables of the template: keys, indexes, ARN and billing mode. */
  readonly tables: TableSchemas;
}

export interface DynamoDbOutcome {
  /** DynamoDB Local answered with a 2xx. */
  readonly ok: boolean;
  readonly responseBytes: number;
}

export interface DynamoDbFault {
  /** Answer with this error; the request never reaches DynamoDB Local. */
  readonly error?: DynamoDbErrorAnswer;
  /** Capacity units the request used per partition (the partition model), for the metrics. */
  readonly consumed?: readonly PartitionUse[];
  /** The partition whose capacity refused the request (the partition model), for the metrics. */
  readonly throttled?: PartitionUse;
  /** Called once DynamoDB Local answered a forwarded request; may return more units used (known only then). */
  readonly done?: (outcome: DynamoDbOutcome) => readonly PartitionUse[] | undefined;
}

export interface PutEventsEntryContext {
  readonly index: number;
  readonly busName: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
}

export interface PutEventsEntryFault {
  /** Fail this entry with this error code (e.g. `InternalFailure`), as PutEvents does partially. */
  readonly errorCode: string;
  readonly errorMessage?: string;
}

export interface EventDeliveryContext {
  readonly eventId: string;
  readonly busName: string;
  readonly ruleName: string;
  readonly targetId: string;
  readonly targetArn: string;
  readonly attempt: number;
  readonly event: Readonly<Record<string, unknown>>;
}

export interface EventDeliveryFault {
  /** Deliver this many extra copies (at-least-once delivery). */
  readonly duplicates?: number;
  /** Hold the delivery this long (later deliveries can overtake it: reordering). */
  readonly delayMs?: number;
  /** Treat the target as unavailable: a delivery failure, retried per the RetryPolicy, then dead-lettered. */
  readonly unavailable?: boolean;
}

export interface StreamBatchContext {
  readonly functionName: string;
  readonly mappingId: string;
  readonly shardId: string;
  readonly records: readonly unknown[];
}

export interface StreamBatchFault {
  /** Invoke the function with the same batch this many extra times (duplicate delivery). */
  readonly duplicates?: number;
}

export interface FaultInjector {
  beforeLambdaInvoke?(context: LambdaInvokeContext): MaybePromise<LambdaFault | undefined>;
  /** Consulted only when the handler returned successfully. */
  afterLambdaInvoke?(context: LambdaInvokeContext): MaybePromise<LambdaAfterFault | undefined>;
  /** Every request to DynamoDB through the counting proxy (the functions' and the state machines' requests). */
  dynamodbRequest?(context: DynamoDbRequestContext): MaybePromise<DynamoDbFault | undefined>;
  putEventsEntry?(context: PutEventsEntryContext): MaybePromise<PutEventsEntryFault | undefined>;
  eventDelivery?(context: EventDeliveryContext): MaybePromise<EventDeliveryFault | undefined>;
  streamBatch?(context: StreamBatchContext): MaybePromise<StreamBatchFault | undefined>;
}

/** Injects nothing. */
export const NO_FAULTS: FaultInjector = Object.freeze({});
