/**
 * The wrapper every saga step uses. It validates the payload, puts the order id and correlation id on every log
 * line, makes the step idempotent with Powertools (keyed on order id + saga action), and lets only the errors the
 * state machine knows escape: domain outcomes keep their names (OutOfStock, PaymentDeclined, ...), a bug in the
 * input is an InvariantViolation, and anything else is a TransientError, which the state machine retries.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { Context } from 'aws-lambda';
import { ZodError } from 'zod';
import { AppError, InvariantViolationError, isSagaError, TransientError } from '../errors';
import type { EventContext } from '../events/factory';
import { IDEMPOTENCY_TTL_SECONDS, SingleTablePersistenceLayer } from '../idempotency';
import { ENV, requireEnv } from '../runtime/config';
import { logger, metrics } from '../runtime/powertools';
import { type SagaStepPayload, sagaStepPayloadSchema } from './contract';

export type StepHandler<TResult> = (payload: SagaStepPayload, events: EventContext) => Promise<TResult>;

export function translateStepError(error: unknown): Error {
  if (isSagaError(error)) return error;
  if (error instanceof ZodError) return new InvariantViolationError(`Invalid step payload: ${error.message}`);
  if (error instanceof AppError) return new InvariantViolationError(`${error.code}: ${error.message}`);
  const name = (error as { name?: string })?.name ?? 'Error';
  const message = (error as { message?: string })?.message ?? String(error);
  return new TransientError(`${name}: ${message}`);
}

export function sagaStep<TResult extends Record<string, unknown>>(
  stepName: string,
  run: StepHandler<TResult>,
): (event: unknown, context: Context) => Promise<TResult> {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: '[orderId, action]',
    expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
  });
  const idempotentRun = makeIdempotent(
    (payload: SagaStepPayload) =>
      run(payload, { correlationId: payload.correlationId, causationId: payload.executionName ?? payload.orderId }),
    { persistenceStore: new SingleTablePersistenceLayer(requireEnv(ENV.tableName)), config },
  );

  return async (event, context) => {
    logger.addContext(context);
    try {
      const payload = sagaStepPayloadSchema.parse(event);
      logger.appendKeys({ correlationId: payload.correlationId, orderId: payload.orderId, step: stepName });
      config.registerLambdaContext(context);
      const result = await idempotentRun(payload);
      logger.info('step succeeded', { result });
      return result;
    } catch (error) {
      const translated = translateStepError(error);
      const log = translated.name === 'TransientError' || translated.name === 'InvariantViolation' ? 'error' : 'info';
      logger[log]('step failed', { errorName: translated.name, error: error as Error });
      throw translated;
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      logger.resetKeys();
    }
  };
}
