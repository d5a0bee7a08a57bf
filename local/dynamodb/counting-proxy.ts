/**
 * A thin keep-alive HTTP proxy in front of DynamoDB Local that counts requests per operation and the items
 * they read and write. The functions' AWS_ENDPOINT_URL_DYNAMODB points here, so the counts are the
 * product's own traffic (what a checkout costs), not the runtime's stream polling.
 *
 * With `capacity`, it also asks DynamoDB Local for the capacity units each request consumes
 * (`ReturnConsumedCapacity: INDEXES`, added to requests that did not ask for it and removed from their answers,
 * so callers see what they asked for): on-demand request units with transactions, item sizes and index writes
 * counted the way DynamoDB bills them.
 *
 * With `faults`, every request goes through `FaultInjector.dynamodbRequest` first (errors only AWS answers with,
 * the partition capacity model, transaction conflicts): a fault's error is answered here and never reaches DynamoDB
 * Local. The sender is the function whose access key signed the request (`identify`).
 */
import { Agent, createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import type { DynamoDbFault, DynamoDbRequestContext, FaultInjector } from '../faults';
import type { Metrics } from '../metrics';
import { internalServerError, writeDynamoDbError } from './errors';
import {
  CAPACITY_OPERATIONS,
  type ConsumedUnits,
  censusOf,
  consumedUnits,
  NO_CENSUS,
  type RequestCensus,
  type TableSchemas,
} from './request-census';
import { type RequestItem, requestItems } from './request-items';

export interface CountingProxy {
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface CountingProxyOptions {
  /** Key and index key attribute names of each table (item kinds, and the units of transactions). */
  readonly tables?: TableSchemas;
  /** Account consumed capacity units (costs a JSON round trip of each request and answer). @default false */
  readonly capacity?: boolean;
  /** Consulted before each request is forwarded. @default none */
  readonly faults?: FaultInjector;
  /** The function that signed a request, from its `Authorization` header. @default none */
  readonly identify?: (authorization: string | string[] | undefined) => string | undefined;
}

/** The fault seam's view of a request: the items are worked out only if a fault asks for them. */
function requestContext(
  operation: string,
  functionName: string | undefined,
  parsed: Record<string, unknown>,
  tables: TableSchemas,
): DynamoDbRequestContext {
  let items: RequestItem[] | undefined;
  return {
    operation,
    functionName,
    tables,
    get items() {
      items ??= requestItems(operation, parsed, tables);
      return items;
    },
  };
}

const READ_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'TransactGetItems', 'Query', 'Scan']);

export function startCountingProxy(
  upstreamEndpoint: string,
  metrics: Metrics,
  options: CountingProxyOptions = {},
): Promise<CountingProxy> {
  const upstream = new URL(upstreamEndpoint);
  const tables: TableSchemas = options.tables ?? new Map();
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      let body = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.slice(target.indexOf('.') + 1);
      let census: RequestCensus = NO_CENSUS;
      let headers = req.headers;
      let injected = false;
      let parsed: Record<string, unknown> | undefined;
      try {
        parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch {
        // an unparsable body: DynamoDB Local answers it with an error, nothing was read or written
      }
      let fault: DynamoDbFault | undefined;
      if (parsed && options.faults?.dynamodbRequest) {
        const functionName = options.identify?.(req.headers.authorization);
        try {
          const decided = options.faults.dynamodbRequest(requestContext(operation, functionName, parsed, tables));
          fault = decided instanceof Promise ? await decided : decided;
        } catch (error) {
          fault = { error: internalServerError(`local runtime: the DynamoDB fault hook failed: ${String(error)}`) };
        }
        metrics.dynamodbPartitions(fault?.consumed, fault?.throttled);
        if (fault?.error) {
          metrics.dynamodb(operation || 'Unknown', NO_CENSUS, 0);
          writeDynamoDbError(res, fault.error);
          return;
        }
      }
      if (parsed) {
        census = censusOf(operation, parsed, tables);
        if (options.capacity && CAPACITY_OPERATIONS.has(operation) && parsed.ReturnConsumedCapacity === undefined) {
          parsed.ReturnConsumedCapacity = 'INDEXES';
          body = Buffer.from(JSON.stringify(parsed));
          headers = { ...req.headers, 'content-length': String(body.length) };
          injected = true;
        }
      }
      const countResponse = operation === 'Query' || operation === 'Scan';
      const bufferResponse = countResponse || options.capacity === true;
      const upstreamReq = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
        (upstreamRes) => {
          const ok = (upstreamRes.statusCode ?? 500) < 400;
          const responseChunks: Buffer[] = [];
          if (!bufferResponse) res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.on('data', (chunk: Buffer) => {
            if (bufferResponse) responseChunks.push(chunk);
            else res.write(chunk);
          });
          upstreamRes.on('end', () => {
            let responseBody = bufferResponse ? Buffer.concat(responseChunks) : undefined;
            let reads = census.readItems;
            let consumed: ConsumedUnits | undefined;
            if (responseBody && ok) {
              const text = responseBody.toString('utf8');
              if (countResponse) {
                // The top-level Count is the only `"Count":<number>` in the response (attribute values are objects).
                const match = /"Count":(\d+)/.exec(text);
                reads += match ? Number(match[1]) : 0;
              }
              if (options.capacity) {
                const answer = parseAnswer(text);
                if (answer && 'ConsumedCapacity' in answer) {
                  // DynamoDB Local's units of transactions are not what DynamoDB bills: those are computed here.
                  consumed = census.transactionUnits ?? consumedUnits(answer.ConsumedCapacity);
                  if (injected) {
                    delete answer.ConsumedCapacity;
                    responseBody = Buffer.from(JSON.stringify(answer));
                  }
                }
              }
            }
            if (responseBody) {
              const outHeaders: Record<string, string | string[] | undefined> = {
                ...upstreamRes.headers,
                'content-length': String(responseBody.length),
              };
              if (outHeaders['x-amz-crc32'] !== undefined) outHeaders['x-amz-crc32'] = String(crc32(responseBody));
              res.writeHead(upstreamRes.statusCode ?? 502, outHeaders);
              res.end(responseBody);
            } else res.end();
            metrics.dynamodb(operation || 'Unknown', ok ? census : NO_CENSUS, ok ? reads : 0, {
              read: READ_OPERATIONS.has(operation) ? consumed : undefined,
              write: READ_OPERATIONS.has(operation) ? undefined : consumed,
            });
            metrics.dynamodbPartitions(fault?.done?.({ ok, responseBytes: responseBody?.length ?? 0 }));
          });
        },
      );
      upstreamReq.on('error', (error) => {
        fault?.done?.({ ok: false, responseBytes: 0 });
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

function parseAnswer(text: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
