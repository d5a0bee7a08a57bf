/**
 * A minimal AWS JSON 1.0 client for DynamoDB Local. The runtime talks to it raw (rather than through the
 * SDK) so that stream records keep exactly the shape DynamoDB returns, with no SDK conversions in between.
 */
import { Agent, request } from 'node:http';

export class DynamoCallError extends Error {
  constructor(
    name: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = name;
  }
}

/** DynamoDB Local ignores signatures; the access key and region only matter without -sharedDb. */
const AUTHORIZATION =
  'AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0';

export class DynamoRawClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16 });
  private readonly url: URL;

  constructor(endpoint: string) {
    this.url = new URL(endpoint);
  }

  /** Calls `target` (e.g. `DynamoDB_20120810.CreateTable`, `DynamoDBStreams_20120810.GetRecords`). */
  call<T>(target: string, body: unknown): Promise<T> {
    const payload = Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.url.hostname,
          port: this.url.port,
          method: 'POST',
          path: '/',
          agent: this.agent,
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'content-length': payload.length,
            'x-amz-target': target,
            'x-amz-date': '20240101T000000Z',
            authorization: AUTHORIZATION,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: Record<string, unknown> = {};
            try {
              parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
            } catch {
              reject(new DynamoCallError('InternalFailure', text.slice(0, 200), res.statusCode ?? 500));
              return;
            }
            if ((res.statusCode ?? 500) >= 400) {
              const type = String(parsed.__type ?? 'InternalFailure');
              const name = type.slice(type.lastIndexOf('#') + 1);
              reject(
                new DynamoCallError(name, String(parsed.Message ?? parsed.message ?? text), res.statusCode ?? 500),
              );
              return;
            }
            resolve(parsed as T);
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
