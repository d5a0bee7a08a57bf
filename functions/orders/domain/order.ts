/** The order aggregate: its shape, its allowed transitions, and the ports the use cases need. Pure. */
import { createHash } from 'node:crypto';
import { NotFoundError } from '../../shared/errors';
import type {
  CancelReason,
  EventOf,
  OrderCancellationRequestedV1,
  OrderCancelledV1,
  OrderConfirmedV1,
  OrderPlacedV1,
  OrderSagaFailedV1,
} from '../../shared/events/catalog';
import type { Clock, IdGenerator } from '../../shared/runtime/ids';
import type { OrderStatus, OrderView } from '../contract';

export interface PricedLine {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

export interface SagaFailure {
  readonly executionName: string;
  readonly status: 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  readonly error: string | null;
  readonly cause: string | null;
  readonly at: string;
}

export interface Order {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly reason?: CancelReason;
  readonly items: readonly PricedLine[];
  readonly totalCents: number;
  readonly currency: string;
  /** Kept on the order for the payment step; never in a view, an event or a log. */
  readonly paymentToken: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Bumped by every change; every write is conditional on the version it read. */
  readonly version: number;
  readonly correlationId: string;
  readonly cancelRequestedAt?: string;
  readonly sagaFailure?: SagaFailure;
}

export interface RequestKey {
  readonly key: string;
  readonly hash: string;
}

export type CreateOutcome =
  | { readonly created: true }
  | { readonly created: false; readonly existingOrderId: string; readonly existingHash: string };

export interface OrderRepository {
  /** Order, its OrderPlaced event and (when given) the Idempotency-Key record, in one transaction. */
  create(
    order: Order,
    event: EventOf<typeof OrderPlacedV1>,
    requestKey: RequestKey | undefined,
  ): Promise<CreateOutcome>;
  get(orderId: string): Promise<Order | undefined>;
  /** Each writes `next` and its event only if the stored version is still `previous.version`; false otherwise. */
  requestCancellation(
    previous: Order,
    next: Order,
    event: EventOf<typeof OrderCancellationRequestedV1>,
  ): Promise<boolean>;
  confirm(previous: Order, next: Order, event: EventOf<typeof OrderConfirmedV1>): Promise<ConfirmOutcome>;
  cancel(previous: Order, next: Order, event: EventOf<typeof OrderCancelledV1>): Promise<CancelOutcome>;
  recordSagaFailure(previous: Order, next: Order, event: EventOf<typeof OrderSagaFailedV1>): Promise<boolean>;
}

/** `staleOrder`: someone else changed the order first (read again); `blocked`: a guard on another item failed. */
export type ConfirmOutcome = 'confirmed' | 'staleOrder' | { readonly blocked: string };
export type CancelOutcome = 'cancelled' | 'staleOrder' | { readonly blocked: string };

export interface PriceSource {
  /** Prices of the skus that exist (unknown skus are simply absent from the map). */
  prices(skus: readonly string[]): Promise<Map<string, { priceCents: number; currency: string }>>;
}

export interface SagaStarter {
  /** Starts an execution named `name`; 'alreadyStarted' when one with that name exists. */
  start(name: string, input: unknown): Promise<'started' | 'alreadyStarted'>;
}

export interface OrdersDeps {
  readonly orders: OrderRepository;
  readonly ids: IdGenerator;
  readonly clock: Clock;
}

export const isFinal = (status: OrderStatus): boolean => status === 'CONFIRMED' || status === 'CANCELLED';

/**
 * Settled: nothing more will happen to the order unless someone acts. A confirmed order with a pending cancellation
 * request is not settled (its cancellation saga has work to do), so the reconciler keeps watching it.
 */
export const isSettled = (order: Pick<Order, 'status' | 'cancelRequestedAt'>): boolean =>
  order.status === 'CANCELLED' || (order.status === 'CONFIRMED' && !order.cancelRequestedAt);

/** Merges lines of the same sku (quantities add up) and orders them by sku, so transactions are deterministic. */
export function mergeLines(items: readonly { sku: string; quantity: number }[]): { sku: string; quantity: number }[] {
  const merged = new Map<string, number>();
  for (const item of items) merged.set(item.sku, (merged.get(item.sku) ?? 0) + item.quantity);
  return [...merged.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([sku, quantity]) => ({ sku, quantity }));
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Fingerprint of a request body: the same JSON in any key order or spacing gives the same hash. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

export function toOrderView(order: Order): OrderView {
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    status: order.status,
    ...(order.reason ? { reason: order.reason } : {}),
    items: order.items.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents })),
    totalCents: order.totalCents,
    currency: order.currency,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    ...(order.cancelRequestedAt ? { cancelRequested: true } : {}),
    ...(order.sagaFailure
      ? {
          sagaFailure: {
            executionName: order.sagaFailure.executionName,
            status: order.sagaFailure.status,
            error: order.sagaFailure.error,
            at: order.sagaFailure.at,
          },
        }
      : {}),
  };
}

export async function getOrder(deps: Pick<OrdersDeps, 'orders'>, orderId: string): Promise<Order> {
  const order = await deps.orders.get(orderId);
  if (!order) throw new NotFoundError('Order', orderId);
  return order;
}
