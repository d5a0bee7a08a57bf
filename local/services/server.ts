/**
 * One loopback HTTP server speaking the AWS protocols the SDK v3 clients use, so that functions reach the
 * local services through the standard `AWS_ENDPOINT_URL_*` variables with unchanged client code.
 * Dispatch is on `X-Amz-Target` (JSON protocols) or, for Lambda Invoke, on the REST path.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LambdaHost } from '../lambda/host';
import { handleInvoke, INVOKE_PATH } from './lambda-api';
import { readBody, ServiceError, sendError, sendJson } from './protocol';

export type JsonOperationHandler = (operation: string, body: Record<string, unknown>) => Promise<unknown>;

export interface ServiceHandlers {
  readonly eventBridge: JsonOperationHandler;
  readonly stepFunctions: JsonOperationHandler;
  readonly sqs: JsonOperationHandler;
  readonly lambda: LambdaHost;
}

const TARGETS: Record<string, { key: keyof Omit<ServiceHandlers, 'lambda'>; contentType: string }> = {
  AWSEvents: { key: 'eventBridge', contentType: 'application/x-amz-json-1.1' },
  AWSStepFunctions: { key: 'stepFunctions', contentType: 'application/x-amz-json-1.0' },
  AmazonSQS: { key: 'sqs', contentType: 'application/x-amz-json-1.0' },
};

export interface ServicesServer {
  readonly port: number;
  readonly endpoint: string;
  /** Installs the handlers (the server listens before they exist, so its address can go into the template values). */
  attach(handlers: ServiceHandlers): void;
  close(): Promise<void>;
}

export function startServicesServer(port = 0): Promise<ServicesServer> {
  let handlers: ServiceHandlers | undefined;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const [prefix = '', operation = ''] = target.split('.');
      const route = TARGETS[prefix];
      try {
        if (!handlers) throw new ServiceError('ServiceUnavailable', 'The local runtime is starting', 503);
        const invoke = INVOKE_PATH.exec((req.url ?? '').split('?')[0] ?? '');
        if (req.method === 'POST' && invoke?.[1]) {
          await handleInvoke(handlers.lambda, req, res, decodeURIComponent(invoke[1]));
          return;
        }
        if (!route) {
          req.resume();
          throw new ServiceError(
            'UnknownOperationException',
            `${target || `${req.method} ${req.url}`} is not served by the local runtime`,
          );
        }
        const text = (await readBody(req)).toString('utf8');
        let body: Record<string, unknown>;
        try {
          body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          throw new ServiceError('SerializationException', 'The request body is not valid JSON');
        }
        const result = await handlers[route.key](operation, body);
        sendJson(res, 200, result ?? {}, route.contentType);
      } catch (error) {
        sendError(res, error, route?.contentType);
      }
    })();
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const actual = (server.address() as AddressInfo).port;
      resolve({
        port: actual,
        endpoint: `http://127.0.0.1:${actual}`,
        attach: (h) => {
          handlers = h;
        },
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
