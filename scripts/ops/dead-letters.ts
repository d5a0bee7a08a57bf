/**
 * The dead-letter operations behind `npm run dlq`: list every queue with a line per message, inspect messages in
 * full, redrive them. Structured results only; scripts/ops/format.ts turns them into text.
 */
import {
  attemptsOf,
  classify,
  type DeadLetter,
  type DeadLetterKind,
  type DeadLetterRecord,
  errorOf,
  originOf,
  subjectOf,
} from './dead-letter';
import { type HeldMessage, queueDepth, receiveAll, release, releaseAll, remove } from './queue-reader';
import { type Executed, executePlan, mappingFor, type StreamFallback } from './redrive-executor';
import { describePlan, planRedrive, type RedriveOptions } from './redrive-plan';
import { filterRecords, readBatchRecords, toLambdaRecord } from './stream-replay';
import { findQueue, type OpsTarget, type QueueRef } from './target';

/** Listing hides messages only for this long, and releases them as soon as it has read them. */
const PEEK_VISIBILITY_SECONDS = 30;
/** A redrive keeps its messages hidden this long: longer than any single redrive takes. */
const REDRIVE_VISIBILITY_SECONDS = 300;
export const DEFAULT_MAX_MESSAGES = 1000;

export interface MessageSummary {
  readonly messageId: string;
  readonly kind: DeadLetterKind;
  readonly sentAt: string | null;
  readonly ageSeconds: number | null;
  readonly origin: string;
  readonly subject: string | null;
  readonly error: string;
  readonly attempts: number | null;
}

export interface QueueListing {
  readonly hop: string;
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly usedBy: readonly string[];
  readonly depth: number;
  /** Messages hidden right now (being redriven by someone else, or read by a tool within the last seconds). */
  readonly inFlight: number;
  readonly messages: MessageSummary[];
}

export interface InspectedMessage extends MessageSummary {
  readonly attributes: Readonly<Record<string, string>>;
  readonly record: DeadLetterRecord;
  /** What a redrive would do. */
  readonly redrive: string;
  /** Stream batches only: the records of the range that the mapping's filter keeps, read from the stream now. */
  readonly streamRecords?: unknown[];
  readonly streamRecordsError?: string;
}

export type RedriveOutcome = 'redriven' | 'failed' | 'skipped' | 'planned';

export interface RedriveResult {
  readonly messageId: string;
  readonly kind: DeadLetterKind;
  readonly action: string;
  readonly outcome: RedriveOutcome;
  readonly detail: string;
  /**
   * A stream batch whose records the stream no longer had: its outbox items were republished instead (the outcome
   * says whether that worked).
   */
  readonly fallback?: StreamFallback;
}

export interface RedriveReport {
  readonly queue: QueueRef;
  readonly dryRun: boolean;
  readonly results: RedriveResult[];
  /** `--id`s that were not in the queue. */
  readonly missing: string[];
}

export function summarize(message: DeadLetter, now = Date.now()): MessageSummary {
  return {
    messageId: message.messageId,
    kind: message.record.kind,
    sentAt: message.sentAt === undefined ? null : new Date(message.sentAt).toISOString(),
    ageSeconds: message.sentAt === undefined ? null : Math.max(0, Math.round((now - message.sentAt) / 1000)),
    origin: originOf(message.record),
    subject: subjectOf(message.record) ?? null,
    // One line: relay errors quote zod's multi-line issue list.
    error: errorOf(message.record).replace(/\s+/g, ' ').trim(),
    attempts: attemptsOf(message.record) ?? null,
  };
}

async function peek(target: OpsTarget, queue: QueueRef, max: number): Promise<DeadLetter[]> {
  const held = await receiveAll(target.sqs, queue.url, { visibilitySeconds: PEEK_VISIBILITY_SECONDS, max });
  await releaseAll(target.sqs, queue.url, held);
  return held.map(classify);
}

export async function listDeadLetters(target: OpsTarget, max = DEFAULT_MAX_MESSAGES): Promise<QueueListing[]> {
  const queues = await target.deadLetterQueues();
  return Promise.all(
    queues.map(async (queue) => {
      const messages = await peek(target, queue, max);
      const depth = await queueDepth(target.sqs, queue.url);
      return {
        hop: queue.hop,
        name: queue.name,
        url: queue.url,
        arn: queue.arn,
        usedBy: queue.usedBy,
        depth: depth.visible + depth.inFlight,
        inFlight: depth.inFlight,
        messages: messages.map((m) => summarize(m)),
      };
    }),
  );
}

async function streamRecordsOf(
  target: OpsTarget,
  record: Extract<DeadLetterRecord, { kind: 'stream-batch' }>,
): Promise<unknown[]> {
  const mapping = mappingFor(await target.streamMappings(), record.functionName, record.batch.streamArn);
  const raw = await readBatchRecords(target.streams, record.batch);
  const lambda = raw.map((r) => toLambdaRecord(r, mapping?.eventSourceArn ?? record.batch.streamArn));
  const kept = mapping ? filterRecords(lambda, mapping.filters) : lambda;
  // The outbox payload is the event: show it parsed, it is what an operator wants to read.
  return kept.map((r) => {
    const payload = r.dynamodb.NewImage?.payload?.S;
    let event: unknown;
    if (typeof payload === 'string') {
      try {
        event = JSON.parse(payload);
      } catch {
        event = payload;
      }
    }
    return { sequenceNumber: r.dynamodb.SequenceNumber, eventName: r.eventName, keys: r.dynamodb.Keys, event };
  });
}

export async function inspectDeadLetters(
  target: OpsTarget,
  queueName: string,
  options: { ids?: readonly string[]; max?: number; force?: boolean } = {},
): Promise<{ queue: QueueRef; messages: InspectedMessage[]; missing: string[] }> {
  const queue = findQueue(await target.deadLetterQueues(), queueName);
  const all = await peek(target, queue, options.max ?? DEFAULT_MAX_MESSAGES);
  const ids = options.ids ?? [];
  const chosen = ids.length ? all.filter((m) => ids.includes(m.messageId)) : all;
  const messages = await Promise.all(
    chosen.map(async (m): Promise<InspectedMessage> => {
      const base = {
        ...summarize(m),
        attributes: m.attributes,
        record: m.record,
        redrive: describePlan(planRedrive(m, { force: options.force })),
      };
      if (m.record.kind !== 'stream-batch') return base;
      try {
        return { ...base, streamRecords: await streamRecordsOf(target, m.record) };
      } catch (error) {
        return { ...base, streamRecordsError: (error as Error).message };
      }
    }),
  );
  return { queue, messages, missing: ids.filter((id) => !all.some((m) => m.messageId === id)) };
}

export async function redriveDeadLetters(
  target: OpsTarget,
  queueName: string,
  options: RedriveOptions & { ids?: readonly string[]; dryRun?: boolean; max?: number } = {},
): Promise<RedriveReport> {
  const queue = findQueue(await target.deadLetterQueues(), queueName);
  const max = options.max ?? DEFAULT_MAX_MESSAGES;
  const dryRun = options.dryRun ?? false;
  const held: HeldMessage[] = await receiveAll(target.sqs, queue.url, {
    visibilitySeconds: dryRun ? PEEK_VISIBILITY_SECONDS : REDRIVE_VISIBILITY_SECONDS,
    max,
  });
  const ids = options.ids ?? [];
  const chosen = ids.length ? held.filter((m) => ids.includes(m.messageId)) : held;
  // Messages not asked for go back at once.
  await releaseAll(
    target.sqs,
    queue.url,
    held.filter((m) => !chosen.includes(m)),
  );
  const results: RedriveResult[] = [];
  // One at a time, in queue order: a redrive can be heavy (a stream replay) and the output reads in order.
  for (const message of chosen) {
    const dead = classify(message);
    const plan = planRedrive(dead, options);
    // A skip's reason is its detail; saying it twice reads badly.
    const action = plan.action === 'skip' ? 'not redriven' : describePlan(plan);
    const result = (outcome: RedriveOutcome, detail: string, fallback?: StreamFallback) =>
      results.push({
        messageId: message.messageId,
        kind: dead.record.kind,
        action: fallback ? `republish the outbox events of ${fallback.from}..${fallback.to} (fallback)` : action,
        outcome,
        detail,
        ...(fallback ? { fallback } : {}),
      });
    if (dryRun || plan.action === 'skip') {
      await release(target.sqs, queue.url, message);
      if (plan.action === 'skip') result('skipped', plan.reason);
      else result('planned', 'dry run: nothing sent, message kept');
      continue;
    }
    let done: Executed;
    try {
      done = await executePlan(target, plan, queue);
    } catch (error) {
      await release(target.sqs, queue.url, message);
      result('failed', `${(error as Error).message} (message kept)`);
      continue;
    }
    try {
      await remove(target.sqs, queue.url, message);
      result('redriven', done.detail, done.fallback);
    } catch (error) {
      // Redriven, but still in the queue: say so, a second redrive would deliver it again (consumers dedupe).
      result(
        'failed',
        `${done.detail}; but the message could not be deleted: ${(error as Error).message}`,
        done.fallback,
      );
    }
  }
  return { queue, dryRun, results, missing: ids.filter((id) => !held.some((m) => m.messageId === id)) };
}
