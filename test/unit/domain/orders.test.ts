import fc from 'fast-check';
import { rowFromEvent } from '../../../functions/orders/domain/customer-orders';
import { mergeLines, type Order, requestHash, toOrderView } from '../../../functions/orders/domain/order';
import { executionNames } from '../../../functions/shared/saga/contract';

const sku = fc.stringMatching(/^[A-Z][A-Z0-9]{2,5}$/);

describe('mergeLines', () => {
  it('adds up the quantities of a sku and sorts by sku', () => {
    expect(
      mergeLines([
        { sku: 'B-1', quantity: 1 },
        { sku: 'A-1', quantity: 2 },
        { sku: 'B-1', quantity: 3 },
      ]),
    ).toEqual([
      { sku: 'A-1', quantity: 2 },
      { sku: 'B-1', quantity: 4 },
    ]);
  });

  it('keeps the total quantity of every sku and leaves each sku once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ sku, quantity: fc.integer({ min: 1, max: 1000 }) }), { minLength: 1, maxLength: 30 }),
        (items) => {
          const merged = mergeLines(items);
          expect(new Set(merged.map((l) => l.sku)).size).toBe(merged.length);
          for (const line of merged) {
            expect(line.quantity).toBe(items.filter((i) => i.sku === line.sku).reduce((s, i) => s + i.quantity, 0));
          }
        },
      ),
    );
  });
});

describe('requestHash', () => {
  it('ignores key order and spacing but not values', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })), (object) => {
        const reversed = Object.fromEntries(Object.entries(object).reverse());
        expect(requestHash(reversed)).toBe(requestHash(object));
      }),
    );
    expect(requestHash({ a: 1, b: [1, 2] })).not.toBe(requestHash({ a: 1, b: [2, 1] }));
    expect(requestHash({ a: '1' })).not.toBe(requestHash({ a: 1 }));
  });
});

describe('toOrderView', () => {
  it('never shows the payment token or the internal version', () => {
    const order: Order = {
      orderId: '01JDQ3ZK5W0Y8V9XG7H2M4N6PB',
      customerId: 'c',
      status: 'CANCELLED',
      reason: 'PAYMENT_DECLINED',
      items: [{ sku: 'TEE-1', quantity: 1, unitPriceCents: 100 }],
      totalCents: 100,
      currency: 'EUR',
      paymentToken: 'tok_secret',
      createdAt: '2026-11-22T10:00:00.000Z',
      updatedAt: '2026-11-22T10:00:00.000Z',
      version: 4,
      correlationId: 'corr',
    };
    const view = toOrderView(order);
    expect(JSON.stringify(view)).not.toContain('tok_secret');
    expect(view).not.toHaveProperty('version');
    expect(view).toMatchObject({ status: 'CANCELLED', reason: 'PAYMENT_DECLINED' });
  });
});

describe('execution names', () => {
  it('maps both sagas of an order back to the order id', () => {
    const orderId = '01JDQ3ZK5W0Y8V9XG7H2M4N6PB';
    expect(executionNames.orderIdOf(executionNames.checkout(orderId))).toBe(orderId);
    expect(executionNames.orderIdOf(executionNames.cancel(orderId))).toBe(orderId);
    expect(executionNames.cancel(orderId).length).toBeLessThanOrEqual(80);
  });
});

describe('rowFromEvent', () => {
  it('carries the order sequence and the cancellation reason into the projection row', () => {
    const row = rowFromEvent({
      id: 'e',
      source: 'commerce.orders',
      type: 'OrderCancelled',
      time: '2026-11-22T10:00:05.000Z',
      subject: 'o',
      sequence: 5,
      correlationId: 'c',
      causationId: null,
      dataVersion: 1,
      data: {
        orderId: 'o',
        customerId: 'c',
        totalCents: 1,
        currency: 'EUR',
        createdAt: '2026-11-22T10:00:00.000Z',
        reason: 'OUT_OF_STOCK',
        previousStatus: 'PENDING',
        cancelledAt: '2026-11-22T10:00:05.000Z',
      },
    });
    expect(row).toMatchObject({
      status: 'CANCELLED',
      reason: 'OUT_OF_STOCK',
      sequence: 5,
      updatedAt: '2026-11-22T10:00:05.000Z',
    });
  });
});
