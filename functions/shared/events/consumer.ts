/**
 * The wrapper every EventBridge consumer uses: the envelope is validated against the catalog, the consumer runs at
 * most once per event id (Powertools idempotency), and the correlation id follows into every log line.
 *
 * An event that does not parse is a poison event: the consumer throws, Lambda's asynchronous retries run out, and
 * the on-failure destination (a DLQ) keeps the event with the error, ready to inspect and redrive.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { IDEMPOTENCY_TTL_SECONDS, SingleTablePersistenceLayer } from '../idempotency';
import { ENV, requireEnv } from '../runtime/config';
import { logger, metrics } from '../runtime/powertools';
import { type EventDefinition, type EventOfAny, parseEvent } from './catalog';
import type { EventEnvelope } from './envelope';

export class PoisonEventError extends Error {
  override readonly name = 'PoisonEvent';
}

type Handled<TDefs extends readonly EventDefinition[]> = EventOfAny<TDefs>;

export function eventConsumer<TDefs extends readonly EventDefinition[], TResult>(
  consumerName: string,
  definitions: TDefs,
  handle: (event: Handled<TDefs>) => Promise<TResult>,
): (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<TResult | { ignored: string }> {
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'id', expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS });
  const once = makeIdempotent((envelope: Handled<TDefs>) => handle(envelope), {
    persistenceStore: new SingleTablePersistenceLayer(requireEnv(ENV.tableName)),
    config,
  });

  return async (event, context) => {
    logger.addContext(context);
    try {
      const detail = event.detail as { type?: unknown; dataVersion?: unknown; correlationId?: unknown } | undefined;
      const definition = definitions.find((d) => d.type === event['detail-type'] && d.version === detail?.dataVersion);
      if (!definition) {
        // The rule pattern makes this impossible unless the rule and the code disagree: say so loudly, do not retry.
        logger.warn('event not handled by this consumer', { consumerName, detailType: event['detail-type'] });
        return { ignored: event['detail-type'] };
      }
      let envelope: Handled<TDefs>;
      try {
        envelope = parseEvent(definition, event.detail) as Handled<TDefs>;
      } catch (error) {
        throw new PoisonEventError(
          `${definition.type} v${definition.version} (${event.id}) failed validation: ${(error as Error).message}`,
        );
      }
      const { correlationId, id, type } = envelope as EventEnvelope;
      logger.appendKeys({ correlationId, eventId: id, eventType: type, consumerName });
      config.registerLambdaContext(context);
      const result = await once(envelope);
      logger.info('event handled');
      return result;
    } catch (error) {
      logger.error('event failed', { error: error as Error });
      throw error;
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      logger.resetKeys();
    }
  };
}
