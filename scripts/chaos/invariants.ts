/**
 * The invariants a chaos run must keep, checked on a snapshot taken once the runtime is quiet. Pure: the inputs
 * are what the client saw (its plan and answers) and what the runtime holds; the output is one violation per broken
 * promise, with the subject it is about. docs/chaos.md lists the checks.
 */
import { isPoisonDetail } from '../../local/faults-config';
import type { ServerError } from './api';
import type { DeadLetter, LoggedEvent, Snapshot } from './observe';
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
    if (outcome.cancel?.state === 'requested' && order.status !== 'CANCELLED') {
      v.push({
        check: 'cancellation',
        subject: orderId,
        message: `the customer's cancellation (202) left it ${order.status}`,
      });
    }
  }
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

export function checkInvariants(input: CheckInput): CheckResult {
  const v: Violation[] = [];
  checkOrders(input, v);
  checkStock(input, v);
  checkPayments(input, v);
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
