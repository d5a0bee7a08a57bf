/**
 * One chaos scenario, start to finish, against a fresh local runtime (a child process on its own data):
 *
 *  1. write the scenario's fault file, start the runtime with `--faults`, create the catalog;
 *  2. the load: orders with a few concurrent requests, customer cancellations a moment later (and, per scenario,
 *     a SIGKILL + restart mid-burst, an outage that ends half-way, poison outbox items);
 *  3. wait, with a deadline, until every order is final and nothing runs; an operator's redrive where the scenario
 *     says one would; the reconciler on demand until it finds nothing more to repair;
 *  4. a snapshot, the invariants, the result.
 *
 * `npm run chaos` and the `chaos` jest project both run scenarios through runScenario().
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FaultsConfigInput, parseFaultsConfig } from '../../local/faults-config';
import { ApiClient, pollUntil } from './api';
import { checkInvariants, type Violation } from './invariants';
import { RuntimeObserver } from './observe';
import { PoisonOutboxWriter } from './poison-outbox';
import { RuntimeProcess } from './runtime-process';
import type { Scenario } from './scenarios';
import {
  createCatalog,
  newOutcome,
  type OrderOutcome,
  placeOrders,
  planWorkload,
  sendCancellation,
  sendOrder,
} from './workload';

export interface ScenarioOptions {
  readonly orders: number;
  readonly seed: number;
  readonly projectDir: string;
  /** How long each wait for the run to settle (orders final, nothing running) may take. */
  readonly settleTimeoutMs: number;
  /**
   * The whole scenario's budget: every wait ends by then, so the scenario reports what is not done instead of
   * running on (the jest project gives each scenario a deadline). @default none
   */
  readonly deadlineMs?: number;
  /** Requests in flight while placing orders. @default 6 */
  readonly concurrency?: number;
  /** Progress lines. */
  readonly log?: (line: string) => void;
  /** Keep the runtime's data and log even when the scenario passes. @default false */
  readonly keepData?: boolean;
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly injects: string;
  readonly seed: number;
  readonly planned: number;
  readonly accepted: number;
  readonly confirmed: number;
  readonly cancelled: number;
  readonly cancelReasons: Record<string, number>;
  readonly repairs: number;
  /** Dead letters left at the end (each explained by an injected poison, or a violation). */
  readonly deadLetters: number;
  readonly redriven: number;
  readonly violations: Violation[];
  readonly durationMs: number;
  /** What happened that the table does not show (operator actions, the crash, the reconciler's anomalies). */
  readonly notes: string[];
  readonly dataDir: string | undefined;
}

const writeJsonAtomically = (path: string, value: unknown) => {
  // The runtime polls the file: a half-written file must never be seen.
  writeFileSync(`${path}.tmp`, JSON.stringify(value, null, 2));
  renameSync(`${path}.tmp`, path);
};

/**
 * How long nothing may happen before the runtime counts as quiet: longer than any retry wait of the runtime
 * (2.5 s) plus the longest hold the faults put on a delivery or an invocation (a held delivery runs nothing).
 */
export function quietWindowMs(input: FaultsConfigInput): number {
  const faults = parseFaultsConfig(input);
  const lambdaHold = Math.max(0, ...faults.lambda.map((rule) => rule.delay?.maxMs ?? 0));
  const deliveryHold = faults.events.reduce((sum, rule) => sum + (rule.delay?.maxMs ?? 0), 0);
  return 2_500 + Math.max(lambdaHold, deliveryHold);
}

/**
 * What the faults did, from the runtime's metrics (counted since its last start): invocations that failed, events
 * that failed or were retried, and with the partition model, the throttles and the hottest keys.
 */
async function faultNotes(api: ApiClient): Promise<string[]> {
  const metrics = await api.local<{
    lambdaTotals?: { invocations: number; errors: number; coldStarts: number };
    events?: Record<string, number>;
    dynamodb?: { partitions?: PartitionsView };
  }>('/_local/metrics');
  const notes: string[] = [];
  const lambda = metrics.lambdaTotals;
  const events = metrics.events ?? {};
  if (lambda)
    notes.push(
      `runtime (since its last start): ${lambda.invocations} invocations, ${lambda.errors} failed, ` +
        `${lambda.coldStarts} cold starts; events put ${events.put ?? 0}, failed ${events.putFailed ?? 0}, ` +
        `delivery retries ${events.deliveryRetries ?? 0}, dead-lettered ${events.deadLettered ?? 0}`,
    );
  const partitions = metrics.dynamodb?.partitions;
  if (partitions && partitions.keys > 0) {
    const hottest = partitions.hottestWrites[0];
    const throttled = partitions.mostThrottled.slice(0, 3);
    const name = (k: { key: string; index?: string }) => `${k.key}${k.index ? ` (${k.index})` : ''}`;
    notes.push(
      `partitions: ${partitions.keys} keys, ${partitions.writeThrottles} write and ${partitions.readThrottles} read ` +
        `throttles; hottest ${hottest ? `${name(hottest)} ${hottest.writeUnits} WCU, peak ${hottest.peakWriteUnitsPerSecond} WCU/s` : '-'}` +
        (throttled.length
          ? `; most throttled: ${throttled.map((k) => `${name(k)} ${k.writeThrottles + k.readThrottles}`).join(', ')}`
          : ''),
    );
  }
  return notes;
}

interface PartitionsView {
  keys: number;
  writeThrottles: number;
  readThrottles: number;
  hottestWrites: { key: string; index?: string; writeUnits: number; peakWriteUnitsPerSecond: number }[];
  mostThrottled: { key: string; index?: string; writeThrottles: number; readThrottles: number }[];
}

/** The customers' cancellations: when they met their order, and how they were answered. */
export function cancellationNote(outcomes: readonly OrderOutcome[]): string | undefined {
  const cancels = outcomes.flatMap((o) => (o.cancel ? [o.cancel] : []));
  if (cancels.length === 0) return undefined;
  const count = (f: (c: (typeof cancels)[number]) => boolean) => cancels.filter(f).length;
  return (
    `cancellations: ${cancels.length} sent; 202 ${count((c) => c.state === 'requested')} ` +
    `(${count((c) => c.orderStatus === 'PENDING')} while PENDING, ${count((c) => c.orderStatus === 'CONFIRMED')} once CONFIRMED), ` +
    `409 already cancelled ${count((c) => c.code === 'ORDER_ALREADY_CANCELLED')}, ` +
    `other ${count((c) => c.state === 'refused' && c.code !== 'ORDER_ALREADY_CANCELLED')}, ` +
    `unanswered ${count((c) => c.state === 'unknown')}`
  );
}

export async function runScenario(scenario: Scenario, options: ScenarioOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), `chaos-${scenario.name}-`));
  const faultsFile = join(dir, 'faults.json');
  const faults: FaultsConfigInput = scenario.faults(options.seed);
  const quietMs = quietWindowMs(faults);
  writeJsonAtomically(faultsFile, faults);
  const start = () =>
    RuntimeProcess.start({
      projectDir: options.projectDir,
      persistDir: join(dir, 'data'),
      faultsFile,
      logFile: join(dir, 'runtime.log'),
    });
  let runtime = await start();
  const notes: string[] = [];
  let keep = options.keepData ?? false;
  try {
    const api = new ApiClient(runtime.apiUrl);
    const observer = new RuntimeObserver(api, runtime.health);
    const runId = `s${options.seed}`;
    const plan = planWorkload(options.seed, options.orders, runId, scenario.workload);
    await createCatalog(api, plan.skus);
    log(`${scenario.name}: runtime up, ${plan.skus.length} skus, placing ${plan.orders.length} orders`);

    const outcomes = plan.orders.map(newOutcome);
    const cancellations: Promise<void>[] = [];
    const concurrency = options.concurrency ?? 6;
    const tableName = await observer.tableName();
    let poisonWriter: PoisonOutboxWriter | undefined;
    if (scenario.poisonOutboxRate)
      poisonWriter = new PoisonOutboxWriter(() => runtime.health.dynamodbEndpoint, tableName, runId);
    const poisonEvery = scenario.poisonOutboxRate ? Math.max(1, Math.round(1 / scenario.poisonOutboxRate)) : 0;

    let crash: Promise<void> | undefined;
    const crashIndex = scenario.crashAt === undefined ? -1 : Math.floor(outcomes.length * scenario.crashAt);
    const writePoison = async (writer: PoisonOutboxWriter) => {
      try {
        await writer.write();
      } catch (error) {
        if (!crash) throw error;
        await crash; // the write met the crash: write it again (same key) to the restarted runtime
        await writer.write();
      }
    };
    const beforeEach = async (index: number) => {
      if (index === crashIndex) {
        crash = (async () => {
          const inFlight = outcomes.slice(0, index).filter((o) => o.state === 'unknown').length;
          const killAt = new Date().toISOString();
          await runtime.kill();
          const killedAt = Date.now();
          runtime = await start();
          observer.rebind(runtime.health);
          notes.push(
            `crash: SIGKILL at ${killAt} after ${index} orders were sent (${inFlight} without an answer yet), ` +
              `restarted on the same data in ${((Date.now() - killedAt) / 1000).toFixed(1)} s`,
          );
        })();
      }
      if (crash && index >= crashIndex) await crash;
      if (poisonWriter && index % poisonEvery === poisonEvery - 1) await writePoison(poisonWriter);
    };

    /** Rewrites the fault file and waits until the runtime reloaded it (its next `faults: reloaded` line). */
    const rewriteFaults = async (next: FaultsConfigInput) => {
      const reloads = () => runtime.faultLines().filter((line) => line.startsWith('faults: reloaded')).length;
      const before = reloads();
      writeJsonAtomically(faultsFile, next);
      if (!(await pollUntil(async () => (reloads() > before ? true : undefined), Date.now() + 10_000, 100)))
        throw new Error('the runtime did not reload the fault file within 10 s');
    };
    const place = (list: OrderOutcome[]) => placeOrders(api, list, { concurrency, beforeEach, cancellations });
    const budgetEnd = started + (options.deadlineMs ?? Number.POSITIVE_INFINITY);
    const settleBy = () => Math.min(Date.now() + options.settleTimeoutMs, budgetEnd);
    if (scenario.outageFirstHalf) {
      const half = Math.floor(outcomes.length / 2);
      await place(outcomes.slice(0, half));
      await Promise.all(cancellations);
      const firstHalf = outcomes.slice(0, half).flatMap((o) => (o.orderId ? [o.orderId] : []));
      await observer.settle(firstHalf, settleBy(), quietMs);
      await rewriteFaults({ ...faults, outages: [] });
      notes.push(`outage: ended after the first ${half} orders were final (fault file rewritten, reloaded)`);
      await place(outcomes.slice(half));
    } else {
      await place(outcomes);
    }
    await Promise.all(cancellations);
    if (crash) await crash;

    // A client whose answer was lost sends again with the same Idempotency-Key.
    for (let attempt = 0; attempt < 3; attempt++) {
      const unknown = outcomes.filter((o) => o.state === 'unknown');
      const cancels = outcomes.filter((o) => o.cancel?.state === 'unknown');
      if (unknown.length === 0 && cancels.length === 0) break;
      for (const o of unknown) await sendOrder(api, o);
      for (const o of cancels) await sendCancellation(api, o);
      if (unknown.length + cancels.length > 0)
        notes.push(`client: sent ${unknown.length} order(s) and ${cancels.length} cancellation(s) again (same keys)`);
    }
    poisonWriter?.close();
    const loadDone = Date.now();
    log(`${scenario.name}: load sent in ${((loadDone - started) / 1000).toFixed(1)} s, waiting for quiet`);

    const acceptedIds = outcomes.flatMap((o) => (o.orderId ? [o.orderId] : []));
    const settle = () => observer.settle(acceptedIds, settleBy(), quietMs);
    let state = await settle();
    if (!state.quiet) notes.push('not quiet before the deadline');
    log(`${scenario.name}: quiet after ${((Date.now() - loadDone) / 1000).toFixed(1)} s`);

    let redriven = 0;
    const redrive = async (when: 'before-reconcile' | 'after-reconcile') => {
      for (const r of (scenario.redrive ?? []).filter((x) => (x.when ?? 'before-reconcile') === when)) {
        const reports = await observer.redrive(r.queue);
        for (const report of reports) {
          redriven += report.redriven;
          notes.push(
            `operator: redrove ${report.queue.replace(/^.*DeadLetters/, '')} (${report.redriven} redriven, ` +
              `${report.failed} failed, ${report.skipped} skipped): ${r.why}`,
          );
        }
        state = await settle();
      }
    };
    if (scenario.faultsOverBeforeOperator) {
      await rewriteFaults({ seed: faults.seed });
      notes.push('faults over: the fault file was rewritten without faults (reloaded) before the operator acted');
    }
    await redrive('before-reconcile');

    // The reconciler, on demand, with a short deadline: what is not final by now will not get there by itself.
    let repairs = 0;
    const repairKinds: Record<string, number> = {};
    for (let pass = 1; pass <= 3; pass++) {
      const report = await observer.reconcile(1);
      repairs += report.repairs.length;
      for (const anomaly of report.anomalies) notes.push(`reconciler anomaly: ${anomaly}`);
      for (const repair of report.repairs) {
        const kind = (repair as { kind?: string }).kind ?? 'repair';
        repairKinds[kind] = (repairKinds[kind] ?? 0) + 1;
      }
      if (report.repairs.length === 0) break;
      state = await settle();
    }
    if (repairs > 0)
      notes.push(
        `reconciler: ${Object.entries(repairKinds)
          .map(([kind, n]) => `${n} ${kind}`)
          .join(', ')}`,
      );
    await redrive('after-reconcile');
    if (state.pending.length > 0) notes.push(`${state.pending.length} order(s) not final at the deadline`);

    notes.push(...(await faultNotes(api)));
    const customers = [...new Set(plan.orders.map((o) => o.customerId))];
    const snapshot = await observer.snapshot(
      acceptedIds,
      plan.skus.map((s) => s.sku),
      customers,
    );
    const poisonReported = runtime.faultLines().flatMap((line) => /^faults: poison (\S+) \(/.exec(line)?.[1] ?? []);
    const { violations, expectedDeadLetters } = checkInvariants({
      skus: plan.skus,
      outcomes,
      snapshot,
      serverErrors: api.serverErrors,
      poisonReported,
      poisonOutboxMarkers: poisonWriter?.markers ?? [],
      settled: state.quiet,
    });
    if (poisonReported.length || poisonWriter?.markers.length)
      notes.push(
        `poison: ${poisonReported.length} event copies and ${poisonWriter?.markers.length ?? 0} outbox items injected, ` +
          `${expectedDeadLetters} dead letters explained by them`,
      );
    const orders = [...snapshot.orders.values()];
    const cancelReasons: Record<string, number> = {};
    for (const o of orders)
      if (o.status === 'CANCELLED') cancelReasons[o.reason ?? '?'] = (cancelReasons[o.reason ?? '?'] ?? 0) + 1;
    const cancelNote = cancellationNote(outcomes);
    if (cancelNote) notes.push(cancelNote);
    if (api.unavailable.size > 0)
      notes.push(
        `client: ${[...api.unavailable.values()].reduce((a, b) => a + b, 0)} answer(s) 503 TEMPORARILY_UNAVAILABLE ` +
          `with Retry-After, sent again (${[...api.unavailable].map(([route, n]) => `${route} ${n}`).join(', ')})`,
      );
    if (violations.length > 0) keep = true;
    // The client's side of the story, next to the runtime's log, for whoever investigates a violation.
    writeFileSync(
      join(dir, 'client.json'),
      JSON.stringify(
        outcomes.map((o) => ({
          key: o.plan.idempotencyKey,
          state: o.state,
          orderId: o.orderId,
          attempts: o.attempts,
          ...(o.plan.cancelAfterMs === undefined
            ? {}
            : { cancelPlan: { afterMs: o.plan.cancelAfterMs, onceFinal: o.plan.cancelOnceFinal === true } }),
          cancel: o.cancel,
        })),
        null,
        1,
      ),
    );
    return {
      scenario: scenario.name,
      injects: scenario.injects,
      seed: options.seed,
      planned: plan.orders.length,
      accepted: acceptedIds.length,
      confirmed: orders.filter((o) => o.status === 'CONFIRMED').length,
      cancelled: orders.filter((o) => o.status === 'CANCELLED').length,
      cancelReasons,
      repairs,
      deadLetters: snapshot.deadLetters.length,
      redriven,
      violations,
      durationMs: Date.now() - started,
      notes,
      dataDir: keep ? dir : undefined,
    };
  } catch (error) {
    keep = true;
    throw new Error(`${scenario.name}: ${(error as Error).message} (data and runtime log kept in ${dir})`);
  } finally {
    await runtime.stop();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}
