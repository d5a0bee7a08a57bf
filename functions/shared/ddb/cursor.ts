/**
 * Opaque pagination cursors: a Query's LastEvaluatedKey as base64url JSON. Decoding checks the shape and that the
 * cursor belongs to the partition being read, so a crafted cursor cannot page through another partition.
 */
import { ValidationError } from '../errors';

export type PageKey = Record<string, string>;

export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  if (!key) return null;
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(
  cursor: string | undefined,
  expected: { attribute: string; value: string },
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
    (decoded as PageKey)[expected.attribute] === expected.value;
  if (!valid) throw new ValidationError('Invalid query string: cursor is not a cursor this API returned');
  return decoded as PageKey;
}
