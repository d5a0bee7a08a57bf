/**
 * The reconciler: a scheduled function (also invoked on demand) that finishes what the saga could not, through the
 * same idempotent operations (see functions/platform/domain/reconcile.ts).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { type IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ENV } from '../../../functions/shared/runtime/config';
import { acknowledgeExecutionRead } from '../../nag-suppressions';
import { AppFunction } from '../app-function';

export interface ReconcilerProps {
  readonly table: ITable;
  readonly stateMachine: IStateMachine;
  readonly deadLetterQueue: IQueue;
  /** How often it runs. @default every 5 minutes */
  readonly every?: Duration;
  /** Orders and holds younger than this are left to the saga (longer than the state machine's timeout). @default 15 minutes */
  readonly staleAfter?: Duration;
}

export const RECONCILER_DEFAULTS = { every: Duration.minutes(5), staleAfter: Duration.minutes(15) } as const;

export class Reconciler extends Construct {
  readonly function: AppFunction;
  readonly schedule: Rule;

  constructor(scope: Construct, id: string, props: ReconcilerProps) {
    super(scope, id);
    this.function = new AppFunction(this, 'Function', {
      entry: 'platform/handlers/reconcile.ts',
      domain: 'platform',
      description: 'Finishes orders, holds and authorizations the saga left behind',
      timeout: Duration.minutes(5),
      environment: {
        [ENV.staleOrderSeconds]: String((props.staleAfter ?? RECONCILER_DEFAULTS.staleAfter).toSeconds()),
        [ENV.paymentProvider]: 'simulated',
      },
    })
      .bindTable(props.table, 'readWrite')
      .bindStateMachine(props.stateMachine);
    props.stateMachine.grantRead(this.function);
    acknowledgeExecutionRead(this.function, props.stateMachine);
    this.function.configureAsyncInvoke({ retryAttempts: 0, onFailure: new SqsDestination(props.deadLetterQueue) });
    this.schedule = new Rule(this, 'Schedule', {
      // Named after the stack: the dead-letter queue's policy admits this stage's default-bus rules by that prefix.
      ruleName: `${Stack.of(this).stackName}-ReconcilerSchedule`,
      description: 'Runs the reconciler',
      schedule: Schedule.rate(props.every ?? RECONCILER_DEFAULTS.every),
      targets: [
        new LambdaFunction(this.function, {
          retryAttempts: 2,
          maxEventAge: Duration.minutes(10),
          deadLetterQueue: Queue.fromQueueArn(this, 'DeadLetterQueue', props.deadLetterQueue.queueArn),
        }),
      ],
    });
  }
}
