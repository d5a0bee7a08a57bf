/**
 * Opaque pagination cursors: a Query's LastEvaluatedKey as base64url JSON. Decoding checks the whole key: its shape,
 * that it belongs to the partition being read (a crafted cursor cannot page through another partition), that it
 * holds exactly the key attributes of the table or index read, and that its sort key lies inside the query's sort
 * key condition: DynamoDB rejects any other ExclusiveStartKey with a ValidationException, which would surface as a
 * 500 instead of a 400 (the key names were found by the e2e fuzzer, the sort key range by review).
 */
import { ValidationError } from '../errors';

export type PageKey = Record<string, string>;

export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  if (!key) return null;
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export interface ExpectedCursor {
  /** The partition being read: its key attribute and value. */
  readonly attribute: string;
  readonly value: string;
  /** Exactly these key attributes. */
  readonly keyNames?: readonly string[];
  /** The sort key condition of the query: a start key outside it is a ValidationException (found by review). */
  readonly sortKey?: { readonly attribute: string; readonly prefix: string };
}

export function decodeCursor(cursor: string | undefined, expected: ExpectedCursor): PageKey | undefined {
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
    (expected.keyNames === undefined || sameKeys(Object.keys(decoded), expected.keyNames)) &&
    (expected.sortKey === undefined ||
      ((decoded as PageKey)[expected.sortKey.attribute] ?? '').startsWith(expected.sortKey.prefix));
  if (!valid) throw new ValidationError('Invalid query string: cursor is not a cursor this API returned');
  return decoded as PageKey;
}

function sameKeys(actual: readonly string[], expected: readonly string[]): boolean {
  return actual.length === new Set(expected).size && expected.every((name) => actual.includes(name));
}
