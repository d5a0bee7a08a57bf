/**
 * Consumer of "Step Functions Execution Status Change" (FAILED / TIMED_OUT / ABORTED) for the checkout state machine:
 * records the failure on the order with an OrderSagaFailed event. The order keeps its status; an operator redrives
 * the execution or the reconciler finishes the order. Runs once per event id.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { executionStatusChangeDetail } from '../../shared/events/aws-events';
import { IDEMPOTENCY_TTL_SECONDS, SingleTablePersistenceLayer } from '../../shared/idempotency';
import { ENV, requireEnv } from '../../shared/runtime/config';
import { logger, METRIC, metrics } from '../../shared/runtime/powertools';
import { executionNames } from '../../shared/saga/contract';
import { recordSagaFailure } from '../domain/saga-steps';
import { ordersDeps } from '../wiring';

const config = new IdempotencyConfig({ eventKeyJmesPath: 'id', expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS });

const record = makeIdempotent(
  async (event: EventBridgeEvent<string, unknown>) => {
    const detail = executionStatusChangeDetail.parse(event.detail);
    const orderId = executionNames.orderIdOf(detail.name);
    const order = await recordSagaFailure(
      ordersDeps,
      orderId,
      { executionName: detail.name, status: detail.status, error: detail.error ?? null, cause: detail.cause ?? null },
      { correlationId: orderId, causationId: event.id },
    );
    metrics.singleMetric().addDimension('status', detail.status).addMetric(METRIC.sagaFailures, MetricUnit.Count, 1);
    logger.error('saga execution failed', {
      orderId,
      execution: detail.name,
      status: detail.status,
      error: detail.error,
    });
    return { orderId, recorded: order !== undefined };
  },
  { persistenceStore: new SingleTablePersistenceLayer(requireEnv(ENV.tableName)), config },
);

export const handler = async (event: EventBridgeEvent<string, unknown>, context: Context) => {
  logger.addContext(context);
  config.registerLambdaContext(context);
  try {
    return await record(event);
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    logger.resetKeys();
  }
};
