/**
 * Opaque pagination cursors: a Query's LastEvaluatedKey as base64url JSON. Decoding checks the shape, that the
 * cursor belongs to the partition being read (a crafted cursor cannot page through another partition), and that it
 * holds exactly the key attributes of the table or index read: DynamoDB rejects any other ExclusiveStartKey with a
 * ValidationException, which would surface as a 500 instead of a 400 (found by the e2e fuzzer).
 */
import { ValidationError } from '../errors';

export type PageKey = Record<string, string>;

export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  if (!key) return null;
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(
  cursor: string | undefined,
  expected: { attribute: string; value: string; keyNames?: readonly string[] },
): PageKey | undefined {
  if (cursor === undefined) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new ValidationError('Invalid query string: cursor is not a cursor this API returned');
  }
  const valid =
    typeof decoded === 'object' &&
    decoded !== null &&
    !Array.isArray(decoded) &&
    Object.values(decoded).every((v) => typeof v === 'string') &&
    (decoded as PageKey)[expected.attribute] === expected.value &&
    (expected.keyNames === undefined || sameKeys(Object.keys(decoded), expected.keyNames));
  if (!valid) throw new ValidationError('Invalid query string: cursor is not a cursor this API returned');
  return decoded as PageKey;
}

function sameKeys(actual: readonly string[], expected: readonly string[]): boolean {
  return actual.length === new Set(expected).size && expected.every((name) => actual.includes(name));
}
