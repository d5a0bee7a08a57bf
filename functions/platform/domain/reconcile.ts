/**
 * The reconciler: finds what the saga could not finish and finishes it through the SAME idempotent operations the
 * saga uses, recording every repair as a RepairApplied event (and a metric, in the handler).
 *
 *  1. Open orders older than the deadline (PENDING, or CONFIRMED with a cancellation request):
 *     no execution -> start it (its start event was lost); execution RUNNING -> leave it (the state machine's own
 *     timeout bounds it); execution ended without settling the order -> compensate and cancel.
 *  2. Held reservations older than the deadline whose order is settled or gone -> release them.
 *  3. Authorizations the provider still holds whose order is cancelled or gone -> void them.
 */
import type { InventoryDeps } from '../../inventory/domain/stock';
import { release } from '../../inventory/domain/stock';
import { isSettled, type Order, type OrdersDeps } from '../../orders/domain/order';
import { cancelOrder } from '../../orders/domain/saga-steps';
import { type PaymentsDeps, voidPayment } from '../../payments/domain/payment';
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

export interface ReconcilerPorts {
  openOrdersOlderThan(cutoff: string): Promise<Order[]>;
  heldReservationsOlderThan(cutoff: string): Promise<HeldReservation[]>;
  executionStatus(name: string): Promise<ExecutionStatus>;
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
  /** How far back to look for open authorizations at the provider. @default 24 hours */
  readonly authorizationLookbackSeconds?: number;
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
  readonly repairs: Repair[];
  /** Things found that need a person (e.g. a hold on a confirmed order); reported, never touched. */
  readonly anomalies: string[];
}

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
  const repairs: Repair[] = [];
  const anomalies: string[] = [];
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

  const compensate = async (order: Order, reason: CancelReason) => {
    const ctx = context(order.orderId);
    await voidPayment(deps.payments, order.orderId, ctx);
    await release(deps.inventory, order.orderId, order.items, reason, ctx);
    await cancelOrder(deps.orders, order.orderId, reason, ctx);
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

  // 1. Orders the saga did not settle in time.
  const openOrders = await deps.ports.openOrdersOlderThan(cutoff);
  for (const order of openOrders) {
    if (isSettled(order)) continue;
    await attempt(`order ${order.orderId}`, () => settleOrder(order));
  }

  async function settleOrder(order: Order): Promise<void> {
    const action: SagaInput['action'] = order.status === 'PENDING' ? 'checkout' : 'cancel';
    const name = action === 'checkout' ? executionNames.checkout(order.orderId) : executionNames.cancel(order.orderId);
    const status = await deps.ports.executionStatus(name);
    if (status === 'RUNNING' || status === 'PENDING_REDRIVE') return;
    if (status === 'NOT_FOUND') {
      await deps.ports.startExecution(name, sagaInputOf(order, action));
      await repaired('MISSING_SAGA', order.orderId, `started execution ${name}`);
      return;
    }
    const reason: CancelReason = order.cancelRequestedAt ? 'CUSTOMER_REQUEST' : 'SYSTEM_ERROR';
    await compensate(order, reason);
    await repaired(
      'STALE_ORDER',
      order.orderId,
      `execution ${name} ended ${status}; compensated and cancelled with ${reason}`,
    );
  }

  // 2. Holds whose order no longer needs them.
  const holds = await deps.ports.heldReservationsOlderThan(cutoff);
  for (const hold of holds) {
    const order = await deps.orders.orders.get(hold.orderId);
    if (order && !isSettled(order)) continue; // its saga (or step 1) deals with it
    if (order?.status === 'CONFIRMED') {
      anomalies.push(`reservation ${hold.orderId}/${hold.sku} is still held although the order is confirmed`);
      continue;
    }
    await attempt(`hold ${hold.orderId}/${hold.sku}`, async () => {
      await release(
        deps.inventory,
        hold.orderId,
        [{ sku: hold.sku, quantity: hold.quantity }],
        order?.reason ?? 'SYSTEM_ERROR',
        context(hold.orderId),
      );
      await repaired('ORPHAN_RESERVATION', hold.orderId, `released ${hold.quantity} x ${hold.sku}`);
    });
  }

  // 3. Money the provider still holds for orders that will never be fulfilled.
  const since = new Date(nowMs - (options.authorizationLookbackSeconds ?? 24 * 3600) * 1000).toISOString();
  const authorizations = await deps.payments.provider.listOpenAuthorizations(since, cutoff);
  for (const authorization of authorizations) {
    const order = await deps.orders.orders.get(authorization.reference);
    if (order && order.status !== 'CANCELLED') continue;
    await attempt(`authorization ${authorization.providerRef}`, async () => {
      await voidPayment(deps.payments, authorization.reference, context(authorization.reference));
      // voidPayment voids our record; an authorization we never recorded is voided at the provider directly.
      await deps.payments.provider.void({
        idempotencyKey: `void-${authorization.reference}`,
        providerRef: authorization.providerRef,
      });
      await repaired('ORPHAN_PAYMENT', authorization.reference, `voided ${authorization.providerRef}`);
    });
  }

  return {
    checkedOrders: openOrders.length,
    checkedReservations: holds.length,
    checkedAuthorizations: authorizations.length,
    repairs,
    anomalies,
  };
}
