/**
 * An event source mapping on a DynamoDB stream: polls the real Streams API of DynamoDB Local (shard
 * lineage included), filters, batches and invokes the function synchronously, and handles failures as
 * Lambda does — partial batch responses, bisection, retries, record age, on-failure destination — with a
 * checkpoint per shard after each batch (kept on disk with `--persist`).
 */
import { randomUUID } from 'node:crypto';
import { compileEventPattern } from '../eventbridge/pattern';
import type { FaultInjector } from '../faults';
import type { InvocationResult, InvokeOptions } from '../lambda/host';
import { type LogSink, runtimeLine } from '../logs';
import type { Metrics } from '../metrics';
import { type JsonStore, safeFileName } from '../persist/json-store';
import type { EventSourceMappingDef } from '../template/model';
import { DynamoCallError, type DynamoRawClient } from './raw-client';
import { type LambdaStreamRecord, laneOf, type RawStreamRecord, toLambdaRecord } from './stream-records';

export interface StreamMappingDeps {
  readonly def: EventSourceMappingDef;
  readonly client: DynamoRawClient;
  /** DynamoDB Local's own ARN for the stream (used for API calls). */
  readonly localStreamArn: string;
  /** The ARN in AWS form (in events and on-failure records). */
  readonly streamArn: string;
  readonly region: string;
  readonly functionArn: string;
  readonly invoke: (functionName: string, eventJson: string, options: InvokeOptions) => Promise<InvocationResult>;
  readonly faults: FaultInjector;
  readonly metrics: Metrics;
  readonly log: LogSink;
  readonly sendToDestination: (arn: string, body: string) => Promise<void>;
  readonly store: JsonStore;
  /** Wait before retrying a failed batch (multiplied by the attempt, up to 5x). */
  readonly retryDelayMs: number;
}

interface Tracked {
  readonly seq: bigint;
  readonly seqText: string;
  readonly record: LambdaStreamRecord;
  readonly firstSeenAt: number;
  done: boolean;
}

interface CheckpointState {
  createdAt: number;
  shards: Record<string, { seq?: string; finished?: boolean }>;
}

interface ShardDescription {
  ShardId: string;
  ParentShardId?: string;
  SequenceNumberRange?: { StartingSequenceNumber?: string; EndingSequenceNumber?: string };
}

type BatchOutcome =
  | { kind: 'success' }
  | { kind: 'partial'; failedIndex: number; result: InvocationResult }
  | { kind: 'error'; result: InvocationResult };

/** Resolves waiters when something changed (records arrived, a batch finished, stop). */
class Signal {
  private waiters: (() => void)[] = [];
  wait(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      this.waiters.push(done);
      if (ms !== undefined) timer = setTimeout(done, Math.max(0, ms));
    });
  }
  fire(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

export class StreamMapping {
  private stopped = false;
  private readonly workers = new Map<string, Promise<void>>();
  private readonly state: CheckpointState;
  private readonly isNew: boolean;
  private readonly matchers: ((record: unknown) => boolean)[];
  private readonly wake = new Signal();
  private loop: Promise<void> | undefined;
  private firstDiscovery = true;

  constructor(private readonly deps: StreamMappingDeps) {
    const saved = deps.store.read<CheckpointState>(this.file);
    this.isNew = saved === undefined;
    this.state = saved ?? { createdAt: Date.now(), shards: {} };
    this.save();
    this.matchers = deps.def.filters.map((f) => compileEventPattern(f));
  }

  get id(): string {
    return this.deps.def.id;
  }

  private get file(): string {
    return `stream-checkpoints/${safeFileName(this.deps.def.id)}.json`;
  }

  private save(): void {
    this.deps.store.write(this.file, this.state);
  }

  /** The checkpoint of each shard (last sequence number done), for inspection and tests. */
  checkpoints(): CheckpointState['shards'] {
    return JSON.parse(JSON.stringify(this.state.shards)) as CheckpointState['shards'];
  }

  start(): void {
    this.loop = this.discover();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake.fire();
    await this.loop;
    await Promise.allSettled([...this.workers.values()]);
  }

  private async discover(): Promise<void> {
    while (!this.stopped) {
      let shards: ShardDescription[] = [];
      try {
        shards = await this.describeShards();
      } catch (error) {
        this.deps.log(
          runtimeLine('WARN', `stream ${this.deps.streamArn}: DescribeStream failed: ${(error as Error).message}`),
        );
      }
      const known = new Set(shards.map((s) => s.ShardId));
      for (const shard of shards) {
        const id = shard.ShardId;
        if (this.workers.has(id) || this.state.shards[id]?.finished) continue;
        const parent = shard.ParentShardId;
        // Lineage: a child shard is read only after its parent is fully processed.
        if (parent && known.has(parent) && !this.state.shards[parent]?.finished) continue;
        const worker = this.runShard(id, this.firstDiscovery).finally(() => {
          this.workers.delete(id);
          this.wake.fire();
        });
        this.workers.set(id, worker);
      }
      this.firstDiscovery = false;
      await this.wake.wait(2_000);
    }
  }

  private async describeShards(): Promise<ShardDescription[]> {
    const shards: ShardDescription[] = [];
    let start: string | undefined;
    do {
      const out = await this.deps.client.call<{
        StreamDescription?: { Shards?: ShardDescription[]; LastEvaluatedShardId?: string };
      }>('DynamoDBStreams_20120810.DescribeStream', {
        StreamArn: this.deps.localStreamArn,
        ...(start ? { ExclusiveStartShardId: start } : {}),
      });
      shards.push(...(out.StreamDescription?.Shards ?? []));
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return shards;
  }

  private async iterator(shardId: string, type: string, sequenceNumber?: string): Promise<string | undefined> {
    const out = await this.deps.client.call<{ ShardIterator?: string }>('DynamoDBStreams_20120810.GetShardIterator', {
      StreamArn: this.deps.localStreamArn,
      ShardId: shardId,
      ShardIteratorType: type,
      ...(sequenceNumber ? { SequenceNumber: sequenceNumber } : {}),
    });
    return out.ShardIterator;
  }

  /** Reads one shard to its end (or until stop), feeding its lanes. */
  private async runShard(shardId: string, atFirstDiscovery: boolean): Promise<void> {
    const def = this.deps.def;
    const checkpoint = this.state.shards[shardId]?.seq;
    const skipUpTo = checkpoint ? BigInt(checkpoint) : -1n;
    let minCreation = 0;
    let iterator: string | undefined;
    try {
      if (checkpoint) {
        iterator = await this.iterator(shardId, 'AFTER_SEQUENCE_NUMBER', checkpoint).catch(() =>
          this.iterator(shardId, 'TRIM_HORIZON'),
        );
      } else if (def.startingPosition === 'LATEST' && atFirstDiscovery && this.isNew) {
        iterator = await this.iterator(shardId, 'LATEST');
      } else {
        if (def.startingPosition === 'LATEST' && !this.isNew)
          minCreation = Math.floor(this.state.createdAt / 1000) - 60;
        iterator = await this.iterator(shardId, 'TRIM_HORIZON');
      }
    } catch (error) {
      this.deps.log(runtimeLine('WARN', `stream ${this.deps.streamArn} shard ${shardId}: ${(error as Error).message}`));
      return;
    }
    const lanes = Array.from({ length: def.parallelizationFactor }, () => ({
      queue: [] as Tracked[],
      planned: [] as number[],
      failures: new Map<string, number>(),
      signal: new Signal(),
      closed: false,
    }));
    const ordered: Tracked[] = [];
    const progress = new Signal();
    const advance = () => {
      let last: Tracked | undefined;
      while (ordered[0]?.done) last = ordered.shift();
      if (last) {
        this.state.shards[shardId] = { ...this.state.shards[shardId], seq: last.seqText };
        this.save();
      }
      progress.fire();
    };
    const lanePromises = lanes.map((lane) => this.runLane(shardId, lane, advance));
    const readAhead = Math.max(1000, def.parallelizationFactor * def.batchSize * 4);
    let lastRead: string | undefined = checkpoint;
    let idleMs = 0;
    let closed = false;
    while (!this.stopped && iterator) {
      if (ordered.length >= readAhead) {
        await progress.wait(100);
        continue;
      }
      let out: { Records?: RawStreamRecord[]; NextShardIterator?: string };
      try {
        this.deps.metrics.streams.polls += 1;
        out = await this.deps.client.call('DynamoDBStreams_20120810.GetRecords', {
          ShardIterator: iterator,
          Limit: 1000,
        });
      } catch (error) {
        if (this.stopped) break;
        const name = error instanceof DynamoCallError ? error.name : '';
        if (name === 'ExpiredIteratorException' || name === 'TrimmedDataAccessException') {
          iterator = lastRead
            ? await this.iterator(shardId, 'AFTER_SEQUENCE_NUMBER', lastRead)
            : await this.iterator(shardId, 'TRIM_HORIZON');
          continue;
        }
        if (name === 'ResourceNotFoundException') return;
        this.deps.log(
          runtimeLine(
            'WARN',
            `stream ${this.deps.streamArn} shard ${shardId}: GetRecords failed: ${(error as Error).message}`,
          ),
        );
        await this.wake.wait(500);
        continue;
      }
      const records = out.Records ?? [];
      for (const raw of records) {
        const seqText = String(raw.dynamodb?.SequenceNumber ?? '0');
        lastRead = seqText;
        const seq = BigInt(seqText);
        if (seq <= skipUpTo) continue;
        if (minCreation && Number(raw.dynamodb?.ApproximateCreationDateTime ?? 0) < minCreation) continue;
        const record = toLambdaRecord(raw, this.deps.region, this.deps.streamArn);
        const tracked: Tracked = { seq, seqText, record, firstSeenAt: Date.now(), done: false };
        ordered.push(tracked);
        if (this.matchers.length && !this.matchers.some((match) => match(record))) {
          tracked.done = true;
          this.deps.metrics.streams.filteredOut += 1;
          continue;
        }
        const lane = lanes[laneOf(record.dynamodb.Keys, lanes.length)];
        lane?.queue.push(tracked);
        lane?.signal.fire();
      }
      if (records.length) advance();
      iterator = out.NextShardIterator;
      if (!iterator) closed = true;
      if (records.length === 0) {
        // Poll fast while records flow; back off to 250 ms when the shard is idle.
        idleMs = Math.min(250, Math.max(10, idleMs * 2));
        await this.wake.wait(idleMs);
      } else idleMs = 0;
    }
    for (const lane of lanes) {
      lane.closed = true;
      lane.signal.fire();
    }
    await Promise.all(lanePromises);
    if (closed && !this.stopped) {
      this.state.shards[shardId] = { ...this.state.shards[shardId], finished: true };
      this.save();
    }
  }

  private async runLane(
    shardId: string,
    lane: { queue: Tracked[]; planned: number[]; failures: Map<string, number>; signal: Signal; closed: boolean },
    advance: () => void,
  ): Promise<void> {
    const def = this.deps.def;
    while (!this.stopped) {
      const first = lane.queue[0];
      if (!first) {
        if (lane.closed) return;
        await lane.signal.wait(1_000);
        continue;
      }
      const size = lane.planned[0] ?? def.batchSize;
      if (def.maxBatchingWindowSeconds > 0 && lane.queue.length < size && !lane.closed && lane.planned.length === 0) {
        const until = first.firstSeenAt + def.maxBatchingWindowSeconds * 1000;
        if (Date.now() < until) {
          await lane.signal.wait(until - Date.now());
          continue;
        }
      }
      lane.planned.shift();
      const batch = lane.queue.slice(0, size);
      const outcome = await this.deliver(shardId, batch);
      if (this.stopped) return;
      if (outcome.kind === 'success') {
        for (const t of batch) t.done = true;
        lane.queue.splice(0, batch.length);
        lane.failures.delete(batch[0]?.seqText ?? '');
      } else if (outcome.kind === 'partial') {
        for (const t of batch.slice(0, outcome.failedIndex)) t.done = true;
        lane.queue.splice(0, outcome.failedIndex);
        await this.failed(shardId, lane, batch.slice(outcome.failedIndex), outcome.result);
      } else if (def.bisectBatchOnFunctionError && batch.length > 1) {
        // Bisect: retry each half on its own; splitting does not count as a retry.
        lane.planned.unshift(Math.ceil(batch.length / 2), Math.floor(batch.length / 2));
        this.deps.metrics.streams.failedBatches += 1;
      } else {
        await this.failed(shardId, lane, batch, outcome.result);
      }
      advance();
    }
  }

  /** A failed batch (from its first failed record on): retry it, or give up to the on-failure destination. */
  private async failed(
    shardId: string,
    lane: { queue: Tracked[]; failures: Map<string, number> },
    records: Tracked[],
    result: InvocationResult,
  ): Promise<void> {
    const def = this.deps.def;
    const first = records[0];
    if (!first) return;
    this.deps.metrics.streams.failedBatches += 1;
    const failures = (lane.failures.get(first.seqText) ?? 0) + 1;
    lane.failures.set(first.seqText, failures);
    // DynamoDB Local truncates ApproximateCreationDateTime to the minute: the age counts from when the record was read.
    const ageExceeded =
      def.maximumRecordAgeSeconds >= 0 && Date.now() - first.firstSeenAt > def.maximumRecordAgeSeconds * 1000;
    const retriesExhausted = def.maximumRetryAttempts >= 0 && failures > def.maximumRetryAttempts;
    if (!ageExceeded && !retriesExhausted) {
      await this.wake.wait(this.deps.retryDelayMs * Math.min(failures, 5));
      return;
    }
    await this.sendOnFailure(
      shardId,
      records,
      result,
      ageExceeded ? 'RecordAgeExceeded' : 'RetryAttemptsExhausted',
      failures,
    );
    for (const t of records) t.done = true;
    lane.queue.splice(0, records.length);
    lane.failures.delete(first.seqText);
  }

  private async deliver(shardId: string, batch: Tracked[]): Promise<BatchOutcome> {
    const def = this.deps.def;
    const eventJson = JSON.stringify({ Records: batch.map((t) => t.record) });
    const fault = await this.deps.faults.streamBatch?.({
      functionName: def.functionName,
      mappingId: def.id,
      shardId,
      records: batch.map((t) => t.record),
    });
    const result = await this.deps.invoke(def.functionName, eventJson, { trigger: 'stream' });
    this.deps.metrics.streams.batches += 1;
    this.deps.metrics.streams.records += batch.length;
    for (let copy = 0; copy < (fault?.duplicates ?? 0) && !this.stopped; copy++) {
      await this.deps.invoke(def.functionName, eventJson, { trigger: 'stream' });
    }
    if (!result.ok) return { kind: 'error', result };
    if (!def.reportBatchItemFailures) return { kind: 'success' };
    return interpretBatchResponse(
      result,
      batch.map((t) => t.seqText),
    );
  }

  private async sendOnFailure(
    shardId: string,
    records: Tracked[],
    result: InvocationResult,
    condition: string,
    attempts: number,
  ) {
    const def = this.deps.def;
    this.deps.metrics.streams.sentToOnFailure += 1;
    const first = records[0];
    const last = records[records.length - 1];
    if (!def.onFailureArn || !first || !last) {
      this.deps.log(
        runtimeLine(
          'WARN',
          `${def.functionName}: ${records.length} stream records skipped after ${attempts} failed attempts (${condition}); no on-failure destination`,
          {
            shardId,
            startSequenceNumber: first?.seqText,
          },
        ),
      );
      return;
    }
    const arrival = (t: Tracked) =>
      new Date(t.record.dynamodb.ApproximateCreationDateTime * 1000).toISOString().replace(/\.000Z$/, 'Z');
    const record = {
      requestContext: {
        requestId: result.requestId || randomUUID(),
        functionArn: this.deps.functionArn,
        condition,
        approximateInvokeCount: attempts,
      },
      responseContext: {
        statusCode: 200,
        executedVersion: '$LATEST',
        ...(result.ok ? {} : { functionError: 'Unhandled' }),
      },
      version: '1.0',
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: first.seqText,
        endSequenceNumber: last.seqText,
        approximateArrivalOfFirstRecord: arrival(first),
        approximateArrivalOfLastRecord: arrival(last),
        batchSize: records.length,
        streamArn: this.deps.streamArn,
      },
    };
    try {
      await this.deps.sendToDestination(def.onFailureArn, JSON.stringify(record));
    } catch (error) {
      this.deps.log(
        runtimeLine(
          'ERROR',
          `${def.functionName}: could not send the on-failure record to ${def.onFailureArn}: ${String(error)}`,
        ),
      );
    }
  }

  /** DLQ redrive: re-reads the records of an on-failure record from the stream and invokes the function again. */
  async redrive(info: { shardId: string; startSequenceNumber: string; endSequenceNumber: string }): Promise<void> {
    const start = BigInt(info.startSequenceNumber);
    const end = BigInt(info.endSequenceNumber);
    let iterator = await this.iterator(info.shardId, 'AT_SEQUENCE_NUMBER', info.startSequenceNumber);
    const records: LambdaStreamRecord[] = [];
    let reachedEnd = false;
    for (let polls = 0; iterator && !reachedEnd && polls < 100; polls++) {
      const out = await this.deps.client.call<{ Records?: RawStreamRecord[]; NextShardIterator?: string }>(
        'DynamoDBStreams_20120810.GetRecords',
        { ShardIterator: iterator, Limit: 1000 },
      );
      for (const raw of out.Records ?? []) {
        const seq = BigInt(String(raw.dynamodb?.SequenceNumber ?? '0'));
        if (seq > end) {
          reachedEnd = true;
          break;
        }
        if (seq < start) continue;
        const record = toLambdaRecord(raw, this.deps.region, this.deps.streamArn);
        if (!this.matchers.length || this.matchers.some((match) => match(record))) records.push(record);
        if (seq === end) reachedEnd = true;
      }
      if (!out.Records?.length) break;
      iterator = out.NextShardIterator;
    }
    if (!records.length)
      throw new Error(`the records ${info.startSequenceNumber}..${info.endSequenceNumber} are no longer in the stream`);
    const result = await this.deps.invoke(this.deps.def.functionName, JSON.stringify({ Records: records }), {
      trigger: 'redrive',
    });
    if (!result.ok) throw new Error(`${result.error?.errorType}: ${result.error?.errorMessage}`);
    if (this.deps.def.reportBatchItemFailures) {
      const outcome = interpretBatchResponse(
        result,
        records.map((r) => r.dynamodb.SequenceNumber),
      );
      if (outcome.kind !== 'success') throw new Error(`the function reported failed items: ${result.payload}`);
    }
  }
}

/**
 * A partial batch response: none or an empty list = success; the lowest failed sequence number = retry from
 * there; an identifier that is missing, empty or not in the batch = the whole batch failed (as AWS).
 */
export function interpretBatchResponse(result: InvocationResult, sequenceNumbers: readonly string[]): BatchOutcome {
  let response: unknown;
  try {
    response = JSON.parse(result.payload);
  } catch {
    return { kind: 'error', result };
  }
  if (response === null || typeof response !== 'object') return { kind: 'success' };
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'error', result };
  if (failures.length === 0) return { kind: 'success' };
  let lowest = Number.POSITIVE_INFINITY;
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const index = typeof id === 'string' && id !== '' ? sequenceNumbers.indexOf(id) : -1;
    if (index < 0) return { kind: 'error', result };
    lowest = Math.min(lowest, index);
  }
  return { kind: 'partial', failedIndex: lowest, result };
}
