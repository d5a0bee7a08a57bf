/** GET /orders/{orderId}: 200 with the order; 404 for an unknown order. */
import { apiHandler } from '../../shared/http/handler';
import { getOrder, toOrderView } from '../domain/order';
import { ORDERS_ROUTES } from '../routes';
import { ordersDeps } from '../wiring';

export const handler = apiHandler(ORDERS_ROUTES.GetOrder, async ({ params }) => ({
  body: toOrderView(await getOrder(ordersDeps, params.orderId)),
}));
