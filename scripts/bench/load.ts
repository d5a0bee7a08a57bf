/**
 * The load: checkouts through the HTTP API, either closed-loop (`concurrency` checkouts in flight: each worker places
 * an order and waits until it is final before placing the next) or open-loop (`rate` orders per second whatever
 * happens, the way independent customers arrive). Latency is measured from the request to the 202 and from the
 * request to the final status.
 */
import type { ApiClient } from './api-client';
import type { FinalWatcher } from './final-watcher';
import { progress } from './progress';
import { LatencyHistogram, type Percentiles } from './stats';

export interface LoadOptions {
  readonly api: ApiClient;
  readonly watcher: FinalWatcher;
  readonly skus: readonly string[];
  readonly orders: number;
  /** Checkouts in flight (closed loop; ignored with `rate`). */
  readonly concurrency: number;
  /** Orders per second (open loop). */
  readonly rate?: number;
  readonly label: string;
  readonly finalTimeoutMs?: number;
}

export interface LoadResult {
  readonly orders: number;
  readonly accepted: number;
  readonly rejected: Record<string, number>;
  readonly notFinal: number;
  readonly orderIds: string[];
  /** From the first request to the last final status. */
  readonly durationMs: number;
  readonly finalPerSecond: number;
  readonly toAccepted: Percentiles;
  readonly toFinal: Percentiles;
  /** The saga executions' own durations (start to stop). */
  readonly execution: Percentiles;
  /** Open loop: how late the last request left, compared with its schedule (the generator kept up if small). */
  readonly maxLagMs: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const toAccepted = new LatencyHistogram();
  const toFinal = new LatencyHistogram();
  const execution = new LatencyHistogram();
  const rejected: Record<string, number> = {};
  const orderIds: string[] = [];
  let notFinal = 0;
  let finals = 0;
  let lastFinalAt = 0;
  let maxLagMs = 0;
  const bar = progress(options.label, options.orders);
  const started = performance.now();

  const checkout = async (index: number): Promise<void> => {
    const sku = options.skus[index % options.skus.length] ?? '';
    const t0 = performance.now();
    let response: Awaited<ReturnType<ApiClient['placeOrder']>>;
    try {
      response = await options.api.placeOrder(`bench-${index % 50}`, sku);
    } catch (error) {
      const key = (error as Error).name || 'Error';
      rejected[key] = (rejected[key] ?? 0) + 1;
      return;
    }
    toAccepted.record(performance.now() - t0);
    const orderId = response.body.orderId;
    if (response.status !== 202 || typeof orderId !== 'string') {
      rejected[String(response.status)] = (rejected[String(response.status)] ?? 0) + 1;
      return;
    }
    orderIds.push(orderId);
    try {
      const closed = await options.watcher.waitFor(orderId, options.finalTimeoutMs ?? 120_000);
      toFinal.record(closed.closedAt - t0);
      execution.record(closed.executionMs);
      lastFinalAt = Math.max(lastFinalAt, closed.closedAt);
      finals += 1;
    } catch {
      notFinal += 1;
    }
    bar.tick(finals + notFinal, `${options.concurrency} in flight`);
  };

  if (options.rate === undefined) {
    let next = 0;
    const worker = async () => {
      while (next < options.orders) await checkout(next++);
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } else {
    const interval = 1000 / options.rate;
    const pending: Promise<void>[] = [];
    for (let i = 0; i < options.orders; i++) {
      const due = started + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      maxLagMs = Math.max(maxLagMs, performance.now() - due);
      pending.push(checkout(i));
    }
    await Promise.all(pending);
  }
  const durationMs = (lastFinalAt || performance.now()) - started;
  bar.end(`${finals} final, ${((finals / durationMs) * 1000).toFixed(1)}/s`);
  return {
    orders: options.orders,
    accepted: orderIds.length,
    rejected,
    notFinal,
    orderIds,
    durationMs,
    finalPerSecond: (finals / durationMs) * 1000,
    toAccepted: toAccepted.percentiles(),
    toFinal: toFinal.percentiles(),
    execution: execution.percentiles(),
    maxLagMs,
  };
}
