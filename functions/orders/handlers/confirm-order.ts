/** Saga step ConfirmOrder: order CONFIRMED, holds become sales, guarded by a live payment; one transaction. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC, metrics } from '../../shared/runtime/powertools';
import { sagaStep } from '../../shared/saga/step';
import { confirmOrder } from '../domain/saga-steps';
import { ordersDeps } from '../wiring';

export const handler = sagaStep('ConfirmOrder', async (payload, events) => {
  const order = await confirmOrder(ordersDeps, payload.orderId, events);
  metrics.addMetric(METRIC.ordersConfirmed, MetricUnit.Count, 1);
  return { orderId: order.orderId, status: order.status };
});
