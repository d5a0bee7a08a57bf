/**
 * THE event catalog: every event type and version, its producer, its zod schema and an example.
 * Producers build events from it, consumers parse with it, the CDK derives rule patterns from it,
 * and the AsyncAPI document and contract tests are generated from it.
 */
import * as z from 'zod';
import { isIsoCurrency } from '../money';
import { type EventEnvelope, envelopeSchema } from './envelope';

export const SOURCES = {
  catalog: 'commerce.catalog',
  inventory: 'commerce.inventory',
  orders: 'commerce.orders',
  payments: 'commerce.payments',
  notifications: 'commerce.notifications',
  platform: 'commerce.platform',
} as const;
export type Domain = keyof typeof SOURCES;

export interface EventDefinition<TType extends string = string, TData extends z.ZodType = z.ZodType> {
  readonly type: TType;
  readonly version: number;
  readonly producer: Domain;
  readonly source: string;
  readonly description: string;
  readonly data: TData;
  readonly example: z.infer<TData>;
}

function defineEvent<TType extends string, TData extends z.ZodType>(
  def: Omit<EventDefinition<TType, TData>, 'source'>,
): EventDefinition<TType, TData> {
  return { ...def, source: SOURCES[def.producer] };
}

// Shared pieces ---------------------------------------------------------------------------------------------------
export const skuSchema = z.string().regex(/^[A-Z0-9][A-Z0-9-]{2,63}$/, 'must match ^[A-Z0-9][A-Z0-9-]{2,63}$');
export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code such as EUR');
/** Where a currency enters the system (a product's price): a real ISO 4217 code, not any three letters. */
export const isoCurrencySchema = currencySchema.refine(isIsoCurrency, 'must be an ISO 4217 currency code such as EUR');
export const cancelReasonSchema = z.enum([
  'OUT_OF_STOCK',
  'PAYMENT_DECLINED',
  'PAYMENT_FAILED',
  'CUSTOMER_REQUEST',
  'SYSTEM_ERROR',
]);
export type CancelReason = z.infer<typeof cancelReasonSchema>;
const lineSchema = z.object({ sku: skuSchema, quantity: z.int().positive() });
const pricedLineSchema = lineSchema.extend({ unitPriceCents: z.int().positive() });
const isoTime = z.iso.datetime();
const exampleTime = '2026-11-22T10:00:00.000Z';
const exampleOrderId = '01JDQ3ZK5W0Y8V9XG7H2M4N6PB';

// Catalog ---------------------------------------------------------------------------------------------------------
export const ProductCreatedV1 = defineEvent({
  type: 'ProductCreated',
  version: 1,
  producer: 'catalog',
  description: 'A product was added to the catalog (its stock starts at zero).',
  data: z.object({
    sku: skuSchema,
    name: z.string(),
    priceCents: z.int().positive(),
    currency: currencySchema,
    category: z.string().optional(),
  }),
  example: { sku: 'TSHIRT-RED-M', name: 'Red T-shirt (M)', priceCents: 1999, currency: 'EUR' },
});

// Inventory -------------------------------------------------------------------------------------------------------
const stockLevels = z.object({
  available: z.int().nonnegative(),
  reserved: z.int().nonnegative(),
  sold: z.int().nonnegative(),
  restocked: z.int().nonnegative(),
});
export const StockAdjustedV1 = defineEvent({
  type: 'StockAdjusted',
  version: 1,
  producer: 'inventory',
  description: "A sku's stock was restocked; `sequence` is the sku's inventory version.",
  data: z.object({ sku: skuSchema, delta: z.int(), reason: z.enum(['RESTOCK']), levels: stockLevels }),
  example: {
    sku: 'TSHIRT-RED-M',
    delta: 10,
    reason: 'RESTOCK',
    levels: { available: 10, reserved: 0, sold: 0, restocked: 10 },
  },
});

export const InventoryReservedV1 = defineEvent({
  type: 'InventoryReserved',
  version: 1,
  producer: 'inventory',
  description: 'Every line of an order was reserved (all or nothing); subject is the order id.',
  data: z.object({ orderId: z.string(), lines: z.array(lineSchema).min(1) }),
  example: { orderId: exampleOrderId, lines: [{ sku: 'TSHIRT-RED-M', quantity: 2 }] },
});

export const InventoryReleasedV1 = defineEvent({
  type: 'InventoryReleased',
  version: 1,
  producer: 'inventory',
  description:
    'The units an order held (HELD) or bought (COMMITTED) went back to available stock; subject is the order id.',
  data: z.object({
    orderId: z.string(),
    lines: z.array(lineSchema.extend({ from: z.enum(['HELD', 'COMMITTED']) })),
    reason: cancelReasonSchema,
  }),
  example: {
    orderId: exampleOrderId,
    lines: [{ sku: 'TSHIRT-RED-M', quantity: 2, from: 'HELD' }],
    reason: 'PAYMENT_DECLINED',
  },
});

// Orders ----------------------------------------------------------------------------------------------------------
export const OrderPlacedV1 = defineEvent({
  type: 'OrderPlaced',
  version: 1,
  producer: 'orders',
  description: 'An order was accepted (PENDING); its checkout saga starts from this event.',
  data: z.object({
    orderId: z.string(),
    customerId: z.string(),
    lines: z.array(pricedLineSchema).min(1),
    totalCents: z.int().positive(),
    currency: currencySchema,
    createdAt: isoTime,
  }),
  example: {
    orderId: exampleOrderId,
    customerId: 'cust-42',
    lines: [{ sku: 'TSHIRT-RED-M', quantity: 2, unitPriceCents: 1999 }],
    totalCents: 3998,
    currency: 'EUR',
    createdAt: exampleTime,
  },
});

const orderFinalData = z.object({
  orderId: z.string(),
  customerId: z.string(),
  totalCents: z.int().positive(),
  currency: currencySchema,
  createdAt: isoTime,
});

export const OrderConfirmedV1 = defineEvent({
  type: 'OrderConfirmed',
  version: 1,
  producer: 'orders',
  description: 'Stock was bought and payment authorized: the order is CONFIRMED.',
  data: orderFinalData.extend({ confirmedAt: isoTime }),
  example: {
    orderId: exampleOrderId,
    customerId: 'cust-42',
    totalCents: 3998,
    currency: 'EUR',
    createdAt: exampleTime,
    confirmedAt: exampleTime,
  },
});

export const OrderCancelledV1 = defineEvent({
  type: 'OrderCancelled',
  version: 1,
  producer: 'orders',
  description: 'The order is CANCELLED with a reason; its stock is back and no live payment remains.',
  data: orderFinalData.extend({
    reason: cancelReasonSchema,
    previousStatus: z.enum(['PENDING', 'CONFIRMED']),
    cancelledAt: isoTime,
  }),
  example: {
    orderId: exampleOrderId,
    customerId: 'cust-42',
    totalCents: 3998,
    currency: 'EUR',
    createdAt: exampleTime,
    reason: 'PAYMENT_DECLINED',
    previousStatus: 'PENDING',
    cancelledAt: exampleTime,
  },
});

export const OrderCancellationRequestedV1 = defineEvent({
  type: 'OrderCancellationRequested',
  version: 1,
  producer: 'orders',
  description:
    'The customer asked to cancel. A PENDING order is cancelled by its running saga; a CONFIRMED one starts the cancellation saga.',
  data: z.object({ orderId: z.string(), customerId: z.string(), status: z.enum(['PENDING', 'CONFIRMED']) }),
  example: { orderId: exampleOrderId, customerId: 'cust-42', status: 'CONFIRMED' },
});

export const OrderSagaFailedV1 = defineEvent({
  type: 'OrderSagaFailed',
  version: 1,
  producer: 'orders',
  description:
    'A saga execution of the order failed after its retries (usually a compensation that kept failing). Recorded on the order; an alarm fires; redrive or the reconciler finishes it.',
  data: z.object({
    orderId: z.string(),
    executionName: z.string(),
    status: z.enum(['FAILED', 'TIMED_OUT', 'ABORTED']),
    error: z.string().nullable(),
    cause: z.string().nullable(),
  }),
  example: {
    orderId: exampleOrderId,
    executionName: exampleOrderId,
    status: 'FAILED',
    error: 'TransientError',
    cause: 'provider unavailable',
  },
});

// Payments --------------------------------------------------------------------------------------------------------
const paymentData = z.object({
  orderId: z.string(),
  paymentId: z.string(),
  amountCents: z.int().positive(),
  currency: currencySchema,
});
export const PaymentAuthorizedV1 = defineEvent({
  type: 'PaymentAuthorized',
  version: 1,
  producer: 'payments',
  description: "The provider authorized the order's total; subject is the payment id.",
  data: paymentData.extend({ providerRef: z.string() }),
  example: {
    orderId: exampleOrderId,
    paymentId: `pay_${exampleOrderId}`,
    amountCents: 3998,
    currency: 'EUR',
    providerRef: 'psp_1',
  },
});
export const PaymentDeclinedV1 = defineEvent({
  type: 'PaymentDeclined',
  version: 1,
  producer: 'payments',
  description: 'The provider declined the payment method.',
  data: paymentData.extend({ declineCode: z.string() }),
  example: {
    orderId: exampleOrderId,
    paymentId: `pay_${exampleOrderId}`,
    amountCents: 3998,
    currency: 'EUR',
    declineCode: 'card_declined',
  },
});
export const PaymentVoidedV1 = defineEvent({
  type: 'PaymentVoided',
  version: 1,
  producer: 'payments',
  description: 'An authorization was voided (nothing will be charged).',
  data: paymentData,
  example: { orderId: exampleOrderId, paymentId: `pay_${exampleOrderId}`, amountCents: 3998, currency: 'EUR' },
});
export const PaymentRefundedV1 = defineEvent({
  type: 'PaymentRefunded',
  version: 1,
  producer: 'payments',
  description: 'A captured payment was refunded in full.',
  data: paymentData,
  example: { orderId: exampleOrderId, paymentId: `pay_${exampleOrderId}`, amountCents: 3998, currency: 'EUR' },
});

// Notifications ---------------------------------------------------------------------------------------------------
export const notificationTypeSchema = z.enum(['ORDER_CONFIRMED', 'ORDER_CANCELLED']);
export type NotificationType = z.infer<typeof notificationTypeSchema>;
export const NotificationSentV1 = defineEvent({
  type: 'NotificationSent',
  version: 1,
  producer: 'notifications',
  description: 'The customer was told about an order (once per order and kind).',
  data: z.object({
    orderId: z.string(),
    customerId: z.string(),
    type: notificationTypeSchema,
    channel: z.string(),
    sentAt: isoTime,
  }),
  example: {
    orderId: exampleOrderId,
    customerId: 'cust-42',
    type: 'ORDER_CONFIRMED',
    channel: 'email',
    sentAt: exampleTime,
  },
});

// Platform --------------------------------------------------------------------------------------------------------
export const repairKindSchema = z.enum(['STALE_ORDER', 'ORPHAN_RESERVATION', 'ORPHAN_PAYMENT', 'MISSING_SAGA']);
export const RepairAppliedV1 = defineEvent({
  type: 'RepairApplied',
  version: 1,
  producer: 'platform',
  description: 'The reconciler repaired an inconsistency through the same idempotent operations the saga uses.',
  data: z.object({ kind: repairKindSchema, orderId: z.string(), action: z.string(), detail: z.string().optional() }),
  example: { kind: 'STALE_ORDER', orderId: exampleOrderId, action: 'cancelled with SYSTEM_ERROR' },
});

/** Every event definition, for generators and contract tests. */
export const EVENT_CATALOG = [
  ProductCreatedV1,
  StockAdjustedV1,
  InventoryReservedV1,
  InventoryReleasedV1,
  OrderPlacedV1,
  OrderConfirmedV1,
  OrderCancelledV1,
  OrderCancellationRequestedV1,
  OrderSagaFailedV1,
  PaymentAuthorizedV1,
  PaymentDeclinedV1,
  PaymentVoidedV1,
  PaymentRefundedV1,
  NotificationSentV1,
  RepairAppliedV1,
] as const;

export type AnyEventDefinition = (typeof EVENT_CATALOG)[number];
/** A parsed event of one definition; `type` is the literal, so a union of these narrows on `event.type`. */
export type EventOf<TDef extends EventDefinition> = Omit<EventEnvelope<z.infer<TDef['data']>>, 'type'> & {
  type: TDef['type'];
};
/** The union of EventOf over a list of definitions (distributes, so it can be narrowed). */
export type EventOfAny<TDefs extends readonly EventDefinition[]> = TDefs[number] extends infer D
  ? D extends EventDefinition
    ? EventOf<D>
    : never
  : never;

/** Parses an envelope whose `type`/`dataVersion` must be the definition's; throws a ZodError otherwise. */
export function parseEvent<TDef extends EventDefinition>(def: TDef, value: unknown): EventOf<TDef> {
  const envelope = envelopeSchema
    .extend({ source: z.literal(def.source), type: z.literal(def.type), dataVersion: z.literal(def.version) })
    .parse(value);
  return { ...envelope, data: def.data.parse(envelope.data) } as EventOf<TDef>;
}

/** Finds the definition of an envelope's type and version, or undefined for an unknown event. */
export function findDefinition(type: string, version: number): AnyEventDefinition | undefined {
  return EVENT_CATALOG.find((def) => def.type === type && def.version === version);
}
