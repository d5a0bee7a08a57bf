/**
 * One dead-letter queue per asynchronous hop (the relay's stream mapping, each event subscription, the saga failure
 * recorder, the reconciler), so a message in a queue says where it failed and can be redriven to exactly that place.
 */
import { Aws, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SUBSCRIPTIONS } from '../../../functions/shared/events/subscriptions';
import { acknowledgeDeadLetterQueue } from '../../nag-suppressions';

export const DLQ_IDS = {
  outboxRelay: 'OutboxRelay',
  sagaFailureRecorder: 'SagaFailureRecorder',
  reconciler: 'Reconciler',
  ...Object.fromEntries(Object.entries(SUBSCRIPTIONS).map(([key, sub]) => [key, sub.id])),
} as Record<'outboxRelay' | 'sagaFailureRecorder' | 'reconciler' | keyof typeof SUBSCRIPTIONS, string>;

export type DlqKey = keyof typeof DLQ_IDS;

export interface DeadLetterQueuesProps {
  readonly removalPolicy: RemovalPolicy;
  /** EventBridge rules allowed to dead-letter into the queues: rules on this bus ... */
  readonly busName: string;
  /** ... and rules on the default bus whose names start with this prefix (the stateless stack's name). */
  readonly defaultBusRulePrefix: string;
}

export class DeadLetterQueues extends Construct {
  readonly queues: Record<DlqKey, Queue>;

  /**
   * The queues live in the stateful stack and the rules in the stateless one. Granting each rule by its ARN would
   * make this stack depend on the other (a cycle), so each queue admits EventBridge for this stage's rules by ARN
   * pattern instead, and the stateless stack hands the rules an imported reference.
   */
  constructor(scope: Construct, id: string, props: DeadLetterQueuesProps) {
    super(scope, id);
    const ruleArn = (path: string) => `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/${path}`;
    const entries = Object.entries(DLQ_IDS).map(([key, queueId]) => [
      key,
      new Queue(this, `${queueId}Dlq`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        removalPolicy: props.removalPolicy,
      }),
    ]);
    this.queues = Object.fromEntries(entries) as Record<DlqKey, Queue>;
    for (const queue of Object.values(this.queues)) {
      acknowledgeDeadLetterQueue(queue);
      queue.addToResourcePolicy(
        new PolicyStatement({
          sid: 'AllowStageEventRules',
          effect: Effect.ALLOW,
          principals: [new ServicePrincipal('events.amazonaws.com')],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: {
            ArnLike: { 'aws:SourceArn': [ruleArn(`${props.busName}/*`), ruleArn(`${props.defaultBusRulePrefix}*`)] },
          },
        }),
      );
    }
  }
}
