/**
 * `npm run reconcile -- --local`: the reconciler runs on demand against the shared runtime and reports. It keeps its
 * default deadline (15 minutes) here: a lower one would make it act on the orders other e2e files have in flight.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { formatReconcile, reconcileReport, runReconciler } from '../../scripts/ops/reconcile';
import { localTarget } from '../../scripts/ops/target';
import { apiUrl, createStockedProduct, finalOrder, placeOrder, uniqueCustomer } from './client';

const run = promisify(execFile);
const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
const cli = join(__dirname, '..', '..', 'scripts', 'reconcile.ts');

it('runs the reconciler synchronously and returns its report', async () => {
  // An order that settled normally: nothing for the reconciler to do about it.
  const sku = await createStockedProduct(2);
  const order = await finalOrder((await placeOrder(uniqueCustomer(), [{ sku, quantity: 1 }])).body.orderId);
  expect(order.status).toBe('CONFIRMED');

  const target = await localTarget(apiUrl());
  try {
    const report = await runReconciler(target);
    expect(report.functionName).toMatch(/ReconcilerFunction/);
    expect(report.repairs.filter((r) => r.orderId === order.orderId)).toEqual([]);
    expect(formatReconcile(target.label, report)).toMatch(/^Reconciler .* ran in [\d.]+ s\n {2}checked \d+ open order/);
  } finally {
    target.close();
  }
});

it('npm run reconcile -- --local <url> --stale-after <s> --json prints the report and exits 0', async () => {
  const { stdout } = await run(tsx, [cli, '--local', apiUrl(), '--stale-after', '3600', '--json']);
  const out = JSON.parse(stdout) as Record<string, unknown>;
  expect(reconcileReport.parse(out)).toMatchObject({ repairs: expect.any(Array), anomalies: expect.any(Array) });
  expect(out.target).toBe(`local ${apiUrl()}`);
});

it('exits 2 on a usage mistake and 1 when the runtime does not answer', async () => {
  await expect(run(tsx, [cli, '--local', apiUrl(), '--stale-after', 'soon'])).rejects.toMatchObject({ code: 2 });
  await expect(run(tsx, [cli])).rejects.toMatchObject({ code: 2 });
  await expect(run(tsx, [cli, '--local', 'http://127.0.0.1:9'])).rejects.toMatchObject({
    code: 1,
    stderr: expect.stringMatching(/does not answer at http:\/\/127\.0\.0\.1:9/),
  });
});
