/**
 * Counters per partition key value, fed by the partition model through the counting proxy: units used and
 * throttles per key, and the busiest second of each key. The metrics snapshot shows the hottest keys, so that a
 * benchmark can read, e.g., the write units per order on the hottest partition key.
 */
import type { PartitionUse } from './request-items';

export interface PartitionKeySnapshot {
  readonly table: string;
  /** A global secondary index; absent for the table's own partition key. */
  readonly index?: string;
  /** The partition key value. */
  readonly key: string;
  readonly writeUnits: number;
  readonly readUnits: number;
  readonly writeThrottles: number;
  readonly readThrottles: number;
  /** The most units used in one wall-clock second. */
  readonly peakWriteUnitsPerSecond: number;
  readonly peakReadUnitsPerSecond: number;
}

export interface PartitionsSnapshot {
  /** Partition key values seen. */
  readonly keys: number;
  readonly writeUnits: number;
  readonly readUnits: number;
  /** Requests refused by the partition model, by what they needed. */
  readonly writeThrottles: number;
  readonly readThrottles: number;
  /** The keys with the most write units, most first. */
  readonly hottestWrites: PartitionKeySnapshot[];
  readonly hottestReads: PartitionKeySnapshot[];
  /** The keys with the most throttles, most first (only keys that were throttled). */
  readonly mostThrottled: PartitionKeySnapshot[];
}

interface KeyCounters {
  table: string;
  index: string | undefined;
  key: string;
  writeUnits: number;
  readUnits: number;
  writeThrottles: number;
  readThrottles: number;
  peakWriteUnitsPerSecond: number;
  peakReadUnitsPerSecond: number;
  second: number;
  secondWrite: number;
  secondRead: number;
}

const TOP = 10;
const round = (n: number) => Math.round(n * 100) / 100;

export class PartitionCounters {
  private keys = new Map<string, KeyCounters>();

  constructor(private readonly now: () => number = Date.now) {}

  private counters(use: PartitionUse): KeyCounters {
    const id = `${use.table}\u0000${use.index ?? ''}\u0000${use.value}`;
    let c = this.keys.get(id);
    if (!c) {
      c = {
        table: use.table,
        index: use.index,
        key: use.value,
        writeUnits: 0,
        readUnits: 0,
        writeThrottles: 0,
        readThrottles: 0,
        peakWriteUnitsPerSecond: 0,
        peakReadUnitsPerSecond: 0,
        second: 0,
        secondWrite: 0,
        secondRead: 0,
      };
      this.keys.set(id, c);
    }
    return c;
  }

  record(consumed: readonly PartitionUse[] | undefined, throttled: PartitionUse | undefined): void {
    if (throttled) {
      const c = this.counters(throttled);
      if (throttled.kind === 'write') c.writeThrottles += 1;
      else c.readThrottles += 1;
    }
    if (!consumed?.length) return;
    const second = Math.floor(this.now() / 1000);
    for (const use of consumed) {
      const c = this.counters(use);
      if (c.second !== second) {
        c.second = second;
        c.secondWrite = 0;
        c.secondRead = 0;
      }
      if (use.kind === 'write') {
        c.writeUnits += use.units;
        c.secondWrite += use.units;
        c.peakWriteUnitsPerSecond = Math.max(c.peakWriteUnitsPerSecond, c.secondWrite);
      } else {
        c.readUnits += use.units;
        c.secondRead += use.units;
        c.peakReadUnitsPerSecond = Math.max(c.peakReadUnitsPerSecond, c.secondRead);
      }
    }
  }

  reset(): void {
    this.keys = new Map();
  }

  snapshot(): PartitionsSnapshot {
    const all = [...this.keys.values()];
    const view = (c: KeyCounters): PartitionKeySnapshot => ({
      table: c.table,
      ...(c.index ? { index: c.index } : {}),
      key: c.key,
      writeUnits: round(c.writeUnits),
      readUnits: round(c.readUnits),
      writeThrottles: c.writeThrottles,
      readThrottles: c.readThrottles,
      peakWriteUnitsPerSecond: round(c.peakWriteUnitsPerSecond),
      peakReadUnitsPerSecond: round(c.peakReadUnitsPerSecond),
    });
    const top = (score: (c: KeyCounters) => number) =>
      all
        .filter((c) => score(c) > 0)
        .sort((a, b) => score(b) - score(a))
        .slice(0, TOP)
        .map(view);
    const sum = (f: (c: KeyCounters) => number) => round(all.reduce((n, c) => n + f(c), 0));
    return {
      keys: all.length,
      writeUnits: sum((c) => c.writeUnits),
      readUnits: sum((c) => c.readUnits),
      writeThrottles: sum((c) => c.writeThrottles),
      readThrottles: sum((c) => c.readThrottles),
      hottestWrites: top((c) => c.writeUnits),
      hottestReads: top((c) => c.readUnits),
      mostThrottled: top((c) => c.writeThrottles + c.readThrottles),
    };
  }
}
