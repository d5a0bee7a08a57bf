/**
 * The local EventBridge: the default bus and every custom bus, `PutEvents` with per-entry validation and
 * results, rules with the documented pattern syntax, schedules, and target delivery with the rule target's
 * RetryPolicy and DeadLetterConfig. Delivery failures (target unavailable, throttled, missing) are retried
 * and dead-lettered here; function errors belong to the Lambda asynchronous invocation config.
 */
import { randomUUID } from 'node:crypto';
import { lastSegment } from '../arn';
import type { FaultInjector } from '../faults';
import { type LogSink, runtimeLine } from '../logs';
import type { Metrics } from '../metrics';
import type { Journal } from '../persist/journal';
import type { BusDef, RuleDef, TargetDef } from '../template/model';
import { StoppableTimers } from '../timers';
import { type DeliveryRecord, type EventLog, type EventLogEntry, subjectOf } from './event-log';
import { compileEventPattern } from './pattern';
import { parseSchedule, type Schedule } from './schedule';
import { targetPayload } from './target-input';

/** The event as EventBridge delivers it. */
export interface AwsEvent extends Record<string, unknown> {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: string[];
  readonly detail: unknown;
}

export interface PutEventsRequestEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly EventBusName?: string;
  readonly Resources?: string[];
  readonly Time?: number | string;
  readonly TraceHeader?: string;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export class EventsValidationError extends Error {
  override name = 'ValidationException';
}

/** A failed delivery; `retryable` false skips the retries (the target does not exist, for example). */
export class DeliveryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = code;
  }
}

/** Delivers one event to one target (the runtime wires Lambda, SQS, Step Functions and buses). */
export type TargetDispatcher = (target: TargetDef, rule: RuleDef, event: AwsEvent, payload: string) => Promise<void>;

export interface PendingDelivery {
  readonly event: AwsEvent;
  readonly bus: string;
  readonly ruleArn: string;
  readonly targetId: string;
  readonly firstAttemptAt: number;
}

export interface EventBridgeOptions {
  readonly account: string;
  readonly region: string;
  readonly buses: readonly BusDef[];
  readonly rules: readonly RuleDef[];
  readonly log: LogSink;
  readonly metrics: Metrics;
  readonly faults: FaultInjector;
  readonly eventLog: EventLog;
  readonly journal: Journal<PendingDelivery>;
  readonly dispatch: TargetDispatcher;
  /** Sends a dead letter to a queue (by ARN) with message attributes. */
  readonly deadLetter: (arn: string, body: string, attributes: Record<string, string>) => Promise<void>;
  /** First delivery retry wait; doubles per attempt (with jitter) up to `retryMaxMs`. */
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
}

interface CompiledRule {
  readonly def: RuleDef;
  readonly matches: (event: unknown) => boolean;
  readonly schedule: Schedule | undefined;
}

const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;

export class EventBridgeEngine {
  private readonly buses = new Map<string, BusDef>();
  private readonly rulesByBus = new Map<string, CompiledRule[]>();
  private readonly rulesByArn = new Map<string, CompiledRule>();
  private readonly timers = new StoppableTimers();
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(private readonly options: EventBridgeOptions) {
    for (const bus of options.buses) this.buses.set(bus.name, bus);
    for (const def of options.rules) {
      const compiled: CompiledRule = {
        def,
        matches: def.pattern ? compileEventPattern(def.pattern) : () => false,
        schedule: def.schedule ? parseSchedule(def.schedule) : undefined,
      };
      if (!this.buses.has(def.busName)) {
        options.log(
          runtimeLine('WARN', `rule ${def.name} is on bus ${def.busName}, which the template does not define`),
        );
      }
      const list = this.rulesByBus.get(def.busName) ?? [];
      list.push(compiled);
      this.rulesByBus.set(def.busName, list);
      this.rulesByArn.set(def.arn, compiled);
    }
  }

  get busNames(): string[] {
    return [...this.buses.keys()];
  }

  get rules(): RuleDef[] {
    return [...this.rulesByArn.values()].map((r) => r.def);
  }

  /** PutEvents: validates each entry as AWS does, answers per entry, routes the accepted ones. */
  async putEvents(
    entries: readonly PutEventsRequestEntry[],
  ): Promise<{ FailedEntryCount: number; Entries: PutEventsResultEntry[] }> {
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES) {
      throw new EventsValidationError(
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
      );
    }
    const size = entries.reduce((total, e) => total + entrySize(e), 0);
    if (size > MAX_REQUEST_BYTES) {
      throw new EventsValidationError('Total size of the entries in the request is over the limit.');
    }
    const results: PutEventsResultEntry[] = [];
    for (const [index, entry] of entries.entries()) {
      results.push(await this.acceptEntry(entry, index));
    }
    const failed = results.filter((r) => 'ErrorCode' in r).length;
    this.options.metrics.events.put += results.length - failed;
    this.options.metrics.events.putFailed += failed;
    return { FailedEntryCount: failed, Entries: results };
  }

  private async acceptEntry(entry: PutEventsRequestEntry, index: number): Promise<PutEventsResultEntry> {
    const invalid = (name: string) => ({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Parameter ${name} is not valid. Reason: ${name} is a required argument.`,
    });
    if (!entry.Source) return invalid('Source');
    if (!entry.DetailType) return invalid('DetailType');
    if (entry.Detail === undefined || entry.Detail === '') return invalid('Detail');
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (entry.Source.startsWith('aws.')) {
      return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
    }
    const busName = entry.EventBusName ? lastSegment(entry.EventBusName) : 'default';
    if (!this.buses.has(busName)) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: `Event bus ${busName} does not exist.` };
    }
    const fault = await this.options.faults.putEventsEntry?.({
      index,
      busName,
      source: entry.Source,
      detailType: entry.DetailType,
      detail,
    });
    if (fault) return { ErrorCode: fault.errorCode, ErrorMessage: fault.errorMessage ?? 'An internal error occurred.' };
    const event = this.publish(busName, {
      source: entry.Source,
      detailType: entry.DetailType,
      detail,
      resources: entry.Resources ?? [],
      time:
        entry.Time === undefined
          ? undefined
          : new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : entry.Time),
    });
    return { EventId: event.id };
  }

  /** Puts an event on a bus from inside the runtime (Step Functions status changes, cross-bus targets). */
  publish(
    busName: string,
    e: { source: string; detailType: string; detail: unknown; resources?: string[]; time?: Date; id?: string },
  ): AwsEvent {
    const event: AwsEvent = {
      version: '0',
      id: e.id ?? randomUUID(),
      'detail-type': e.detailType,
      source: e.source,
      account: this.options.account,
      time: (e.time && !Number.isNaN(e.time.getTime()) ? e.time : new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.options.region,
      resources: e.resources ?? [],
      detail: e.detail,
    };
    const matched = (this.rulesByBus.get(busName) ?? []).filter((r) => r.def.enabled && r.matches(event));
    this.route(busName, event, matched);
    return event;
  }

  /** Runs a scheduled rule now (`POST /_local/schedules/{rule}`), as its schedule would. */
  triggerSchedule(ruleName: string): AwsEvent | undefined {
    const rule = [...this.rulesByArn.values()].find((r) => r.def.name === ruleName && r.def.schedule);
    if (!rule) return undefined;
    return this.fireSchedule(rule);
  }

  private fireSchedule(rule: CompiledRule): AwsEvent {
    const event: AwsEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: this.options.account,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.options.region,
      resources: [rule.def.arn],
      detail: {},
    };
    this.route(rule.def.busName, event, [rule]);
    return event;
  }

  /** The event's entry in the event log (created on first sight, e.g. after a restart). */
  private logEntry(busName: string, event: AwsEvent): EventLogEntry {
    const existing = this.options.eventLog.get(event.id);
    if (existing) return existing;
    const entry: EventLogEntry = {
      id: event.id,
      bus: busName,
      time: event.time,
      receivedAt: new Date().toISOString(),
      source: event.source,
      detailType: event['detail-type'],
      subject: subjectOf(event.detail),
      detail: event.detail,
      resources: event.resources,
      deliveries: [],
    };
    this.options.eventLog.add(entry);
    return entry;
  }

  private deliveryRecord(rule: RuleDef, target: TargetDef): DeliveryRecord {
    return {
      rule: rule.name,
      ruleArn: rule.arn,
      targetId: target.id,
      targetArn: target.arn,
      outcome: 'pending',
      attempts: 0,
    };
  }

  private route(busName: string, event: AwsEvent, matched: CompiledRule[]): void {
    const { deliveries } = this.logEntry(busName, event);
    if (matched.length) this.options.metrics.events.matched += 1;
    for (const rule of matched) {
      for (const target of rule.def.targets) {
        const record = this.deliveryRecord(rule.def, target);
        deliveries.push(record);
        const pending: PendingDelivery = {
          event,
          bus: busName,
          ruleArn: rule.def.arn,
          targetId: target.id,
          firstAttemptAt: Date.now(),
        };
        const journalId = `${event.id}/${rule.def.arn}/${target.id}`;
        this.options.journal.add(journalId, pending);
        this.track(
          this.deliver(rule.def, target, event, record, pending.firstAttemptAt).then(
            (finished) => finished && this.options.journal.done(journalId),
          ),
        );
      }
    }
  }

  /** Re-runs the deliveries that were pending when the runtime last stopped (`--persist`). */
  resumePending(): number {
    const pending = this.options.journal.pending();
    for (const [journalId, item] of pending) {
      const rule = this.rulesByArn.get(item.ruleArn);
      const target = rule?.def.targets.find((t) => t.id === item.targetId);
      if (!rule || !target) {
        this.options.journal.done(journalId);
        continue;
      }
      const record = this.deliveryRecord(rule.def, target);
      this.logEntry(item.bus, item.event).deliveries.push(record);
      this.track(
        this.deliver(rule.def, target, item.event, record, item.firstAttemptAt).then(
          (finished) => finished && this.options.journal.done(journalId),
        ),
      );
    }
    return pending.length;
  }

  /** Delivers a dead-lettered event to its rule target once more (DLQ redrive); throws when it fails. */
  async redeliver(ruleArn: string, targetArn: string, event: AwsEvent): Promise<void> {
    const rule = this.rulesByArn.get(ruleArn);
    const target = rule?.def.targets.find((t) => t.arn === targetArn);
    if (!rule || !target)
      throw new DeliveryError('ResourceNotFoundException', `No target ${targetArn} on rule ${ruleArn}`, false);
    await this.options.dispatch(target, rule.def, event, targetPayload(event, target, rule.def));
    this.options.eventLog.get(event.id)?.deliveries.push({
      ...this.deliveryRecord(rule.def, target),
      outcome: 'delivered',
      attempts: 1,
      lastAttemptAt: new Date().toISOString(),
    });
  }

  startSchedules(): void {
    for (const rule of this.rulesByArn.values()) {
      if (rule.schedule && rule.def.enabled) this.scheduleNext(rule, new Date());
    }
  }

  private scheduleNext(rule: CompiledRule, after: Date): void {
    const next = rule.schedule?.next(after);
    if (!next || this.stopped) return;
    // setTimeout holds at most ~24.8 days; wake up earlier and re-plan for schedules further away.
    const wait = Math.min(next.getTime() - Date.now(), 2 ** 31 - 1);
    this.timers.later(Math.max(0, wait), () => {
      if (this.stopped) return;
      if (Date.now() >= next.getTime()) {
        this.fireSchedule(rule);
        this.scheduleNext(rule, next);
      } else this.scheduleNext(rule, after);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.stopAll();
    await Promise.allSettled([...this.inFlight]);
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Delivers with retries; resolves true when the delivery reached an end (delivered, dead-lettered, failed), false when stopped. */
  private async deliver(
    rule: RuleDef,
    target: TargetDef,
    event: AwsEvent,
    record: DeliveryRecord,
    firstAttemptAt: number,
  ): Promise<boolean> {
    const metrics = this.options.metrics.events;
    let payload: string;
    try {
      payload = targetPayload(event, target, rule);
    } catch (error) {
      record.outcome = 'failed';
      record.error = { code: 'InvalidInput', message: String(error) };
      return true;
    }
    for (let attempt = 1; !this.stopped; attempt++) {
      record.attempts = attempt;
      record.lastAttemptAt = new Date().toISOString();
      const fault = await this.options.faults.eventDelivery?.({
        eventId: event.id,
        busName: rule.busName,
        ruleName: rule.name,
        targetId: target.id,
        targetArn: target.arn,
        attempt,
        event,
      });
      if (fault?.delayMs) await this.timers.sleep(fault.delayMs);
      if (this.stopped) return false;
      try {
        if (fault?.unavailable)
          throw new DeliveryError('ThrottlingException', 'The target is unavailable (injected fault)', true);
        await this.options.dispatch(target, rule, event, payload);
        for (let copy = 0; copy < (fault?.duplicates ?? 0); copy++) {
          await this.options.dispatch(target, rule, event, payload).catch(() => undefined);
        }
        record.outcome = 'delivered';
        record.error = undefined;
        metrics.delivered += 1;
        return true;
      } catch (error) {
        const failure =
          error instanceof DeliveryError ? error : new DeliveryError('InternalFailure', String(error), true);
        record.error = { code: failure.code, message: failure.message };
        metrics.deliveryFailed += 1;
        const backoff = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** (attempt - 1));
        const wait = backoff / 2 + Math.random() * (backoff / 2);
        const tooOld = Date.now() + wait - firstAttemptAt > target.maximumEventAgeSeconds * 1000;
        if (failure.retryable && attempt <= target.maximumRetryAttempts && !tooOld) {
          record.outcome = 'retrying';
          metrics.deliveryRetries += 1;
          await this.timers.sleep(wait);
          continue;
        }
        await this.giveUp(
          rule,
          target,
          event,
          record,
          failure,
          tooOld ? 'MaximumEventAgeExhausted' : 'MaximumRetryAttemptsExhausted',
        );
        return true;
      }
    }
    return false;
  }

  private async giveUp(
    rule: RuleDef,
    target: TargetDef,
    event: AwsEvent,
    record: DeliveryRecord,
    failure: DeliveryError,
    condition: string,
  ): Promise<void> {
    if (!target.deadLetterArn) {
      record.outcome = 'failed';
      this.options.log(
        runtimeLine(
          'WARN',
          `event ${event.id} could not be delivered to ${target.arn} (rule ${rule.name}) and has no DLQ`,
          {
            error: record.error,
          },
        ),
      );
      return;
    }
    try {
      // The message attributes AWS puts on an EventBridge dead letter.
      await this.options.deadLetter(target.deadLetterArn, JSON.stringify(event), {
        RULE_ARN: rule.arn,
        TARGET_ARN: target.arn,
        ERROR_CODE: failure.code,
        ERROR_MESSAGE: failure.message.slice(0, 1024),
        EXHAUSTED_RETRY_CONDITION: condition,
        RETRY_ATTEMPTS: String(Math.max(0, record.attempts - 1)),
      });
      record.outcome = 'dead-lettered';
      this.options.metrics.events.deadLettered += 1;
    } catch (error) {
      record.outcome = 'failed';
      this.options.log(
        runtimeLine('ERROR', `could not dead-letter event ${event.id} to ${target.deadLetterArn}: ${String(error)}`),
      );
    }
  }
}

/** The size AWS counts for a PutEvents entry (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html). */
function entrySize(entry: PutEventsRequestEntry): number {
  let size = entry.Time !== undefined ? 14 : 0;
  for (const part of [entry.Source, entry.DetailType, entry.Detail]) if (part) size += Buffer.byteLength(part, 'utf8');
  for (const resource of entry.Resources ?? []) size += Buffer.byteLength(resource, 'utf8');
  return size;
}
