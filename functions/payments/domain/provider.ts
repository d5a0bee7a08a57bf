/**
 * The payment provider port. Every call carries an idempotency key: the provider returns the first outcome for a
 * repeated key, so a retried authorization never charges twice (as Stripe's Idempotency-Key does).
 */

export interface AuthorizeRequest {
  readonly idempotencyKey: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly paymentToken: string;
  readonly reference: string;
}

export type AuthorizeResult =
  | { readonly outcome: 'APPROVED'; readonly providerRef: string }
  | { readonly outcome: 'DECLINED'; readonly declineCode: string };

export interface PaymentProvider {
  readonly name: string;
  /** Throws ProviderUnavailableError when the outcome is unknown (timeout, 5xx): retry with the same key. */
  authorize(request: AuthorizeRequest): Promise<AuthorizeResult>;
  /** The reference of an approved authorization made with this idempotency key, if the provider holds one. */
  findAuthorization(idempotencyKey: string): Promise<string | undefined>;
  /**
   * Authorizations the provider still holds that were made before `createdBefore`, of any age, a page at a time
   * (for the reconciler; `cursor` is the one the previous page returned, undefined once the list ends).
   */
  listOpenAuthorizations(request: {
    readonly createdBefore: string;
    readonly limit: number;
    readonly cursor: string | undefined;
  }): Promise<{ readonly items: OpenAuthorization[]; readonly cursor: string | undefined }>;
  /** Releases an authorization (nothing is charged). Repeating it is harmless. */
  void(request: { readonly idempotencyKey: string; readonly providerRef: string }): Promise<void>;
  /** Returns a captured amount in full. Repeating it is harmless. */
  refund(request: {
    readonly idempotencyKey: string;
    readonly providerRef: string;
    readonly amountCents: number;
  }): Promise<void>;
}

export interface OpenAuthorization {
  readonly providerRef: string;
  /** What the platform passed as `reference`: the order id. */
  readonly reference: string;
  readonly createdAt: string;
}

export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailable';
}
