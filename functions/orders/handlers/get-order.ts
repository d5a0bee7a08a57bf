/** GET /orders/{orderId}: 200 with the order; 404 when it does not exist. */
import { apiHandler } from '../../shared/http/handler';
import { parsePath } from '../../shared/http/request';
import { json } from '../../shared/http/response';
import { orderIdPath } from '../contract';
import { getOrder, toOrderView } from '../domain/order';
import { ordersDeps } from '../wiring';

export const handler = apiHandler(async ({ event }) => {
  const { orderId } = parsePath(event, orderIdPath);
  return json(200, toOrderView(await getOrder(ordersDeps, orderId)));
});
