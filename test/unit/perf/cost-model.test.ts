import type { CheckoutCounts, FunctionCounts, WriteKind } from '../../../scripts/bench/counts';
import type { BenchResults, RunResult, SweepPoint } from '../../../scripts/bench/results';
import type { Percentiles } from '../../../scripts/bench/stats';
import { type CostEstimate, type CostLine, estimate } from '../../../scripts/cost/model';
import { ASSUMPTIONS, PRICES } from '../../../scripts/cost/prices';
import type { TemplateFacts } from '../../../scripts/cost/template';

const PER = 1000;

/** What a fixture checkout counts; everything else in CheckoutCounts is zero or empty. */
interface Counts {
  readonly writeItems: number;
  readonly writeUnits: number;
  readonly readUnits: number;
  readonly transitions: number;
  readonly eventsPut: number;
  readonly apiRequests: number;
  readonly streamBatches: number;
  readonly functions: Record<string, FunctionCounts>;
  readonly writesByKind: WriteKind[];
}

const COUNTS: Counts = {
  writeItems: 10,
  writeUnits: 16,
  readUnits: 4,
  transitions: 12,
  eventsPut: 3,
  apiRequests: 1,
  streamBatches: 2,
  functions: {
    OrdersPlaceOrder: { invocations: 1, avgDurationMs: 100, memoryMb: 512 },
    PlatformOutboxRelay: { invocations: 2, avgDurationMs: 20, memoryMb: 512 },
  },
  writesByKind: [
    { kind: 'ORDER/ORDER', label: 'order', simulated: false, items: 2, transactional: 2 },
    { kind: 'PSP/LEDGER', label: 'payment provider ledger (simulated)', simulated: true, items: 1, transactional: 0 },
    { kind: 'MAILBOX/MESSAGE', label: 'mailbox message (simulated)', simulated: true, items: 1, transactional: 1 },
  ],
};

function checkoutCounts(overrides: Partial<Counts> = {}): CheckoutCounts {
  const c = { ...COUNTS, ...overrides };
  const invocations = Object.values(c.functions).reduce((n, f) => n + f.invocations, 0);
  return {
    orders: 10,
    dynamodb: {
      requests: 0,
      requestsByOperation: {},
      readItems: c.readUnits,
      readUnits: c.readUnits,
      writeUnits: c.writeUnits,
      indexWriteUnits: 0,
      writeItems: c.writeItems,
      platformWriteItems: c.writeItems,
      conditionCheckItems: 0,
      writesByKind: c.writesByKind,
    },
    lambda: { invocations, byFunction: c.functions },
    stateTransitions: c.transitions,
    apiRequests: c.apiRequests,
    events: { put: c.eventsPut, delivered: c.eventsPut, matched: c.eventsPut },
    stream: { polls: 0, recordsRead: c.eventsPut, batches: c.streamBatches },
  };
}

const percentiles = (p50: number): Percentiles => ({ count: 10, p50, p95: p50, p99: p50, max: p50, mean: p50 });

function run(counts: CheckoutCounts, executionMs = 450, throughput = 5): RunResult {
  return {
    load: {
      orders: counts.orders,
      accepted: counts.orders,
      rejected: {},
      notFinal: 0,
      durationMs: 1000,
      finalPerSecond: throughput,
      toAccepted: percentiles(50),
      toFinal: percentiles(500),
      execution: percentiles(executionMs),
      maxLagMs: 0,
    },
    confirmed: counts.orders,
    cancelled: 0,
    throughput,
    counts,
    cpu: { nodeMs: 0, mainThreadMs: undefined, javaMs: undefined, wallMs: 1000, mainThreadUtilization: 0 },
    raw: {
      concurrency: 4,
      writes: 0,
      durationMs: 0,
      writesPerSecond: 0,
      errors: 0,
      javaCpuMsPerPut: undefined,
      clientCpuMsPerPut: 0,
    },
    bound: 0,
    ratio: 0,
  };
}

function sweepPoint(concurrency: number, runs: RunResult[]): SweepPoint {
  const zero = percentiles(0);
  return {
    concurrency,
    runs,
    median: {
      throughput: runs[0]?.throughput ?? 0,
      toAccepted: zero,
      toFinal: zero,
      rawWritesPerSecond: 0,
      writeItemsPerCheckout: 0,
      bound: 0,
      ratio: 0,
      nodeCpuMsPerCheckout: 0,
      mainThreadCpuMsPerCheckout: 0,
      javaCpuMsPerCheckout: 0,
      mainThreadUtilization: 0,
      javaCpuMsPerPut: 0,
      cpuBound: 0,
      cpuRatio: 0,
    },
  };
}

/**
 * A minimal BenchResults: one sweep point of one run whose counts are the checkout counts, so the durations
 * (read from the lowest-concurrency run) and the counts agree. No cold starts, log bytes or saga history unless given.
 */
function benchResults(
  overrides: Partial<Counts> = {},
  options: { executionMs?: number; extra?: Partial<BenchResults> } = {},
): BenchResults {
  const checkout = checkoutCounts(overrides);
  const only = run(checkout, options.executionMs);
  return {
    version: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    machine: { cpus: 2, cpuModel: 'test', memoryGb: 4, os: 'test', node: 'v20', java: 'test', dynamodbLocal: 'test' },
    options: {},
    sweep: [sweepPoint(4, [only])],
    best: { concurrency: 4, throughput: only.throughput, ratio: 0 },
    halfLoad: undefined,
    checkout,
    logBytesPerCheckout: undefined,
    itemSizes: {},
    sagaHistory: undefined,
    coldStarts: undefined,
    ...options.extra,
  };
}

function templateFacts(memoryMb: Record<string, number> = {}, extra: Partial<TemplateFacts> = {}): TemplateFacts {
  const functions: Record<string, { memoryMb: number; architecture: string }> = {};
  for (const [fn, mb] of Object.entries({ OrdersPlaceOrder: 1024, PlatformOutboxRelay: 256, ...memoryMb })) {
    functions[fn] = { memoryMb: mb, architecture: 'arm64' };
  }
  return { functions, stateMachine: undefined, archive: false, apiAccessLogs: false, ...extra };
}

/** Every optional line switched on: cold starts, archive, saga log, access logs, function log bytes. */
const fullResults = () =>
  benchResults(
    {},
    {
      extra: {
        coldStarts: [
          {
            function: 'OrdersPlaceOrder',
            memoryMb: 512,
            bundleBytes: 1,
            samples: 1,
            startMs: 150,
            loadMs: 120,
            firstInvokeMs: 30,
            totalMs: 150,
          },
        ],
        logBytesPerCheckout: { OrdersPlaceOrder: 700, PlatformOutboxRelay: 3000 },
        itemSizes: { 'OUTBOX/OUTBOX': { items: 30, avgBytes: 560, maxBytes: 600 } },
        sagaHistory: { executions: 10, events: 21, bytes: 12_000 },
      },
    },
  );
const fullFacts = () =>
  templateFacts(
    {},
    { archive: true, apiAccessLogs: true, stateMachine: { type: 'STANDARD', logLevel: 'ALL', includesData: true } },
  );

function line(result: CostEstimate, match: (l: CostLine) => boolean, what: string): CostLine {
  const found = result.lines.filter(match);
  if (found.length !== 1) throw new Error(`expected one ${what} line, found ${found.length}`);
  return found[0] as CostLine;
}
const transitionsLine = (r: CostEstimate) => line(r, (l) => l.item === 'STANDARD state transitions', 'transitions');
const expressLines = (r: CostEstimate) => r.lines.filter((l) => l.item.startsWith('EXPRESS '));
const writeLine = (r: CostEstimate) => line(r, (l) => l.item.startsWith('write request units'), 'DynamoDB write');
const readLine = (r: CostEstimate) => line(r, (l) => l.item.startsWith('read request units'), 'DynamoDB read');
const requestsLine = (r: CostEstimate) => line(r, (l) => l.service === 'Lambda' && l.item === 'requests', 'requests');
const durationLine = (r: CostEstimate) =>
  line(r, (l) => l.service === 'Lambda' && l.item.startsWith('duration'), 'Lambda duration');
const sumUsd = (lines: CostLine[]) => lines.reduce((n, l) => n + l.usd, 0);

describe('cost estimate', () => {
  it('prices STANDARD state transitions per checkout and counts them only in the STANDARD total', () => {
    const base = estimate(benchResults(), templateFacts());
    const transitions = transitionsLine(base);
    expect(transitions.workflow).toBe('STANDARD');
    expect(transitions.quantity).toBe(COUNTS.transitions * PER);
    expect(transitions.usd).toBeCloseTo(COUNTS.transitions * PER * PRICES.stepFunctions.standardTransition, 12);

    // More transitions per checkout: STANDARD pays the difference, EXPRESS does not move.
    const more = estimate(benchResults({ transitions: COUNTS.transitions + 8 }), templateFacts());
    expect(more.perThousand.STANDARD - base.perThousand.STANDARD).toBeCloseTo(
      8 * PER * PRICES.stepFunctions.standardTransition,
      12,
    );
    expect(more.perThousand.EXPRESS).toBeCloseTo(base.perThousand.EXPRESS, 12);
  });

  it('prices EXPRESS executions and their duration (billed per 100 ms of the median) only in the EXPRESS total', () => {
    const base = estimate(benchResults({}, { executionMs: 450 }), templateFacts());
    const express = expressLines(base);
    expect(express).toHaveLength(2);
    for (const l of express) expect(l.workflow).toBe('EXPRESS');
    // 450 ms is billed as 0.5 s of 64 MB.
    const expected =
      PER * PRICES.stepFunctions.expressRequest + PER * 0.5 * (64 / 1024) * PRICES.stepFunctions.expressGbSecond;
    expect(sumUsd(express)).toBeCloseTo(expected, 12);
    expect(base.perThousand.STANDARD - base.perThousand.EXPRESS).toBeCloseTo(
      transitionsLine(base).usd - sumUsd(express),
      12,
    );

    // A longer execution (1.25 s billed as 1.3 s): EXPRESS pays 0.8 s more, STANDARD does not move.
    const longer = estimate(benchResults({}, { executionMs: 1250 }), templateFacts());
    expect(longer.perThousand.EXPRESS - base.perThousand.EXPRESS).toBeCloseTo(
      PER * 0.8 * ASSUMPTIONS.expressMemoryGb * PRICES.stepFunctions.expressGbSecond,
      12,
    );
    expect(longer.perThousand.STANDARD).toBeCloseTo(base.perThousand.STANDARD, 12);
  });

  it.each([
    ['the minimal fixture', benchResults, () => templateFacts()],
    ['every optional line on', fullResults, fullFacts],
  ])('each total is the sum of its own lines and the shared ones (%s)', (_, results, facts) => {
    const result = estimate(results(), facts());
    const standard = result.lines.filter((l) => l.workflow === 'STANDARD' || l.workflow === 'both');
    const express = result.lines.filter((l) => l.workflow === 'EXPRESS' || l.workflow === 'both');
    expect(result.perThousand.STANDARD).toBeCloseTo(sumUsd(standard), 12);
    expect(result.perThousand.EXPRESS).toBeCloseTo(sumUsd(express), 12);
    for (const l of result.lines) {
      expect(Number.isFinite(l.usd)).toBe(true);
      expect(l.usd).toBeGreaterThanOrEqual(0);
    }
  });

  it('the optional lines appear when the template and the results have them', () => {
    const minimal = estimate(benchResults(), templateFacts());
    const full = estimate(fullResults(), fullFacts());
    expect(full.lines.length - minimal.lines.length).toBe(4); // cold-start init, archive, saga log, access logs
    expect(full.perThousand.STANDARD).toBeGreaterThan(minimal.perThousand.STANDARD);
  });

  it('the DynamoDB write line is linear in the write units per checkout', () => {
    const base = estimate(benchResults(), templateFacts());
    const doubled = estimate(
      benchResults({ writeItems: COUNTS.writeItems * 2, writeUnits: COUNTS.writeUnits * 2 }),
      templateFacts(),
    );
    expect(writeLine(base).quantity).toBe(COUNTS.writeUnits * PER);
    expect(writeLine(base).usd).toBeCloseTo(COUNTS.writeUnits * PER * PRICES.dynamodb.writeRequestUnit, 12);
    expect(writeLine(doubled).usd).toBeCloseTo(2 * writeLine(base).usd, 12);
    // Only the write line moved.
    expect(readLine(doubled).usd).toBe(readLine(base).usd);
    expect(doubled.perThousand.STANDARD - base.perThousand.STANDARD).toBeCloseTo(writeLine(base).usd, 12);
  });

  it('Lambda requests are the invocations per checkout at the request price', () => {
    const result = estimate(benchResults(), templateFacts());
    const invocations = 1 + 2; // OrdersPlaceOrder + PlatformOutboxRelay
    expect(requestsLine(result).quantity).toBe(invocations * PER);
    expect(requestsLine(result).usd).toBeCloseTo(invocations * PER * PRICES.lambda.request, 12);
  });

  it('Lambda duration uses the memory of the template, not the memory the runtime reported', () => {
    const gbSeconds = (placeOrderMb: number, relayMb: number) =>
      1 * (100 / 1000) * (placeOrderMb / 1024) + 2 * (20 / 1000) * (relayMb / 1024);
    const base = durationLine(estimate(benchResults(), templateFacts()));
    expect(base.quantity).toBeCloseTo(gbSeconds(1024, 256) * PER, 9);
    expect(base.usd).toBeCloseTo(gbSeconds(1024, 256) * PER * PRICES.lambda.arm64GbSecond, 12);

    // Doubling one function's memory in the template raises its share of the line in proportion.
    const bigger = durationLine(estimate(benchResults(), templateFacts({ OrdersPlaceOrder: 2048 })));
    expect(bigger.usd).toBeCloseTo(gbSeconds(2048, 256) * PER * PRICES.lambda.arm64GbSecond, 12);
    // Doubling every function's memory doubles the line.
    const doubled = durationLine(
      estimate(benchResults(), templateFacts({ OrdersPlaceOrder: 2048, PlatformOutboxRelay: 512 })),
    );
    expect(doubled.usd).toBeCloseTo(2 * base.usd, 12);
  });

  it('Lambda duration falls back to the reported memory for a function missing from the template', () => {
    const facts = templateFacts();
    const { PlatformOutboxRelay: _, ...withoutRelay } = facts.functions;
    const result = durationLine(estimate(benchResults(), { ...facts, functions: withoutRelay }));
    const gbSeconds = 1 * 0.1 * (1024 / 1024) + 2 * 0.02 * (512 / 1024); // the relay at its reported 512 MB
    expect(result.quantity).toBeCloseTo(gbSeconds * PER, 9);
  });

  it('Lambda duration takes the durations of the median-throughput run at the lowest concurrency', () => {
    const withDuration = (ms: number) =>
      checkoutCounts({ functions: { OrdersPlaceOrder: { invocations: 1, avgDurationMs: ms, memoryMb: 512 } } });
    const swept: BenchResults = {
      ...benchResults(),
      checkout: withDuration(999), // the checkout's own durations are used only when the run lacks the function
      sweep: [
        sweepPoint(16, [run(withDuration(5000), 450, 20)]),
        sweepPoint(2, [run(withDuration(300), 450, 1), run(withDuration(200), 450, 3), run(withDuration(50), 450, 2)]),
      ],
    };
    const result = estimate(swept, templateFacts());
    expect(durationLine(result).quantity).toBeCloseTo(1 * (50 / 1000) * 1 * PER, 9); // 50 ms at 1024 MB
    expect(result.inputs.durationsFrom).toBe('2 in flight');
  });

  it('simulatedUsd covers only the simulated kinds, transactional items at two units', () => {
    const result = estimate(benchResults(), templateFacts());
    // PSP/LEDGER: 1 item; MAILBOX/MESSAGE: 1 transactional item (2 units). ORDER/ORDER is not simulated.
    expect(result.simulatedUsd).toBeCloseTo((1 + 0 + 1 + 1) * PER * PRICES.dynamodb.writeRequestUnit, 12);

    const more = estimate(
      benchResults({
        writesByKind: [
          ...COUNTS.writesByKind,
          { kind: 'OUTBOX/OUTBOX', label: 'outbox event', simulated: false, items: 5, transactional: 5 },
        ],
      }),
      templateFacts(),
    );
    expect(more.simulatedUsd).toBeCloseTo(result.simulatedUsd, 12);

    const none = estimate(
      benchResults({ writesByKind: COUNTS.writesByKind.map((w) => ({ ...w, simulated: false })) }),
      templateFacts(),
    );
    expect(none.simulatedUsd).toBe(0);
    expect(result.simulatedUsd).toBeLessThan(writeLine(result).usd);
  });
});
