/**
 * The reconciler, run every few minutes by a schedule and on demand (`npm run reconcile`). The invocation payload
 * may override the deadline: `{"staleAfterSeconds": 60}`.
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { inventoryDeps } from '../../inventory/wiring';
import { StepFunctionsSagaStarter } from '../../orders/adapters/sfn-saga-starter';
import { ordersDeps } from '../../orders/wiring';
import { paymentsDeps } from '../../payments/wiring';
import { documentClient } from '../../shared/ddb/client';
import { ENV, optionalEnv, requireEnv } from '../../shared/runtime/config';
import { logger, METRIC, metrics } from '../../shared/runtime/powertools';
import { DynamoReconcilerPorts } from '../adapters/dynamo-reconciler-ports';
import { type ReconcileReport, reconcile } from '../domain/reconcile';

const stateMachineArn = requireEnv(ENV.stateMachineArn);
const sfn = new SFNClient({});
const ports = new DynamoReconcilerPorts(
  documentClient,
  requireEnv(ENV.tableName),
  ordersDeps.orders,
  sfn,
  stateMachineArn,
  new StepFunctionsSagaStarter(sfn, stateMachineArn),
);
const defaultStaleAfter = Number(optionalEnv(ENV.staleOrderSeconds, '900'));

/** On-demand options; a scheduled event (or anything else) simply uses the defaults. */
const invocation = z.looseObject({ staleAfterSeconds: z.int().nonnegative().optional() }).catch({});

export const handler = async (event: unknown, context: Context): Promise<ReconcileReport> => {
  logger.addContext(context);
  const { staleAfterSeconds = defaultStaleAfter } = invocation.parse(event ?? {});
  const report = await reconcile(
    { ports, orders: ordersDeps, inventory: inventoryDeps, payments: paymentsDeps },
    Date.now(),
    { staleAfterSeconds },
  );
  for (const repair of report.repairs) {
    metrics.singleMetric().addDimension('kind', repair.kind).addMetric(METRIC.repairs, MetricUnit.Count, 1);
  }
  const log = report.repairs.length > 0 || report.anomalies.length > 0 ? 'warn' : 'info';
  logger[log]('reconciled', { staleAfterSeconds, ...report });
  return report;
};
