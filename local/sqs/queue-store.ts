/**
 * In-memory SQS queues (persisted with `--persist`): enough of SQS for dead-letter queues, destinations,
 * rule targets and queue event sources — visibility timeouts, receive counts, redrive policies, FIFO groups.
 */
import { createHash, randomUUID } from 'node:crypto';
import { lastSegment } from '../arn';
import type { JsonStore } from '../persist/json-store';
import type { QueueDef } from '../template/model';

export interface MessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

export interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly messageAttributes: Record<string, MessageAttributeValue>;
  readonly md5OfMessageAttributes: string | undefined;
  readonly sentAt: number;
  readonly groupId: string | undefined;
  readonly sequenceNumber: string | undefined;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt: number | undefined;
  receiptHandle: string | undefined;
  /** Set when the message was moved here by a redrive policy: the source queue ARN. */
  deadLetterSourceArn?: string;
}

export interface SendOptions {
  readonly body: string;
  readonly messageAttributes?: Record<string, MessageAttributeValue>;
  readonly delaySeconds?: number;
  readonly groupId?: string;
  readonly deduplicationId?: string;
}

export class QueueDoesNotExistError extends Error {
  override name = 'QueueDoesNotExist';
  constructor(queue: string) {
    super(`The specified queue does not exist: ${queue}`);
  }
}

export class LocalQueue {
  messages: StoredMessage[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly dedup = new Map<string, number>();
  private sequence = 0;

  constructor(readonly def: QueueDef) {}

  notify(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Resolves when a message may have become available, or after `ms`. */
  waitForMessage(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  isDuplicate(id: string, now: number): boolean {
    for (const [key, at] of this.dedup) if (now - at > 300_000) this.dedup.delete(key);
    if (this.dedup.has(id)) return true;
    this.dedup.set(id, now);
    return false;
  }

  nextSequence(): string {
    this.sequence += 1;
    return String(this.sequence).padStart(20, '0');
  }
}

export class QueueStore {
  private readonly queues = new Map<string, LocalQueue>();
  private readonly dirty = new Set<LocalQueue>();
  private flushScheduled = false;

  constructor(
    defs: readonly QueueDef[],
    private readonly store: JsonStore,
  ) {
    for (const def of defs) {
      const queue = new LocalQueue(def);
      const saved = store.read<{ messages: StoredMessage[] }>(`queues/${def.name}.json`);
      if (saved) queue.messages = saved.messages;
      this.queues.set(def.name, queue);
    }
  }

  all(): LocalQueue[] {
    return [...this.queues.values()];
  }

  /** By name, URL or ARN. */
  find(nameUrlOrArn: string): LocalQueue | undefined {
    return this.queues.get(nameUrlOrArn) ?? this.queues.get(lastSegment(nameUrlOrArn.replace(/\/+$/, '')));
  }

  get(nameUrlOrArn: string): LocalQueue {
    const queue = this.find(nameUrlOrArn);
    if (!queue) throw new QueueDoesNotExistError(nameUrlOrArn);
    return queue;
  }

  send(queue: LocalQueue, options: SendOptions): StoredMessage {
    const now = Date.now();
    const messageAttributes = options.messageAttributes ?? {};
    const message: StoredMessage = {
      messageId: randomUUID(),
      body: options.body,
      md5OfBody: md5(options.body),
      messageAttributes,
      md5OfMessageAttributes: Object.keys(messageAttributes).length ? md5OfAttributes(messageAttributes) : undefined,
      sentAt: now,
      groupId: options.groupId,
      sequenceNumber: queue.def.fifo ? queue.nextSequence() : undefined,
      visibleAt: now + (options.delaySeconds ?? queue.def.delaySeconds) * 1000,
      receiveCount: 0,
      firstReceivedAt: undefined,
      receiptHandle: undefined,
    };
    if (queue.def.fifo) {
      const dedupId = options.deduplicationId ?? md5(options.body);
      if (queue.isDuplicate(dedupId, now)) return message;
    }
    queue.messages.push(message);
    this.changed(queue);
    queue.notify();
    return message;
  }

  /** Receives up to `max` visible messages, waiting up to `waitMs` for one; applies the redrive policy. */
  async receive(
    queue: LocalQueue,
    max: number,
    visibilityTimeoutSeconds?: number,
    waitMs = 0,
  ): Promise<StoredMessage[]> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const got = this.take(queue, max, visibilityTimeoutSeconds ?? queue.def.visibilityTimeoutSeconds);
      const remaining = deadline - Date.now();
      if (got.length > 0 || remaining <= 0) return got;
      const nextVisible = Math.min(
        ...queue.messages.map((m) => m.visibleAt).filter((t) => t > Date.now()),
        Number.POSITIVE_INFINITY,
      );
      await queue.waitForMessage(Math.max(1, Math.min(remaining, nextVisible - Date.now())));
    }
  }

  private take(queue: LocalQueue, max: number, visibilitySeconds: number): StoredMessage[] {
    const now = Date.now();
    const out: StoredMessage[] = [];
    const busyGroups = new Set(
      queue.messages.filter((m) => m.groupId && m.visibleAt > now && m.receiptHandle).map((m) => m.groupId),
    );
    for (const message of [...queue.messages]) {
      if (out.length >= max) break;
      if (message.visibleAt > now) continue;
      if (queue.def.fifo && message.groupId && busyGroups.has(message.groupId)) continue;
      const redrive = queue.def.redrive;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        const dlq = this.find(redrive.deadLetterTargetArn);
        if (dlq) {
          queue.messages.splice(queue.messages.indexOf(message), 1);
          message.visibleAt = now;
          message.receiptHandle = undefined;
          message.deadLetterSourceArn = queue.def.arn;
          dlq.messages.push(message);
          this.changed(dlq);
          continue;
        }
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + visibilitySeconds * 1000;
      message.receiptHandle = `${message.messageId}#${randomUUID()}`;
      if (message.groupId) busyGroups.add(message.groupId);
      out.push(message);
    }
    if (out.length) this.changed(queue);
    return out;
  }

  delete(queue: LocalQueue, receiptHandle: string): boolean {
    const index = queue.messages.findIndex((m) => m.receiptHandle === receiptHandle);
    if (index < 0) return false;
    queue.messages.splice(index, 1);
    this.changed(queue);
    queue.notify();
    return true;
  }

  changeVisibility(queue: LocalQueue, receiptHandle: string, seconds: number): boolean {
    const message = queue.messages.find((m) => m.receiptHandle === receiptHandle);
    if (!message) return false;
    message.visibleAt = Date.now() + seconds * 1000;
    this.changed(queue);
    if (seconds === 0) queue.notify();
    return true;
  }

  removeById(queue: LocalQueue, messageId: string): boolean {
    const index = queue.messages.findIndex((m) => m.messageId === messageId);
    if (index < 0) return false;
    queue.messages.splice(index, 1);
    this.changed(queue);
    return true;
  }

  purge(queue: LocalQueue): void {
    queue.messages = [];
    this.changed(queue);
  }

  counts(queue: LocalQueue): { visible: number; inFlight: number; delayed: number } {
    const now = Date.now();
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const m of queue.messages) {
      if (m.visibleAt <= now) visible += 1;
      else if (m.receiptHandle) inFlight += 1;
      else delayed += 1;
    }
    return { visible, inFlight, delayed };
  }

  /** Writes pending changes now (at shutdown). */
  flush(): void {
    for (const queue of this.dirty) this.store.write(`queues/${queue.def.name}.json`, { messages: queue.messages });
    this.dirty.clear();
  }

  private changed(queue: LocalQueue): void {
    if (!this.store.enabled) return;
    this.dirty.add(queue);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Coalesce the writes of one turn of the event loop into one file write per queue.
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }
}

export function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** MD5OfMessageAttributes as SQS computes it (names sorted; length-prefixed name, type, transport, value). */
export function md5OfAttributes(attributes: Record<string, MessageAttributeValue>): string {
  const hash = createHash('md5');
  const lengthPrefixed = (value: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(value.length);
    hash.update(length);
    hash.update(value);
  };
  for (const name of Object.keys(attributes).sort()) {
    const attribute = attributes[name];
    if (!attribute) continue;
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(attribute.DataType, 'utf8'));
    if (attribute.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      lengthPrefixed(Buffer.from(attribute.BinaryValue, 'base64'));
    } else {
      hash.update(Buffer.from([1]));
      lengthPrefixed(Buffer.from(attribute.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}
