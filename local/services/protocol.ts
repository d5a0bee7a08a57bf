/** The pieces of the AWS JSON protocols (1.0 / 1.1) the local service endpoint needs. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An API error in the AWS JSON shape; `queryError` is the legacy code SQS's query-compatible clients read. */
export class ServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly queryError?: string,
  ) {
    super(message);
    this.name = code;
  }
}

export function readBody(req: IncomingMessage, limitBytes = 12 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        reject(new ServiceError('RequestEntityTooLargeException', 'Request must be smaller than the limit', 413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/x-amz-json-1.1',
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: unknown, contentType = 'application/x-amz-json-1.1'): void {
  const e =
    error instanceof ServiceError
      ? error
      : new ServiceError('InternalFailure', String((error as Error)?.message ?? error), 500);
  const text = JSON.stringify({ __type: e.code, message: e.message });
  const headers: Record<string, string | number> = {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-amzn-errortype': e.code,
    'x-amzn-requestid': randomUUID(),
  };
  if (e.queryError) headers['x-amzn-query-error'] = e.queryError;
  res.writeHead(e.status, headers);
  res.end(text);
}

export function requireString(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') {
    throw new ServiceError(
      'ValidationException',
      `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}
