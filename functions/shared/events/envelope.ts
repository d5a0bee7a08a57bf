/**
 * The one event envelope (CloudEvents-style). It is what the outbox stores, what the relay publishes as the
 * EventBridge `detail`, and what every consumer parses.
 */
import * as z from 'zod';

export const envelopeSchema = z.object({
  /** ULID, unique per event; consumers deduplicate on it. */
  id: z.string().min(10).max(64),
  /** Producing domain, e.g. `commerce.orders`; also the EventBridge `source`. */
  source: z.string().regex(/^commerce\.[a-z]+$/),
  /** Past-tense event name, e.g. `OrderPlaced`; also the EventBridge `detail-type`. */
  type: z.string().regex(/^[A-Z][A-Za-z]+$/),
  /** ISO-8601 time the state change happened. */
  time: z.iso.datetime(),
  /** Id of the aggregate that changed (order id, sku, payment id, ...). */
  subject: z.string().min(1).max(128),
  /** The aggregate's version after this change: consumers apply an event only if it is newer than what they hold. */
  sequence: z.int().positive(),
  /** Follows a request from the API through the saga and every event. */
  correlationId: z.string().min(1).max(128),
  /** Id of the event or request that caused this one (null at the edge). */
  causationId: z.string().min(1).max(128).nullable(),
  /** Version of `data`'s schema. */
  dataVersion: z.int().positive(),
  data: z.unknown(),
});

export type EventEnvelope<TData = unknown> = Omit<z.infer<typeof envelopeSchema>, 'data'> & { data: TData };
