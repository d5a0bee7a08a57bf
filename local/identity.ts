/**
 * Who sent a request to a local service. Each function's execution environment gets its own access key id
 * (`LOCAL` + 15 hex digits of its name's SHA-256: 20 characters, like an AWS key id, the same on every run), and the
 * services read it back from the SigV4 `Authorization` header (`Credential=<key id>/<date>/<region>/<service>/...`).
 * A key nobody registered (tests, scripts, the runtime's own clients use `local`) is "no function".
 *
 * The DynamoDB proxy uses it to select fault rules per function; per-role IAM checks can use it the same way.
 */
import { createHash } from 'node:crypto';

/** The access key id of a function's execution environments. */
export function accessKeyIdFor(functionName: string): string {
  return `LOCAL${createHash('sha256').update(functionName).digest('hex').slice(0, 15).toUpperCase()}`;
}

/** The access key id of a SigV4 `Authorization` header, if it has one. */
export function accessKeyIdOf(authorization: string | string[] | undefined): string | undefined {
  const header = Array.isArray(authorization) ? authorization[0] : authorization;
  if (!header) return undefined;
  const match = /Credential=([^/,\s]+)\//.exec(header);
  return match?.[1];
}

/** Access key id → function name, for the functions of the template. */
export class FunctionIdentities {
  private readonly byKey = new Map<string, string>();

  register(functionNames: Iterable<string>): void {
    for (const name of functionNames) this.byKey.set(accessKeyIdFor(name), name);
  }

  /** The function whose key signed a request (from its `Authorization` header), or undefined. */
  functionOf(authorization: string | string[] | undefined): string | undefined {
    const key = accessKeyIdOf(authorization);
    return key === undefined ? undefined : this.byKey.get(key);
  }
}
