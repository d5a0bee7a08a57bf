/** GET /customers/{customerId}/notifications: 200 {items:[{orderId, type, channel, sentAt}], nextCursor}, newest first. */
import { apiHandler } from '../../shared/http/handler';
import { NOTIFICATIONS_ROUTES } from '../routes';
import { notificationsDeps } from '../wiring';

export const handler = apiHandler(NOTIFICATIONS_ROUTES.ListCustomerNotifications, async ({ params, query }) => ({
  body: await notificationsDeps.notifications.list(params.customerId, query.limit, query.cursor),
}));
