/**
 * The orders' saga steps: ConfirmOrder (forward) and CancelOrder (the last compensation), plus recording a saga
 * execution that failed. Each reads the order, decides with the rules below, and writes conditionally on the version
 * it read; a lost race reads again. Repeating any of them is harmless.
 */
import {
  CancellationRequestedError,
  InvariantViolationError,
  OrderAlreadyConfirmedError,
  TransientError,
} from '../../shared/errors';
import { type CancelReason, OrderCancelledV1, OrderConfirmedV1, OrderSagaFailedV1 } from '../../shared/events/catalog';
import { type EventContext, newEvent } from '../../shared/events/factory';
import { getOrder, type Order, type OrdersDeps, type SagaFailure } from './order';

const MAX_ATTEMPTS = 5;

export async function confirmOrder(deps: OrdersDeps, orderId: string, context: EventContext): Promise<Order> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const order = await getOrder(deps, orderId);
    if (order.status === 'CONFIRMED') return order;
    if (order.status === 'CANCELLED') throw new InvariantViolationError(`Order ${orderId} is already cancelled`);
    if (order.cancelRequestedAt) throw new CancellationRequestedError(orderId);
    const now = deps.clock.nowIso();
    const next: Order = { ...order, status: 'CONFIRMED', updatedAt: now, version: order.version + 1 };
    const event = newEvent(
      OrderConfirmedV1,
      {
        id: deps.ids.next(),
        time: now,
        subject: orderId,
        sequence: next.version,
        data: {
          orderId,
          customerId: order.customerId,
          totalCents: order.totalCents,
          currency: order.currency,
          createdAt: order.createdAt,
          confirmedAt: now,
        },
      },
      context,
    );
    const outcome = await deps.orders.confirm(order, next, event);
    if (outcome === 'confirmed') return next;
    if (outcome !== 'staleOrder') {
      throw new InvariantViolationError(`Order ${orderId} cannot be confirmed: ${outcome.blocked}`);
    }
  }
  throw new TransientError(`Order ${orderId} kept changing while confirming it`);
}

/**
 * Last compensation: the order becomes CANCELLED with its reason. A CONFIRMED order is only cancelled at the
 * customer's request (the cancellation saga); for any other reason its confirmation stands (OrderAlreadyConfirmed,
 * which ends the saga as confirmed). The write is guarded: no held stock and no live payment may remain.
 */
export async function cancelOrder(
  deps: OrdersDeps,
  orderId: string,
  reason: CancelReason,
  context: EventContext,
): Promise<Order> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const order = await getOrder(deps, orderId);
    if (order.status === 'CANCELLED') return order;
    if (order.status === 'CONFIRMED' && reason !== 'CUSTOMER_REQUEST') throw new OrderAlreadyConfirmedError(orderId);
    const now = deps.clock.nowIso();
    const next: Order = { ...order, status: 'CANCELLED', reason, updatedAt: now, version: order.version + 1 };
    const event = newEvent(
      OrderCancelledV1,
      {
        id: deps.ids.next(),
        time: now,
        subject: orderId,
        sequence: next.version,
        data: {
          orderId,
          customerId: order.customerId,
          totalCents: order.totalCents,
          currency: order.currency,
          createdAt: order.createdAt,
          reason,
          previousStatus: order.status,
          cancelledAt: now,
        },
      },
      context,
    );
    const outcome = await deps.orders.cancel(order, next, event);
    if (outcome === 'cancelled') return next;
    if (outcome !== 'staleOrder') {
      // Stock still held or a payment still live: the compensations before this one did not finish. Retrying later
      // (or the reconciler) completes them; cancelling now would break the invariants.
      throw new TransientError(`Order ${orderId} cannot be cancelled yet: ${outcome.blocked}`);
    }
  }
  throw new TransientError(`Order ${orderId} kept changing while cancelling it`);
}

export async function recordSagaFailure(
  deps: OrdersDeps,
  orderId: string,
  failure: Omit<SagaFailure, 'at'>,
  context: EventContext,
): Promise<Order | undefined> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const order = await deps.orders.get(orderId);
    if (!order) return undefined;
    const known = order.sagaFailure;
    if (known && known.executionName === failure.executionName && known.status === failure.status) return order;
    const now = deps.clock.nowIso();
    const next: Order = { ...order, sagaFailure: { ...failure, at: now }, updatedAt: now, version: order.version + 1 };
    const event = newEvent(
      OrderSagaFailedV1,
      {
        id: deps.ids.next(),
        time: now,
        subject: orderId,
        sequence: next.version,
        data: { orderId, ...failure },
      },
      context,
    );
    if (await deps.orders.recordSagaFailure(order, next, event)) return next;
  }
  throw new TransientError(`Order ${orderId} kept changing while recording its saga failure`);
}
