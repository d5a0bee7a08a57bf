/**
 * Runs the reconciler on demand: a synchronous Lambda Invoke of the deployed (or local) function, so the report it
 * returns is the report of this run. The same function runs every few minutes on its schedule.
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import * as z from 'zod';
import type { OpsTarget } from './target';

/** functions/platform/domain/reconcile.ts `ReconcileReport`, checked rather than trusted. */
export const reconcileReport = z.looseObject({
  checkedOrders: z.number(),
  checkedReservations: z.number(),
  checkedAuthorizations: z.number(),
  repairs: z.array(z.looseObject({ kind: z.string(), orderId: z.string(), action: z.string() })),
  anomalies: z.array(z.string()),
});
export type ReconcileRun = z.infer<typeof reconcileReport> & {
  readonly functionName: string;
  readonly durationMs: number;
};

export class ReconcilerFailedError extends Error {
  override name = 'ReconcilerFailedError';
}

export async function runReconciler(
  target: OpsTarget,
  options: { staleAfterSeconds?: number } = {},
): Promise<ReconcileRun> {
  const functionName = await target.reconcilerFunctionName();
  const payload = options.staleAfterSeconds === undefined ? {} : { staleAfterSeconds: options.staleAfterSeconds };
  const started = Date.now();
  const out = await target.lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: Buffer.from(JSON.stringify(payload)),
    }),
  );
  const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
  if (out.FunctionError) throw new ReconcilerFailedError(`${functionName} failed (${out.FunctionError}): ${text}`);
  const parsed = reconcileReport.safeParse(text ? JSON.parse(text) : undefined);
  if (!parsed.success)
    throw new ReconcilerFailedError(`${functionName} returned something that is not a report: ${text}`);
  return { ...parsed.data, functionName, durationMs: Date.now() - started };
}

export function formatReconcile(target: string, run: ReconcileRun): string {
  const lines = [
    `Reconciler ${run.functionName} (${target}) ran in ${(run.durationMs / 1000).toFixed(1)} s`,
    `  checked ${run.checkedOrders} open order(s), ${run.checkedReservations} held reservation(s), ${run.checkedAuthorizations} authorization(s)`,
    '',
    run.repairs.length ? `Repairs (${run.repairs.length}):` : 'Repairs: none',
    ...run.repairs.map((r) => `  ${r.kind}  order ${r.orderId}  ${r.action}`),
    '',
    run.anomalies.length ? `Anomalies for a person to look at (${run.anomalies.length}):` : 'Anomalies: none',
    ...run.anomalies.map((a) => `  ${a}`),
  ];
  return lines.join('\n');
}
