/**
 * `npm run dlq -- republish`: publishes events again from their outbox items, for when the stream no longer has them.
 *
 * The stream keeps records 24 hours; an outbox item lives OUTBOX_TTL_SECONDS (7 days). An event whose stream record
 * was dropped (the relay's mapping gave up on it for its age, or a dead-lettered batch was redriven too late) can still
 * be put on the bus from its outbox item, exactly as the relay would have put it: the outbox records go through the
 * relay's own `relay()` (payload validation, PutEvents calls of at most 10 entries and 240 KB, every entry's result
 * checked: PutEvents answers 200 with FailedEntryCount) and its EventBridge adapter (same bus, `source`, `detail-type`
 * = the event type, `detail` = the stored payload string as is, `time` = the event's time).
 *
 * Safe to repeat: the event keeps its id, and consumers deduplicate by it (Powertools idempotency on the envelope id,
 * for IDEMPOTENCY_TTL_SECONDS = 24 h); past that, each consumer's own guard makes a repeat harmless (the saga starts
 * once per order: execution name = order id; a notification is unique per order and kind; the projection applies a
 * version only if it is newer).
 *
 * Two selections: `--event <id>` (GetItem of `keys.outbox(id)`) and a time window (`--from`/`--to`, or the window of
 * a dead-lettered stream batch), which scans the table page by page and publishes each page before reading the next.
 */
import { type AttributeValue, type DynamoDBClient, GetItemCommand, paginateScan } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { EventBridgePublisher } from '../../functions/platform/adapters/eventbridge-publisher';
import {
  type EventPublisher,
  type OutboxRecord,
  type PoisonSink,
  relay,
  validatePayload,
} from '../../functions/platform/domain/relay';
import { OUTBOX_PAYLOAD_ATTRIBUTE } from '../../functions/shared/ddb/outbox';
import { keys, OUTBOX_TTL_SECONDS, TABLE } from '../../functions/shared/table/layout';
import { DLQ_IDS } from '../../lib/constructs/events/dead-letter-queues';
import type { StreamBatchInfo } from './dead-letter';
import { type OpsTarget, TargetError, UsageError } from './target';

// ----- what is selected ------------------------------------------------------------------------------------------

/** Inclusive, epoch milliseconds. */
export interface TimeWindow {
  readonly from: number;
  readonly to: number;
}

export type Selection = { readonly events: readonly string[] } | { readonly window: TimeWindow };

const isoDateTime = z.iso.datetime({ offset: true });

function isoTime(option: string, value: string): number {
  const ms = Date.parse(value);
  if (!isoDateTime.safeParse(value).success || !Number.isFinite(ms)) {
    throw new UsageError(`${option} must be an ISO 8601 time with a zone, e.g. 2026-11-20T09:13:00Z (got '${value}')`);
  }
  return ms;
}

/** `--event <id>` (repeatable) or `--from <ISO> --to <ISO>`, never both, never neither. */
export function republishSelection(values: {
  readonly event?: readonly string[];
  readonly from?: string;
  readonly to?: string;
}): Selection {
  const events = values.event ?? [];
  const timed = values.from !== undefined || values.to !== undefined;
  if (events.length > 0 && timed) throw new UsageError('republish takes --event or --from/--to, not both');
  if (events.length > 0) {
    const blank = events.find((id) => !id.trim());
    if (blank !== undefined) throw new UsageError('--event needs an event id');
    return { events: [...new Set(events.map((id) => id.trim()))] };
  }
  if (!timed) throw new UsageError('republish needs --event <eventId> or --from <ISO time> --to <ISO time>');
  if (values.from === undefined || values.to === undefined) {
    throw new UsageError('--from and --to go together: republish every outbox event whose time lies between them');
  }
  const window = { from: isoTime('--from', values.from), to: isoTime('--to', values.to) };
  if (window.from > window.to) throw new UsageError(`--from (${values.from}) is after --to (${values.to})`);
  return { window };
}

/**
 * How far the window of a dead-lettered batch reaches beyond the arrival times in its on-failure record.
 * Before: an event's time is set by its producer before the transaction that commits it, and the commit can come
 * as late as the producer's timeout (the longest here: the reconciler's 5 minutes). After: arrival times are rounded
 * down to the second, and clocks differ a little. Too wide only republishes events that consumers drop as duplicates;
 * too narrow would miss some.
 */
export const BATCH_WINDOW_MARGIN = { beforeMs: 5 * 60_000, afterMs: 60_000 } as const;

/** The event times to republish for a dead-lettered batch, or undefined when its record carries no arrival times. */
export function batchWindow(batch: StreamBatchInfo): TimeWindow | undefined {
  const first = Date.parse(batch.approximateArrivalOfFirstRecord ?? '');
  const last = Date.parse(batch.approximateArrivalOfLastRecord ?? batch.approximateArrivalOfFirstRecord ?? '');
  if (!Number.isFinite(first) || !Number.isFinite(last)) return undefined;
  return {
    from: Math.min(first, last) - BATCH_WINDOW_MARGIN.beforeMs,
    to: Math.max(first, last) + BATCH_WINDOW_MARGIN.afterMs,
  };
}

export const windowText = (w: TimeWindow) => `${new Date(w.from).toISOString()}..${new Date(w.to).toISOString()}`;

// ----- where outbox items come from ----------------------------------------------------------------------------

export interface OutboxItem {
  readonly eventId: string;
  /** The serialized envelope (OUTBOX_PAYLOAD_ATTRIBUTE), what the relay publishes as the detail. */
  readonly payload: string | undefined;
}

export interface OutboxSource {
  /** The outbox item of one event, if the table still has it. */
  get(eventId: string): Promise<OutboxItem | undefined>;
  /** Every outbox item of the table, one page at a time (the next page is read when the caller asks for it). */
  pages(): AsyncIterable<OutboxItem[]>;
}

const PK = TABLE.partitionKey;
const OUTBOX_TTL_DAYS = OUTBOX_TTL_SECONDS / 86_400;
const SK = TABLE.sortKey;

function itemOf(item: Record<string, AttributeValue> | undefined): OutboxItem | undefined {
  const pk = item?.[PK]?.S;
  if (!pk?.startsWith(keys.outboxPrefix)) return undefined;
  return { eventId: pk.slice(keys.outboxPrefix.length), payload: item?.[OUTBOX_PAYLOAD_ATTRIBUTE]?.S };
}

/** The outbox of the single table, read with the DynamoDB API (the same calls on AWS and on DynamoDB Local). */
export class DynamoOutboxSource implements OutboxSource {
  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {}

  async get(eventId: string): Promise<OutboxItem | undefined> {
    const key = keys.outbox(eventId);
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [PK]: { S: key.pk }, [SK]: { S: key.sk } },
        ConsistentRead: true,
        ProjectionExpression: '#pk, #payload',
        ExpressionAttributeNames: { '#pk': PK, '#payload': OUTBOX_PAYLOAD_ATTRIBUTE },
      }),
    );
    return itemOf(out.Item);
  }

  /**
   * A paginated Scan of the whole table: acceptable for an operator command run after an incident, not for anything
   * on a request path (outbox items have no index by time; adding one would cost a write on every event for a tool
   * run a few times a year). The filter keeps outbox items only. The event time is compared by the caller: it lives
   * only inside the payload string (the item's `ttl` is derived from it, but with an offset that changed from 24 h to
   * 7 days, so it cannot be turned back into the time of older items). A filter would not make the Scan cheaper
   * anyway: DynamoDB reads, and bills, every item of the table either way; it only saves bytes on the wire.
   */
  async *pages(): AsyncIterable<OutboxItem[]> {
    const pages = paginateScan(
      { client: this.client },
      {
        TableName: this.tableName,
        FilterExpression: 'begins_with(#pk, :outbox) AND #sk = :sk',
        ProjectionExpression: '#pk, #payload',
        ExpressionAttributeNames: { '#pk': PK, '#sk': SK, '#payload': OUTBOX_PAYLOAD_ATTRIBUTE },
        ExpressionAttributeValues: { ':outbox': { S: keys.outboxPrefix }, ':sk': { S: keys.outbox('x').sk } },
      },
    );
    for await (const page of pages) {
      yield (page.Items ?? []).map(itemOf).filter((i): i is OutboxItem => i !== undefined);
    }
  }
}

// ----- republishing ----------------------------------------------------------------------------------------------

export type RepublishOutcome =
  /** On the bus (its PutEvents entry succeeded). */
  | 'published'
  /** Dry run: would be published. */
  | 'planned'
  /** Its PutEvents entry (or the call) failed. */
  | 'failed'
  /** Not a valid event of the catalog: not published (the relay parks such records; see `parked`). */
  | 'invalid'
  /** Invalid, and parked in the relay's dead-letter queue as the relay does (stream redrive fallback only). */
  | 'parked'
  /** `--event` only: no outbox item with this id (never written, or removed by its TTL). */
  | 'missing';

export interface RepublishResult {
  readonly eventId: string;
  readonly type: string | null;
  readonly subject: string | null;
  readonly time: string | null;
  readonly outcome: RepublishOutcome;
  readonly error?: string;
}

export interface RepublishSummary {
  readonly dryRun: boolean;
  /** Window selections: how many outbox items the scan looked at. */
  readonly scanned: number | null;
  readonly results: RepublishResult[];
  readonly counts: Record<RepublishOutcome, number>;
  /** Window selections: outbox items whose payload has no readable time, so they cannot be placed in any window. */
  readonly unreadable: string[];
}

export interface RepublishPorts {
  readonly source: OutboxSource;
  /** The relay's publisher port (EventBridgePublisher on the app's bus). */
  readonly publisher: EventPublisher;
  /** Where invalid records go; without one they are only reported. */
  readonly poisonSink?: PoisonSink;
}

export interface RepublishOptions {
  readonly dryRun?: boolean;
  /** Called with each page's results as they come (a window can be long): progress for the text output. */
  readonly onResults?: (results: readonly RepublishResult[]) => void;
}

/** At most this many events go to `relay()` at once (it sends its PutEvents calls of 10 in parallel). */
export const PUBLISH_SLICE = 100;

function describe(item: OutboxItem): Pick<RepublishResult, 'type' | 'subject' | 'time'> {
  try {
    const json = JSON.parse(item.payload ?? '') as { type?: unknown; subject?: unknown; time?: unknown };
    const text = (v: unknown) => (typeof v === 'string' ? v : null);
    return { type: text(json.type), subject: text(json.subject), time: text(json.time) };
  } catch {
    return { type: null, subject: null, time: null };
  }
}

/** The event time of an outbox item (epoch ms), or undefined when its payload does not say. */
export function eventTimeOf(item: OutboxItem): number | undefined {
  const time = describe(item).time;
  const ms = time === null ? Number.NaN : Date.parse(time);
  return Number.isFinite(ms) ? ms : undefined;
}

export const inWindow = (ms: number, window: TimeWindow) => ms >= window.from && ms <= window.to;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Publishes one slice through the relay's own code, and says what became of each item. */
async function publishSlice(
  items: readonly OutboxItem[],
  ports: RepublishPorts,
  dryRun: boolean,
): Promise<RepublishResult[]> {
  if (dryRun) {
    return items.map((item) => {
      const validated = validatePayload(item.payload);
      return 'error' in validated
        ? { eventId: item.eventId, ...describe(item), outcome: 'invalid', error: validated.error }
        : { eventId: item.eventId, ...describe(item), outcome: 'planned' };
    });
  }
  // The relay reports failed record ids only: keep each entry's error, and each invalid record's, on the way.
  const publishErrors = new Map<string, string>();
  const publisher: EventPublisher = {
    async publish(entries) {
      try {
        const results = await ports.publisher.publish(entries);
        entries.forEach((entry, i) => {
          const result = results[i];
          if (!result?.ok) publishErrors.set(entry.recordId, result ? result.error : 'no result for this entry');
        });
        return results;
      } catch (error) {
        for (const entry of entries) publishErrors.set(entry.recordId, `PutEvents failed: ${messageOf(error)}`);
        throw error;
      }
    },
  };
  const invalid = new Map<string, string>();
  const poisonSink: PoisonSink = {
    async park(record, error) {
      invalid.set(record.id, error);
      if (!ports.poisonSink) return;
      try {
        await ports.poisonSink.park(record, error);
      } catch (parkError) {
        invalid.set(record.id, `${error}; and it could not be parked: ${messageOf(parkError)}`);
        throw parkError;
      }
    },
  };
  const records: OutboxRecord[] = items.map((item) => ({ id: item.eventId, payload: item.payload }));
  const report = await relay(records, publisher, poisonSink);
  const failed = new Set(report.failedRecordIds);
  return items.map((item): RepublishResult => {
    const base = { eventId: item.eventId, ...describe(item) };
    const invalidError = invalid.get(item.eventId);
    if (invalidError !== undefined) {
      if (failed.has(item.eventId)) return { ...base, outcome: 'failed', error: invalidError };
      return { ...base, outcome: ports.poisonSink ? 'parked' : 'invalid', error: invalidError };
    }
    if (failed.has(item.eventId)) {
      return { ...base, outcome: 'failed', error: publishErrors.get(item.eventId) ?? 'not published' };
    }
    return { ...base, outcome: 'published' };
  });
}

const OUTCOMES: readonly RepublishOutcome[] = ['published', 'planned', 'failed', 'invalid', 'parked', 'missing'];

function countOf(results: readonly RepublishResult[]): Record<RepublishOutcome, number> {
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<RepublishOutcome, number>;
  for (const r of results) counts[r.outcome] += 1;
  return counts;
}

/** Republishes the selected outbox items. Throws only when the table cannot be read; publish failures are results. */
export async function republish(
  ports: RepublishPorts,
  selection: Selection,
  options: RepublishOptions = {},
): Promise<RepublishSummary> {
  const dryRun = options.dryRun ?? false;
  const results: RepublishResult[] = [];
  const unreadable: string[] = [];
  const emit = (page: RepublishResult[]) => {
    results.push(...page);
    if (page.length) options.onResults?.(page);
  };
  const publish = async (items: readonly OutboxItem[]) => {
    for (let i = 0; i < items.length; i += PUBLISH_SLICE) {
      emit(await publishSlice(items.slice(i, i + PUBLISH_SLICE), ports, dryRun));
    }
  };

  if ('events' in selection) {
    const found = await Promise.all(selection.events.map((id) => ports.source.get(id)));
    emit(
      selection.events
        .filter((_, i) => found[i] === undefined)
        .map((eventId) => ({
          eventId,
          type: null,
          subject: null,
          time: null,
          outcome: 'missing',
          error: `no outbox item with this event id (never written, or removed by its TTL after ${OUTBOX_TTL_DAYS} days)`,
        })),
    );
    await publish(found.filter((item): item is OutboxItem => item !== undefined));
    return { dryRun, scanned: null, results, counts: countOf(results), unreadable };
  }

  let scanned = 0;
  for await (const page of ports.source.pages()) {
    scanned += page.length;
    const chosen: OutboxItem[] = [];
    for (const item of page) {
      const time = eventTimeOf(item);
      if (time === undefined) unreadable.push(item.eventId);
      else if (inWindow(time, selection.window)) chosen.push(item);
    }
    // This page is published before the next one is read: the window may hold more than fits in memory.
    await publish(chosen);
  }
  return { dryRun, scanned, results, counts: countOf(results), unreadable };
}

/** Whether a summary means everything selected is on the bus (or would be, for a dry run). */
export function republishSucceeded(summary: RepublishSummary): boolean {
  const c = summary.counts;
  return c.failed === 0 && c.invalid === 0 && c.missing === 0;
}

// ----- the stream redrive's fallback -----------------------------------------------------------------------------

/**
 * After the fallback republished a dead-lettered batch's window: may the dead letter be deleted? Only when nothing
 * failed (an invalid record counts as handled once it is parked, as the relay would have parked it) and the window
 * held at least as many outbox events as the batch had: fewer means some of the batch's items are gone too.
 */
export function fallbackVerdict(
  summary: RepublishSummary,
  batchSize: number | undefined,
): { readonly ok: true } | { readonly ok: false; readonly reason: string } {
  const c = summary.counts;
  if (c.failed > 0) {
    const failed = summary.results.filter((r) => r.outcome === 'failed');
    const sample = failed
      .slice(0, 5)
      .map((r) => `${r.eventId}: ${r.error}`)
      .join('; ');
    return {
      ok: false,
      reason: `${c.failed} event(s) could not be republished (${sample}${c.failed > 5 ? '; …' : ''})`,
    };
  }
  if (c.invalid > 0) return { ok: false, reason: `${c.invalid} invalid record(s) were not parked` };
  const found = summary.results.length;
  if (batchSize !== undefined && found < batchSize) {
    return {
      ok: false,
      reason: `the window holds ${found} outbox event(s) but the batch had ${batchSize}: the others' outbox items are gone too (kept ${OUTBOX_TTL_DAYS} days)`,
    };
  }
  return { ok: true };
}

// ----- against a target ------------------------------------------------------------------------------------------

/** `arn:…:table/<name>/stream/<label>` → `<name>`. */
export const tableOfStreamArn = (arn: string): string | undefined => /:table\/([^/]+)/.exec(arn)?.[1];

/**
 * The table whose outbox the relay publishes: the one whose stream feeds the relay's mapping (the DynamoDB mapping
 * that dead-letters into the OutboxRelay queue). The same discovery the stream redrive uses, on both targets.
 */
export async function outboxTableName(target: OpsTarget): Promise<string> {
  const relayQueue = (await target.deadLetterQueues()).find((q) => q.hop === DLQ_IDS.outboxRelay);
  const mappings = await target.streamMappings();
  const mapping = relayQueue ? mappings.find((m) => m.onFailureArn === relayQueue.arn) : undefined;
  const table = mapping ? tableOfStreamArn(mapping.eventSourceArn) : undefined;
  if (!table) {
    throw new TargetError(
      `Cannot find the outbox table of ${target.label}: no stream mapping dead-letters into the ${DLQ_IDS.outboxRelay} queue`,
    );
  }
  return table;
}

export interface RepublishReport extends RepublishSummary {
  readonly target: string;
  readonly table: string;
  readonly bus: string;
  readonly selection: { readonly events: readonly string[] } | { readonly from: string; readonly to: string };
}

/** `npm run dlq -- republish` against a target: the relay's table and bus, the relay's publisher. */
export async function republishFromTarget(
  target: OpsTarget,
  selection: Selection,
  options: RepublishOptions & { readonly onStart?: (where: { table: string; bus: string }) => void } = {},
): Promise<RepublishReport> {
  const [table, bus] = await Promise.all([outboxTableName(target), target.eventBusName()]);
  options.onStart?.({ table, bus });
  const summary = await republish(
    {
      source: new DynamoOutboxSource(target.dynamodb, table),
      publisher: new EventBridgePublisher(target.events, bus),
    },
    selection,
    options,
  );
  return {
    target: target.label,
    table,
    bus,
    selection:
      'events' in selection
        ? { events: selection.events }
        : { from: new Date(selection.window.from).toISOString(), to: new Date(selection.window.to).toISOString() },
    ...summary,
  };
}
