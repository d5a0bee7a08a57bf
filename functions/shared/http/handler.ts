/**
 * The wrapper every API handler uses: Lambda context and correlation id in every log line, one error mapper,
 * metrics flushed, and the correlation id echoed to the caller.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { logger, metrics } from '../runtime/powertools';
import { toErrorResponse } from './errors';
import { correlationIdOf } from './request';
import type { ApiResult } from './response';

export interface ApiRequest {
  readonly event: APIGatewayProxyEventV2;
  readonly correlationId: string;
}

export type ApiHandler = (request: ApiRequest) => Promise<ApiResult>;

export function apiHandler(
  handle: ApiHandler,
): (event: APIGatewayProxyEventV2, context: Context) => Promise<ApiResult> {
  return async (event, context) => {
    logger.addContext(context);
    const correlationId = correlationIdOf(event);
    logger.appendKeys({ correlationId, route: event.routeKey });
    let result: ApiResult;
    try {
      result = await handle({ event, correlationId });
    } catch (error) {
      result = toErrorResponse(error);
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
    logger.info('request handled', { status: result.statusCode });
    logger.resetKeys();
    return { ...result, headers: { ...result.headers, 'x-correlation-id': correlationId } };
  };
}
