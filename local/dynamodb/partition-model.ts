/**
 * A capacity model per partition key value. DynamoDB Local has no partitions and never throttles; DynamoDB caps each
 * partition at 1,000 write and 3,000 read units per second in both capacity modes, and adaptive capacity can at best
 * isolate one hot key in a partition of its own: so one partition key value (of the table, or of a global secondary
 * index) can never go beyond those limits. This model gives every partition key value that cap, scaled by
 * `capacityScale` (0.1: 100 write units per second), as a token bucket refilled continuously at that rate and
 * holding at most `burstSeconds` of it (default 1 s): a key idle for a while can take one second's worth at once,
 * then its rate.
 *
 * Not emulated: table-level burst capacity (up to 300 s of unused provisioned capacity; it cannot lift the partition
 * cap anyway), partitions holding many keys (several warm keys sharing one partition's capacity before adaptive
 * capacity splits them), on-demand's table-level ramp (twice the previous peak), account and table quotas.
 *
 * A request is admitted when every partition it uses has the units it needs (or, for a request larger than a full
 * bucket, when the bucket is full); then all its units are taken, so a bucket can go below zero. Otherwise nothing is
 * taken and the first partition short of units is the throttled one.
 */
import type { PartitionUse, RequestItem } from './request-items';

export const WRITE_UNITS_PER_SECOND = 1_000;
export const READ_UNITS_PER_SECOND = 3_000;

export interface PartitionModelOptions {
  /** Factor on DynamoDB's per-partition limits. */
  readonly capacityScale: number;
  /** Unused capacity a partition key keeps, in seconds of its rate. */
  readonly burstSeconds: number;
  /** Milliseconds clock. @default performance.now */
  readonly now?: () => number;
}

export interface Admission {
  /** The units the request used per partition (summed over its items); empty when it was throttled. */
  readonly consumed: readonly PartitionUse[];
  /** The partition short of capacity, and the item that needed it. */
  readonly throttled?: { readonly partition: PartitionUse; readonly item: RequestItem };
}

interface Bucket {
  tokens: number;
  at: number;
}

const MAX_BUCKETS = 50_000;

export const partitionId = (p: Pick<PartitionUse, 'table' | 'index' | 'value' | 'kind'>) =>
  `${p.table}\u0000${p.index ?? ''}\u0000${p.value}\u0000${p.kind}`;

export class PartitionModel {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;

  constructor(private readonly options: PartitionModelOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Units per second of one partition key value. */
  rate(kind: PartitionUse['kind']): number {
    return (kind === 'write' ? WRITE_UNITS_PER_SECOND : READ_UNITS_PER_SECOND) * this.options.capacityScale;
  }

  private depth(kind: PartitionUse['kind']): number {
    return this.rate(kind) * this.options.burstSeconds;
  }

  private bucket(id: string, kind: PartitionUse['kind'], now: number): Bucket {
    let bucket = this.buckets.get(id);
    if (!bucket) {
      if (this.buckets.size >= MAX_BUCKETS) this.prune(now);
      bucket = { tokens: this.depth(kind), at: now };
      this.buckets.set(id, bucket);
      return bucket;
    }
    bucket.tokens = Math.min(this.depth(kind), bucket.tokens + ((now - bucket.at) / 1000) * this.rate(kind));
    bucket.at = now;
    return bucket;
  }

  /** Admits a request (takes its units) or names the partition that throttles it; `enforce: false` only counts. */
  admit(items: readonly RequestItem[], enforce = true): Admission {
    const now = this.now();
    const totals = new Map<string, { use: PartitionUse; item: RequestItem }>();
    for (const item of items) {
      for (const use of item.partitions) {
        const id = partitionId(use);
        const seen = totals.get(id);
        totals.set(id, {
          use: seen ? { ...seen.use, units: seen.use.units + use.units } : use,
          item: seen?.item ?? item,
        });
      }
    }
    if (enforce) {
      for (const [id, { use, item }] of totals) {
        const bucket = this.bucket(id, use.kind, now);
        if (bucket.tokens < Math.min(use.units, this.depth(use.kind)))
          return { consumed: [], throttled: { partition: use, item } };
      }
    }
    for (const [id, { use }] of totals) this.bucket(id, use.kind, now).tokens -= use.units;
    return { consumed: [...totals.values()].map((t) => t.use) };
  }

  /** Takes units known only after the answer (a Query's size), whatever is left. */
  charge(uses: readonly PartitionUse[]): void {
    const now = this.now();
    for (const use of uses) this.bucket(partitionId(use), use.kind, now).tokens -= use.units;
  }

  private prune(now: number): void {
    for (const [id, bucket] of this.buckets) {
      const kind = id.endsWith('\u0000read') ? 'read' : 'write';
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.rate(kind) >= this.depth(kind)) this.buckets.delete(id);
    }
  }
}
