/**
 * The Lambda service of the local runtime: synchronous invoke (API, Step Functions, Invoke API, stream
 * mappings) and asynchronous invoke (EventBridge targets, `InvocationType: Event`) with the retries,
 * maximum event age and destinations of `AWS::Lambda::EventInvokeConfig`.
 */
import { randomUUID } from 'node:crypto';
import { functionNameFrom } from '../arn';
import type { FaultInjector, LambdaAfterFault, LambdaInvokeContext } from '../faults';
import { type LogSink, runtimeLine } from '../logs';
import type { Metrics } from '../metrics';
import type { Journal } from '../persist/journal';
import type { EventInvokeConfigDef, FunctionDef } from '../template/model';
import { StoppableTimers } from '../timers';
import { FunctionPool, type LambdaError } from './pool';

export interface InvocationResult {
  readonly requestId: string;
  readonly ok: boolean;
  /** The response payload as JSON text: the handler's result, or the error object when `ok` is false. */
  readonly payload: string;
  readonly error?: LambdaError;
  readonly durationMs: number;
  readonly timedOut: boolean;
  /** The invocation never ran: the function is throttled (reserved concurrency 0). */
  readonly throttled: boolean;
  /** The handler ran, but its response was lost (an injected fault): a service error, not a function error. */
  readonly lostResponse?: boolean;
}

export interface InvokeOptions {
  readonly trigger: LambdaInvokeContext['trigger'];
  readonly requestId?: string;
  readonly stateMachineName?: string;
  readonly stateName?: string;
  readonly executionName?: string;
  readonly clientContext?: unknown;
}

/** Sends a destination record or dead letter to an SQS queue, function, event bus ... by ARN. */
export type DestinationSender = (arn: string, body: string, attributes?: Record<string, string>) => Promise<void>;

export interface AsyncInvocation {
  readonly requestId: string;
  readonly functionName: string;
  readonly payload: string;
  readonly enqueuedAt: number;
  attempts: number;
}

export interface LambdaHostOptions {
  readonly functions: readonly FunctionDef[];
  readonly invokeConfigs: readonly EventInvokeConfigDef[];
  readonly maxWorkersPerFunction: number;
  /** Variables every function gets (Lambda variables, endpoints, credentials), before its own. */
  readonly baseEnv: (def: FunctionDef) => Record<string, string>;
  readonly log: LogSink;
  readonly metrics: Metrics;
  readonly faults: FaultInjector;
  /** Waits between asynchronous retries; AWS waits about 1 then 2 minutes. */
  readonly asyncRetryDelaysMs: readonly number[];
  readonly sendToDestination: DestinationSender;
  readonly journal: Journal<AsyncInvocation>;
}

export class FunctionNotFoundError extends Error {
  override name = 'ResourceNotFoundException';
  constructor(readonly functionName: string) {
    super(`Function not found: ${functionName}`);
  }
}

export class LambdaHost {
  private readonly defs = new Map<string, FunctionDef>();
  private readonly pools = new Map<string, FunctionPool>();
  private readonly configs = new Map<string, EventInvokeConfigDef>();
  private readonly timers = new StoppableTimers();
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(private readonly options: LambdaHostOptions) {
    for (const def of options.functions) this.defs.set(def.name, def);
    for (const config of options.invokeConfigs) this.configs.set(config.functionName, config);
  }

  get functions(): FunctionDef[] {
    return [...this.defs.values()];
  }

  /** Finds a function by name, ARN, partial ARN or `name:qualifier`. */
  find(nameOrArn: string): FunctionDef | undefined {
    return this.defs.get(functionNameFrom(nameOrArn));
  }

  pool(def: FunctionDef): FunctionPool {
    let pool = this.pools.get(def.name);
    if (!pool) {
      const cap =
        def.reservedConcurrency === undefined
          ? this.options.maxWorkersPerFunction
          : Math.min(def.reservedConcurrency, this.options.maxWorkersPerFunction);
      pool = new FunctionPool(def, {
        maxWorkers: Math.max(1, cap),
        env: { ...this.options.baseEnv(def), ...def.environment, ...LOCAL_ENV_OVERRIDES },
        log: this.options.log,
        metrics: this.options.metrics,
      });
      this.pools.set(def.name, pool);
    }
    return pool;
  }

  /** Synchronous (RequestResponse) invocation; `eventJson` is the payload as JSON text, as Lambda receives it. */
  async invoke(nameOrArn: string, eventJson: string, options: InvokeOptions): Promise<InvocationResult> {
    const def = this.find(nameOrArn);
    if (!def) throw new FunctionNotFoundError(nameOrArn);
    const requestId = options.requestId ?? randomUUID();
    if (def.reservedConcurrency === 0) {
      return refused(requestId, { errorType: 'TooManyRequestsException', errorMessage: 'Rate Exceeded.' }, true);
    }
    const context: LambdaInvokeContext = {
      functionName: def.name,
      trigger: options.trigger,
      stateMachineName: options.stateMachineName,
      stateName: options.stateName,
      executionName: options.executionName,
      requestId,
    };
    const fault = await this.options.faults.beforeLambdaInvoke?.(context);
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.error) {
      this.options.metrics.invocation(def.name, 0, 'error');
      const error = { errorType: fault.error.errorType, errorMessage: fault.error.errorMessage, trace: [] };
      return refused(requestId, error, false);
    }
    // After a successful handler, an injected crash: the environment dies, or the response is lost.
    let crash: LambdaAfterFault['crash'] | undefined;
    const exitAfter = async () => {
      crash = (await this.options.faults.afterLambdaInvoke?.(context))?.crash;
      return crash === 'exit';
    };
    const work = this.pool(def).invoke(eventJson, requestId, options.clientContext, exitAfter);
    this.inFlight.add(work);
    const outcome = await work.finally(() => this.inFlight.delete(work));
    if (outcome.ok && crash === 'lost-response') {
      this.options.metrics.invocation(def.name, outcome.durationMs, 'error');
      const error = lostResponseError(options.trigger, requestId);
      return { ...refused(requestId, error, false), durationMs: outcome.durationMs, lostResponse: true };
    }
    this.options.metrics.invocation(
      def.name,
      outcome.durationMs,
      outcome.ok ? 'ok' : outcome.kind === 'timeout' ? 'timeout' : 'error',
    );
    if (!outcome.ok && outcome.error.errorType !== 'Runtime.Shutdown') {
      // As the Lambda Node.js runtime logs an invocation error.
      this.options.log({
        fn: def.name,
        timestamp: new Date().toISOString(),
        level: 'ERROR',
        requestId,
        message: outcome.kind === 'timeout' ? outcome.error.errorMessage : 'Invoke Error',
        errorType: outcome.error.errorType,
        errorMessage: outcome.error.errorMessage,
        stackTrace: outcome.error.trace ?? [],
      });
    }
    if (outcome.ok) {
      return {
        requestId,
        ok: true,
        payload: outcome.payload,
        durationMs: outcome.durationMs,
        timedOut: false,
        throttled: false,
      };
    }
    return {
      requestId,
      ok: false,
      payload: JSON.stringify(outcome.error),
      error: outcome.error,
      durationMs: outcome.durationMs,
      timedOut: outcome.kind === 'timeout',
      throttled: false,
    };
  }

  /**
   * Asynchronous (Event) invocation: queued, retried per the function's EventInvokeConfig, then sent to its
   * on-failure destination (or its dead-letter queue). Returns the request id at once.
   */
  invokeAsync(nameOrArn: string, eventJson: string, requestId: string = randomUUID()): string {
    const def = this.find(nameOrArn);
    if (!def) throw new FunctionNotFoundError(nameOrArn);
    const item: AsyncInvocation = {
      requestId,
      functionName: def.name,
      payload: eventJson,
      enqueuedAt: Date.now(),
      attempts: 0,
    };
    this.options.journal.add(requestId, item);
    this.track(this.runAsync(item, true));
    return requestId;
  }

  /**
   * Invokes asynchronously with the function's retries but no destination, and resolves with the final
   * outcome: the redrive of a dead letter removes the message only when this succeeds.
   */
  redriveAsync(nameOrArn: string, eventJson: string): Promise<InvocationResult> {
    const def = this.find(nameOrArn);
    if (!def) return Promise.reject(new FunctionNotFoundError(nameOrArn));
    const item: AsyncInvocation = {
      requestId: randomUUID(),
      functionName: def.name,
      payload: eventJson,
      enqueuedAt: Date.now(),
      attempts: 0,
    };
    return this.runAsync(item, false);
  }

  /** Re-queues the asynchronous invocations that were pending when the runtime last stopped (`--persist`). */
  resumePending(): number {
    const pending = this.options.journal.pending();
    for (const [, item] of pending) {
      if (!this.defs.has(item.functionName)) {
        this.options.journal.done(item.requestId);
        continue;
      }
      this.track(this.runAsync({ ...item }, true));
    }
    return pending.length;
  }

  async recycle(functionName?: string): Promise<void> {
    const pools = functionName ? [this.pools.get(functionName)] : [...this.pools.values()];
    await Promise.all(pools.map((p) => p?.recycle()));
  }

  poolStats(): Record<string, ReturnType<FunctionPool['stats']>> {
    return Object.fromEntries([...this.pools].map(([name, pool]) => [name, pool.stats()]));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.stopAll();
    await Promise.all([...this.pools.values()].map((pool) => pool.stop()));
    await Promise.allSettled([...this.inFlight]);
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async runAsync(item: AsyncInvocation, withDestinations: boolean): Promise<InvocationResult> {
    const config = this.configs.get(item.functionName);
    const maxRetries = config?.maximumRetryAttempts ?? 2;
    const maxAgeMs = (config?.maximumEventAgeSeconds ?? 21_600) * 1000;
    for (;;) {
      item.attempts += 1;
      const result = await this.invoke(item.functionName, item.payload, {
        trigger: 'async',
        requestId: item.requestId,
      });
      if (this.stopped) return result;
      if (result.ok) {
        if (withDestinations) {
          if (config?.onSuccessArn) await this.deliverRecord(config.onSuccessArn, item, result, 'Success');
          this.options.journal.done(item.requestId);
        }
        return result;
      }
      const retryIndex = item.attempts - 1;
      const delay =
        this.options.asyncRetryDelaysMs[retryIndex] ??
        this.options.asyncRetryDelaysMs[this.options.asyncRetryDelaysMs.length - 1] ??
        0;
      const tooOld = Date.now() + delay - item.enqueuedAt > maxAgeMs;
      if (item.attempts <= maxRetries && !tooOld) {
        await this.timers.sleep(delay);
        if (this.stopped) return result;
        continue;
      }
      if (withDestinations) {
        await this.fail(item, result, tooOld && item.attempts <= maxRetries ? 'EventAgeExceeded' : 'RetriesExhausted');
        this.options.journal.done(item.requestId);
      }
      return result;
    }
  }

  private async fail(item: AsyncInvocation, result: InvocationResult, condition: string): Promise<void> {
    const def = this.defs.get(item.functionName);
    const onFailure = this.configs.get(item.functionName)?.onFailureArn;
    if (onFailure) {
      await this.deliverRecord(onFailure, item, result, condition);
      return;
    }
    if (def?.deadLetterArn) {
      try {
        await this.options.sendToDestination(def.deadLetterArn, item.payload, {
          RequestID: item.requestId,
          ErrorCode: '200',
          ErrorMessage: (result.error?.errorMessage ?? '').slice(0, 1024),
        });
      } catch (error) {
        this.options.log(
          runtimeLine('ERROR', `could not dead-letter ${item.functionName} ${item.requestId}: ${String(error)}`),
        );
      }
      return;
    }
    this.options.log(
      runtimeLine(
        'WARN',
        `asynchronous invocation of ${item.functionName} failed ${item.attempts} times and was dropped (no destination)`,
        {
          requestId: item.requestId,
          error: result.error,
        },
      ),
    );
  }

  /** The AWS destination record: https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html */
  private async deliverRecord(
    arn: string,
    item: AsyncInvocation,
    result: InvocationResult,
    condition: string,
  ): Promise<void> {
    const def = this.defs.get(item.functionName);
    const record = {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: item.requestId,
        functionArn: `${def?.arn ?? item.functionName}:$LATEST`,
        condition,
        approximateInvokeCount: item.attempts,
      },
      requestPayload: JSON.parse(item.payload) as unknown,
      responseContext: result.ok
        ? { statusCode: 200, executedVersion: '$LATEST' }
        : { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: JSON.parse(result.payload) as unknown,
    };
    try {
      await this.options.sendToDestination(arn, JSON.stringify(record));
    } catch (error) {
      this.options.log(
        runtimeLine(
          'ERROR',
          `could not send the ${condition} record of ${item.functionName} to ${arn}: ${String(error)}`,
        ),
      );
    }
  }
}

/**
 * Differences from the deployed environment, applied on top of the function's own variables.
 * Powertools Tracer needs the X-Ray daemon, which does not run locally; the SDK's Node 20 notice is noise
 * because the functions run on Node 22 in AWS.
 */
export const LOCAL_ENV_OVERRIDES: Readonly<Record<string, string>> = {
  POWERTOOLS_TRACE_ENABLED: 'false',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/**
 * The error of an invocation whose response was lost (an injected fault): for a Step Functions task, what the Lambda
 * integration reports when Lambda's answer never comes (its client times out); for the other triggers, a Lambda
 * service error, which they retry (async invocations, stream and queue batches) or answer with a 5xx.
 */
function lostResponseError(trigger: InvokeOptions['trigger'], requestId: string): LambdaError {
  if (trigger === 'stepfunctions') {
    return {
      errorType: 'Lambda.ClientExecutionTimeoutException',
      errorMessage: `Client execution did not complete before the specified timeout configuration (the response of ${requestId} was lost)`,
    };
  }
  return {
    errorType: 'Lambda.ServiceException',
    errorMessage: `The response of ${requestId} was lost after the function returned (injected fault)`,
  };
}

/** An invocation that never reached the function (throttled, or failed by an injected fault): no duration. */
function refused(requestId: string, error: LambdaError, throttled: boolean): InvocationResult {
  return { requestId, ok: false, payload: JSON.stringify(error), error, durationMs: 0, timedOut: false, throttled };
}
