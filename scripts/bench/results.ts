/** The shape of a bench result file (bench-results/latest.json), read by `npm run cost` and the report. */
import type { ColdStartResult } from './cold-start';
import type { CheckoutCounts } from './counts';
import type { CpuUsage } from './cpu';
import type { KindSize } from './item-sizes';
import type { LoadResult } from './load';
import type { MachineInfo } from './machine';
import type { RawWriteResult } from './raw-writes';
import type { Percentiles } from './stats';

export interface RunResult {
  readonly load: Omit<LoadResult, 'orderIds'>;
  readonly confirmed: number;
  readonly cancelled: number;
  /** Orders CONFIRMED per second, from the first request to the last final status. */
  readonly throughput: number;
  readonly counts: CheckoutCounts;
  readonly cpu: CpuUsage;
  readonly raw: RawWriteResult;
  /** raw write items per second / write items per checkout. */
  readonly bound: number;
  /** throughput / bound. */
  readonly ratio: number;
}

export interface SweepPoint {
  readonly concurrency: number;
  readonly runs: RunResult[];
  readonly median: {
    readonly throughput: number;
    readonly toAccepted: Percentiles;
    readonly toFinal: Percentiles;
    readonly rawWritesPerSecond: number;
    readonly writeItemsPerCheckout: number;
    readonly bound: number;
    readonly ratio: number;
    /** CPU milliseconds per checkout: this process (runtime + functions) and DynamoDB Local's JVM. */
    readonly nodeCpuMsPerCheckout: number;
    /** Of which the runtime's main thread (the rest: the functions' worker threads, GC and I/O threads). */
    readonly mainThreadCpuMsPerCheckout: number;
    readonly javaCpuMsPerCheckout: number;
    readonly mainThreadUtilization: number;
    /** DynamoDB Local CPU per raw conditional put in the limit bursts. */
    readonly javaCpuMsPerPut: number;
    /**
     * The machine's other limit: its cores' CPU time per second divided by the CPU one checkout costs (runtime,
     * functions and DynamoDB Local together), and throughput over it. See docs/perf/README.md.
     */
    readonly cpuBound: number;
    readonly cpuRatio: number;
  };
}

export interface HalfLoad {
  readonly rate: number;
  readonly runs: { readonly throughput: number; readonly toAccepted: Percentiles; readonly toFinal: Percentiles }[];
  readonly median: { readonly throughput: number; readonly toAccepted: Percentiles; readonly toFinal: Percentiles };
}

export interface BenchResults {
  readonly version: 1;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: MachineInfo;
  readonly options: Record<string, unknown>;
  readonly sweep: SweepPoint[];
  readonly best: { readonly concurrency: number; readonly throughput: number; readonly ratio: number };
  readonly halfLoad: HalfLoad | undefined;
  /** Per checkout, from the median run at the best concurrency. */
  readonly checkout: CheckoutCounts;
  /** Bytes per checkout that the functions logged, by function (CloudWatch Logs ingestion, without platform lines). */
  readonly logBytesPerCheckout: Record<string, number> | undefined;
  readonly itemSizes: Record<string, KindSize>;
  /** A checkout execution's history (what Step Functions logs with Level ALL and execution data): events and bytes. */
  readonly sagaHistory: { readonly executions: number; readonly events: number; readonly bytes: number } | undefined;
  readonly coldStarts: ColdStartResult[] | undefined;
}
