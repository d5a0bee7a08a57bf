/**
 * THE error-to-HTTP mapper. Every API handler's failures pass through here: an AppError keeps its status and code;
 * anything else is a bug, logged with its stack and answered with a generic 500 (never the error object itself).
 */
import { AppError } from '../errors';
import { logger } from '../runtime/powertools';
import { type ApiResult, errorBody, json } from './response';

export function toErrorResponse(error: unknown): ApiResult {
  if (error instanceof AppError) {
    if (error.status >= 500) logger.error('request failed', { error });
    return json(error.status, errorBody(error.code, error.message, error.details));
  }
  logger.error('unexpected error', { error: error as Error });
  return json(500, errorBody('INTERNAL_ERROR', 'Something went wrong on our side; it has been logged.'));
}
