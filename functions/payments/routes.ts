/** The payments domain's HTTP routes (the API and its OpenAPI document are built from every domain's routes). */
import { defineRoutes } from '../shared/http/route';
import { orderIdPath, paymentList } from './contract';

export const PAYMENTS_ROUTES = defineRoutes('payments', {
  ListOrderPayments: {
    method: 'GET',
    path: '/orders/{orderId}/payments',
    entry: 'payments/handlers/list-payments.ts',
    access: 'read',
    summary: 'Payments of an order.',
    request: { params: orderIdPath },
    success: { status: 200, body: paymentList, description: 'The payments.' },
    errors: [400, 404],
  },
});
