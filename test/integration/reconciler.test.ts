/**
 * The reconciler against DynamoDB Local, with the Step Functions calls replaced by a recording fake (there is no
 * Step Functions engine in these tests; the e2e and chaos suites run it against the local runtime).
 */

import type { SFNClient } from '@aws-sdk/client-sfn';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoProductRepository } from '../../functions/catalog/adapters/dynamo-product-repository';
import { createProduct } from '../../functions/catalog/domain/product';
import { DynamoInventoryRepository } from '../../functions/inventory/adapters/dynamo-inventory-repository';
import { getStock, type InventoryDeps, reserve, restock } from '../../functions/inventory/domain/stock';
import { DynamoOrderRepository } from '../../functions/orders/adapters/dynamo-order-repository';
import { DynamoPriceSource } from '../../functions/orders/adapters/dynamo-price-source';
import type { OrdersDeps } from '../../functions/orders/domain/order';
import { placeOrder } from '../../functions/orders/domain/place-order';
import {
  DynamoPaymentMethodSource,
  DynamoPaymentRepository,
} from '../../functions/payments/adapters/dynamo-payment-repository';
import { SimulatedPaymentProvider } from '../../functions/payments/adapters/simulated-provider';
import { authorizePayment, listPayments, type PaymentsDeps } from '../../functions/payments/domain/payment';
import { DynamoReconcilerPorts, executionArnOf } from '../../functions/platform/adapters/dynamo-reconciler-ports';
import { type ExecutionStatus, type ReconcilerDeps, reconcile } from '../../functions/platform/domain/reconcile';
import type { SagaInput } from '../../functions/shared/saga/contract';
import { keys } from '../../functions/shared/table/layout';
import { clockAt, context, ids } from '../helpers/fixed';
import { createTable, deleteTable, doc, outboxEvents, scanAll } from '../helpers/table';

const T0 = '2026-11-22T10:00:00.000Z';
const LATER = Date.parse(T0) + 60 * 60 * 1000;

class FakeExecutions extends DynamoReconcilerPorts {
  readonly statuses = new Map<string, ExecutionStatus>();
  readonly started: { name: string; input: SagaInput }[] = [];
  override async executionStatus(name: string): Promise<ExecutionStatus> {
    return this.statuses.get(name) ?? 'NOT_FOUND';
  }
  override async startExecution(name: string, input: SagaInput): Promise<void> {
    this.started.push({ name, input });
    this.statuses.set(name, 'RUNNING');
  }
}

let tableName: string;
let orders: OrdersDeps & { prices: DynamoPriceSource };
let inventory: InventoryDeps;
let payments: PaymentsDeps & { methods: DynamoPaymentMethodSource };
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
    methods: new DynamoPaymentMethodSource(doc, tableName),
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
    { kind: 'MISSING_SAGA', orderId: lost.orderId, action: `started execution ${lost.orderId}` },
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
