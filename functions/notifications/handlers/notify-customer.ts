/** Consumer of OrderConfirmed / OrderCancelled: one notification per order and kind. Never blocks an order. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { eventConsumer } from '../../shared/events/consumer';
import { SUBSCRIPTIONS } from '../../shared/events/subscriptions';
import { METRIC, metrics } from '../../shared/runtime/powertools';
import { notify, type OrderOutcome } from '../domain/notify';
import { notificationsDeps } from '../wiring';

export const handler = eventConsumer('OrderNotifier', SUBSCRIPTIONS.notifier.events, async (event) => {
  const outcome: OrderOutcome =
    event.type === 'OrderConfirmed'
      ? { ...event.data, type: 'ORDER_CONFIRMED' }
      : { ...event.data, type: 'ORDER_CANCELLED', reason: event.data.reason };
  const result = await notify(notificationsDeps, outcome, {
    correlationId: event.correlationId,
    causationId: event.id,
  });
  if (result === 'sent')
    metrics.addDimension('type', outcome.type).addMetric(METRIC.notificationsSent, MetricUnit.Count, 1);
  return { result };
});
