/**
 * The size of an item as DynamoDB counts it for capacity units: attribute names plus values
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html).
 */

export type AttributeValue = {
  S?: unknown;
  N?: unknown;
  B?: unknown;
  BOOL?: unknown;
  NULL?: unknown;
  L?: AttributeValue[];
  M?: Record<string, AttributeValue>;
  SS?: unknown[];
  NS?: unknown[];
  BS?: unknown[];
};

const utf8 = (text: unknown) => Buffer.byteLength(String(text), 'utf8');
const base64 = (value: unknown) => Buffer.from(String(value), 'base64').length;

function numberSize(value: unknown): number {
  const digits =
    String(value)
      .replace(/^[-+]?0*/, '')
      .replace(/[.eE].*$/, '').length || 1;
  return Math.ceil(digits / 2) + 1;
}

export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return base64(value.B);
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.L) return 3 + value.L.reduce((n, v) => n + 1 + valueSize(v), 0);
  if (value.M) return 3 + Object.entries(value.M).reduce((n, [k, v]) => n + 1 + utf8(k) + valueSize(v), 0);
  if (value.SS) return value.SS.reduce<number>((n, s) => n + utf8(s), 0);
  if (value.NS) return value.NS.reduce<number>((n, s) => n + numberSize(s), 0);
  if (value.BS) return value.BS.reduce<number>((n, s) => n + base64(s), 0);
  return 0;
}

export function itemSize(item: Readonly<Record<string, AttributeValue | undefined>>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) if (value) size += utf8(name) + valueSize(value);
  return size;
}
