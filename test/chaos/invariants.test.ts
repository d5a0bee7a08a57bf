/**
 * The chaos checks themselves: a consistent snapshot passes, and each kind of broken promise is reported with the
 * check and the subject it is about (so a scenario that passes has really been checked).
 */
import { type CheckInput, checkInvariants, type Violation } from '../../scripts/chaos/invariants';
import type { DeadLetter, OrderView, Snapshot } from '../../scripts/chaos/observe';
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
});
