/**
 * The reconciler against DynamoDB Local, with the Step Functions calls replaced by a recording fake (there is no
 * Step Functions engine in these tests; the e2e and chaos suites run it against the local runtime).
 */

import type { SFNClient } from '@aws-sdk/client-sfn';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoProductRepository } from '../../functions/catalog/adapters/dynamo-product-repository';
import { createProduct } from '../../functions/catalog/domain/product';
import { DynamoInventoryRepository } from '../../functions/inventory/adapters/dynamo-inventory-repository';
import { getStock, type InventoryDeps, release, reserve, restock } from '../../functions/inventory/domain/stock';
import { DynamoOrderRepository } from '../../functions/orders/adapters/dynamo-order-repository';
import { DynamoPriceSource } from '../../functions/orders/adapters/dynamo-price-source';
import type { OrdersDeps } from '../../functions/orders/domain/order';
import { placeOrder } from '../../functions/orders/domain/place-order';
import { requestCancellation } from '../../functions/orders/domain/request-cancellation';
import { cancelOrder, confirmOrder } from '../../functions/orders/domain/saga-steps';
import { DynamoOrderFacts, DynamoPaymentRepository } from '../../functions/payments/adapters/dynamo-payment-repository';
import { SimulatedPaymentProvider } from '../../functions/payments/adapters/simulated-provider';
import {
  authorizePayment,
  listPayments,
  type PaymentsDeps,
  voidPayment,
} from '../../functions/payments/domain/payment';
import { DynamoReconcilerPorts, executionArnOf } from '../../functions/platform/adapters/dynamo-reconciler-ports';
import { type ExecutionStatus, type ReconcilerDeps, reconcile } from '../../functions/platform/domain/reconcile';
import type { CancelReason } from '../../functions/shared/events/catalog';
import type { SagaInput } from '../../functions/shared/saga/contract';
import { keys } from '../../functions/shared/table/layout';
import { clockAt, context, ids } from '../helpers/fixed';
import { createTable, deleteTable, doc, outboxEvents, scanAll } from '../helpers/table';

const T0 = '2026-11-22T10:00:00.000Z';
const LATER = Date.parse(T0) + 60 * 60 * 1000;

class FakeExecutions extends DynamoReconcilerPorts {
  readonly statuses = new Map<string, ExecutionStatus>();
  readonly reasons = new Map<string, CancelReason>();
  readonly started: { name: string; input: SagaInput }[] = [];
  override async executionStatus(name: string): Promise<ExecutionStatus> {
    return this.statuses.get(name) ?? 'NOT_FOUND';
  }
  override async executionReason(name: string): Promise<CancelReason | undefined> {
    return this.reasons.get(name);
  }
  override async startExecution(name: string, input: SagaInput): Promise<void> {
    this.started.push({ name, input });
    this.statuses.set(name, 'RUNNING');
  }
}

let tableName: string;
let orders: OrdersDeps & { prices: DynamoPriceSource };
let inventory: InventoryDeps;
let payments: PaymentsDeps;
let ports: FakeExecutions;
let deps: ReconcilerDeps;

beforeAll(async () => {
  tableName = await createTable('reconciler');
  const common = { ids: ids(), clock: clockAt(T0) };
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
  ports = new FakeExecutions(
    doc,
    tableName,
    orders.orders,
    {} as SFNClient,
    'arn:aws:states:us-east-1:0:stateMachine:checkout',
    {
      start: async () => 'started',
    },
  );
  deps = { ports, orders, inventory, payments };
  await createProduct(
    { products: new DynamoProductRepository(doc, tableName), ...common },
    { sku: 'REC-1', name: 'r', priceCents: 700, currency: 'EUR' },
    context,
  );
  await restock(inventory, 'REC-1', 100, context);
});
afterAll(async () => {
  await deleteTable(tableName);
});

async function newOrder(customerId: string) {
  return (
    await placeOrder(
      orders,
      { customerId, paymentToken: 'tok_visa', items: [{ sku: 'REC-1', quantity: 2 }] },
      { correlationId: 'c' },
    )
  ).order;
}

it('derives execution ARNs from the state machine ARN', () => {
  expect(executionArnOf('arn:aws:states:eu-west-1:123:stateMachine:Checkout', '01ABC')).toBe(
    'arn:aws:states:eu-west-1:123:execution:Checkout:01ABC',
  );
});

it('starts the saga of an order whose start was lost, leaves running and young ones alone', async () => {
  const lost = await newOrder('rec-lost');
  const running = await newOrder('rec-running');
  ports.statuses.set(running.orderId, 'RUNNING');
  const young = await reconcile(deps, Date.parse(T0) + 1000, { staleAfterSeconds: 900 });
  expect(young.repairs).toEqual([]);
  const report = await reconcile(deps, LATER, { staleAfterSeconds: 900 });
  expect(report.repairs).toEqual([
    { kind: 'MISSING_SAGA', orderId: lost.orderId, action: `started execution ${lost.orderId} (checkout)` },
  ]);
  expect(ports.started).toEqual([
    {
      name: lost.orderId,
      input: expect.objectContaining({ action: 'checkout', orderId: lost.orderId, totalCents: 1400 }),
    },
  ]);
  const repairEvents = (await outboxEvents(tableName)).filter(
    (e) => e.type === 'RepairApplied' && e.subject === lost.orderId,
  );
  expect(repairEvents).toHaveLength(1);
});

it('compensates and cancels an order whose execution failed, through the saga operations', async () => {
  const order = await newOrder('rec-failed');
  await reserve(inventory, order.orderId, order.items, context);
  await authorizePayment(payments, { orderId: order.orderId, amountCents: order.totalCents, currency: 'EUR' }, context);
  ports.statuses.set(order.orderId, 'FAILED');
  const before = await getStock(inventory, 'REC-1');
  const report = await reconcile(deps, LATER, { staleAfterSeconds: 900 });
  expect(report.repairs).toContainEqual(expect.objectContaining({ kind: 'STALE_ORDER', orderId: order.orderId }));
  expect(await orders.orders.get(order.orderId)).toMatchObject({ status: 'CANCELLED', reason: 'SYSTEM_ERROR' });
  expect(await listPayments(payments, order.orderId)).toEqual([expect.objectContaining({ status: 'VOIDED' })]);
  const after = await getStock(inventory, 'REC-1');
  expect(after.available - before.available).toBe(2);
  expect(after.reserved).toBe(before.reserved - 2);
  // A second run has nothing left to do for it.
  const again = await reconcile(deps, LATER, { staleAfterSeconds: 900 });
  expect(again.repairs.filter((r) => r.orderId === order.orderId)).toEqual([]);
});

it('releases a hold whose order is cancelled and voids an authorization the provider still holds for it', async () => {
  const order = await newOrder('rec-orphans');
  ports.statuses.set(order.orderId, 'RUNNING');
  await reserve(inventory, order.orderId, order.items, context);
  await payments.provider.authorize({
    idempotencyKey: `authorize-${order.orderId}`,
    amountCents: 1400,
    currency: 'EUR',
    paymentToken: 'tok_visa',
    reference: order.orderId,
  });
  // Someone cancelled the order by hand, bypassing the saga's guards.
  await doc.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.order(order.orderId),
      UpdateExpression: 'SET #s = :c, reason = :r REMOVE gsi1pk, gsi1sk',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':c': 'CANCELLED', ':r': 'SYSTEM_ERROR' },
    }),
  );
  const report = await reconcile(deps, Math.max(LATER, Date.now()) + 60 * 60 * 1000, { staleAfterSeconds: 900 });
  expect(report.repairs).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ kind: 'ORPHAN_RESERVATION', orderId: order.orderId }),
      expect.objectContaining({ kind: 'ORPHAN_PAYMENT', orderId: order.orderId }),
    ]),
  );
  expect((await inventory.inventory.reservationsOf(order.orderId))[0]?.status).toBe('RELEASED');
  const ledger = (await scanAll(tableName)).find((i) => i.pk === `PSP#authorize-${order.orderId}`);
  expect(ledger?.status).toBe('VOIDED');
});

it('notes a repair that fails and goes on with the others', async () => {
  const broken = await newOrder('rec-broken');
  const fine = await newOrder('rec-fine');
  ports.statuses.set(broken.orderId, 'FAILED');
  ports.statuses.set(fine.orderId, 'FAILED');
  await doc.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...keys.payment(broken.orderId, `pay_${broken.orderId}`),
        entity: 'Payment',
        paymentId: `pay_${broken.orderId}`,
        orderId: broken.orderId,
        status: 'AUTHORIZED',
        amountCents: 1,
        currency: 'EUR',
        version: 1,
      },
    }),
  );
  const report = await reconcile(deps, LATER, { staleAfterSeconds: 900 });
  expect(report.anomalies.some((a) => a.includes(broken.orderId))).toBe(true);
  expect(report.repairs).toContainEqual(expect.objectContaining({ kind: 'STALE_ORDER', orderId: fine.orderId }));
  expect((await orders.orders.get(broken.orderId))?.status).toBe('PENDING');
});

it('cancels with the reason the execution had decided, not SYSTEM_ERROR', async () => {
  const order = await newOrder('rec-reason');
  ports.statuses.set(order.orderId, 'FAILED');
  ports.reasons.set(order.orderId, 'PAYMENT_DECLINED');
  const report = await reconcile(deps, LATER, { staleAfterSeconds: 900 });
  expect(report.repairs).toContainEqual(
    expect.objectContaining({
      kind: 'STALE_ORDER',
      orderId: order.orderId,
      action: expect.stringContaining('PAYMENT_DECLINED'),
    }),
  );
  expect(await orders.orders.get(order.orderId)).toMatchObject({ status: 'CANCELLED', reason: 'PAYMENT_DECLINED' });
});

it('starts an execution that only cancels for a PENDING order whose customer already cancelled', async () => {
  const order = await newOrder('rec-cancelled-first');
  await requestCancellation(orders, order.orderId, 'c');
  await reconcile(deps, LATER, { staleAfterSeconds: 900 });
  expect(ports.started).toContainEqual({
    name: order.orderId,
    input: expect.objectContaining({ action: 'cancel', orderId: order.orderId }),
  });
});

it('works through its lists a bounded page at a time and continues where the last run stopped', async () => {
  const batch = [];
  for (let i = 0; i < 5; i++) batch.push(await newOrder(`rec-budget-${i}`));
  for (const order of batch) ports.statuses.set(order.orderId, 'RUNNING');
  const seen = new Set<string>();
  const spy = jest.spyOn(ports, 'executionStatus');
  let runs = 0;
  let unfinished = true;
  while (unfinished && runs < 20) {
    const report = await reconcile(deps, LATER, { staleAfterSeconds: 900, budget: 2 });
    expect(report.checkedOrders).toBeLessThanOrEqual(2);
    unfinished = report.unfinished.includes('openOrders');
    runs++;
  }
  for (const call of spy.mock.calls) seen.add(call[0]);
  spy.mockRestore();
  for (const order of batch) expect(seen.has(order.orderId)).toBe(true);
  expect(runs).toBeGreaterThan(1);
  expect(unfinished).toBe(false);
});

it('voids an orphan authorization however old it is', async () => {
  const order = await newOrder('rec-ancient');
  const old = { ...payments, provider: new SimulatedPaymentProvider(doc, tableName) };
  await old.provider.authorize({
    idempotencyKey: `authorize-${order.orderId}`,
    amountCents: 1400,
    currency: 'EUR',
    paymentToken: 'tok_visa',
    reference: order.orderId,
  });
  await doc.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.order(order.orderId),
      UpdateExpression: 'SET #s = :c, reason = :r REMOVE gsi1pk, gsi1sk',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':c': 'CANCELLED', ':r': 'OUT_OF_STOCK' },
    }),
  );
  // Thirty days later: older than any look-back window the reconciler used to have.
  const report = await reconcile(deps, Date.now() + 30 * 24 * 3600 * 1000, { staleAfterSeconds: 900 });
  expect(report.repairs).toContainEqual(expect.objectContaining({ kind: 'ORPHAN_PAYMENT', orderId: order.orderId }));
  const ledger = (await scanAll(tableName)).find((i) => i.pk === `PSP#authorize-${order.orderId}`);
  expect(ledger?.status).toBe('VOIDED');
});

it('flags a CONFIRMED order whose payment was voided without the customer asking, and keeps flagging it', async () => {
  const order = await newOrder('rec-voided-confirmed');
  await reserve(inventory, order.orderId, order.items, context);
  await authorizePayment(payments, { orderId: order.orderId, amountCents: order.totalCents, currency: 'EUR' }, context);
  await confirmOrder(orders, order.orderId, context);
  // What the saga did before compensations checked the order: void the payment of a confirmed order.
  await doc.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.order(order.orderId),
      UpdateExpression: 'SET #s = :p',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':p': 'PENDING' },
    }),
  );
  await voidPayment(payments, order.orderId, 'SYSTEM_ERROR', context);
  await doc.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.order(order.orderId),
      UpdateExpression: 'SET #s = :c REMOVE gsi1pk, gsi1sk',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':c': 'CONFIRMED' },
    }),
  );
  const later = Date.now() + 3600 * 1000;
  const first = await reconcile(deps, later, { staleAfterSeconds: 900 });
  expect(first.anomalies.some((a) => a.includes(order.orderId) && a.includes('VOIDED'))).toBe(true);
  const second = await reconcile(deps, later, { staleAfterSeconds: 900 });
  expect(second.anomalies.some((a) => a.includes(order.orderId))).toBe(true);
});

it('takes a voided payment of a cancelled order off its review list', async () => {
  const order = await newOrder('rec-voided-cancelled');
  await reserve(inventory, order.orderId, order.items, context);
  await authorizePayment(payments, { orderId: order.orderId, amountCents: order.totalCents, currency: 'EUR' }, context);
  await voidPayment(payments, order.orderId, 'SYSTEM_ERROR', context);
  await release(inventory, order.orderId, order.items, 'SYSTEM_ERROR', context);
  await cancelOrder(orders, order.orderId, 'SYSTEM_ERROR', context);
  const review = async () =>
    (await scanAll(tableName)).filter((i) => i.orderId === order.orderId && String(i.gsi1pk).startsWith('CLOSED_'));
  expect(await review()).toHaveLength(1);
  const report = await reconcile(deps, Date.now() + 3600 * 1000, { staleAfterSeconds: 900 });
  expect(report.anomalies.some((a) => a.includes(order.orderId))).toBe(false);
  expect(await review()).toEqual([]);
});
