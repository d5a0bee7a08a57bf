/**
 * The one event envelope (CloudEvents-style). It is what the outbox stores, what the relay publishes as the
 * EventBridge `detail`, and what every consumer parses.
 */
import * as z from 'zod';

export const envelopeSchema = z.object({
  id: z.string().min(10).max(64).describe('ULID, unique per event; consumers deduplicate on it.'),
  source: z
    .string()
    .regex(/^commerce\.[a-z]+$/)
    .describe('Producing domain, e.g. `commerce.orders`; also the EventBridge `source`.'),
  type: z
    .string()
    .regex(/^[A-Z][A-Za-z]+$/)
    .describe('Past-tense event name, e.g. `OrderPlaced`; also the EventBridge `detail-type`.'),
  time: z.iso.datetime().describe('When the state change happened (UTC).'),
  subject: z.string().min(1).max(128).describe('Id of the aggregate that changed (order id, sku, payment id, ...).'),
  sequence: z
    .int()
    .positive()
    .describe(
      "The aggregate's version after this change: apply an event only if it is newer than what you hold (EventBridge does not keep order).",
    ),
  correlationId: z
    .string()
    .min(1)
    .max(128)
    .describe('Follows a request from the API through the saga and every event it causes.'),
  causationId: z
    .string()
    .min(1)
    .max(128)
    .nullable()
    .describe('Id of the event or request that caused this one (null at the edge).'),
  dataVersion: z.int().positive().describe('Version of the schema of `data`.'),
  data: z.unknown().describe('The event-specific payload.'),
});

export type EventEnvelope<TData = unknown> = Omit<z.infer<typeof envelopeSchema>, 'data'> & { data: TData };
