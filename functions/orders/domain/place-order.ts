/**
 * Use case: place an order. Prices come from the catalog, never from the client. The order, its OrderPlaced event
 * and the Idempotency-Key record are one transaction; the checkout saga starts from the event (never from here),
 * so there is no dual write between the table and Step Functions.
 */
import { ConflictError, NotFoundError, UnprocessableError, ValidationError } from '../../shared/errors';
import { OrderPlacedV1 } from '../../shared/events/catalog';
import { newEvent } from '../../shared/events/factory';
import { MAX_LINE_QUANTITY, MAX_ORDER_TOTAL, type PlaceOrderBody } from '../contract';
import { mergeLines, type Order, type OrdersDeps, type PriceSource, requestHash } from './order';

export interface PlaceOrderRequest {
  readonly correlationId: string;
  readonly idempotencyKey?: string;
}

export interface PlaceOrderResult {
  readonly order: Order;
  /** True when an earlier request with the same Idempotency-Key and body created this order. */
  readonly replayed: boolean;
}

export async function placeOrder(
  deps: OrdersDeps & { readonly prices: PriceSource },
  body: PlaceOrderBody,
  request: PlaceOrderRequest,
): Promise<PlaceOrderResult> {
  const lines = mergeLines(body.items);
  // The per-line cap holds after merging: three lines of 1,000 of one sku are one line of 3,000.
  const tooMany = lines.filter((l) => l.quantity > MAX_LINE_QUANTITY);
  if (tooMany.length > 0) {
    const issues = tooMany.map((l) => ({
      path: 'items',
      message: `${l.sku}: ${l.quantity} units in all; at most ${MAX_LINE_QUANTITY} of a sku per order`,
    }));
    throw new ValidationError(`Invalid body: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
  }
  const prices = await deps.prices.prices(lines.map((l) => l.sku));
  const unknown = lines.filter((l) => !prices.has(l.sku)).map((l) => l.sku);
  if (unknown.length > 0) {
    throw new UnprocessableError('UNKNOWN_SKU', `Unknown sku: ${unknown.join(', ')}`, { skus: unknown });
  }
  const currencies = new Set(lines.map((l) => prices.get(l.sku)?.currency));
  if (currencies.size > 1) {
    throw new UnprocessableError(
      'MIXED_CURRENCIES',
      `All items of an order must share one currency, got ${[...currencies].join(', ')}`,
    );
  }
  const priced = lines.map((l) => ({ ...l, unitPriceCents: prices.get(l.sku)?.priceCents ?? 0 }));
  const totalCents = priced.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0);
  if (totalCents > MAX_ORDER_TOTAL) {
    throw new UnprocessableError(
      'ORDER_TOTAL_TOO_LARGE',
      `The order's total (${totalCents} minor units) is over the limit of ${MAX_ORDER_TOTAL}`,
    );
  }
  const now = deps.clock.nowIso();
  const order: Order = {
    orderId: deps.ids.next(),
    customerId: body.customerId,
    status: 'PENDING',
    items: priced,
    totalCents,
    currency: [...currencies][0] ?? 'EUR',
    paymentToken: body.paymentToken,
    createdAt: now,
    updatedAt: now,
    version: 1,
    correlationId: request.correlationId,
  };
  const event = newEvent(
    OrderPlacedV1,
    {
      id: deps.ids.next(),
      time: now,
      subject: order.orderId,
      sequence: order.version,
      data: {
        orderId: order.orderId,
        customerId: order.customerId,
        lines: priced,
        totalCents: order.totalCents,
        currency: order.currency,
        createdAt: now,
      },
    },
    { correlationId: request.correlationId, causationId: null },
  );
  const key = request.idempotencyKey ? { key: request.idempotencyKey, hash: requestHash(body) } : undefined;
  const outcome = await deps.orders.create(order, event, key);
  if (outcome.created) return { order, replayed: false };
  if (!key || outcome.existingHash !== key.hash) {
    throw new ConflictError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used with a different request body',
    );
  }
  const existing = await deps.orders.get(outcome.existingOrderId);
  if (!existing) throw new NotFoundError('Order', outcome.existingOrderId);
  return { order: existing, replayed: true };
}
