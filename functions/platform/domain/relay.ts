/**
 * The outbox relay's rules. PutEvents answers 200 even when entries fail, so every entry's result is checked and
 * only the records whose entries failed are reported back (partial batch response): they are retried, the rest is
 * not lost and not blocked. A record that can never be published (not a valid envelope of a known event) is a
 * poison record: it goes to the dead-letter queue with its error at once instead of blocking the shard.
 */
import { findDefinition } from '../../shared/events/catalog';
import { type EventEnvelope, envelopeSchema } from '../../shared/events/envelope';

export interface OutboxRecord {
  /** The stream record's sequence number: the partial batch response names failed records by it. */
  readonly id: string;
  readonly payload: string | undefined;
}

export interface PublishEntry {
  readonly recordId: string;
  readonly envelope: EventEnvelope;
  readonly detail: string;
}

export type PublishResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

export interface EventPublisher {
  /** Publishes up to MAX_ENTRIES_PER_CALL entries; one result per entry, in order. Throws when the call failed. */
  publish(entries: readonly PublishEntry[]): Promise<PublishResult[]>;
}

export interface PoisonSink {
  park(record: OutboxRecord, error: string): Promise<void>;
}

export interface RelayReport {
  readonly failedRecordIds: string[];
  readonly published: number;
  readonly failed: number;
  readonly poison: number;
}

export const MAX_ENTRIES_PER_CALL = 10;
/** PutEvents limits a request to 256 KB; stay under it with room for the request envelope. */
export const MAX_BYTES_PER_CALL = 240 * 1024;

/** Validates one outbox payload: a well-formed envelope of an event the catalog knows, with valid data. */
export function validatePayload(payload: string | undefined): { envelope: EventEnvelope } | { error: string } {
  if (payload === undefined) return { error: 'the outbox item has no payload' };
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch (error) {
    return { error: `payload is not JSON: ${(error as Error).message}` };
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) return { error: `invalid envelope: ${parsed.error.message}` };
  const envelope = parsed.data as EventEnvelope;
  const definition = findDefinition(envelope.type, envelope.dataVersion);
  if (!definition) return { error: `unknown event ${envelope.type} v${envelope.dataVersion}` };
  if (definition.source !== envelope.source) return { error: `${envelope.type} must come from ${definition.source}` };
  const data = definition.data.safeParse(envelope.data);
  if (!data.success) return { error: `invalid ${envelope.type} data: ${data.error.message}` };
  return { envelope };
}

/** Splits entries into PutEvents calls: at most 10 entries and MAX_BYTES_PER_CALL each. */
export function chunkEntries(entries: readonly PublishEntry[]): PublishEntry[][] {
  const chunks: PublishEntry[][] = [];
  let current: PublishEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = Buffer.byteLength(entry.detail) + entry.envelope.source.length + entry.envelope.type.length;
    if (current.length === MAX_ENTRIES_PER_CALL || (current.length > 0 && bytes + size > MAX_BYTES_PER_CALL)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export async function relay(
  records: readonly OutboxRecord[],
  publisher: EventPublisher,
  poisonSink: PoisonSink,
): Promise<RelayReport> {
  const failed = new Set<string>();
  const entries: PublishEntry[] = [];
  let poison = 0;
  for (const record of records) {
    const validated = validatePayload(record.payload);
    if ('envelope' in validated) {
      entries.push({ recordId: record.id, envelope: validated.envelope, detail: record.payload ?? '' });
      continue;
    }
    try {
      await poisonSink.park(record, validated.error);
      poison++;
    } catch {
      failed.add(record.id); // not parked: retry the record rather than lose it
    }
  }
  const chunks = chunkEntries(entries);
  const results = await Promise.all(
    chunks.map(async (chunk) => {
      try {
        return await publisher.publish(chunk);
      } catch (error) {
        return chunk.map((): PublishResult => ({ ok: false, error: (error as Error).message }));
      }
    }),
  );
  let published = 0;
  chunks.forEach((chunk, c) => {
    chunk.forEach((entry, i) => {
      const result = results[c]?.[i];
      if (result?.ok) published++;
      else failed.add(entry.recordId);
    });
  });
  return { failedRecordIds: [...failed], published, failed: failed.size, poison };
}
