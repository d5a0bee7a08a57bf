/**
 * The only way to write a route handler: `apiHandler(ROUTES.X, async ({ params, query, headers, body }) => ...)`.
 * The request is validated with the schemas of the route's own declaration before any domain code runs, the answer
 * gets the route's success status, failures go through the one error mapper, the Lambda context and correlation id
 * are on every log line, metrics are flushed, and the correlation id is echoed to the caller.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type * as z from 'zod';
import { logger, metrics } from '../runtime/powertools';
import { toErrorResponse } from './errors';
import { correlationIdOf, parseBody, parseHeaders, parsePath, parseQuery } from './request';
import { type ApiResult, json } from './response';
import type { RouteSpec } from './route';

type Parsed<R extends RouteSpec, K extends 'params' | 'query' | 'headers' | 'body'> = R['request'] extends {
  readonly [P in K]: infer S extends z.ZodType;
}
  ? z.output<S>
  : undefined;

export interface RouteRequest<R extends RouteSpec> {
  readonly params: Parsed<R, 'params'>;
  readonly query: Parsed<R, 'query'>;
  readonly headers: Parsed<R, 'headers'>;
  readonly body: Parsed<R, 'body'>;
  readonly event: APIGatewayProxyEventV2;
  readonly correlationId: string;
}

export interface RouteAnswer<R extends RouteSpec> {
  /** The success body (the route's success schema describes it). */
  readonly body: z.input<R['success']['body']>;
  readonly headers?: Readonly<Record<string, string>>;
}

export type RouteHandler<R extends RouteSpec> = (request: RouteRequest<R>) => Promise<RouteAnswer<R>>;

function parseRequest<R extends RouteSpec>(route: R, event: APIGatewayProxyEventV2, correlationId: string) {
  const { params, query, headers, body } = route.request;
  return {
    params: params ? parsePath(event, params) : undefined,
    query: query ? parseQuery(event, query) : undefined,
    headers: headers ? parseHeaders(event, headers) : undefined,
    body: body ? parseBody(event, body) : undefined,
    event,
    correlationId,
  } as RouteRequest<R>;
}

export function apiHandler<R extends RouteSpec>(
  route: R,
  handle: RouteHandler<R>,
): (event: APIGatewayProxyEventV2, context: Context) => Promise<ApiResult> {
  return async (event, context) => {
    logger.addContext(context);
    const correlationId = correlationIdOf(event);
    logger.appendKeys({ correlationId, route: event.routeKey });
    let result: ApiResult;
    try {
      const answer = await handle(parseRequest(route, event, correlationId));
      result = json(route.success.status, answer.body, answer.headers);
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
