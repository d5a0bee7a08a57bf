/**
 * Order write paths against DynamoDB Local: placement (prices from the catalog, Idempotency-Key semantics incl. a
 * race), confirmation (one transaction with the stock commit, guarded by a live payment), cancellation (guarded:
 * nothing held, nothing live) and customer cancellation requests.
 */
import { DynamoProductRepository } from '../../functions/catalog/adapters/dynamo-product-repository';
import { createProduct } from '../../functions/catalog/domain/product';
import { DynamoInventoryRepository } from '../../functions/inventory/adapters/dynamo-inventory-repository';
import { getStock, type InventoryDeps, release, reserve, restock } from '../../functions/inventory/domain/stock';
import { DynamoOrderRepository } from '../../functions/orders/adapters/dynamo-order-repository';
import { DynamoPriceSource } from '../../functions/orders/adapters/dynamo-price-source';
import type { OrdersDeps } from '../../functions/orders/domain/order';
import { placeOrder } from '../../functions/orders/domain/place-order';
import { requestCancellation } from '../../functions/orders/domain/request-cancellation';
import { cancelOrder, confirmOrder, recordSagaFailure } from '../../functions/orders/domain/saga-steps';
import { DynamoOrderFacts, DynamoPaymentRepository } from '../../functions/payments/adapters/dynamo-payment-repository';
import { SimulatedPaymentProvider } from '../../functions/payments/adapters/simulated-provider';
import { authorizePayment, type PaymentsDeps, voidPayment } from '../../functions/payments/domain/payment';
import {
  CancellationRequestedError,
  ConflictError,
  InvariantViolationError,
  OrderAlreadyConfirmedError,
  TransientError,
  UnprocessableError,
} from '../../functions/shared/errors';
import { clockAt, context, ids } from '../helpers/fixed';
import { createTable, deleteTable, doc, outboxEvents, scanAll } from '../helpers/table';

let tableName: string;
let orders: OrdersDeps & { prices: DynamoPriceSource };
let inventory: InventoryDeps;
let payments: PaymentsDeps;

beforeAll(async () => {
  tableName = await createTable('orders');
  const common = { ids: ids(), clock: clockAt() };
  orders = {
    ...common,
    orders: new DynamoOrderRepository(doc, tableName),
    prices: new DynamoPriceSource(doc, tableName),
  };
  inventory = { ...common, inventory: new DynamoInventoryRepository(doc, tableName) };
  payments = {
    ...common,
    payments: new DynamoPaymentRepository(doc, tableName),
    provider: new SimulatedPaymentProvider(doc, tableName),
    orders: new DynamoOrderFacts(doc, tableName),
  };
  const products = { products: new DynamoProductRepository(doc, tableName), ...common };
  for (const [sku, priceCents, currency] of [
    ['TEE-RED', 1500, 'EUR'],
    ['MUG-BLUE', 900, 'EUR'],
    ['CAP-USD', 2000, 'USD'],
  ] as const) {
    await createProduct(products, { sku, name: sku, priceCents, currency }, context);
    await restock(inventory, sku, 10, context);
  }
});
afterAll(async () => {
  await deleteTable(tableName);
});

const body = (
  overrides: Partial<{ customerId: string; paymentToken: string; items: { sku: string; quantity: number }[] }> = {},
) => ({
  customerId: 'cust-1',
  paymentToken: 'tok_visa',
  items: [
    { sku: 'TEE-RED', quantity: 2 },
    { sku: 'MUG-BLUE', quantity: 1 },
  ],
  ...overrides,
});

/** Runs the saga's forward steps the way the state machine does. */
async function checkout(orderId: string) {
  const order = await orders.orders.get(orderId);
  if (!order) throw new Error('no order');
  await reserve(inventory, orderId, order.items, context);
  await authorizePayment(payments, { orderId, amountCents: order.totalCents, currency: order.currency }, context);
  return confirmOrder(orders, orderId, context);
}

describe('placeOrder', () => {
  it('prices lines from the catalog, merges duplicate skus and writes OrderPlaced in the same transaction', async () => {
    const { order, replayed } = await placeOrder(
      orders,
      body({
        items: [
          { sku: 'TEE-RED', quantity: 1 },
          { sku: 'MUG-BLUE', quantity: 1 },
          { sku: 'TEE-RED', quantity: 1 },
        ],
      }),
      { correlationId: 'corr-1' },
    );
    expect(replayed).toBe(false);
    expect(order).toMatchObject({ status: 'PENDING', totalCents: 2 * 1500 + 900, currency: 'EUR', version: 1 });
    expect(order.items).toEqual([
      { sku: 'MUG-BLUE', quantity: 1, unitPriceCents: 900 },
      { sku: 'TEE-RED', quantity: 2, unitPriceCents: 1500 },
    ]);
    const placed = (await outboxEvents(tableName)).find((e) => e.type === 'OrderPlaced' && e.subject === order.orderId);
    expect(placed).toMatchObject({ sequence: 1, data: { totalCents: 3900, customerId: 'cust-1' } });
    expect(JSON.stringify(placed)).not.toContain('tok_visa');
  });

  it('rejects an unknown sku with 422 and writes nothing', async () => {
    const before = (await scanAll(tableName)).length;
    const attempt = placeOrder(orders, body({ items: [{ sku: 'NOPE-1', quantity: 1 }] }), { correlationId: 'c' });
    await expect(attempt).rejects.toBeInstanceOf(UnprocessableError);
    await expect(attempt).rejects.toMatchObject({ code: 'UNKNOWN_SKU', status: 422 });
    expect((await scanAll(tableName)).length).toBe(before);
  });

  it('rejects an order mixing currencies', async () => {
    await expect(
      placeOrder(
        orders,
        body({
          items: [
            { sku: 'TEE-RED', quantity: 1 },
            { sku: 'CAP-USD', quantity: 1 },
          ],
        }),
        { correlationId: 'c' },
      ),
    ).rejects.toMatchObject({ code: 'MIXED_CURRENCIES' });
  });

  it('returns the same order for the same Idempotency-Key and body, and 409 for another body', async () => {
    const first = await placeOrder(orders, body(), { correlationId: 'c', idempotencyKey: 'key-same' });
    // Same JSON, other key order: still the same request.
    const reordered = { paymentToken: 'tok_visa', items: body().items, customerId: 'cust-1' };
    const again = await placeOrder(orders, reordered, { correlationId: 'c', idempotencyKey: 'key-same' });
    expect(again).toEqual({ order: first.order, replayed: true });
    await expect(
      placeOrder(orders, body({ paymentToken: 'tok_mastercard' }), { correlationId: 'c', idempotencyKey: 'key-same' }),
    ).rejects.toEqual(expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED', status: 409 }));
    expect(await placeOrder(orders, body(), { correlationId: 'c', idempotencyKey: 'key-other' })).toMatchObject({
      replayed: false,
    });
  });

  it('creates one order when requests with the same key race', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        placeOrder(orders, body({ customerId: 'cust-race' }), { correlationId: 'c', idempotencyKey: 'key-race' }),
      ),
    );
    const orderIds = new Set(results.map((r) => r.order.orderId));
    expect(orderIds.size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    const stored = (await scanAll(tableName)).filter((i) => i.entity === 'Order' && i.customerId === 'cust-race');
    expect(stored).toHaveLength(1);
  });
});

describe('confirmOrder', () => {
  it('confirms, turns holds into sales and removes the order from the open-orders index, in one transaction', async () => {
    const { order } = await placeOrder(orders, body({ customerId: 'cust-confirm' }), { correlationId: 'c' });
    const before = await getStock(inventory, 'TEE-RED');
    const confirmed = await checkout(order.orderId);
    expect(confirmed).toMatchObject({ status: 'CONFIRMED', version: 2 });
    const after = await getStock(inventory, 'TEE-RED');
    expect(after.sold - before.sold).toBe(2);
    expect(after.reserved).toBe(before.reserved);
    const item = (await scanAll(tableName)).find((i) => i.pk === `ORDER#${order.orderId}` && i.sk === 'ORDER');
    expect(item?.gsi1pk).toBeUndefined();
    const events = (await outboxEvents(tableName)).filter((e) => e.subject === order.orderId);
    expect(events.map((e) => e.type)).toEqual(['OrderPlaced', 'InventoryReserved', 'OrderConfirmed']);
    // Repeating the step is harmless.
    expect(await confirmOrder(orders, order.orderId, context)).toMatchObject({ status: 'CONFIRMED', version: 2 });
  });

  it('refuses to confirm without an authorized payment (a guard in the same transaction)', async () => {
    const { order } = await placeOrder(orders, body({ customerId: 'cust-nopay' }), { correlationId: 'c' });
    await reserve(inventory, order.orderId, order.items, context);
    await expect(confirmOrder(orders, order.orderId, context)).rejects.toBeInstanceOf(InvariantViolationError);
    expect((await orders.orders.get(order.orderId))?.status).toBe('PENDING');
  });

  it('throws CancellationRequested when the customer asked to cancel before confirmation', async () => {
    const { order } = await placeOrder(orders, body({ customerId: 'cust-early-cancel' }), { correlationId: 'c' });
    await reserve(inventory, order.orderId, order.items, context);
    await authorizePayment(
      payments,
      { orderId: order.orderId, amountCents: order.totalCents, currency: order.currency },
      context,
    );
    await requestCancellation(orders, order.orderId, 'c');
    await expect(confirmOrder(orders, order.orderId, context)).rejects.toBeInstanceOf(CancellationRequestedError);
  });

  it('neither reserves nor charges an order whose customer asked to cancel first', async () => {
    const { order } = await placeOrder(orders, body({ customerId: 'cust-cancel-first' }), { correlationId: 'c' });
    await requestCancellation(orders, order.orderId, 'c');
    const charge = { orderId: order.orderId, amountCents: order.totalCents, currency: order.currency };
    await expect(reserve(inventory, order.orderId, order.items, context)).rejects.toBeInstanceOf(
      CancellationRequestedError,
    );
    await expect(authorizePayment(payments, charge, context)).rejects.toBeInstanceOf(CancellationRequestedError);
    const ledger = (await scanAll(tableName)).filter((i) => i.pk === `PSP#authorize-${order.orderId}`);
    expect(ledger).toEqual([]);
    expect(await inventory.inventory.reservationsOf(order.orderId)).toEqual([]);
  });
});

describe('cancelOrder', () => {
  it('will not cancel while stock is held or a payment is live, then cancels once both are undone', async () => {
    const { order } = await placeOrder(orders, body({ customerId: 'cust-cancel' }), { correlationId: 'c' });
    await reserve(inventory, order.orderId, order.items, context);
    await authorizePayment(
      payments,
      { orderId: order.orderId, amountCents: order.totalCents, currency: order.currency },
      context,
    );
    await expect(cancelOrder(orders, order.orderId, 'PAYMENT_FAILED', context)).rejects.toBeInstanceOf(TransientError);
    await voidPayment(payments, order.orderId, 'PAYMENT_FAILED', context);
    await expect(cancelOrder(orders, order.orderId, 'PAYMENT_FAILED', context)).rejects.toBeInstanceOf(TransientError);
    await release(inventory, order.orderId, order.items, 'PAYMENT_FAILED', context);
    const cancelled = await cancelOrder(orders, order.orderId, 'PAYMENT_FAILED', context);
    expect(cancelled).toMatchObject({ status: 'CANCELLED', reason: 'PAYMENT_FAILED' });
    expect(await cancelOrder(orders, order.orderId, 'PAYMENT_FAILED', context)).toMatchObject({ status: 'CANCELLED' });
    const event = (await outboxEvents(tableName)).find(
      (e) => e.type === 'OrderCancelled' && e.subject === order.orderId,
    );
    expect(event?.data).toMatchObject({ reason: 'PAYMENT_FAILED', previousStatus: 'PENDING' });
  });

  it('cancels a confirmed order only at the customer request', async () => {
    const { order } = await placeOrder(orders, body({ customerId: 'cust-after' }), { correlationId: 'c' });
    await checkout(order.orderId);
    await expect(cancelOrder(orders, order.orderId, 'SYSTEM_ERROR', context)).rejects.toBeInstanceOf(
      OrderAlreadyConfirmedError,
    );
    await requestCancellation(orders, order.orderId, 'c');
    await voidPayment(payments, order.orderId, 'CUSTOMER_REQUEST', context);
    await release(inventory, order.orderId, order.items, 'CUSTOMER_REQUEST', context);
    expect(await cancelOrder(orders, order.orderId, 'CUSTOMER_REQUEST', context)).toMatchObject({
      status: 'CANCELLED',
      reason: 'CUSTOMER_REQUEST',
    });
  });
});

describe('requestCancellation', () => {
  it('records the request once with its event; a cancelled order is a 409', async () => {
    const { order } = await placeOrder(orders, body({ customerId: 'cust-req' }), { correlationId: 'c' });
    const first = await requestCancellation(orders, order.orderId, 'c');
    const second = await requestCancellation(orders, order.orderId, 'c');
    expect(second.cancelRequestedAt).toBe(first.cancelRequestedAt);
    const requested = (await outboxEvents(tableName)).filter(
      (e) => e.type === 'OrderCancellationRequested' && e.subject === order.orderId,
    );
    expect(requested).toHaveLength(1);
    expect(requested[0]?.data).toMatchObject({ status: 'PENDING' });
    await voidPayment(payments, order.orderId, 'CUSTOMER_REQUEST', context);
    await release(inventory, order.orderId, order.items, 'CUSTOMER_REQUEST', context);
    await cancelOrder(orders, order.orderId, 'CUSTOMER_REQUEST', context);
    await expect(requestCancellation(orders, order.orderId, 'c')).rejects.toBeInstanceOf(ConflictError);
  });
});

describe('recordSagaFailure', () => {
  it('records a failed execution on the order once, with an event', async () => {
    const { order } = await placeOrder(orders, body({ customerId: 'cust-fail' }), { correlationId: 'c' });
    const failure = { executionName: order.orderId, status: 'FAILED' as const, error: 'TransientError', cause: 'boom' };
    const recorded = await recordSagaFailure(orders, order.orderId, failure, context);
    expect(recorded?.sagaFailure).toMatchObject(failure);
    await recordSagaFailure(orders, order.orderId, failure, context);
    expect(
      (await outboxEvents(tableName)).filter((e) => e.type === 'OrderSagaFailed' && e.subject === order.orderId),
    ).toHaveLength(1);
    expect(await recordSagaFailure(orders, 'NO-SUCH-ORDER', failure, context)).toBeUndefined();
  });
});
