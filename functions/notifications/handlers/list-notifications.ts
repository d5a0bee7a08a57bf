/** GET /customers/{customerId}/notifications: 200 {items:[{orderId, type, channel, sentAt}], nextCursor}, newest first. */
import { apiHandler } from '../../shared/http/handler';
import { parsePath, parseQuery } from '../../shared/http/request';
import { json } from '../../shared/http/response';
import { customerIdPath, notificationsQuery } from '../contract';
import { notificationsDeps } from '../wiring';

export const handler = apiHandler(async ({ event }) => {
  const { customerId } = parsePath(event, customerIdPath);
  const { limit, cursor } = parseQuery(event, notificationsQuery);
  return json(200, await notificationsDeps.notifications.list(customerId, limit, cursor));
});
