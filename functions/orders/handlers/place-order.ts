/**
 * POST /orders: 202 {orderId, status: "PENDING", ...}. Optional Idempotency-Key: the same key and body return the
 * same order (also when two requests race); the same key with another body is 409. Unknown sku: 422.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { apiHandler } from '../../shared/http/handler';
import { METRIC, metrics } from '../../shared/runtime/powertools';
import { toOrderView } from '../domain/order';
import { placeOrder } from '../domain/place-order';
import { ORDERS_ROUTES } from '../routes';
import { ordersDeps, priceSource } from '../wiring';

const prices = priceSource();

export const handler = apiHandler(ORDERS_ROUTES.PlaceOrder, async ({ headers, body, correlationId }) => {
  const { order, replayed } = await placeOrder({ ...ordersDeps, prices }, body, {
    correlationId,
    idempotencyKey: headers['idempotency-key'],
  });
  if (!replayed) metrics.addMetric(METRIC.ordersPlaced, MetricUnit.Count, 1);
  return {
    body: toOrderView(order),
    headers: { location: `/orders/${order.orderId}`, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) },
  };
});
