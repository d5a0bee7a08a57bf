/**
 * Every event a bus accepted, with each rule target it reached and how the delivery went. Issue 6 draws an
 * order's event timeline from it (`GET /_local/events?subject=<orderId>`). Bounded: the oldest entries go.
 */

export type DeliveryOutcome = 'pending' | 'retrying' | 'delivered' | 'dead-lettered' | 'failed';

export interface DeliveryRecord {
  readonly rule: string;
  readonly ruleArn: string;
  readonly targetId: string;
  readonly targetArn: string;
  outcome: DeliveryOutcome;
  attempts: number;
  lastAttemptAt?: string;
  error?: { code: string; message: string };
}

export interface EventLogEntry {
  readonly id: string;
  readonly bus: string;
  readonly time: string;
  readonly receivedAt: string;
  readonly source: string;
  readonly detailType: string;
  readonly subject: string | undefined;
  readonly detail: unknown;
  readonly resources: readonly string[];
  readonly deliveries: DeliveryRecord[];
}

export interface EventQuery {
  readonly subject?: string;
  readonly type?: string;
  readonly source?: string;
  readonly bus?: string;
  readonly limit?: number;
}

export class EventLog {
  private entries: EventLogEntry[] = [];
  private readonly byId = new Map<string, EventLogEntry>();

  /** `onAdd` observes each new entry (the inspector's change feed). */
  constructor(
    private readonly capacity: number,
    private readonly onAdd?: (entry: EventLogEntry) => void,
  ) {}

  add(entry: EventLogEntry): void {
    this.entries.push(entry);
    this.byId.set(entry.id, entry);
    this.onAdd?.(entry);
    if (this.entries.length > this.capacity) {
      const dropped = this.entries.splice(0, this.entries.length - this.capacity);
      for (const old of dropped) this.byId.delete(old.id);
    }
  }

  get(id: string): EventLogEntry | undefined {
    return this.byId.get(id);
  }

  /** Oldest first, so a timeline reads top-down. */
  query(q: EventQuery = {}): EventLogEntry[] {
    const out = this.entries.filter(
      (e) =>
        (q.subject === undefined || e.subject === q.subject) &&
        (q.type === undefined || e.detailType === q.type) &&
        (q.source === undefined || e.source === q.source) &&
        (q.bus === undefined || e.bus === q.bus),
    );
    return q.limit !== undefined ? out.slice(-q.limit) : out;
  }

  get size(): number {
    return this.entries.length;
  }

  clear(): void {
    this.entries = [];
    this.byId.clear();
  }
}

/** `detail.subject` when it is a string (the product's events name their aggregate there). */
export function subjectOf(detail: unknown): string | undefined {
  if (detail && typeof detail === 'object' && !Array.isArray(detail)) {
    const subject = (detail as Record<string, unknown>).subject;
    if (typeof subject === 'string' || typeof subject === 'number') return String(subject);
  }
  return undefined;
}
