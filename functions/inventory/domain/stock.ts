/**
 * Inventory rules. Stock moves only through conditional writes (the repository's contract), so N parallel
 * checkouts of the last unit confirm exactly one. Invariant per sku: available + reserved + sold == restocked.
 */
import {
  CancellationRequestedError,
  InvariantViolationError,
  NotFoundError,
  OrderAlreadyConfirmedError,
  OutOfStockError,
  TransientError,
} from '../../shared/errors';
import {
  type CancelReason,
  type EventOf,
  InventoryReleasedV1,
  InventoryReservedV1,
  StockAdjustedV1,
} from '../../shared/events/catalog';
import { type EventContext, newEvent } from '../../shared/events/factory';
import type { Clock, IdGenerator } from '../../shared/runtime/ids';
import type { StockView } from '../contract';

export interface StockLevels {
  readonly available: number;
  readonly reserved: number;
  readonly sold: number;
  readonly restocked: number;
}

export interface StockSnapshot {
  readonly productExists: boolean;
  readonly levels: StockLevels;
  /** 0 while the sku was never stocked. */
  readonly version: number;
}

export type ReservationStatus = 'HELD' | 'COMMITTED' | 'RELEASED' | 'RETURNED';

export interface Reservation {
  readonly orderId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly status: ReservationStatus;
}

export interface Line {
  readonly sku: string;
  readonly quantity: number;
}

export type ReserveOutcome =
  | { readonly kind: 'reserved' }
  | { readonly kind: 'outOfStock'; readonly skus: string[] }
  | { readonly kind: 'alreadyReserved' }
  /** The customer asked to cancel before the holds were taken: nothing was held. */
  | { readonly kind: 'cancellationRequested' }
  /** The order is no longer PENDING (settled by someone else): nothing was held. */
  | { readonly kind: 'orderClosed'; readonly status: string };

/** One step of a release: undo a hold, return bought units, or leave a tombstone so a late reservation cannot land. */
export type ReleaseAction =
  | { readonly kind: 'releaseHeld'; readonly sku: string; readonly quantity: number }
  | { readonly kind: 'returnCommitted'; readonly sku: string; readonly quantity: number }
  | { readonly kind: 'tombstone'; readonly sku: string };

export interface ReleaseRequest {
  readonly orderId: string;
  readonly actions: readonly ReleaseAction[];
  readonly reason: CancelReason;
  readonly now: string;
  readonly event: EventOf<typeof InventoryReleasedV1> | undefined;
  /** Refuse atomically when the order is CONFIRMED (every reason but the customer's own request). */
  readonly unlessConfirmed: boolean;
}

/** `stale`: a reservation changed since it was read (plan again); `orderConfirmed`: refused by the order guard. */
export type ReleaseOutcome = 'released' | 'stale' | 'orderConfirmed';

export interface InventoryRepository {
  snapshot(sku: string): Promise<StockSnapshot>;
  /** Adds `delta` units atomically, whatever else changes the sku meanwhile; false when the product does not exist. */
  addStock(sku: string, delta: number, event: EventOf<typeof StockAdjustedV1>): Promise<boolean>;
  /** All lines or none, each conditional on enough available stock, and on the order still open for checkout. */
  reserve(orderId: string, lines: readonly Line[], event: EventOf<typeof InventoryReservedV1>): Promise<ReserveOutcome>;
  reservationsOf(orderId: string): Promise<Reservation[]>;
  /** Applies the actions atomically, each conditional on the status it was planned from. */
  release(request: ReleaseRequest): Promise<ReleaseOutcome>;
  /** Turns one hold into a sale (reserved -> sold); false when it is no longer held with that quantity. */
  commitHeld(orderId: string, line: Line, now: string): Promise<boolean>;
}

export interface InventoryDeps {
  readonly inventory: InventoryRepository;
  readonly ids: IdGenerator;
  readonly clock: Clock;
}

const MAX_OPTIMISTIC_ATTEMPTS = 5;

export function toStockView(sku: string, levels: StockLevels): StockView {
  return { sku, ...levels };
}

export async function getStock(deps: Pick<InventoryDeps, 'inventory'>, sku: string): Promise<StockView> {
  const snapshot = await deps.inventory.snapshot(sku);
  if (!snapshot.productExists) throw new NotFoundError('Product', sku);
  return toStockView(sku, snapshot.levels);
}

/**
 * Adds units to a sku. An increment never needs to know the current levels, so it is never refused because
 * checkouts move the same stock meanwhile (a restock during a sale is when it matters most). The answer is the
 * levels read right after it; the event carries the delta, exact, and the levels as read just before plus the delta
 * (concurrent checkouts may have moved `available` and `reserved` in between).
 */
export async function restock(
  deps: InventoryDeps,
  sku: string,
  quantity: number,
  context: EventContext,
): Promise<StockView> {
  const before = await deps.inventory.snapshot(sku);
  if (!before.productExists) throw new NotFoundError('Product', sku);
  const levels: StockLevels = {
    ...before.levels,
    available: before.levels.available + quantity,
    restocked: before.levels.restocked + quantity,
  };
  const event = newEvent(
    StockAdjustedV1,
    {
      id: deps.ids.next(),
      time: deps.clock.nowIso(),
      subject: sku,
      sequence: before.version + 1,
      data: { sku, delta: quantity, reason: 'RESTOCK', levels },
    },
    context,
  );
  if (!(await deps.inventory.addStock(sku, quantity, event))) throw new NotFoundError('Product', sku);
  return toStockView(sku, (await deps.inventory.snapshot(sku)).levels);
}

/**
 * Saga step: hold every line for the order, or none (OutOfStock). Safe to repeat. An order whose customer already
 * asked to cancel holds nothing (CancellationRequested: the saga unwinds with CUSTOMER_REQUEST).
 */
export async function reserve(
  deps: InventoryDeps,
  orderId: string,
  lines: readonly Line[],
  context: EventContext,
): Promise<void> {
  const event = newEvent(
    InventoryReservedV1,
    {
      id: deps.ids.next(),
      time: deps.clock.nowIso(),
      subject: orderId,
      sequence: 1,
      data: { orderId, lines: [...lines] },
    },
    context,
  );
  const outcome = await deps.inventory.reserve(orderId, lines, event);
  if (outcome.kind === 'reserved') return;
  if (outcome.kind === 'outOfStock') throw new OutOfStockError(outcome.skus);
  if (outcome.kind === 'cancellationRequested') throw new CancellationRequestedError(orderId);
  if (outcome.kind === 'orderClosed') {
    throw new InvariantViolationError(`Order ${orderId} is ${outcome.status}; it cannot hold stock any more`);
  }
  // A previous attempt already wrote reservations: fine if they are the live holds of this order.
  const existing = await deps.inventory.reservationsOf(orderId);
  const undone = existing.filter((r) => r.status === 'RELEASED' || r.status === 'RETURNED');
  if (undone.length > 0) {
    throw new InvariantViolationError(`Order ${orderId} was already released; it cannot be reserved again`);
  }
}

/** Plans a release from the current reservations. Pure. */
export function planRelease(lines: readonly Line[], reservations: readonly Reservation[]): ReleaseAction[] {
  const bySku = new Map(reservations.map((r) => [r.sku, r]));
  const actions: ReleaseAction[] = [];
  for (const line of lines) {
    const reservation = bySku.get(line.sku);
    if (!reservation) actions.push({ kind: 'tombstone', sku: line.sku });
    else if (reservation.status === 'HELD')
      actions.push({ kind: 'releaseHeld', sku: line.sku, quantity: reservation.quantity });
    else if (reservation.status === 'COMMITTED') {
      actions.push({ kind: 'returnCommitted', sku: line.sku, quantity: reservation.quantity });
    }
  }
  return actions;
}

/**
 * Saga compensation: puts every unit the order holds or bought back into available stock. Safe to repeat; for lines
 * that were never reserved it leaves a tombstone, so a reservation attempt still in flight cannot land afterwards.
 * Only the customer's own request may return the units of a CONFIRMED order: for any other reason the release is
 * refused atomically (OrderAlreadyConfirmed: its confirmation committed, nothing may be undone).
 */
export async function release(
  deps: InventoryDeps,
  orderId: string,
  lines: readonly Line[],
  reason: CancelReason,
  context: EventContext,
): Promise<{ released: Line[] }> {
  for (let attempt = 1; attempt <= MAX_OPTIMISTIC_ATTEMPTS; attempt++) {
    const actions = planRelease(lines, await deps.inventory.reservationsOf(orderId));
    if (actions.length === 0) return { released: [] };
    const moved = actions.flatMap((a) =>
      a.kind === 'tombstone'
        ? []
        : [
            {
              sku: a.sku,
              quantity: a.quantity,
              from: a.kind === 'releaseHeld' ? ('HELD' as const) : ('COMMITTED' as const),
            },
          ],
    );
    const now = deps.clock.nowIso();
    const event =
      moved.length === 0
        ? undefined
        : newEvent(
            InventoryReleasedV1,
            { id: deps.ids.next(), time: now, subject: orderId, sequence: 2, data: { orderId, lines: moved, reason } },
            context,
          );
    const unlessConfirmed = reason !== 'CUSTOMER_REQUEST';
    const outcome = await deps.inventory.release({ orderId, actions, reason, now, event, unlessConfirmed });
    if (outcome === 'released') return { released: moved.map(({ sku, quantity }) => ({ sku, quantity })) };
    if (outcome === 'orderConfirmed') throw new OrderAlreadyConfirmedError(orderId);
  }
  throw new TransientError(`Reservations of order ${orderId} kept changing while releasing them`);
}

/** Repair for a confirmed order whose hold was never turned into a sale: it bought those units. */
export async function commitHeld(deps: InventoryDeps, orderId: string, line: Line): Promise<boolean> {
  return deps.inventory.commitHeld(orderId, line, deps.clock.nowIso());
}
