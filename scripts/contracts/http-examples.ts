/**
 * Examples shown in the OpenAPI document, by route id. The contract tests check each one against the route's zod
 * schema and against the JSON Schema generated into the document, so an example can never show a request the API
 * would reject (or a response it cannot give).
 */
import { OrderPlacedV1 } from '../../functions/shared/events/catalog';

const order = OrderPlacedV1.example;
const time = order.createdAt;
const sku = order.lines[0]?.sku ?? 'TSHIRT-RED-M';

export interface RouteExamples {
  readonly request?: unknown;
  readonly response?: unknown;
}

const orderView = {
  orderId: order.orderId,
  customerId: order.customerId,
  status: 'PENDING',
  items: order.lines,
  totalCents: order.totalCents,
  currency: order.currency,
  createdAt: time,
  updatedAt: time,
};

const product = {
  sku,
  name: 'Red T-shirt (M)',
  category: 'apparel',
  priceCents: 1999,
  currency: 'EUR',
  createdAt: time,
  updatedAt: time,
};

export const ROUTE_EXAMPLES: Readonly<Record<string, RouteExamples>> = {
  CreateProduct: {
    request: { sku, name: product.name, priceCents: product.priceCents, currency: 'EUR', category: 'apparel' },
    response: product,
  },
  Restock: {
    request: { quantity: 10 },
    response: { sku, available: 10, reserved: 0, sold: 0, restocked: 10 },
  },
  PlaceOrder: {
    request: {
      customerId: order.customerId,
      items: order.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
      paymentToken: 'tok_visa',
    },
    response: orderView,
  },
  GetOrder: {
    response: { ...orderView, status: 'CANCELLED', reason: 'PAYMENT_DECLINED' },
  },
};

/** Examples of the shared error responses, by status. */
export const ERROR_EXAMPLES = {
  400: {
    error: {
      code: 'VALIDATION_FAILED',
      message: 'Invalid body: items.0.quantity: Too small: expected number to be >0',
      details: { issues: [{ path: 'items.0.quantity', message: 'Too small: expected number to be >0' }] },
    },
  },
  429: { message: 'Too Many Requests' },
  500: { error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side; it has been logged.' } },
  503: { error: { code: 'TEMPORARILY_UNAVAILABLE', message: 'The service is busy right now; retry after a second.' } },
} as const;
