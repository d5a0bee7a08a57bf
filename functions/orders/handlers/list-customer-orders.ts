/** GET /customers/{customerId}/orders: 200 {items, nextCursor}, newest first (an eventually consistent projection). */
import { apiHandler } from '../../shared/http/handler';
import { ORDERS_ROUTES } from '../routes';
import { customerOrders } from '../wiring';

const repository = customerOrders();

export const handler = apiHandler(ORDERS_ROUTES.ListCustomerOrders, async ({ params, query }) => ({
  body: await repository.list(params.customerId, query.limit, query.cursor),
}));
