/**
 * POST /orders: 202 {orderId, status: "PENDING", ...}. Optional Idempotency-Key: the same key and body return the
 * same order (also when two requests race); the same key with another body is 409. Unknown sku: 422.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { apiHandler } from '../../shared/http/handler';
import { parseBody, parseHeaders } from '../../shared/http/request';
import { json } from '../../shared/http/response';
import { METRIC, metrics } from '../../shared/runtime/powertools';
import { idempotencyKeyHeaders, placeOrderBody } from '../contract';
import { toOrderView } from '../domain/order';
import { placeOrder } from '../domain/place-order';
import { ordersDeps, priceSource } from '../wiring';

const prices = priceSource();

export const handler = apiHandler(async ({ event, correlationId }) => {
  const headers = parseHeaders(event, idempotencyKeyHeaders);
  const body = parseBody(event, placeOrderBody);
  const { order, replayed } = await placeOrder({ ...ordersDeps, prices }, body, {
    correlationId,
    idempotencyKey: headers['idempotency-key'],
  });
  if (!replayed) metrics.addMetric(METRIC.ordersPlaced, MetricUnit.Count, 1);
  return json(202, toOrderView(order), {
    location: `/orders/${order.orderId}`,
    ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
  });
});
