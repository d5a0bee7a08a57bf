/** Saga compensation CancelOrder (the last one): order CANCELLED with its reason, once nothing is held or live. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC, metrics } from '../../shared/runtime/powertools';
import { sagaStep } from '../../shared/saga/step';
import { cancelOrder } from '../domain/saga-steps';
import { ordersDeps } from '../wiring';

export const handler = sagaStep('CancelOrder', async (payload, events) => {
  const reason = payload.reason ?? 'SYSTEM_ERROR';
  const order = await cancelOrder(ordersDeps, payload.orderId, reason, events);
  metrics.singleMetric().addDimension('reason', reason).addMetric(METRIC.ordersCancelled, MetricUnit.Count, 1);
  return { orderId: order.orderId, status: order.status, reason: order.reason ?? reason };
});
