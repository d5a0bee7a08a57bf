import { LatencyHistogram, median, medianPercentiles, type Percentiles, round } from '../../../scripts/bench/stats';

/** Within the histogram's 3 significant digits (0.1%) and the rounding to 0.1 ms of percentiles(). */
function expectNear(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * 0.001 + 0.05);
}

describe('median', () => {
  it('is the middle value of an odd number of values, whatever their order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([10, -5, 7, 0, 100])).toBe(7);
    expect(median([42])).toBe(42);
  });

  it('is the mean of the two middle values of an even number of values', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([10, 20])).toBe(15);
  });

  it('ignores values that are not finite, and is NaN without any', () => {
    expect(median([1, Number.NaN, 3, Number.POSITIVE_INFINITY])).toBe(2);
    expect(median([])).toBeNaN();
    expect(median([Number.NaN])).toBeNaN();
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('round', () => {
  it('rounds to 2 digits by default, or to the digits asked', () => {
    expect(round(1.23456)).toBe(1.23);
    expect(round(1.23456, 3)).toBe(1.235);
    expect(round(2.675, 1)).toBe(2.7);
    expect(round(2.5, 0)).toBe(3);
    expect(round(1234.5678, 0)).toBe(1235);
    expect(round(-1.234, 1)).toBe(-1.2);
  });
});

describe('LatencyHistogram', () => {
  it('percentiles of 1..100 ms', () => {
    const h = new LatencyHistogram();
    for (let ms = 1; ms <= 100; ms++) h.record(ms);
    const p = h.percentiles();
    expect(p.count).toBe(100);
    expectNear(p.p50, 50);
    expectNear(p.p95, 95);
    expectNear(p.p99, 99);
    expectNear(p.max, 100);
    expectNear(p.mean, 50.5);
  });

  it('percentiles of 0.1..1000 ms in steps of 0.1 ms (sub-millisecond values kept)', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 10_000; i++) h.record(i / 10);
    const p = h.percentiles();
    expect(p.count).toBe(10_000);
    expectNear(p.p50, 500);
    expectNear(p.p95, 950);
    expectNear(p.p99, 990);
    expectNear(p.max, 1000);
    expectNear(p.mean, 500.05);
  });

  it('does not depend on the order of the recordings', () => {
    const ascending = new LatencyHistogram();
    const descending = new LatencyHistogram();
    for (let ms = 1; ms <= 100; ms++) {
      ascending.record(ms);
      descending.record(101 - ms);
    }
    expect(descending.percentiles()).toEqual(ascending.percentiles());
  });

  it('is all zeros when nothing was recorded', () => {
    expect(new LatencyHistogram().percentiles()).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 });
  });
});

describe('medianPercentiles', () => {
  const p = (count: number, p50: number, p95: number, p99: number, max: number, mean: number): Percentiles => ({
    count,
    p50,
    p95,
    p99,
    max,
    mean,
  });

  it('takes the median of each field on its own, not one whole run', () => {
    const runs = [p(100, 10, 90, 200, 300, 20), p(120, 30, 50, 100, 150, 40), p(110, 20, 70, 150, 900, 30)];
    expect(medianPercentiles(runs)).toEqual(p(110, 20, 70, 150, 300, 30));
  });

  it('averages the two middle runs of an even number, rounded to 0.1', () => {
    const runs = [p(100, 10, 90, 200, 300, 20.01), p(101, 11, 95, 201, 301, 20.14)];
    expect(medianPercentiles(runs)).toEqual(p(100.5, 10.5, 92.5, 200.5, 300.5, 20.1));
  });

  it('of one run is that run', () => {
    const one = p(40, 99.1, 146.9, 172.7, 172.6, 99.1);
    expect(medianPercentiles([one])).toEqual(one);
  });
});
