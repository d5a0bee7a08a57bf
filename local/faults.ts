/**
 * Seams for fault injection (issue 4). The runtime consults a FaultInjector at the four places where the
 * cloud fails in ways the product must survive; the default injects nothing. Each hook returns a decision
 * (or undefined for "no fault") and may be async, so a scenario can coordinate timing.
 */

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
  putEventsEntry?(context: PutEventsEntryContext): MaybePromise<PutEventsEntryFault | undefined>;
  eventDelivery?(context: EventDeliveryContext): MaybePromise<EventDeliveryFault | undefined>;
  streamBatch?(context: StreamBatchContext): MaybePromise<StreamBatchFault | undefined>;
}

/** Injects nothing. */
export const NO_FAULTS: FaultInjector = Object.freeze({});
