/** Builds API Gateway HTTP API (payload format 2.0) events, as the service sends them to a function. */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

export interface ApiEventInput {
  readonly pathParameters?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  /** Send `body` as is (a string), not JSON-encoded. */
  readonly rawBody?: boolean;
  readonly base64?: boolean;
}

export function apiEvent(routeKey: string, input: ApiEventInput = {}): APIGatewayProxyEventV2 {
  const [method = 'GET', path = '/'] = routeKey.split(' ');
  let rawPath = path;
  for (const [name, value] of Object.entries(input.pathParameters ?? {}))
    rawPath = rawPath.replace(`{${name}}`, encodeURIComponent(value));
  const text = input.body === undefined ? undefined : input.rawBody ? String(input.body) : JSON.stringify(input.body);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...input.headers };
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: new URLSearchParams(input.query ?? {}).toString(),
    headers,
    queryStringParameters: input.query,
    pathParameters: input.pathParameters,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body: text === undefined ? undefined : input.base64 ? Buffer.from(text).toString('base64') : text,
    isBase64Encoded: input.base64 === true,
  };
}

export const lambdaContext = {
  functionName: 'test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test',
  memoryLimitInMB: '512',
  awsRequestId: 'test-request',
  logGroupName: '/aws/lambda/test',
  logStreamName: 'test',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as Context;
