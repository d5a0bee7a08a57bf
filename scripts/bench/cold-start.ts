/**
 * Cold starts: every function's bundle size (from cdk.out) and, over several fresh loads, the time to load the
 * bundle and serve the first invocation. Each sample ends every warm execution environment
 * (`recycleWorkers()`), then drives one scenario through the API that reaches every function with a real event:
 * catalog and stock, a confirmed checkout and its reads, a declined checkout (compensations), a cancellation
 * saga, the reconciler, and an aborted execution (the saga-failure recorder).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { LocalRuntime } from '../../local/runtime';
import type { ApiClient } from './api-client';
import { quiet, shortFunctionName } from './counts';
import type { FinalWatcher } from './final-watcher';
import { progress } from './progress';
import { median, round } from './stats';

export interface ColdStartResult {
  readonly function: string;
  readonly memoryMb: number;
  readonly bundleBytes: number;
  readonly samples: number;
  /** Worker thread created to handler loaded (median). */
  readonly startMs: number;
  /** Requiring the bundle (the init phase, median). */
  readonly loadMs: number;
  /** The first invocation on the fresh environment (median). */
  readonly firstInvokeMs: number;
  /** loadMs + firstInvokeMs of each sample (median). */
  readonly totalMs: number;
  /** Warm invocations of the same function in the sweep (average), for comparison. */
  warmInvokeMs?: number;
}

/** Size of each function's bundled handler in cdk.out (the minified `.js`, without its source map). */
export function bundleBytes(runtime: LocalRuntime): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const fn of runtime.model.functions) {
    if (!fn.codeDir) continue;
    const file = fn.handler.slice(0, fn.handler.lastIndexOf('.'));
    for (const ext of ['.js', '.cjs', '.mjs']) {
      try {
        sizes[fn.name] = statSync(join(fn.codeDir, file + ext)).size;
        break;
      } catch {
        // try the next extension
      }
    }
  }
  return sizes;
}

async function expect(what: string, call: Promise<{ status: number; body: Record<string, unknown> }>, status: number) {
  const response = await call;
  if (response.status !== status) throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

async function scenario(runtime: LocalRuntime, api: ApiClient, watcher: FinalWatcher, round: number): Promise<void> {
  const sku = `COLD-${Date.now().toString(36).toUpperCase()}-${round}`;
  const customer = `cold-${round}`;
  await expect(
    'create product',
    api.call('POST', '/products', { sku, name: sku, priceCents: 900, currency: 'EUR' }),
    201,
  );
  await expect('restock', api.call('POST', `/inventory/${sku}/restock`, { quantity: 50 }), 200);
  await expect('get product', api.call('GET', `/products/${sku}`), 200);
  await expect('list products', api.call('GET', '/products?limit=5'), 200);
  await expect('get inventory', api.call('GET', `/inventory/${sku}`), 200);

  const placed = await expect('place order', api.placeOrder(customer, sku), 202);
  const orderId = String(placed.orderId);
  await watcher.waitFor(orderId, 60_000);
  await quiet(() => runtime.metrics(), 10_000);
  await expect('get order', api.call('GET', `/orders/${orderId}`), 200);
  await expect('customer orders', api.call('GET', `/customers/${customer}/orders`), 200);
  await expect('payments', api.call('GET', `/orders/${orderId}/payments`), 200);
  await expect('notifications', api.call('GET', `/customers/${customer}/notifications`), 200);

  const declined = await expect(
    'declined order',
    api.call('POST', '/orders', {
      customerId: customer,
      items: [{ sku, quantity: 1 }],
      paymentToken: 'tok_chargeDeclined',
    }),
    202,
  );
  await watcher.waitFor(String(declined.orderId), 60_000);

  await expect('cancel', api.call('POST', `/orders/${orderId}/cancel`), 202);
  await watcher.waitFor(`${orderId}-cancel`, 60_000);

  const reconciler = runtime.model.rules.find((r) => r.schedule !== undefined);
  if (reconciler)
    await expect('reconciler', api.call('POST', `/_local/schedules/${encodeURIComponent(reconciler.name)}`), 200);

  // An execution that fails: the provider keeps timing out (retries), and we abort it meanwhile.
  const stuck = await expect(
    'stuck order',
    api.call('POST', '/orders', {
      customerId: customer,
      items: [{ sku, quantity: 1 }],
      paymentToken: 'tok_providerUnavailable',
    }),
    202,
  );
  const stuckId = String(stuck.orderId);
  const sfn = new SFNClient({
    endpoint: runtime.servicesEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  for (let i = 0; i < 200 && runtime.executions(stuckId).length === 0; i++) await new Promise((r) => setTimeout(r, 25));
  const execution = runtime.executions(stuckId)[0];
  if (execution?.status === 'RUNNING') {
    await sfn.send(new StopExecutionCommand({ executionArn: execution.executionArn, error: 'BenchColdStart' }));
  }
  sfn.destroy();
  await quiet(() => runtime.metrics(), 15_000);
}

export async function measureColdStarts(options: {
  readonly runtime: LocalRuntime;
  readonly api: ApiClient;
  readonly watcher: FinalWatcher;
  readonly samples: number;
}): Promise<ColdStartResult[]> {
  const { runtime } = options;
  const sizes = bundleBytes(runtime);
  const collected = new Map<string, { startMs: number; loadMs: number; firstInvokeMs: number }[]>();
  const bar = progress('cold starts', options.samples);
  for (let sample = 0; sample < options.samples; sample++) {
    await runtime.recycleWorkers();
    runtime.resetMetrics();
    await scenario(runtime, options.api, options.watcher, sample);
    for (const [name, counters] of Object.entries(runtime.metrics().lambda)) {
      const first = counters.coldStartSamples[0];
      if (!first || first.firstInvokeMs === undefined) continue;
      const list = collected.get(name) ?? [];
      list.push({ startMs: first.startMs ?? first.loadMs, loadMs: first.loadMs, firstInvokeMs: first.firstInvokeMs });
      collected.set(name, list);
    }
    bar.tick(sample + 1);
  }
  bar.end();
  return runtime.model.functions
    .map((fn) => {
      const list = collected.get(fn.name) ?? [];
      return {
        function: shortFunctionName(fn.name),
        memoryMb: fn.memoryMb,
        bundleBytes: sizes[fn.name] ?? 0,
        samples: list.length,
        startMs: round(median(list.map((s) => s.startMs)), 1),
        loadMs: round(median(list.map((s) => s.loadMs)), 1),
        firstInvokeMs: round(median(list.map((s) => s.firstInvokeMs)), 1),
        totalMs: round(median(list.map((s) => s.loadMs + s.firstInvokeMs)), 1),
      };
    })
    .sort((a, b) => a.function.localeCompare(b.function));
}
