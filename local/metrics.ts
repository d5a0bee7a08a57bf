import { PartitionCounters, type PartitionsSnapshot } from './dynamodb/partition-metrics';
import type { ConsumedUnits, RequestCensus } from './dynamodb/request-census';
import type { PartitionUse } from './dynamodb/request-items';

/**
 * Counters since start (or the last reset): what a checkout costs in invocations, transitions, events and
 * DynamoDB items. Benchmarks read them through `GET /_local/metrics` or `LocalRuntime.metrics()`.
 */

export interface ColdStartSample {
  readonly at: string;
  /** Worker start to handler module loaded (the Lambda init phase). */
  readonly loadMs: number;
  /** Worker thread created to handler module loaded (thread start + the init phase). */
  readonly startMs?: number;
  /** Duration of the first invocation on that worker. */
  readonly firstInvokeMs: number | undefined;
}

interface FunctionCounters {
  invocations: number;
  errors: number;
  timeouts: number;
  coldStarts: number;
  totalDurationMs: number;
  maxDurationMs: number;
  coldStartSamples: ColdStartSample[];
}

interface StateMachineCounters {
  started: number;
  succeeded: number;
  failed: number;
  aborted: number;
  timedOut: number;
  stateTransitions: number;
}

const MAX_COLD_START_SAMPLES = 50;

export class Metrics {
  private since = Date.now();
  private lambda = new Map<string, FunctionCounters>();
  private stateMachines = new Map<string, StateMachineCounters>();
  private readonly eventCounters = {
    put: 0,
    putFailed: 0,
    matched: 0,
    delivered: 0,
    deliveryFailed: 0,
    deliveryRetries: 0,
    deadLettered: 0,
  };
  private dynamodbRequests = new Map<string, number>();
  private readonly dynamodbItems = {
    readItems: 0,
    writeItems: 0,
    conditionCheckItems: 0,
    readUnits: 0,
    writeUnits: 0,
    indexWriteUnits: 0,
  };
  private dynamodbWritesByKind = new Map<string, { items: number; transactional: number }>();
  private readonly partitions = new PartitionCounters();
  private readonly streamCounters = {
    /** GetRecords calls (the runtime's own polling, not counted as DynamoDB requests of the product). */
    polls: 0,
    batches: 0,
    records: 0,
    filteredOut: 0,
    failedBatches: 0,
    sentToOnFailure: 0,
  };
  private httpStatus = new Map<number, number>();

  fn(name: string): FunctionCounters {
    let counters = this.lambda.get(name);
    if (!counters) {
      counters = {
        invocations: 0,
        errors: 0,
        timeouts: 0,
        coldStarts: 0,
        totalDurationMs: 0,
        maxDurationMs: 0,
        coldStartSamples: [],
      };
      this.lambda.set(name, counters);
    }
    return counters;
  }

  invocation(name: string, durationMs: number, outcome: 'ok' | 'error' | 'timeout'): void {
    const c = this.fn(name);
    c.invocations += 1;
    c.totalDurationMs += durationMs;
    c.maxDurationMs = Math.max(c.maxDurationMs, durationMs);
    if (outcome !== 'ok') c.errors += 1;
    if (outcome === 'timeout') c.timeouts += 1;
  }

  coldStart(name: string, sample: ColdStartSample): void {
    const c = this.fn(name);
    c.coldStarts += 1;
    c.coldStartSamples.push(sample);
    if (c.coldStartSamples.length > MAX_COLD_START_SAMPLES) c.coldStartSamples.shift();
  }

  sm(name: string): StateMachineCounters {
    let counters = this.stateMachines.get(name);
    if (!counters) {
      counters = { started: 0, succeeded: 0, failed: 0, aborted: 0, timedOut: 0, stateTransitions: 0 };
      this.stateMachines.set(name, counters);
    }
    return counters;
  }

  get events(): typeof this.eventCounters {
    return this.eventCounters;
  }

  get streams(): typeof this.streamCounters {
    return this.streamCounters;
  }

  /** One request through the counting proxy (the census is empty when it failed: nothing was read or written). */
  dynamodb(
    operation: string,
    census: RequestCensus,
    readItems: number,
    consumed: { read?: ConsumedUnits; write?: ConsumedUnits } = {},
  ): void {
    this.dynamodbRequests.set(operation, (this.dynamodbRequests.get(operation) ?? 0) + 1);
    this.dynamodbItems.readItems += readItems;
    this.dynamodbItems.readUnits += consumed.read?.units ?? 0;
    this.dynamodbItems.writeUnits += consumed.write?.units ?? 0;
    this.dynamodbItems.indexWriteUnits += consumed.write?.indexUnits ?? 0;
    this.dynamodbItems.writeItems += census.writes.length;
    this.dynamodbItems.conditionCheckItems += census.conditionChecks.length;
    for (const write of census.writes) {
      let counts = this.dynamodbWritesByKind.get(write.kind);
      if (!counts) {
        counts = { items: 0, transactional: 0 };
        this.dynamodbWritesByKind.set(write.kind, counts);
      }
      counts.items += 1;
      if (write.transactional) counts.transactional += 1;
    }
  }

  /** Units used per partition key, and the key that throttled a request (the partition model of fault files). */
  dynamodbPartitions(consumed?: readonly PartitionUse[], throttled?: PartitionUse): void {
    if (consumed?.length || throttled) this.partitions.record(consumed, throttled);
  }

  http(status: number): void {
    this.httpStatus.set(status, (this.httpStatus.get(status) ?? 0) + 1);
  }

  reset(): void {
    this.since = Date.now();
    this.lambda = new Map();
    this.stateMachines = new Map();
    for (const key of Object.keys(this.eventCounters) as (keyof typeof this.eventCounters)[])
      this.eventCounters[key] = 0;
    for (const key of Object.keys(this.streamCounters) as (keyof typeof this.streamCounters)[])
      this.streamCounters[key] = 0;
    this.dynamodbRequests = new Map();
    for (const key of Object.keys(this.dynamodbItems) as (keyof typeof this.dynamodbItems)[])
      this.dynamodbItems[key] = 0;
    this.dynamodbWritesByKind = new Map();
    this.partitions.reset();
    this.httpStatus = new Map();
  }

  snapshot(): MetricsSnapshot {
    const lambda: MetricsSnapshot['lambda'] = {};
    for (const [name, c] of this.lambda) {
      lambda[name] = {
        invocations: c.invocations,
        errors: c.errors,
        timeouts: c.timeouts,
        coldStarts: c.coldStarts,
        avgDurationMs: c.invocations ? Math.round((c.totalDurationMs / c.invocations) * 100) / 100 : 0,
        maxDurationMs: c.maxDurationMs,
        coldStartSamples: [...c.coldStartSamples],
      };
    }
    const totals = { invocations: 0, coldStarts: 0, errors: 0 };
    for (const c of Object.values(lambda)) {
      totals.invocations += c.invocations;
      totals.coldStarts += c.coldStarts;
      totals.errors += c.errors;
    }
    const stepFunctions: MetricsSnapshot['stepFunctions'] = {};
    let transitions = 0;
    for (const [name, c] of this.stateMachines) {
      stepFunctions[name] = { ...c };
      transitions += c.stateTransitions;
    }
    return {
      since: new Date(this.since).toISOString(),
      elapsedMs: Date.now() - this.since,
      lambda,
      lambdaTotals: totals,
      stepFunctions,
      stateTransitions: transitions,
      events: { ...this.eventCounters },
      dynamodb: {
        requests: Object.fromEntries(this.dynamodbRequests),
        totalRequests: [...this.dynamodbRequests.values()].reduce((a, b) => a + b, 0),
        ...this.dynamodbItems,
        writesByKind: Object.fromEntries([...this.dynamodbWritesByKind].map(([kind, c]) => [kind, { ...c }])),
        partitions: this.partitions.snapshot(),
      },
      streams: { ...this.streamCounters },
      http: { byStatus: Object.fromEntries(this.httpStatus) },
    };
  }
}

export interface MetricsSnapshot {
  since: string;
  elapsedMs: number;
  lambda: Record<
    string,
    {
      invocations: number;
      errors: number;
      timeouts: number;
      coldStarts: number;
      avgDurationMs: number;
      maxDurationMs: number;
      coldStartSamples: ColdStartSample[];
    }
  >;
  lambdaTotals: { invocations: number; coldStarts: number; errors: number };
  stepFunctions: Record<string, StateMachineCounters>;
  stateTransitions: number;
  events: Record<string, number>;
  dynamodb: {
    requests: Record<string, number>;
    totalRequests: number;
    readItems: number;
    /** Items put, updated or deleted (a transaction's condition checks are not writes). */
    writeItems: number;
    /** Items a transaction only checked. */
    conditionCheckItems: number;
    /**
     * Request units consumed, as DynamoDB Local reports them (only when the runtime accounts capacity, else 0):
     * reads, writes (table and indexes), and of the writes those of the indexes.
     */
    readUnits: number;
    writeUnits: number;
    indexWriteUnits: number;
    /** Written items by `<partition key prefix>/<sort key prefix>`, and how many of them inside a transaction. */
    writesByKind: Record<string, { items: number; transactional: number }>;
    /**
     * Per partition key value (only with the `partitions` model of a fault file): units used, throttles, the busiest
     * second, for the hottest keys.
     */
    partitions: PartitionsSnapshot;
  };
  streams: Record<string, number>;
  http: { byStatus: Record<string, number> };
}
