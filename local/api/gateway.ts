/**
 * The HTTP API (API Gateway v2) of the template, served locally: routes, Lambda proxy integrations with
 * payload 2.0, AWS service integrations (EventBridge-PutEvents, SQS-SendMessage, StepFunctions-Start*),
 * stage and route throttling, CORS, the 10 MB request limit and the integration timeout.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LambdaHost } from '../lambda/host';
import { type LogSink, runtimeLine } from '../logs';
import type { Metrics } from '../metrics';
import type { HttpApiDef, IntegrationDef } from '../template/model';
import { apiRequestId, buildV2Event, type HttpResult, jsonMessage, mapV2Response } from './payload-v2';
import { type CompiledRoute, compileRoutes, matchRoute } from './routes';
import { TokenBucket } from './token-bucket';

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Runs an AWS service integration (IntegrationSubtype) with its mapped request parameters. */
export type ServiceIntegration = (subtype: string, parameters: Record<string, unknown>) => Promise<unknown>;

interface ServedApi {
  readonly def: HttpApiDef;
  readonly routes: CompiledRoute[];
  readonly stageBucket: TokenBucket | undefined;
  readonly routeBuckets: Map<string, TokenBucket>;
}

export interface GatewayOptions {
  readonly apis: readonly HttpApiDef[];
  readonly lambda: LambdaHost;
  readonly log: LogSink;
  readonly metrics: Metrics;
  readonly accountId: string;
  readonly serviceIntegration: ServiceIntegration;
}

export class HttpApiGateway {
  private readonly apis: ServedApi[];

  constructor(private readonly options: GatewayOptions) {
    this.apis = options.apis.map((def) => ({
      def,
      routes: compileRoutes(def.routes),
      stageBucket: def.defaultThrottle
        ? new TokenBucket(def.defaultThrottle.burstLimit, def.defaultThrottle.rateLimit)
        : undefined,
      routeBuckets: new Map(
        Object.entries(def.routeThrottles).map(([key, t]) => [key, new TokenBucket(t.burstLimit, t.rateLimit)]),
      ),
    }));
    for (const api of options.apis) {
      for (const route of api.routes) {
        if (/^[A-Z]+ \/_local(\/|$)/.test(route.routeKey)) {
          throw new Error(
            `Route '${route.routeKey}' of API ${api.name} collides with the local runtime's /_local endpoints; rename it.`,
          );
        }
      }
    }
  }

  get routeCount(): number {
    return this.apis.reduce((n, a) => n + a.routes.length, 0);
  }

  /** The first API is served at the root; any other at `/_apis/<apiId>/...`. */
  describe(baseUrl: string): { apiId: string; name: string; url: string; routes: string[] }[] {
    return this.apis.map((a, i) => ({
      apiId: a.def.apiId,
      name: a.def.name,
      url: i === 0 ? baseUrl : `${baseUrl}/_apis/${a.def.apiId}`,
      routes: a.def.routes.map((r) => r.routeKey),
    }));
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    let rawPath = queryAt >= 0 ? url.slice(0, queryAt) : url;
    const rawQueryString = queryAt >= 0 ? url.slice(queryAt + 1) : '';
    let api = this.apis[0];
    const prefixed = /^\/_apis\/([^/]+)(\/.*)?$/.exec(rawPath);
    if (prefixed) {
      api = this.apis.find((a) => a.def.apiId === prefixed[1]);
      rawPath = prefixed[2] ?? '/';
    }
    const requestId = apiRequestId();
    const send = (result: HttpResult) => this.send(res, result, requestId, api?.def, req);
    if (!api) return send(jsonMessage(404, 'Not Found'));
    const method = req.method ?? 'GET';
    if (api.def.cors && method === 'OPTIONS' && req.headers.origin && req.headers['access-control-request-method']) {
      return send({ statusCode: 204, headers: {}, cookies: [], body: Buffer.alloc(0) });
    }
    const match = matchRoute(api.routes, method, rawPath);
    if (!match?.route.def.integration) return send(jsonMessage(404, 'Not Found'));
    const routeKey = match.route.def.routeKey;
    const bucket = api.routeBuckets.get(routeKey) ?? api.stageBucket;
    if (bucket && !bucket.take()) return send(jsonMessage(429, 'Too Many Requests'));
    let body: Buffer;
    try {
      body = await readLimited(req, MAX_BODY_BYTES);
    } catch {
      return send(jsonMessage(413, 'Request Entity Too Large'));
    }
    const integration = match.route.def.integration;
    const event = buildV2Event({
      req,
      rawPath,
      rawQueryString,
      body,
      routeKey,
      pathParameters: match.pathParameters,
      apiId: api.def.apiId,
      stage: api.def.stageName,
      requestId,
      accountId: this.options.accountId,
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<HttpResult>((resolve) => {
      timer = setTimeout(() => resolve(jsonMessage(503, 'Service Unavailable')), integration.timeoutMs);
    });
    try {
      const result = await Promise.race([this.integrate(integration, event, routeKey), timeout]);
      send(result);
    } finally {
      clearTimeout(timer);
    }
  }

  private async integrate(
    integration: IntegrationDef,
    event: Record<string, unknown>,
    routeKey: string,
  ): Promise<HttpResult> {
    if (integration.type === 'AWS_PROXY' && integration.subtype) {
      try {
        const parameters = mapParameters(integration.requestParameters, event);
        const out = await this.options.serviceIntegration(integration.subtype, parameters);
        return {
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          cookies: [],
          body: Buffer.from(JSON.stringify(out ?? {})),
        };
      } catch (error) {
        this.options.log(
          runtimeLine('WARN', `route ${routeKey}: ${integration.subtype} failed: ${(error as Error).message}`),
        );
        return jsonMessage(500, 'Internal Server Error');
      }
    }
    if (integration.type !== 'AWS_PROXY' || !integration.functionName) {
      this.options.log(runtimeLine('WARN', `route ${routeKey}: integration type ${integration.type} is not emulated`));
      return jsonMessage(500, 'Internal Server Error');
    }
    if (integration.payloadFormatVersion !== '2.0') {
      this.options.log(
        runtimeLine(
          'WARN',
          `route ${routeKey}: payload format ${integration.payloadFormatVersion} is not emulated (2.0 only)`,
        ),
      );
      return jsonMessage(500, 'Internal Server Error');
    }
    const result = await this.options.lambda.invoke(integration.functionName, JSON.stringify(event), {
      trigger: 'api',
    });
    if (!result.ok) return jsonMessage(500, 'Internal Server Error');
    const mapped = mapV2Response(result.payload);
    if (mapped.malformed) this.options.log(runtimeLine('WARN', `route ${routeKey}: ${mapped.malformed}`));
    return mapped;
  }

  private send(
    res: ServerResponse,
    result: HttpResult,
    requestId: string,
    api: HttpApiDef | undefined,
    req: IncomingMessage,
  ): void {
    this.options.metrics.http(result.statusCode);
    const headers: Record<string, string | string[]> = { ...result.headers, 'apigw-requestid': requestId };
    if (result.cookies.length) headers['set-cookie'] = result.cookies;
    const origin = req.headers.origin;
    const cors = api?.cors;
    if (cors && origin && (cors.allowOrigins.includes('*') || cors.allowOrigins.includes(origin))) {
      headers['access-control-allow-origin'] = cors.allowOrigins.includes('*') && !cors.allowCredentials ? '*' : origin;
      if (cors.allowCredentials) headers['access-control-allow-credentials'] = 'true';
      if (cors.exposeHeaders.length) headers['access-control-expose-headers'] = cors.exposeHeaders.join(',');
      if (req.method === 'OPTIONS') {
        headers['access-control-allow-methods'] = cors.allowMethods.join(',') || '*';
        headers['access-control-allow-headers'] = cors.allowHeaders.join(',') || '*';
        if (cors.maxAge !== undefined) headers['access-control-max-age'] = String(cors.maxAge);
      }
    }
    headers['content-length'] = String(result.body.length);
    res.writeHead(result.statusCode, headers);
    res.end(result.body);
  }
}

function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new Error('too large'));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('too large'));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Evaluates `$request.body.x`, `$request.header.x`, `$request.querystring.x`, `$request.path.x`, `$context.requestId`. */
function mapParameters(parameters: Record<string, string>, event: Record<string, unknown>): Record<string, unknown> {
  const headers = (event.headers ?? {}) as Record<string, string>;
  const query = (event.queryStringParameters ?? {}) as Record<string, string>;
  const path = (event.pathParameters ?? {}) as Record<string, string>;
  const context = event.requestContext as Record<string, unknown>;
  let body: unknown;
  try {
    body = typeof event.body === 'string' ? JSON.parse(event.body) : undefined;
  } catch {
    body = event.body;
  }
  const evaluate = (expression: string): unknown => {
    if (expression === '$request.body') return typeof body === 'string' ? body : JSON.stringify(body ?? {});
    if (expression.startsWith('$request.body.')) {
      let value: unknown = body;
      for (const key of expression.slice('$request.body.'.length).split('.'))
        value = (value as Record<string, unknown> | undefined)?.[key];
      return typeof value === 'string' || value === undefined ? value : JSON.stringify(value);
    }
    if (expression.startsWith('$request.header.')) return headers[expression.slice(16).toLowerCase()];
    if (expression.startsWith('$request.querystring.')) return query[expression.slice(21)];
    if (expression.startsWith('$request.path.')) return path[expression.slice(14)];
    if (expression.startsWith('$context.')) return context[expression.slice(9)];
    return expression.replace(/\$\{([^}]+)\}/g, (_m, inner: string) => String(evaluate(inner) ?? ''));
  };
  return Object.fromEntries(Object.entries(parameters).map(([key, expression]) => [key, evaluate(expression)]));
}
