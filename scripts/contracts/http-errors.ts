/**
 * The error bodies of the HTTP API as zod schemas, for the OpenAPI document. The handlers build them with
 * `errorBody()` (functions/shared/http/response.ts) through one mapper (functions/shared/http/errors.ts); the
 * contract tests feed real failures through that mapper and parse the result with these schemas, so they cannot drift.
 */
import * as z from 'zod';
import { MAX_BODY_BYTES } from '../../functions/shared/http/request';

/** What the platform answers for every 4xx it raises and for its own 500: `{ error: { code, message, details? } }`. */
export const errorBody = z.object({
  error: z.object({
    code: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/)
      .describe('Stable, machine-readable code, e.g. ORDER_NOT_FOUND, PRODUCT_EXISTS, UNKNOWN_SKU.'),
    message: z.string().describe('For humans; may change without notice.'),
    details: z.unknown().optional().describe('Structured context when the code has some (e.g. UNKNOWN_SKU: { skus }).'),
  }),
});

export const validationIssue = z.object({
  path: z.string().describe('Dotted path of the invalid field, `(root)` for the value itself.'),
  message: z.string(),
});

/** 400: VALIDATION_FAILED lists every invalid field in `details.issues`; INVALID_JSON has no details. */
export const badRequestBody = z.object({
  error: z.object({
    code: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/)
      .describe('VALIDATION_FAILED or INVALID_JSON.'),
    message: z.string(),
    details: z.object({ issues: z.array(validationIssue) }).optional(),
  }),
});

/** 500 from a handler: the bug is logged with its stack; the caller only learns that it happened. */
export const internalErrorBody = z.object({
  error: z.object({ code: z.literal('INTERNAL_ERROR'), message: z.string() }),
});

/** API Gateway's own answers (throttling, a function that crashed or timed out) have no code: `{ message }`. */
export const gatewayMessage = z.object({ message: z.string() });

/** What each error status means on this API (the route table lists which statuses a route can answer). */
export const ERROR_STATUS_TEXT = {
  400: 'The request is invalid: VALIDATION_FAILED (details.issues names each invalid field) or INVALID_JSON.',
  404: 'The resource does not exist (<ENTITY>_NOT_FOUND, e.g. ORDER_NOT_FOUND, PRODUCT_NOT_FOUND).',
  409: 'The request conflicts with the current state (e.g. PRODUCT_EXISTS, ORDER_ALREADY_CANCELLED, IDEMPOTENCY_KEY_REUSED, CONCURRENT_UPDATE: retry).',
  413: `The body is larger than ${MAX_BODY_BYTES} bytes (PAYLOAD_TOO_LARGE).`,
  415: 'The body is not JSON (UNSUPPORTED_MEDIA_TYPE): send Content-Type: application/json.',
  422: 'The request is well formed but cannot be processed (e.g. UNKNOWN_SKU with details.skus, MIXED_CURRENCIES).',
  429: 'API Gateway throttled the request (stage rate or burst limit): retry with backoff.',
  500: 'A bug on our side (INTERNAL_ERROR, logged with its stack). When the function itself fails or times out, API Gateway answers `{"message": "Internal Server Error"}` instead.',
  503: 'The table stayed throttled or contended after every retry (TEMPORARILY_UNAVAILABLE): nothing was written; retry after the `Retry-After` seconds.',
} as const;

export type ErrorStatus = keyof typeof ERROR_STATUS_TEXT;
