/**
 * Lambda's REST-JSON Invoke API: `POST /2015-03-31/functions/{name}/invocations` with
 * `X-Amz-Invocation-Type` RequestResponse (default), Event or DryRun.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FunctionNotFoundError, type LambdaHost } from '../lambda/host';
import { readBody } from './protocol';

export const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

function lambdaError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  extra: Record<string, string> = {},
) {
  const text = JSON.stringify({ Type: 'User', message, ...extra });
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-errortype': type,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export async function handleInvoke(
  host: LambdaHost,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
): Promise<void> {
  const body = await readBody(req, 6 * 1024 * 1024 + 1024);
  const def = host.find(name);
  if (!def) {
    lambdaError(res, 404, 'ResourceNotFoundException', `Function not found: ${name}`);
    return;
  }
  const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
  const eventJson = body.length ? body.toString('utf8') : '{}';
  try {
    JSON.parse(eventJson);
  } catch {
    lambdaError(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
    return;
  }
  if (type === 'DryRun') {
    res.writeHead(204);
    res.end();
    return;
  }
  try {
    if (type === 'Event') {
      host.invokeAsync(def.name, eventJson);
      res.writeHead(202, { 'content-length': 0 });
      res.end();
      return;
    }
    const clientContextHeader = req.headers['x-amz-client-context'];
    const clientContext =
      typeof clientContextHeader === 'string'
        ? (JSON.parse(Buffer.from(clientContextHeader, 'base64').toString('utf8')) as unknown)
        : undefined;
    const result = await host.invoke(def.name, eventJson, { trigger: 'invoke-api', clientContext });
    if (result.throttled) {
      lambdaError(res, 429, 'TooManyRequestsException', 'Rate Exceeded.', {
        Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
      });
      return;
    }
    if (result.lostResponse) {
      // The function ran but its answer was lost: a service error the SDK retries (it runs the function again).
      lambdaError(res, 500, 'ServiceException', result.error?.errorMessage ?? 'Lost response', { Type: 'Service' });
      return;
    }
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(result.payload),
      'x-amz-executed-version': '$LATEST',
      'x-amzn-requestid': result.requestId,
    };
    if (!result.ok) headers['x-amz-function-error'] = 'Unhandled';
    res.writeHead(200, headers);
    res.end(result.payload);
  } catch (error) {
    if (error instanceof FunctionNotFoundError) lambdaError(res, 404, 'ResourceNotFoundException', error.message);
    else lambdaError(res, 500, 'ServiceException', String(error));
  }
}
