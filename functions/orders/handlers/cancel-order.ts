/**
 * POST /orders/{orderId}/cancel: 202 once the request is recorded (the saga does the cancelling and the refund);
 * asking again is a harmless 202; an order that is already cancelled is 409 ORDER_ALREADY_CANCELLED.
 */
import { apiHandler } from '../../shared/http/handler';
import { parsePath } from '../../shared/http/request';
import { json } from '../../shared/http/response';
import { orderIdPath } from '../contract';
import { toOrderView } from '../domain/order';
import { requestCancellation } from '../domain/request-cancellation';
import { ordersDeps } from '../wiring';

export const handler = apiHandler(async ({ event, correlationId }) => {
  const { orderId } = parsePath(event, orderIdPath);
  const order = await requestCancellation(ordersDeps, orderId, correlationId);
  return json(202, toOrderView(order));
});
