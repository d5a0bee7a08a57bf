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
  private readonly agent: Agent;
  private readonly url: URL;

  /** @param maxSockets connections kept open to DynamoDB Local (the bench sizes it to its concurrency). */
  constructor(endpoint: string, maxSockets = 16) {
    this.url = new URL(endpoint);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /** Calls `target` (e.g. `DynamoDB_20120810.CreateTable`, `DynamoDBStreams_20120810.GetRecords`); throws on 4xx/5xx. */
  async call<T>(target: string, body: unknown): Promise<T> {
    const answer = await this.send<Record<string, unknown>>(target, body);
    if (answer.text !== undefined)
      throw new DynamoCallError('InternalFailure', answer.text.slice(0, 200), answer.status);
    if (answer.status >= 400) {
      const parsed = answer.body;
      const type = String(parsed.__type ?? 'InternalFailure');
      const name = type.slice(type.lastIndexOf('#') + 1);
      throw new DynamoCallError(name, String(parsed.Message ?? parsed.message ?? ''), answer.status);
    }
    return answer.body as T;
  }

  /**
   * Sends `target` and resolves with whatever DynamoDB Local answered (status and parsed body, or the raw `text`
   * when the body is not JSON); rejects only when the connection fails.
   */
  send<T>(target: string, body: unknown): Promise<{ status: number; body: T; text?: string }> {
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
            const status = res.statusCode ?? 500;
            try {
              resolve({ status, body: (text ? JSON.parse(text) : {}) as T });
            } catch {
              resolve({ status, body: {} as T, text });
            }
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
