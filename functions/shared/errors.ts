/**
 * Errors the domains raise. HTTP handlers map them to responses through one mapper (http/errors.ts);
 * saga steps let the ones in SAGA_ERRORS escape under their `name`, which Step Functions matches in Retry/Catch.
 * No AWS SDK here: domain code throws these.
 */

export type HttpStatus = 400 | 404 | 409 | 413 | 415 | 422 | 429;

/** A failure the caller caused (4xx): safe to show, with a stable machine-readable code. */
export class AppError extends Error {
  constructor(
    readonly status: HttpStatus,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown) {
    super(400, 'VALIDATION_FAILED', message, details);
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends AppError {
  constructor(entity: string, id: string) {
    super(404, `${entity.toUpperCase()}_NOT_FOUND`, `${entity} '${id}' was not found`);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string) {
    super(409, code, message);
    this.name = 'ConflictError';
  }
}

export class UnprocessableError extends AppError {
  constructor(code: string, message: string, details?: unknown) {
    super(422, code, message, details);
    this.name = 'UnprocessableError';
  }
}

/**
 * Error names the checkout saga reacts to. The state machine's Retry/Catch clauses are built from these
 * names (lib/constructs/checkout-saga), so the two can never drift apart.
 */
export const SAGA_ERRORS = {
  /** Not every line could be reserved: cancel with OUT_OF_STOCK, nothing to undo. */
  outOfStock: 'OutOfStock',
  /** The provider declined the payment method: release stock, cancel with PAYMENT_DECLINED. */
  paymentDeclined: 'PaymentDeclined',
  /** The customer asked to cancel before confirmation: undo everything, cancel with CUSTOMER_REQUEST. */
  cancellationRequested: 'CancellationRequested',
  /**
   * A compensation found the order CONFIRMED (its confirmation committed, then the step reported a failure) and the
   * customer did not ask to cancel: nothing may be undone; the saga ends as confirmed.
   */
  orderAlreadyConfirmed: 'OrderAlreadyConfirmed',
  /** A dependency failed in a way that may pass: retry with backoff and jitter. */
  transient: 'TransientError',
  /** State that must not happen (a bug or a manual edit): never retried, fails fast into the compensations. */
  invariantViolation: 'InvariantViolation',
} as const;

abstract class SagaError extends Error {
  abstract override readonly name: string;
}

export class OutOfStockError extends SagaError {
  override readonly name = SAGA_ERRORS.outOfStock;
  constructor(readonly skus: readonly string[]) {
    super(`Not enough stock for: ${skus.join(', ')}`);
  }
}

export class PaymentDeclinedError extends SagaError {
  override readonly name = SAGA_ERRORS.paymentDeclined;
  constructor(readonly declineCode: string) {
    super(`Payment declined: ${declineCode}`);
  }
}

export class CancellationRequestedError extends SagaError {
  override readonly name = SAGA_ERRORS.cancellationRequested;
  constructor(orderId: string) {
    super(`The customer asked to cancel order ${orderId}`);
  }
}

export class OrderAlreadyConfirmedError extends SagaError {
  override readonly name = SAGA_ERRORS.orderAlreadyConfirmed;
  constructor(orderId: string) {
    super(`Order ${orderId} is confirmed; a compensation that the customer did not ask for must not undo it`);
  }
}

export class TransientError extends SagaError {
  override readonly name = SAGA_ERRORS.transient;
}

export class InvariantViolationError extends SagaError {
  override readonly name = SAGA_ERRORS.invariantViolation;
}

export function isSagaError(error: unknown): error is SagaError {
  return error instanceof SagaError;
}
