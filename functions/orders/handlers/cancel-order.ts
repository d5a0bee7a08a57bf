/** POST /orders/{orderId}/cancel: 202 with the order (cancelRequested: true); the saga does the cancelling. */
import { apiHandler } from '../../shared/http/handler';
import { toOrderView } from '../domain/order';
import { requestCancellation } from '../domain/request-cancellation';
import { ORDERS_ROUTES } from '../routes';
import { ordersDeps } from '../wiring';

export const handler = apiHandler(ORDERS_ROUTES.CancelOrder, async ({ params, correlationId }) => ({
  body: toOrderView(await requestCancellation(ordersDeps, params.orderId, correlationId)),
}));
