/**
 * One logger and one metrics instance per function (module scope, reused across invocations).
 * The service name comes from POWERTOOLS_SERVICE_NAME, which the CDK sets to the function's domain.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const METRICS_NAMESPACE = 'Commerce';

export const logger = new Logger();
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE });

/** Business metric names, defined once (the dashboard and alarms use them too). */
export const METRIC = {
  ordersPlaced: 'OrdersPlaced',
  ordersConfirmed: 'OrdersConfirmed',
  ordersCancelled: 'OrdersCancelled',
  paymentsAuthorized: 'PaymentsAuthorized',
  paymentsDeclined: 'PaymentsDeclined',
  notificationsSent: 'NotificationsSent',
  eventsPublished: 'EventsPublished',
  eventsFailed: 'EventsFailedToPublish',
  poisonRecords: 'PoisonRecords',
  sagaFailures: 'SagaFailures',
  repairs: 'RepairsApplied',
} as const;
