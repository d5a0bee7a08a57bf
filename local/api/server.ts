/**
 * The listening socket of the API port. It is bound first, before anything else starts, so that a port in
 * use fails the start at once, and `/_local/health` answers 503 while the runtime is starting.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PortInUseError } from '../dynamodb-local';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface ApiServer {
  readonly port: number;
  setHandler(handler: RequestHandler): void;
  close(): Promise<void>;
}

export function listenApi(port: number, host = '127.0.0.1'): Promise<ApiServer> {
  let handler: RequestHandler = async (_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'starting' }));
  };
  const server: Server = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Internal Server Error', detail: String(error) }));
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port) : error);
    });
    server.listen(port, host, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        setHandler: (h) => {
          handler = h;
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
