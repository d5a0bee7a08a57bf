/** The notifications domain's HTTP routes (the API and its OpenAPI document are built from every domain's routes). */
import { defineRoutes } from '../shared/http/route';
import { customerIdPath, notificationPage, notificationsQuery } from './contract';

export const NOTIFICATIONS_ROUTES = defineRoutes('notifications', {
  ListCustomerNotifications: {
    method: 'GET',
    path: '/customers/{customerId}/notifications',
    entry: 'notifications/handlers/list-notifications.ts',
    access: 'read',
    summary: 'Notifications sent to a customer, newest first.',
    request: { params: customerIdPath, query: notificationsQuery },
    success: { status: 200, body: notificationPage, description: 'A page of notifications.' },
    errors: [400],
  },
});
