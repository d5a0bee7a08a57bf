/**
 * The reconciler: finds what the saga could not finish and finishes it through the SAME idempotent operations the
 * saga uses, recording every repair as a RepairApplied event (and a metric, in the handler).
 *
 *  1. Open orders older than the deadline (PENDING, or CONFIRMED with a cancellation request):
 *     no execution -> start it (its start event was lost; an order whose customer already cancelled gets an
 *     execution that only cancels); execution RUNNING -> leave it (the state machine's own timeout bounds it);
 *     execution ended without settling the order -> compensate and cancel with the reason the execution had
 *     decided (OUT_OF_STOCK, PAYMENT_DECLINED, ...), the customer's request, or else SYSTEM_ERROR.
 *  2. Held reservations older than the deadline whose order is settled or gone -> release them. A hold on a
 *     CONFIRMED order is an anomaly: committed when the order bought that sku (the sale it paid for), else reported.
 *  3. Authorizations the provider still holds, of any age, whose order is cancelled or gone -> void them.
 *  4. Payments voided or refunded since the last run whose order is CONFIRMED without the customer asking to
 *     cancel: an anomaly (the money is released; a person decides), reported and counted, never "repaired" blindly.
 *
 * Every list is read a page at a time with a budget per run; where a run stops, the next one continues (the cursors
 * are kept by the ports), so the work of one run is bounded however long the lists grow.
 */
import type { InventoryDeps } from '../../inventory/domain/stock';
import { commitHeld, release } from '../../inventory/domain/stock';
import { isSettled, type Order, type OrdersDeps } from '../../orders/domain/order';
import { cancelOrder } from '../../orders/domain/saga-steps';
import { type PaymentsDeps, voidPayment } from '../../payments/domain/payment';
import type { OpenAuthorization } from '../../payments/domain/provider';
import { type CancelReason, type EventOf, RepairAppliedV1 } from '../../shared/events/catalog';
import { type EventContext, newEvent } from '../../shared/events/factory';
import { executionNames, type SagaInput } from '../../shared/saga/contract';

export type ExecutionStatus =
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'TIMED_OUT'
  | 'ABORTED'
  | 'PENDING_REDRIVE'
  | 'NOT_FOUND';
export type RepairKind = EventOf<typeof RepairAppliedV1>['data']['kind'];

export interface HeldReservation {
  readonly orderId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly createdAt: string;
}

export interface ClosedPayment {
  readonly orderId: string;
  readonly paymentId: string;
  readonly status: string;
  readonly updatedAt: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Where the next page starts; undefined when the list was read to its end. */
  readonly cursor: string | undefined;
}

/** The work lists, each read with its own cursor. */
export const WORK_LISTS = ['openOrders', 'heldReservations', 'openAuthorizations', 'closedPayments'] as const;
export type WorkList = (typeof WORK_LISTS)[number];
export type Cursors = Partial<Record<WorkList, string>>;

export interface ReconcilerPorts {
  openOrders(cutoff: string, limit: number, cursor: string | undefined): Promise<Page<Order>>;
  heldReservations(cutoff: string, limit: number, cursor: string | undefined): Promise<Page<HeldReservation>>;
  /** Payments voided or refunded that were not reviewed yet. */
  closedPayments(cutoff: string, limit: number, cursor: string | undefined): Promise<Page<ClosedPayment>>;
  /** Takes a reviewed payment off the list. */
  markReviewed(payment: ClosedPayment): Promise<void>;
  loadCursors(): Promise<Cursors>;
  saveCursors(cursors: Cursors): Promise<void>;
  executionStatus(name: string): Promise<ExecutionStatus>;
  /** The cancellation reason an execution had decided (its `Reason_*` state), if it got that far. */
  executionReason(name: string): Promise<CancelReason | undefined>;
  startExecution(name: string, input: SagaInput): Promise<void>;
  recordRepair(event: EventOf<typeof RepairAppliedV1>): Promise<void>;
}

export interface ReconcilerDeps {
  readonly ports: ReconcilerPorts;
  readonly orders: OrdersDeps;
  readonly inventory: InventoryDeps;
  readonly payments: PaymentsDeps;
}

export interface ReconcileOptions {
  /** Anything younger than this is left to the saga. */
  readonly staleAfterSeconds: number;
  /** Items read per list and run, at most. @default 200 */
  readonly budget?: number;
}

export interface Repair {
  readonly kind: RepairKind;
  readonly orderId: string;
  readonly action: string;
}

export interface ReconcileReport {
  readonly checkedOrders: number;
  readonly checkedReservations: number;
  readonly checkedAuthorizations: number;
  readonly checkedPayments: number;
  readonly repairs: Repair[];
  /** Things found that need a person (e.g. a confirmed order whose payment was voided); reported, never undone. */
  readonly anomalies: string[];
  /** Lists this run did not read to their end (the next run continues them). */
  readonly unfinished: WorkList[];
}

export const DEFAULT_BUDGET = 200;
const PAGE_SIZE = 50;

function sagaInputOf(order: Order, action: SagaInput['action']): SagaInput {
  return {
    action,
    orderId: order.orderId,
    customerId: order.customerId,
    lines: order.items.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents })),
    totalCents: order.totalCents,
    currency: order.currency,
    correlationId: order.correlationId,
  };
}

export async function reconcile(
  deps: ReconcilerDeps,
  nowMs: number,
  options: ReconcileOptions,
): Promise<ReconcileReport> {
  const cutoff = new Date(nowMs - options.staleAfterSeconds * 1000).toISOString();
  const budget = options.budget ?? DEFAULT_BUDGET;
  const repairs: Repair[] = [];
  const anomalies: string[] = [];
  const unfinished: WorkList[] = [];
  const cursors: Cursors = await deps.ports.loadCursors();
  const context = (orderId: string): EventContext => ({ correlationId: `reconcile-${orderId}`, causationId: null });

  const repaired = async (kind: RepairKind, orderId: string, action: string) => {
    const event = newEvent(
      RepairAppliedV1,
      {
        id: deps.orders.ids.next(),
        time: deps.orders.clock.nowIso(),
        subject: orderId,
        sequence: 1,
        data: { kind, orderId, action },
      },
      context(orderId),
    );
    await deps.ports.recordRepair(event);
    repairs.push({ kind, orderId, action });
  };

  /** One item's repair failing (e.g. the provider is still down) must not stop the others: note it, go on. */
  const attempt = async (what: string, repair: () => Promise<void>) => {
    try {
      await repair();
    } catch (error) {
      anomalies.push(
        `${what}: repair failed (${(error as Error).name}: ${(error as Error).message}); the next run retries`,
      );
    }
  };

  /** Reads a list from its cursor, a page at a time, within the budget; keeps where it stopped. */
  async function walk<T>(
    list: WorkList,
    read: (limit: number, cursor: string | undefined) => Promise<Page<T>>,
    visit: (item: T) => Promise<void>,
  ): Promise<number> {
    let seen = 0;
    let cursor = cursors[list];
    do {
      const page = await read(Math.min(PAGE_SIZE, budget - seen), cursor);
      for (const item of page.items) await visit(item);
      seen += page.items.length;
      cursor = page.cursor;
    } while (cursor !== undefined && seen < budget);
    cursors[list] = cursor;
    if (cursor !== undefined) unfinished.push(list);
    return seen;
  }

  const compensate = async (order: Order, reason: CancelReason) => {
    const ctx = context(order.orderId);
    await voidPayment(deps.payments, order.orderId, reason, ctx);
    await release(deps.inventory, order.orderId, order.items, reason, ctx);
    await cancelOrder(deps.orders, order.orderId, reason, ctx);
  };

  async function settleOrder(order: Order): Promise<void> {
    const confirmed = order.status === 'CONFIRMED';
    const name = confirmed ? executionNames.cancel(order.orderId) : executionNames.checkout(order.orderId);
    const status = await deps.ports.executionStatus(name);
    if (status === 'RUNNING' || status === 'PENDING_REDRIVE') return;
    if (status === 'NOT_FOUND') {
      // A PENDING order whose customer already cancelled gets an execution that only cancels.
      const action: SagaInput['action'] = confirmed || order.cancelRequestedAt ? 'cancel' : 'checkout';
      await deps.ports.startExecution(name, sagaInputOf(order, action));
      await repaired('MISSING_SAGA', order.orderId, `started execution ${name} (${action})`);
      return;
    }
    const reason: CancelReason = order.cancelRequestedAt
      ? 'CUSTOMER_REQUEST'
      : ((await deps.ports.executionReason(name)) ?? 'SYSTEM_ERROR');
    await compensate(order, reason);
    await repaired(
      'STALE_ORDER',
      order.orderId,
      `execution ${name} ended ${status}; compensated and cancelled with ${reason}`,
    );
  }

  // 1. Orders the saga did not settle in time.
  const checkedOrders = await walk(
    'openOrders',
    (limit, cursor) => deps.ports.openOrders(cutoff, limit, cursor),
    async (order) => {
      if (!isSettled(order)) await attempt(`order ${order.orderId}`, () => settleOrder(order));
    },
  );

  // 2. Holds whose order no longer needs them.
  const checkedReservations = await walk(
    'heldReservations',
    (limit, cursor) => deps.ports.heldReservations(cutoff, limit, cursor),
    async (hold) => {
      const order = await deps.orders.orders.get(hold.orderId);
      if (order && !isSettled(order)) return; // its saga (or step 1) deals with it
      const what = `hold ${hold.orderId}/${hold.sku}`;
      if (order?.status === 'CONFIRMED') {
        if (!order.items.some((line) => line.sku === hold.sku && line.quantity === hold.quantity)) {
          anomalies.push(`reservation ${hold.orderId}/${hold.sku} is held for a confirmed order that did not buy it`);
          return;
        }
        await attempt(what, async () => {
          await commitHeld(deps.inventory, hold.orderId, { sku: hold.sku, quantity: hold.quantity });
          anomalies.push(`reservation ${hold.orderId}/${hold.sku} was still held although the order is confirmed`);
          await repaired('ORPHAN_RESERVATION', hold.orderId, `committed ${hold.quantity} x ${hold.sku} (sold)`);
        });
        return;
      }
      await attempt(what, async () => {
        const reason = order?.reason ?? 'SYSTEM_ERROR';
        await release(deps.inventory, hold.orderId, [{ sku: hold.sku, quantity: hold.quantity }], reason, {
          ...context(hold.orderId),
        });
        await repaired('ORPHAN_RESERVATION', hold.orderId, `released ${hold.quantity} x ${hold.sku}`);
      });
    },
  );

  // 3. Money the provider still holds, however old, for orders that will never be fulfilled.
  const checkedAuthorizations = await walk(
    'openAuthorizations',
    (limit, cursor) => deps.payments.provider.listOpenAuthorizations({ createdBefore: cutoff, limit, cursor }),
    async (authorization: OpenAuthorization) => {
      const orderId = authorization.reference;
      const order = await deps.orders.orders.get(orderId);
      if (order && order.status !== 'CANCELLED') return;
      await attempt(`authorization ${authorization.providerRef}`, async () => {
        await voidPayment(deps.payments, orderId, order?.reason ?? 'SYSTEM_ERROR', context(orderId));
        // voidPayment voids our record; an authorization we never recorded is voided at the provider directly.
        await deps.payments.provider.void({
          idempotencyKey: `void-${orderId}`,
          providerRef: authorization.providerRef,
        });
        await repaired('ORPHAN_PAYMENT', orderId, `voided ${authorization.providerRef}`);
      });
    },
  );

  // 4. A confirmed order must keep its live payment: one voided without the customer asking is reported.
  const checkedPayments = await walk(
    'closedPayments',
    (limit, cursor) => deps.ports.closedPayments(cutoff, limit, cursor),
    async (payment) => {
      const order = await deps.orders.orders.get(payment.orderId);
      if (order?.status === 'CONFIRMED' && !order.cancelRequestedAt) {
        anomalies.push(
          `order ${payment.orderId} is CONFIRMED but its payment ${payment.paymentId} is ${payment.status}: ` +
            'the customer was told "confirmed" and nothing is held; a person must decide (charge again or cancel)',
        );
        return; // stays on the list: reported on every run until someone settles it
      }
      await deps.ports.markReviewed(payment);
    },
  );

  await deps.ports.saveCursors(cursors);
  return { checkedOrders, checkedReservations, checkedAuthorizations, checkedPayments, repairs, anomalies, unfinished };
}
