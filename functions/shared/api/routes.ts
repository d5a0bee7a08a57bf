/**
 * THE HTTP API contract: every route, the function file that serves it, the access it needs, and the zod schemas it
 * validates with. The CDK creates one function and one route per entry; the OpenAPI document is generated from it.
 */
import type { z } from 'zod';
import {
  skuPath as catalogSkuPath,
  createProductBody,
  listProductsQuery,
  productPage,
  productView,
} from '../../catalog/contract';
import { restockBody, skuPath, stockView } from '../../inventory/contract';
import {
  notificationPage,
  customerIdPath as notificationsCustomerPath,
  notificationsQuery,
} from '../../notifications/contract';
import {
  customerIdPath,
  customerOrderPage,
  customerOrdersQuery,
  idempotencyKeyHeaders,
  orderIdPath,
  orderView,
  placeOrderBody,
} from '../../orders/contract';
import { paymentList } from '../../payments/contract';
import type { Domain } from '../events/catalog';

export type HttpMethod = 'GET' | 'POST';

export interface RouteDefinition {
  /** Construct id of the function (renaming it replaces the function). */
  readonly id: string;
  readonly method: HttpMethod;
  /** API Gateway path with `{name}` parameters. */
  readonly path: string;
  readonly domain: Domain;
  /** Handler file relative to `functions/`. */
  readonly entry: string;
  /** Table access the handler needs. */
  readonly access: 'read' | 'readWrite';
  readonly summary: string;
  readonly request: {
    readonly params?: z.ZodType;
    readonly query?: z.ZodType;
    readonly headers?: z.ZodType;
    readonly body?: z.ZodType;
  };
  /** Success status and body; every route may also answer with the error statuses listed. */
  readonly success: { readonly status: 200 | 201 | 202; readonly body: z.ZodType; readonly description: string };
  readonly errors: readonly (400 | 404 | 409 | 413 | 415 | 422)[];
}

export const ROUTES: readonly RouteDefinition[] = [
  {
    id: 'CreateProduct',
    method: 'POST',
    path: '/products',
    domain: 'catalog',
    entry: 'catalog/handlers/create-product.ts',
    access: 'readWrite',
    summary: 'Add a product to the catalog (stock starts at zero).',
    request: { body: createProductBody },
    success: { status: 201, body: productView, description: 'The product.' },
    errors: [400, 409, 413, 415],
  },
  {
    id: 'ListProducts',
    method: 'GET',
    path: '/products',
    domain: 'catalog',
    entry: 'catalog/handlers/list-products.ts',
    access: 'read',
    summary: 'List products by sku, a page at a time.',
    request: { query: listProductsQuery },
    success: {
      status: 200,
      body: productPage,
      description: 'A page of products; nextCursor is null on the last page.',
    },
    errors: [400],
  },
  {
    id: 'GetProduct',
    method: 'GET',
    path: '/products/{sku}',
    domain: 'catalog',
    entry: 'catalog/handlers/get-product.ts',
    access: 'read',
    summary: 'Get one product.',
    request: { params: catalogSkuPath },
    success: { status: 200, body: productView, description: 'The product.' },
    errors: [400, 404],
  },
  {
    id: 'Restock',
    method: 'POST',
    path: '/inventory/{sku}/restock',
    domain: 'inventory',
    entry: 'inventory/handlers/restock.ts',
    access: 'readWrite',
    summary: 'Add units to the available stock of a sku.',
    request: { params: skuPath, body: restockBody },
    success: { status: 200, body: stockView, description: 'The stock levels after the restock.' },
    errors: [400, 404, 409, 413, 415],
  },
  {
    id: 'GetInventory',
    method: 'GET',
    path: '/inventory/{sku}',
    domain: 'inventory',
    entry: 'inventory/handlers/get-inventory.ts',
    access: 'read',
    summary: 'Stock levels of a sku: available now, reserved by orders in flight, sold, restocked in total.',
    request: { params: skuPath },
    success: { status: 200, body: stockView, description: 'The stock levels.' },
    errors: [400, 404],
  },
  {
    id: 'PlaceOrder',
    method: 'POST',
    path: '/orders',
    domain: 'orders',
    entry: 'orders/handlers/place-order.ts',
    access: 'readWrite',
    summary: 'Place an order (202: the checkout saga runs asynchronously). Optional Idempotency-Key header.',
    request: { headers: idempotencyKeyHeaders, body: placeOrderBody },
    success: { status: 202, body: orderView, description: 'The accepted order, PENDING until its saga ends.' },
    errors: [400, 409, 413, 415, 422],
  },
  {
    id: 'GetOrder',
    method: 'GET',
    path: '/orders/{orderId}',
    domain: 'orders',
    entry: 'orders/handlers/get-order.ts',
    access: 'read',
    summary: 'Get an order with its status and, when cancelled, the reason.',
    request: { params: orderIdPath },
    success: { status: 200, body: orderView, description: 'The order.' },
    errors: [400, 404],
  },
  {
    id: 'CancelOrder',
    method: 'POST',
    path: '/orders/{orderId}/cancel',
    domain: 'orders',
    entry: 'orders/handlers/request-cancellation.ts',
    access: 'readWrite',
    summary: 'Ask to cancel an order; a confirmed order is cancelled and its payment voided by the saga.',
    request: { params: orderIdPath },
    success: { status: 202, body: orderView, description: 'The order with cancelRequested: true.' },
    errors: [400, 404, 409],
  },
  {
    id: 'ListOrderPayments',
    method: 'GET',
    path: '/orders/{orderId}/payments',
    domain: 'payments',
    entry: 'payments/handlers/list-payments.ts',
    access: 'read',
    summary: 'Payments of an order.',
    request: { params: orderIdPath },
    success: { status: 200, body: paymentList, description: 'The payments.' },
    errors: [400, 404],
  },
  {
    id: 'ListCustomerOrders',
    method: 'GET',
    path: '/customers/{customerId}/orders',
    domain: 'orders',
    entry: 'orders/handlers/list-customer-orders.ts',
    access: 'read',
    summary: "A customer's orders, newest first (eventually consistent).",
    request: { params: customerIdPath, query: customerOrdersQuery },
    success: { status: 200, body: customerOrderPage, description: 'A page of orders.' },
    errors: [400],
  },
  {
    id: 'ListCustomerNotifications',
    method: 'GET',
    path: '/customers/{customerId}/notifications',
    domain: 'notifications',
    entry: 'notifications/handlers/list-notifications.ts',
    access: 'read',
    summary: 'Notifications sent to a customer, newest first.',
    request: { params: notificationsCustomerPath, query: notificationsQuery },
    success: { status: 200, body: notificationPage, description: 'A page of notifications.' },
    errors: [400],
  },
];
