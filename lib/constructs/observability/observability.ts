/**
 * Alarms on every asynchronous hop and a dashboard that shows them next to the business counts.
 * Alarms notify an SNS topic (subscribe an address with the `alarmEmail` context value).
 */
import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE } from '../../../functions/shared/runtime/powertools';

export interface ObservabilityProps {
  readonly dashboardName: string;
  readonly deadLetterQueues: Record<string, IQueue>;
  readonly outboxRelay: IFunction;
  readonly stateMachine: IStateMachine;
  readonly httpApi: HttpApi;
  /** Functions whose errors are worth an alarm (the saga steps: a retried error there delays an order). */
  readonly criticalFunctions: Record<string, IFunction>;
  readonly alarmEmail?: string;
}

/** Thresholds (exported for the infra tests and the README). */
export const ALARM_THRESHOLDS = {
  /** The relay should keep up: a record older than this means events are late. */
  iteratorAgeMs: 60_000,
} as const;

export class Observability extends Construct {
  readonly alarms: Alarm[] = [];
  readonly topic: Topic;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.topic = new Topic(this, 'AlarmTopic', { enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);

    const alarm = (alarmId: string, metric: IMetric, threshold: number, description: string) => {
      const created = new Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(action);
      this.alarms.push(created);
      return created;
    };

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      alarm(
        `${name}DlqNotEmpty`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        1,
        `Messages are waiting in the ${name} dead-letter queue: inspect and redrive them (npm run dlq -- list)`,
      );
    }
    const iteratorAge = props.outboxRelay.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) });
    alarm(
      'RelayIteratorAge',
      iteratorAge,
      ALARM_THRESHOLDS.iteratorAgeMs,
      'The outbox relay is falling behind the table stream',
    );
    const failed = props.stateMachine.metricFailed({ period: Duration.minutes(1) });
    const timedOut = props.stateMachine.metricTimedOut({ period: Duration.minutes(1) });
    const aborted = props.stateMachine.metricAborted({ period: Duration.minutes(1) });
    alarm('SagaExecutionsFailed', failed, 1, 'A checkout execution failed (a compensation kept failing): redrive it');
    alarm(
      'SagaExecutionsTimedOut',
      timedOut,
      1,
      'A checkout execution timed out: the reconciler or a redrive finishes it',
    );
    alarm('SagaExecutionsAborted', aborted, 1, 'A checkout execution was stopped by hand');
    const serverErrors = props.httpApi.metricServerError({ period: Duration.minutes(1), statistic: 'Sum' });
    alarm('Api5xx', serverErrors, 1, 'The API answered with a 5xx: that is a bug');
    const publishFailures = new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: METRIC.eventsFailed,
      dimensionsMap: { service: 'platform' },
      statistic: 'Sum',
      period: Duration.minutes(5),
    });
    alarm(
      'EventsFailedToPublish',
      publishFailures,
      1,
      'PutEvents rejected entries; the relay retries them (check throttling)',
    );
    for (const [name, fn] of Object.entries(props.criticalFunctions)) {
      alarm(
        `${name}Errors`,
        fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        5,
        `${name} keeps failing`,
      );
    }

    const business = (metricName: string, label: string) =>
      new MathExpression({
        expression: `SUM(SEARCH('{${METRICS_NAMESPACE},service} MetricName="${metricName}"', 'Sum', 60))`,
        label,
        period: Duration.minutes(1),
      });
    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName });
    this.dashboard.addWidgets(
      new TextWidget({ markdown: '# Commerce platform\nOrders, saga, events and dead letters.', width: 24, height: 1 }),
      new GraphWidget({
        title: 'Orders',
        left: [
          business(METRIC.ordersPlaced, 'placed'),
          business(METRIC.ordersConfirmed, 'confirmed'),
          new MathExpression({
            expression: `SEARCH('{${METRICS_NAMESPACE},reason,service} MetricName="${METRIC.ordersCancelled}"', 'Sum', 60)`,
            label: 'cancelled',
            period: Duration.minutes(1),
          }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'Checkout executions',
        left: [props.stateMachine.metricSucceeded(), failed, timedOut, aborted],
        width: 12,
      }),
      new GraphWidget({
        title: 'API',
        left: [props.httpApi.metricCount(), serverErrors, props.httpApi.metricClientError()],
        right: [props.httpApi.metricLatency({ statistic: 'p95' })],
        width: 12,
      }),
      new GraphWidget({
        title: 'Events',
        left: [business(METRIC.eventsPublished, 'published'), publishFailures],
        right: [iteratorAge],
        width: 12,
      }),
      new GraphWidget({
        title: 'Dead-letter queues (messages waiting)',
        left: Object.entries(props.deadLetterQueues).map(([name, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({ label: name, statistic: 'Maximum' }),
        ),
        width: 24,
      }),
    );
  }
}
