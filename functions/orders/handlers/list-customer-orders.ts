/** GET /customers/{customerId}/orders: 200 {items, nextCursor}, newest first (an eventually consistent projection). */
import { apiHandler } from '../../shared/http/handler';
import { parsePath, parseQuery } from '../../shared/http/request';
import { json } from '../../shared/http/response';
import { customerIdPath, customerOrdersQuery } from '../contract';
import { customerOrders } from '../wiring';

const repository = customerOrders();

export const handler = apiHandler(async ({ event }) => {
  const { customerId } = parsePath(event, customerIdPath);
  const { limit, cursor } = parseQuery(event, customerOrdersQuery);
  return json(200, await repository.list(customerId, limit, cursor));
});
