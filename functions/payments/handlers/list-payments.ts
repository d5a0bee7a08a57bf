/** GET /orders/{orderId}/payments: 200 {items:[{paymentId, status, amountCents, ...}]}; 404 for an unknown order. */
import { apiHandler } from '../../shared/http/handler';
import { parsePath } from '../../shared/http/request';
import { json } from '../../shared/http/response';
import { orderIdPath } from '../contract';
import { listPayments } from '../domain/payment';
import { paymentsDeps } from '../wiring';

export const handler = apiHandler(async ({ event }) => {
  const { orderId } = parsePath(event, orderIdPath);
  return json(200, { items: await listPayments(paymentsDeps, orderId) });
});
