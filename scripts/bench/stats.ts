/** Small statistics helpers: medians over runs (the machine is noisy) and latency histograms (hdr-histogram). */
import { build, type Histogram } from 'hdr-histogram-js';

export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Latencies in milliseconds, recorded in microseconds (3 significant digits, up to 10 minutes). */
export class LatencyHistogram {
  private readonly histogram: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  });

  record(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  percentiles(): Percentiles {
    const h = this.histogram;
    // A percentile is reported at the top of its histogram bucket; never above the largest value recorded.
    const ms = (us: number) => round(Math.min(us, h.maxValue) / 1000, 1);
    return {
      count: h.totalCount,
      p50: ms(h.getValueAtPercentile(50)),
      p95: ms(h.getValueAtPercentile(95)),
      p99: ms(h.getValueAtPercentile(99)),
      max: ms(h.maxValue),
      mean: ms(h.mean),
    };
  }
}

/** The median of each field over several runs' percentiles. */
export function medianPercentiles(runs: readonly Percentiles[]): Percentiles {
  const of = (key: keyof Percentiles) => round(median(runs.map((r) => r[key])), 1);
  return { count: of('count'), p50: of('p50'), p95: of('p95'), p99: of('p99'), max: of('max'), mean: of('mean') };
}
