/**
 * The chaos checks themselves: a consistent snapshot passes, and each kind of broken promise is reported with the
 * check and the subject it is about (so a scenario that passes has really been checked).
 */
import { type CheckInput, checkInvariants, type Violation } from '../../scripts/chaos/invariants';
import type { DeadLetter, ExecutionView, OrderView, ReservationRow, Snapshot } from '../../scripts/chaos/observe';
import { newOutcome, type OrderOutcome, type SkuPlan } from '../../scripts/chaos/workload';

const SKU: SkuPlan = { sku: 'SKU-1', priceCents: 1000, stock: 10, scarce: false };

function order(orderId: string, status: OrderView['status'], extra: Partial<OrderView> = {}): OrderView {
  return {
    orderId,
    customerId: 'c1',
    status,
    totalCents: 2000,
    items: [{ sku: 'SKU-1', quantity: 2, unitPriceCents: 1000 }],
    ...(status === 'CANCELLED' ? { reason: 'PAYMENT_DECLINED' } : {}),
    ...extra,
  };
}

function hold(
  orderId: string,
  quantity: number,
  status: string,
  createdAt: string,
  updatedAt = createdAt,
  sku = 'SKU-1',
): ReservationRow {
  return { orderId, sku, quantity, status, createdAt, updatedAt, tombstone: false };
}

/** An execution of one order whose states ran at these times (`[name, enteredAt, exitedAt]`). */
function execution(name: string, states: [string, string, string?][]): ExecutionView {
  return {
    name,
    status: 'SUCCEEDED',
    startDate: states[0]?.[1] ?? '',
    stopDate: states[states.length - 1]?.[2] ?? null,
    states: states.map(([state, enteredAt, exitedAt]) => ({
      name: state,
      status: 'succeeded',
      enteredAt,
      ...(exitedAt ? { exitedAt } : {}),
    })),
  };
}

function accepted(orderId: string, index: number): OrderOutcome {
  const outcome = newOutcome({
    index,
    idempotencyKey: `key-${index}`,
    customerId: 'c1',
    items: [{ sku: 'SKU-1', quantity: 2 }],
    paymentToken: 'tok_visa',
  });
  outcome.state = 'accepted';
  outcome.orderId = orderId;
  outcome.orderIdsSeen.add(orderId);
  return outcome;
}

/** Order A confirmed, order B cancelled: every record agrees. */
function consistent(): CheckInput {
  const a = order('A', 'CONFIRMED');
  const b = order('B', 'CANCELLED');
  const snapshot: Snapshot = {
    orders: new Map([
      ['A', a],
      ['B', b],
    ]),
    payments: new Map([
      ['A', [{ paymentId: 'pay_A', status: 'AUTHORIZED', amountCents: 2000 }]],
      ['B', [{ paymentId: 'pay_B', status: 'DECLINED', amountCents: 2000 }]],
    ]),
    stock: [{ sku: 'SKU-1', available: 8, reserved: 0, sold: 2, restocked: 10 }],
    customerOrders: new Map([
      [
        'c1',
        [
          { orderId: 'A', status: 'CONFIRMED' },
          { orderId: 'B', status: 'CANCELLED', reason: 'PAYMENT_DECLINED' },
        ],
      ],
    ]),
    notifications: new Map([
      [
        'c1',
        [
          { orderId: 'A', type: 'ORDER_CONFIRMED' },
          { orderId: 'B', type: 'ORDER_CANCELLED' },
        ],
      ],
    ]),
    ledger: [
      { key: 'authorize-A', reference: 'A', status: 'AUTHORIZED', amountCents: 2000 },
      { key: 'authorize-B', reference: 'B', status: 'DECLINED', amountCents: 2000 },
    ],
    mailbox: [
      { key: 'A#ORDER_CONFIRMED', orderId: 'A', type: 'ORDER_CONFIRMED', deliveries: 1, attempts: 2 },
      { key: 'B#ORDER_CANCELLED', orderId: 'B', type: 'ORDER_CANCELLED', deliveries: 1, attempts: 1 },
    ],
    deadLetters: [],
    events: [],
    runningExecutions: [],
    reservations: [
      hold('A', 2, 'COMMITTED', '2026-01-01T10:00:00.000Z', '2026-01-01T10:00:01.000Z'),
      hold('B', 2, 'RELEASED', '2026-01-01T10:00:00.500Z', '2026-01-01T10:00:02.000Z'),
    ],
    // B's hold was given back by its saga's ReleaseInventory.
    executions: new Map([
      ['B', [execution('B', [['ReleaseInventory', '2026-01-01T10:00:01.900Z', '2026-01-01T10:00:02.100Z']])]],
    ]),
  };
  return {
    skus: [SKU],
    outcomes: [accepted('A', 0), accepted('B', 1)],
    snapshot,
    serverErrors: [],
    poisonReported: [],
    poisonOutboxMarkers: [],
    settled: true,
  };
}

const checks = (violations: Violation[]) => violations.map((v) => `${v.check} ${v.subject}`);

describe('chaos invariants', () => {
  it('a consistent snapshot has no violation', () => {
    expect(checkInvariants(consistent()).violations).toEqual([]);
  });

  it('reports an order that is not final, and a cancellation that was not honoured', () => {
    const input = consistent();
    input.snapshot.orders.set('A', order('A', 'PENDING'));
    const outcome = input.outcomes[0] as OrderOutcome;
    outcome.cancel = { state: 'requested', status: 202 };
    expect(checks(checkInvariants(input).violations)).toEqual(expect.arrayContaining(['final A', 'cancellation A']));
  });

  it('reports stock that is not conserved or still reserved, and units sold that no confirmed order holds', () => {
    const input = consistent();
    input.snapshot.stock[0] = { sku: 'SKU-1', available: 7, reserved: 1, sold: 3, restocked: 10 };
    const messages = checkInvariants(input)
      .violations.filter((v) => v.check === 'stock')
      .map((v) => v.message);
    expect(messages).toEqual([
      expect.stringContaining('available + reserved + sold != restocked'),
      expect.stringContaining('units still reserved at rest'),
      expect.stringContaining('sold 3, but the confirmed orders hold 2'),
    ]);
  });

  it('reports two live payments, a live payment of a cancelled order, and the same at the provider', () => {
    const input = consistent();
    input.snapshot.payments.set('A', [
      { paymentId: 'pay_A', status: 'AUTHORIZED', amountCents: 2000 },
      { paymentId: 'pay_A2', status: 'CAPTURED', amountCents: 2000 },
    ]);
    input.snapshot.ledger[1] = { key: 'authorize-B', reference: 'B', status: 'AUTHORIZED', amountCents: 2000 };
    expect(checks(checkInvariants(input).violations)).toEqual(['payment A', 'provider-ledger B']);
  });

  it('reports a missing or repeated notification and the wrong kind', () => {
    const input = consistent();
    input.snapshot.notifications.set('c1', [
      { orderId: 'A', type: 'ORDER_CONFIRMED' },
      { orderId: 'A', type: 'ORDER_CONFIRMED' },
      { orderId: 'A', type: 'ORDER_CANCELLED' },
    ]);
    const violations = checkInvariants(input).violations.filter((v) => v.check === 'notification');
    expect(violations.map((v) => `${v.subject}: ${v.message}`)).toEqual([
      'A: 2 ORDER_CONFIRMED notification(s) recorded, expected 1',
      'A: CONFIRMED but the customer was sent ORDER_CANCELLED',
      'B: 0 ORDER_CANCELLED notification(s) recorded, expected 1',
    ]);
  });

  it('reports a projection that went backwards or misses an order', () => {
    const input = consistent();
    input.snapshot.customerOrders.set('c1', [{ orderId: 'A', status: 'PENDING' }]);
    expect(checks(checkInvariants(input).violations)).toEqual(['projection A', 'projection B']);
  });

  it('poison: explained when in the DLQ of every consumer it reached, with its error; reported otherwise', () => {
    const input = { ...consistent(), poisonReported: ['poison-1-1-ab', 'poison-1-2-cd'] };
    const poison = { id: 'poison-1-1-ab', type: 'OrderConfirmed', dataVersion: 1, data: null };
    input.snapshot.events.push({
      id: 'bus-1',
      detailType: 'OrderConfirmed',
      detail: poison,
      deliveries: [
        {
          rule: 'notifier',
          targetArn: 'arn:aws:lambda:us-east-1:000000000000:function:Notifier',
          outcome: 'delivered',
        },
        {
          rule: 'projection',
          targetArn: 'arn:aws:lambda:us-east-1:000000000000:function:Projection',
          outcome: 'delivered',
        },
      ],
    });
    const letter: DeadLetter = {
      queue: 'S-DeadLettersOrderNotifierDlq1',
      messageId: 'm1',
      attributes: {},
      body: {
        requestContext: { functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Notifier:$LATEST' },
        requestPayload: { detail: poison },
        responsePayload: { errorType: 'PoisonEvent', errorMessage: 'failed validation' },
      },
    };
    const stray: DeadLetter = { queue: 'S-DeadLettersOutboxRelayDlq1', messageId: 'm2', attributes: {}, body: {} };
    input.snapshot.deadLetters.push(letter, stray);
    const result = checkInvariants(input);
    expect(result.expectedDeadLetters).toBe(1);
    expect(result.violations.map((v) => `${v.check} ${v.subject}: ${v.message}`)).toEqual([
      'poison poison-1-2-cd: reported as injected but never on the bus',
      'poison poison-1-1-ab: not in the DLQ of Projection (delivery delivered)',
      expect.stringMatching(/^dead-letter OutboxRelayDlq1 m2: unexpected dead letter/),
    ]);
  });

  it('reports a 5xx, a stuck execution and a second order for one Idempotency-Key', () => {
    const input = { ...consistent(), serverErrors: [{ method: 'POST', path: '/orders', status: 500, body: '{}' }] };
    input.snapshot.runningExecutions.push('A');
    (input.outcomes[1] as OrderOutcome).orderIdsSeen.add('B2');
    expect(checks(checkInvariants(input).violations)).toEqual([
      'idempotency-key key-1',
      'stuck-saga A',
      '5xx POST /orders',
    ]);
  });

  describe('out-of-stock: no order is cancelled OUT_OF_STOCK while its skus had the stock', () => {
    /** Order C (SKU-1 x2) cancelled OUT_OF_STOCK; its ReserveInventory ran 10:00:10.000-10:00:10.400. */
    function withOutOfStockOrder(stock: number): CheckInput {
      const input = { ...consistent(), skus: [{ ...SKU, stock }] };
      input.snapshot.orders.set(
        'C',
        order('C', 'CANCELLED', {
          reason: 'OUT_OF_STOCK',
          createdAt: '2026-01-01T10:00:09.900Z',
          updatedAt: '2026-01-01T10:00:11.000Z',
        }),
      );
      input.snapshot.executions.set('C', [
        execution('C', [
          ['Route', '2026-01-01T10:00:10.000Z', '2026-01-01T10:00:10.000Z'],
          ['ReserveInventory', '2026-01-01T10:00:10.000Z', '2026-01-01T10:00:10.400Z'],
          ['Reason_OUT_OF_STOCK', '2026-01-01T10:00:10.400Z', '2026-01-01T10:00:10.400Z'],
        ]),
      ]);
      return input;
    }
    const outOfStock = (input: CheckInput) =>
      checkInvariants(input).violations.filter((v) => v.check === 'out-of-stock');

    it('passes when the holds that may have been live left less than the line asked for', () => {
      // Stock 5: A bought 2 (for good), D held 2 during the window: at most 1 left for C's 2 units.
      const input = withOutOfStockOrder(5);
      input.snapshot.reservations.push(
        hold('D', 2, 'RELEASED', '2026-01-01T10:00:09.000Z', '2026-01-01T10:00:10.200Z'),
      );
      expect(outOfStock(input)).toEqual([]);
    });

    it('flags a reservation read as out of stock while plenty of stock existed (a throttle taken for a refusal)', () => {
      // Stock 10: only A's 2 units were ever out of `available`: at least 8 left for C's 2.
      const violations = outOfStock(withOutOfStockOrder(10));
      expect(violations).toEqual([
        {
          check: 'out-of-stock',
          subject: 'C',
          message: expect.stringContaining(
            'SKU-1 had at least 8 available for 2 (stock 10, at most 2 held by 1 hold(s))',
          ),
        },
      ]);
    });

    it('a hold given back by a saga state that ended before the window does not count', () => {
      // Stock 5: D's 2 units came back when D's ReleaseInventory ended (10:00:05), long before C's reservation.
      const input = withOutOfStockOrder(5);
      input.snapshot.reservations.push(
        hold('D', 2, 'RELEASED', '2026-01-01T10:00:01.000Z', '2026-01-01T10:00:04.900Z'),
      );
      input.snapshot.executions.set('D', [
        execution('D', [['ReleaseInventory', '2026-01-01T10:00:04.800Z', '2026-01-01T10:00:05.000Z']]),
      ]);
      expect(outOfStock(input).map((v) => v.subject)).toEqual(['C']);
    });

    it('a hold given back outside any saga state counts for a long while after its updatedAt (conservative)', () => {
      // Same as above, but no saga state gave D's units back (the reconciler did): they may have come back late.
      const input = withOutOfStockOrder(5);
      input.snapshot.reservations.push(
        hold('D', 2, 'RELEASED', '2026-01-01T10:00:01.000Z', '2026-01-01T10:00:04.900Z'),
      );
      expect(outOfStock(input)).toEqual([]);
    });

    it('without a history, the order’s whole life is the window; a line whose sku had no stock is never flagged', () => {
      const input = withOutOfStockOrder(10);
      input.snapshot.executions.delete('C');
      // E held 7 units between C's creation and its cancellation, but outside the ReserveInventory window.
      input.snapshot.reservations.push(
        hold('E', 7, 'RELEASED', '2026-01-01T10:00:10.600Z', '2026-01-01T10:00:10.800Z'),
      );
      expect(outOfStock(input)).toEqual([]);
      const one = withOutOfStockOrder(10);
      const twoSkus = { ...one, skus: [...one.skus, { sku: 'SKU-2', priceCents: 100, stock: 1, scarce: true }] };
      twoSkus.snapshot.orders.set(
        'C',
        order('C', 'CANCELLED', {
          reason: 'OUT_OF_STOCK',
          items: [
            { sku: 'SKU-1', quantity: 2, unitPriceCents: 1000 },
            { sku: 'SKU-2', quantity: 2, unitPriceCents: 100 },
          ],
        }),
      );
      expect(outOfStock(twoSkus)).toEqual([]);
    });
  });

  describe('confirmed-backed: a confirmed order has its live payment and its committed stock', () => {
    it('passes when each line has a COMMITTED reservation with its quantity and the payment is live on both sides', () => {
      const input = consistent();
      input.snapshot.payments.set('A', [{ paymentId: 'pay_A', status: 'CAPTURED', amountCents: 2000 }]);
      expect(checkInvariants(input).violations).toEqual([]);
    });

    it('flags a line still only HELD, a line of another quantity, and a payment voided on either side', () => {
      const input = consistent();
      input.snapshot.orders.set(
        'A',
        order('A', 'CONFIRMED', {
          totalCents: 2500,
          items: [
            { sku: 'SKU-1', quantity: 2, unitPriceCents: 1000 },
            { sku: 'SKU-2', quantity: 1, unitPriceCents: 500 },
          ],
        }),
      );
      input.snapshot.reservations[0] = hold('A', 2, 'HELD', '2026-01-01T10:00:00.000Z');
      input.snapshot.reservations.push(hold('A', 3, 'COMMITTED', '2026-01-01T10:00:00.000Z', undefined, 'SKU-2'));
      input.snapshot.payments.set('A', [{ paymentId: 'pay_A', status: 'VOIDED', amountCents: 2500 }]);
      input.snapshot.ledger[0] = { key: 'authorize-A', reference: 'A', status: 'VOIDED', amountCents: 2500 };
      const messages = checkInvariants(input)
        .violations.filter((v) => v.check === 'confirmed-backed')
        .map((v) => `${v.subject}: ${v.message}`);
      expect(messages).toEqual([
        'A: CONFIRMED without a live payment in our table (VOIDED)',
        'A: CONFIRMED without a live authorization at the provider',
        'A: CONFIRMED, but its line SKU-1 x2 has no COMMITTED reservation (HELD x2)',
        'A: CONFIRMED, but its line SKU-2 x1 has no COMMITTED reservation (COMMITTED x3)',
      ]);
    });

    it('flags a cancelled order that still holds or owns units', () => {
      const input = consistent();
      input.snapshot.reservations[1] = hold('B', 2, 'HELD', '2026-01-01T10:00:00.500Z');
      expect(checks(checkInvariants(input).violations)).toContain('cancelled-holds B');
    });
  });

  describe('cancellation: every outcome of a racing cancellation is accepted, and nothing else', () => {
    it('accepts a 202 that met the order PENDING or CONFIRMED and a 409 for an order cancelled first', () => {
      const input = consistent();
      input.snapshot.orders.set('A', order('A', 'CANCELLED', { reason: 'CUSTOMER_REQUEST' }));
      input.snapshot.customerOrders.set('c1', [
        { orderId: 'A', status: 'CANCELLED', reason: 'CUSTOMER_REQUEST' },
        { orderId: 'B', status: 'CANCELLED', reason: 'PAYMENT_DECLINED' },
      ]);
      input.snapshot.notifications.set('c1', [
        { orderId: 'A', type: 'ORDER_CONFIRMED' },
        { orderId: 'A', type: 'ORDER_CANCELLED' },
        { orderId: 'B', type: 'ORDER_CANCELLED' },
      ]);
      input.snapshot.mailbox.push({
        key: 'A#ORDER_CANCELLED',
        orderId: 'A',
        type: 'ORDER_CANCELLED',
        deliveries: 1,
        attempts: 1,
      });
      input.snapshot.payments.set('A', [{ paymentId: 'pay_A', status: 'REFUNDED', amountCents: 2000 }]);
      input.snapshot.ledger[0] = { key: 'authorize-A', reference: 'A', status: 'REFUNDED', amountCents: 2000 };
      input.snapshot.reservations[0] = hold('A', 2, 'RETURNED', '2026-01-01T10:00:00.000Z', '2026-01-01T10:00:03.000Z');
      input.snapshot.stock[0] = { sku: 'SKU-1', available: 10, reserved: 0, sold: 0, restocked: 10 };
      (input.outcomes[0] as OrderOutcome).cancel = { state: 'requested', status: 202, orderStatus: 'CONFIRMED' };
      (input.outcomes[1] as OrderOutcome).cancel = { state: 'refused', status: 409, code: 'ORDER_ALREADY_CANCELLED' };
      expect(checkInvariants(input).violations).toEqual([]);
      // Met while PENDING, and the saga had already decided another reason: also fine.
      (input.outcomes[1] as OrderOutcome).cancel = { state: 'requested', status: 202, orderStatus: 'PENDING' };
      expect(checkInvariants(input).violations).toEqual([]);
    });

    it('flags a confirmed order undone for another reason, a 409 for an order not cancelled, any other refusal, and a CUSTOMER_REQUEST nobody made', () => {
      const input = consistent();
      input.snapshot.orders.set('A', order('A', 'CANCELLED', { reason: 'SYSTEM_ERROR' }));
      (input.outcomes[0] as OrderOutcome).cancel = { state: 'requested', status: 202, orderStatus: 'CONFIRMED' };
      const second = input.outcomes[1] as OrderOutcome;
      const cancellation = () =>
        checkInvariants(input)
          .violations.filter((v) => v.check === 'cancellation')
          .map((v) => `${v.subject}: ${v.message}`);
      second.cancel = { state: 'refused', status: 409, code: 'ORDER_ALREADY_CANCELLED' };
      input.snapshot.orders.set('B', order('B', 'CONFIRMED'));
      expect(cancellation()).toEqual([
        'A: cancelled by its customer once CONFIRMED, but ended CANCELLED for SYSTEM_ERROR',
        'B: the cancellation was refused as already cancelled, but the order is CONFIRMED',
      ]);
      second.cancel = { state: 'refused', status: 409, code: 'CONCURRENT_UPDATE' };
      expect(cancellation()[1]).toBe("B: the customer's cancellation was refused with 409 CONCURRENT_UPDATE");
      second.cancel = undefined;
      input.snapshot.orders.set('B', order('B', 'CANCELLED', { reason: 'CUSTOMER_REQUEST' }));
      expect(cancellation()[1]).toBe('B: CANCELLED for CUSTOMER_REQUEST, but nobody asked');
    });
  });
});
