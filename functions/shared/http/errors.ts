/**
 * THE error-to-HTTP mapper. Every API handler's failures pass through here: an AppError keeps its status and code;
 * a TransientError (DynamoDB kept throttling or conflicting after every retry) is a 503 with Retry-After, which
 * clients retry; anything else is a bug, logged with its stack and answered with a generic 500 (never the error
 * object itself).
 */
import { AppError, TransientError } from '../errors';
import { logger } from '../runtime/powertools';
import { type ApiResult, errorBody, json } from './response';

export const TEMPORARILY_UNAVAILABLE = 'TEMPORARILY_UNAVAILABLE';
export const RETRY_AFTER_SECONDS = 1;

export function toErrorResponse(error: unknown): ApiResult {
  if (error instanceof AppError) {
    if (error.status >= 500) logger.error('request failed', { error });
    return json(error.status, errorBody(error.code, error.message, error.details));
  }
  if (error instanceof TransientError) {
    logger.warn('request failed for now', { error });
    return json(503, errorBody(TEMPORARILY_UNAVAILABLE, 'The service is busy right now; retry after a second.'), {
      'retry-after': String(RETRY_AFTER_SECONDS),
    });
  }
  logger.error('unexpected error', { error: error as Error });
  return json(500, errorBody('INTERNAL_ERROR', 'Something went wrong on our side; it has been logged.'));
}
