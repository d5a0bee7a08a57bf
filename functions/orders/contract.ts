/** The orders' HTTP contract (the customers' order list included). */
import * as z from 'zod';
import { cancelReasonSchema, currencySchema, skuSchema } from '../shared/events/catalog';

/** Lines per order after merging duplicate skus; keeps every saga transaction well under DynamoDB's 100 items. */
export const MAX_ORDER_LINES = 25;
/** Units of one sku per order, after lines of the same sku are merged. */
export const MAX_LINE_QUANTITY = 1000;
/** An order's total, in the currency's minor unit (the most a single product may cost). */
export const MAX_ORDER_TOTAL = 100_000_000;

export const customerIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, . _ or -');
export const orderIdSchema = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an order id (26-character ULID)');

export const placeOrderBody = z.strictObject({
  customerId: customerIdSchema,
  items: z
    .array(z.strictObject({ sku: skuSchema, quantity: z.int().positive().max(MAX_LINE_QUANTITY) }))
    .min(1)
    .max(MAX_ORDER_LINES),
  paymentToken: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be a payment token such as tok_visa'),
});
export type PlaceOrderBody = z.infer<typeof placeOrderBody>;

export const idempotencyKeyHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 letters, digits, . _ : or -')
    .optional(),
});

export const orderIdPath = z.object({ orderId: orderIdSchema });
export const customerIdPath = z.object({ customerId: customerIdSchema });

export const orderStatusSchema = z.enum(['PENDING', 'CONFIRMED', 'CANCELLED']);
export type OrderStatus = z.infer<typeof orderStatusSchema>;

export const orderView = z.object({
  orderId: orderIdSchema,
  customerId: customerIdSchema,
  status: orderStatusSchema,
  reason: cancelReasonSchema.optional(),
  items: z.array(z.object({ sku: skuSchema, quantity: z.int().positive(), unitPriceCents: z.int().positive() })),
  totalCents: z.int().positive(),
  currency: currencySchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  cancelRequested: z.boolean().optional(),
  sagaFailure: z
    .object({ executionName: z.string(), status: z.string(), error: z.string().nullable(), at: z.iso.datetime() })
    .optional(),
});
export type OrderView = z.infer<typeof orderView>;

export const customerOrdersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(1024).optional(),
});

export const customerOrderView = z.object({
  orderId: orderIdSchema,
  status: orderStatusSchema,
  reason: cancelReasonSchema.optional(),
  totalCents: z.int().positive(),
  currency: currencySchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type CustomerOrderView = z.infer<typeof customerOrderView>;
export const customerOrderPage = z.object({ items: z.array(customerOrderView), nextCursor: z.string().nullable() });
