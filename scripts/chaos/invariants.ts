/**
 * The invariants a chaos run must keep, checked on a snapshot taken once the runtime is quiet. Pure: the inputs
 * are what the client saw (its plan and answers) and what the runtime holds; the output is one violation per broken
 * promise, with the subject it is about. docs/chaos.md lists the checks.
 */
import { isPoisonDetail } from '../../local/faults-config';
import type { ServerError } from './api';
import type { DeadLetter, ExecutionView, LoggedEvent, OrderView, ReservationRow, Snapshot } from './observe';
import type { OrderOutcome, SkuPlan } from './workload';

export interface Violation {
  readonly check: string;
  readonly subject: string;
  readonly message: string;
}

export interface CheckInput {
  readonly skus: readonly SkuPlan[];
  readonly outcomes: readonly OrderOutcome[];
  readonly snapshot: Snapshot;
  readonly serverErrors: readonly ServerError[];
  /** Poison copies the injector reported (`faults: poison <id> ...` lines). */
  readonly poisonReported: readonly string[];
  /** Marker strings of the poison outbox items written into the table. */
  readonly poisonOutboxMarkers: readonly string[];
  /** The runtime was quiet when the snapshot was taken (false: the deadline came first). */
  readonly settled: boolean;
}

export interface CheckResult {
  readonly violations: Violation[];
  /** Dead letters explained by injected poison (expected to stay in their DLQ). */
  readonly expectedDeadLetters: number;
}

const LIVE_PAYMENT = new Set(['AUTHORIZED', 'CAPTURED']);

/** The id (envelope id) of the event a dead letter carries, whatever its shape. */
export function deadLetterEventId(letter: DeadLetter): string | undefined {
  const body = letter.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return undefined;
  // A Lambda destination record carries the event in `requestPayload`; an EventBridge dead letter is the event.
  const event = (body.requestPayload ?? body) as { detail?: { id?: unknown } };
  return typeof event.detail?.id === 'string' ? event.detail.id : undefined;
}

/** The error a dead letter carries: the destination record's response, or the EventBridge attributes. */
export function deadLetterError(letter: DeadLetter): string | undefined {
  const body = letter.body as Record<string, unknown> | undefined;
  const response = body?.responsePayload as { errorType?: string; errorMessage?: string } | undefined;
  if (response?.errorMessage) return `${response.errorType ?? 'Error'}: ${response.errorMessage}`;
  if (typeof body?.error === 'string') return body.error;
  return letter.attributes.ERROR_MESSAGE ?? undefined;
}

function checkOrders(input: CheckInput, v: Violation[]): void {
  for (const outcome of input.outcomes) {
    const key = outcome.plan.idempotencyKey;
    if (outcome.state === 'unknown') {
      v.push({ check: 'accepted', subject: key, message: 'the order never got an answer, even after retries' });
      continue;
    }
    if (outcome.state === 'rejected') {
      v.push({
        check: 'accepted',
        subject: key,
        message: `a valid order was rejected with ${outcome.status}: ${JSON.stringify(outcome.rejection)}`,
      });
      continue;
    }
    if (outcome.orderIdsSeen.size > 1) {
      v.push({
        check: 'idempotency-key',
        subject: key,
        message: `one Idempotency-Key answered several orders: ${[...outcome.orderIdsSeen].join(', ')}`,
      });
    }
    const orderId = outcome.orderId ?? '';
    const order = input.snapshot.orders.get(orderId);
    if (!order) {
      v.push({ check: 'final', subject: orderId, message: 'an accepted order cannot be read back' });
      continue;
    }
    if (order.status === 'PENDING') {
      v.push({
        check: 'final',
        subject: orderId,
        message: input.settled
          ? 'still PENDING after the reconciler ran'
          : 'still PENDING at the deadline (the runtime was still busy)',
      });
    } else if (order.status === 'CANCELLED' && !order.reason) {
      v.push({ check: 'final', subject: orderId, message: 'CANCELLED without a reason' });
    }
    checkCancellation(outcome, order, v);
  }
}

/**
 * The customer's cancellation, whatever it raced with: a 202 ends the order CANCELLED (for the customer's request,
 * or for a reason the saga had already decided; only the customer's request may undo an order that was already
 * CONFIRMED); a 409 `ORDER_ALREADY_CANCELLED` is right only for an order that is CANCELLED; any other answer is
 * wrong. An order the customer never asked to cancel is never cancelled for CUSTOMER_REQUEST.
 */
function checkCancellation(outcome: OrderOutcome, order: OrderView, v: Violation[]): void {
  const orderId = order.orderId;
  const cancel = outcome.cancel;
  if (!cancel) {
    if (order.status === 'CANCELLED' && order.reason === 'CUSTOMER_REQUEST')
      v.push({ check: 'cancellation', subject: orderId, message: 'CANCELLED for CUSTOMER_REQUEST, but nobody asked' });
    return;
  }
  if (cancel.state === 'unknown') {
    v.push({
      check: 'cancellation',
      subject: orderId,
      message: 'the cancellation never got an answer, even sent again',
    });
    return;
  }
  if (cancel.state === 'requested') {
    if (order.status !== 'CANCELLED') {
      v.push({
        check: 'cancellation',
        subject: orderId,
        message: `the customer's cancellation (202) left it ${order.status}`,
      });
    } else if (cancel.orderStatus === 'CONFIRMED' && order.reason !== 'CUSTOMER_REQUEST') {
      v.push({
        check: 'cancellation',
        subject: orderId,
        message: `cancelled by its customer once CONFIRMED, but ended CANCELLED for ${order.reason}`,
      });
    }
    return;
  }
  if (cancel.status === 409 && cancel.code === 'ORDER_ALREADY_CANCELLED') {
    if (order.status !== 'CANCELLED')
      v.push({
        check: 'cancellation',
        subject: orderId,
        message: `the cancellation was refused as already cancelled, but the order is ${order.status}`,
      });
    return;
  }
  v.push({
    check: 'cancellation',
    subject: orderId,
    message: `the customer's cancellation was refused with ${cancel.status} ${cancel.code ?? JSON.stringify(cancel.body)}`,
  });
}

function checkStock(input: CheckInput, v: Violation[]): void {
  const soldByConfirmed = new Map<string, number>();
  for (const order of input.snapshot.orders.values()) {
    if (order.status !== 'CONFIRMED') continue;
    for (const item of order.items) soldByConfirmed.set(item.sku, (soldByConfirmed.get(item.sku) ?? 0) + item.quantity);
  }
  for (const plan of input.skus) {
    const s = input.snapshot.stock.find((x) => x.sku === plan.sku);
    if (!s || typeof s.available !== 'number') {
      v.push({ check: 'stock', subject: plan.sku, message: 'the stock levels cannot be read' });
      continue;
    }
    const levels = `available ${s.available}, reserved ${s.reserved}, sold ${s.sold}, restocked ${s.restocked}`;
    if (s.available + s.reserved + s.sold !== s.restocked)
      v.push({ check: 'stock', subject: plan.sku, message: `available + reserved + sold != restocked (${levels})` });
    if (s.reserved !== 0)
      v.push({ check: 'stock', subject: plan.sku, message: `units still reserved at rest (${levels})` });
    if (s.restocked !== plan.stock)
      v.push({
        check: 'stock',
        subject: plan.sku,
        message: `restocked ${s.restocked}, the client restocked ${plan.stock}`,
      });
    if (s.available < 0) v.push({ check: 'stock', subject: plan.sku, message: `oversold (${levels})` });
    const expectedSold = soldByConfirmed.get(plan.sku) ?? 0;
    if (s.sold !== expectedSold)
      v.push({
        check: 'stock',
        subject: plan.sku,
        message: `sold ${s.sold}, but the confirmed orders hold ${expectedSold} (${levels})`,
      });
  }
}

function checkPayments(input: CheckInput, v: Violation[]): void {
  const ledgerByOrder = new Map<string, Snapshot['ledger']>();
  for (const entry of input.snapshot.ledger) {
    ledgerByOrder.set(entry.reference, [...(ledgerByOrder.get(entry.reference) ?? []), entry]);
  }
  for (const [orderId, order] of input.snapshot.orders) {
    if (order.status === 'PENDING') continue;
    const live = (input.snapshot.payments.get(orderId) ?? []).filter((p) => LIVE_PAYMENT.has(p.status));
    const liveAtProvider = (ledgerByOrder.get(orderId) ?? []).filter((e) => LIVE_PAYMENT.has(e.status));
    if (order.status === 'CONFIRMED') {
      if (live.length !== 1 || live[0]?.amountCents !== order.totalCents)
        v.push({
          check: 'payment',
          subject: orderId,
          message: `CONFIRMED for ${order.totalCents} with live payments ${JSON.stringify(live.map((p) => [p.status, p.amountCents]))}`,
        });
      if (liveAtProvider.length !== 1 || liveAtProvider[0]?.amountCents !== order.totalCents)
        v.push({
          check: 'provider-ledger',
          subject: orderId,
          message: `CONFIRMED for ${order.totalCents}; the provider holds ${JSON.stringify(liveAtProvider.map((e) => [e.key, e.status, e.amountCents]))}`,
        });
    } else {
      if (live.length > 0)
        v.push({
          check: 'payment',
          subject: orderId,
          message: `CANCELLED (${order.reason}) with ${live.length} live payment(s)`,
        });
      if (liveAtProvider.length > 0)
        v.push({
          check: 'provider-ledger',
          subject: orderId,
          message: `CANCELLED (${order.reason}); the provider still holds ${liveAtProvider.map((e) => `${e.key} ${e.status}`).join(', ')}`,
        });
    }
  }
  for (const entry of input.snapshot.ledger) {
    if (LIVE_PAYMENT.has(entry.status) && !input.snapshot.orders.has(entry.reference))
      v.push({
        check: 'provider-ledger',
        subject: entry.key,
        message: `live ${entry.status} for an unknown order ${entry.reference}`,
      });
  }
}

function checkNotifications(input: CheckInput, v: Violation[]): void {
  const recorded = new Map<string, number>();
  for (const rows of input.snapshot.notifications.values())
    for (const row of rows)
      recorded.set(`${row.orderId}#${row.type}`, (recorded.get(`${row.orderId}#${row.type}`) ?? 0) + 1);
  const mailbox = new Map(input.snapshot.mailbox.map((m) => [`${m.orderId}#${m.type}`, m]));
  for (const [orderId, order] of input.snapshot.orders) {
    if (order.status === 'PENDING') continue;
    const expected = order.status === 'CONFIRMED' ? 'ORDER_CONFIRMED' : 'ORDER_CANCELLED';
    const key = `${orderId}#${expected}`;
    if ((recorded.get(key) ?? 0) !== 1)
      v.push({
        check: 'notification',
        subject: orderId,
        message: `${recorded.get(key) ?? 0} ${expected} notification(s) recorded, expected 1`,
      });
    const message = mailbox.get(key);
    if (message?.deliveries !== 1)
      v.push({
        check: 'notification',
        subject: orderId,
        message: `${expected} delivered ${message?.deliveries ?? 0} time(s) to the mailbox, expected 1`,
      });
    // A confirmed order that the customer cancelled was told both; any other second kind is a wrong message.
    const other = order.status === 'CONFIRMED' ? 'ORDER_CANCELLED' : 'ORDER_CONFIRMED';
    const otherAllowed = order.status === 'CANCELLED' && order.reason === 'CUSTOMER_REQUEST';
    if (!otherAllowed && (recorded.has(`${orderId}#${other}`) || mailbox.has(`${orderId}#${other}`)))
      v.push({
        check: 'notification',
        subject: orderId,
        message: `${order.status} but the customer was sent ${other}`,
      });
  }
  for (const m of input.snapshot.mailbox) {
    if (m.deliveries !== 1)
      v.push({ check: 'notification', subject: m.key, message: `mailbox message delivered ${m.deliveries} times` });
  }
}

function checkProjection(input: CheckInput, v: Violation[]): void {
  const expectedByCustomer = new Map<string, Set<string>>();
  for (const order of input.snapshot.orders.values()) {
    expectedByCustomer.set(
      order.customerId,
      (expectedByCustomer.get(order.customerId) ?? new Set()).add(order.orderId),
    );
  }
  for (const [customerId, rows] of input.snapshot.customerOrders) {
    const expected = expectedByCustomer.get(customerId) ?? new Set<string>();
    for (const row of rows) {
      const order = input.snapshot.orders.get(row.orderId);
      if (!expected.has(row.orderId) || !order) {
        v.push({
          check: 'projection',
          subject: row.orderId,
          message: `customer ${customerId} lists an order nobody placed`,
        });
      } else if (row.status !== order.status || (row.reason ?? null) !== (order.reason ?? null)) {
        v.push({
          check: 'projection',
          subject: row.orderId,
          message: `the customer's list says ${row.status}${row.reason ? `/${row.reason}` : ''}, the order is ${order.status}${order.reason ? `/${order.reason}` : ''}`,
        });
      }
      expected.delete(row.orderId);
    }
    for (const missing of expected)
      v.push({ check: 'projection', subject: missing, message: `missing from customer ${customerId}'s list` });
  }
}

/** Every poison copy (events and outbox items) sits in a DLQ with its error; returns the dead letters explained. */
function checkPoison(input: CheckInput, v: Violation[]): Set<DeadLetter> {
  const explained = new Set<DeadLetter>();
  const poisonEvents = new Map<string, LoggedEvent>();
  for (const event of input.snapshot.events) {
    if (isPoisonDetail(event.detail)) poisonEvents.set((event.detail as { id: string }).id, event);
  }
  for (const id of input.poisonReported) {
    if (!poisonEvents.has(id))
      v.push({ check: 'poison', subject: id, message: 'reported as injected but never on the bus' });
  }
  const lettersByEvent = new Map<string, DeadLetter[]>();
  for (const letter of input.snapshot.deadLetters) {
    const id = deadLetterEventId(letter);
    if (id) lettersByEvent.set(id, [...(lettersByEvent.get(id) ?? []), letter]);
  }
  for (const [id, event] of poisonEvents) {
    if (event.deliveries.length === 0) {
      v.push({
        check: 'poison',
        subject: id,
        message: `${event.detailType} poison matched no rule (no consumer can dead-letter it)`,
      });
      continue;
    }
    const letters = lettersByEvent.get(id) ?? [];
    for (const delivery of event.deliveries) {
      const consumer = delivery.targetArn.split(':').pop() ?? delivery.targetArn;
      const letter = letters.find((l) => {
        const fn = (
          (l.body as { requestContext?: { functionArn?: string } }).requestContext?.functionArn ??
          l.attributes.TARGET_ARN ??
          ''
        )
          .split(':function:')
          .pop()
          ?.split(':')[0];
        return fn === consumer;
      });
      if (!letter) {
        v.push({
          check: 'poison',
          subject: id,
          message: `not in the DLQ of ${consumer} (delivery ${delivery.outcome})`,
        });
      } else if (!deadLetterError(letter)) {
        v.push({ check: 'poison', subject: id, message: `in ${letter.queue} without its error` });
      }
    }
    for (const letter of letters) explained.add(letter);
  }
  for (const marker of input.poisonOutboxMarkers) {
    // The stream delivers at least once, so the relay may park the same item more than once: all are explained.
    const letters = input.snapshot.deadLetters.filter((l) => {
      const body = l.body as { kind?: string; payload?: unknown };
      return body?.kind === 'PoisonOutboxRecord' && typeof body.payload === 'string' && body.payload.includes(marker);
    });
    if (letters.length === 0)
      v.push({ check: 'poison', subject: marker, message: 'poison outbox item not in the relay DLQ' });
    for (const letter of letters) {
      explained.add(letter);
      if (!deadLetterError(letter))
        v.push({ check: 'poison', subject: marker, message: 'in the relay DLQ without its error' });
    }
  }
  return explained;
}

/** Units per sku of an order's lines. */
function unitsBySku(order: Pick<OrderView, 'items'>): Map<string, number> {
  const units = new Map<string, number>();
  for (const item of order.items) units.set(item.sku, (units.get(item.sku) ?? 0) + item.quantity);
  return units;
}

/**
 * A confirmed order is backed: a live payment (AUTHORIZED/CAPTURED) in our table and at the provider, and the units
 * it bought (a COMMITTED reservation per line, with the line's quantity). A cancelled order holds and owns nothing
 * (no HELD or COMMITTED reservation left).
 */
function checkBacking(input: CheckInput, v: Violation[]): void {
  const reservations = new Map<string, ReservationRow[]>();
  for (const r of input.snapshot.reservations) reservations.set(r.orderId, [...(reservations.get(r.orderId) ?? []), r]);
  const liveAtProvider = new Set(
    input.snapshot.ledger.filter((e) => LIVE_PAYMENT.has(e.status)).map((e) => e.reference),
  );
  for (const [orderId, order] of input.snapshot.orders) {
    const held = reservations.get(orderId) ?? [];
    if (order.status === 'CONFIRMED') {
      const payments = input.snapshot.payments.get(orderId) ?? [];
      if (!payments.some((p) => LIVE_PAYMENT.has(p.status)))
        v.push({
          check: 'confirmed-backed',
          subject: orderId,
          message: `CONFIRMED without a live payment in our table (${payments.map((p) => p.status).join(', ') || 'none'})`,
        });
      if (!liveAtProvider.has(orderId))
        v.push({
          check: 'confirmed-backed',
          subject: orderId,
          message: 'CONFIRMED without a live authorization at the provider',
        });
      for (const [sku, quantity] of unitsBySku(order)) {
        const found = held.filter((r) => r.sku === sku);
        if (!found.some((r) => r.status === 'COMMITTED' && r.quantity === quantity))
          v.push({
            check: 'confirmed-backed',
            subject: orderId,
            message: `CONFIRMED, but its line ${sku} x${quantity} has no COMMITTED reservation (${found.map((r) => `${r.status} x${r.quantity}`).join(', ') || 'none'})`,
          });
      }
    } else if (order.status === 'CANCELLED') {
      for (const r of held.filter((x) => x.status === 'HELD' || x.status === 'COMMITTED'))
        v.push({
          check: 'cancelled-holds',
          subject: orderId,
          message: `CANCELLED (${order.reason}) but still ${r.status === 'HELD' ? 'holds' : 'owns'} ${r.sku} x${r.quantity}`,
        });
    }
  }
}

/** Timestamps of different processes of one machine (the functions' and the runtime's clocks): this much apart. */
export const CLOCK_MARGIN_MS = 1_000;
/**
 * A given-back hold whose release is in no saga history (the reconciler's): its `updatedAt` is taken before the
 * write is sent, so the units may have come back up to this much later (the SDK's and the adapter's retries, bounded
 * by a function's timeout).
 */
export const UNKNOWN_RELEASE_MARGIN_MS = 30_000;

const at = (iso: string | undefined) => (iso === undefined ? Number.NaN : Date.parse(iso));
const instant = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : ms < 0 ? 'the start' : 'the end');

/** The states of this name in an order's executions. */
function visits(executions: readonly ExecutionView[] | undefined, state: string) {
  return (executions ?? []).flatMap((e) => e.states.filter((s) => s.name === state));
}

/**
 * When a hold kept its units out of `available`, as a superset: from its `createdAt` (taken before the hold was
 * written) until it was given back: the end of the ReleaseInventory state that gave it back (the release committed
 * before that state ended), or, when no saga state did, `updatedAt` plus a generous margin; never for a hold
 * still HELD or COMMITTED.
 */
export function holdInterval(r: ReservationRow, executions: readonly ExecutionView[] | undefined): [number, number] {
  const start = at(r.createdAt) - CLOCK_MARGIN_MS;
  if (r.status !== 'RELEASED' && r.status !== 'RETURNED') return [start, Number.POSITIVE_INFINITY];
  const changed = at(r.updatedAt);
  if (Number.isNaN(changed)) return [start, Number.POSITIVE_INFINITY];
  const releasing = visits(executions, 'ReleaseInventory').filter(
    (s) =>
      at(s.enteredAt) - CLOCK_MARGIN_MS <= changed &&
      (s.exitedAt === undefined || changed <= at(s.exitedAt) + CLOCK_MARGIN_MS),
  );
  if (releasing.length === 0) return [start, changed + UNKNOWN_RELEASE_MARGIN_MS];
  const ends = releasing.map((s) => (s.exitedAt === undefined ? Number.POSITIVE_INFINITY : at(s.exitedAt)));
  return [start, Math.max(...ends) + CLOCK_MARGIN_MS];
}

/**
 * When an order's reservation ran, as a superset: its ReserveInventory states (every attempt and retry is inside
 * them); without a history, from the order's creation to its last change; without those, all the time.
 */
export function reservationWindow(
  order: OrderView,
  executions: readonly ExecutionView[] | undefined,
): [number, number] {
  const reserving = visits(executions, 'ReserveInventory');
  if (reserving.length > 0 && reserving.every((s) => s.exitedAt !== undefined)) {
    return [
      Math.min(...reserving.map((s) => at(s.enteredAt))) - CLOCK_MARGIN_MS,
      Math.max(...reserving.map((s) => at(s.exitedAt))) + CLOCK_MARGIN_MS,
    ];
  }
  const from = at(order.createdAt);
  const to = at(order.updatedAt);
  return [
    Number.isNaN(from) ? Number.NEGATIVE_INFINITY : from - CLOCK_MARGIN_MS,
    Number.isNaN(to) ? Number.POSITIVE_INFINITY : to + CLOCK_MARGIN_MS,
  ];
}

/**
 * No order is cancelled OUT_OF_STOCK while its skus had the stock. Only a failed condition on the stock is "out
 * of stock"; a throttle or a conflict read as one cancels an order that could have been served. Checked against
 * the inventory's ledger of holds, conservatively: during the failed reservation's window, a sku had at least its
 * restocked units minus every hold (of any order) that may have been live at any moment of that window. Flagged
 * only when every line had that much: then no instant of the window was short of any line.
 */
function checkOutOfStock(input: CheckInput, v: Violation[]): void {
  const stockOf = new Map(input.skus.map((s) => [s.sku, s.stock]));
  const holdsBySku = new Map<string, ReservationRow[]>();
  for (const r of input.snapshot.reservations) {
    if (r.tombstone || r.quantity <= 0) continue;
    holdsBySku.set(r.sku, [...(holdsBySku.get(r.sku) ?? []), r]);
  }
  for (const order of input.snapshot.orders.values()) {
    if (order.status !== 'CANCELLED' || order.reason !== 'OUT_OF_STOCK') continue;
    const [from, to] = reservationWindow(order, input.snapshot.executions.get(order.orderId));
    const proof: string[] = [];
    let everyLineHadStock = true;
    for (const [sku, quantity] of unitsBySku(order)) {
      const stock = stockOf.get(sku);
      if (stock === undefined) {
        everyLineHadStock = false; // a sku the plan does not know: nothing to judge it by
        break;
      }
      const live = (holdsBySku.get(sku) ?? []).filter((r) => {
        const [start, end] = holdInterval(r, input.snapshot.executions.get(r.orderId));
        return start <= to && end >= from;
      });
      const heldAtMost = live.reduce((n, r) => n + r.quantity, 0);
      const availableAtLeast = stock - heldAtMost;
      if (availableAtLeast < quantity) {
        everyLineHadStock = false;
        break;
      }
      proof.push(
        `${sku} had at least ${availableAtLeast} available for ${quantity} (stock ${stock}, at most ${heldAtMost} held by ${live.length} hold(s))`,
      );
    }
    if (everyLineHadStock)
      v.push({
        check: 'out-of-stock',
        subject: order.orderId,
        message: `CANCELLED OUT_OF_STOCK, but while its reservation ran (${instant(from)} to ${instant(to)}) every sku had the stock: ${proof.join('; ')}`,
      });
  }
}

export function checkInvariants(input: CheckInput): CheckResult {
  const v: Violation[] = [];
  checkOrders(input, v);
  checkStock(input, v);
  checkOutOfStock(input, v);
  checkPayments(input, v);
  checkBacking(input, v);
  checkNotifications(input, v);
  checkProjection(input, v);
  const explained = checkPoison(input, v);
  for (const letter of input.snapshot.deadLetters) {
    if (explained.has(letter)) continue;
    const id = deadLetterEventId(letter);
    // A dead letter of a real event means an effect that did not happen (nothing is lost silently, but it is lost).
    v.push({
      check: 'dead-letter',
      subject: `${letter.queue.replace(/^.*DeadLetters/, '')} ${id ?? letter.messageId}`,
      message: `unexpected dead letter: ${deadLetterError(letter) ?? JSON.stringify(letter.body).slice(0, 200)}`,
    });
  }
  for (const name of input.snapshot.runningExecutions)
    v.push({ check: 'stuck-saga', subject: name, message: 'execution still RUNNING at rest' });
  for (const e of input.serverErrors)
    v.push({ check: '5xx', subject: `${e.method} ${e.path}`, message: `${e.status}: ${e.body.slice(0, 200)}` });
  return { violations: v, expectedDeadLetters: explained.size };
}
