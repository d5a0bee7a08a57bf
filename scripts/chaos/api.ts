/**
 * The chaos runs' HTTP client: the public API and the runtime's /_local endpoints. It counts every answer by
 * status, keeps the 5xx ones (a 5xx is a bug, whatever the faults), and tells a connection failure (the runtime
 * was killed) apart from an answer. Two answers are not errors but "later": a 429 (the stage's throttle) and a 503
 * `TEMPORARILY_UNAVAILABLE` with `Retry-After` (DynamoDB kept throttling or conflicting); both are sent again, the
 * same request with the same headers (so the same Idempotency-Key: nothing is created twice).
 */

export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

export interface ApiAnswer<T> {
  readonly status: number;
  readonly body: T;
}

export interface ServerError {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly body: string;
}

export class ApiClient {
  readonly statuses = new Map<number, number>();
  readonly serverErrors: ServerError[] = [];

  constructor(public baseUrl: string) {}

  /** 429 answers that were retried (the stage throttling of the template, which the runtime enforces). */
  throttled = 0;

  /** 503 `TEMPORARILY_UNAVAILABLE` answers with `Retry-After` that were retried, by method and path template. */
  readonly unavailable = new Map<string, number>();

  /**
   * One request, as a well-behaved client of a throttled API sends it: a 429 is retried after an exponential
   * backoff with jitter (up to 8 times), so that reading back a few hundred orders does not trip the stage's
   * 100 requests/s (burst 200) and read as a missing order; a 503 with `Retry-After` is retried after that many
   * seconds (with jitter, up to 8 times). What is still a 429 or a 503 after that is answered (a 503 then counts
   * as a server error).
   */
  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiAnswer<T>> {
    for (let attempt = 0; ; attempt++) {
      const answer = await this.once<T>(method, path, body, headers, attempt < 8);
      if ('status' in answer) return answer;
      let waitMs: number;
      if (answer.retryAfterMs === undefined) {
        this.throttled += 1;
        const backoffMs = Math.min(2_000, 50 * 2 ** attempt);
        waitMs = backoffMs / 2 + Math.random() * (backoffMs / 2);
      } else {
        const key = `${method} ${pathTemplate(path)}`;
        this.unavailable.set(key, (this.unavailable.get(key) ?? 0) + 1);
        waitMs = answer.retryAfterMs * (1 + Math.random() * 0.5);
      }
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }

  /** Sends once; `{ retryAfterMs }` for a 429 or a retryable 503 that may be sent again. */
  private async once<T>(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
    mayRetry: boolean,
  ): Promise<ApiAnswer<T> | { retryAfterMs: number | undefined }> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      text = await response.text();
    } catch (error) {
      throw new ConnectionError(`${method} ${path}: ${(error as Error).message}`);
    }
    if (response.status === 429 && mayRetry) return { retryAfterMs: undefined };
    const retryAfterMs = temporarilyUnavailable(response.status, response.headers.get('retry-after'), text);
    if (retryAfterMs !== undefined && mayRetry && !path.startsWith('/_local')) return { retryAfterMs };
    if (!path.startsWith('/_local')) {
      this.statuses.set(response.status, (this.statuses.get(response.status) ?? 0) + 1);
      if (response.status >= 500) this.serverErrors.push({ method, path, status: response.status, body: text });
    }
    let parsed: unknown = {};
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = { text };
      }
    }
    return { status: response.status, body: parsed as T };
  }

  get<T = Record<string, unknown>>(path: string): Promise<ApiAnswer<T>> {
    return this.request<T>('GET', path);
  }

  /** GETs a /_local endpoint that must answer 200. */
  async local<T>(path: string, method = 'GET'): Promise<T> {
    const answer = await this.request<T>(method, path);
    if (answer.status !== 200) throw new Error(`${method} ${path} answered ${answer.status}`);
    return answer.body;
  }
}

/** `/orders/01J.../cancel` -> `/orders/{id}/cancel`: counts per route, not per order. */
export function pathTemplate(path: string): string {
  return path
    .split('?')[0]
    ?.split('/')
    .map((part, i) => (i >= 2 && /[0-9]/.test(part) ? '{id}' : part))
    .join('/') as string;
}

/**
 * The wait a 503 asks for: only an answer that says "later" (`TEMPORARILY_UNAVAILABLE` with a `Retry-After` in
 * seconds) is one; any other 5xx is a server error.
 */
export function temporarilyUnavailable(status: number, retryAfter: string | null, text: string): number | undefined {
  if (status !== 503 || retryAfter === null) return undefined;
  const seconds = Number(retryAfter);
  if (!Number.isFinite(seconds) || seconds < 0) return undefined;
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown } };
    return body.error?.code === 'TEMPORARILY_UNAVAILABLE' ? seconds * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `work` over `items` with at most `concurrency` at a time; results in input order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Polls until `probe` returns a value, or returns undefined at the deadline (the caller reports what is missing). */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  deadline: number,
  maxDelayMs = 500,
): Promise<T | undefined> {
  let delay = 50;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, Math.max(0, deadline - Date.now()))));
    delay = Math.min(delay * 2, maxDelayMs);
  }
  return undefined;
}
