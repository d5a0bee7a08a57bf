/** GET /orders/{orderId}/payments: 200 {items:[{paymentId, status, amountCents, ...}]}; 404 for an unknown order. */
import { apiHandler } from '../../shared/http/handler';
import { listPayments } from '../domain/payment';
import { PAYMENTS_ROUTES } from '../routes';
import { paymentsDeps } from '../wiring';

export const handler = apiHandler(PAYMENTS_ROUTES.ListOrderPayments, async ({ params }) => ({
  body: { items: await listPayments(paymentsDeps, params.orderId) },
}));
