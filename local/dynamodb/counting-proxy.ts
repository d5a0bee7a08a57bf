/**
 * A thin keep-alive HTTP proxy in front of DynamoDB Local that counts requests per operation and the items
 * they read and write. The functions' AWS_ENDPOINT_URL_DYNAMODB points here, so the counts are the
 * product's own traffic (what a checkout costs), not the runtime's stream polling.
 */
import { Agent, createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from '../metrics';

export interface CountingProxy {
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Writes counted per request (each item of a batch or transaction is one write). */
function writeItems(operation: string, body: Buffer): number {
  if (operation === 'PutItem' || operation === 'UpdateItem' || operation === 'DeleteItem') return 1;
  if (operation === 'BatchWriteItem') {
    const parsed = JSON.parse(body.toString('utf8')) as { RequestItems?: Record<string, unknown[]> };
    return Object.values(parsed.RequestItems ?? {}).reduce((n, items) => n + items.length, 0);
  }
  if (operation === 'TransactWriteItems') {
    return ((JSON.parse(body.toString('utf8')) as { TransactItems?: unknown[] }).TransactItems ?? []).length;
  }
  return 0;
}

function readItems(operation: string, body: Buffer): number {
  if (operation === 'GetItem') return 1;
  if (operation === 'BatchGetItem') {
    const parsed = JSON.parse(body.toString('utf8')) as { RequestItems?: Record<string, { Keys?: unknown[] }> };
    return Object.values(parsed.RequestItems ?? {}).reduce((n, t) => n + (t.Keys?.length ?? 0), 0);
  }
  if (operation === 'TransactGetItems') {
    return ((JSON.parse(body.toString('utf8')) as { TransactItems?: unknown[] }).TransactItems ?? []).length;
  }
  return 0;
}

export function startCountingProxy(upstreamEndpoint: string, metrics: Metrics): Promise<CountingProxy> {
  const upstream = new URL(upstreamEndpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.slice(target.indexOf('.') + 1);
      let writes = 0;
      let reads = 0;
      try {
        writes = writeItems(operation, body);
        reads = readItems(operation, body);
      } catch {
        // an unparsable body: DynamoDB Local answers it with an error, nothing was read or written
      }
      const countResponse = operation === 'Query' || operation === 'Scan';
      const upstreamReq = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent,
        },
        (upstreamRes) => {
          const ok = (upstreamRes.statusCode ?? 500) < 400;
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          const responseChunks: Buffer[] = [];
          upstreamRes.on('data', (chunk: Buffer) => {
            if (countResponse && ok) responseChunks.push(chunk);
            res.write(chunk);
          });
          upstreamRes.on('end', () => {
            res.end();
            if (countResponse && ok) {
              // The top-level Count is the only `"Count":<number>` in the response (attribute values are objects).
              const match = /"Count":(\d+)/.exec(Buffer.concat(responseChunks).toString('utf8'));
              reads += match ? Number(match[1]) : 0;
            }
            metrics.dynamodb(operation || 'Unknown', ok ? reads : 0, ok ? writes : 0);
          });
        },
      );
      upstreamReq.on('error', (error) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalFailure', message: error.message }));
      });
      upstreamReq.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        endpoint: `http://127.0.0.1:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            agent.destroy();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
