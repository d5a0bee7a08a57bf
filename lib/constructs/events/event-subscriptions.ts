/**
 * One EventBridge rule per subscription in functions/shared/events/subscriptions.ts (the pattern comes from the
 * event catalog), plus the rule that hands failed checkout executions to their recorder.
 *
 * Two failure paths, each with a dead-letter queue:
 *  - delivery: EventBridge could not invoke the function (throttled, unavailable): the target's retry policy, then
 *    the target's DLQ;
 *  - processing: the function ran and threw: Lambda's asynchronous retries, then its on-failure destination (the
 *    same queue), which keeps the event together with the error.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { type IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { STEP_FUNCTIONS_STATUS_CHANGE } from '../../../functions/shared/events/aws-events';
import { SUBSCRIPTIONS, subscriptionPattern } from '../../../functions/shared/events/subscriptions';

export type SubscriptionKey = keyof typeof SUBSCRIPTIONS;

/** Retry settings of every event target (exported for the infra tests and the README). */
export const DELIVERY_RETRY = { retryAttempts: 185, maxEventAge: Duration.hours(24) } as const;
export const PROCESSING_RETRY = { retryAttempts: 2, maxEventAge: Duration.hours(6) } as const;

export interface EventSubscriptionsProps {
  readonly bus: IEventBus;
  readonly consumers: Record<SubscriptionKey, IFunction>;
  readonly deadLetterQueues: Record<SubscriptionKey | 'sagaFailureRecorder', IQueue>;
  readonly checkoutStateMachine: IStateMachine;
  readonly sagaFailureRecorder: IFunction;
}

export class EventSubscriptions extends Construct {
  readonly rules: Record<SubscriptionKey | 'sagaFailures', Rule>;

  constructor(scope: Construct, id: string, props: EventSubscriptionsProps) {
    super(scope, id);
    const subscribe = (
      ruleId: string,
      rule: Omit<ConstructorParameters<typeof Rule>[2], 'targets'>,
      fn: IFunction,
      dlq: IQueue,
    ) => {
      fn.configureAsyncInvoke({ ...PROCESSING_RETRY, onFailure: new SqsDestination(dlq) });
      // The queue's own policy (stateful stack) admits this stage's rules; an imported reference keeps the target
      // from writing a second policy into the other stack.
      const deadLetterQueue = Queue.fromQueueArn(this, `${ruleId}DeadLetterQueue`, dlq.queueArn);
      return new Rule(this, ruleId, {
        ...rule,
        targets: [new LambdaFunction(fn, { ...DELIVERY_RETRY, deadLetterQueue })],
      });
    };
    const rules: Partial<Record<SubscriptionKey | 'sagaFailures', Rule>> = {};
    for (const key of Object.keys(SUBSCRIPTIONS) as SubscriptionKey[]) {
      const subscription = SUBSCRIPTIONS[key];
      const pattern = subscriptionPattern(subscription);
      rules[key] = subscribe(
        subscription.id,
        {
          eventBus: props.bus,
          description: subscription.description,
          eventPattern: { source: pattern.source, detailType: pattern['detail-type'], detail: pattern.detail },
        },
        props.consumers[key],
        props.deadLetterQueues[key],
      );
    }
    // Step Functions sends status changes to the account's default bus. The rule is named after the stack, so the
    // dead-letter queue's policy (which admits this stage's default-bus rules by name prefix) matches it exactly.
    rules.sagaFailures = subscribe(
      'SagaFailures',
      {
        ruleName: `${Stack.of(this).stackName}-SagaFailures`,
        description: 'Failed, timed-out or aborted checkout executions',
        eventPattern: {
          source: [STEP_FUNCTIONS_STATUS_CHANGE.source],
          detailType: [STEP_FUNCTIONS_STATUS_CHANGE.detailType],
          detail: {
            stateMachineArn: [props.checkoutStateMachine.stateMachineArn],
            status: [...STEP_FUNCTIONS_STATUS_CHANGE.failedStatuses],
          },
        },
      },
      props.sagaFailureRecorder,
      props.deadLetterQueues.sagaFailureRecorder,
    );
    this.rules = rules as Record<SubscriptionKey | 'sagaFailures', Rule>;
  }
}
