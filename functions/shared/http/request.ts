/**
 * Parsing of HTTP API (payload 2.0) requests. Everything a client sends is validated with zod before any domain
 * code runs; any failure is a ValidationError (400), an unsupported media type (415) or a too-large body (413).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod';
import { AppError, ValidationError } from '../errors';

/** Largest accepted JSON body. Orders have at most 25 lines; nothing legitimate comes close. */
export const MAX_BODY_BYTES = 32 * 1024;

function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(root)', message: issue.message }));
}

function fail(where: string, error: z.ZodError): never {
  const issues = issuesOf(error);
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new ValidationError(`Invalid ${where}: ${summary}`, { issues });
}

export function parseBody<T extends z.ZodType>(event: APIGatewayProxyEventV2, schema: T): z.infer<T> {
  const contentType = event.headers?.['content-type'];
  if (contentType !== undefined && !/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType)) {
    throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type must be application/json, got '${contentType}'`);
  }
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new AppError(413, 'PAYLOAD_TOO_LARGE', `The body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  if (text.trim() === '') throw new ValidationError('The request body is empty; send a JSON object');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AppError(400, 'INVALID_JSON', `The body is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) fail('body', parsed.error);
  return parsed.data;
}

export function parsePath<T extends z.ZodType>(event: APIGatewayProxyEventV2, schema: T): z.infer<T> {
  const parsed = schema.safeParse(event.pathParameters ?? {});
  if (!parsed.success) fail('path parameter', parsed.error);
  return parsed.data;
}

export function parseQuery<T extends z.ZodType>(event: APIGatewayProxyEventV2, schema: T): z.infer<T> {
  const parsed = schema.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) fail('query string', parsed.error);
  return parsed.data;
}

export function parseHeaders<T extends z.ZodType>(event: APIGatewayProxyEventV2, schema: T): z.infer<T> {
  const parsed = schema.safeParse(event.headers ?? {});
  if (!parsed.success) fail('header', parsed.error);
  return parsed.data;
}

/** A caller's `x-correlation-id` must look like this to be kept (also in the OpenAPI document). */
export const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-correlation-id` when it is well formed, otherwise API Gateway's request id. */
export function correlationIdOf(event: APIGatewayProxyEventV2): string {
  const header = event.headers?.['x-correlation-id'];
  if (header && CORRELATION_ID_PATTERN.test(header)) return header;
  return event.requestContext?.requestId ?? 'unknown';
}
