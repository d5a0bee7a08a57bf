/**
 * THE single-table layout: attribute names, index names and every key builder.
 *
 * The CDK table (lib/constructs/data/commerce-table.ts) is derived from TABLE below, and every adapter builds its
 * keys here, so a key string is never typed twice. The README's "Data model" section lists these entities and the
 * access patterns they serve.
 */

export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB TTL deletes the item some time after it passes. */
  ttlAttribute: 'ttl',
  gsi1: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
} as const;

/** Number of shards of the reconciler's sparse index partitions (open orders, held reservations, open authorizations). */
export const OPEN_ORDER_SHARDS = 8;

export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

export interface Gsi1Key {
  readonly gsi1pk: string;
  readonly gsi1sk: string;
}

/** Cheap, stable hash (FNV-1a) used to pick a shard; not for security. */
export function shardOf(value: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

export const keys = {
  /** Product (catalog). Access: get by sku. */
  product: (sku: string): ItemKey => ({ pk: `PRODUCT#${sku}`, sk: 'PRODUCT' }),
  /** Product listing: every product sits in one index partition ordered by sku (catalogs change rarely). */
  productListing: (sku: string): Gsi1Key => ({ gsi1pk: 'CATALOG', gsi1sk: sku }),
  catalogPartition: 'CATALOG',

  /** Stock counters of a sku (inventory), beside its product in the same item collection. */
  inventory: (sku: string): ItemKey => ({ pk: `PRODUCT#${sku}`, sk: 'INVENTORY' }),

  /** An order; its reservations and payments share the partition (one Query reads the whole order). */
  order: (orderId: string): ItemKey => ({ pk: `ORDER#${orderId}`, sk: 'ORDER' }),
  orderPartition: (orderId: string): string => `ORDER#${orderId}`,
  /** Sparse index entry kept only while an order is not final: the reconciler's work list. */
  openOrder: (orderId: string, createdAt: string): Gsi1Key => ({
    gsi1pk: `OPEN_ORDERS#${shardOf(orderId, OPEN_ORDER_SHARDS)}`,
    gsi1sk: `${createdAt}#${orderId}`,
  }),
  openOrderPartition: (shard: number): string => `OPEN_ORDERS#${shard}`,

  /** Units of one sku held for one order. */
  reservation: (orderId: string, sku: string): ItemKey => ({ pk: `ORDER#${orderId}`, sk: `RESERVATION#${sku}` }),
  reservationPrefix: 'RESERVATION#',
  /** Sparse index entry kept only while a reservation is HELD: the reconciler finds old holds by time. */
  heldReservation: (orderId: string, sku: string, createdAt: string): Gsi1Key => ({
    gsi1pk: `HELD#${shardOf(orderId, OPEN_ORDER_SHARDS)}`,
    gsi1sk: `${createdAt}#${orderId}#${sku}`,
  }),
  heldReservationPartition: (shard: number): string => `HELD#${shard}`,

  /** A payment of an order. */
  payment: (orderId: string, paymentId: string): ItemKey => ({ pk: `ORDER#${orderId}`, sk: `PAYMENT#${paymentId}` }),
  paymentPrefix: 'PAYMENT#',
  /** Sparse index entry of a payment voided or refunded, until the reconciler reviewed it (a confirmed order must keep its payment). */
  closedPayment: (orderId: string, closedAt: string): Gsi1Key => ({
    gsi1pk: `CLOSED_PAYMENTS#${shardOf(orderId, OPEN_ORDER_SHARDS)}`,
    gsi1sk: `${closedAt}#${orderId}`,
  }),
  closedPaymentPartition: (shard: number): string => `CLOSED_PAYMENTS#${shard}`,

  /** The reconciler's own state: where each of its work lists continues on the next run. */
  reconcilerState: { pk: 'RECONCILER', sk: 'CURSORS' } as ItemKey,

  /** A customer's view of one order (projection fed by order events); ULIDs sort by time. */
  customerOrder: (customerId: string, orderId: string): ItemKey => ({
    pk: `CUSTOMER#${customerId}`,
    sk: `ORDER#${orderId}`,
  }),
  customerPartition: (customerId: string): string => `CUSTOMER#${customerId}`,
  customerOrderPrefix: 'ORDER#',

  /** One notification of one kind for one order: the key itself makes it unique. */
  notification: (customerId: string, orderId: string, type: string): ItemKey => ({
    pk: `CUSTOMER#${customerId}`,
    sk: `NOTIFICATION#${orderId}#${type}`,
  }),
  notificationPrefix: 'NOTIFICATION#',

  /** The simulated notification channel's mailbox (what a real e-mail/SMS provider would hold). */
  mailboxMessage: (messageKey: string): ItemKey => ({ pk: `MAILBOX#${messageKey}`, sk: 'MESSAGE' }),

  /** The simulated payment provider's ledger entry for one idempotency key. */
  providerLedger: (idempotencyKey: string): ItemKey => ({ pk: `PSP#${idempotencyKey}`, sk: 'LEDGER' }),
  /** Sparse index entry of an authorization the provider still holds (what a real provider's list API returns). */
  openAuthorization: (idempotencyKey: string, createdAt: string): Gsi1Key => ({
    gsi1pk: `PSP_OPEN#${shardOf(idempotencyKey, OPEN_ORDER_SHARDS)}`,
    gsi1sk: `${createdAt}#${idempotencyKey}`,
  }),
  openAuthorizationPartition: (shard: number): string => `PSP_OPEN#${shard}`,

  /** An event waiting in the transactional outbox; the stream carries it to the relay. */
  outbox: (eventId: string): ItemKey => ({ pk: `OUTBOX#${eventId}`, sk: 'OUTBOX' }),
  outboxPrefix: 'OUTBOX#',

  /** The API's Idempotency-Key record (one per key, any customer). */
  requestKey: (idempotencyKey: string): ItemKey => ({ pk: `REQUEST#${idempotencyKey}`, sk: 'REQUEST' }),

  /**
   * A Powertools idempotency record. Each record gets its own partition key (instead of Powertools' default
   * sort-key mode, which puts all records of a function under one partition key: a hot key under load).
   */
  idempotencyRecord: (idempotencyKey: string): ItemKey => ({ pk: idempotencyKey, sk: 'IDEMPOTENCY' }),
} as const;

/** Entity names stored in every item's `entity` attribute (readable scans, stream filters, the data model table). */
export const ENTITY = {
  product: 'Product',
  inventory: 'Inventory',
  order: 'Order',
  reservation: 'Reservation',
  payment: 'Payment',
  customerOrder: 'CustomerOrder',
  notification: 'Notification',
  mailboxMessage: 'MailboxMessage',
  providerLedger: 'ProviderLedger',
  outbox: 'Outbox',
  requestKey: 'RequestKey',
  reconcilerState: 'ReconcilerState',
} as const;

/**
 * How long outbox items stay after they were written: longer than the stream keeps records (24 h) and than the
 * relay retries them, so an event dead-lettered for its age can still be republished from its outbox item
 * (`npm run dlq -- republish`); consumers deduplicate by event id.
 */
export const OUTBOX_TTL_SECONDS = 7 * 24 * 60 * 60;
/** How long an Idempotency-Key of the API is remembered. */
export const REQUEST_KEY_TTL_SECONDS = 24 * 60 * 60;

export function ttlFromNow(seconds: number, nowMs: number = Date.now()): number {
  return Math.floor(nowMs / 1000) + seconds;
}
