/**
 * `npm run bench`: checkout throughput and latency on the local runtime, against the limit of the same machine
 * (DynamoDB Local's own conditional-write rate), per-checkout counts from the runtime's metrics, cold starts and
 * bundle sizes. Writes bench-results/latest.json (read by `npm run cost`) and prints the tables; `--docs` also
 * writes docs/perf/latest-run.md and docs/perf/sweep.svg. See docs/perf/README.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoRawClient } from '../../local/dynamodb/raw-client';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import { ApiClient } from './api-client';
import { sweepChart } from './chart';
import { measureColdStarts } from './cold-start';
import { type CheckoutCounts, checkoutCounts, quiet, shortFunctionName } from './counts';
import { cpuSample, cpuSince } from './cpu';
import { FinalWatcher } from './final-watcher';
import { itemSizesByKind } from './item-sizes';
import { runLoad } from './load';
import { machineInfo } from './machine';
import { note } from './progress';
import { RawWriteProbe } from './raw-writes';
import { markdownReport } from './report';
import type { BenchResults, HalfLoad, RunResult, SweepPoint } from './results';
import { median, medianPercentiles, round } from './stats';

const USAGE = `Usage: npm run bench -- [options]

  --concurrency <list>  checkouts in flight, one sweep point each (default: 1,4,16,64)
  --runs <n>            measured runs per point; medians are reported (default: 3)
  --orders <n>          orders per run (default: max(40, 6 x concurrency))
  --raw-writes <n>      conditional puts per limit burst (default: 2000)
  --workers <n>         execution environments per function (the runtime's --workers; default: 4)
  --cold-samples <n>    fresh loads per function for the cold starts; 0 skips them (default: 5)
  --no-half-load        skip the open-loop run at half the best throughput
  --out <file>          result file (default: bench-results/latest.json, plus a dated copy)
  --docs                also write docs/perf/latest-run.md and docs/perf/sweep.svg
  -h, --help            this text
`;

function options(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      concurrency: { type: 'string', default: '1,4,16,64' },
      runs: { type: 'string', default: '3' },
      orders: { type: 'string' },
      'raw-writes': { type: 'string', default: '2000' },
      workers: { type: 'string', default: '4' },
      'cold-samples': { type: 'string', default: '5' },
      'no-half-load': { type: 'boolean', default: false },
      out: { type: 'string' },
      docs: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const int = (name: string, text: string | undefined, min: number) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min} (got ${text})`);
    return n;
  };
  return {
    help: values.help,
    concurrency: values.concurrency.split(',').map((c) => int('concurrency', c.trim(), 1)),
    runs: int('runs', values.runs, 1),
    orders: values.orders === undefined ? undefined : int('orders', values.orders, 1),
    rawWrites: int('raw-writes', values['raw-writes'], 100),
    workers: int('workers', values.workers, 1),
    coldSamples: int('cold-samples', values['cold-samples'], 0),
    halfLoad: !values['no-half-load'],
    out: values.out,
    docs: values.docs,
  };
}

type Options = ReturnType<typeof options>;

interface Session {
  readonly runtime: LocalRuntime;
  readonly api: ApiClient;
  readonly watcher: FinalWatcher;
  readonly skus: string[];
  readonly memoryOf: (name: string) => number;
  readonly appTable: string;
  /** The limit: conditional puts into one twin table, measured after each run. */
  readonly probe: RawWriteProbe;
  /** Function log bytes, counted only while `on` (counting costs CPU). */
  readonly logCount: { on: boolean; readonly bytes: Map<string, number> };
}

async function confirmedOf(
  api: ApiClient,
  orderIds: readonly string[],
): Promise<{ confirmed: number; cancelled: number }> {
  let confirmed = 0;
  let cancelled = 0;
  let next = 0;
  const worker = async () => {
    while (next < orderIds.length) {
      const status = await api.orderStatus(orderIds[next++] ?? '');
      if (status === 'CONFIRMED') confirmed += 1;
      else if (status === 'CANCELLED') cancelled += 1;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { confirmed, cancelled };
}

async function measuredRun(
  session: Session,
  concurrency: number,
  orders: number,
  rawWrites: number,
  label: string,
): Promise<RunResult> {
  const { runtime, api, watcher, skus } = session;
  const javaPid = runtime.summary.dynamodb.pid;
  const before = await quiet(() => runtime.metrics());
  const cpuBefore = cpuSample(javaPid);
  const load = await runLoad({ api, watcher, skus, orders, concurrency, label });
  const cpuAfterLoad = cpuSample(javaPid);
  const after = await quiet(() => runtime.metrics());
  const counts = checkoutCounts(before, after, load.accepted, session.memoryOf);
  const { confirmed, cancelled } = await confirmedOf(api, load.orderIds);
  const raw = await session.probe.measure(concurrency, rawWrites);
  const throughput = (confirmed / load.durationMs) * 1000;
  const bound = raw.writesPerSecond / Math.max(1, counts.dynamodb.writeItems);
  const { orderIds: _ids, ...loadSummary } = load;
  return {
    load: loadSummary,
    confirmed,
    cancelled,
    throughput: round(throughput),
    counts,
    cpu: cpuSince(cpuBefore, cpuAfterLoad),
    raw,
    bound: round(bound),
    ratio: round(throughput / bound, 3),
  };
}

async function sweepPoint(session: Session, opts: Options, concurrency: number): Promise<SweepPoint> {
  const orders = opts.orders ?? Math.max(40, 6 * concurrency);
  // Warm-up: fills the worker pools to this concurrency and warms the JIT; not measured.
  await runLoad({
    ...session,
    orders: Math.max(10, 2 * concurrency),
    concurrency,
    label: `c=${concurrency} warm-up`,
  });
  const runs: RunResult[] = [];
  for (let run = 1; run <= opts.runs; run++) {
    runs.push(
      await measuredRun(session, concurrency, orders, opts.rawWrites, `c=${concurrency} run ${run}/${opts.runs}`),
    );
  }
  const perCheckout = (cpu: (r: RunResult) => number | undefined) =>
    round(median(runs.map((r) => (cpu(r) ?? Number.NaN) / Math.max(1, r.confirmed))), 1);
  const throughput = round(median(runs.map((r) => r.throughput)));
  const cpuMsPerCheckout = perCheckout((r) => r.cpu.nodeMs) + perCheckout((r) => r.cpu.javaMs);
  const cpuBound = round((cpus().length * 1000) / cpuMsPerCheckout);
  return {
    concurrency,
    runs,
    median: {
      throughput,
      toAccepted: medianPercentiles(runs.map((r) => r.load.toAccepted)),
      toFinal: medianPercentiles(runs.map((r) => r.load.toFinal)),
      rawWritesPerSecond: round(median(runs.map((r) => r.raw.writesPerSecond)), 0),
      writeItemsPerCheckout: round(median(runs.map((r) => r.counts.dynamodb.writeItems))),
      bound: round(median(runs.map((r) => r.bound))),
      ratio: round(median(runs.map((r) => r.ratio)), 3),
      nodeCpuMsPerCheckout: perCheckout((r) => r.cpu.nodeMs),
      mainThreadCpuMsPerCheckout: perCheckout((r) => r.cpu.mainThreadMs),
      javaCpuMsPerCheckout: perCheckout((r) => r.cpu.javaMs),
      mainThreadUtilization: round(median(runs.map((r) => r.cpu.mainThreadUtilization)), 2),
      javaCpuMsPerPut: round(median(runs.map((r) => r.raw.javaCpuMsPerPut ?? Number.NaN)), 2),
      cpuBound,
      cpuRatio: round(throughput / cpuBound, 3),
    },
  };
}

async function halfLoad(session: Session, opts: Options, bestThroughput: number): Promise<HalfLoad> {
  const rate = round(bestThroughput / 2, 1);
  const orders = Math.max(100, Math.round(rate * 20));
  const runs: HalfLoad['runs'] = [];
  for (let run = 1; run <= opts.runs; run++) {
    await quiet(() => session.runtime.metrics());
    const load = await runLoad({
      ...session,
      orders,
      concurrency: orders,
      rate,
      label: `${rate}/s open loop ${run}/${opts.runs}`,
    });
    runs.push({ throughput: round(load.finalPerSecond), toAccepted: load.toAccepted, toFinal: load.toFinal });
  }
  return {
    rate,
    runs,
    median: {
      throughput: round(median(runs.map((r) => r.throughput))),
      toAccepted: medianPercentiles(runs.map((r) => r.toAccepted)),
      toFinal: medianPercentiles(runs.map((r) => r.toFinal)),
    },
  };
}

/** Log bytes per checkout by function, over a few sequential checkouts (counting costs CPU, so only here). */
async function logBytesPerCheckout(session: Session): Promise<Record<string, number>> {
  const { logCount } = session;
  await quiet(() => session.runtime.metrics());
  logCount.bytes.clear();
  logCount.on = true;
  const load = await runLoad({ ...session, orders: 20, concurrency: 2, label: 'log volume' });
  await quiet(() => session.runtime.metrics());
  logCount.on = false;
  return Object.fromEntries(
    [...logCount.bytes].map(([fn, bytes]) => [shortFunctionName(fn), Math.round(bytes / Math.max(1, load.accepted))]),
  );
}

/** Median size of recent successful checkout executions' histories (each event as Step Functions would log it). */
function historySize(runtime: LocalRuntime): BenchResults['sagaHistory'] {
  const checkouts = runtime
    .executions()
    .filter((e) => e.status === 'SUCCEEDED' && !e.name.endsWith('-cancel'))
    .slice(0, 50);
  if (checkouts.length === 0) return undefined;
  return {
    executions: checkouts.length,
    events: median(checkouts.map((e) => e.history.length)),
    bytes: median(checkouts.map((e) => e.history.reduce((n, event) => n + JSON.stringify(event).length + 1, 0))),
  };
}

async function main(): Promise<void> {
  // The bench talks to the local Step Functions endpoint with the SDK; its Node 20 notice is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const opts = options(process.argv.slice(2));
  if (opts.help) {
    process.stdout.write(USAGE);
    return;
  }
  const startedAt = new Date().toISOString();
  const watcher = new FinalWatcher();
  const logCount = { on: false, bytes: new Map<string, number>() };
  note('starting the local runtime (synthesizes when cdk.out is stale) ...');
  const runtime = await startLocalRuntime({
    port: 0,
    synth: 'auto',
    workerPoolSize: opts.workers,
    dynamodbCapacity: true,
    onExecutionStatusChange: watcher.onStatusChange,
    logs: (line) => {
      if (!logCount.on || typeof line.fn !== 'string') return;
      const { fn, ...rest } = line;
      logCount.bytes.set(fn, (logCount.bytes.get(fn) ?? 0) + JSON.stringify(rest).length + 1);
    },
  });
  try {
    const api = new ApiClient(runtime.apiUrl);
    const appTable = Object.values(runtime.tables)[0];
    if (!appTable) throw new Error('the template has no table');
    const memory = new Map(runtime.model.functions.map((f) => [f.name, f.memoryMb]));
    note(`runtime ready in ${runtime.summary.startMs} ms; creating products ...`);
    const session: Session = {
      runtime,
      api,
      watcher,
      skus: await api.stockedSkus(64, 1_000_000),
      memoryOf: (name) => memory.get(name) ?? 0,
      appTable,
      probe: await RawWriteProbe.open(
        runtime.dynamodbLocalEndpoint,
        appTable,
        Math.max(...opts.concurrency),
        runtime.summary.dynamodb.pid,
      ),
      logCount,
    };

    const sweep: SweepPoint[] = [];
    for (const concurrency of opts.concurrency) {
      const point = await sweepPoint(session, opts, concurrency);
      sweep.push(point);
      const m = point.median;
      note(
        `c=${concurrency}: ${m.throughput}/s confirmed, final p50 ${m.toFinal.p50} ms p99 ${m.toFinal.p99} ms, ` +
          `bound ${m.bound}/s (${m.rawWritesPerSecond} puts/s / ${m.writeItemsPerCheckout} writes), ratio ${m.ratio}`,
      );
    }
    const bestPoint = sweep.reduce((a, b) => (b.median.throughput > a.median.throughput ? b : a));
    const best = {
      concurrency: bestPoint.concurrency,
      throughput: bestPoint.median.throughput,
      ratio: bestPoint.median.ratio,
    };
    const byThroughput = [...bestPoint.runs].sort((a, b) => a.throughput - b.throughput);
    const checkout: CheckoutCounts = (byThroughput[Math.floor(byThroughput.length / 2)] ?? byThroughput[0])
      ?.counts as CheckoutCounts;

    const half = opts.halfLoad ? await halfLoad(session, opts, best.throughput) : undefined;
    const logs = await logBytesPerCheckout(session);
    await session.probe.close();
    const sagaHistory = historySize(runtime);
    const db = new DynamoRawClient(runtime.dynamodbLocalEndpoint, 2);
    const itemSizes = await itemSizesByKind(db, appTable);
    db.close();
    const coldStarts =
      opts.coldSamples > 0 ? await measureColdStarts({ runtime, api, watcher, samples: opts.coldSamples }) : undefined;
    // Warm durations from the least loaded sweep point (at high concurrency they include queueing for CPU).
    const leastLoaded = [...sweep].sort((a, b) => a.concurrency - b.concurrency)[0]?.runs[0]?.counts ?? checkout;
    for (const cold of coldStarts ?? []) {
      const warm = leastLoaded.lambda.byFunction[cold.function];
      if (warm) cold.warmInvokeMs = warm.avgDurationMs;
    }

    const results: BenchResults = {
      version: 1,
      startedAt,
      finishedAt: new Date().toISOString(),
      machine: machineInfo(),
      options: { ...opts, help: undefined },
      sweep,
      best,
      halfLoad: half,
      checkout,
      logBytesPerCheckout: logs,
      itemSizes,
      sagaHistory,
      coldStarts,
    };
    const dir = resolve('bench-results');
    mkdirSync(dir, { recursive: true });
    const text = `${JSON.stringify(results, null, 2)}\n`;
    const out = opts.out ? resolve(opts.out) : join(dir, 'latest.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
    if (!opts.out) writeFileSync(join(dir, `bench-${startedAt.replace(/[:.]/g, '-')}.json`), text);
    const report = markdownReport(results);
    process.stdout.write(`\n${report}\n`);
    if (opts.docs) {
      mkdirSync(resolve('docs/perf'), { recursive: true });
      writeFileSync(resolve('docs/perf/latest-run.md'), `${report}\n`);
      writeFileSync(resolve('docs/perf/sweep.svg'), sweepChart(results));
    }
    note(`results: ${out}`);
  } finally {
    await runtime.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
