/** The orders domain's HTTP routes (the API and its OpenAPI document are built from every domain's routes). */
import { defineRoutes } from '../shared/http/route';
import {
  customerIdPath,
  customerOrderPage,
  customerOrdersQuery,
  idempotencyKeyHeaders,
  orderIdPath,
  orderView,
  placeOrderBody,
} from './contract';

export const ORDERS_ROUTES = defineRoutes('orders', {
  PlaceOrder: {
    method: 'POST',
    path: '/orders',
    entry: 'orders/handlers/place-order.ts',
    access: 'readWrite',
    summary: 'Place an order (202: the checkout saga runs asynchronously). Optional Idempotency-Key header.',
    request: { headers: idempotencyKeyHeaders, body: placeOrderBody },
    success: { status: 202, body: orderView, description: 'The accepted order, PENDING until its saga ends.' },
    errors: [400, 409, 413, 415, 422],
  },
  GetOrder: {
    method: 'GET',
    path: '/orders/{orderId}',
    entry: 'orders/handlers/get-order.ts',
    access: 'read',
    summary: 'Get an order with its status and, when cancelled, the reason.',
    request: { params: orderIdPath },
    success: { status: 200, body: orderView, description: 'The order.' },
    errors: [400, 404],
  },
  CancelOrder: {
    method: 'POST',
    path: '/orders/{orderId}/cancel',
    entry: 'orders/handlers/cancel-order.ts',
    access: 'readWrite',
    summary: 'Ask to cancel an order; a confirmed order is cancelled and its payment voided by the saga.',
    request: { params: orderIdPath },
    success: { status: 202, body: orderView, description: 'The order with cancelRequested: true.' },
    errors: [400, 404, 409],
  },
  ListCustomerOrders: {
    method: 'GET',
    path: '/customers/{customerId}/orders',
    entry: 'orders/handlers/list-customer-orders.ts',
    access: 'read',
    summary: "A customer's orders, newest first (eventually consistent).",
    request: { params: customerIdPath, query: customerOrdersQuery },
    success: { status: 200, body: customerOrderPage, description: 'A page of orders.' },
    errors: [400],
  },
});
