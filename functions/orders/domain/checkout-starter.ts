/**
 * Starts sagas from events (never from the API): OrderPlaced starts the checkout saga named after the order;
 * OrderCancellationRequested starts the cancellation saga for an order that is CONFIRMED by then. A PENDING order
 * needs nothing more: its running checkout sees the request at its next step (reserve, authorize and confirm each
 * check it) and unwinds. An order whose customer cancelled before its checkout even started gets, under the
 * checkout's own name, an execution that only cancels: nothing is reserved or charged for it.
 */
import type { EventOf, OrderCancellationRequestedV1, OrderPlacedV1 } from '../../shared/events/catalog';
import { executionNames, type SagaInput } from '../../shared/saga/contract';
import type { OrderRepository, SagaStarter } from './order';

export type StartOutcome = 'started' | 'alreadyStarted' | 'notNeeded';

export interface StarterDeps {
  readonly orders: OrderRepository;
  readonly saga: SagaStarter;
}

export async function startCheckout(deps: StarterDeps, event: EventOf<typeof OrderPlacedV1>): Promise<StartOutcome> {
  const order = await deps.orders.get(event.data.orderId);
  if (order?.status === 'CONFIRMED' || order?.status === 'CANCELLED') return 'notNeeded';
  const input: SagaInput = {
    action: order?.cancelRequestedAt ? 'cancel' : 'checkout',
    orderId: event.data.orderId,
    customerId: event.data.customerId,
    lines: event.data.lines,
    totalCents: event.data.totalCents,
    currency: event.data.currency,
    correlationId: event.correlationId,
  };
  return deps.saga.start(executionNames.checkout(event.data.orderId), input);
}

export async function startCancellation(
  deps: StarterDeps,
  event: EventOf<typeof OrderCancellationRequestedV1>,
): Promise<StartOutcome> {
  const order = await deps.orders.get(event.data.orderId);
  if (order?.status !== 'CONFIRMED' || !order.cancelRequestedAt) return 'notNeeded';
  const input: SagaInput = {
    action: 'cancel',
    orderId: order.orderId,
    customerId: order.customerId,
    lines: order.items.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents })),
    totalCents: order.totalCents,
    currency: order.currency,
    correlationId: event.correlationId,
  };
  return deps.saga.start(executionNames.cancel(order.orderId), input);
}
