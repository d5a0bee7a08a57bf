/**
 * Cost of 1,000 checkouts on AWS from what the bench counted (per checkout, by the runtime) and the template
 * (memory, state machine logging), priced with scripts/cost/prices.ts. One line per billed dimension.
 */
import type { CheckoutCounts } from '../bench/counts';
import type { BenchResults, RunResult } from '../bench/results';
import { ASSUMPTIONS, PRICES } from './prices';
import type { TemplateFacts } from './template';

export type Workflow = 'STANDARD' | 'EXPRESS' | 'both';

export interface CostLine {
  readonly service: string;
  readonly item: string;
  /** Quantity per 1,000 checkouts, in `unit`. */
  readonly quantity: number;
  readonly unit: string;
  readonly usd: number;
  readonly workflow: Workflow;
  /** Measured (counted by the runtime), template (read from cdk.out) or assumed (see ASSUMPTIONS). */
  readonly basis: 'measured' | 'template' | 'assumed';
}

export interface CostEstimate {
  readonly lines: CostLine[];
  readonly perThousand: { readonly STANDARD: number; readonly EXPRESS: number };
  /** Of the STANDARD total, what the simulated payment provider and mailbox cost (a real deployment pays its providers instead). */
  readonly simulatedUsd: number;
  readonly inputs: {
    readonly benchRun: string;
    readonly checkoutsCounted: number;
    readonly durationsFrom: string;
    readonly executionMs: number;
  };
  readonly notes: string[];
}

const PER = 1000;
const GB = 1024 ** 3;

/** The run with the median throughput at the lowest concurrency: the least contended durations. */
function lowLoadRun(results: BenchResults): { concurrency: number; run: RunResult } {
  const point = [...results.sweep].sort((a, b) => a.concurrency - b.concurrency)[0];
  if (!point) throw new Error('the bench results have no sweep');
  const runs = [...point.runs].sort((a, b) => a.throughput - b.throughput);
  const run = runs[Math.floor(runs.length / 2)] ?? runs[0];
  if (!run) throw new Error('the bench results have no runs');
  return { concurrency: point.concurrency, run };
}

function memoryGb(facts: TemplateFacts, fn: string, fallbackMb: number): number {
  return (facts.functions[fn]?.memoryMb ?? fallbackMb) / 1024;
}

export function estimate(results: BenchResults, facts: TemplateFacts): CostEstimate {
  const c: CheckoutCounts = results.checkout;
  const low = lowLoadRun(results);
  const durations = low.run.counts.lambda.byFunction;
  const lines: CostLine[] = [];
  const add = (line: CostLine) => lines.push(line);
  const notes: string[] = [];

  // Lambda
  add({
    service: 'Lambda',
    item: 'requests',
    quantity: c.lambda.invocations * PER,
    unit: 'invocations',
    usd: c.lambda.invocations * PER * PRICES.lambda.request,
    workflow: 'both',
    basis: 'measured',
  });
  let gbSeconds = 0;
  for (const [fn, f] of Object.entries(c.lambda.byFunction)) {
    const ms = durations[fn]?.avgDurationMs ?? f.avgDurationMs;
    gbSeconds += f.invocations * (ms / 1000) * memoryGb(facts, fn, f.memoryMb);
  }
  add({
    service: 'Lambda',
    item: `duration (arm64, template memory; warm durations at ${low.concurrency} in flight)`,
    quantity: gbSeconds * PER,
    unit: 'GB-s',
    usd: gbSeconds * PER * PRICES.lambda.arm64GbSecond,
    workflow: 'both',
    basis: 'measured',
  });
  const cold = new Map((results.coldStarts ?? []).map((s) => [s.function, s.loadMs]));
  let initGbSeconds = 0;
  for (const [fn, f] of Object.entries(c.lambda.byFunction)) {
    const loadMs = cold.get(fn);
    if (loadMs === undefined || !Number.isFinite(loadMs)) continue;
    initGbSeconds += f.invocations * ASSUMPTIONS.coldStartRate * (loadMs / 1000) * memoryGb(facts, fn, f.memoryMb);
  }
  if (initGbSeconds > 0) {
    add({
      service: 'Lambda',
      item: `init phase of cold starts (${ASSUMPTIONS.coldStartRate * 100}% of invocations, measured load times)`,
      quantity: initGbSeconds * PER,
      unit: 'GB-s',
      usd: initGbSeconds * PER * PRICES.lambda.arm64GbSecond,
      workflow: 'both',
      basis: 'assumed',
    });
  }

  // DynamoDB
  add({
    service: 'DynamoDB',
    item: `write request units (${c.dynamodb.writeItems} items, ${c.dynamodb.conditionCheckItems} condition checks; transactions x2, indexes ${c.dynamodb.indexWriteUnits})`,
    quantity: c.dynamodb.writeUnits * PER,
    unit: 'WRU',
    usd: c.dynamodb.writeUnits * PER * PRICES.dynamodb.writeRequestUnit,
    workflow: 'both',
    basis: 'measured',
  });
  add({
    service: 'DynamoDB',
    item: `read request units (${c.dynamodb.readItems} items)`,
    quantity: c.dynamodb.readUnits * PER,
    unit: 'RRU',
    usd: c.dynamodb.readUnits * PER * PRICES.dynamodb.readRequestUnit,
    workflow: 'both',
    basis: 'measured',
  });
  add({
    service: 'DynamoDB',
    item: 'stream reads by the relay (free for Lambda triggers)',
    quantity: c.stream.recordsRead * PER,
    unit: 'records',
    usd: 0,
    workflow: 'both',
    basis: 'measured',
  });

  // EventBridge
  add({
    service: 'EventBridge',
    item: 'custom events put (outbox events; Step Functions status changes are free)',
    quantity: c.events.put * PER,
    unit: 'events',
    usd: c.events.put * PER * PRICES.eventbridge.customEvent,
    workflow: 'both',
    basis: 'measured',
  });
  if (facts.archive) {
    const eventBytes = results.itemSizes['OUTBOX/OUTBOX']?.avgBytes ?? 1024;
    const archivedGb = (c.events.put * PER * eventBytes) / GB;
    add({
      service: 'EventBridge',
      item: `archive: events processed + one month of storage (${eventBytes} B per event)`,
      quantity: archivedGb,
      unit: 'GB',
      usd: archivedGb * (PRICES.eventbridge.archivePerGb + PRICES.eventbridge.archiveStoragePerGbMonth),
      workflow: 'both',
      basis: 'measured',
    });
  }

  // Step Functions
  add({
    service: 'Step Functions',
    item: 'STANDARD state transitions',
    quantity: c.stateTransitions * PER,
    unit: 'transitions',
    usd: c.stateTransitions * PER * PRICES.stepFunctions.standardTransition,
    workflow: 'STANDARD',
    basis: 'measured',
  });
  // Billing follows the total duration, so the mean (not the median) of the executions.
  const executionMs = low.run.load.execution.mean;
  const billedSeconds = Math.ceil(executionMs / 100) / 10;
  add({
    service: 'Step Functions',
    item: 'EXPRESS requests',
    quantity: PER,
    unit: 'executions',
    usd: PER * PRICES.stepFunctions.expressRequest,
    workflow: 'EXPRESS',
    basis: 'measured',
  });
  add({
    service: 'Step Functions',
    item: `EXPRESS duration (${Math.round(executionMs)} ms mean, billed ${billedSeconds} s x 64 MB)`,
    quantity: PER * billedSeconds * ASSUMPTIONS.expressMemoryGb,
    unit: 'GB-s',
    usd: PER * billedSeconds * ASSUMPTIONS.expressMemoryGb * PRICES.stepFunctions.expressGbSecond,
    workflow: 'EXPRESS',
    basis: 'measured',
  });
  if (facts.stateMachine && facts.stateMachine.logLevel !== 'OFF' && results.sagaHistory) {
    const gb = (results.sagaHistory.bytes * PER) / GB;
    add({
      service: 'CloudWatch Logs',
      item: `saga execution log (Level ${facts.stateMachine.logLevel}${facts.stateMachine.includesData ? ', with data' : ''}: ${results.sagaHistory.events} events, ${results.sagaHistory.bytes} B)`,
      quantity: gb,
      unit: 'GB',
      usd: gb * PRICES.cloudwatchLogs.ingestionPerGb,
      workflow: 'both',
      basis: 'measured',
    });
  }

  // HTTP API
  add({
    service: 'API Gateway',
    item: 'HTTP API requests (POST /orders; status reads by clients not included)',
    quantity: c.apiRequests * PER,
    unit: 'requests',
    usd: c.apiRequests * PER * PRICES.apiGateway.httpRequest,
    workflow: 'both',
    basis: 'measured',
  });

  // Logs
  const functionLogBytes = Object.values(results.logBytesPerCheckout ?? {}).reduce((a, b) => a + b, 0);
  const platformLogBytes = c.lambda.invocations * ASSUMPTIONS.lambdaPlatformLogBytesPerInvocation;
  const lambdaLogGb = ((functionLogBytes + platformLogBytes) * PER) / GB;
  add({
    service: 'CloudWatch Logs',
    item: `Lambda logs (${functionLogBytes} B measured + ${Math.round(platformLogBytes)} B platform lines per checkout)`,
    quantity: lambdaLogGb,
    unit: 'GB',
    usd: lambdaLogGb * PRICES.cloudwatchLogs.ingestionPerGb,
    workflow: 'both',
    basis: 'measured',
  });
  if (facts.apiAccessLogs) {
    const gb = (c.apiRequests * ASSUMPTIONS.apiAccessLogBytesPerRequest * PER) / GB;
    add({
      service: 'CloudWatch Logs',
      item: 'HTTP API access logs',
      quantity: gb,
      unit: 'GB',
      usd: gb * PRICES.cloudwatchLogs.ingestionPerGb,
      workflow: 'both',
      basis: 'assumed',
    });
  }

  // X-Ray (active tracing on every function and the state machine)
  const traces =
    (c.apiRequests * ASSUMPTIONS.traceRootsPerApiRequest + c.stream.batches) * PRICES.xray.defaultSamplingRate;
  add({
    service: 'X-Ray',
    item: 'traces recorded (default sampling, about 5% at volume)',
    quantity: traces * PER,
    unit: 'traces',
    usd: traces * PER * PRICES.xray.tracePerRecorded,
    workflow: 'both',
    basis: 'assumed',
  });
  add({
    service: 'SQS',
    item: 'dead-letter queues only (none on the hot path)',
    quantity: 0,
    unit: 'requests',
    usd: 0,
    workflow: 'both',
    basis: 'template',
  });

  const total = (workflow: 'STANDARD' | 'EXPRESS') =>
    lines.filter((l) => l.workflow === 'both' || l.workflow === workflow).reduce((n, l) => n + l.usd, 0);
  const simulatedWru = c.dynamodb.writesByKind
    .filter((w) => w.simulated)
    .reduce((n, w) => n + w.items + w.transactional, 0);
  notes.push(
    'DynamoDB units: reads and single-item writes as DynamoDB Local reports them (item size and index writes included); transactions computed by the runtime at 2 units per item and KB. An index entry removed by a transactional Put that replaces an item (the order leaving the open-orders index when confirmed) is not counted: about 2 WRU more per checkout.',
    'Lambda durations are the local warm averages at the lowest concurrency: they include DynamoDB Local and the local services, and a 2-core machine, not a 512 MB Graviton slice (about 0.3 vCPU). Even at three times these durations Lambda compute stays a small share.',
    'Not per checkout, so not here: storage (DynamoDB, logs, archive beyond a month), CloudWatch custom metrics and alarms, the dashboard, the reconciler every 5 minutes.',
    'EXPRESS changes semantics, not just price: at-least-once execution, no name-based de-duplication (the saga starter would rely on its Powertools idempotency alone), 5 minutes at most (the saga timeout is 30 minutes), and history only in CloudWatch Logs.',
  );
  return {
    lines,
    perThousand: { STANDARD: total('STANDARD'), EXPRESS: total('EXPRESS') },
    simulatedUsd: simulatedWru * PER * PRICES.dynamodb.writeRequestUnit,
    inputs: {
      benchRun: results.startedAt,
      checkoutsCounted: c.orders,
      durationsFrom: `${low.concurrency} in flight`,
      executionMs,
    },
    notes,
  };
}
