/**
 * What changed in the runtime, for `GET /_local/stream` (server-sent events) and the inspector page: executions
 * (status changes and state transitions), events (logged, or a delivery attempt ended) and queues that received a
 * dead letter or failure record. Changes are coalesced per subject and flushed at most every `flushMs`, so a busy
 * runtime sends a few small batches per second; with no subscriber, `publish` does nothing.
 */
import type { EventLogEntry } from '../eventbridge/event-log';
import type { Execution } from '../stepfunctions/engine';

export type Change =
  | {
      readonly kind: 'execution';
      readonly name: string;
      readonly stateMachine: string;
      readonly status: string;
    }
  | {
      readonly kind: 'event';
      readonly id: string;
      readonly type: string;
      readonly subject: string | null;
      readonly resources: readonly string[];
    }
  | { readonly kind: 'queue'; readonly arn: string };

export const executionChange = (e: Execution): Change => ({
  kind: 'execution',
  name: e.name,
  stateMachine: e.stateMachineName,
  status: e.status,
});

export const eventChange = (e: EventLogEntry): Change => ({
  kind: 'event',
  id: e.id,
  type: e.detailType,
  subject: e.subject ?? null,
  resources: e.resources,
});

export type ChangeListener = (changes: readonly Change[]) => void;

const keyOf = (change: Change): string =>
  change.kind === 'execution'
    ? `execution:${change.stateMachine}:${change.name}`
    : change.kind === 'event'
      ? `event:${change.id}`
      : `queue:${change.arn}`;

export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private pending = new Map<string, Change>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly flushMs = 100) {}

  get subscribers(): number {
    return this.listeners.size;
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  publish(change: Change): void {
    if (this.listeners.size === 0) return;
    this.pending.set(keyOf(change), change);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
    this.listeners.clear();
  }

  private flush(): void {
    this.timer = undefined;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    if (batch.length === 0) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(batch);
      } catch {
        // A listener that fails (a closed connection) must not stop the others.
      }
    }
  }
}
