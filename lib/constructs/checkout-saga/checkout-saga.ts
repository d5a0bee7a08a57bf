/**
 * The checkout saga: a STANDARD state machine, one execution per order (named after it), built from the steps the
 * domains hand in. Forward: ReserveInventory -> AuthorizePayment -> ConfirmOrder. Every forward step catches into
 * the compensation that undoes what happened before it, and the compensations unwind in reverse:
 * VoidPayment -> ReleaseInventory -> CancelOrder (with a reason). A customer's cancellation of a confirmed order
 * starts the same machine with action "cancel", which runs the same compensations.
 *
 * Compensations retry with backoff and jitter and have no Catch: one that still fails ends the execution FAILED at
 * that state, where an alarm fires, the failure is recorded on the order, and `RedriveExecution` resumes it.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  Choice,
  Condition,
  DefinitionBody,
  type IChainable,
  JitterType,
  JsonPath,
  LogLevel,
  Pass,
  Result,
  type RetryProps,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { SAGA_ERRORS } from '../../../functions/shared/errors';
import type { CancelReason } from '../../../functions/shared/events/catalog';
import { acknowledgeStateMachineRole } from '../../nag-suppressions';

export interface CheckoutSagaSteps {
  readonly reserveInventory: IFunction;
  readonly authorizePayment: IFunction;
  readonly confirmOrder: IFunction;
  readonly voidPayment: IFunction;
  readonly releaseInventory: IFunction;
  readonly cancelOrder: IFunction;
}

export interface CheckoutSagaProps {
  readonly steps: CheckoutSagaSteps;
  /**
   * Longer than the worst retry budget (forward retries plus three compensations retrying with 10-second function
   * timeouts is about 11 minutes), so a slowly recovering compensation finishes instead of timing out mid-chain.
   * @default 30 minutes
   */
  readonly timeout?: Duration;
}

/** State names, defined once: the console, the local inspector and fault injection refer to them. */
/** The state machine's own timeout (see CheckoutSagaProps.timeout). */
export const SAGA_TIMEOUT = Duration.minutes(30);

export const SAGA_STATES = {
  route: 'Route',
  reserveInventory: 'ReserveInventory',
  authorizePayment: 'AuthorizePayment',
  confirmOrder: 'ConfirmOrder',
  confirmed: 'OrderConfirmed',
  voidPayment: 'VoidPayment',
  releaseInventory: 'ReleaseInventory',
  cancelOrder: 'CancelOrder',
  cancelled: 'OrderCancelled',
  reason: (reason: CancelReason) => `Reason_${reason}`,
} as const;

/**
 * Errors worth retrying in a forward step: our TransientError, Lambda's own transient failures, and a step whose
 * runtime died (`Runtime.ExitError`, `Lambda.Unknown`: it may have committed before it died; every step is
 * idempotent, so running it again finds its own work done).
 */
export const TRANSIENT_ERRORS = [
  SAGA_ERRORS.transient,
  'Runtime.ExitError',
  'Lambda.Unknown',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
  'Sandbox.Timedout',
  'States.Timeout',
];

export const FORWARD_RETRY: RetryProps = {
  errors: TRANSIENT_ERRORS,
  interval: Duration.seconds(1),
  backoffRate: 2,
  maxAttempts: 4,
  maxDelay: Duration.seconds(8),
  jitterStrategy: JitterType.FULL,
};

/** A compensation that finds the order confirmed is not retried: the saga ends as confirmed (see the Catch). */
export const NO_RETRY_WHEN_CONFIRMED: RetryProps = { errors: [SAGA_ERRORS.orderAlreadyConfirmed], maxAttempts: 0 };

export const COMPENSATION_RETRY: RetryProps = {
  errors: ['States.ALL'],
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 6,
  maxDelay: Duration.seconds(30),
  jitterStrategy: JitterType.FULL,
};

export class CheckoutSaga extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: CheckoutSagaProps) {
    super(scope, id);
    const { steps } = props;

    const step = (name: string, fn: IFunction, withReason: boolean) =>
      new LambdaInvoke(this, name, {
        lambdaFunction: fn,
        payload: TaskInput.fromObject({
          action: JsonPath.stringAt('$.action'),
          orderId: JsonPath.stringAt('$.orderId'),
          customerId: JsonPath.stringAt('$.customerId'),
          lines: JsonPath.listAt('$.lines'),
          totalCents: JsonPath.numberAt('$.totalCents'),
          currency: JsonPath.stringAt('$.currency'),
          correlationId: JsonPath.stringAt('$.correlationId'),
          executionName: JsonPath.executionName,
          ...(withReason ? { reason: JsonPath.stringAt('$.reason') } : {}),
        }),
        resultSelector: { 'output.$': '$.Payload' },
        resultPath: `$.${name}Result`,
        retryOnServiceExceptions: false,
        taskTimeout: Timeout.duration(Duration.seconds(30)),
      });

    // Compensations, in reverse order of the forward steps. Each refuses to undo a CONFIRMED order unless the
    // customer asked (OrderAlreadyConfirmed): a confirmation that committed and then reported a failure (a crash, a
    // lost response) is recognised as done and the execution ends as confirmed, never compensated.
    const confirmed = new Succeed(this, SAGA_STATES.confirmed);
    const compensation = (name: string, fn: IFunction) =>
      step(name, fn, true)
        .addRetry(NO_RETRY_WHEN_CONFIRMED)
        .addRetry(COMPENSATION_RETRY)
        .addCatch(confirmed, { errors: [SAGA_ERRORS.orderAlreadyConfirmed], resultPath: '$.error' });
    const cancelOrder = compensation(SAGA_STATES.cancelOrder, steps.cancelOrder);
    const releaseInventory = compensation(SAGA_STATES.releaseInventory, steps.releaseInventory);
    const voidPayment = compensation(SAGA_STATES.voidPayment, steps.voidPayment);
    voidPayment.next(releaseInventory).next(cancelOrder).next(new Succeed(this, SAGA_STATES.cancelled));

    // One Pass state per reason records why the order is being cancelled, then enters the compensations where there
    // is something to undo: nothing was paid after OUT_OF_STOCK or PAYMENT_DECLINED, so those skip VoidPayment.
    const reason = (value: CancelReason, next: IChainable) =>
      new Pass(this, SAGA_STATES.reason(value), { result: Result.fromString(value), resultPath: '$.reason' }).next(
        next,
      );
    const outOfStock = reason('OUT_OF_STOCK', releaseInventory);
    const paymentDeclined = reason('PAYMENT_DECLINED', releaseInventory);
    const paymentFailed = reason('PAYMENT_FAILED', voidPayment);
    const customerRequest = reason('CUSTOMER_REQUEST', voidPayment);
    const systemError = reason('SYSTEM_ERROR', voidPayment);
    const catching = { resultPath: '$.error' };

    // Forward steps, each catching into the compensation that undoes what came before it.
    // Reserve and authorize also check the customer's cancellation first: a cancelled order is never reserved or
    // charged after the request was recorded.
    const reserveInventory = step(SAGA_STATES.reserveInventory, steps.reserveInventory, false)
      .addRetry(FORWARD_RETRY)
      .addCatch(outOfStock, { ...catching, errors: [SAGA_ERRORS.outOfStock] })
      .addCatch(customerRequest, { ...catching, errors: [SAGA_ERRORS.cancellationRequested] })
      .addCatch(systemError, { ...catching, errors: ['States.ALL'] });
    const authorizePayment = step(SAGA_STATES.authorizePayment, steps.authorizePayment, false)
      .addRetry(FORWARD_RETRY)
      .addCatch(paymentDeclined, { ...catching, errors: [SAGA_ERRORS.paymentDeclined] })
      .addCatch(customerRequest, { ...catching, errors: [SAGA_ERRORS.cancellationRequested] })
      .addCatch(paymentFailed, { ...catching, errors: ['States.ALL'] });
    const confirmOrder = step(SAGA_STATES.confirmOrder, steps.confirmOrder, false)
      .addRetry(FORWARD_RETRY)
      .addCatch(customerRequest, { ...catching, errors: [SAGA_ERRORS.cancellationRequested] })
      .addCatch(systemError, { ...catching, errors: ['States.ALL'] });
    reserveInventory.next(authorizePayment).next(confirmOrder).next(confirmed);

    // A customer's cancellation of a confirmed order enters the same compensations.
    const definition = new Choice(this, SAGA_STATES.route)
      .when(Condition.stringEquals('$.action', 'cancel'), customerRequest)
      .otherwise(reserveInventory);

    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${scope.node.path.replace(/\//g, '-')}-checkout`,
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(definition),
      timeout: props.timeout ?? SAGA_TIMEOUT,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: true },
      comment: 'Checkout saga: reserve -> authorize -> confirm, compensations in reverse',
    });
    acknowledgeStateMachineRole(this.stateMachine, Object.values(steps));
  }
}
