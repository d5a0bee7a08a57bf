/**
 * The HTTP API payload format 2.0: the event API Gateway sends to a Lambda proxy integration, and how it
 * turns the function's result into the HTTP response
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface V2Request {
  readonly req: IncomingMessage;
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly body: Buffer;
  readonly routeKey: string;
  readonly pathParameters: Record<string, string> | undefined;
  readonly apiId: string;
  readonly stage: string;
  readonly requestId: string;
  readonly accountId: string;
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|graphql)|[^;]*\+(json|xml))/i;

/** A request id in API Gateway's style (base64-ish, 16 characters). */
export function apiRequestId(): string {
  return randomBytes(12).toString('base64').replace(/\//g, '_').replace(/\+/g, '-').slice(0, 15).concat('=');
}

/** `12/Mar/2020:19:03:58 +0000`, the format of `requestContext.time`. */
export function clfTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** Lower-cased headers; duplicates joined with commas, as API Gateway does. The Cookie header becomes `cookies`. */
function collectHeaders(req: IncomingMessage): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? '').toLowerCase();
    const value = req.rawHeaders[i + 1] ?? '';
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter(Boolean),
      );
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return { headers, cookies };
}

function queryParameters(raw: string): Record<string, string> | undefined {
  if (!raw) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(raw)) out[key] = key in out ? `${out[key]},${value}` : value;
  return Object.keys(out).length ? out : undefined;
}

export function buildV2Event(r: V2Request): Record<string, unknown> {
  const { headers, cookies } = collectHeaders(r.req);
  const now = new Date();
  const sourceIp = (r.req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${sourceIp}` : sourceIp;
  headers['x-forwarded-port'] = String(r.req.socket.localPort ?? '');
  headers['x-forwarded-proto'] = 'http';
  headers['x-amzn-trace-id'] ??=
    `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  const domainName = headers.host ?? '127.0.0.1';
  const contentType = headers['content-type'] ?? '';
  const hasBody = r.body.length > 0;
  const isText = hasBody && (contentType ? TEXT_TYPES.test(contentType) : isUtf8(r.body));
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: r.routeKey,
    rawPath: r.rawPath,
    rawQueryString: r.rawQueryString,
  };
  if (cookies.length) event.cookies = cookies;
  event.headers = headers;
  const query = queryParameters(r.rawQueryString);
  if (query) event.queryStringParameters = query;
  event.requestContext = {
    accountId: r.accountId,
    apiId: r.apiId,
    domainName,
    domainPrefix: (domainName.split('.')[0] ?? domainName).replace(/:\d+$/, ''),
    http: {
      method: r.req.method ?? 'GET',
      path: r.rawPath,
      protocol: `HTTP/${r.req.httpVersion}`,
      sourceIp,
      userAgent: headers['user-agent'] ?? '',
    },
    requestId: r.requestId,
    routeKey: r.routeKey,
    stage: r.stage,
    time: clfTime(now),
    timeEpoch: now.getTime(),
  };
  if (hasBody) event.body = isText ? r.body.toString('utf8') : r.body.toString('base64');
  if (r.pathParameters) event.pathParameters = r.pathParameters;
  event.isBase64Encoded = hasBody && !isText;
  return event;
}

function isUtf8(buffer: Buffer): boolean {
  return Buffer.from(buffer.toString('utf8'), 'utf8').equals(buffer);
}

export interface HttpResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly cookies: string[];
  readonly body: Buffer;
  /** Set when the function's answer was not what API Gateway accepts (a 500, with the reason for the log). */
  readonly malformed?: string;
}

export const jsonMessage = (statusCode: number, message: string): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  cookies: [],
  body: Buffer.from(JSON.stringify({ message })),
});

/** Maps the function's response payload (JSON text) to the HTTP response, as format 2.0 does. */
export function mapV2Response(payload: string): HttpResult {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return { ...jsonMessage(500, 'Internal Server Error'), malformed: 'the response is not JSON' };
  }
  if (value && typeof value === 'object' && !Array.isArray(value) && 'statusCode' in value) {
    const r = value as {
      statusCode: unknown;
      headers?: Record<string, unknown>;
      multiValueHeaders?: Record<string, unknown[]>;
      cookies?: unknown[];
      body?: unknown;
      isBase64Encoded?: boolean;
    };
    const status = Number(r.statusCode);
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      return {
        ...jsonMessage(500, 'Internal Server Error'),
        malformed: `statusCode ${String(r.statusCode)} is not an HTTP status`,
      };
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.multiValueHeaders ?? {}))
      headers[k.toLowerCase()] = (v ?? []).map(String).join(',');
    for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
    let text: string;
    let malformed: string | undefined;
    if (r.body === undefined || r.body === null) text = '';
    else if (typeof r.body === 'string') text = r.body;
    else {
      text = JSON.stringify(r.body);
      malformed = 'body is not a string (API Gateway expects a string); it was sent as JSON';
    }
    const body = r.isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
    return {
      statusCode: status,
      headers,
      cookies: (r.cookies ?? []).map(String),
      body,
      ...(malformed ? { malformed } : {}),
    };
  }
  // Anything else: 200, JSON, the value itself as the body (a string as it is).
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    cookies: [],
    body: Buffer.from(text ?? '', 'utf8'),
  };
}
