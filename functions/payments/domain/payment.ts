/**
 * Payments: one authorization per order, made safe to repeat at every level (a deterministic payment id, the
 * provider's idempotency key, conditional writes). Compensation voids an authorization or refunds a capture; when no
 * payment exists yet it leaves a VOIDED tombstone, so an authorization still in flight cannot land afterwards.
 */
import {
  CancellationRequestedError,
  InvariantViolationError,
  NotFoundError,
  OrderAlreadyConfirmedError,
  PaymentDeclinedError,
  TransientError,
} from '../../shared/errors';
import {
  type CancelReason,
  type EventOf,
  PaymentAuthorizedV1,
  PaymentDeclinedV1,
  PaymentRefundedV1,
  PaymentVoidedV1,
} from '../../shared/events/catalog';
import { type EventContext, newEvent } from '../../shared/events/factory';
import type { Clock, IdGenerator } from '../../shared/runtime/ids';
import type { PaymentStatus, PaymentView } from '../contract';
import type { PaymentProvider } from './provider';

/** One authorization per order: the payment id is derived from the order id. */
export const paymentIdFor = (orderId: string): string => `pay_${orderId}`;
/** The provider idempotency key of an order's authorization: every retry of the step sends the same one. */
export const authorizeKey = (orderId: string): string => `authorize-${orderId}`;

export interface Payment {
  readonly paymentId: string;
  readonly orderId: string;
  readonly status: PaymentStatus;
  readonly amountCents: number;
  readonly currency: string;
  readonly providerRef?: string;
  readonly declineCode?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
  /** A placeholder written by a compensation that found no payment; never shown. */
  readonly tombstone?: boolean;
}

type PaymentEvent =
  | EventOf<typeof PaymentAuthorizedV1>
  | EventOf<typeof PaymentDeclinedV1>
  | EventOf<typeof PaymentVoidedV1>
  | EventOf<typeof PaymentRefundedV1>;

export interface PaymentRepository {
  get(orderId: string, paymentId: string): Promise<Payment | undefined>;
  /** Payments of an order, and whether the order exists. */
  listFor(orderId: string): Promise<{ orderExists: boolean; payments: Payment[] }>;
  /** Stores a new payment with its event; false when one with that id exists. */
  record(payment: Payment, event: PaymentEvent): Promise<boolean>;
  /** Writes `next` with its event only if the stored status and version are still `previous`'s; false otherwise. */
  transition(previous: Payment, next: Payment, event: PaymentEvent): Promise<boolean>;
  /** Writes a VOIDED tombstone when no payment exists; false when one exists. */
  recordTombstone(tombstone: Payment): Promise<boolean>;
}

/** What payments need to know about an order (the orders domain owns it). */
export interface OrderFacts {
  readonly status: 'PENDING' | 'CONFIRMED' | 'CANCELLED';
  /** The customer asked to cancel: no new money may be taken for it. */
  readonly cancelRequested: boolean;
  /** The payment token the customer gave with the order, while it is kept. */
  readonly paymentToken?: string;
}

export interface OrderFactsSource {
  factsOf(orderId: string): Promise<OrderFacts | undefined>;
}

export interface PaymentsDeps {
  readonly payments: PaymentRepository;
  readonly orders: OrderFactsSource;
  readonly provider: PaymentProvider;
  readonly ids: IdGenerator;
  readonly clock: Clock;
}

export interface Charge {
  readonly orderId: string;
  readonly amountCents: number;
  readonly currency: string;
}

const MAX_ATTEMPTS = 5;

function settle(existing: Payment): Payment {
  if (existing.status === 'AUTHORIZED' || existing.status === 'CAPTURED') return existing;
  if (existing.status === 'DECLINED') throw new PaymentDeclinedError(existing.declineCode ?? 'declined');
  throw new InvariantViolationError(`Payment ${existing.paymentId} was already ${existing.status.toLowerCase()}`);
}

/**
 * Saga step: authorizes the order's total once, however often it runs. An order whose customer asked to cancel is
 * never sent to the provider (CancellationRequested: the saga unwinds with CUSTOMER_REQUEST).
 */
export async function authorizePayment(deps: PaymentsDeps, charge: Charge, context: EventContext): Promise<Payment> {
  const paymentId = paymentIdFor(charge.orderId);
  const existing = await deps.payments.get(charge.orderId, paymentId);
  if (existing) return settle(existing);
  const order = await deps.orders.factsOf(charge.orderId);
  if (!order) throw new InvariantViolationError(`Order ${charge.orderId} does not exist`);
  if (order.cancelRequested || order.status === 'CANCELLED') throw new CancellationRequestedError(charge.orderId);
  const token = order.paymentToken;
  if (!token) throw new InvariantViolationError(`Order ${charge.orderId} has no payment token`);
  const result = await deps.provider.authorize({
    idempotencyKey: authorizeKey(charge.orderId),
    amountCents: charge.amountCents,
    currency: charge.currency,
    paymentToken: token,
    reference: charge.orderId,
  });
  const now = deps.clock.nowIso();
  const base = {
    paymentId,
    orderId: charge.orderId,
    amountCents: charge.amountCents,
    currency: charge.currency,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  const payment: Payment =
    result.outcome === 'APPROVED'
      ? { ...base, status: 'AUTHORIZED', providerRef: result.providerRef }
      : { ...base, status: 'DECLINED', declineCode: result.declineCode };
  const common = { id: deps.ids.next(), time: now, subject: paymentId, sequence: 1 };
  const money = { orderId: charge.orderId, paymentId, amountCents: charge.amountCents, currency: charge.currency };
  const event =
    result.outcome === 'APPROVED'
      ? newEvent(PaymentAuthorizedV1, { ...common, data: { ...money, providerRef: result.providerRef } }, context)
      : newEvent(PaymentDeclinedV1, { ...common, data: { ...money, declineCode: result.declineCode } }, context);
  if (await deps.payments.record(payment, event)) return settle(payment);

  // Someone wrote first: an earlier attempt of this step (fine) or a compensation's tombstone (this authorization
  // came too late: release it at the provider so nothing stays held, and let the saga carry on cancelling).
  const winner = await deps.payments.get(charge.orderId, paymentId);
  if (winner?.tombstone && result.outcome === 'APPROVED') {
    await deps.provider.void({ idempotencyKey: `void-${paymentId}`, providerRef: result.providerRef });
    throw new InvariantViolationError(`Payment of order ${charge.orderId} was voided while it was being authorized`);
  }
  if (!winner) throw new TransientError(`Payment ${paymentId} vanished while recording it`);
  return settle(winner);
}

/**
 * Saga compensation: voids an authorization or refunds a capture; leaves a tombstone when there is no payment.
 * It never undoes a CONFIRMED order unless the customer asked (`reason` CUSTOMER_REQUEST): a confirmation that
 * committed and then reported a failure must be recognised as done (OrderAlreadyConfirmed), not compensated.
 */
export async function voidPayment(
  deps: PaymentsDeps,
  orderId: string,
  reason: CancelReason,
  context: EventContext,
): Promise<Payment | undefined> {
  const paymentId = paymentIdFor(orderId);
  if (reason !== 'CUSTOMER_REQUEST') {
    const order = await deps.orders.factsOf(orderId);
    if (order?.status === 'CONFIRMED') throw new OrderAlreadyConfirmedError(orderId);
  }
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const payment = await deps.payments.get(orderId, paymentId);
    const now = deps.clock.nowIso();
    if (!payment) {
      const tombstone: Payment = {
        paymentId,
        orderId,
        status: 'VOIDED',
        amountCents: 0,
        currency: 'XXX',
        createdAt: now,
        updatedAt: now,
        version: 1,
        tombstone: true,
      };
      if (!(await deps.payments.recordTombstone(tombstone))) continue; // an authorization landed meanwhile: undo it
      // The provider may hold an authorization we never recorded (the step gave up after the provider acted).
      const providerRef = await deps.provider.findAuthorization(authorizeKey(orderId));
      if (providerRef) await deps.provider.void({ idempotencyKey: `void-${paymentId}`, providerRef });
      return undefined;
    }
    if (payment.status !== 'AUTHORIZED' && payment.status !== 'CAPTURED') return payment;
    const providerRef = payment.providerRef;
    if (!providerRef)
      throw new InvariantViolationError(`Payment ${paymentId} is ${payment.status} without a provider reference`);
    const captured = payment.status === 'CAPTURED';
    if (captured) {
      await deps.provider.refund({
        idempotencyKey: `refund-${paymentId}`,
        providerRef,
        amountCents: payment.amountCents,
      });
    } else {
      await deps.provider.void({ idempotencyKey: `void-${paymentId}`, providerRef });
    }
    const next: Payment = {
      ...payment,
      status: captured ? 'REFUNDED' : 'VOIDED',
      updatedAt: now,
      version: payment.version + 1,
    };
    const data = { orderId, paymentId, amountCents: payment.amountCents, currency: payment.currency };
    const common = { id: deps.ids.next(), time: now, subject: paymentId, sequence: next.version, data };
    const event = captured ? newEvent(PaymentRefundedV1, common, context) : newEvent(PaymentVoidedV1, common, context);
    if (await deps.payments.transition(payment, next, event)) return next;
  }
  throw new TransientError(`Payment ${paymentId} kept changing while voiding it`);
}

export function toPaymentView(payment: Payment): PaymentView {
  return {
    paymentId: payment.paymentId,
    status: payment.status,
    amountCents: payment.amountCents,
    currency: payment.currency,
    ...(payment.declineCode ? { declineCode: payment.declineCode } : {}),
    createdAt: payment.createdAt,
    updatedAt: payment.updatedAt,
  };
}

/** Payments shown to clients: real payments only (tombstones are bookkeeping). */
export function visiblePayments(payments: readonly Payment[]): PaymentView[] {
  return payments.filter((p) => !p.tombstone).map(toPaymentView);
}

/** Payments of an order as clients see them; NotFound when the order does not exist. */
export async function listPayments(deps: Pick<PaymentsDeps, 'payments'>, orderId: string): Promise<PaymentView[]> {
  const { orderExists, payments } = await deps.payments.listFor(orderId);
  if (!orderExists) throw new NotFoundError('Order', orderId);
  return visiblePayments(payments);
}
